"""The Conv → ReLU → pool lesson page through AppTest, in English and 简体中文.

Expected numbers are worked by hand from the worked 4×4 example
``[[1, 3, 2, 4], [5, 6, 1, 2], [7, 2, 8, 1], [3, 4, 0, 6]]`` and from the receptive-field rule
(a range ``lo..hi`` of a layer's output reads ``lo·s − p .. hi·s − p + d·(k − 1)`` of its input).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from test_ui_figures import array
from test_ui_language import english_left
from ui_support import assert_no_bug, open_page

from pooling_ui.lessons.conv import FilterTextError, lesson_plane, parse_filter_text
from pooling_ui.panels.inputs import FeatureMap


def figures(app) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in app.get("plotly_chart")]


def lesson_maps(app) -> dict[str, np.ndarray]:
    """The lesson's heatmaps by their title (the first annotation of each lesson figure)."""
    found = {}
    for figure in figures(app):
        annotations = figure["layout"].get("annotations", [])
        # (transparent heatmaps that only print numbers, in black or white, are skipped)
        heatmaps = [trace for trace in figure["data"] if trace["type"] == "heatmap"
                    and trace.get("hoverinfo") != "skip"]
        if annotations and len(heatmaps) == 1 and trace_is_lesson(figure):
            found[annotations[0]["text"]] = array(heatmaps[0]["z"])
    return found


def trace_is_lesson(figure: dict) -> bool:
    return any(trace.get("name") == "map" for trace in figure["data"])


def field_line(app) -> str:
    lines = [m.value for m in app.markdown if m.value.startswith(("Cell [", "最后一张图的单元"))]
    assert len(lines) == 1, [m.value for m in app.markdown]
    return lines[0]


def test_default_two_stages_and_their_receptive_field():
    app = open_page("conv")
    assert_no_bug(app)
    # defaults: conv3 pad 1 → ReLU → max 2×2 s2 → conv3 pad 1 → ReLU → max 2×2 s2 on 4×4:
    # shapes 4×4 → 2×2 → 2×2 → 1×1; going back from cell 0: pool [0,1], conv [-1,2],
    # pool [-2,5], conv [-3,6]; r = 1 + 2·1 + 1·1 + 2·2 + 1·2 = 10
    assert field_line(app) == ("Cell [0, 0] of the last map depends on input rows -3..6 and "
                               "columns -3..6: a receptive field of **10×10** cells.")
    titles = set(lesson_maps(app))
    assert {"Input 4×4", "Conv 1: 4×4", "ReLU 1: 4×4", "Pooled 1: 2×2", "Conv 2: 2×2",
            "Pooled 2: 1×1"} <= titles
    latex = " ".join(element.value for element in app.get("latex"))
    assert "= 1 + 2\\cdot1 + 1\\cdot1 + 2\\cdot2 + 1\\cdot2 = 10" in latex
    assert english_left(app)  # the language check can fail on this page
    assert app.query_params["conv_filter"] == "sobel_x"
    assert app.query_params["conv_stages"] == "2"


def test_relu_toggle_and_filter_change_the_numbers():
    app = open_page("conv", {"conv_stages": "1", "conv_pad": "false", "conv_relu": "false"})
    assert_no_bug(app)
    # Sobel x, no padding, on the worked 4×4: e.g. top-left window [[1,3,2],[5,6,1],[7,2,8]]
    # gives −1+2 −10+2 −7+8 = −6; the others −8, −5, −4. Max pooling 2×2 of that: −4.
    maps = lesson_maps(app)
    assert np.array_equal(maps["Conv 1: 2×2"], [[-6, -8], [-5, -4]])
    assert np.array_equal(maps["Pooled 1: 1×1"], [[-4]])
    app.toggle(key="conv_relu").set_value(True).run()
    maps = lesson_maps(app)
    assert np.array_equal(maps["ReLU 1: 2×2"], np.zeros((2, 2)))  # every response negative
    assert np.array_equal(maps["Pooled 1: 1×1"], [[0]])
    # the identity filter keeps the centre 2×2 [[6, 1], [2, 8]]; its max is 8
    app.selectbox(key="conv_filter").set_value("identity").run()
    assert np.array_equal(lesson_maps(app)["Pooled 1: 1×1"], [[8]])
    assert app.query_params["conv_filter"] == "identity"


def test_picking_a_cell_moves_the_field():
    app = open_page("conv", {"input": "checkerboard", "input_size": "32"})
    assert_no_bug(app)
    # 32 → 32 → 16 → 16 → 8; cell (2, 3): rows 2·4 − 3 = 5 .. 5 + 9 = 14, columns 9..18
    app.number_input(key="conv_cell_row").set_value(2).run()
    app.number_input(key="conv_cell_col").set_value(3).run()
    assert "rows 5..14 and columns 9..18" in field_line(app)
    assert app.query_params["conv_cell"] == "2,3"
    last = [figure for figure in figures(app) if any(trace.get("name") == "pick"
                                                      for trace in figure["data"])]
    assert len(last) == 1  # the last map can be clicked


def test_typed_filter_with_a_bad_cell_keeps_the_text():
    app = open_page("conv", {"lang": "zh"})
    app.selectbox(key="conv_filter").set_value("typed").run()
    bad = "1 0 -1\n2 0 zwei\n1 0 -1"
    app.text_area(key="conv_typed").set_value(bad).run()
    assert_no_bug(app)
    errors = [error.value for error in app.error]
    assert any("第 2 行第 3 列：'zwei' 不是数字" in error for error in errors), errors
    assert app.text_area(key="conv_typed").value == bad
    assert english_left(app) == {}
    app.text_area(key="conv_typed").set_value("0 0 0\n0 2 0\n0 0 0").run()
    assert not app.error
    # twice the identity: the typed filter is in the link as rows
    assert app.query_params["conv_filter"] == "0,0,0;0,2,0;0,0,0"


def test_bad_link_values_warn_and_use_the_defaults():
    app = open_page("conv", {"conv_filter": "sobel", "conv_relu": "maybe", "conv_stages": "3",
                             "conv_cell": "a,b", "conv_channel": "alpha"})
    assert_no_bug(app)
    warnings = " | ".join(warning.value for warning in app.warning)
    for name in ("conv_filter='sobel'", "conv_relu='maybe'", "conv_stages='3'",
                 "conv_cell='a,b'", "conv_channel='alpha'"):
        assert name in warnings, warnings
    assert app.selectbox(key="conv_filter").value == "sobel_x"
    assert app.toggle(key="conv_relu").value is True
    assert app.toggle(key="conv_second").value is True


@pytest.mark.parametrize("query", [
    {},
    {"input": "photo", "conv_channel": "luma"},
    {"conv_stages": "1", "conv_relu": "false", "conv_filter": "gabor"},
    {"conv_filter": "sobel", "conv_cell": "x"},
    {"conv_pad": "false"},  # the second stage has no room: an engine message, in Chinese
])
def test_chinese_pages_have_no_english_left(query):
    app = open_page("conv", {**query, "lang": "zh"})
    assert_no_bug(app)
    assert english_left(app) == {}


def test_a_stage_without_room_says_so():
    app = open_page("conv", {"conv_pad": "false"})
    assert_no_bug(app)
    # 4×4 → conv3 → 2×2 → pool 2 → 1×1: a 3×3 filter no longer fits in stage 2
    errors = " ".join(error.value for error in app.error)
    assert "Stage 2 cannot be computed" in errors and "output height would be −1" in errors


def test_a_12_megapixel_photo_is_shrunk_for_the_lesson():
    data = np.zeros((3, 3000, 4000), np.float32)
    data[0] = 255  # pure red: luma 0.299·255 = 76.245
    fm = FeatureMap(data, "upload", "phone", True, ("R", "G", "B"))
    plane, factor = lesson_plane(fm, "luma")
    # the smallest f with 4000 / f ≤ 384 is 11 (10 gives 400); 3000 // 11 = 272, 4000 // 11 = 363
    assert factor == 11 and plane.shape == (272, 363)
    assert np.allclose(plane, 76.245, atol=1e-3)
    red, _ = lesson_plane(fm, "R")
    assert np.allclose(red, 255)


def test_parse_filter_text():
    assert parse_filter_text("1,2,3;4 5 6\n7 8 9").tolist() == [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    for text, words in (("1 2 3\n4 5 6", "3 rows"), ("1 2 3\n4 5\n7 8 9", "row 2 needs 3"),
                        ("1 2 3\n4 5 6\n7 8 inf", "'inf' is not a number")):
        with pytest.raises(FilterTextError, match=words):
            parse_filter_text(text)
