"""Photos on screen: one scale for a photo and its output, pictures shrunk or enlarged by whole
pixels, outlines of a region, the output blown up to the input's size, and a zoom.

Every page that shows a photo-like array goes through here (the Explorer's output, Gradients,
Compare, the Conv and Shift lessons), so a picture is fitted to the screen, cached and outlined
the same way everywhere. Pixels come from :func:`pooling_ui.data.images.to_display_uint8`;
nothing here computes pooling (the outputs drawn are arrays :mod:`pooling_core` produced).
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from pooling_ui.base import profile as pf
from pooling_ui.base.caching import cache_data, value_key
from pooling_ui.base.i18n import t
from pooling_ui.data.images import to_display_uint8
from pooling_ui.figures import grids as fg

# Largest height and width in pixels of a photo's input on screen, and the room kept free beside
# the input and its output side by side at the same scale (they fit the page less this gap).
PHOTO_BOX_PX = (520, 560)
PHOTO_ROW_GAP_PX = 40
# The grey of pixels that no output block covers, and the outline's width on screen.
UNCOVERED_GREY = 200
OUTLINE_PX = 2


def photo_value_range(data: np.ndarray) -> tuple[float, float]:
    """The values drawn black and white: 0..255 for an ordinary image, else the finite range."""
    lo, hi = fg.finite_range(data)
    if lo >= 0 and hi <= 255:
        return 0.0, 255.0
    return lo, hi


@cache_data(16)
def finite_range_by_key(data_key: str, _values: np.ndarray) -> tuple[float, float]:
    return fg.finite_range(_values)


@cache_data(16)
def _photo_range_by_key(data_key: str, _data: np.ndarray) -> tuple[float, float]:
    return photo_value_range(_data)


def feature_map_range(fm) -> tuple[float, float]:
    """:func:`photo_value_range` of the feature map, computed once per map (a pass over a
    12-megapixel photo costs more than the rest of a rerun)."""
    if fm.key:
        return _photo_range_by_key(fm.key, fm.data)
    return photo_value_range(fm.data)


@cache_data(16)
def _display_by_key(data_key: str, _values: np.ndarray, step: int,
                    value_range: tuple[float, float]):
    return to_display_uint8(_values, value_range=value_range, step=step)


@cache_data(16)
def _display(values: np.ndarray, step: int, value_range: tuple[float, float]):
    return to_display_uint8(values, value_range=value_range, step=step)


def display_image_at_step(values: np.ndarray, data_key: str, step: int,
                          value_range: tuple[float, float]):
    """A :class:`pooling_ui.data.images.DisplayImage` of ``step × step`` block means (1: every
    cell).

    ``data_key`` identifies ``values`` for the cache (a big photo is not hashed on every rerun);
    with ``""`` the values themselves are hashed.
    """
    if data_key:
        return _display_by_key(data_key, values, int(step), value_range)
    return _display(values, int(step), value_range)


def display_image(values: np.ndarray, data_key: str, display_width: int,
                  value_range: tuple[float, float]):
    """A :class:`pooling_ui.data.images.DisplayImage` at most ``display_width`` pixels wide."""
    width = values.shape[-1]
    return display_image_at_step(values, data_key, -(-width // max(display_width, 1)),
                                 value_range)


def fit_scale(*fits: tuple[int, int]) -> tuple[int, int]:
    """``(zoom, step)``: the one scale at which pictures fit their room on screen.

    Each of ``fits`` is ``(cells, room_px)``: that many cells across (or down) must fit in
    ``room_px`` screen pixels. Each cell is drawn as ``zoom × zoom`` screen pixels while every
    fit leaves room (small pictures), else each screen pixel is the mean of ``step × step``
    cells (big ones); one of the two is 1. Whole pixels either way, so a picture is never
    stretched, and pictures drawn at one scale show their cells at one size. Every page that
    shows a photo sizes it here (:func:`photo_scale`, Compare, the Shift lesson).

    Examples
    --------
    >>> fit_scale((64, 520), (64, 560))       # 64 cells in 520 px: 8 px a cell
    (8, 1)
    >>> fit_scale((40, 560), (70, 560))       # the wider picture decides: 560 // 70
    (8, 1)
    >>> fit_scale((4000, 520), (3000, 560))   # 4000 cells in 520 px: 8 cells a pixel
    (1, 8)
    >>> fit_scale((600, 600))                 # exactly fits: drawn cell for pixel
    (1, 1)
    """
    zoom = min(max(room, 1) // max(cells, 1) for cells, room in fits)
    if zoom >= 1:
        return zoom, 1
    return 1, max(-(-max(cells, 1) // max(room, 1)) for cells, room in fits)


def photo_scale(in_hw: tuple[int, int], out_hw: tuple[int, int] = (0, 0)) -> tuple[int, int]:
    """``(zoom, step)`` of :func:`fit_scale` for a photo and its output, as big as fits the page.

    Both pictures use the same scale, so an output cell is drawn exactly as big as an input
    cell. The input fits :data:`PHOTO_BOX_PX`, and the input and the output side by side fit
    this session's page less :data:`PHOTO_ROW_GAP_PX`.

    Examples
    --------
    >>> photo_scale((4000, 3000), (2000, 1500))   # an upright 12-megapixel photo, 2×2 pooling
    (1, 8)
    >>> photo_scale((64, 64), (32, 32))            # a small picture is enlarged
    (8, 1)
    """
    (height, width), out_w = in_hw, out_hw[1]
    box_h, box_w = PHOTO_BOX_PX
    return fit_scale((height, box_h), (width, box_w),
                     (width + out_w, pf.profile().page_px - PHOTO_ROW_GAP_PX))


def photo_caption(what: str, hw: tuple[int, int], zoom: int, step: int) -> str:
    """What a picture is and how it is drawn: its size, and how it was enlarged or shrunk."""
    h, w = hw
    if step > 1:
        return t("output.downsampled", what=what, h=h, w=w, step=step)
    if zoom > 1:
        return t("output.enlarged", what=what, h=h, w=w, zoom=zoom)
    return t("output.full_size", what=what, h=h, w=w)


def show_photo(values: np.ndarray, data_key: str, step: int, value_range: tuple[float, float],
               caption: str, zoom: int = 1, *, outline: tuple[int, int, int, int] | None = None
               ) -> None:
    """A photo-like array on screen: ``step × step`` block means per pixel (cached by
    ``data_key``), each pixel drawn ``zoom`` screen pixels wide, with ``caption`` under it and,
    when given, the input cells ``outline = (row0, col0, row1, col1)`` outlined."""
    picture = display_image_at_step(values, data_key, step, value_range)
    pixels = picture.pixels
    if outline is not None:
        pixels = outline_pixels(enlarge(pixels, zoom), outline, zoom / picture.step)
    st.image(pixels, caption=caption, width=max(1, picture.pixels.shape[1] * zoom))


# -- photos: the output blown up to the input's size, and a zoom --------------------------------
def block_owner(starts: np.ndarray, stride: int, positions: np.ndarray) -> np.ndarray:
    """Along one axis: the output index whose block holds each input position, or -1.

    Output ``i``'s block is the ``stride`` positions from ``starts[i]``, where its window starts
    (``starts`` from :func:`pooling_core.window_geometry`, increasing; may start in the padding).

    Examples
    --------
    >>> block_owner(np.array([-1, 1, 3]), 2, np.arange(6)).tolist()   # k=3 s=2 p=1 on 6 cells
    [0, 1, 1, 2, 2, -1]
    """
    starts = np.asarray(starts)
    positions = np.asarray(positions)
    owner = np.searchsorted(starts, positions, side="right") - 1
    inside = (owner >= 0) & (positions < starts[np.maximum(owner, 0)] + stride)
    return np.where(inside, owner, -1)


def output_blocks(output: np.ndarray, geometry, stride: tuple[int, int], rows: np.ndarray,
                  cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The output blown up onto input positions ``rows × cols``: ``(values, covered)``.

    ``values[:, i, j]`` is the output cell whose stride block holds input ``(rows[i], cols[j])``
    (NaN where none does); ``covered`` says where one does. With every position, this is the
    nearest-neighbour upsampling of the output to the input's size.
    """
    row_owner = block_owner(geometry.row_taps[:, 0], int(stride[0]), rows)
    col_owner = block_owner(geometry.col_taps[:, 0], int(stride[1]), cols)
    covered = (row_owner >= 0)[:, None] & (col_owner >= 0)[None, :]
    values = np.asarray(output)[:, np.maximum(row_owner, 0)][:, :, np.maximum(col_owner, 0)]
    return np.where(covered, values, np.float32(np.nan)).astype(np.float32), covered


def _grey_where(pixels: np.ndarray, covered: np.ndarray) -> np.ndarray:
    pixels = pixels.copy()
    pixels[~covered] = UNCOVERED_GREY
    return pixels


def _sample_positions(length: int, step: int) -> np.ndarray:
    """The input position each screen pixel shows (the middle of its ``step`` cells)."""
    count = -(-length // step)
    return np.minimum(np.arange(count) * step + step // 2, length - 1)


@cache_data(16)
def _blocks_display(output_key: str, _output: np.ndarray, _geometry, stride: tuple[int, int],
                    step: int, value_range: tuple[float, float]) -> np.ndarray:
    height, width = _geometry.in_hw
    values, covered = output_blocks(_output, _geometry, stride, _sample_positions(height, step),
                                    _sample_positions(width, step))
    pixels = to_display_uint8(values, value_range=value_range, step=1).pixels
    return _grey_where(pixels, covered)


def blocks_display(output: np.ndarray, output_key: str, geometry, stride, step: int,
                   value_range: tuple[float, float]) -> np.ndarray:
    """uint8 pixels of the output blown up to the input's size, one pixel per ``step`` input
    cells (the same size as the input's display at ``step``); cached by ``output_key``."""
    if not output_key:
        output_key = value_key(output, geometry, stride)
    return _blocks_display(output_key, output, geometry, tuple(int(s) for s in stride),
                           int(step), value_range)


def zoom_region(in_hw: tuple[int, int], centre: tuple[int, int], side: int
                ) -> tuple[int, int, int, int]:
    """``(row0, col0, row1, col1)`` of the ``side``-square around ``centre``, inside the input.

    Examples
    --------
    >>> zoom_region((100, 80), (50, 2), 32)
    (34, 0, 66, 32)
    """
    height, width = in_hw
    rows, cols = min(side, height), min(side, width)
    row0 = int(np.clip(centre[0] - rows // 2, 0, height - rows))
    col0 = int(np.clip(centre[1] - cols // 2, 0, width - cols))
    return row0, col0, row0 + rows, col0 + cols


def enlarge(pixels: np.ndarray, zoom: int) -> np.ndarray:
    """Each pixel as ``zoom × zoom`` pixels (sharp: the browser would smooth them)."""
    if zoom <= 1:
        return pixels
    return np.repeat(np.repeat(pixels, zoom, axis=0), zoom, axis=1)


def zoom_pictures(data: np.ndarray, output: np.ndarray, geometry, stride,
                  region: tuple[int, int, int, int], value_range: tuple[float, float]
                  ) -> tuple[np.ndarray, np.ndarray]:
    """uint8 pixels of the input's ``region`` at full resolution and of the same region of the
    blown-up output (:func:`output_blocks`), one pixel per input cell."""
    row0, col0, row1, col1 = region
    crop = data[:, row0:row1, col0:col1]
    values, covered = output_blocks(output, geometry, stride, np.arange(row0, row1),
                                    np.arange(col0, col1))
    return (to_display_uint8(crop, value_range=value_range, step=1).pixels,
            _grey_where(to_display_uint8(values, value_range=value_range, step=1).pixels,
                        covered))


def outlined_photo(fm, rect: tuple[int, int, int, int], width_px: int) -> np.ndarray:
    """The whole photo at most ``width_px`` wide, as RGB, with input cells
    ``[row0, row1) × [col0, col1)`` outlined (``rect = (row0, col0, row1, col1)``)."""
    value_range = feature_map_range(fm)
    picture = display_image(fm.data, f"{fm.key}|in" if fm.key else "", width_px, value_range)
    zoom = max(1, width_px // picture.pixels.shape[1])
    return outline_pixels(enlarge(picture.pixels, zoom), rect, zoom / picture.step)


def outline_pixels(pixels: np.ndarray, rect: tuple[int, int, int, int], scale: float = 1.0,
                   *, colour: str = fg.WINDOW_COLOR, width: int = OUTLINE_PX,
                   inside: bool = True) -> np.ndarray:
    """RGB copy of display ``pixels`` (``scale`` screen pixels per input cell) with input cells
    ``rect = (row0, col0, row1, col1)`` framed in ``colour``, ``width`` pixels thick.

    ``inside=True`` draws the frame over the region's outer pixels, never smaller than the frame
    itself, so that a tiny region of a big photo still shows. ``inside=False`` draws it round the
    region, so that every cell of a small one stays in sight; where the region touches the
    picture's edge there is no room outside, and that side is drawn over the region's edge.

    Examples
    --------
    >>> grey = np.zeros((6, 6), np.uint8)
    >>> (outline_pixels(grey, (1, 1, 5, 5), width=1)[..., 0] > 0).astype(int)
    array([[0, 0, 0, 0, 0, 0],
           [0, 1, 1, 1, 1, 0],
           [0, 1, 0, 0, 1, 0],
           [0, 1, 0, 0, 1, 0],
           [0, 1, 1, 1, 1, 0],
           [0, 0, 0, 0, 0, 0]])
    >>> (outline_pixels(grey, (2, 2, 3, 3), width=1, inside=False)[..., 0] > 0).astype(int)
    array([[0, 0, 0, 0, 0, 0],
           [0, 1, 1, 1, 0, 0],
           [0, 1, 0, 1, 0, 0],
           [0, 1, 1, 1, 0, 0],
           [0, 0, 0, 0, 0, 0],
           [0, 0, 0, 0, 0, 0]])
    """
    pixels = np.repeat(pixels[:, :, None], 3, axis=2) if pixels.ndim == 2 else pixels.copy()
    row0, col0, row1, col1 = rect
    # the region's screen pixels, last row and column included
    top, left = int(row0 * scale), int(col0 * scale)
    bottom, right = int(np.ceil(row1 * scale)) - 1, int(np.ceil(col1 * scale)) - 1
    if inside:
        bottom, right = max(bottom, top + 2 * width), max(right, left + 2 * width)

    def bands(first: int, last: int, size: int) -> tuple[slice, slice, slice]:
        """Along one axis: the frame's band before the region, the one after, and the span of
        the two with the region between (cut to the picture)."""
        if inside:
            before, after = (first, first + width), (last + 1 - width, last + 1)
        else:
            before = (first - width, first) if first > 0 else (0, width)
            after = (last + 1, last + 1 + width) if last + 1 < size else (size - width, size)
        return (slice(*np.clip(before, 0, size)), slice(*np.clip(after, 0, size)),
                slice(*np.clip((before[0], after[1]), 0, size)))

    above, below, rows = bands(top, bottom, pixels.shape[0])
    left_band, right_band, cols = bands(left, right, pixels.shape[1])
    rgb = [int(v) for v in fg.parse_colour(colour)[:3]]
    for band in ((above, cols), (below, cols), (rows, left_band), (rows, right_band)):
        pixels[band] = rgb
    return pixels


# -- photos as colour-mapped pictures: masks, differences, colour bars -------------------------
def block_extreme(values: np.ndarray, step: int) -> np.ndarray:
    """Per ``step × step`` block of the last two axes, the value of largest magnitude (its sign
    kept; NaN left out). For display only: a mask or a difference shrunk this way keeps its
    strongest cells, where block means would average a sparse pattern away.

    Examples
    --------
    >>> block_extreme(np.array([[0., 1., 0.], [-3., 0., 2.], [0., 0., 0.]]), 2).tolist()
    [[-3.0, 2.0], [0.0, 0.0]]
    """
    values = np.asarray(values, dtype=np.float32)
    if step <= 1:
        return values
    height, width = values.shape[-2:]
    rows, cols = -(-height // step), -(-width // step)
    padded = np.full((*values.shape[:-2], rows * step, cols * step), np.nan, np.float32)
    padded[..., :height, :width] = values
    blocks = padded.reshape(*values.shape[:-2], rows, step, cols, step)
    blocks = np.moveaxis(blocks, -3, -2).reshape(*values.shape[:-2], rows, cols, step * step)
    magnitude = np.where(np.isnan(blocks), -1.0, np.abs(blocks))
    picked = np.take_along_axis(blocks, magnitude.argmax(axis=-1)[..., None], axis=-1)[..., 0]
    return np.where(magnitude.max(axis=-1) < 0, np.float32(np.nan), picked).astype(np.float32)


def strongest_channel(values: np.ndarray) -> np.ndarray:
    """``(C, H, W)`` to ``(H, W)``: each cell's value of largest magnitude over the channels
    (a colour photo's mask is one picture; max pooling routes each channel its own way).

    Examples
    --------
    >>> strongest_channel(np.array([[[1.0, -2.0]], [[-3.0, 1.0]]])).tolist()
    [[-3.0, -2.0]]
    """
    values = np.asarray(values, dtype=np.float32)
    if values.ndim == 2:
        return values
    index = np.abs(np.nan_to_num(values, nan=0.0)).argmax(axis=0)
    return np.take_along_axis(values, index[None], axis=0)[0]


def scale_pixels(values: np.ndarray, value_range: tuple[float, float], colorscale: str
                 ) -> np.ndarray:
    """RGB uint8 of a 2-D array on ``colorscale`` from ``value_range[0]`` to ``[1]`` (plotly's
    interpolation, so a picture and a plotly colour bar of the same scale agree); NaN white."""
    lo, hi = value_range
    with np.errstate(invalid="ignore"):
        share = (np.asarray(values, dtype=np.float64) - lo) / (hi - lo) if hi > lo else \
            np.full(np.shape(values), 0.5)
    colours = fg.scale_colours(colorscale, np.nan_to_num(share, nan=0.0))
    colours[~np.isfinite(share)] = 255
    return np.rint(colours).astype(np.uint8)


def resample_nearest(pixels: np.ndarray, width: int) -> np.ndarray:
    """``pixels`` scaled to ``width`` columns (and the same aspect) by nearest neighbour: sharp
    cells of one or two sizes, never the browser's smoothing.

    Examples
    --------
    >>> resample_nearest(np.array([[1, 2], [3, 4]]), 3).tolist()
    [[1, 1, 2], [1, 1, 2], [3, 3, 4]]
    """
    height, old = pixels.shape[:2]
    width = max(int(width), 1)
    if width == old:
        return pixels
    rows = np.minimum((np.arange(round(height * width / old)) * old) // width, height - 1)
    cols = np.minimum((np.arange(width) * old) // width, old - 1)
    return pixels[rows][:, cols]


def busiest_region(data: np.ndarray, side: int) -> tuple[int, int]:
    """``(row0, col0)`` of the ``side``-square of the input with the most local contrast: the
    largest sum of ``|horizontal| + |vertical|`` neighbour differences (channels averaged), the
    first such square in reading order when several tie. Deterministic, so every session and
    every page opens a photo on the same region.

    Examples
    --------
    >>> flat = np.zeros((1, 8, 8)); flat[0, 5:, 5:] = 9    # one bright corner square
    >>> busiest_region(flat, 4)
    (4, 4)
    >>> busiest_region(np.zeros((1, 8, 8)), 4)              # nothing anywhere: the first square
    (0, 0)
    """
    plane = np.asarray(data, dtype=np.float64)
    plane = plane.mean(axis=0) if plane.ndim == 3 else plane
    plane = np.nan_to_num(plane, nan=0.0, posinf=0.0, neginf=0.0)
    height, width = plane.shape
    rows, cols = min(side, height), min(side, width)
    # every link between neighbours inside a square counts once; squares summed by integral
    # images (one pass, whatever the side)
    across = np.abs(np.diff(plane, axis=1))   # (H, W-1): cell and its right neighbour
    down = np.abs(np.diff(plane, axis=0))     # (H-1, W): cell and the one under it

    def square_sums(links: np.ndarray, link_rows: int, link_cols: int) -> np.ndarray:
        integral = np.pad(links.cumsum(0).cumsum(1), ((1, 0), (1, 0)))
        r, c = height - rows + 1, width - cols + 1
        return (integral[link_rows:link_rows + r, link_cols:link_cols + c]
                - integral[:r, link_cols:link_cols + c] - integral[link_rows:link_rows + r, :c]
                + integral[:r, :c])

    sums = square_sums(across, rows, cols - 1) + square_sums(down, rows - 1, cols)
    row0, col0 = np.unravel_index(int(np.argmax(sums)), sums.shape)
    return int(row0), int(col0)


@cache_data(16)
def _busiest_by_key(data_key: str, _data: np.ndarray, side: int) -> tuple[int, int]:
    return busiest_region(_data, side)


def feature_map_busiest(fm, side: int) -> tuple[int, int]:
    """:func:`busiest_region` of the feature map, once per map (by its key) and side."""
    if fm.key:
        return _busiest_by_key(fm.key, fm.data, int(side))
    return busiest_region(fm.data, int(side))


COLOUR_BAR_STEPS = 256
COLOUR_BAR_HEIGHT_PX = 22


def colour_bar_figure(value_range: tuple[float, float], colorscale: str, width_px: int,
                      ticks: tuple[float, ...], tick_texts: tuple[str, ...]) -> go.Figure:
    """A horizontal colour bar for a picture drawn by :func:`scale_pixels`: the scale from
    ``value_range[0]`` to ``[1]`` with numbers at ``ticks`` (a plotly heatmap of one row, so it
    is the very interpolation the picture used), ``width_px`` wide."""
    lo, hi = value_range
    values = np.linspace(lo, hi, COLOUR_BAR_STEPS)
    fig = go.Figure(go.Heatmap(z=[values], x=values, colorscale=colorscale, zmin=lo, zmax=hi,
                               showscale=False, hoverinfo="skip"))
    font = pf.font_px(12)
    fig.update_layout(
        width=int(width_px), height=pf.font_px(COLOUR_BAR_HEIGHT_PX) + 3 * font + 4,
        margin={"l": 2 * font, "r": 2 * font, "t": 4, "b": 3 * font, "pad": 0},
        xaxis={"tickvals": list(ticks), "ticktext": list(tick_texts), "showgrid": False,
               "zeroline": False, "tickfont": {"size": font}, "fixedrange": True},
        yaxis={"visible": False, "fixedrange": True},
        plot_bgcolor="#ffffff", paper_bgcolor="rgba(0,0,0,0)")
    return fig


@cache_data(32)
def _fitted(data_key: str, _values: np.ndarray, width: int, value_range: tuple[float, float]
            ) -> tuple[np.ndarray, int]:
    out_w = _values.shape[-1]
    step = -(-out_w // width) if out_w > width else 1
    pixels = to_display_uint8(_values, value_range=value_range, step=step).pixels
    return resample_nearest(pixels, width), step


def fitted_photo(values: np.ndarray, data_key: str, width: int,
                 value_range: tuple[float, float]) -> tuple[np.ndarray, int]:
    """``(pixels, step)``: a photo-like array exactly ``width`` pixels wide — block means of
    ``step × step`` cells when it is wider (1: none), then nearest-neighbour scaling, so a small
    output is enlarged with sharp cells. Cached by ``data_key`` (``""``: by the values)."""
    key = data_key or value_key(values)
    return _fitted(key, values, int(width), value_range)


@cache_data(32)
def _scaled(data_key: str, _values: np.ndarray, width: int, value_range: tuple[float, float],
            colorscale: str, integer: bool) -> tuple[np.ndarray, int]:
    plane = strongest_channel(_values)
    if integer:
        zoom, step = fit_scale((plane.shape[1], width))
    else:
        zoom, step = 1, (-(-plane.shape[1] // width) if plane.shape[1] > width else 1)
    pixels = scale_pixels(block_extreme(plane, step), value_range, colorscale)
    return (enlarge(pixels, zoom) if integer else resample_nearest(pixels, width)), step


def scaled_picture(values: np.ndarray, data_key: str, width: int,
                   value_range: tuple[float, float], colorscale: str, *,
                   integer: bool = False) -> tuple[np.ndarray, int]:
    """``(pixels, step)``: a mask or a difference ``(C, H, W)`` as an RGB picture on
    ``colorscale``, at most ``width`` pixels wide. Channels are merged by
    :func:`strongest_channel`, blocks of ``step × step`` cells by :func:`block_extreme` (the
    strongest value shown, never averaged away); ``integer`` keeps every cell a whole number of
    pixels (for a full-resolution zoom), else the picture is scaled to ``width`` exactly."""
    key = data_key or value_key(values)
    return _scaled(key, values, int(width), tuple(float(v) for v in value_range), colorscale,
                   bool(integer))
