"""Every page in 简体中文 with no English sentence left; the language switch and ``?lang=`` links.

The pages are rendered through AppTest in many states (links good and bad, a photo, a typed grid
with a bad cell, refused parameters, every kind side by side), and every word a user can read is
collected from the page: headings, text, captions, alerts, widget labels, options and help,
image captions, the worked arithmetic and the figures' labels, buttons and hover texts. What may
stay in Latin letters is code (in backticks), quoted values the user typed, the names of formats,
libraries and functions (max, softmax, PyTorch, PNG, ReLU) and single letters (x, y, k, s).

The same collector run on the English pages must find plenty of English: so it is able to fail.
"""

from __future__ import annotations

import io
import json
import re

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest
from test_ui_pages import BAD_LINKS, VALID_LINKS
from ui_support import PAGES, assert_no_bug, formulas, open_page, parse_html, readable_html

import pooling_core as pc

# Words that are symbols in both languages: the kinds' names as the API spells them (a label says
# "随机池化 (stochastic)"), function names in formulas, file formats, libraries and units, the
# language list's own "English", and True/False/None of Python.
ALLOWED = {*pc.KINDS,
    "max", "min", "avg", "median", "softmax", "sample", "softpool", "pytorch", "tensorflow",
    "numpy", "nan", "inf", "rgb", "png", "jpeg", "jpg", "webp", "bmp", "gif", "tiff", "heic",
    "heif", "exif", "cmyk", "relu", "cpu", "gpu", "cuda", "rmse", "true", "false", "none",
    "same", "valid", "english", "alpha", "dtype", "bit",
    # the lesson pages: filters, layers, layouts and file formats by their usual names
    "sobel", "laplacian", "gabor", "gaussian", "conv", "conv2d", "blurpool", "maxblurpool",
    "keras", "nchw", "nhwc", "csv", "wav", "textcnn", "tanh", "sigmoid", "npy",
}
PRODUCT = "Pooling Lab"
CODE = re.compile(r"`[^`]*`")
QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
TEMPLATE = re.compile(r"%\{[^}]*\}|<[^>]+>")
# Streamlit's markdown directives: a badge's colour and a Material icon's name
DIRECTIVE = re.compile(r":[a-z]+-badge\[|:material/[a-z_]+:")
WORD = re.compile(r"[A-Za-z][A-Za-z_]*")
VISIBLE_FIELDS = {"body", "label", "help", "options", "content", "caption", "placeholder",
                  "code_text", "text"}


def english_words(text: str) -> list[str]:
    """Words of three letters or more that are neither code nor allowed symbols.

    Examples
    --------
    >>> english_words("窗口高度 `kernel_size`，输出 y[0,0] = max(1, 3) 与 PyTorch 一致")
    []
    >>> english_words("Pick an input in the sidebar")
    ['Pick', 'input', 'the', 'sidebar']
    """
    text = DIRECTIVE.sub(" ", text.replace(PRODUCT, " "))
    text = TEMPLATE.sub(" ", QUOTED.sub(" ", CODE.sub(" ", text)))
    return [word for word in WORD.findall(text)
            if len(word) >= 3 and "_" not in word and word.lower() not in ALLOWED]


def _strings(message, field_name=""):
    """Strings of the user-visible fields of a protobuf message, recursively."""
    for descriptor, value in message.ListFields():
        values = value if descriptor.is_repeated else [value]
        if descriptor.type == descriptor.TYPE_MESSAGE:
            for item in values:
                if hasattr(item, "ListFields"):
                    yield from _strings(item, descriptor.name)
        elif descriptor.type == descriptor.TYPE_STRING and descriptor.name in VISIBLE_FIELDS:
            yield from values
        elif descriptor.name == "spec":  # a plotly figure, as JSON
            yield from _figure_strings(json.loads(value))


def _figure_strings(figure: dict):
    layout = figure.get("layout", {})
    frames_layouts = [frame.get("layout", {}) for frame in figure.get("frames", [])]
    for part in (layout, *frames_layouts):
        for annotation in part.get("annotations", []):
            yield annotation.get("text", "")
    for menu in layout.get("updatemenus", []):
        for button in menu.get("buttons", []):
            yield button.get("label", "")
    for slider in layout.get("sliders", []):
        yield slider.get("currentvalue", {}).get("prefix", "")
        yield slider.get("currentvalue", {}).get("suffix", "")
    for trace in figure.get("data", []):
        yield trace.get("hovertemplate", "")
        if trace.get("mode") == "text":
            yield from trace.get("text", [])


def _nodes(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _nodes(child)


def visible_texts(app: AppTest) -> list[str]:
    """Every text a reader of the page can see (latex formulas excepted: they are maths)."""
    texts = []
    for node in _nodes(app._tree):
        proto = getattr(node, "proto", None)
        if proto is None or not hasattr(proto, "ListFields"):
            continue
        if type(proto).__name__ == "Markdown" and proto.body.startswith("$$"):
            continue  # st.latex
        if type(proto).__name__ == "Code":
            continue  # st.code: a program is in its language, not the reader's
        if type(proto).__name__ == "Html":
            # our own HTML: what it shows and says (text, accessible names, a script's words),
            # not its style sheets, scripts or data marked translate="no" (the Share box's link)
            texts.extend(readable_html(parse_html(proto.body)))
            continue
        texts.extend(_strings(proto))
    for frame in app.dataframe:
        texts.extend(str(column) for column in frame.value.columns)
    return [text for text in texts if text]


def english_left(app: AppTest) -> dict[str, list[str]]:
    return {text: words for text in visible_texts(app) if (words := english_words(text))}


def upload_photo(app: AppTest) -> None:
    pixels = np.random.default_rng(3).integers(0, 256, size=(60, 80, 4), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels, "RGBA").save(buffer, "PNG")
    app.radio(key="in_source").set_value("upload").run()
    app.file_uploader(key="in_upload").set_value(("照片.png", buffer.getvalue(), "image/png"))
    app.run()


def typed_grid_with_a_bad_cell(app: AppTest) -> None:
    app.radio(key="in_source").set_value("type").run()
    app.session_state["in_type_editor"] = {"edited_rows": {0: {"1": "两"}}, "added_rows": [],
                                           "deleted_rows": []}
    app.run()


def every_kind_compared(app: AppTest) -> None:
    app.multiselect(key="cmp_kinds").set_value(list(pc.KINDS)).run()


def refused_parameters(app: AppTest) -> None:
    app.number_input(key="p_kernel_h").set_value(3).run()
    app.number_input(key="p_pad_h").set_value(2).run()


def typed_upstream_gradient(app: AppTest) -> None:
    app.radio(key="grad_mode").set_value("typed").run()


STATES = [
    ("explorer", {}, None),
    ("gradients", {}, typed_upstream_gradient),
    ("compare", {}, every_kind_compared),
    ("explorer", {}, upload_photo),
    ("gradients", {}, upload_photo),
    ("compare", {"input": "photo"}, None),
    ("explorer", {}, typed_grid_with_a_bad_cell),
    ("explorer", {}, refused_parameters),
    ("explorer", {"kind": "weighted", "weights": "typed"}, None),
    ("explorer", {"input": "photo", "kind": "stochastic", "training": "false"}, None),
    *[("explorer", query, None) for query in VALID_LINKS + BAD_LINKS],
    *[("gradients", query, None) for query in VALID_LINKS[1:6]],
]


@pytest.mark.parametrize(("page", "query", "action"), STATES,
                         ids=lambda value: getattr(value, "__name__", None))
def test_no_english_sentence_is_left_on_a_chinese_page(page, query, action):
    app = open_page(page, {**query, "lang": "zh"})
    if action is not None:
        action(app)
    assert_no_bug(app)
    assert len(visible_texts(app)) > 10
    assert english_left(app) == {}


@pytest.mark.parametrize("page", list(PAGES))
def test_the_same_reading_finds_english_on_an_english_page(page):
    app = open_page(page, {"lang": "en"})
    left = english_left(app)
    assert len(left) > 10, left


def test_a_chinese_link_is_chinese_and_stays_in_the_link():
    app = open_page("gradients", {"lang": "zh", "kind": "avg"})
    assert app.query_params["lang"] == "zh"
    assert [title.value for title in app.title] == ["池化实验室 — 梯度"]
    assert app.query_params["kind"] == "avg"


def test_a_link_without_a_language_gets_one_written_in():
    app = open_page("explorer", {"kernel": "3"})
    assert app.query_params["lang"] == "en" and app.query_params["kernel"] == "3"


def test_an_unknown_language_in_a_link_is_reported_and_english_used():
    app = open_page("explorer", {"lang": "fr"})
    assert_no_bug(app)
    assert any("lang='fr'" in warning.value for warning in app.warning)
    assert app.query_params["lang"] == "en"
    assert [title.value for title in app.title] == ["Pooling Lab — Explorer"]


def test_switching_the_language_keeps_the_view():
    app = open_page("explorer", {"input": "random", "input_size": "7", "kind": "avg",
                                 "kernel": "3", "stride": "2", "padding": "1"})
    app.number_input(key="p_dil_w").set_value(2).run()
    app.selectbox(key="anim_step").set_value(3).run()
    fm_before, params_before = app.session_state["page_current"]
    formula_before = formulas(app)
    app.button_group(key="lang").set_value("zh").run()
    assert_no_bug(app)
    fm_after, params_after = app.session_state["page_current"]
    assert params_after == params_before and params_after.dilation == (1, 2)
    assert np.array_equal(fm_after.data, fm_before.data) and fm_after.key == fm_before.key
    assert formulas(app) == formula_before and formula_before  # the same step, explained
    assert [title.value for title in app.title] == ["池化实验室 — 探索"]
    assert app.query_params["lang"] == "zh" and app.query_params["dilation"] == "1x2"
    assert english_left(app) == {}
    # and on another page, and back
    app.switch_page(PAGES["compare"]).run()
    assert [title.value for title in app.title] == ["池化实验室 — 对比"]
    assert app.session_state["page_current"][1] == params_before
    app.button_group(key="lang").set_value("en").run()
    assert [title.value for title in app.title] == ["Pooling Lab — Compare"]


def test_a_warning_from_a_link_is_reworded_when_the_language_changes():
    app = open_page("explorer", {"kind": "bogus", "lang": "en"})
    assert any("Link parameter kind='bogus'" in w.value for w in app.warning)
    app.button_group(key="lang").set_value("zh").run()
    assert any("链接参数 `kind='bogus'`" in w.value for w in app.warning)


def test_the_share_box_is_read_for_its_words_and_not_for_its_link():
    texts = visible_texts(open_page("explorer", {"lang": "en", "kind": "avg"}))
    assert {"Copy link", "Copied"} <= set(texts)  # the button and what it says after a copy
    assert not [text for text in texts if "kind=avg" in text]  # the link is data, in no language
