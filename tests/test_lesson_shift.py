"""The shift page through AppTest: hand-worked changes, the link, photos, and the Chinese page.

Expected numbers are worked by hand from the inputs. The worked 4×4 grid shifted right by one
cell (circularly) reads ``[[4,1,3,2],[2,5,6,1],[1,7,2,8],[6,3,4,0]]``: its 2×2 maxima are
``[[5,6],[7,8]]`` against ``[[6,4],[7,8]]`` unshifted (2 of 4 cells change, by 1 and 2: mean
0.75), its averages ``[[3,3],[4.25,3.5]]`` against ``[[3.75,2.25],[4,3.75]]`` (all 4 change:
mean (0.75+0.75+0.25+0.25)/4 = 0.5). Left after aligning (the unshifted output moved by 0 or
by 1 output column, δ/s = 1/2, the closer kept): max moved by 1 reads ``[[4,6],[8,7]]``, off
by 1,0,1,1 — 0.75, no better than unmoved (0.75); average moved by 1 reads
``[[2.25,3.75],[3.75,4]]``, off by 0.75,0.75,0.5,0.5 — 0.625, worse than unmoved (0.5).
The row ``[0,0,1,1,0,0,1,1]`` is Zhang's (2019) example.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image
from test_ui_language import english_left
from ui_support import assert_no_bug, open_page

PAPER_ROW = ["0", "0", "1", "1", "0", "0", "1", "1"]


def type_the_paper_row(app) -> None:
    """The typed input ``[0,0,1,1,0,0,1,1]`` (one row of eight cells)."""
    app.session_state["in_source"] = "type"
    app.session_state["in_type_rows"] = 1
    app.session_state["in_type_cols"] = 8
    app.session_state["in_type_cells"] = [list(PAPER_ROW)]
    app.run()


def upload_big_photo(app) -> None:
    pixels = np.random.default_rng(5).integers(0, 256, size=(300, 400, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(buffer, "PNG")
    app.radio(key="in_source").set_value("upload").run()
    app.file_uploader(key="in_upload").set_value(("big.png", buffer.getvalue(), "image/png"))
    app.run()


def method_captions(app) -> dict[str, str]:
    """``{method label: "50% of cells changed, mean |Δ| 0.75"}`` from the captions under a
    grid's outputs (``**label** — text``)."""
    found = {}
    for caption in app.caption:
        head, _, rest = caption.value.partition(" — ")
        if head.startswith("**") and head.endswith("**") and rest:
            found[head.strip("*")] = rest
    return found


def test_the_worked_grid_shifted_by_one_cell_by_hand():
    app = open_page("shift", {"lang": "en"})
    assert_no_bug(app)
    captions = method_captions(app)
    assert captions["max pooling"] == \
        "50% of cells changed, mean |Δ| 0.75, left after aligning 0.75"
    assert captions["average pooling"] == \
        "100% of cells changed, mean |Δ| 0.5, left after aligning 0.5"
    assert set(captions) == {"max pooling", "average pooling", "BlurPool", "MaxBlurPool"}
    assert app.query_params["shift_by"] == "0x1"
    # no shift: nothing changes, for every method
    app.slider(key="shift_by_w").set_value(0).run()
    assert_no_bug(app)
    assert set(method_captions(app).values()) == \
        {"0% of cells changed, mean |Δ| 0, left after aligning 0"}
    assert app.query_params["shift_by"] == "0"


def test_the_papers_row_by_hand_and_a_blur_the_engine_refuses():
    app = open_page("shift", {"lang": "en", "kernel": "1x2"})
    type_the_paper_row(app)
    assert_no_bug(app)
    captions = method_captions(app)
    # [0,1,0,1] → [1,1,1,1]; averages [0,1,0,1] → [0.5,0.5,0.5,0.5]. Aligning by 0 or 1 output
    # cell ([0,1,0,1] or [1,0,1,0]) leaves every cell 1 off (max) or 0.5 off (average), on two or
    # on four cells: 0.5 both, all of the change is aliasing
    assert captions["max pooling"] == "50% of cells changed, mean |Δ| 0.5, left after aligning 0.5"
    assert captions["average pooling"] == \
        "100% of cells changed, mean |Δ| 0.5, left after aligning 0.5"
    # one row cannot be reflect-padded by one cell: both blurs are refused, with the reason
    refusals = [w.value for w in app.warning if "cannot pool this input" in w.value]
    assert len(refusals) == 2, refusals
    assert all("needs an input height of at least 2; got 1" in text for text in refusals)
    assert not app.get("slider") or "shift_by_h" not in [s.key for s in app.slider]
    # filter size 1: BlurPool keeps every 2nd cell ([0,1,0,1] → [1,0,1,0]); MaxBlurPool is max
    app.selectbox(key="shift_filter").set_value(1).run()
    assert_no_bug(app)
    captions = method_captions(app)
    # ... and [1,0,1,0] is [0,1,0,1] moved by one output cell: all the change is motion
    assert captions["BlurPool"] == "100% of cells changed, mean |Δ| 1, left after aligning 0"
    assert captions["MaxBlurPool"] == \
        "50% of cells changed, mean |Δ| 0.5, left after aligning 0.5"
    assert app.query_params["shift_filter"] == "1"


def test_a_link_sets_the_page_and_stays_in_the_link():
    query = {"lang": "en", "input": "stripes", "input_size": "8", "shift_by": "1x1",
             "shift_filter": "5", "shift_dir": "down"}
    app = open_page("shift", query)
    assert_no_bug(app)
    assert not app.warning
    assert app.slider(key="shift_by_h").value == 1 and app.slider(key="shift_by_w").value == 1
    assert app.selectbox(key="shift_filter").value == 5
    assert app.radio(key="shift_dir").value == "down"
    assert {name: app.query_params[name] for name in ("shift_by", "shift_filter", "shift_dir")} \
        == {"shift_by": "1", "shift_filter": "5", "shift_dir": "down"}  # 1x1 written as 1
    assert "shift_sub" not in app.query_params  # a grid has no sub-cell shift
    assert app.get("plotly_chart")


def test_bad_link_values_warn_and_use_the_defaults():
    app = open_page("shift", {"lang": "en", "shift_by": "2", "shift_filter": "8",
                              "shift_dir": "up"})
    assert_no_bug(app)
    warnings = " | ".join(w.value for w in app.warning)
    assert "shift_by='2'" in warnings and "between 0 and 1" in warnings
    assert "shift_filter='8'" in warnings and "shift_dir='up'" in warnings
    assert app.slider(key="shift_by_w").value == 1 and app.selectbox(key="shift_filter").value == 3
    assert app.query_params["shift_dir"] == "right"


def test_a_narrower_stride_keeps_the_shift_in_range():
    app = open_page("shift", {"lang": "en"})
    app.number_input(key="p_kernel_w").set_value(1).run()  # stride = kernel = 2×1
    assert_no_bug(app)
    assert "shift_by_w" not in [slider.key for slider in app.slider]
    assert app.query_params["shift_by"] == "0"
    assert any("Shifted by 0 cell(s) down and 0 right" in h.value for h in app.header)
    # right is now a stride of 1: nothing to sweep that way
    assert any("Along this direction the stride is 1" in i.value for i in app.info)


def test_a_photo_takes_a_sub_cell_shift_and_a_big_one_is_cropped():
    app = open_page("shift", {"lang": "en", "input": "photo", "shift_sub": "0.5"})
    assert_no_bug(app)
    assert app.select_slider(key="shift_sub").value == 0.5
    assert any("1.5 right" in h.value for h in app.header)
    assert len(app.get("image")) >= 10  # input, shifted, 4 outputs, 4 changes
    assert app.query_params["shift_sub"] == "0.5"
    upload_big_photo(app)
    assert_no_bug(app)
    assert any("This photo is 300×400" in i.value and "centre 256×256 crop" in i.value
               for i in app.info)


def test_a_bad_sub_cell_shift_in_a_link_warns():
    app = open_page("shift", {"lang": "en", "input": "photo", "shift_sub": "0.3"})
    assert_no_bug(app)
    assert any("shift_sub='0.3'" in w.value for w in app.warning)
    assert app.select_slider(key="shift_sub").value == 0.0


def paper_row_zh(app):
    type_the_paper_row(app)


def big_photo_zh(app):
    upload_big_photo(app)


ZH_STATES = [
    ({}, None),
    ({"kernel": "1x2"}, paper_row_zh),
    ({"input": "photo", "shift_sub": "0.25", "shift_dir": "diagonal"}, None),
    ({}, big_photo_zh),
    ({"input": "stripes", "input_size": "12", "kernel": "3", "stride": "2", "shift_filter": "5",
      "shift_by": "1x1"}, None),
    ({"shift_by": "7", "shift_filter": "x", "shift_dir": "up"}, None),
    ({"stride": "1"}, None),
]


def test_the_chinese_page_has_no_english_left_in_any_state():
    for query, action in ZH_STATES:
        app = open_page("shift", {**query, "lang": "zh"})
        if action is not None:
            action(app)
        assert_no_bug(app)
        assert english_left(app) == {}, query


def test_the_same_reading_finds_english_on_the_english_page():
    app = open_page("shift", {"lang": "en", "input": "photo"})
    assert len(english_left(app)) > 10


def test_the_sweep_plots_whats_left_after_aligning_by_hand():
    # Zhang's row, max and average with windows of 2 and stride 2, BlurPool and MaxBlurPool with
    # no blur (filter 1): at shift 1 max leaves 0.5 (worked in test_engine_blur), BlurPool (plain
    # subsampling: [0,1,0,1] → [1,0,1,0], the old output moved by one cell) leaves 0
    from pooling_ui.lessons import shift as lesson

    x = np.array([[[0, 0, 1, 1, 0, 0, 1, 1]] * 2], dtype=np.float32)
    kwargs = {"kernel_size": (1, 2), "stride": (1, 2)}
    setup = lesson.Setup({"kind": "max", **kwargs}, {"kind": "avg", **kwargs}, (1, 2), (1, 2), 1)
    shifts = ((0.0, 0.0), (0.0, 1.0))
    points = lesson.sweep("zhang-row-test", x, setup, shifts)
    assert [p.aligned for p in points["max"]] == [0.0, 0.5]
    assert [p.mean_abs for p in points["max"]] == [0.0, 0.5]
    assert [p.aligned for p in points["blur"]] == [0.0, 0.0]
    assert [p.mean_abs for p in points["blur"]] == [0.0, 1.0]
    figure = lesson.sweep_figure(list(shifts), points, "right")
    third = [trace for trace in figure.data if trace.xaxis == "x3"]
    assert [list(trace.y) for trace in third] == [[p.aligned for p in points[m]]
                                                  for m in points]
