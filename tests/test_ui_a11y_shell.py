"""The accessible shell, where no browser is needed: the language of a link or a browser, each
page's own title, headings that do not skip a level, and the theme colour's contrast.

The browser's side (``<html lang>``, ``document.title``, the computed colours) is in
tests/test_browser_a11y_shell.py. The contrast ratios are computed here with WCAG 2.1's own
formulas, written out below, not taken from the app.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from ui_support import PAGES, assert_no_bug, open_page

from pooling_ui.base.i18n import _first_language, _language_of, language_script
from pooling_ui.page import page_title

ROOT = Path(__file__).resolve().parents[1]
AA_TEXT = 4.5
WHITE = (255, 255, 255)
# Streamlit's light theme: the sidebar's background and the widgets' inside it (its defaults).
SIDEBAR = (0xF8, 0xF8, 0xF7)
SIDEBAR_WIDGET = (0xF1, 0xF0, 0xEE)
# Streamlit draws a selected option of st.segmented_control in the primary colour on a tint of
# it: rgba(primary, 0.1), and 0.2 under the mouse (measured in the browser).
SELECTED_TINTS = (0.1, 0.2)


def relative_luminance(rgb) -> float:
    """WCAG 2.1's relative luminance of an sRGB colour given as 0–255 channels."""
    def linear(channel: float) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (linear(channel) for channel in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first, second) -> float:
    """WCAG 2.1's contrast ratio ``(L1 + 0.05) / (L2 + 0.05)``, the lighter over the darker."""
    light, dark = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def over(colour, background, alpha: float):
    """``colour`` at opacity ``alpha`` painted over an opaque ``background``."""
    return tuple(alpha * c + (1 - alpha) * b for c, b in zip(colour, background, strict=True))


def hex_rgb(text: str) -> tuple[int, int, int]:
    text = text.lstrip("#")
    return tuple(int(text[i:i + 2], 16) for i in (0, 2, 4))


def test_the_contrast_formula_on_known_pairs():
    # WCAG's extremes and two published pairs: black on white 21:1, #767676 on white 4.54:1
    # (the lightest grey that passes AA), Streamlit's own light primary #c53948 on white 5.18:1.
    assert contrast((0, 0, 0), WHITE) == pytest.approx(21.0)
    assert contrast(WHITE, WHITE) == pytest.approx(1.0)
    assert contrast(hex_rgb("#767676"), WHITE) == pytest.approx(4.54, abs=0.01)
    assert contrast(hex_rgb("#c53948"), WHITE) == pytest.approx(5.18, abs=0.01)


def test_the_theme_primary_colour_passes_aa_where_streamlit_draws_text_with_it():
    with open(ROOT / ".streamlit" / "config.toml", "rb") as file:
        config = tomllib.load(file)
    primary = hex_rgb(config["theme"]["light"]["primaryColor"])
    # Streamlit's default failed where our language chooser shows it: 4.23:1.
    default = hex_rgb("#c53948")
    assert contrast(default, over(default, SIDEBAR, SELECTED_TINTS[0])) < AA_TEXT
    assert contrast(primary, WHITE) >= AA_TEXT            # links/text in primary on the page
    assert contrast(WHITE, primary) >= AA_TEXT            # white text on a primary button
    for background in (WHITE, SIDEBAR, SIDEBAR_WIDGET):   # a selected segmented option
        for tint in SELECTED_TINTS:
            assert contrast(primary, over(primary, background, tint)) >= AA_TEXT, (background, tint)


def test_a_chinese_tag_of_any_region_or_script_means_chinese():
    for text in ("zh", "ZH", " zh ", "zh-TW", "zh-Hans", "zh-Hant-HK", "zh_CN", "zh_TW.UTF-8"):
        assert _language_of(text) == "zh", text
    for text in ("en", "en-GB", "EN_us"):
        assert _language_of(text) == "en", text
    for text in ("fr", "de-DE", "", "-", "zhx", "z", "中文"):
        assert _language_of(text) is None, text
    assert _first_language(None, "zh-TW") == "zh"           # the browser's language
    assert _first_language("fr", "zh-TW") == "zh"           # a bad link falls back to it
    assert _first_language("zh-TW", "en-US") == "zh"        # the link outranks the browser
    assert _first_language(None, None) == "en"


@pytest.mark.parametrize("value", ["zh-TW", "zh-Hans", "zh_CN"])
def test_a_link_with_a_chinese_tag_opens_the_chinese_page_and_is_written_back_as_zh(value):
    app = open_page("explorer", {"lang": value})
    assert_no_bug(app)
    assert [title.value for title in app.title] == ["池化实验室 — 探索"]
    assert not app.warning, [warning.value for warning in app.warning]
    assert app.query_params["lang"] == "zh"


def test_a_link_with_a_language_we_do_not_have_still_warns():
    app = open_page("explorer", {"lang": "fr-CA"})
    assert any("lang='fr-CA'" in warning.value for warning in app.warning)
    assert app.query_params["lang"] == "en"


def test_the_language_script_declares_the_right_tags():
    chinese, english = language_script("zh"), language_script("en")
    assert 'document.documentElement.lang = "zh-Hans"' in chinese
    assert 'document.documentElement.lang = "en"' in english
    for script in (chinese, english):  # the chooser's own words carry their own language
        assert '"中文": "zh-Hans"' in script and '"English": "en"' in script


# Written out by hand from the catalogue's navigation names (not computed from it).
TITLES = {
    "en": {"explorer": "Explorer · Pooling Lab", "gradients": "Gradients · Pooling Lab",
           "compare": "Compare · Pooling Lab", "shapes": "Shapes & code · Pooling Lab",
           "conv": "Conv → ReLU → pool · Pooling Lab", "shift": "Shift invariance · Pooling Lab",
           "pool1d": "1-D pooling · Pooling Lab", "quiz": "Quiz · Pooling Lab",
           "live": "Live class · Pooling Lab"},
    "zh": {"explorer": "探索 · 池化实验室", "gradients": "梯度 · 池化实验室",
           "compare": "对比 · 池化实验室", "shapes": "形状与代码 · 池化实验室",
           "conv": "卷积 → ReLU → 池化 · 池化实验室", "shift": "平移不变性 · 池化实验室",
           "pool1d": "一维池化 · 池化实验室", "quiz": "测验 · 池化实验室",
           "live": "课堂直播 · 池化实验室"},
}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_page_has_its_own_title(lang):
    assert set(TITLES[lang]) == set(PAGES)
    assert {name: page_title(name, lang) for name in PAGES} == TITLES[lang]


@pytest.mark.parametrize("page", list(PAGES))
def test_a_page_has_one_title_and_section_headings_one_level_below(page):
    """Streamlit's st.title is an h1, st.header an h2, st.subheader an h3: below the page's one
    h1, a section is an h2 (no h3 straight after the h1; the browser test checks the order)."""
    app = open_page(page, {"lang": "en"})
    assert_no_bug(app)
    assert len(app.title) == 1
    assert len(app.subheader) == 0, [heading.value for heading in app.subheader]
