"""The sliding window's figure: a plotly animation that plays in the browser.

The figure holds the input (with its padding drawn around it) and the output side by side in one
pair of axes, so both are at the same scale. The heatmaps are sent once; each animation frame
carries only a few short SVG paths (window and output cell, winning cell, each twice: casing and
line, and a mask hiding the outputs not computed yet) and one caption, so Play, Pause, the speeds
and the step slider all run in the browser with no server rerun. A view with more steps than
:data:`FRAME_CAP` animates a region of the output (:class:`Region`). The Explorer's view of it —
the controls, the explained step, the tables — is :mod:`pooling_ui.tools.animation`.

Where the window falls comes from :func:`pooling_core.window_geometry`; the output values and the
winning cells from :func:`pooling_core.pool2d`. Nothing is computed here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

import pooling_core as pc
from pooling_ui.base import profile as pf
from pooling_ui.base.i18n import t
from pooling_ui.figures import grids as fg
from pooling_ui.figures.grids import declared_padding
from pooling_ui.figures.player import SCRUB_OPTIONS, play_buttons, step_slider

FRAME_CAP = 400
# The whole figure (heatmaps, frames, slider) is kept under this many bytes of JSON; 64×64 input
# with 400 frames fits. Rough costs used to plan it (measured on plotly's JSON):
FIGURE_BYTES_BUDGET = 198_000
BASE_FIGURE_BYTES = 9_000
BYTES_PER_CELL = 6
BYTES_PER_PRINTED_CELL = 16
# Pixels, in the normal display profile (the functions below give them in the session's; text
# sizes and the rooms made for text grow with the profile's font scale): the most the figure may
# take beside the arithmetic (which keeps EXPLAIN_MIN_PX), the smallest cell for which it goes
# beside it rather than underneath, the most height the grids take, room for the caption under
# the output, and the controls under the plot: the buttons' row starts BUTTONS_TOP_PX below the
# grids, the slider's row SLIDER_TOP_PX below.
EXPLAIN_MIN_PX = 360
COLUMN_GAP_PX = 32
SIDE_BY_SIDE_MIN_CELL_PX = 40
PLOT_HEIGHT_PX = 560
CAPTION_PX = 28
CONTROLS_PX = 128
MIN_WIDTH_PX = 360
CAPTION_FONT_PX = 15


def column_px() -> int:
    """The most the figure may take beside the arithmetic, in this session's profile."""
    return pf.profile().page_px - pf.font_px(EXPLAIN_MIN_PX) - COLUMN_GAP_PX


def side_px() -> int:
    """Margins left and right of the grids: a little on the left, the colour bar on the right."""
    return 8 + pf.profile().colorbar_px


def plot_height_px() -> int:
    return min(PLOT_HEIGHT_PX, pf.profile().plot_height_max_px)


def min_width_px() -> int:
    """Room for the Play, speed and Pause buttons under the grids."""
    return pf.font_px(MIN_WIDTH_PX)


@dataclass(frozen=True)
class Region:
    """Output cells ``[row0, row1) × [col0, col1)`` that the animation steps through."""

    row0: int
    row1: int
    col0: int
    col1: int

    @property
    def size(self) -> int:
        return (self.row1 - self.row0) * (self.col1 - self.col0)

    def steps(self) -> list[tuple[int, int]]:
        """Output cells in the order the window visits them (row-major)."""
        return [(r, c) for r in range(self.row0, self.row1) for c in range(self.col0, self.col1)]


def region_shape(out_hw: tuple[int, int], cap: int = FRAME_CAP) -> tuple[int, int]:
    """Rows × columns of the largest region of about square shape with at most ``cap`` cells."""
    out_h, out_w = out_hw
    cap = max(int(cap), 1)
    if out_h * out_w <= cap:
        return out_h, out_w
    cols = min(out_w, max(1, int(np.sqrt(cap))))
    rows = min(out_h, cap // cols)
    if rows == out_h:
        cols = min(out_w, cap // rows)
    return rows, cols


def pad_label(kind: str, count_include_pad: bool, padding) -> str:
    """What a padded cell counts as for ``kind`` (printed in the grey cells; empty: ignored).

    Examples
    --------
    >>> pad_label("max", True, 1), pad_label("avg", True, 1), pad_label("avg", False, 1)
    ('−∞', '0', '')
    >>> pad_label("avg", True, "same"), pad_label("median", True, 1)
    ('', '')
    """
    spec = pc.kind_spec(kind)
    counted = count_include_pad and not isinstance(padding, str)
    if spec.padding_value is None or (spec.counts_padding and not counted):
        return ""
    return fg.format_value(spec.padding_value)


class Painter:
    """The animated paths of one step: what every frame (and the first picture) is made of."""

    def __init__(self, geometry, y2d: np.ndarray, region: Region, winners: np.ndarray | None):
        self.geometry = geometry
        self.y2d = y2d
        self.region = region
        self.winners = winners
        width = geometry.in_hw[1]
        self.width = width
        self.out_x = width + geometry.pad[1][1] + fg.GAP_COLUMNS

    def paths(self, row: int, col: int) -> list[str]:
        """Mask of the outputs still to come; window + current output cell; winning cell."""
        window = fg.window_path(self.geometry.row_taps[row], self.geometry.col_taps[col])
        current = fg.rect_path(row, col, row + 1, col + 1, x_offset=self.out_x)
        paths = [self._mask(row, col), window + current]
        if self.winners is not None:
            win_row, win_col = divmod(int(self.winners[row, col]), self.width)
            paths.append(fg.rect_path(win_row, win_col, win_row + 1, win_col + 1))
        return paths

    def caption(self, row: int, col: int) -> str:
        return f"y[{row},{col}] = {fg.format_value(self.y2d[row, col])}"

    def shape_paths(self, row: int, col: int) -> list[str]:
        """The animated shapes' paths in figure order: the mask, the casings of the window
        and of the winning cell, then their coloured lines (see :func:`fg.marker_shapes`)."""
        mask, *markers = self.paths(row, col)
        return [mask, *markers, *markers]

    def frame(self, step: int, row: int, col: int) -> dict:
        return {"name": str(step), "layout": {
            "shapes": [{"path": path} for path in self.shape_paths(row, col)],
            "annotations": [{"text": self.caption(row, col)}],
        }}

    def _mask(self, row: int, col: int) -> str:
        """Cover the region's outputs after ``(row, col)``: the ones not computed yet."""
        region, out_x = self.region, self.out_x
        parts = []
        if col + 1 < region.col1:
            parts.append(fg.rect_path(row, col + 1, row + 1, region.col1, x_offset=out_x))
        if row + 1 < region.row1:
            parts.append(fg.rect_path(row + 1, region.col0, region.row1, region.col1,
                                      x_offset=out_x))
        return "".join(parts) or fg.empty_path(out_x, 0)


def frame_cap(geometry, y2d: np.ndarray, winners: np.ndarray | None = None) -> int:
    """How many steps one animation may hold: :data:`FRAME_CAP`, fewer when frames are big.

    The figure must stay under :data:`FIGURE_BYTES_BUDGET`: the heatmaps are sent once (about 6
    bytes a cell as base64 float32, more with printed values), then each step costs one frame and
    one slider step. A frame's size is measured on a window in the middle of the output, whose
    paths are as long as any (dilated windows are drawn cell by cell and cost more).
    """
    height, width = geometry.in_hw
    out_h, out_w = geometry.out_hw
    painter = Painter(geometry, y2d, Region(0, out_h, 0, out_w), winners)
    sample = painter.frame(out_h * out_w, out_h // 2, out_w // 2)
    slider_step = {"method": "animate", "label": str(out_h * out_w),
                   "args": [[str(out_h * out_w)], SCRUB_OPTIONS]}
    per_step = len(json.dumps(sample, separators=(",", ":"))) + len(
        json.dumps(slider_step, separators=(",", ":")))
    per_step = int(per_step * 1.1) + 8  # other frames' numbers may have more digits
    cells = height * width + out_h * out_w
    base = BASE_FIGURE_BYTES + cells * BYTES_PER_CELL
    if max(height, width) <= fg.TEXT_MAX_SIDE:
        base += cells * BYTES_PER_PRINTED_CELL
    return int(np.clip((FIGURE_BYTES_BUDGET - base) // per_step, 1, FRAME_CAP))


def figure_extent(geometry, max_width_px: float | None = None
                  ) -> tuple[int, tuple[float, float], tuple[float, float]]:
    """``(cell_px, x_range, y_range)`` of the animation for ``geometry``, at most
    ``max_width_px`` wide (default :func:`column_px`): the padded input, a gap, the output and
    room for its caption."""
    max_width_px = column_px() if max_width_px is None else max_width_px
    width = geometry.in_hw[1]
    out_w = geometry.out_hw[1]
    (reach_top, _), (reach_left, reach_right) = geometry.pad
    out_x = width + reach_right + fg.GAP_COLUMNS
    top = -reach_top
    x_range = (-reach_left, out_x + out_w)
    cell_px = fg.fit_cell_px(x_range[1] - x_range[0], caption_y(geometry) + 1 - top,
                             max_width_px=max_width_px, max_plot_height_px=plot_height_px(),
                             side_px=side_px())
    # The caption under the grids needs about CAPTION_PX: as many rows as that takes.
    y_range = (top, caption_y(geometry) + fg.rows_for_px(pf.font_px(CAPTION_PX), cell_px))
    return cell_px, x_range, y_range


def caption_y(geometry) -> int:
    """The row under both grids where the step's caption ("y[0,0] = 6") starts.

    The caption ends at the output's right edge and runs leftwards (see
    :func:`build_animation_figure`), so it must lie below the input as well as the output: a
    long value could otherwise run over the input's last rows.
    """
    height = geometry.in_hw[0]
    reach_bottom = geometry.pad[0][1]
    return max(height + reach_bottom, geometry.out_hw[0])


def figure_width_px(cell_px: int, x_range: tuple[float, float]) -> int:
    """The animation figure's width in pixels (as :func:`pooling_ui.figures.grids.grid_layout` sets
    it)."""
    return max(min_width_px(), round((x_range[1] - x_range[0]) * cell_px) + side_px())


def build_animation_figure(
    x2d: np.ndarray,
    y2d: np.ndarray,
    geometry,
    region: Region,
    *,
    winners: np.ndarray | None = None,
    padding=0,
    padded_value: str = "",
    start_step: int = 0,
    max_width_px: float | None = None,
    decimals: int | None = None,
) -> dict:
    """The animated figure for one plane, as a plotly figure dict (frames included).

    Parameters
    ----------
    x2d, y2d : ndarray
        Input plane ``(H, W)`` and its pooled output ``(H_out, W_out)``, from the engine.
    geometry : pooling_core.Geometry
        The engine's windows for this input and these parameters.
    region : Region
        The output cells to step through (at most :func:`frame_cap` of them).
    winners : ndarray, optional
        ``(H_out, W_out)`` flat index ``h*W + w`` of each window's winning cell (max/min).
    padding : int, pair or str
        The padding the user asked for (to tell padding from ceil-mode overhang).
    padded_value : str
        Printed in the padding cells.
    start_step : int
        The step shown before Play is pressed.
    max_width_px : float, optional
        The width the figure may take (its column's, on a wide window; default
        :func:`column_px`).
    decimals : int, optional
        The cells' numbers rounded to this many decimals (0 for a photo's pixel values).

    Returns
    -------
    dict
        ``layout.shapes[0]`` is the mask over outputs not computed yet, ``shapes[1]`` the window
        on the input together with the current output cell, ``shapes[2]`` (max/min) the winning
        cell — these two are the markers' casings, their coloured lines follow with the same
        paths; each frame carries exactly these paths and ``annotations[0]``'s text.
    """
    geometry = fg.drawn_geometry(geometry, padding)
    height, width = geometry.in_hw
    out_h, out_w = geometry.out_hw
    reach_left = geometry.pad[1][0]
    pad_lo, pad_hi = declared_padding(padding, geometry)
    painter = Painter(geometry, y2d, region, winners)
    out_x = painter.out_x
    steps = region.steps()
    start_step = int(np.clip(start_step, 0, len(steps) - 1))
    value_range = fg.finite_range(x2d, y2d)

    # Built as plain dicts from start to end and finished as plotly's to_dict() would write it
    # (fg.figure_spec): validating it trace by trace cost more than everything else in a run.
    traces = [fg.value_heatmap_spec(x2d, name="x", value_range=value_range, decimals=decimals)]
    padding_shapes, padding_traces = fg.padding_decorations(
        (height, width), geometry.pad, pad_lo, pad_hi, padded_value,
        read=fg.read_lines(geometry), plain=True)
    traces.extend(padding_traces)
    traces.append(fg.value_heatmap_spec(y2d, x_offset=out_x, name="y", value_range=value_range,
                                        decimals=decimals))
    layout = {"coloraxis": {"colorscale": pf.profile().colorscale, "cmin": value_range[0],
                            "cmax": value_range[1]}}

    first = painter.paths(*steps[start_step])
    window = fg.marker_shapes(first[1], color=fg.WINDOW_COLOR, fill=fg.WINDOW_TINT)
    winner = fg.marker_shapes(first[2], color=fg.WINNER_COLOR, width=4) \
        if winners is not None else []
    # Casings first, then the coloured lines, in the order of Painter.shape_paths.
    shapes = [
        fg.path_shape(first[0], color=fg.TRANSPARENT, width=0, fill=fg.MASK_COLOR),
        window[0], *winner[:1], window[1], *winner[1:],
    ]
    # Static shapes come after the animated ones: frames update shapes by position.
    shapes.extend(padding_shapes)
    shapes.append(fg.path_shape(fg.rect_path(0, 0, height, width), color=fg.FRAME_COLOR,
                                width=1.5))
    shapes.append(fg.path_shape(fg.rect_path(0, 0, out_h, out_w, x_offset=out_x),
                                color=fg.FRAME_COLOR, width=1.5))
    if region.size < out_h * out_w:
        shapes.append(fg.path_shape(
            fg.rect_path(region.row0, region.col0, region.row1, region.col1, x_offset=out_x),
            color="#333", width=2, dash="dash"))

    cell_px, x_range, y_range = figure_extent(geometry, max_width_px)
    # The caption ends at the output's right edge, the plot's, and runs leftwards under the
    # grids. Anchored at the output's left edge it ran on past a narrow output into the colour
    # bar's margin; on a phone, where Streamlit shrinks the figure to the screen's width, the
    # cells shrink but the text does not, so no room reserved in cells could be enough.
    annotations = [
        {**fg.label_annotation(painter.caption(*steps[start_step]), out_x + out_w,
                               caption_y(geometry), size=CAPTION_FONT_PX, anchor="right"),
         "yanchor": "top", "yshift": -4},
        fg.label_annotation(t("animation.input_label", h=height, w=width), -reach_left, 1,
                            yref="paper"),
        fg.label_annotation(t("animation.output_label", h=out_h, w=out_w), out_x, 1,
                            yref="paper"),
    ]
    layout.update(shapes=shapes, annotations=annotations, updatemenus=[play_buttons()],
                  sliders=[step_slider(len(steps), start_step)])
    # The bottom margin holds the Play/speed/Pause buttons and, on a row of its own under them,
    # the step slider with its "step N" label.
    # The window's tint comes and goes over every cell: numbers are coloured to hold under it.
    fg.grid_layout_spec(traces, layout, x_range, y_range, cell_px=cell_px,
                        margin={"b": pf.font_px(CONTROLS_PX)}, min_width_px=min_width_px(),
                        text_tints=[fg.WINDOW_TINT])
    figure = fg.figure_spec(traces, layout)
    # Frames are plain dicts: validating hundreds of tiny go.Frame objects costs more than
    # building the rest of the figure, and they hold nothing but the paths and the caption.
    figure["frames"] = [painter.frame(step, row, col) for step, (row, col) in enumerate(steps)]
    return figure


def playing_figure(*args, **kwargs) -> dict:
    """:func:`build_animation_figure` without what only plotly's own playing needs (the frames,
    its buttons and slider): the figure a server-side "Play step by step" moves step by step.

    Built once per input and parameters (cached for every session); each step then costs a
    copy of this small figure and four paths (:func:`figure_at_step`), not a new figure with
    hundreds of frames — about 20 ms against about a second for a 16×16 output.
    """
    figure = build_animation_figure(*args, **kwargs)
    figure.pop("frames", None)
    figure["layout"].pop("sliders", None)
    figure["layout"].pop("updatemenus", None)
    return figure


def figure_at_step(base: go.Figure, painter: Painter, row: int, col: int) -> go.Figure:
    """A copy of ``base`` (a cached :func:`playing_figure`, shared: never changed) showing the
    step at output ``(row, col)``: its animated paths and caption, as a frame would set them."""
    figure = go.Figure(base)
    for shape, path in zip(figure.layout.shapes, painter.paths(row, col), strict=False):
        shape.path = path
    figure.layout.annotations[0].text = painter.caption(row, col)
    return figure
