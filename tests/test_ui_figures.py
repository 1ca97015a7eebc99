"""The figures the pages send to the browser, read back from their JSON (frames included).

Two kinds of reference, never our view code compared with itself:

* hand-worked numbers for the 4×4 example a teacher writes on the board (2×2 windows, stride 2):
  max → [[6, 4], [7, 8]], average → [[3.75, 2.25], [4, 3.75]], the winning cells, the gradients;
* the engine's own windows (``pooling_core.window_geometry``) and outputs: the figure must draw
  exactly the windows the engine pools over, step by step. (The engine is itself checked against
  PyTorch in the engine tests.)
"""

from __future__ import annotations

import base64
import json
import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest
from ui_support import formulas, open_page

import pooling_core as pc
from pooling_ui.figures.grids import rect_path

WORKED = np.array([[1, 3, 2, 4], [5, 6, 1, 2], [7, 2, 8, 1], [3, 4, 0, 6]], dtype=np.float32)


# -- helpers -------------------------------------------------------------------------------


def run_page(page: str, query: dict | None = None) -> AppTest:
    app = open_page(page, query)
    assert not app.exception, [e.value for e in app.exception]
    return app


def figures(app: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in app.get("plotly_chart")]


def animation_figure(app: AppTest) -> dict:
    animated = [fig for fig in figures(app) if fig.get("frames")]
    assert len(animated) == 1, "the Explorer has exactly one animated figure"
    return animated[0]


def array(value) -> np.ndarray:
    """A plotly array from the JSON: a list, or a base64 typed array (``bdata``)."""
    if isinstance(value, dict) and "bdata" in value:
        flat = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        shape = value.get("shape")
        if shape:
            dims = shape if isinstance(shape, list) else str(shape).split(",")
            flat = flat.reshape([int(d) for d in dims])
        return flat.astype(np.float64)
    return np.array(value, dtype=np.float64)


def heatmap(fig: dict, name: str) -> dict:
    matches = [t for t in fig["data"] if t.get("type") == "heatmap" and t.get("name") == name]
    assert len(matches) == 1, f"one heatmap named {name!r}"
    return matches[0]


def parse_rect_paths(path: str) -> list[tuple[float, float, float, float]]:
    """Rectangles ``(left, top, right, bottom)`` of a path made by
    :func:`pooling_ui.figures.grids.rect_path` (its inverse: figures read back from their JSON)."""
    rects = []
    for part in path.split("M")[1:]:
        if "H" not in part:
            continue
        start, rest = part.split("H", 1)
        left, top = (float(v) for v in start.split(","))
        right, rest = rest.split("V", 1)
        bottom = rest.split("H", 1)[0]
        rects.append((left, top, float(right), float(bottom)))
    return rects


def rect_cells(rect: tuple[float, float, float, float]) -> list[tuple[int, int]]:
    """The ``(row, col)`` cells a rectangle of :func:`parse_rect_paths` covers."""
    left, top, right, bottom = rect
    rows = range(round(top), round(bottom))
    cols = range(round(left), round(right))
    return [(r, c) for r in rows for c in cols]


def test_rect_paths_read_back_as_drawn():
    # rows 1..3, columns 2..5: left 2, top 1, right 5, bottom 3
    assert parse_rect_paths(rect_path(1, 2, 3, 5)) == [(2.0, 1.0, 5.0, 3.0)]
    assert rect_cells((2.0, 1.0, 4.0, 2.0)) == [(1, 2), (1, 3)]


def cells_of(path: str) -> set[tuple[int, int]]:
    """Cells (row, col in figure coordinates) covered by the rectangles of a path."""
    return {cell for rect in parse_rect_paths(path) for cell in rect_cells(rect)}


def grid_origin(trace: dict) -> tuple[int, int]:
    """(row, col) in figure coordinates of a heatmap's cell (0, 0): cells are unit squares."""
    return round(trace.get("y0", 0) - 0.5), round(trace.get("x0", 0) - 0.5)


def split_window_path(fig: dict, path: str):
    """The window's input cells and the highlighted output cell (in grid coordinates)."""
    out_row0, out_col0 = grid_origin(heatmap(fig, "y"))
    cells = cells_of(path)
    inputs = {(r, c) for r, c in cells if c < out_col0}
    outputs = {(r - out_row0, c - out_col0) for r, c in cells if c >= out_col0}
    return inputs, outputs


def explanation(app: AppTest) -> str:
    codes = formulas(app)
    assert len(codes) == 1, codes
    return codes[0]


def caption_cell(text: str) -> tuple[int, int]:
    match = re.match(r"y\[(\d+),(\d+)\]", text)
    assert match, text
    return int(match.group(1)), int(match.group(2))


# -- the worked 4×4 example, by hand ---------------------------------------------------------

MAX_STEPS = [
    "y[0,0] = max(1, 3, 5, 6) = 6",
    "y[0,1] = max(2, 4, 1, 2) = 4",
    "y[1,0] = max(7, 2, 3, 4) = 7",
    "y[1,1] = max(8, 1, 0, 6) = 8",
]
AVG_STEPS = [
    "y[0,0] = (1 + 3 + 5 + 6)/4 = 3.75",
    "y[0,1] = (2 + 4 + 1 + 2)/4 = 2.25",
    "y[1,0] = (7 + 2 + 3 + 4)/4 = 4",
    "y[1,1] = (8 + 1 + 0 + 6)/4 = 3.75",
]
# Winning cell of each 2×2 window, found by eye: 6 at (1,1), 4 at (0,3), 7 at (2,0), 8 at (2,2).
MAX_WINNERS = [(1, 1), (0, 3), (2, 0), (2, 2)]


@pytest.mark.parametrize(("kind", "steps", "output"), [
    ("max", MAX_STEPS, [[6, 4], [7, 8]]),
    ("avg", AVG_STEPS, [[3.75, 2.25], [4, 3.75]]),
])
def test_worked_example_arithmetic_step_by_step(kind, steps, output):
    app = run_page("explorer", {"input": "worked4x4", "kind": kind})
    fig = animation_figure(app)
    np.testing.assert_array_equal(array(heatmap(fig, "x")["z"]), WORKED)
    np.testing.assert_array_equal(array(heatmap(fig, "y")["z"]), output)
    for step, expected in enumerate(steps):
        app.selectbox(key="anim_step").set_value(step).run()
        assert explanation(app) == expected
    assert "Shape: 1×4×4 → 1×2×2" in [m.value for m in app.markdown]


def test_worked_example_frames_show_each_window_winner_and_value():
    fig = animation_figure(run_page("explorer", {"input": "worked4x4"}))
    windows = [
        {(0, 0), (0, 1), (1, 0), (1, 1)}, {(0, 2), (0, 3), (1, 2), (1, 3)},
        {(2, 0), (2, 1), (3, 0), (3, 1)}, {(2, 2), (2, 3), (3, 2), (3, 3)},
    ]
    frames = fig["frames"]
    assert len(frames) == 4
    for step, frame in enumerate(frames):
        window_shape, winner_shape = frame["layout"]["shapes"][1], frame["layout"]["shapes"][2]
        inputs, outputs = split_window_path(fig, window_shape["path"])
        assert inputs == windows[step]
        assert outputs == {divmod(step, 2)}
        assert cells_of(winner_shape["path"]) == {MAX_WINNERS[step]}
        value = MAX_STEPS[step].rsplit("= ", 1)[1]
        assert frame["layout"]["annotations"][0]["text"].endswith(f"= {value}")


def test_padding_shown_as_minus_infinity_for_max_and_zero_for_avg():
    app = run_page("explorer", {"input": "worked4x4", "padding": "1"})
    assert explanation(app) == "y[0,0] = max(−∞, −∞, −∞, 1) = 1"
    fig = animation_figure(app)
    pad_labels = {t for trace in fig["data"] if trace.get("name") == "padding"
                  for t in trace["text"]}
    assert pad_labels == {"−∞"}
    # 2×2 windows, stride 2, padding 1 on 4×4: windows start at -1, 1, 3 → a 3×3 output.
    assert array(heatmap(fig, "y")["z"]).shape == (3, 3)

    avg = run_page("explorer", {"input": "worked4x4", "padding": "1", "kind": "avg"})
    assert explanation(avg) == "y[0,0] = (0 + 0 + 0 + 1)/4 = 0.25"
    assert any("count_include_pad=True" in m.value for m in avg.markdown)

    inside = run_page("explorer", {"input": "worked4x4", "padding": "1", "kind": "avg",
                                            "count_include_pad": "false"})
    # Only x[0,0] = 1 is inside the first window: 1 / 1.
    assert explanation(inside).endswith("/1 = 1")
    assert any("only the cells inside the input count" in m.value for m in inside.markdown)


def test_ceil_mode_divisor_is_explained():
    # 5×5 ramp x[i, j] = i + j, 2×2 windows, stride 2, ceil_mode: the last window (rows 4..5,
    # cols 4..5) has one cell inside, x[4,4] = 8, and no padding to count: 8 / 1 = 8.
    app = run_page("explorer", {"input": "ramp", "input_size": "5", "ceil": "true"})
    app.selectbox(key="anim_step").set_value(8).run()
    assert explanation(app).endswith("= 8")
    app = run_page("explorer", {"input": "ramp", "input_size": "5", "ceil": "true",
                                         "kind": "avg"})
    app.selectbox(key="anim_step").set_value(8).run()
    assert explanation(app) == "y[2,2] = (8)/1 = 8"
    assert any("ceil_mode lets this window hang past" in m.value for m in app.markdown)


# -- every frame draws the engine's windows --------------------------------------------------

GEOMETRY_CASES = [
    {"input": "worked4x4"},
    {"input": "ramp", "input_size": "8", "kernel": "3", "stride": "1", "padding": "1"},
    {"input": "random", "input_size": "9", "kernel": "3x2", "stride": "2x1", "dilation": "2",
     "padding": "1"},
    {"input": "ramp", "input_size": "5", "ceil": "true"},
    {"input": "stripes", "input_size": "7", "kernel": "3", "stride": "2", "padding": "same",
     "kind": "avg"},
    {"input": "random", "input_size": "12", "kernel": "3", "stride": "1", "dilation": "3",
     "kind": "median"},
]


@pytest.mark.parametrize("query", GEOMETRY_CASES, ids=lambda q: "-".join(q.values()))
def test_every_frame_draws_the_engine_window_and_output_cell(query):
    app = run_page("explorer", query)
    fig = animation_figure(app)
    x = array(heatmap(fig, "x")["z"])
    y = array(heatmap(fig, "y")["z"])
    params = {"kernel_size": _pair(query.get("kernel", "2")),
              "stride": _pair(query.get("stride", query.get("kernel", "2"))),
              "padding": query.get("padding", "0") if query.get("padding") in ("same", "valid")
              else _pair(query.get("padding", "0")),
              "dilation": _pair(query.get("dilation", "1")),
              "ceil_mode": query.get("ceil") == "true"}
    geometry = pc.window_geometry(x.shape, **params)
    kind = query.get("kind", "max")
    expected_y = pc.pool2d(x.astype(np.float32), kind, **params)
    np.testing.assert_array_equal(y, expected_y)
    frames = fig["frames"]
    assert len(frames) == geometry.out_hw[0] * geometry.out_hw[1]
    visited = []
    for frame in frames:
        shapes = frame["layout"]["shapes"]
        inputs, outputs = split_window_path(fig, shapes[1]["path"])
        (cell,) = outputs
        assert caption_cell(frame["layout"]["annotations"][0]["text"]) == cell
        assert inputs == set(geometry.cells(*cell)), f"window of y{cell}"
        visited.append(cell)
    assert visited == [(r, c) for r in range(geometry.out_hw[0]) for c in range(geometry.out_hw[1])]
    # Before Play is pressed the figure shows the first step.
    assert fig["layout"]["shapes"][1]["path"] == frames[0]["layout"]["shapes"][1]["path"]


def test_dilated_window_is_drawn_as_its_sampled_cells_only():
    fig = animation_figure(run_page("explorer", {
        "input": "ramp", "input_size": "8", "kernel": "2", "stride": "1", "dilation": "3"}))
    inputs, _ = split_window_path(fig, fig["frames"][0]["layout"]["shapes"][1]["path"])
    # Taps at 0 and 0 + 3 on each axis: four separate cells, not the 4×4 block between them.
    assert inputs == {(0, 0), (0, 3), (3, 0), (3, 3)}


def test_mask_hides_exactly_the_outputs_not_computed_yet():
    fig = animation_figure(run_page("explorer", {"input": "ramp", "input_size": "6"}))
    out_row0, out_col0 = grid_origin(heatmap(fig, "y"))
    order = [(r, c) for r in range(3) for c in range(3)]
    for step, frame in enumerate(fig["frames"]):
        masked = {(r - out_row0, c - out_col0)
                  for r, c in cells_of(frame["layout"]["shapes"][0]["path"])}
        assert masked == set(order[step + 1:])


def test_max_winner_in_each_frame_is_the_engine_argmax():
    query = {"input": "random", "input_size": "10", "kernel": "3", "stride": "2", "padding": "1"}
    fig = animation_figure(run_page("explorer", query))
    x = array(heatmap(fig, "x")["z"]).astype(np.float32)
    _, indices = pc.pool2d(x, "max", kernel_size=3, stride=2, padding=1, return_indices=True)
    for frame in fig["frames"]:
        cell = caption_cell(frame["layout"]["annotations"][0]["text"])
        winner = divmod(int(indices[cell]), x.shape[1])
        assert cells_of(frame["layout"]["shapes"][2]["path"]) == {winner}


def _pair(text: str):
    parts = re.split(r"[x×,]", text)
    return (int(parts[0]), int(parts[-1]))


# -- size: frames carry only what changes ----------------------------------------------------


def test_400_frames_over_64x64_stay_under_200_kb():
    app = run_page("explorer",
                   {"input": "random", "input_size": "64", "stride": "1"})
    chart = next(c for c in app.get("plotly_chart") if json.loads(c.proto.spec).get("frames"))
    size = len(chart.proto.spec.encode())
    fig = json.loads(chart.proto.spec)
    # 63×63 = 3969 windows: a region of them is animated, as many as 200 KB holds: 400 frames
    # before the window and the winner got their contrast casings (each frame now carries their
    # paths twice, ~60 bytes more), about 330 since
    assert 300 <= len(fig["frames"]) <= 400
    assert any("region" in info.value for info in app.info)
    assert size < 200_000, f"{size} bytes"
    for frame in fig["frames"]:
        assert set(frame) == {"name", "layout"}, "a frame never re-sends trace data"
        assert set(frame["layout"]) == {"shapes", "annotations"}
        assert all(set(shape) == {"path"} for shape in frame["layout"]["shapes"])
    controls = fig["layout"]["updatemenus"][0]["buttons"] + fig["layout"]["sliders"][0]["steps"]
    assert all(button["args"][1]["frame"]["redraw"] is False for button in controls)
    durations = {b["args"][1]["frame"]["duration"]
                 for b in fig["layout"]["updatemenus"][0]["buttons"]}
    assert len(durations) >= 3, "play at several speeds (and pause)"


def test_dilated_64x64_animation_stays_under_200_kb_with_fewer_frames():
    app = run_page("explorer", {"input": "random", "input_size": "64", "stride": "1",
                                         "kernel": "3", "dilation": "3", "padding": "1"})
    chart = next(c for c in app.get("plotly_chart") if json.loads(c.proto.spec).get("frames"))
    assert len(chart.proto.spec.encode()) < 200_000
    assert 100 <= len(json.loads(chart.proto.spec)["frames"]) <= 400


# -- the other figures, by hand ---------------------------------------------------------------


def test_output_view_shows_the_hand_worked_output_beside_the_input():
    app = run_page("explorer", {"input": "worked4x4", "kind": "avg"})
    output_figures = [f for f in figures(app) if not f.get("frames")
                      and any(t.get("name") == "y" for t in f["data"])]
    assert output_figures
    fig = output_figures[0]
    np.testing.assert_array_equal(array(heatmap(fig, "x")["z"]), WORKED)
    np.testing.assert_array_equal(array(heatmap(fig, "y")["z"]), [[3.75, 2.25], [4, 3.75]])
    assert "Values: input 0 … 8  →  output 2.25 … 4" in [c.value for c in app.caption]


def gradient_figure(app: AppTest) -> dict:
    matches = [f for f in figures(app) if any(t.get("name") == "dL/dx" for t in f["data"])]
    assert len(matches) == 1
    return matches[0]


def test_max_gradient_goes_to_the_winners_and_overlaps_accumulate():
    app = run_page("gradients", {"input": "worked4x4"})
    grad = array(heatmap(gradient_figure(app), "dL/dx")["z"])
    expected = np.zeros((4, 4))
    for cell in MAX_WINNERS:
        expected[cell] = 1
    np.testing.assert_array_equal(grad, expected)
    # 3×3 windows, stride 1: all four windows of the 4×4 example contain the 8 at (2,2), so it
    # wins them all and collects all four gradients.
    app = run_page("gradients", {"input": "worked4x4", "kernel": "3", "stride": "1"})
    grad = array(heatmap(gradient_figure(app), "dL/dx")["z"])
    expected = np.zeros((4, 4))
    expected[2, 2] = 4
    np.testing.assert_array_equal(grad, expected)
    assert any("chosen by 4 windows" in c.value for c in app.caption)


def test_avg_gradient_spreads_a_quarter_and_a_picked_cell_shows_its_reach():
    app = run_page("gradients", {"input": "worked4x4", "kind": "avg"})
    np.testing.assert_array_equal(array(heatmap(gradient_figure(app), "dL/dx")["z"]),
                                  np.full((4, 4), 0.25))
    app.number_input(key="grad_row").set_value(1).run()
    app.number_input(key="grad_col").set_value(0).run()
    shapes = [s["path"] for s in gradient_figure(app)["layout"]["shapes"]]
    # The window of y[1,0] is rows 2..3 × cols 0..1; an average's gradient reaches all of it.
    assert {(2, 0), (2, 1), (3, 0), (3, 1)} in [cells_of(p) for p in shapes]
    assert any("reaches 4 input cell(s)" in c.value for c in app.caption)


def test_one_hot_upstream_reaches_only_the_winner():
    app = run_page("gradients", {"input": "worked4x4"})
    app.number_input(key="grad_row").set_value(1).run()
    app.number_input(key="grad_col").set_value(1).run()
    app.radio(key="grad_mode").set_value("onehot").run()
    grad = array(heatmap(gradient_figure(app), "dL/dx")["z"])
    expected = np.zeros((4, 4))
    expected[2, 2] = 1  # y[1,1] = 8 comes from x[2,2]
    np.testing.assert_array_equal(grad, expected)
    upstream = array(heatmap(gradient_figure(app), "dL/dy")["z"])
    np.testing.assert_array_equal(upstream, [[0, 0], [0, 1]])


def test_compare_numbers_for_the_worked_example():
    app = run_page("compare", {"input": "worked4x4"})
    table = app.dataframe[0].value
    rows = {row["kind"]: row for row in table.to_dict("records")}
    columns = {"receives": "inputs receiving gradient", "mean": "output mean",
               "std": "output std", "rmse": "RMSE after upsampling"}
    # max: outputs 6, 4, 7, 8 → mean 6.25, std √(8.75/4) = 1.4790; each output upsampled over
    # its 2×2 block leaves squared errors summing to 219 → RMSE √(219/16) = 3.6997; 4 of 16 cells
    # receive gradient. (Shown with four significant digits.)
    assert rows["max"][columns["receives"]] == "25.0%"
    assert rows["max"][columns["mean"]] == "6.25"
    assert rows["max"][columns["std"]] == "1.479"
    assert rows["max"][columns["rmse"]] == "3.7"
    # avg: 3.75, 2.25, 4, 3.75 → mean 3.4375, std √(1.921875/4) = 0.69316; squared errors sum
    # to 78.25 → RMSE √(78.25/16) = 2.2115; every cell receives gradient.
    assert rows["average"][columns["receives"]] == "100.0%"
    assert rows["average"][columns["mean"]] == "3.438"
    assert rows["average"][columns["std"]] == "0.6932"
    assert rows["average"][columns["rmse"]] == "2.211"


# -- readable on a projector: cell sizes, printed numbers, no stray axes ------------------------


def cell_px_of(fig: dict) -> float:
    """Screen pixels per cell of a grid figure, from its layout (width, margins, x range)."""
    layout = fig["layout"]
    x0, x1 = layout["xaxis"]["range"]
    plot_px = layout["width"] - layout["margin"]["l"] - layout["margin"]["r"]
    return plot_px / (x1 - x0)


def plotly_auto_font_px(fig: dict, trace: dict, cell_px: float) -> float:
    """The size plotly.js gives a heatmap's ``texttemplate`` numbers when ``textfont.size`` is
    unset (its heatmap/plot.js): the longest text must fit the cell at 0.65 em a character and
    1.3 em a line, and never exceeds the layout's font size."""
    texts = [text for row in trace["text"] for text in row]
    room = cell_px - trace.get("xgap", 0)
    longest = max(len(text) for text in texts)
    return min(room // (longest * 0.65), room // 1.3, fig["layout"]["font"]["size"])


def number_layers(fig: dict, trace: dict) -> list[dict]:
    """The transparent heatmaps that print a heatmap's numbers (one per text colour: black,
    white), over the same cells."""
    return [t for t in fig["data"] if t.get("type") == "heatmap" and t.get("texttemplate")
            and t.get("hoverinfo") == "skip" and t.get("x0") == trace.get("x0")
            and t.get("y0") == trace.get("y0") and len(t["text"]) == len(trace["text"])]


def printed_texts(fig: dict, trace: dict) -> list[list[str]]:
    """What is printed on each of a heatmap's cells (by itself or by its number layers)."""
    printed = [["" for _ in row] for row in trace["text"]]
    for layer in [trace] * bool(trace.get("texttemplate")) + number_layers(fig, trace):
        for r, row in enumerate(layer["text"]):
            for c, text in enumerate(row):
                if text:
                    assert not printed[r][c], "each number printed once"
                    printed[r][c] = text
    return printed


def test_worked_example_numbers_are_big_enough_for_a_projector():
    fig = animation_figure(run_page("explorer", {"input": "worked4x4"}))
    cell_px = cell_px_of(fig)
    assert cell_px >= 48, "a 4×4 grid gets big cells"
    for name in ("x", "y"):
        trace = heatmap(fig, name)
        assert printed_texts(fig, trace) == trace["text"], f"{name}: numbers printed"
        assert plotly_auto_font_px(fig, trace, cell_px) >= 20, name
        for layer in number_layers(fig, trace):  # printed at plotly's own size for the grid
            assert layer["textfont"]["size"] == plotly_auto_font_px(fig, trace, cell_px)


@pytest.mark.parametrize("query", [
    {"input": "worked4x4"},
    {"input": "checkerboard", "input_size": "8", "kind": "avg", "kernel": "3x2", "stride": "2",
     "padding": "1"},
    {"input": "random", "input_size": "16"},
    {"input": "checkerboard", "input_size": "24", "kind": "avg", "kernel": "3", "stride": "1"},
])
def test_numbers_are_printed_exactly_where_they_can_be_read(query):
    for fig in figures(run_page("explorer", query)):
        cell_px = cell_px_of(fig)
        for trace in fig["data"]:
            if trace.get("type") != "heatmap" or "text" not in trace \
                    or trace.get("hoverinfo") == "skip":
                continue
            size = plotly_auto_font_px(fig, trace, cell_px)
            texts = printed_texts(fig, trace)
            printed = texts == trace["text"]
            assert printed or not any(text for row in texts for text in row)
            # printed ⇔ at least 10 px; unprinted values are still shown on hover
            assert printed == (size >= 10), (trace["name"], size, cell_px)
            assert "%{text}" in trace["hovertemplate"]


def test_long_decimals_in_small_cells_are_hidden_not_shrunk():
    # 24×24 checkerboard, 3×3 average, stride 1: outputs like 0.4444 (6 characters) in a 22×22
    # grid beside a 24×24 one on a 940-px page: cells under 20 px cannot hold them at 10 px.
    fig = animation_figure(run_page("explorer", {
        "input": "checkerboard", "input_size": "24", "kind": "avg", "kernel": "3",
        "stride": "1"}))
    assert cell_px_of(fig) < 20
    output = heatmap(fig, "y")
    assert "texttemplate" not in output
    assert {"0.4444", "0.5556"} <= {t for row in output["text"] for t in row}


def test_grid_figures_have_no_axes_and_fixed_square_cells():
    pages = [("explorer", {"input": "worked4x4", "padding": "1"}),
             ("gradients", {"input": "worked4x4"}),
             ("compare", {"input": "worked4x4"})]
    for page, query in pages:
        for fig in figures(run_page(page, query)):
            layout = fig["layout"]
            assert layout["xaxis"]["visible"] is False and layout["yaxis"]["visible"] is False
            # the figure is sent at the size its cells need: rows as tall as columns are wide
            y1, y0 = layout["yaxis"]["range"]
            plot_h = layout["height"] - layout["margin"]["t"] - layout["margin"]["b"]
            assert abs(plot_h / (y1 - y0) - cell_px_of(fig)) < 1, page


def test_play_buttons_and_step_slider_have_rows_of_their_own():
    layout = animation_figure(run_page("explorer", {"input": "worked4x4"}))["layout"]
    buttons, slider = layout["updatemenus"][0], layout["sliders"][0]
    # both hang from the bottom of the grids; the slider (with its "step N" label) starts below
    # the buttons' row (a button is about 30 px tall) and spans the figure
    assert buttons["y"] == slider["y"] == 0
    assert slider["pad"]["t"] >= buttons["pad"]["t"] + 36
    assert slider["x"] == 0 and slider["len"] == 1
    assert layout["margin"]["b"] >= slider["pad"]["t"] + 60
    assert [b["label"] for b in buttons["buttons"]] == ["Play", "Slow", "Fast", "Pause"]


def test_the_window_cell_list_agrees_with_the_formula_to_the_digit():
    # Typed values with many digits, a negative integer and a big one: the list of the window's
    # cells and the worked formula must write each number the same way.
    app = run_page("explorer", {"kind": "avg"})
    app.radio(key="in_source").set_value("type").run()
    app.session_state["in_type_editor"] = {
        "edited_rows": {0: {"0": "147.6", "1": "0.16666667"}, 1: {"0": "-3", "1": "12345678"}},
        "added_rows": [], "deleted_rows": [],
    }
    app.run()
    formula = explanation(app)
    cells = next(text.value for text in app.text if text.value.startswith("x["))
    listed = [line.split(" = ", 1)[1] for line in cells.splitlines()]
    inside = formula.split("(", 1)[1].split(")", 1)[0].split(" + ")
    assert listed == inside, (listed, formula)
    assert listed[0] == "147.6" and listed[1] == "0.1667"


def test_padding_is_drawn_on_all_four_sides_and_the_unread_cells_are_marked():
    # avg 3×3, stride 2, padding 1 on the 4×4 example: windows start at −1 and 1 on each axis
    # and cover padded indices −1 … 3, so the padding row and column at index 4 (bottom,
    # right) exist but are never read. Worked by hand, in input coordinates:
    read = {(-1, c) for c in range(-1, 4)} | {(r, -1) for r in range(0, 4)}  # 5 + 4 cells
    unread = {(4, c) for c in range(-1, 5)} | {(r, 4) for r in range(-1, 4)}  # 6 + 5 cells
    app = run_page("explorer", {"input": "worked4x4", "kind": "avg", "kernel": "3",
                                "stride": "2", "padding": "1"})
    fig = animation_figure(app)
    origin_row, origin_col = grid_origin(heatmap(fig, "x"))
    from pooling_ui.base.profile import NORMAL
    from pooling_ui.figures.grids import UNREAD_COLOR

    def filled(colour: str) -> set[tuple[int, int]]:
        return {(r - origin_row, c - origin_col) for shape in fig["layout"]["shapes"]
                if shape.get("fillcolor") == colour for r, c in cells_of(shape["path"])}

    assert filled(NORMAL.pad_color) == read
    assert filled(UNREAD_COLOR) == unread
    drawn = read | unread
    # all four sides: above, below, left and right of the 4×4 grid
    assert {r for r, _ in drawn} >= {-1, 4} and {c for _, c in drawn} >= {-1, 4}
    assert len(drawn) == 6 * 6 - 4 * 4
    # the unread cells say so on hover; the read ones keep what a padded cell counts as (0)
    hover = [trace for trace in fig["data"] if trace.get("name") == "unread"]
    assert len(hover) == 1 and len(hover[0]["x"]) == len(unread)
    labels = [trace for trace in fig["data"] if trace.get("name") == "padding"]
    assert len(labels) == 1 and len(labels[0]["text"]) == len(read)
    assert set(labels[0]["text"]) == {"0"}
