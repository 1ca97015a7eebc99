"""Every word the app shows, in English and 简体中文, looked up when a page is drawn.

The catalogues are ``locales/en.toml`` and ``locales/zh.toml`` (the shared panels and the first
pages) plus one file per lesson page in ``locales/en/`` and ``locales/zh/``: one table per module,
so keys read ``t("params.kernel_h")``; ``{fields}`` are filled with :meth:`str.format`. A key
defined in two files of one language is an error, found when the catalogue is first read.

The engine's own messages are part of the catalogue too: English comes from
:data:`pooling_core.MESSAGES` (the text a :class:`pooling_core.PoolingError` carries), Chinese
from the ``[engine]`` table of ``zh.toml`` (or of a page's file, for its engine module), and
:func:`engine_message` turns an error's code and fields into either.

The language of a session is ``st.session_state["lang"]``: set by :func:`language_switch` from
the sidebar, from ``?lang=zh`` in a link, or — when a link says nothing — from the browser's
preferred language. It is written back to the link, so a shared link opens in the language it
was shared in.

User text is data, never markup. Catalogue entries are Markdown (Streamlit's warnings, captions,
labels and help texts render it), and anything that fills a ``{field}`` — a link value, a file
name, a CSV header or cell, a typed sentence, an answer — is made inert by :func:`t` as it is
filled in (:func:`inert`): escaped outside a template's code span, kept literal inside one. Only
text this module produced from the catalogue (a :class:`Markdown`, which :func:`t`,
:meth:`Message.text` and :func:`engine_message` return) is placed as it is, so a message can still
quote another message.
"""

from __future__ import annotations

import html
import re
import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pooling_core as pc

LANGUAGES = ("en", "zh")
DEFAULT_LANGUAGE = "en"
# Each language's name in itself: that is how a reader finds their own in a list.
LANGUAGE_NAMES = {"en": "English", "zh": "中文"}
# What the page declares each language to be (BCP 47, for ``<html lang>`` and the chooser's
# buttons): the Chinese catalogue is in simplified characters, which screen readers and fonts
# choose by the script subtag.
LANGUAGE_TAGS = {"en": "en", "zh": "zh-Hans"}
LOCALES = Path(__file__).parent.parent / "locales"
STATE_KEY = "lang"
URL_NAME = "lang"
# The attribute that marks the app's own scripts in the page (see :func:`language_script`).
SCRIPT_MARK = "data-pooling-lab"


def _flatten(table: Mapping, prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for name, value in table.items():
        key = f"{prefix}{name}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, key + "."))
        else:
            flat[key] = value
    return flat


def catalogue_files(lang: str) -> list[Path]:
    """The files of ``lang``'s catalogue: the main one, then each page's, by name."""
    return [LOCALES / f"{lang}.toml", *sorted((LOCALES / lang).glob("*.toml"))]


@cache
def catalogue(lang: str) -> dict[str, str]:
    """Every key of ``lang``'s catalogue and its text (the engine's messages included)."""
    entries: dict[str, str] = {}
    for path in catalogue_files(lang):
        with open(path, "rb") as file:
            part = _flatten(tomllib.load(file))
        twice = sorted(set(part) & set(entries))
        if twice:
            raise ValueError(f"{path.name} defines keys already defined: {', '.join(twice)}")
        entries.update(part)
    if lang == "en":
        entries.update({f"engine.{code}": text for code, text in pc.MESSAGES.items()})
    return entries


def field_names(text: str) -> set[str]:
    """The ``{fields}`` a template uses.

    Examples
    --------
    >>> sorted(field_names("{parameter} must be ≥ {minimum}; got {value!r}"))
    ['minimum', 'parameter', 'value']
    """
    return {name.split(".")[0].split("[")[0]
            for _, name, _, _ in string.Formatter().parse(text) if name}


def current_language() -> str:
    """The session's language; English outside a Streamlit run (tests calling functions)."""
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    if get_script_run_ctx(suppress_warning=True) is None:
        return DEFAULT_LANGUAGE
    import streamlit as st

    lang = st.session_state.get(STATE_KEY, DEFAULT_LANGUAGE)
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


class Markdown(str):
    """Markdown the app wrote itself: a catalogue entry with its fields filled in.

    :func:`t` places a field of this type as it is (a message may quote another message, with its
    code font and emphasis); a field of any other type is data and made inert. Joining or slicing
    gives a plain ``str`` again, so build composite texts with :func:`join_markdown`.
    """

    __slots__ = ()


def join_markdown(separator: str, parts) -> Markdown:
    """``separator.join(parts)`` for catalogue texts; every part must be :class:`Markdown`.

    Examples
    --------
    >>> join_markdown(", ", [t("kinds.max.name", "en"), t("kinds.avg.name", "en")])
    'max, average'
    """
    parts = list(parts)
    if not all(isinstance(part, Markdown) for part in parts):
        raise TypeError("join_markdown joins catalogue texts only; user text goes into fields")
    return Markdown(str(separator).join(parts))


# Markdown, GitHub's extensions and Streamlit's own (``:red[…]``, ``:material/icon:``, emoji
# shortcodes, ``$math$``) start from these characters anywhere in a line.
_ALWAYS = frozenset("\\`*[]<>&$~|:#@!")
# An underscore between two letters or digits can neither open nor close emphasis (CommonMark's
# flanking rules), so ``kernel_size`` stays as it is; ``__class__`` does not.
_LONE_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")
# These only start something at the beginning of a line: a list item, a quote, a heading.
_LINE_START = re.compile(r"^(\s*)([-+>=]|\d+[.)])")
# GitHub's autolinks (``www.``, ``http://``, ``a@b.example``), emoji shortcodes and Streamlit's
# Material icons are found in the text *after* Markdown is parsed, where a backslash no longer
# separates anything: a value with any of their signs is shown as a code span, which those
# passes leave alone.
_FOUND_AFTER_PARSING = re.compile(r"(?i)[:@]|www\.")
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\u2028\u2029\x0b\x0c\x85]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
# Inside a template's code span nothing is markup, but a backtick would end the span: it becomes
# the look-alike MODIFIER LETTER GRAVE ACCENT there (a backtick typed inside a quoted value is
# rare, and every other character is shown exactly as typed).
_CODE_BACKTICK = "\u02cb"


def inert(value, *, in_code: bool = False, line_start: bool = False) -> str:
    """``value`` as text that Markdown shows character for character and never formats.

    Outside a code span every character that could start a link, an image, emphasis, code, HTML,
    an autolink, math, a colour or an icon is backslash-escaped; line breaks become spaces (a
    value is echoed within a sentence) and other control characters are dropped. A value that an
    autolink, emoji or icon could start from is a code span instead. Inside a template's code
    span (``in_code``) only line breaks and backticks need care.

    Examples
    --------
    >>> print(inert("[Session expired - log in](https://evil.example)"))
    `[Session expired - log in](https://evil.example)`
    >>> print(inert("[Session expired - log in]"))
    \\[Session expired - log in\\]
    >>> print(inert("__class__"), inert("3x2"), inert("-1.5"), inert("-1.5", line_start=True))
    \\_\\_class\\_\\_ 3x2 -1.5 \\-1.5
    >>> print(inert("a`b", in_code=True), inert("www.evil.example"))
    aˋb `www.evil.example`
    """
    text = _CONTROL.sub("", _LINE_BREAKS.sub(" ", str(value)))
    if in_code:
        return text.replace("`", _CODE_BACKTICK)
    if _FOUND_AFTER_PARSING.search(text):
        return code_span(text)
    text = "".join("\\" + char if char in _ALWAYS else char for char in text)
    text = _LONE_UNDERSCORE.sub(r"\\_", text)
    if line_start:
        text = _LINE_START.sub(lambda m: f"{m.group(1)}\\{m.group(2)}", text, count=1)
    return text


def inert_in_figure(value) -> str:
    """``value`` for a plotly text (a tick label, a hover text, a title): plotly reads a subset of
    HTML there — ``<a href>`` links, ``<b>``, ``<span style>`` — and entities, so ``<`` and ``&``
    are written as entities, which it shows as the characters typed.

    Examples
    --------
    >>> inert_in_figure('<a href="http://evil.example">x</a> & y')
    '&lt;a href="http://evil.example"&gt;x&lt;/a&gt; &amp; y'
    """
    return html.escape(str(value), quote=False)


def code_span(text: str) -> str:
    """``text`` as a Markdown code span that shows it exactly (a fence longer than any run of
    backticks in it; a space at each end when it starts or ends with one, which Markdown drops).

    Examples
    --------
    >>> print(code_span("a:b"), code_span("x `y` z"), code_span("`a"))
    `a:b` ``x `y` z`` `` `a ``
    """
    runs = [len(run) for run in re.findall("`+", text)]
    fence = "`" * (max(runs, default=0) + 1)
    pad = " " if text.startswith(("`", " ")) or text.endswith(("`", " ")) else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _code_fence_after(literal: str, fence: int) -> int:
    """The length of the backtick run that opened the code span still open after ``literal``
    (0: none), given the one open before it."""
    index = 0
    while index < len(literal):
        if literal[index] == "`":
            end = index
            while end < len(literal) and literal[end] == "`":
                end += 1
            run = end - index
            escaped = fence == 0 and index > 0 and literal[index - 1] == "\\"
            if not escaped:
                if fence == 0:
                    fence = run
                elif run == fence:
                    fence = 0
            index = end
        else:
            index += 1
    return fence


_FORMATTER = string.Formatter()


def fill(template: str, fields: Mapping) -> Markdown:
    """``template.format(**fields)``, with every field that is not :class:`Markdown` made inert
    for the place it lands in (inside or outside the template's code spans).

    Examples
    --------
    >>> print(fill("got {raw!r}; column `{name}`", {"raw": "**x**", "name": "a*b`c"}))
    got '\\*\\*x\\*\\*'; column `a*bˋc`
    >>> print(fill("{part}: {n}", {"part": "# title", "n": 3}))
    \\# title: 3
    """
    parts: list[str] = []
    fence = 0
    for literal, name, spec, conversion in _FORMATTER.parse(template):
        parts.append(literal)
        fence = _code_fence_after(literal, fence)
        if name is None:
            continue
        value, _ = _FORMATTER.get_field(name, (), fields)
        value = _FORMATTER.convert_field(value, conversion)
        text = _FORMATTER.format_field(value, spec)
        if not isinstance(value, Markdown):
            at_line_start = not "".join(parts) or "".join(parts).endswith("\n")
            text = inert(text, in_code=fence > 0, line_start=at_line_start)
        parts.append(text)
    return Markdown("".join(parts))


def t(key: str, /, lang: str | None = None, **fields) -> Markdown:
    """The text of ``key`` in ``lang`` (default: the session's), with ``fields`` filled in.

    Fields are data: each is made inert for Markdown (:func:`fill`) unless it is itself a
    catalogue text (:class:`Markdown`).

    Examples
    --------
    >>> t("app.title", lang="zh")
    '池化实验室 Pooling Lab'
    >>> t("engine.too_small", lang="en", parameter="stride", minimum=1, value=0)
    'stride must be ≥ 1; got 0'
    """
    text = catalogue(lang or current_language())[key]
    return fill(text, fields) if fields else Markdown(text)


def t_plain(key: str, /, lang: str | None = None, **fields) -> str:
    """The text of ``key`` for an element that shows characters, never markup (``st.text``,
    ``st.code``, a table's cells, an HTML text node after :func:`html.escape`, a screen reader's
    announcement): the fields go in as they are, since escaping them for Markdown would show the
    escapes.

    Examples
    --------
    >>> t_plain("grid_table.row", "en", row=-1) == t("grid_table.row", "en", row=-1)
    True
    >>> print(t_plain("engine.too_small", "en", parameter="x_", minimum=1, value="**0**"))
    x_ must be ≥ 1; got **0**
    """
    text = catalogue(lang or current_language())[key]
    return text.format(**fields) if fields else text


def labeller(prefix: str, suffix: str = "", *, names=None):
    """A ``format_func`` for a widget whose options are catalogue keys ``<prefix><option><suffix>``
    (or, with ``names``, ``<prefix><names[option]><suffix>``), worded in the language of the run
    that draws the widget.

    The language is taken now, not when the function is called: Streamlit may call a
    ``format_func`` again outside the script run (AppTest does, from the test's thread).

    Examples
    --------
    >>> labeller("kinds.", ".name", )("max"), labeller("views.channels.", names=("R", "G"))(1)
    ('max', 'G')
    """
    lang = current_language()

    def label(option) -> str:
        return t(f"{prefix}{option if names is None else names[option]}{suffix}", lang)

    return label


@dataclass(frozen=True)
class Message:
    """Something to tell the user, kept as a key and fields so that it is worded when shown, in
    the language of that moment (a warning from a link outlives a change of language).

    A field may itself be a :class:`Message` or a :class:`pooling_core.PoolingError`.

    Examples
    --------
    >>> Message("url.not_bool", {"text": "maybe"}).text("en")
    "expected true or false, got 'maybe'"
    """

    key: str
    fields: dict = field(default_factory=dict)

    def text(self, lang: str | None = None) -> Markdown:
        return t(self.key, lang, **{name: render(value, lang)
                                    for name, value in self.fields.items()})


def render(value, lang: str | None = None):
    """Text for a :class:`Message` or a :class:`pooling_core.PoolingError`; anything else as is."""
    if isinstance(value, Message):
        return value.text(lang)
    if isinstance(value, pc.PoolingError):
        return engine_message(value, lang)
    return value


def engine_message(error: pc.PoolingError, lang: str | None = None) -> Markdown:
    """A :class:`pooling_core.PoolingError` in the session's language.

    Examples
    --------
    >>> try:
    ...     pc.output_size(4, 0)
    ... except pc.PoolingError as error:
    ...     print(engine_message(error, "en"), "|", engine_message(error, "zh"))
    kernel_size must be ≥ 1; got 0 | `kernel_size` 必须 ≥ 1，而现在是 0
    """
    lang = lang or current_language()
    fields = dict(error.fields)
    if "axis" in fields:
        fields["axis"] = t(f"engine_axes.{fields['axis']}", lang)
    if "out" in fields and isinstance(fields["out"], int):
        fields["out"] = pc.format_number(fields["out"])
    return t(f"engine.{error.code}", lang, **fields)


def language_switch() -> str:
    """The language chooser at the top of the sidebar; returns the session's language.

    On a session's first run the language comes from ``?lang=`` (an unknown value is reported
    and ignored), else from the browser's preferred language; afterwards from the chooser. The
    link is kept in step with it. The page's ``<html lang>`` and each of the chooser's buttons
    then declare their language (:func:`declare_language`).
    """
    import streamlit as st

    if STATE_KEY not in st.session_state:
        wanted = st.query_params.get(URL_NAME)
        st.session_state[STATE_KEY] = _first_language(wanted, st.context.locale)
        if wanted is not None and _language_of(wanted) is None:
            st.session_state["lang_url_warning"] = wanted
    with st.sidebar:
        st.segmented_control(
            t("app.language"), LANGUAGES, key=STATE_KEY, format_func=LANGUAGE_NAMES.get,
            selection_mode="single", required=True, on_change=_forget_language_warning,
        )
        bad = st.session_state.get("lang_url_warning")
        if bad is not None:
            st.warning(t("app.url_bad_lang", raw=bad, known=Markdown(", ".join(LANGUAGES))))
        lang = current_language()
        declare_language(lang)
    if st.query_params.get(URL_NAME) != lang:
        st.query_params[URL_NAME] = lang
    return lang


def language_script(lang: str) -> str:
    """The script that declares ``lang`` as the page's language and each chooser button's own.

    Streamlit's page always says ``<html lang="en">``, so a screen reader reads the Chinese page
    with English rules (WCAG 3.1.1), and the chooser's "中文" on an English page (or "English" on
    a Chinese one) is a phrase in another language (3.1.2). Only a script in the page can set
    these attributes. The buttons are found by their text (the chooser has the key
    :data:`STATE_KEY`, which Streamlit puts in its container's class ``st-key-lang``). When a
    session opens, the script runs before the browser has drawn the chooser (its code arrives
    later), so it then watches the page until the buttons are there, and stops; afterwards the
    buttons stay, and keep the attribute, from one run to the next.

    The script carries :data:`SCRIPT_MARK` (``data-pooling-lab``), by which the page's style
    sheet hides its empty element.

    Examples
    --------
    >>> script = language_script("zh")
    >>> '"zh-Hans"' in script and '"中文": "zh-Hans"' in script
    True
    """
    import json

    tags = json.dumps({LANGUAGE_NAMES[code]: LANGUAGE_TAGS[code] for code in LANGUAGES},
                      ensure_ascii=False)
    return (
        f'<script {SCRIPT_MARK}="language">(() => {{'
        f"document.documentElement.lang = {json.dumps(LANGUAGE_TAGS[lang])};"
        f"const tags = {tags};"
        "const mark = () => {"
        f" const buttons = document.querySelectorAll('.st-key-{STATE_KEY} button');"
        " buttons.forEach(button => {"
        "  const tag = tags[button.textContent.trim()]; if (tag) { button.lang = tag; } });"
        " return buttons.length > 0; };"
        "if (window.poolingLabLanguageWatch) { window.poolingLabLanguageWatch.disconnect(); }"
        "window.poolingLabLanguageWatch = null;"
        "if (!mark()) {"
        " const watch = new MutationObserver(() => { if (mark()) { watch.disconnect(); } });"
        " watch.observe(document.body, {childList: true, subtree: true});"
        " window.poolingLabLanguageWatch = watch; }"
        "})();</script>"
    )


def declare_language(lang: str) -> None:
    """Run :func:`language_script` in the page: one small element, its script run again by the
    browser only when its text changes (when the language does)."""
    import streamlit as st

    st.html(language_script(lang), unsafe_allow_javascript=True)


def _language_of(text: str | None) -> str | None:
    """The language of ours that a language tag names (its first subtag), or None.

    Both ``zh-TW`` (a browser's tag) and ``zh_CN`` (a POSIX locale) mean Chinese; we have one
    Chinese, in simplified characters, which a reader of traditional ones can read too.

    Examples
    --------
    >>> [_language_of(text) for text in ("zh", " ZH-Hans ", "zh_CN", "zh-TW", "en-GB", "fr", "")]
    ['zh', 'zh', 'zh', 'zh', 'en', None, None]
    """
    if text is None:
        return None
    first = text.strip().lower().replace("_", "-").split("-")[0]
    return first if first in LANGUAGES else None


def _first_language(wanted: str | None, locale: str | None) -> str:
    """``?lang=`` when it names a language, else the browser's, else English.

    Examples
    --------
    >>> _first_language("ZH", None), _first_language(None, "zh-CN"), _first_language("fr", "de")
    ('zh', 'zh', 'en')
    >>> _first_language("zh-TW", "en-US"), _first_language(None, "zh-TW")
    ('zh', 'zh')
    >>> _first_language("fr", "zh-Hant-HK"), _first_language("en-GB", "zh")
    ('zh', 'en')
    """
    return _language_of(wanted) or _language_of(locale) or DEFAULT_LANGUAGE


def _forget_language_warning() -> None:
    import streamlit as st

    st.session_state.pop("lang_url_warning", None)
