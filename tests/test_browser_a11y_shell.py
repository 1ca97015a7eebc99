"""The accessible shell in a real browser: what only the page itself can show.

On every page, in English and in Chinese: ``<html lang>`` is the page's language (``zh-Hans`` for
Chinese) and the language chooser's buttons carry their own; ``document.title`` names the page;
the headings, in the order of the document, never go down more than one level at a time; and
every caption's colour, as the browser paints it (its colour, its opacity and those of the
elements around it, over the backgrounds behind it), is at least WCAG AA's 4.5:1 against that
background — in normal and projector mode — while still fainter than the body text. The ratios
are computed here with WCAG's formula (tests/test_ui_a11y_shell.py). Skips without a Chromium
(fails under ``CI=true``), as tests/test_browser.py does; leaves screenshots in
``test-artifacts/``.
"""

from __future__ import annotations

import itertools
import re

import pytest
from browser_support import exception_texts, open_app, wait_for_idle
from test_ui_a11y_shell import TITLES, contrast, over

EXPECT_TIMEOUT_MS = 60_000
AA_TEXT = 4.5
HTML_LANG = {"en": "en", "zh": "zh-Hans"}
CHOOSER = [{"text": "English", "lang": "en"}, {"text": "中文", "lang": "zh-Hans"}]
NAV = '[data-testid="stSidebarNav"] a'
# The navigation's order (tests/test_browser.py checks it) and each page's name in the links.
ORDER = ("explorer", "gradients", "compare", "shapes", "conv", "shift", "pool1d", "quiz")

# What the browser paints for an element's text: its colour, the product of its own and its
# ancestors' opacities, and the background colours behind it, innermost first.
_PAINT = """
const paint = element => {
    const text = [...element.querySelectorAll('*')].find(
        e => [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) || element;
    let opacity = 1;
    const backgrounds = [];
    for (let e = text; e; e = e.parentElement) {
        const style = getComputedStyle(e);
        opacity *= parseFloat(style.opacity);
        backgrounds.push(style.backgroundColor);
    }
    return {text: text.textContent.trim().slice(0, 40), color: getComputedStyle(text).color,
            opacity, backgrounds};
};
"""
_STATE = "() => {" + _PAINT + """
    return {
        lang: document.documentElement.lang,
        title: document.title,
        chooser: [...document.querySelectorAll('.st-key-lang button')].map(
            b => ({text: b.textContent.trim(), lang: b.getAttribute('lang')})),
        selected: [...document.querySelectorAll('.st-key-lang button')]
            .filter(b => b.getAttribute('aria-checked') === 'true').map(paint),
        headings: [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map(
            h => [Number(h.tagName[1]), h.textContent.trim().slice(0, 40)]),
        captions: [...document.querySelectorAll('[data-testid="stCaptionContainer"]')]
            .filter(c => c.textContent.trim()).map(paint),
        body: paint(document.querySelector('[data-testid="stMain"] h1')),
    };
}"""
_RGBA = re.compile(r"rgba?\(([\d.]+), ([\d.]+), ([\d.]+)(?:, ([\d.]+))?\)")


def rgba(css: str) -> tuple[tuple[float, float, float], float]:
    """``rgb(r, g, b)`` or ``rgba(r, g, b, a)`` (a computed colour) as its channels and alpha."""
    match = _RGBA.fullmatch(css)
    assert match, f"not a computed rgb/rgba colour: {css!r}"
    r, g, b, a = match.groups()
    return (float(r), float(g), float(b)), 1.0 if a is None else float(a)


def painted_contrast(painted: dict) -> float:
    """The contrast of a text as painted: the backgrounds composed from the outermost (over the
    browser's white canvas) inwards, then the text colour at its alpha times its opacity."""
    backdrop = (255.0, 255.0, 255.0)
    for css in reversed(painted["backgrounds"]):
        colour, alpha = rgba(css)
        backdrop = over(colour, backdrop, alpha)
    colour, alpha = rgba(painted["color"])
    return contrast(over(colour, backdrop, alpha * painted["opacity"]), backdrop)


def assert_headings_do_not_skip(headings: list) -> None:
    """One h1; the first heading an h1 or h2; each next at most one level deeper."""
    levels = [level for level, _ in headings]
    assert levels, "no heading on the page"
    assert levels.count(1) == 1, headings
    assert levels[0] <= 2, headings
    for (before, _), (after, text) in itertools.pairwise(headings):
        assert after <= before + 1, f"h{before} then h{after} ({text!r}) in {headings}"


def assert_captions_readable(captions: list, body: dict, *, fainter: bool) -> None:
    assert captions, "no caption measured"
    body_ratio = painted_contrast(body)
    for caption in captions:
        ratio = painted_contrast(caption)
        assert ratio >= AA_TEXT, f"{ratio:.2f}:1 for caption {caption}"
        if fainter:  # still secondary text: less contrast than the page's own text
            assert ratio < body_ratio - 1, f"{ratio:.2f}:1 vs text {body_ratio:.2f}:1, {caption}"


def page_state(page) -> dict:
    return page.evaluate(_STATE)


def go_to(page, name: str, lang: str) -> None:
    """Follow the navigation link of page ``name`` and wait for its title."""
    title = TITLES[lang][name]
    page.locator(NAV).filter(has_text=title.split(" · ")[0]).first.click()
    wait_for_idle(page, timeout_ms=EXPECT_TIMEOUT_MS, settle_ms=500)
    page.wait_for_function("title => document.title === title", arg=title,
                           timeout=EXPECT_TIMEOUT_MS)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_page_declares_its_language_title_headings_and_readable_captions(
        browser_page, app_server, lang):
    page = browser_page(f"browser-a11y-{lang}", timeout_ms=EXPECT_TIMEOUT_MS)
    open_app(page, f"{app_server.url}/?lang={lang}", timeout_ms=EXPECT_TIMEOUT_MS * 2)
    for index, name in enumerate(ORDER):
        if index:
            go_to(page, name, lang)
        assert not exception_texts(page), name
        state = page_state(page)
        assert state["title"] == TITLES[lang][name]
        assert state["lang"] == HTML_LANG[lang], name
        assert state["chooser"] == CHOOSER, (name, state["chooser"])
        assert_headings_do_not_skip(state["headings"])
        assert_captions_readable(state["captions"], state["body"], fainter=True)
        # the chooser's selected option: primary-coloured text on its tint
        assert len(state["selected"]) == 1, state["selected"]
        assert painted_contrast(state["selected"][0]) >= AA_TEXT, state["selected"]


def test_switching_the_language_changes_lang_and_title(browser_page, app_server):
    page = browser_page("browser-a11y-switch", timeout_ms=EXPECT_TIMEOUT_MS)
    open_app(page, f"{app_server.url}/gradients?lang=en", timeout_ms=EXPECT_TIMEOUT_MS * 2)
    assert page_state(page)["title"] == "Gradients · Pooling Lab"
    for name, lang, title in (("中文", "zh-Hans", "梯度 · 池化实验室"),
                              ("English", "en", "Gradients · Pooling Lab")):
        page.locator(".st-key-lang button").filter(has_text=name).click()
        wait_for_idle(page, timeout_ms=EXPECT_TIMEOUT_MS)
        page.wait_for_function("title => document.title === title", arg=title,
                               timeout=EXPECT_TIMEOUT_MS)
        state = page_state(page)
        assert state["lang"] == lang and state["chooser"] == CHOOSER, state
        assert painted_contrast(state["selected"][0]) >= AA_TEXT, state["selected"]
    assert not exception_texts(page)


def test_projector_mode_captions_are_readable(browser_page, app_server):
    page = browser_page("browser-a11y-projector", timeout_ms=EXPECT_TIMEOUT_MS,
                        viewport={"width": 1024, "height": 768}, full_page=False)
    open_app(page, f"{app_server.url}/shapes?lang=zh&projector=1",
             timeout_ms=EXPECT_TIMEOUT_MS * 2)
    state = page_state(page)
    assert parse_px(page) > 16, "projector mode is on"
    assert state["title"] == "形状与代码 · 池化实验室" and state["lang"] == "zh-Hans"
    assert state["chooser"] == CHOOSER, "the collapsed sidebar's chooser is marked too"
    assert_headings_do_not_skip(state["headings"])
    assert_captions_readable(state["captions"], state["body"], fainter=False)
    assert not exception_texts(page)


def parse_px(page) -> float:
    return page.evaluate("() => parseFloat(getComputedStyle(document.documentElement).fontSize)")


def test_a_chinese_browser_and_a_zh_tw_link_open_the_chinese_page(browser_page, app_server):
    page = browser_page("browser-a11y-zh-tw", timeout_ms=EXPECT_TIMEOUT_MS, locale="zh-TW")
    open_app(page, f"{app_server.url}/compare", timeout_ms=EXPECT_TIMEOUT_MS * 2)
    state = page_state(page)
    assert state["title"] == "对比 · 池化实验室" and state["lang"] == "zh-Hans", state
    assert "lang=zh" in page.url, page.url

    page = browser_page("browser-a11y-zh-tw-link", timeout_ms=EXPECT_TIMEOUT_MS, locale="en-US")
    open_app(page, f"{app_server.url}/shapes?lang=zh-TW", timeout_ms=EXPECT_TIMEOUT_MS * 2)
    state = page_state(page)
    assert state["title"] == "形状与代码 · 池化实验室" and state["lang"] == "zh-Hans", state
    assert re.search(r"[?&]lang=zh(&|$)", page.url), page.url
    assert not page.locator('[data-testid="stAlert"]').count(), "no warning for zh-TW"
