"""Projector mode: the link and the sidebar switch turn it on, and figures are planned for 1024 px.

The reference is the projector itself, not our figure code: a 1024-px-wide screen with the
sidebar collapsed leaves at most 1024 − 2 × 24 (the main area's padding in projector mode) −
16 (a classic scrollbar) = 960 px for a figure, and a number projected for a room must be at
least 18 px. The size plotly gives a heatmap's numbers is worked out from the figure's JSON the
way plotly.js does it (the longest text fits the cell at 0.65 em a character and 1.3 em a line,
never above the layout's font size), as tests/test_ui_figures.py does for the normal profile.
"""

from __future__ import annotations

import json
import re

from streamlit.testing.v1 import AppTest
from test_ui_language import english_left
from ui_support import assert_no_bug, open_page

SCREEN_PX = 1024
PROJECTOR_CONTENT_PX = SCREEN_PX - 2 * 24 - 16
READABLE_PX = 18
WORKED = {"input": "worked4x4"}
# Projector mode's style sheet (an st.html block holding only <style>) is CSS, not prose.
STYLE_ONLY = re.compile(r"\s*<style>[^<]*</style>\s*")


def figures(app: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in app.get("plotly_chart")]


def cell_px_of(fig: dict) -> float:
    layout = fig["layout"]
    x0, x1 = layout["xaxis"]["range"]
    return (layout["width"] - layout["margin"]["l"] - layout["margin"]["r"]) / (x1 - x0)


def plotly_auto_font_px(fig: dict, trace: dict) -> float:
    if trace.get("textfont", {}).get("size"):  # set by the figure: plotly takes it as it is
        return trace["textfont"]["size"]
    room = cell_px_of(fig) - trace.get("xgap", 0)
    longest = max(len(text) for row in trace["text"] for text in row)
    return min(room // (longest * 0.65), room // 1.3, fig["layout"]["font"]["size"])


def printed_heatmaps(fig: dict) -> list[dict]:
    return [trace for trace in fig["data"]
            if trace.get("type") == "heatmap" and trace.get("texttemplate") == "%{text}"]


def annotation_sizes(fig: dict) -> list[float]:
    return [a["font"]["size"] for a in fig["layout"].get("annotations", [])]


def prose_left(app: AppTest) -> dict[str, list[str]]:
    """:func:`english_left` without the style sheet."""
    return {text: words for text, words in english_left(app).items()
            if not STYLE_ONLY.fullmatch(text)}


def assert_fits_a_projector(app: AppTest, *, numbers_printed: bool) -> None:
    figs = figures(app)
    assert figs
    for fig in figs:
        assert fig["layout"]["width"] <= PROJECTOR_CONTENT_PX, fig["layout"]["width"]
        for trace in printed_heatmaps(fig):
            assert plotly_auto_font_px(fig, trace) >= READABLE_PX, trace["name"]
    if numbers_printed:
        assert all(printed_heatmaps(fig) for fig in figs
                   if any(t.get("type") == "heatmap" for t in fig["data"]))


def test_the_link_turns_projector_mode_on_and_keeps_it_in_the_link():
    app = open_page("explorer", {"lang": "en", "projector": "1", **WORKED})
    assert_no_bug(app)
    assert app.toggle(key="display_projector").value is True
    assert app.query_params.get("projector") == "1"
    # the 4×4 board example and its 2×2 output: every number printed, big enough for a room
    assert_fits_a_projector(app, numbers_printed=True)


def test_projector_figures_are_bigger_than_normal_ones_and_fill_the_screen():
    normal = figures(open_page("explorer", {"lang": "en", **WORKED}))
    projector = figures(open_page("explorer", {"lang": "en", "projector": "1", **WORKED}))
    assert len(normal) == len(projector) >= 2
    for small, big in zip(normal, projector, strict=True):
        assert cell_px_of(big) > cell_px_of(small)
        assert big["layout"]["font"]["size"] > small["layout"]["font"]["size"]
        assert min(annotation_sizes(big)) >= READABLE_PX > max(annotation_sizes(small))
        assert big["layout"]["width"] > small["layout"]["width"]
        thickest = max(shape["line"]["width"] for shape in big["layout"]["shapes"])
        assert thickest > max(shape["line"]["width"] for shape in small["layout"]["shapes"])


def test_a_twelve_cell_grid_keeps_its_numbers_readable():
    app = open_page("explorer", {"lang": "en", "projector": "1", "input": "random",
                                 "input_size": "12"})
    assert_no_bug(app)
    assert_fits_a_projector(app, numbers_printed=True)


def test_the_switch_writes_the_link_and_back():
    app = open_page("gradients", {"lang": "en", **WORKED})
    assert "projector" not in app.query_params
    normal_widths = [fig["layout"]["width"] for fig in figures(app)]
    app.toggle(key="display_projector").set_value(True).run()
    assert_no_bug(app)
    assert app.query_params.get("projector") == "1"
    assert_fits_a_projector(app, numbers_printed=True)
    assert [fig["layout"]["width"] for fig in figures(app)] != normal_widths
    app.toggle(key="display_projector").set_value(False).run()
    assert "projector" not in app.query_params
    assert [fig["layout"]["width"] for fig in figures(app)] == normal_widths


def test_a_bad_value_in_the_link_warns_and_uses_normal_mode():
    app = open_page("explorer", {"lang": "en", "projector": "beamer", **WORKED})
    assert_no_bug(app)
    assert app.toggle(key="display_projector").value is False
    warnings = [w.value for w in app.warning if "projector='beamer'" in w.value]
    assert warnings and "expected true or false" in warnings[0]
    # the warning goes when the user makes a choice
    app.toggle(key="display_projector").set_value(True).run()
    assert not [w.value for w in app.warning if "beamer" in w.value]


def test_projector_mode_in_chinese_has_no_english_left():
    app = open_page("explorer", {"lang": "zh", "projector": "1", **WORKED})
    assert_no_bug(app)
    assert prose_left(app) == {}
    assert app.toggle(key="display_projector").label == "投影模式"
    bad = open_page("compare", {"lang": "zh", "projector": "beamer", **WORKED})
    assert_no_bug(bad)
    assert any("projector='beamer'" in w.value for w in bad.warning)
    assert prose_left(bad) == {}
    english = open_page("explorer", {"lang": "en", "projector": "1", **WORKED})
    assert prose_left(english), "the check can fail: English pages have English"
