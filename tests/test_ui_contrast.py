"""Contrast of what the figures draw on their cells (WCAG 2.1 AA 1.4.3 and 1.4.11).

Everything is read back from the figures' JSON (frames included), as the browser gets it, and
checked with the WCAG formulas written out here (relative luminance of sRGB, contrast ratio),
not with the app's own colour code:

* every number printed on a cell has ≥ 4.5:1 against the cell's colour as displayed: the colour
  scale of its colour axis at the cell's value (between ``cmin`` and ``cmax``, plotly's automatic
  range when they are not given), the plot's background for a cell without a value, the fill of
  a padding band under the grid, and any translucent fill drawn over it composited on top
  (the animation's window, frame by frame);
* every marker drawn over cells (window, winner, picked cell, …) keeps ≥ 3:1 against every
  colour the figure's scales can produce, through its casing: a wider line of another colour
  under it, so that for each cell colour one of the two contrasts.

A number drawn with no colour of its own gets plotly.js's automatic colour (``Color.contrast``:
white on a colour tinycolor calls dark, ``#444`` otherwise), which is what the figures did before
this test.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
from contextlib import contextmanager

import numpy as np
import pytest
from ui_support import open_page

import pooling_core as pc
from pooling_core.lessons import quiz as core_quiz
from pooling_core.lessons.textcnn import FilterResult
from pooling_ui.base import profile as pf
from pooling_ui.classroom import quiz
from pooling_ui.figures import grids as fg
from pooling_ui.figures import sliding
from pooling_ui.lessons import conv as lesson_conv
from pooling_ui.lessons import shapes as lesson_shapes
from pooling_ui.lessons import shift as lesson_shift
from pooling_ui.lessons.pool1d.sentence import sentence_figure
from pooling_ui.tools import compare, gradients
from pooling_ui.tools import output as view_output

TEXT_MIN = 4.5
MARKER_MIN = 3.0
WORKED = np.array([[1, 3, 2, 4], [5, 6, 1, 2], [7, 2, 8, 1], [3, 4, 0, 6]], dtype=np.float32)


# -- WCAG 2.1, written out ---------------------------------------------------------------------


def luminance(rgb) -> float:
    """Relative luminance (WCAG 2.1, definition "relative luminance") of an sRGB colour."""
    out = 0.0
    for weight, value in zip((0.2126, 0.7152, 0.0722), rgb, strict=True):
        c = value / 255
        c = c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
        out += weight * c
    return out


def contrast(first, second) -> float:
    a, b = sorted((luminance(first), luminance(second)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def rgba(colour: str) -> tuple[float, float, float, float]:
    colour = {"white": "#ffffff", "black": "#000000"}.get(colour.strip().lower(),
                                                          colour.strip().lower())
    if colour.startswith("#"):
        h = colour[1:]
        if len(h) == 3:
            h = "".join(ch * 2 for ch in h)
        return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16), 1.0
    values = [float(v) for v in re.findall(r"[\d.]+", colour)]
    return (*values[:3], values[3] if len(values) > 3 else 1.0)


def over(under, colour: str) -> tuple[float, ...]:
    """``colour`` (maybe translucent) painted over the RGB ``under``, blended in sRGB."""
    *rgb, alpha = rgba(colour)
    return tuple(round(alpha * t + (1 - alpha) * u) for t, u in zip(rgb, under, strict=True))


def plotly_auto_text(cell) -> tuple[float, ...]:
    """plotly.js's own colour for a heatmap number (Color.contrast: tinycolor's isDark)."""
    brightness = (cell[0] * 299 + cell[1] * 587 + cell[2] * 114) / 1000
    return (255, 255, 255) if brightness < 128 else (0x44, 0x44, 0x44)


# -- reading a figure's JSON ----------------------------------------------------------------------


def array(value) -> np.ndarray:
    if isinstance(value, dict) and "bdata" in value:
        flat = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        shape = value.get("shape")
        if shape:
            dims = shape if isinstance(shape, list) else str(shape).split(",")
            flat = flat.reshape([int(d) for d in dims])
        return flat.astype(np.float64)
    return np.array(value, dtype=np.float64)


def scale_at(colorscale, share: float, reverse: bool = False) -> tuple[float, ...]:
    """The colour of a plotly scale (list of [stop, colour]) at ``share``: linear in RGB between
    the stops, as plotly.js interpolates; rounded, as the heatmap's pixels are."""
    stops = [(float(s), rgba(c)[:3]) for s, c in colorscale]
    if reverse:
        stops = [(1 - s, c) for s, c in reversed(stops)]
    share = min(max(share, 0.0), 1.0)
    for (s0, c0), (s1, c1) in itertools.pairwise(stops):
        if s0 <= share <= s1:
            f = 0.0 if s1 == s0 else (share - s0) / (s1 - s0)
            return tuple(round(a + f * (b - a)) for a, b in zip(c0, c1, strict=True))
    return tuple(round(v) for v in stops[-1][1])


def colour_axis(fig: dict, trace: dict) -> tuple[list, bool, float, float]:
    """``(colorscale, reversescale, cmin, cmax)`` a heatmap is coloured by."""
    name = trace.get("coloraxis")
    if name:
        axis = fig["layout"][name]
        scale, reverse = axis["colorscale"], axis.get("reversescale", False)
        lo, hi = axis.get("cmin"), axis.get("cmax")
        members = [t for t in fig["data"] if t.get("coloraxis") == name]
    else:
        scale, reverse = trace["colorscale"], trace.get("reversescale", False)
        lo, hi = trace.get("zmin"), trace.get("zmax")
        members = [trace]
    if lo is None or hi is None:  # plotly's automatic range: over the values shown
        values = np.concatenate([array(t["z"]).ravel() for t in members])
        values = values[np.isfinite(values)]
        lo = float(values.min()) if lo is None else lo
        hi = float(values.max()) if hi is None else hi
    return scale, reverse, lo, hi


def cell_centres(trace: dict, shape) -> tuple[np.ndarray, np.ndarray]:
    """Figure coordinates of the centres of a heatmap's columns and rows."""
    rows, cols = shape
    xs = array(trace["x"]) if "x" in trace else trace.get("x0", 0) + trace.get("dx", 1) * \
        np.arange(cols)
    ys = array(trace["y"]) if "y" in trace else trace.get("y0", 0) + trace.get("dy", 1) * \
        np.arange(rows)
    return xs, ys


def key(x: float, y: float) -> tuple[int, int]:
    """A cell of the figure, by the cell that holds the point ``(x, y)`` (cells are unit
    squares; heatmaps centred on half-integers or integers alike)."""
    return round(2 * x), round(2 * y)


RECT = re.compile(r"M([-\d.]+),([-\d.]+)H([-\d.]+)V([-\d.]+)H[-\d.]+Z")


def path_cells(shape: dict) -> set[tuple[int, int]]:
    """Cell centres (as :func:`key`) inside the rectangles of a shape (path or rect)."""
    if shape.get("type") == "rect":
        rects = [(shape["x0"], shape["y0"], shape["x1"], shape["y1"])]
    else:
        rects = [tuple(float(v) for v in m) for m in RECT.findall(shape.get("path", ""))]
    cells = set()
    for left, top, right, bottom in rects:
        left, right = sorted((left, right))
        top, bottom = sorted((top, bottom))
        for x in np.arange(np.floor(left) + 0.5, right, 0.5):
            for y in np.arange(np.floor(top) + 0.5, bottom, 0.5):
                if left < x < right and top < y < bottom:
                    cells.add(key(x, y))
    return cells


def painted(fig: dict, shapes: list[dict]):
    """Colour of every cell as displayed, and the cells hidden under an opaque fill.

    Painted in the browser's order: the plot background, fills of shapes under the traces,
    heatmaps in trace order (a cell without a value lets what is under it show), then fills of
    shapes over the traces.
    """
    background = rgba(fig["layout"].get("plot_bgcolor", "#ffffff"))[:3]
    colours: dict[tuple[int, int], tuple] = {}
    for shape in shapes:
        if shape.get("layer") == "below" and shape.get("fillcolor"):
            for cell in path_cells(shape):
                colours[cell] = over(colours.get(cell, background), shape["fillcolor"])
    for trace in fig["data"]:
        if trace.get("type") != "heatmap":
            continue
        z = array(trace["z"])
        if z.ndim == 1:
            z = z[None]
        scale, reverse, lo, hi = colour_axis(fig, trace)
        if all(rgba(colour)[3] == 0 for _, colour in scale):
            continue  # a transparent heatmap (it only carries text)
        xs, ys = cell_centres(trace, z.shape)
        for r, y in enumerate(ys):
            for c, x in enumerate(xs):
                if not np.isfinite(z[r, c]):
                    continue
                share = (z[r, c] - lo) / (hi - lo) if hi > lo else 0.5
                colours[key(x, y)] = scale_at(scale, share, reverse)
    hidden = set()
    for shape in shapes:
        if shape.get("layer", "above") != "below" and shape.get("fillcolor"):
            for cell in path_cells(shape):
                if rgba(shape["fillcolor"])[3] >= 1:
                    hidden.add(cell)
                else:
                    colours[cell] = over(colours.get(cell, background), shape["fillcolor"])
    return colours, background, hidden


def printed_numbers(fig: dict):
    """``(text, text colour, cell)`` of every number drawn on the figure's cells."""
    for trace in fig["data"]:
        if trace.get("type") == "heatmap" and trace.get("texttemplate"):
            texts = trace["text"]
            colour = trace.get("textfont", {}).get("color")
            xs, ys = cell_centres(trace, (len(texts), len(texts[0])))
            for r, y in enumerate(ys):
                for c, x in enumerate(xs):
                    if texts[r][c]:
                        yield texts[r][c], colour, key(x, y)
        elif trace.get("type") == "scatter" and trace.get("mode") == "text":
            colour = trace.get("textfont", {}).get("color")
            xs, ys = array(trace["x"]), array(trace["y"])
            for i, text in enumerate(trace["text"]):
                each = colour[i] if isinstance(colour, list) else colour
                yield text, each, key(xs[i], ys[i])


def frame_shapes(fig: dict) -> list[list[dict]]:
    """The figure's shapes as first shown and in each frame (frames update shapes by index)."""
    base = fig["layout"].get("shapes", [])
    states = [base]
    for frame in fig.get("frames", []):
        shapes = [dict(s) for s in base]
        for index, update in enumerate(frame.get("layout", {}).get("shapes", [])):
            shapes[index] = {**shapes[index], **update}
        states.append(shapes)
    return states


def number_failures(fig: dict) -> list[str]:
    failures = []
    for shapes in frame_shapes(fig):
        colours, background, hidden = painted(fig, shapes)
        for text, colour, cell in printed_numbers(fig):
            if cell in hidden:
                continue
            under = colours.get(cell, background)
            ink = rgba(colour)[:3] if colour else plotly_auto_text(under)
            ratio = contrast(ink, under)
            if ratio < TEXT_MIN:
                failures.append(f"{text!r} in {ink} on {under}: {ratio:.2f}:1")
    return failures


def scale_colours(fig: dict) -> list[tuple]:
    """Every colour the figure's colour scales can give a cell (1001 points a scale)."""
    seen = []
    axes = [fig["layout"][n] for n in fig["layout"] if n.startswith("coloraxis")]
    axes += [t for t in fig["data"] if t.get("type") == "heatmap" and "colorscale" in t
             and rgba(t["colorscale"][0][1])[3] > 0]
    for axis in axes:
        for share in np.linspace(0, 1, 1001):
            seen.append(scale_at(axis["colorscale"], share, axis.get("reversescale", False)))
    return seen


def marker_failures(fig: dict, markers: set[str]) -> list[str]:
    """Markers (shapes whose line is one of ``markers``) without a casing that keeps them
    ≥ 3:1 against every colour the scales (and translucent fills over them) can produce."""
    failures = []
    cells = scale_colours(fig)
    tints = {s["fillcolor"] for s in fig["layout"].get("shapes", [])
             if s.get("fillcolor") and rgba(s["fillcolor"])[3] < 1 and s.get("layer") != "below"}
    cells += [over(c, tint) for c in cells for tint in tints]
    shapes = fig["layout"].get("shapes", [])
    for index, shape in enumerate(shapes):
        line = shape.get("line", {})
        if line.get("color", "").lower() not in markers or not line.get("width"):
            continue
        same = [s for s in shapes[:index] if path_cells(s) == path_cells(shape)
                and s.get("line", {}).get("width", 0) > line["width"]]
        ink = rgba(line["color"])[:3]
        casing = rgba(same[-1]["line"]["color"])[:3] if same else None
        worst = min(max(contrast(ink, c), contrast(casing, c) if casing else 0) for c in cells)
        if worst < MARKER_MIN:
            failures.append(f"{line['color']} (casing {casing}): {worst:.2f}:1")
        elif contrast(ink, casing) < MARKER_MIN:
            failures.append(f"{line['color']} on its casing {casing}")
    return failures


# -- the figures -------------------------------------------------------------------------------


@contextmanager
def display(profile: str):
    """Build figures for the normal screen or the projector (Cividis, bigger cells)."""
    original = pf.is_projector
    pf.is_projector = lambda: profile == "projector"
    try:
        yield
    finally:
        pf.is_projector = original


def inputs() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(7)
    checker = (np.indices((8, 8)).sum(axis=0) % 2).astype(np.float32)
    # 36 values evenly over the whole colour range, short enough to be printed
    spread = np.arange(36, dtype=np.float32).reshape(6, 6)
    with_nan = rng.normal(size=(6, 6)).astype(np.float32)
    with_nan[1, 2] = np.nan
    with_nan[4, 4] = -np.inf
    return {"worked": WORKED, "random": rng.normal(size=(7, 9)).astype(np.float32),
            "checkerboard": checker, "spread": spread, "nan": with_nan}


def explorer_figures(x: np.ndarray) -> list[dict]:
    params = {"kernel_size": (2, 2), "stride": (2, 2), "padding": (1, 1), "dilation": (1, 1),
              "ceil_mode": False}
    geometry = pc.window_geometry(x.shape, **params)
    y, winners = pc.pool2d(x, kind="max", return_indices=True, **params)
    region = sliding.Region(0, geometry.out_hw[0], 0, geometry.out_hw[1])
    anim = sliding.build_animation_figure(x, y, geometry, region, winners=winners,
                                            padding=(1, 1), padded_value="−∞")
    avg = pc.pool2d(x, kind="avg", kernel_size=2, stride=1)
    figs = [anim,
            view_output.grid_pair_figure(x[None], avg[None]),
            view_output.input_figure(x[None]).to_plotly_json()]
    grad_y = np.zeros(geometry.out_hw, np.float32)
    grad_y[0, 0] = 1
    grad_x = pc.pool2d_backward(x, grad_y, kind="max", **params)
    figs.append(gradients.gradient_figure(
        grad_x, np.linspace(-1, 1, grad_y.size, dtype=np.float32).reshape(grad_y.shape),
        geometry, (0, 0), gradients.reached_cells(grad_x), padding=(1, 1)).to_plotly_json())
    counts = pc.pool2d_backward(x, np.ones(geometry.out_hw, np.float32), kind="max", **params)
    figs.append(gradients.counts_figure(counts).to_plotly_json())
    figs.append(compare.grid_figure(avg, fg.finite_range(x, avg), pf.profile().colorscale, "out",
                                    cell_px=40).to_plotly_json())
    figs.append(compare.grid_figure(avg - avg.mean(), (-1.0, 1.0), "RdBu", "diff", cell_px=40,
                                    midpoint=0.0).to_plotly_json())
    figs.append(lesson_conv.map_figure(x, "map", ((0, 1), (0, 1)), cell=(1, 1),
                                       pickable=True).to_plotly_json())
    shifted = np.roll(x, 1, axis=1)
    figs.append(lesson_shift.inputs_figure(x, shifted).to_plotly_json())
    figs.append(lesson_shift.outputs_figure(
        [("max", y), ("avg", avg)], [np.ones(y.shape, bool), np.zeros(avg.shape, bool)],
        fg.finite_range(y, avg)).to_plotly_json())
    figs.append(lesson_shapes.placement_figure(x, geometry, ((1, 1), (1, 1)), "−∞")
                .to_plotly_json())
    return [json.loads(json.dumps(f, default=_plain)) for f in figs]


def _plain(value):
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    raise TypeError(type(value))


PROFILES = ["normal", "projector"]
MARKERS = {fg.WINDOW_COLOR.lower(), fg.WINNER_COLOR.lower(), gradients.REACH_COLOR.lower(),
           lesson_conv.REGION_COLOR.lower(), lesson_conv.CELL_COLOR.lower(),
           lesson_shapes.LAST_COLOR.lower(), lesson_shapes.DROPPED_COLOR.lower(),
           # the colours these markers had before they were cased
           "#e4002b", "#1f5fbf", "#7a7a7a"}


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("name", list(inputs()))
def test_every_number_on_a_cell_has_4_5_to_1(profile, name):
    with display(profile):
        figs = explorer_figures(inputs()[name])
    failures = {i: number_failures(fig) for i, fig in enumerate(figs)}
    failures = {i: f[:5] + [f"… {len(f)} in all"] for i, f in failures.items() if f}
    assert not failures, failures


@pytest.mark.parametrize("profile", PROFILES)
def test_quiz_numbers_have_4_5_to_1(profile):
    x = np.arange(16).reshape(4, 4) % (core_quiz.VALUE_MAX + 1)
    with display(profile):
        fig = json.loads(json.dumps(quiz.question_figure(x).to_plotly_json(), default=_plain))
    assert not number_failures(fig)


@pytest.mark.parametrize("profile", PROFILES)
def test_markers_keep_3_to_1_against_every_cell_colour(profile):
    with display(profile):
        figs = explorer_figures(inputs()["spread"])
    checked = 0
    for fig in figs:
        assert not marker_failures(fig, MARKERS), fig["layout"].get("annotations")
        checked += sum(s.get("line", {}).get("color", "").lower() in MARKERS
                       for s in fig["layout"].get("shapes", []))
    assert checked >= 8, "the windows, winners and picked cells were found"


@pytest.mark.parametrize("profile", PROFILES)
def test_sentence_feature_maps_numbers_and_winners(profile):
    maps = [np.array([0.0, 1.5, 3.0, 0.7], np.float32), np.array([0.2, 2.2, 0.0], np.float32),
            np.array([1.1, 0.4, 0.9, 2.6, 1.8], np.float32)]
    results = [FilterResult(6 - m.size, m, float(m.max()), int(m.argmax()))
               for m in maps]
    with display(profile):
        fig = sentence_figure(["the", "cat", "sat", "on", "a"], results)
    fig = json.loads(json.dumps(fig.to_plotly_json(), default=_plain))
    assert len(list(printed_numbers(fig))) == 12
    assert not number_failures(fig)
    assert not marker_failures(fig, MARKERS)


def test_the_animation_numbers_hold_in_every_frame_of_the_page():
    """The Explorer as served (projector: Cividis), every frame's window over the numbers."""
    app = open_page("explorer", {"lang": "en", "projector": "1", "input": "worked4x4"})
    figs = [json.loads(chart.proto.spec) for chart in app.get("plotly_chart")]
    animated = [fig for fig in figs if fig.get("frames")]
    assert animated and len(animated[0]["frames"]) == 4
    for fig in figs:
        assert not number_failures(fig)
        assert not marker_failures(fig, MARKERS)


def test_the_checks_catch_plotlys_automatic_text_colour():
    """The reference itself: viridis at 0.6 is #22a884-ish, where plotly.js writes #444 at
    about 3:1 (the audit's finding), and black or white is what passes."""
    viridis = [[0, "#440154"], [0.5, "#21918c"], [1, "#fde725"]]
    cell = scale_at(viridis, 0.6)
    assert contrast(plotly_auto_text(cell), cell) < TEXT_MIN
    assert max(contrast((0, 0, 0), cell), contrast((255, 255, 255), cell)) >= TEXT_MIN
    assert contrast((255, 176, 0), (253, 231, 37)) < MARKER_MIN  # amber on viridis's yellow
    assert round(contrast((0, 0, 0), (255, 255, 255)), 6) == 21


def test_gif_numbers_have_4_5_to_1():
    """The exported GIF draws its own numbers (Pillow): in each cell of the last frame, the
    colours other than the cell's own (its commonest) are the number's, and each has ≥ 4.5:1."""
    import io

    from PIL import Image

    from pooling_ui.tools import export

    params = {"kernel_size": 2, "stride": 2, "padding": 0}
    geometry = pc.window_geometry(WORKED.shape, **params)
    y, winners = pc.pool2d(WORKED, kind="max", return_indices=True, **params)
    region = sliding.Region(0, 2, 0, 2)
    gif = Image.open(io.BytesIO(export.animation_gif(WORKED, y, geometry, region,
                                                     winners=winners)))
    gif.seek(gif.n_frames - 1)
    frame = np.asarray(gif.convert("RGB"))
    layout = export.gif_layout(geometry)
    inset = export.OUTLINE_PX + 4  # inside the window's and the winner's outlines
    inks = 0
    for corner in [layout.input_px(r, c) for r in range(4) for c in range(4)] + \
            [layout.output_px(r, c) for r in range(2) for c in range(2)]:
        x, y0 = corner
        cell = frame[y0 + inset:y0 + layout.cell_px - inset, x + inset:x + layout.cell_px - inset]
        colours, counts = np.unique(cell.reshape(-1, 3), axis=0, return_counts=True)
        background = colours[np.argmax(counts)]
        for colour in colours:
            if (colour != background).any():
                inks += 1
                assert contrast(colour, background) >= TEXT_MIN, (colour, background)
    assert inks >= 20, "every number was found"
