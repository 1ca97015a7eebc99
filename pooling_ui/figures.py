"""Plotly building blocks for grids of numbers: heatmaps with values in cells, outlines as paths.

Coordinates. Every grid figure uses one pair of axes in which cell ``(r, c)`` of a grid placed at
``(x0, y0)`` covers ``[x0 + c, x0 + c + 1] × [y0 + r, y0 + r + 1]`` (the y axis points down, like
matrix rows). Cell edges are integers, so an outline of cells is an
SVG path of rectangles with short integer coordinates — the most compact thing a plotly frame can
carry, which is what keeps the animation small enough to send to the browser in one go.

Nothing here computes pooling: the grids drawn are arrays :mod:`pooling_core` produced.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence

import numpy as np
import plotly.graph_objects as go

# Values are printed in the cells while the grid is at most this many cells on a side.
TEXT_MAX_SIDE = 24
COLORSCALE = "Viridis"
GRADIENT_COLORSCALE = "RdBu"
PAD_COLOR = "#c9c9c9"
OVERHANG_COLOR = "#ececec"
WINDOW_COLOR = "#e4002b"
WINNER_COLOR = "#ffb000"
MASK_COLOR = "rgba(255,255,255,0.92)"
# Pixels per cell: big enough to read numbers, small enough that a 64×64 grid fits a screen.
CELL_PX_MAX = 44
CELL_PX_MIN = 7
FIGURE_PX_TARGET = 560

STRINGS = {
    "value_hover": "value %{text}<extra></extra>",
    "value_hover_plain": "value %{z:.4g}<extra></extra>",
    "padding_hover": "padding<extra></extra>",
    "overhang_hover": "beyond the padding (ceil mode): not counted<extra></extra>",
}


def format_value(value: float) -> str:
    """A number as a person writes it in a cell: ``3``, ``2.25``, ``0.333``, ``−∞``, ``NaN``.

    Examples
    --------
    >>> [format_value(v) for v in (3.0, 2.25, 1 / 3, -float("inf"), float("nan"), -0.5, 186.5)]
    ['3', '2.25', '0.3333', '−∞', 'NaN', '−0.5', '186.5']
    """
    value = float(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    # Four significant digits, as the engine's explanations write them: 186.5 must not be
    # printed as 186 next to an explanation that says 186.5.
    text = str(int(value)) if value == int(value) and abs(value) < 1e6 else f"{value:.4g}"
    return text.replace("-", "−")


def cell_texts(grid: np.ndarray) -> list[list[str]] | None:
    """The printed value of every cell, or None when the grid is too big to print."""
    if max(grid.shape) > TEXT_MAX_SIDE:
        return None
    return [[format_value(v) for v in row] for row in np.asarray(grid, dtype=np.float64)]


def finite_range(*grids: np.ndarray) -> tuple[float, float]:
    """Smallest and largest finite value over the grids (``(0, 1)`` when there is none)."""
    lows, highs = [], []
    for grid in grids:
        values = np.asarray(grid, dtype=np.float64)
        finite = values[np.isfinite(values)]
        if finite.size:
            lows.append(finite.min())
            highs.append(finite.max())
    if not lows:
        return 0.0, 1.0
    lo, hi = float(min(lows)), float(max(highs))
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
) -> go.Heatmap:
    """A heatmap of ``grid`` placed at the offsets, its values printed while small."""
    grid = np.asarray(grid)
    value_range = value_range or finite_range(grid)
    texts = cell_texts(grid) if show_text else None
    trace = go.Heatmap(
        z=colour_values(grid, value_range),
        x0=x_offset + 0.5,
        dx=1,
        y0=y_offset + 0.5,
        dy=1,
        coloraxis=coloraxis,
        name=name,
        xgap=1 if texts is not None else 0,
        ygap=1 if texts is not None else 0,
    )
    if texts is not None:
        trace.update(text=texts, texttemplate="%{text}", hovertemplate=STRINGS["value_hover"])
    else:
        trace.update(hovertemplate=STRINGS["value_hover_plain"])
    return trace


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
) -> tuple[list[dict], list[go.Scatter]]:
    """Grey, hatched padding cells around an ``in_hw`` grid, and lighter ceil-mode overhang.

    Drawn as static shapes under the heatmaps (a few bands, whatever the grid size) rather than a
    heatmap of its own, which would cost as many bytes as the input. ``reach`` is
    ``geometry.pad`` (how far windows reach, overhang included); ``pad_lo``/``pad_hi`` the padding
    the user set. While the grid is small, ``label`` (what a padded cell counts as: ``−∞``, ``0``)
    is printed in each padding cell. Returns ``(shapes, traces)``.
    """
    height, width = in_hw
    (top, bottom), (left, right) = reach
    inner = (0, height, 0, width)
    padded = (-pad_lo[0], height + pad_hi[0], -pad_lo[1], width + pad_hi[1])
    outer = (-top, height + bottom, -left, width + right)
    padded = (max(padded[0], outer[0]), min(padded[1], outer[1]), max(padded[2], outer[2]),
              min(padded[3], outer[3]))
    offsets = {"x_offset": x_offset, "y_offset": y_offset}
    shapes, traces = [], []
    padding = band_path(padded, inner, **offsets)
    overhang = band_path(outer, padded, **offsets)
    if overhang:
        shapes.append(path_shape(overhang, color="#bbbbbb", width=1, fill=OVERHANG_COLOR,
                                 dash="dot", layer="below"))
    if not padding:
        return shapes, traces
    shapes.append(path_shape(padding, color="#9a9a9a", width=1, fill=PAD_COLOR, layer="below"))
    small = max(outer[1] - outer[0], outer[3] - outer[2]) <= TEXT_MAX_SIDE
    if not small:
        return shapes, traces
    cells = [(r, c) for r in range(padded[0], padded[1]) for c in range(padded[2], padded[3])
             if not (0 <= r < height and 0 <= c < width)]
    hatch = "".join(
        f"M{_num(x_offset + c)},{_num(y_offset + r + 1)}L{_num(x_offset + c + 1)},"
        f"{_num(y_offset + r)}" for r, c in cells
    )
    shapes.append(path_shape(hatch, color="#b0b0b0", width=1, layer="below"))
    if not label:
        return shapes, traces
    traces.append(go.Scatter(
        x=[x_offset + c + 0.5 for _, c in cells], y=[y_offset + r + 0.5 for r, _ in cells],
        text=[label] * len(cells), mode="text", textfont={"color": "#333", "size": 12},
        hovertemplate=STRINGS["padding_hover"], name="padding",
    ))
    return shapes, traces


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
    """A layout shape drawing ``path``."""
    shape = {"type": "path", "path": path, "line": {"color": color, "width": width},
             "layer": layer, "xref": "x", "yref": "y"}
    if fill:
        shape["fillcolor"] = fill
    if dash:
        shape["line"]["dash"] = dash
    return shape


def grid_axes(fig: go.Figure, x_range: tuple[float, float], y_range: tuple[float, float],
              *, cell_px: int | None = None, extra_height: int = 110) -> int:
    """Square cells, rows downwards, no ticks; returns the pixel size used for a cell."""
    span_x, span_y = x_range[1] - x_range[0], y_range[1] - y_range[0]
    if cell_px is None:
        cell_px = int(np.clip(FIGURE_PX_TARGET / max(span_y, span_x / 2, 1), CELL_PX_MIN,
                              CELL_PX_MAX))
    fig.update_xaxes(range=list(x_range), showgrid=False, zeroline=False, showticklabels=False,
                     constrain="domain", fixedrange=True)
    fig.update_yaxes(range=[y_range[1], y_range[0]], showgrid=False, zeroline=False,
                     showticklabels=False, scaleanchor="x", scaleratio=1, constrain="domain",
                     fixedrange=True)
    fig.update_layout(
        height=int(span_y * cell_px + extra_height),
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        plot_bgcolor="white",
        showlegend=False,
    )
    return cell_px


def label_annotation(text: str, x: float, y: float, *, size: int = 13,
                     anchor: str = "left") -> dict:
    """A static text label in data coordinates, written just above ``y``."""
    return {"text": text, "x": x, "y": y, "xref": "x", "yref": "y", "showarrow": False,
            "xanchor": anchor, "yanchor": "bottom", "font": {"size": size}}


def parse_rect_paths(path: str) -> list[tuple[float, float, float, float]]:
    """Rectangles ``(left, top, right, bottom)`` of a path made by :func:`rect_path`.

    The inverse of this module's paths, for the tests that read figures back from their JSON.

    Examples
    --------
    >>> parse_rect_paths(rect_path(1, 2, 3, 5))
    [(2.0, 1.0, 5.0, 3.0)]
    """
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


def rect_cells(rect: tuple[float, float, float, float], *, x_offset: float = 0,
               y_offset: float = 0) -> list[tuple[int, int]]:
    """The ``(row, col)`` cells a rectangle of :func:`parse_rect_paths` covers."""
    left, top, right, bottom = rect
    rows = range(round(top - y_offset), round(bottom - y_offset))
    cols = range(round(left - x_offset), round(right - x_offset))
    return [(r, c) for r in rows for c in cols]
