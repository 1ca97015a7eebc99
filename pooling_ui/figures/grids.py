"""Plotly building blocks for grids of numbers: heatmaps with values in cells, outlines as paths.

Coordinates. Every grid figure uses one pair of axes in which cell ``(r, c)`` of a grid placed at
``(x0, y0)`` covers ``[x0 + c, x0 + c + 1] × [y0 + r, y0 + r + 1]`` (the y axis points down, like
matrix rows). Cell edges are integers, so an outline of cells is an
SVG path of rectangles with short integer coordinates — the most compact thing a plotly frame can
carry, which is what keeps the animation small enough to send to the browser in one go.

Display profiles. Sizes, fonts and colours come from this session's
:class:`pooling_ui.base.profile.Profile` (normal or projector). The helpers here
(:func:`path_shape`, :func:`label_annotation`, :func:`grid_layout`, …) take line widths and font
sizes in normal-profile pixels and scale them by the profile, so a caller that says ``width=3``
gets a thicker line on a projector without asking.

Nothing here computes pooling: the grids drawn are arrays :mod:`pooling_core` produced.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import unicodedata
from collections.abc import Iterable, Sequence

import numpy as np
import plotly.colors
import plotly.graph_objects as go
import plotly.io
from _plotly_utils.basevalidators import ColorscaleValidator
from _plotly_utils.utils import convert_to_base64

from pooling_core import format_number
from pooling_ui.base.i18n import t
from pooling_ui.base.profile import (
    NORMAL,
    UI_FONT_PX,
    Profile,
    font_px,
    line_px,
    profile,
    small_font_px,
    ui_font_px,
)

# Values are printed in the cells while the grid is at most this many cells on a side.
TEXT_MAX_SIDE = 24
# plotly's heatmap text: a character is about 0.65 of the font size wide, a line 1.3 high.
CHAR_WIDTH_EM = 0.65
LINE_HEIGHT_EM = 1.3
CELL_PX_MIN = 4
# Columns of empty space between grids side by side in one figure (an input and its output).
GAP_COLUMNS = 2
# Markers drawn over cells (WCAG 2.1 1.4.11, non-text contrast ≥ 3:1): no single colour
# contrasts with every colour of a scale that runs from near-black to near-white, so each marker
# is a coloured line on a wider casing, and for every cell colour one of the two has ≥ 3:1. Amber
# (light) is cased in black; the window's red is dark enough (luminance under 0.067) to stand out
# on every cell a white casing does not.
WINDOW_COLOR = "#8c0014"
WINNER_COLOR = "#ffb000"
CASING = {WINDOW_COLOR: "#ffffff", WINNER_COLOR: "#000000"}
CASING_EXTRA_PX = 3
# The translucent wash over the window's cells. Its colour has about the luminance at which black
# and white text contrast equally with a cell (≈ 0.18), so washing a cell moves it towards that
# point and never past it: a number keeps the ≥ 4.5:1 colour it was given with the window on or
# off (the animation's frames move only shapes, not text colours).
WINDOW_TINT = "rgba(136,119,119,0.15)"
# Numbers on cells: black or white, whichever contrasts more with the cell (WCAG 1.4.3, ≥ 4.5:1;
# every colour has ≥ 4.58:1 with one of them).
TEXT_DARK = "#000000"
TEXT_LIGHT = "#ffffff"
# Opaque: outputs still to come must not show through (the class is meant to predict them).
MASK_COLOR = "#fafafa"
GRADIENT_COLORSCALE = "RdBu"
OVERHANG_COLOR = "#ececec"
# Declared padding that no window reads: paler than the padding the windows read, dashed.
UNREAD_COLOR = "#f4f4f4"
# Lines on the white page rather than over cells: the frame round a grid; the plots' series (the
# pooled result red, the signal blue, the Shift lesson's four poolings red, blue, green and
# purple); a plot's grid lines and its zero line.
FRAME_COLOR = "#222"
RED = "#e4002b"
RED_TINT = "rgba(228,0,43,0.14)"  # RED, see-through: the band of a window over a plot
BLUE = "#1f77b4"
GREEN = "#2ca02c"
PURPLE = "#9467bd"
PLOT_GRID_COLOR = "#eee"
PLOT_ZERO_COLOR = "#ccc"
# What is there to be hovered or clicked, not seen.
TRANSPARENT = "rgba(0,0,0,0)"


def format_value(value: float) -> str:
    """A number as the engine's explanations write it: ``3``, ``2.25``, ``0.3333``, ``−∞``.

    The very function :func:`pooling_core.explain` formats its formulas with, so that a cell, the
    list of a window's cells and the worked arithmetic beside them always agree to the digit.

    Examples
    --------
    >>> [format_value(v) for v in (3.0, 2.25, 1 / 3, -float("inf"), float("nan"), -0.5, 147.6)]
    ['3', '2.25', '0.3333', '−∞', 'NaN', '−0.5', '147.6']
    """
    return format_number(float(value))


def cell_texts(grid: np.ndarray, decimals: int | None = None) -> list[list[str]] | None:
    """The printed value of every cell, or None when the grid is too big to print; with
    ``decimals``, each value rounded to that many decimals first (a photo's cells print as
    whole numbers, which fit where ``14.69`` does not).

    Examples
    --------
    >>> cell_texts(np.array([[14.69, 2.5, -0.4, 255.0]]), decimals=0)
    [['15', '3', '0', '255']]
    """
    if max(grid.shape) > TEXT_MAX_SIDE:
        return None
    values = np.asarray(grid, dtype=np.float64)
    if decimals is not None:
        # halves away from zero, as people round (NumPy's own rounds 2.5 to 2); + 0.0: no "−0"
        scale = 10.0 ** decimals
        with np.errstate(invalid="ignore"):
            values = np.where(np.isfinite(values),
                              np.sign(values) * np.floor(np.abs(values) * scale + 0.5) / scale,
                              values) + 0.0
    return [[format_value(v) for v in row] for row in values]


def rounding_for(values: np.ndarray, is_photo: bool) -> int | None:
    """The decimals a view's cells print: 0 for a photo whose values lie in 0…255 (pixel
    values; a grey conversion or an average makes fractions that do not fit a cell), None —
    exact — otherwise.

    Examples
    --------
    >>> rounding_for(np.array([0.0, 14.7, 255.0]), True), rounding_for(np.array([0.5]), False)
    (0, None)
    >>> rounding_for(np.array([-1.0, 3.0]), True) is None
    True
    """
    if not is_photo:
        return None
    lo, hi = finite_range(values)
    return 0 if lo >= 0 and hi <= 255 else None


def finite_range(*grids: np.ndarray) -> tuple[float, float]:
    """Smallest and largest finite value over the grids (``(0, 1)`` when there is none)."""
    lo, hi = np.inf, -np.inf
    for grid in grids:
        # masked reductions in the array's own dtype: no float64 copy of a 12-megapixel photo
        values = np.asarray(grid)
        finite = np.isfinite(values)
        lo = min(lo, float(np.min(values, where=finite, initial=np.inf)))
        hi = max(hi, float(np.max(values, where=finite, initial=-np.inf)))
    if lo > hi:
        return 0.0, 1.0
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    return lo, hi


def colour_values(grid: np.ndarray, value_range: tuple[float, float]) -> np.ndarray:
    """float32 values to colour by: ±∞ pinned to the ends of the range, NaN left as a gap."""
    values = np.asarray(grid, dtype=np.float32)
    lo, hi = value_range
    return np.where(np.isposinf(values), hi, np.where(np.isneginf(values), lo, values)).astype(
        np.float32
    )


def value_heatmap(
    grid: np.ndarray,
    *,
    x_offset: float = 0,
    y_offset: float = 0,
    name: str = "",
    coloraxis: str = "coloraxis",
    value_range: tuple[float, float] | None = None,
    show_text: bool = True,
    decimals: int | None = None,
) -> go.Heatmap:
    """A heatmap of ``grid`` placed at the offsets, its values printed while small (rounded to
    ``decimals`` when given; hovering a cell still gives its exact value): plotly's validated
    object of :func:`value_heatmap_spec`'s trace, for figures built with plotly's objects."""
    spec = value_heatmap_spec(grid, x_offset=x_offset, y_offset=y_offset, name=name,
                              coloraxis=coloraxis, value_range=value_range,
                              show_text=show_text, decimals=decimals)
    spec.pop("type")
    return go.Heatmap(**spec)


def band_path(outer: tuple[int, int, int, int], inner: tuple[int, int, int, int], *,
              x_offset: float = 0, y_offset: float = 0) -> str:
    """Path of the cells inside box ``outer`` but outside box ``inner`` (up to four bands).

    Boxes are ``(row_lo, row_hi, col_lo, col_hi)`` with ``hi`` exclusive and ``inner ⊆ outer``.
    """
    o_r0, o_r1, o_c0, o_c1 = outer
    i_r0, i_r1, i_c0, i_c1 = inner
    bands = [
        (o_r0, i_r0, o_c0, o_c1),  # above
        (i_r1, o_r1, o_c0, o_c1),  # below
        (i_r0, i_r1, o_c0, i_c0),  # left
        (i_r0, i_r1, i_c1, o_c1),  # right
    ]
    return "".join(
        rect_path(r0, c0, r1, c1, x_offset=x_offset, y_offset=y_offset)
        for r0, r1, c0, c1 in bands if r1 > r0 and c1 > c0
    )


def padding_decorations(
    in_hw: tuple[int, int],
    reach: tuple[tuple[int, int], tuple[int, int]],
    pad_lo: tuple[int, int],
    pad_hi: tuple[int, int],
    label: str,
    *,
    x_offset: float = 0,
    y_offset: float = 0,
    read: tuple[np.ndarray, np.ndarray] | None = None,
    plain: bool = False,
) -> tuple[list[dict], list[go.Scatter]]:
    """Grey, hatched padding cells around an ``in_hw`` grid, and lighter ceil-mode overhang.

    Drawn as static shapes under the heatmaps (a few bands, whatever the grid size) rather than a
    heatmap of its own, which would cost as many bytes as the input. ``reach`` is
    ``geometry.pad`` (how far windows reach, overhang included); ``pad_lo``/``pad_hi`` the padding
    the user set. While the grid is small, ``label`` (what a padded cell counts as: ``−∞``, ``0``)
    is printed in each padding cell. Returns ``(shapes, traces)``; with ``plain`` the traces are
    plain dicts (for a figure built as a dict, :func:`figure_spec`).

    ``read`` — the input rows and columns some window reads (:func:`read_lines`) — marks the
    padding cells no window reads: they stay drawn (the padding exists on every side it was
    declared) but paler (:data:`UNREAD_COLOR`), dashed, unhatched and unlabelled, with a hover
    saying so. A window reads every pair of one of its rows and one of its columns, and
    every row window meets every column window, so the cells read are exactly rows × columns.
    """
    height, width = in_hw
    (top, bottom), (left, right) = reach
    inner = (0, height, 0, width)
    padded = (-pad_lo[0], height + pad_hi[0], -pad_lo[1], width + pad_hi[1])
    outer = (-top, height + bottom, -left, width + right)
    padded = (max(padded[0], outer[0]), min(padded[1], outer[1]), max(padded[2], outer[2]),
              min(padded[3], outer[3]))
    offsets = {"x_offset": x_offset, "y_offset": y_offset}
    look = profile()
    shapes, traces = [], []
    padding = band_path(padded, inner, **offsets)
    overhang = band_path(outer, padded, **offsets)
    if overhang:
        shapes.append(path_shape(overhang, color="#bbbbbb", width=1, fill=OVERHANG_COLOR,
                                 dash="dot", layer="below"))
    if not padding:
        return shapes, traces
    unread = [] if read is None else unread_padding(padded, in_hw, read)
    if unread:
        # the read padding as cells (the unread ones may cut its bands anywhere), the unread
        # ones paler and dashed
        read_cells = set(padding_cells(padded, in_hw)) - set(unread)
        if read_cells:
            shapes.append(path_shape(cells_path(sorted(read_cells), **offsets),
                                     color=look.pad_line_color, width=1, fill=look.pad_color,
                                     layer="below"))
        shapes.append(path_shape(cells_path(unread, **offsets), color=look.pad_line_color,
                                 width=1, fill=UNREAD_COLOR, dash="dash", layer="below"))
        traces.append(_scatter(
            plain,
            x=[x_offset + c + 0.5 for _, c in unread], y=[y_offset + r + 0.5 for r, _ in unread],
            mode="markers", marker={"size": 1, "opacity": 0}, name="unread",
            hovertemplate=t("figures.unread_hover") + "<extra></extra>"))
    else:
        shapes.append(path_shape(padding, color=look.pad_line_color, width=1,
                                 fill=look.pad_color, layer="below"))
    small = max(outer[1] - outer[0], outer[3] - outer[2]) <= TEXT_MAX_SIDE
    if not small:
        return shapes, traces
    skipped = set(unread)
    cells = [cell for cell in padding_cells(padded, in_hw) if cell not in skipped]
    if not cells:
        return shapes, traces
    hatch = "".join(
        f"M{_num(x_offset + c)},{_num(y_offset + r + 1)}L{_num(x_offset + c + 1)},"
        f"{_num(y_offset + r)}" for r, c in cells
    )
    shapes.append(path_shape(hatch, color=look.hatch_color, width=1, layer="below"))
    if not label:
        return shapes, traces
    traces.append(_scatter(
        plain,
        x=[x_offset + c + 0.5 for _, c in cells], y=[y_offset + r + 0.5 for r, _ in cells],
        text=[label] * len(cells), mode="text",
        textfont={"color": look.pad_text_color, "size": font_px(12)},
        hovertemplate=t("figures.padding_hover") + "<extra></extra>", name="padding",
    ))
    return shapes, traces


def _scatter(plain: bool, **properties) -> go.Scatter | dict:
    """A scatter trace: plotly's validated one, or with ``plain`` the same as a plain dict (for
    a figure built as a dict, :func:`figure_spec`)."""
    return {"type": "scatter", **properties} if plain else go.Scatter(**properties)


def padding_cells(padded: tuple[int, int, int, int], in_hw: tuple[int, int]
                  ) -> list[tuple[int, int]]:
    """``(row, col)`` of the cells of box ``padded`` outside the ``in_hw`` grid, row by row."""
    height, width = in_hw
    return [(r, c) for r in range(padded[0], padded[1]) for c in range(padded[2], padded[3])
            if not (0 <= r < height and 0 <= c < width)]


def read_lines(geometry) -> tuple[np.ndarray, np.ndarray]:
    """The input rows and columns that some window of ``geometry`` reads (padding included).

    Examples
    --------
    >>> import pooling_core as pc
    >>> rows, cols = read_lines(pc.window_geometry((4, 4), 3, 2, 1))
    >>> rows.tolist(), cols.tolist()
    ([-1, 0, 1, 2, 3], [-1, 0, 1, 2, 3])
    """
    return np.unique(geometry.row_taps), np.unique(geometry.col_taps)


def unread_padding(padded: tuple[int, int, int, int], in_hw: tuple[int, int],
                   read: tuple[np.ndarray, np.ndarray]) -> list[tuple[int, int]]:
    """The padding cells of box ``padded`` whose row or column no window reads.

    Examples
    --------
    4×4, window 3, stride 2, padding 1: rows and columns −1 … 3 are read, so the bottom row
    and the right column of the padding (index 4) are not — 6 + 6 − 1 = 11 cells.

    >>> cells = unread_padding((-1, 5, -1, 5), (4, 4), ([-1, 0, 1, 2, 3], [-1, 0, 1, 2, 3]))
    >>> len(cells), cells[:3], (4, 4) in cells
    (11, [(-1, 4), (0, 4), (1, 4)], True)
    """
    rows, cols = (set(np.asarray(lines).tolist()) for lines in read)
    return [(r, c) for r, c in padding_cells(padded, in_hw) if r not in rows or c not in cols]


def drawn_geometry(geometry, padding):
    """``geometry`` with its ``pad`` widened to the declared padding on every side, for a
    picture: the padding exists on all four sides, whether or not a window reaches it.

    Examples
    --------
    >>> import pooling_core as pc
    >>> g = pc.window_geometry((4, 4), 3, 2, 1)
    >>> g.pad, drawn_geometry(g, 1).pad
    (((1, 0), (1, 0)), ((1, 1), (1, 1)))
    """
    (top, left), (bottom, right) = declared_padding(padding, geometry)
    (reach_top, reach_bottom), (reach_left, reach_right) = geometry.pad
    pad = ((max(top, reach_top), max(bottom, reach_bottom)),
           (max(left, reach_left), max(right, reach_right)))
    return dataclasses.replace(geometry, pad=pad)


def _num(value: float) -> str:
    """Shortest text for a path coordinate."""
    return f"{value:g}"


def rect_path(row0: float, col0: float, row1: float, col1: float, *, x_offset: float = 0,
              y_offset: float = 0) -> str:
    """SVG path of the rectangle covering cells ``[row0, row1) × [col0, col1)``."""
    left, right = _num(x_offset + col0), _num(x_offset + col1)
    top, bottom = _num(y_offset + row0), _num(y_offset + row1)
    return f"M{left},{top}H{right}V{bottom}H{left}Z"


def cells_path(cells: Iterable[tuple[int, int]], *, x_offset: float = 0,
               y_offset: float = 0) -> str:
    """SVG path outlining each of ``cells`` (``(row, col)`` pairs) as its own square."""
    parts = [rect_path(r, c, r + 1, c + 1, x_offset=x_offset, y_offset=y_offset) for r, c in cells]
    return "".join(parts) or empty_path(x_offset, y_offset)


def empty_path(x: float = 0, y: float = 0) -> str:
    """A path that draws nothing (frames must keep every shape, so a hidden one is empty)."""
    return f"M{_num(x)},{_num(y)}Z"


def window_path(row_taps: Sequence[int], col_taps: Sequence[int], *, x_offset: float = 0,
                y_offset: float = 0) -> str:
    """The window whose taps are ``row_taps × col_taps``.

    Without dilation the taps are a solid block and one rectangle says it; with dilation only the
    sampled cells are outlined, so the gaps between them stay visible.
    """
    rows, cols = list(row_taps), list(col_taps)
    solid_rows = all(b - a == 1 for a, b in itertools.pairwise(rows))
    solid_cols = all(b - a == 1 for a, b in itertools.pairwise(cols))
    if solid_rows and solid_cols:
        return rect_path(rows[0], cols[0], rows[-1] + 1, cols[-1] + 1, x_offset=x_offset,
                         y_offset=y_offset)
    return cells_path([(r, c) for r in rows for c in cols], x_offset=x_offset, y_offset=y_offset)


def path_shape(path: str, *, color: str, width: float = 3, fill: str | None = None,
               dash: str | None = None, layer: str = "above") -> dict:
    """A layout shape drawing ``path`` (``width`` in normal-profile pixels)."""
    shape = {"type": "path", "path": path, "line": {"color": color, "width": line_px(width)},
             "layer": layer, "xref": "x", "yref": "y"}
    if fill:
        shape["fillcolor"] = fill
    if dash:
        shape["line"]["dash"] = dash
    return shape


def fit_cell_px(span_x: float, span_y: float, *, max_width_px: float | None = None,
                max_plot_height_px: float | None = None, side_px: float = 0) -> int:
    """Pixels per cell so that ``span_x × span_y`` cells (plus ``side_px`` of margins) fit
    ``max_width_px`` × ``max_plot_height_px`` (default: the profile's page and plot height).

    Examples
    --------
    >>> fit_cell_px(8, 5, max_width_px=540, side_px=84)   # the worked 4×4 and its 2×2 output
    56
    >>> fit_cell_px(98, 66, side_px=84)                   # a 64×64 drawing and its 32×32 output
    8
    """
    look = profile()
    max_width_px = look.page_px if max_width_px is None else max_width_px
    max_plot_height_px = look.plot_height_max_px if max_plot_height_px is None \
        else max_plot_height_px
    fit = min((max_width_px - side_px) / max(span_x, 1), max_plot_height_px / max(span_y, 1))
    return int(np.clip(fit, CELL_PX_MIN, look.cell_px_max))


def rows_for_px(pixels: float, cell_px: float) -> int:
    """Whole cells needed to make room for ``pixels`` (a caption under a grid)."""
    return max(1, math.ceil(pixels / max(cell_px, 1)))


def cell_font_cap(cell_px: float) -> int:
    """Largest font for a cell's number: a share of the cell, so numbers grow with the cells."""
    look = profile()
    return int(np.clip(cell_px * look.cell_font_share, look.cell_font_min_px,
                       look.cell_font_max_px))


def cell_font_px(cell_px: float, texts: Iterable[str], gap_px: float = 0) -> int:
    """The font size plotly's automatic heatmap text takes in cells of ``cell_px`` pixels.

    plotly fits the longest text of a trace into the cell (a character ≈ 0.65 em wide, a line
    1.3 em high) and caps it at the layout's font size, which :func:`grid_layout` sets to
    :func:`cell_font_cap`.

    Examples
    --------
    >>> cell_font_px(56, ["7"]), cell_font_px(56, ["3.75"]), cell_font_px(32, ["0.1667"])
    (25, 21, 8)
    """
    longest = max((len(text) for text in texts), default=1)
    room = cell_px - gap_px
    fit = min(math.floor(room / (max(longest, 1) * CHAR_WIDTH_EM)),
              math.floor(room / LINE_HEIGHT_EM))
    return int(min(fit, cell_font_cap(cell_px)))


def marker_shapes(path: str, *, color: str, width: float = 3, fill: str | None = None,
                  dash: str | None = None, casing: str | None = None) -> list[dict]:
    """A marker over cells: its casing (``casing``, by default ``CASING[color]``; wider,
    carrying ``fill``), then the coloured line on top; both draw ``path``.

    The casing is what keeps the marker ≥ 3:1 against cells the colour itself does not contrast
    with (see :data:`CASING`).
    """
    under = path_shape(path, color=casing or CASING[color], width=width + CASING_EXTRA_PX,
                       fill=fill, dash=dash)
    return [under, path_shape(path, color=color, width=width, dash=dash)]


def parse_colour(colour: str) -> tuple[float, float, float, float]:
    """``(r, g, b, alpha)`` of ``#rgb``, ``#rrggbb``, ``rgb(…)`` or ``rgba(…)``.

    Examples
    --------
    >>> parse_colour("#fa0"), parse_colour("rgba(1, 2, 3, 0.5)")
    ((255.0, 170.0, 0.0, 1.0), (1.0, 2.0, 3.0, 0.5))
    """
    colour = {"white": "#ffffff", "black": "#000000"}.get(colour.strip().lower(),
                                                          colour.strip().lower())
    if colour.startswith("#"):
        digits = colour[1:]
        if len(digits) == 3:
            digits = "".join(d * 2 for d in digits)
        return (*(float(v) for v in plotly.colors.hex_to_rgb("#" + digits)), 1.0)
    parts = [float(v) for v in colour[colour.index("(") + 1:colour.index(")")].split(",")]
    return (parts[0], parts[1], parts[2], parts[3] if len(parts) > 3 else 1.0)


def composite(under: np.ndarray, overlay: str) -> np.ndarray:
    """RGB of ``overlay`` (a possibly translucent colour) painted over the RGB ``under``, as a
    browser blends SVG fills (in sRGB, rounded to whole levels)."""
    r, g, b, alpha = parse_colour(overlay)
    return np.rint(alpha * np.array([r, g, b]) + (1 - alpha) * np.asarray(under, float))


def relative_luminance(rgb: np.ndarray) -> np.ndarray:
    """WCAG 2.1 relative luminance of sRGB colours ``(..., 3)`` in 0..255."""
    channel = np.asarray(rgb, dtype=np.float64) / 255.0
    linear = np.where(channel <= 0.04045, channel / 12.92, ((channel + 0.055) / 1.055) ** 2.4)
    return linear @ np.array([0.2126, 0.7152, 0.0722])


def contrast_ratio(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """WCAG 2.1 contrast ratio (1..21) between colours ``(..., 3)``."""
    a, b = relative_luminance(first), relative_luminance(second)
    return (np.maximum(a, b) + 0.05) / (np.minimum(a, b) + 0.05)


def scale_colours(colorscale, share: np.ndarray, reverse: bool = False) -> np.ndarray:
    """RGB ``(..., 3)`` of a plotly colour scale at ``share`` (0..1), interpolated linearly
    between its stops as plotly.js does."""
    stops = plotly.colors.get_colorscale(colorscale) if isinstance(colorscale, str) \
        else [list(stop) for stop in colorscale]
    where = np.array([float(stop) for stop, _ in stops])
    colours = np.array([parse_colour(colour)[:3] for _, colour in stops])
    if reverse:
        where, colours = 1 - where[::-1], colours[::-1]
    share = np.clip(np.asarray(share, dtype=np.float64), 0, 1)
    return np.stack([np.interp(share, where, colours[:, k]) for k in range(3)], axis=-1)


def text_colours(cells: np.ndarray, tints: Sequence[str] = ()) -> np.ndarray:
    """Black or white for numbers on cells of RGB ``cells`` ``(..., 3)``: whichever has the
    higher WCAG contrast, counted at its worst over the cell as it is and under each of
    ``tints`` (translucent overlays that may come and go over it)."""
    cells = np.rint(np.asarray(cells, dtype=np.float64))
    looks = [cells, *(composite(cells, tint) for tint in tints)]
    dark, light = parse_colour(TEXT_DARK)[:3], parse_colour(TEXT_LIGHT)[:3]
    worst_dark = np.min([contrast_ratio(look, np.array(dark)) for look in looks], axis=0)
    worst_light = np.min([contrast_ratio(look, np.array(light)) for look in looks], axis=0)
    return np.where(worst_dark >= worst_light, TEXT_DARK, TEXT_LIGHT)


def _coloured_cells(fig: go.Figure, trace) -> np.ndarray:
    """RGB of each cell of a heatmap as drawn: its colour scale (the trace's or its colour
    axis's) at its value, the plot's background colour where there is no value."""
    z = np.asarray(trace.z, dtype=np.float64)
    if trace.coloraxis:
        axis = fig.layout[trace.coloraxis]
        scale, reverse, lo, hi = axis.colorscale, axis.reversescale, axis.cmin, axis.cmax
        shared = [np.asarray(t.z, dtype=np.float64) for t in fig.data
                  if t.type == "heatmap" and t.coloraxis == trace.coloraxis and t.z is not None]
    else:
        scale, reverse, lo, hi = trace.colorscale, trace.reversescale, trace.zmin, trace.zmax
        shared = [z]
    if lo is None or hi is None:  # plotly's automatic range: the values' own
        auto = finite_range(*shared)
        lo = auto[0] if lo is None else lo
        hi = auto[1] if hi is None else hi
    scale = scale if scale is not None else profile().colorscale
    share = (z - lo) / (hi - lo) if hi > lo else np.full_like(z, 0.5)
    colours = scale_colours(scale, np.nan_to_num(share), bool(reverse))
    background = parse_colour(fig.layout.plot_bgcolor or "#ffffff")[:3]
    return np.where(np.isfinite(z)[..., None], np.rint(colours), np.array(background))


def _text_layer(trace, texts: np.ndarray, show: np.ndarray, colour: str, size: int) -> go.Heatmap:
    """A transparent heatmap over ``trace`` that only prints ``texts`` where ``show``, in
    ``colour`` (plotly gives one text colour per heatmap)."""
    layer = go.Heatmap(
        z=np.zeros(texts.shape, dtype=np.uint8), x=trace.x, y=trace.y, x0=trace.x0,
        dx=trace.dx, y0=trace.y0, dy=trace.dy, xgap=trace.xgap, ygap=trace.ygap,
        colorscale=[[0, TRANSPARENT], [1, TRANSPARENT]], showscale=False,
        hoverinfo="skip", name=f"{trace.name or ''} {colour}".strip(),
        text=np.where(show, texts, "").tolist(), texttemplate="%{text}",
        textfont={"color": colour, "size": size},
    )
    return layer


def colour_cell_texts(fig: go.Figure, tints: Sequence[str] = (),
                      cell_px: float | None = None) -> None:
    """Print every heatmap's numbers in black or white, cell by cell (:func:`text_colours`).

    plotly colours a heatmap's numbers itself (``#444`` or white, often under 4.5:1) and takes
    one colour per trace, so a printed heatmap keeps its texts for hovering and two transparent
    heatmaps drawn over it print them: the black ones and the white ones, at the size plotly
    would give the heatmap's own (:func:`cell_font_px`). ``tints`` are translucent overlays that
    may come over any cell (the animation's window). Without ``cell_px`` (a figure not laid
    out by :func:`grid_layout`) plotly sizes the numbers.
    """
    layers = []
    for trace in fig.data:
        if trace.type != "heatmap" or not trace.texttemplate or trace.text is None:
            continue
        if trace.textfont.color:
            continue  # a text layer, or a heatmap that chose its own colour
        texts = np.array(trace.text, dtype=object)
        colours = text_colours(_coloured_cells(fig, trace), tints)
        texts_flat = [text for row in trace.text for text in row]
        size = cell_font_px(cell_px, texts_flat, trace.xgap or 0) if cell_px else None
        trace.texttemplate = None
        for colour in (TEXT_DARK, TEXT_LIGHT):
            show = (colours == colour) & (texts != "")
            if show.any():
                layers.append(_text_layer(trace, texts, show, colour, size))
    fig.add_traces(layers)


def fit_cell_texts(fig: go.Figure, cell_px: float) -> None:
    """Print the numbers in the cells only where they can be read at ``cell_px``.

    A heatmap whose numbers would come out smaller than the profile's ``cell_font_min_px`` keeps
    them for hovering but stops printing them; the labels of padding cells follow the same rule.
    """
    smallest = profile().cell_font_min_px
    for trace in fig.data:
        if trace.type == "heatmap" and trace.texttemplate and trace.text is not None:
            texts = [text for row in trace.text for text in row]
            if cell_font_px(cell_px, texts, trace.xgap or 0) < smallest:
                trace.texttemplate = None
        elif trace.type == "scatter" and trace.mode == "text" and trace.text is not None:
            size = cell_font_px(cell_px, list(trace.text))
            if size < smallest:
                trace.update(mode="markers", marker={"symbol": "square", "size": cell_px,
                                                     "color": TRANSPARENT})
            else:
                trace.update(textfont={"size": size})


def _cells_layout(x_range, y_range, *, cell_px, max_width_px, max_plot_height_px, colorbar,
                  margin, min_width_px) -> tuple[int, dict, dict]:
    """What :func:`grid_layout` and :func:`grid_layout_spec` both set: the cell size, the layout
    (sizes, margins, fonts, the colour bar) and the settings of every axis (ranges apart)."""
    look = profile()
    margin = {"l": 8, "r": look.colorbar_px if colorbar else 8, "t": look.label_row_px, "b": 8,
              **(margin or {})}
    span_x, span_y = x_range[1] - x_range[0], y_range[1] - y_range[0]
    if cell_px is None:
        cell_px = fit_cell_px(span_x, span_y, max_width_px=max_width_px,
                              max_plot_height_px=max_plot_height_px,
                              side_px=margin["l"] + margin["r"])
    width = round(span_x * cell_px) + margin["l"] + margin["r"]
    if width < min_width_px:
        margin["r"] += min_width_px - width
        width = min_width_px
    axis = {"showgrid": False, "zeroline": False, "visible": False, "constrain": "domain",
            "fixedrange": True}
    layout = {
        "width": width,
        "height": round(span_y * cell_px) + margin["t"] + margin["b"],
        "autosize": False,
        "margin": {**margin, "pad": 0, "autoexpand": False},
        "plot_bgcolor": "white",
        "showlegend": False,
        # The layout's font size caps plotly's automatic size of the numbers in the cells; every
        # other text of the figure sets its own size.
        "font": {"size": cell_font_cap(cell_px)},
        "hoverlabel": {"font": {"size": ui_font_px()}},
        "coloraxis": {"colorbar": {
            "thickness": font_px(12), "x": 1, "xanchor": "left", "xpad": 8, "len": 1,
            "lenmode": "fraction", "y": 0.5, "yanchor": "middle",
            "tickfont": {"size": small_font_px()}}} if colorbar else {"showscale": False},
    }
    return cell_px, layout, axis


def grid_layout(fig: go.Figure, x_range: tuple[float, float], y_range: tuple[float, float],
                *, cell_px: int | None = None, max_width_px: float | None = None,
                max_plot_height_px: float | None = None, colorbar: bool = True,
                margin: dict | None = None, min_width_px: int = 0,
                text_tints: Sequence[str] = ()) -> int:
    """Square cells of a fixed size, rows downwards, no axes; returns the cell size in pixels.

    The figure gets the exact ``width`` and ``height`` its cells need (plus the margins: the
    colour bar on the right when ``colorbar``), so it must be shown with
    ``st.plotly_chart(..., width="content")``. ``cell_px`` defaults to the largest size that
    fits ``max_width_px`` × ``max_plot_height_px`` (default: the profile's). A figure narrower
    than ``min_width_px`` (room for buttons under it) is widened on the right, the grids staying
    where they are. The profile's fonts apply, and its colour scale replaces the normal one.
    Numbers are printed black or white by contrast with their cells, also under ``text_tints``
    (:func:`colour_cell_texts`).
    """
    cell_px, layout, axis = _cells_layout(
        x_range, y_range, cell_px=cell_px, max_width_px=max_width_px,
        max_plot_height_px=max_plot_height_px, colorbar=colorbar, margin=margin,
        min_width_px=min_width_px)
    look = profile()
    for name in _axis_names(fig, "x"):
        layout[name] = {"range": list(x_range), **axis}
    for name in _axis_names(fig, "y"):
        layout[name] = {"range": [y_range[1], y_range[0]], "scaleanchor": "x", "scaleratio": 1,
                        **axis}
    # The whole layout replaced once, not updated part by part: plotly's updates go through its
    # relayout machinery, which parses, re-validates and copies what the figure already holds
    # (its shapes, its annotations) at every call; this validates the layout once, a third of
    # the time it took to lay out a figure (benchmarks/run_profile_cpu.md).
    fig.layout = _merged(fig.layout.to_plotly_json(), layout)
    _use_profile_colorscale(fig, look)
    fit_cell_texts(fig, cell_px)
    colour_cell_texts(fig, text_tints, cell_px)
    return cell_px


# Dict twins of the helpers above, for a figure built as a plain dict from start to end (the
# animation's): plotly's validated objects cost more to build than the figure's numbers, and a
# figure dict sent through :func:`pooling_ui.base.caching.cached_figure` is never validated.
# :func:`figure_spec` finishes such a figure as plotly's ``to_dict`` would have written it: the
# same keys in the same order, the same values (tests/test_figure_cache.py compares the JSON).


def value_heatmap_spec(
    grid: np.ndarray,
    *,
    x_offset: float = 0,
    y_offset: float = 0,
    name: str = "",
    coloraxis: str = "coloraxis",
    value_range: tuple[float, float] | None = None,
    show_text: bool = True,
    decimals: int | None = None,
) -> dict:
    """A heatmap trace of ``grid`` as a plain dict (see :func:`value_heatmap`)."""
    grid = np.asarray(grid)
    value_range = value_range or finite_range(grid)
    texts = cell_texts(grid, decimals) if show_text else None
    gap = profile().cell_gap_px if texts is not None else 0
    trace = {"type": "heatmap", "z": colour_values(grid, value_range), "x0": x_offset + 0.5,
             "dx": 1, "y0": y_offset + 0.5, "dy": 1, "coloraxis": coloraxis, "name": name,
             "xgap": gap, "ygap": gap}
    if texts is not None and decimals is not None:
        trace.update(text=texts, texttemplate="%{text}", customdata=cell_texts(grid),
                     hovertemplate=t("figures.value_hover") + " %{customdata}<extra></extra>")
    elif texts is not None:
        trace.update(text=texts, texttemplate="%{text}",
                     hovertemplate=t("figures.value_hover") + " %{text}<extra></extra>")
    else:
        trace.update(hovertemplate=t("figures.value_hover") + " %{z:.4g}<extra></extra>")
    return trace


def _coloured_cells_spec(traces: list[dict], layout: dict, trace: dict) -> np.ndarray:
    """:func:`_coloured_cells` of a plain trace dict in a plain figure."""
    z = np.asarray(trace["z"], dtype=np.float64)
    if trace.get("coloraxis"):
        axis = layout.get(trace["coloraxis"], {})
        scale, reverse = axis.get("colorscale"), axis.get("reversescale")
        lo, hi = axis.get("cmin"), axis.get("cmax")
        shared = [np.asarray(other["z"], dtype=np.float64) for other in traces
                  if other["type"] == "heatmap" and other.get("coloraxis") == trace["coloraxis"]
                  and other.get("z") is not None]
    else:
        scale, reverse = trace.get("colorscale"), trace.get("reversescale")
        lo, hi = trace.get("zmin"), trace.get("zmax")
        shared = [z]
    if lo is None or hi is None:
        auto = finite_range(*shared)
        lo = auto[0] if lo is None else lo
        hi = auto[1] if hi is None else hi
    scale = scale if scale is not None else profile().colorscale
    share = (z - lo) / (hi - lo) if hi > lo else np.full_like(z, 0.5)
    colours = scale_colours(scale, np.nan_to_num(share), bool(reverse))
    background = parse_colour(layout.get("plot_bgcolor") or "#ffffff")[:3]
    return np.where(np.isfinite(z)[..., None], np.rint(colours), np.array(background))


def colour_cell_texts_spec(traces: list[dict], layout: dict, tints: Sequence[str] = (),
                           cell_px: float | None = None) -> None:
    """:func:`colour_cell_texts` on a plain figure's trace dicts (the layers are appended)."""
    layers = []
    for trace in traces:
        if trace["type"] != "heatmap" or not trace.get("texttemplate") \
                or trace.get("text") is None:
            continue
        if trace.get("textfont", {}).get("color"):
            continue
        texts = np.array(trace["text"], dtype=object)
        colours = text_colours(_coloured_cells_spec(traces, layout, trace), tints)
        texts_flat = [text for row in trace["text"] for text in row]
        size = cell_font_px(cell_px, texts_flat, trace.get("xgap") or 0) if cell_px else None
        del trace["texttemplate"]
        for colour in (TEXT_DARK, TEXT_LIGHT):
            show = (colours == colour) & (texts != "")
            if show.any():
                layer = {"type": "heatmap", "z": np.zeros(texts.shape, dtype=np.uint8)}
                layer.update({key: trace[key] for key in ("x", "y", "x0", "dx", "y0", "dy",
                                                          "xgap", "ygap") if key in trace})
                layer.update(
                    colorscale=[[0, TRANSPARENT], [1, TRANSPARENT]], showscale=False,
                    hoverinfo="skip", name=f"{trace.get('name') or ''} {colour}".strip(),
                    text=np.where(show, texts, "").tolist(), texttemplate="%{text}",
                    textfont={"color": colour} if size is None else {"color": colour,
                                                                      "size": size})
                layers.append(layer)
    traces.extend(layers)


def fit_cell_texts_spec(traces: list[dict], cell_px: float) -> None:
    """:func:`fit_cell_texts` on a plain figure's trace dicts."""
    smallest = profile().cell_font_min_px
    for trace in traces:
        if trace["type"] == "heatmap" and trace.get("texttemplate") \
                and trace.get("text") is not None:
            texts = [text for row in trace["text"] for text in row]
            if cell_font_px(cell_px, texts, trace.get("xgap") or 0) < smallest:
                del trace["texttemplate"]
        elif trace["type"] == "scatter" and trace.get("mode") == "text" \
                and trace.get("text") is not None:
            size = cell_font_px(cell_px, list(trace["text"]))
            if size < smallest:
                trace["mode"] = "markers"
                trace["marker"] = _merged(trace.get("marker", {}), {
                    "symbol": "square", "size": cell_px, "color": TRANSPARENT})
            else:
                trace["textfont"] = _merged(trace.get("textfont", {}), {"size": size})


def grid_layout_spec(traces: list[dict], layout: dict, x_range: tuple[float, float],
                     y_range: tuple[float, float], *, cell_px: int | None = None,
                     max_width_px: float | None = None,
                     max_plot_height_px: float | None = None, colorbar: bool = True,
                     margin: dict | None = None, min_width_px: int = 0,
                     text_tints: Sequence[str] = ()) -> int:
    """:func:`grid_layout` on a plain figure: its trace dicts and its layout dict, both changed
    in place (one pair of axes, ``xaxis`` and ``yaxis``, as a figure without subplots)."""
    cell_px, changes, axis = _cells_layout(
        x_range, y_range, cell_px=cell_px, max_width_px=max_width_px,
        max_plot_height_px=max_plot_height_px, colorbar=colorbar, margin=margin,
        min_width_px=min_width_px)
    look = profile()
    for name in {"xaxis", *(key for key in layout if key.startswith("xaxis"))}:
        changes[name] = {"range": list(x_range), **axis}
    for name in {"yaxis", *(key for key in layout if key.startswith("yaxis"))}:
        changes[name] = {"range": [y_range[1], y_range[0]], "scaleanchor": "x",
                         "scaleratio": 1, **axis}
    layout.update(_merged(layout, changes))
    if look.colorscale != NORMAL.colorscale:
        for name, axis_spec in layout.items():
            scale = axis_spec.get("colorscale") if name.startswith("coloraxis") else None
            if scale is not None and _scale_key(_colorscale_list(scale)) == _NORMAL_SCALE:
                axis_spec["colorscale"] = look.colorscale
    fit_cell_texts_spec(traces, cell_px)
    colour_cell_texts_spec(traces, layout, text_tints, cell_px)
    return cell_px


_COLORSCALE = ColorscaleValidator("colorscale", "layout.coloraxis")


def _colorscale_list(scale) -> list:
    """A colour scale as plotly's validation writes it (plotly's own validator: a name becomes
    its ``[stop, colour]`` list, with stops computed as plotly computes them)."""
    return _COLORSCALE.validate_coerce(scale)


# Values plotly keeps as they are given ("info arrays" of anything: the arguments of a button or
# a slider step), so their dicts keep their own order; the template is plotly's own dict.
_OPAQUE_KEYS = frozenset({"args", "template"})


def _plotly_ordered(value):
    """``value`` with every dict's keys in plotly's order (its generated constructors set
    properties alphabetically), tuples as lists and named colour scales spelled out."""
    if isinstance(value, dict):
        ordered = {}
        for key in sorted(value):
            item = value[key]
            if key in _OPAQUE_KEYS:
                ordered[key] = item
            elif key == "colorscale" and isinstance(item, str):
                ordered[key] = _colorscale_list(item)
            else:
                ordered[key] = _plotly_ordered(item)
        return ordered
    if isinstance(value, (list, tuple)):
        return [_plotly_ordered(item) for item in value]
    return value


_TEMPLATES: dict[str, dict] = {}


def _template() -> dict:
    """The default template's dict, as a new plotly figure's layout carries it (shared,
    read-only: made once per template name)."""
    name = str(plotly.io.templates.default)
    template = _TEMPLATES.get(name)
    if template is None:
        template = go.Figure().to_dict()["layout"].get("template", {})
        _TEMPLATES[name] = template
    return template


def figure_spec(traces: list[dict], layout: dict) -> dict:
    """A plain figure (trace dicts, a layout dict) as plotly's ``Figure.to_dict()`` would give
    it: keys in plotly's order (a trace's ``type`` last), NumPy arrays as base64 typed arrays,
    the default template in the layout.

    Examples
    --------
    >>> spec = figure_spec([{"type": "heatmap", "z": np.zeros((1, 2), np.uint8), "name": "a"}],
    ...                    {"width": 100, "annotations": [{"y": 1, "text": "t"}]})
    >>> spec["data"]
    [{'name': 'a', 'z': {'dtype': 'u1', 'bdata': 'AAA=', 'shape': '1, 2'}, 'type': 'heatmap'}]
    >>> spec["layout"]["annotations"], "template" in spec["layout"]
    ([{'text': 't', 'y': 1}], True)
    """
    data = []
    for trace in traces:
        ordered = _plotly_ordered({key: value for key, value in trace.items() if key != "type"})
        ordered["type"] = trace["type"]
        data.append(ordered)
    spec = {"data": data,
            "layout": _plotly_ordered({**layout, "template": _template()})}
    convert_to_base64(spec["data"])
    return spec


def _merged(base: dict, changes: dict) -> dict:
    """``base`` with ``changes`` merged in, dictionaries key by key (as plotly's ``update``).

    Examples
    --------
    >>> _merged({"a": {"b": 1, "c": 2}, "d": [1]}, {"a": {"b": 3}, "d": [2], "e": 4})
    {'a': {'b': 3, 'c': 2}, 'd': [2], 'e': 4}
    """
    merged = dict(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merged(merged[key], value)
        else:
            merged[key] = value
    return merged


def _axis_names(fig: go.Figure, letter: str) -> list[str]:
    """The layout's names of the figure's ``letter`` axes (``xaxis``, ``xaxis2``, …): those
    ``fig.update_xaxes`` would update."""
    select = fig.select_xaxes if letter == "x" else fig.select_yaxes
    return [axis.plotly_name for axis in select()]


def _scale_key(colorscale) -> tuple:
    return tuple((round(float(stop), 6), str(colour).lower()) for stop, colour in colorscale)


_NORMAL_SCALE = _scale_key(plotly.colors.get_colorscale(NORMAL.colorscale))


def _use_profile_colorscale(fig: go.Figure, look: Profile) -> None:
    """Give the figure's colour axes that use the normal sequential scale the profile's one, so
    that every grid figure follows the profile, whoever built it."""
    if look.colorscale == NORMAL.colorscale:
        return
    for name in fig.layout:
        if name.startswith("coloraxis"):
            axis = fig.layout[name]
            if axis.colorscale is not None and _scale_key(axis.colorscale) == _NORMAL_SCALE:
                axis.colorscale = look.colorscale


def label_annotation(text: str, x: float, y: float, *, size: int = UI_FONT_PX,
                     anchor: str = "left", yref: str = "y") -> dict:
    """A static text label at ``x`` (data coordinates), written just above ``y``; ``size`` in
    normal-profile pixels.

    With ``yref="paper"`` and ``y=1`` the label sits in the top margin, above the plot.
    """
    return {"text": text, "x": x, "y": y, "xref": "x", "yref": yref, "showarrow": False,
            "xanchor": anchor, "yanchor": "bottom", "font": {"size": font_px(size)}}


def label_width_px(text: str, size: int = UI_FONT_PX) -> int:
    """About how wide :func:`label_annotation` draws ``text`` (``size`` in normal-profile
    pixels): a Chinese character takes a whole em, any other character about 0.6 of one — so a
    figure can be made wide enough for its label (plotly cuts what runs past its edge). At 12 px:
    21 narrow characters are 151.2 px; 7 wide and 3 narrow ones 84 + 21.6 px.

    Examples
    --------
    >>> label_width_px("output: max − average", 12), label_width_px("输出：最大 − 平均", 12)
    (152, 106)
    """
    em = font_px(size)
    return math.ceil(sum(em if unicodedata.east_asian_width(char) in "WF" else 0.6 * em
                         for char in text))


def pick_trace(height: int, width: int, cell_px: int, hover: str, *,
               x_offset: float = 0) -> go.Scatter:
    """An invisible square on each cell of a ``height × width`` grid drawn from ``x_offset``, so
    that a click on a cell selects it (the figure's ``clickmode`` includes ``"select"``).

    Each point's ``customdata`` is its ``(row, col)``, which
    :func:`pooling_ui.panels.common.clicked_cell` reads back; hovering shows ``hover`` and then
    ``[row,col]``.

    Examples
    --------
    >>> trace = pick_trace(1, 2, 20, "Pick ", x_offset=5)
    >>> trace.x, trace.y, [list(cell) for cell in trace.customdata]
    ((5.5, 6.5), (0.5, 0.5), [[0, 0], [0, 1]])
    """
    cells = [(r, c) for r in range(height) for c in range(width)]
    return go.Scatter(
        x=[x_offset + c + 0.5 for _, c in cells], y=[r + 0.5 for r, _ in cells],
        customdata=cells, mode="markers", name="pick",
        marker={"symbol": "square", "size": max(cell_px - 2, 4), "color": TRANSPARENT},
        hovertemplate=hover + "[%{customdata[0]},%{customdata[1]}]<extra></extra>",
        selected={"marker": {"opacity": 1}}, unselected={"marker": {"opacity": 1}},
    )


def declared_padding(padding, geometry) -> tuple[tuple[int, int], tuple[int, int]]:
    """(top, left) and (bottom, right) padding the user asked for, without ceil-mode overhang."""
    if isinstance(padding, str):
        (top, bottom), (left, right) = geometry.pad
        return (top, left), (bottom, right)
    if isinstance(padding, (int, np.integer)):
        padding = (padding, padding)
    return (int(padding[0]), int(padding[1])), (int(padding[0]), int(padding[1]))
