"""User text is data, never markup: a link value, a file name, a CSV header or cell, a typed cell or
answer shown in a warning, caption or label renders as the characters the user typed, and never as
a link, an image, emphasis, a heading, HTML, math or one of Streamlit's colours and icons.

The check is independent of the escaping code: every Markdown text of a rendered page is parsed by
markdown-it (CommonMark with GitHub's tables, strikethrough and autolinks, plus ``$math$``), and no
link, image, emphasis, heading, list, quote, HTML or math may hold a marker that only the payload
carries (``PWN``). Streamlit's own extensions (``:red[…]``, ``:material/…:``, ``:emoji:``), which
markdown-it does not know, are looked for in the source: their colon must be escaped.
"""

from __future__ import annotations

import io
import json
import re
import wave

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin
from ui_support import PAGES, assert_no_bug, open_page

from pooling_ui.base.i18n import Markdown, fill, inert, t
from pooling_ui.classroom import live_sync, quiz
from pooling_ui.lessons import conv as lesson_conv
from pooling_ui.lessons import shapes as lesson_shapes
from pooling_ui.lessons import shift as lesson_shift
from pooling_ui.lessons.pool1d import controls as lesson_pool1d
from pooling_ui.panels import display, inputs, params

MARK = "PWN"
PARSER = MarkdownIt("gfm-like").use(dollarmath_plugin)
# Inside these, any text from the payload is formatting produced by the payload.
FORMATTING = {"strong_open", "em_open", "s_open", "link_open", "heading_open",
              "bullet_list_open", "ordered_list_open", "blockquote_open", "table_open"}
FORBIDDEN_LEAVES = {"image", "html_inline", "html_block", "math_inline", "math_block",
                    "math_inline_double", "fence", "code_block"}
# Streamlit's colour and icon syntax and emoji shortcodes, with an unescaped first colon.
STREAMLIT_EXTRAS = re.compile(r"(?<!\\):(?:[a-z]+\[|material/|[a-z_]+:)")
# A code span (nothing in it is markup), for the source-level check above.
CODE_SPAN = re.compile(r"(?<![\\`])(`+)(?!`)(.*?)(?<!`)\1(?!`)")

# Every part of the app that reads the link declares its names in one Link; and the language.
LINK_NAMES = ("lang", *(name for part in (display, inputs, params, lesson_shapes, lesson_conv,
                                          lesson_shift, lesson_pool1d, quiz, live_sync)
                        for name in part.LINK.names))


def payloads(port: int = 9) -> list[str]:
    """Hostile values: inline constructs of every kind, and block constructs at a line's start."""
    inline = (f"[{MARK} link](http://127.0.0.1:{port}/link) "
              f"![{MARK} img](http://127.0.0.1:{port}/img.png) **{MARK} bold** __class__ "
              f"_{MARK}em_ <b>{MARK}</b> :red[{MARK}] :material/lock: :smile: ${MARK}$ "
              f"~~{MARK}~~ www.{MARK}.example https://{MARK}.example/x a@{MARK}.example "
              f"&lt;{MARK}&gt; `{MARK}`")
    return [inline, f"# {MARK} heading\n- {MARK} item\n> {MARK}\n1. {MARK}",
            f"<img src=http://127.0.0.1:{port}/x.png> | {MARK} |\n|---|\n*{MARK}*"]


def violations(source: str) -> list[str]:
    """What in ``source`` (Markdown) is formatting that holds the payload's marker."""
    found = []
    outside_code = CODE_SPAN.sub("", source)
    if MARK in source:
        found += [f"Streamlit extra {match.group(0)!r}"
                  for match in STREAMLIT_EXTRAS.finditer(outside_code)]
    depth = 0

    def visit(tokens):
        nonlocal depth
        for token in tokens:
            if token.type in FORMATTING:
                depth += 1
                href = token.attrGet("href") or ""
                if MARK.lower() in href.lower() or "127.0.0.1" in href:
                    found.append(f"{token.type} to {href}")
            elif token.type.replace("_close", "_open") in FORMATTING and token.nesting == -1:
                depth -= 1
            elif token.type in FORBIDDEN_LEAVES and (MARK in token.content
                                                     or "127.0.0.1" in str(token.attrs)):
                found.append(f"{token.type}: {token.content!r} {token.attrs}")
            elif token.type in ("text", "code_inline") and depth and MARK in token.content:
                found.append(f"formatted text {token.content!r}")
            if token.children:
                visit(token.children)

    visit(PARSER.parse(source))
    return found


def shown_text(source: str) -> str:
    """The characters a reader sees (text and code, line breaks as spaces)."""
    out = []

    def visit(tokens):
        for token in tokens:
            if token.type in ("text", "code_inline"):
                out.append(token.content)
            elif token.type in ("softbreak", "hardbreak"):
                out.append(" ")
            if token.children:
                visit(token.children)

    visit(PARSER.parse(source))
    return "".join(out)


def markdown_of(app) -> list[str]:
    """Every text on the page that Streamlit renders as Markdown: bodies of markdown, captions,
    alerts and headings; labels, help texts and radio options of widgets and expanders."""
    texts: list[str] = []

    def visit(node):
        proto = getattr(node, "proto", None)
        kind = type(proto).__name__
        if kind in ("Markdown", "Alert", "Heading"):
            texts.append(proto.body)
        for name in ("label", "help"):
            value = getattr(proto, name, None)
            if isinstance(value, str) and value:
                texts.append(value)
        if kind in ("Radio", "ButtonGroup"):
            texts.extend(str(option) for option in getattr(proto, "options", []))
        for child in getattr(node, "children", {}).values():
            visit(child)

    visit(app._tree)
    return texts


def assert_inert(app) -> None:
    assert_no_bug(app)
    problems = {text: found for text in markdown_of(app) if (found := violations(text))}
    assert not problems, problems


# -- the escaping itself ---------------------------------------------------------------------------
def test_the_checker_sees_what_unescaped_payloads_do():
    """The check can fail: the payloads put straight into Markdown are caught, every one."""
    for payload in payloads():
        assert violations(f"Link value {payload} not used."), payload
    assert violations("got :red[PWN]")


TEMPLATES = ("got {v}, using the default", "{v}: left empty", "column `{v}` of the file",
             "`grid={v!r}` is not a grid")


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("payload", payloads())
def test_hostile_values_fill_a_template_as_plain_text(template, payload):
    source = fill(template, {"v": payload})
    assert violations(source) == []
    # the reader sees the value as typed: line breaks as spaces; a backtick inside a code span
    # as its look-alike
    typed = re.sub(r"\r\n|[\r\n]", " ", repr(payload) if "!r" in template else payload)
    if "`" in template:
        typed = typed.replace("`", "\u02cb")
    assert typed in shown_text(source).replace("\n", " ")


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
               max_size=40), st.sampled_from(TEMPLATES))
def test_any_text_is_shown_as_typed_and_formats_nothing(value, template):
    source = fill(template, {"v": MARK + value + MARK})
    assert violations(source) == []
    typed = repr(MARK + value + MARK) if "!r" in template else MARK + value + MARK
    if "`" in template:
        typed = typed.replace("`", "\u02cb")
        # a code span shows its content with a space at each end trimmed, nothing else changed
        assert typed.strip(" ") in shown_text(source)
    else:
        # markdown-it shows an entity such as &amp; as the character only when it is not escaped
        assert typed.strip() in shown_text(source).strip() or typed.strip() == ""


def test_catalogue_text_is_placed_as_it_is():
    quoted = t("engine.too_small", "zh", parameter="kernel_size", minimum=1, value=0)
    assert isinstance(quoted, Markdown) and "`kernel_size`" in quoted
    assert fill("invalid: {message}", {"message": quoted}) == f"invalid: {quoted}"
    assert fill("invalid: {message}", {"message": str(quoted)}) != f"invalid: {quoted}"


def test_numbers_and_plain_words_are_unchanged():
    assert inert("3x2") == "3x2" and inert("-1.5") == "-1.5" and inert("kernel_size") == \
        "kernel_size"
    assert inert("池化 (1, 3, 16, 16)") == "池化 (1, 3, 16, 16)"


# -- every link name of every page -----------------------------------------------------------------
@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.parametrize("variant", range(len(payloads())))
def test_hostile_values_in_every_link_name_stay_text(page, variant):
    payload = payloads()[variant]
    query = {name: f"{payload} {name}" for name in LINK_NAMES}
    app = open_page(page, query)
    assert_inert(app)
    # the warnings did echo the payload (so the check above looked at something)
    echoed = [text for text in markdown_of(app) if MARK in text]
    assert echoed, "no warning echoed the link's values"


@pytest.mark.parametrize("page", ["explorer", "shapes"])
def test_a_hostile_grid_link_stays_text(page):
    app = open_page(page, {"input": "grid", "grid": payloads()[0]})
    assert_inert(app)
    assert any(MARK in text for text in markdown_of(app))


def test_the_issues_links_echo_the_value_as_typed():
    """``?kind=[Session expired …](https://evil.example/login)`` and ``?kind=__class__``."""
    for raw in ("[Session expired - click here to log in again](https://evil.example/login)",
                "__class__", "Max Pooling"):
        app = open_page("explorer", {"kind": raw, "lang": "en"})
        assert_inert(app)
        warning = next(w.value for w in app.warning if "kind" in w.value)
        assert raw in shown_text(warning)  # not lowercased, nothing dropped


# -- every loader's error path ---------------------------------------------------------------------
HOSTILE_NAME = f"**{MARK}** [x](http://127.0.0.1:9/n) :red[{MARK}] _{MARK}_"


def test_an_uploaded_image_with_a_hostile_name_stays_text():
    app = open_page("explorer", {"lang": "en"})
    app.radio(key="in_source").set_value("upload").run()
    app.file_uploader(key="in_upload").set_value((HOSTILE_NAME + ".png", b"not a png", "image/png"))
    app.run()
    assert_inert(app)
    assert any(MARK in text for text in markdown_of(app))


def _upload(app, key, file):
    app.file_uploader(key=key).set_value(file)
    app.run()


def test_a_csv_with_hostile_name_header_and_cells_stays_text():
    table = (f"t,**{MARK}** [h](http://127.0.0.1:9/h)\n0,1\n1,_{MARK}_\n2,3\n3,"
             f":red[{MARK}]\n4,5\n").encode()
    app = open_page("pool1d", {"lang": "en", "sig_preset": "csv"})
    _upload(app, "sig_csv_upload", (HOSTILE_NAME + ".csv", table, "text/csv"))
    assert_inert(app)
    assert any(f"_{MARK}_" in shown_text(text) for text in markdown_of(app))
    # a header that is not a number column, and a file that is not CSV at all
    _upload(app, "sig_csv_upload", (HOSTILE_NAME + ".csv",
                                    f"**{MARK}**\n# {MARK}\nx\n".encode(), "text/csv"))
    assert_inert(app)
    _upload(app, "sig_csv_upload", (HOSTILE_NAME + ".csv", bytes(range(256)) * 4, "text/csv"))
    assert_inert(app)


def test_a_wav_that_is_not_one_and_a_hostile_name_stay_text():
    app = open_page("pool1d", {"lang": "en", "sig_source": "audio", "sig_audio": "wav"})
    _upload(app, "sig_wav_upload", (HOSTILE_NAME + ".wav", f"**{MARK}** [x](y)".encode() * 4,
                                    "audio/wav"))
    assert_inert(app)
    assert any(MARK in text for text in markdown_of(app))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\x00\x01" * 400)
    damaged = buffer.getvalue()[:60] + f"**{MARK}**".encode()
    _upload(app, "sig_wav_upload", (HOSTILE_NAME + ".wav", damaged, "audio/wav"))
    assert_inert(app)


def test_a_hostile_typed_cell_and_sentence_stay_text():
    app = open_page("explorer", {"lang": "en"})
    app.radio(key="in_source").set_value("type").run()
    app.session_state["in_type_editor"] = {
        "edited_rows": {0: {"0": f"**{MARK}** [x](http://127.0.0.1:9/c)"}},
        "added_rows": [], "deleted_rows": []}
    app.run()
    assert_inert(app)
    assert any(MARK in text for text in app.warning.values)
    app = open_page("pool1d", {"lang": "en", "sig_source": "sentence"})
    app.text_input(key="sig_words").set_value(
        f"**{MARK}** _{MARK}_ [x](y) <a href='http://127.0.0.1:9/s'>{MARK}</a> word").run()
    assert_inert(app)
    # the words are tick labels and hover texts of a figure, where plotly reads HTML
    # (the spec's JSON writes < and / as \\u escapes: read it back first)
    specs = [json.dumps(json.loads(chart.proto.spec), ensure_ascii=False)
             for chart in app.get("plotly_chart")]
    assert any(MARK in spec for spec in specs)
    assert not any("<a " in spec for spec in specs)


def test_a_hostile_typed_filter_cell_stays_text():
    app = open_page("conv", {"lang": "en"})
    app.selectbox(key="conv_filter").set_value("typed").run()
    app.text_area(key="conv_typed").set_value(
        f"1 0 -1\n2 0 **{MARK}**[x](http://127.0.0.1:9/f)\n1 0 -1").run()
    assert_inert(app)
    assert any(MARK in text for text in app.error.values)


def test_hostile_quiz_answers_stay_text():
    from pooling_ui.classroom.quiz import answer_key, check_key

    app = open_page("quiz", {"quiz_seed": "7", "quiz_q": "1", "lang": "en"})
    for index in range(4):
        key = answer_key(7, 1, index)
        if any(getattr(box, "key", None) == key for box in app.text_input):
            app.text_input(key=key).set_value(f"**{MARK}** :red[{MARK}] [x](http://127.0.0.1:9/q)")
    app.button(key=check_key(7, 1)).click().run()
    assert_inert(app)
    assert any(MARK in text for text in app.error.values)
