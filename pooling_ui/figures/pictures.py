"""Photos on screen: one scale for a photo and its output, pictures shrunk or enlarged by whole
pixels, outlines of a region, the output blown up to the input's size, and a zoom.

Every page that shows a photo-like array goes through here (the Explorer's output, Gradients,
Compare, the Conv and Shift lessons), so a picture is fitted to the screen, cached and outlined
the same way everywhere. Pixels come from :func:`pooling_ui.data.images.to_display_uint8`;
nothing here computes pooling (the outputs drawn are arrays :mod:`pooling_core` produced).
"""

from __future__ import annotations

import numpy as np
import streamlit as st
from PIL import Image, ImageDraw

from pooling_ui.base import profile as pf
from pooling_ui.base.caching import cache_data, value_key
from pooling_ui.base.i18n import t
from pooling_ui.data.images import to_display_uint8
from pooling_ui.figures import grids as fg

# Largest height and width in pixels of a photo's input on screen, and the width that the input
# and its output, side by side at the same scale, must fit in (the page, less the gap).
PHOTO_BOX_PX = (520, 560)
PHOTO_ROW_PX = pf.PAGE_PX - 40
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


def photo_scale(in_hw: tuple[int, int], out_hw: tuple[int, int] = (0, 0)) -> tuple[int, int]:
    """``(zoom, step)``: one scale for a photo and its output, as big as fits the page.

    Each cell is drawn as ``zoom × zoom`` screen pixels (small pictures), or each screen pixel is
    the mean of ``step × step`` cells (big ones); one of the two is 1. Whole pixels either way,
    so neither picture is stretched, and both use the same one: an output cell is drawn exactly
    as big as an input cell. The input fits :data:`PHOTO_BOX_PX`, and the input and the output
    side by side fit :data:`PHOTO_ROW_PX`.

    Examples
    --------
    >>> photo_scale((4000, 3000), (2000, 1500))   # an upright 12-megapixel photo, 2×2 pooling
    (1, 8)
    >>> photo_scale((64, 64), (32, 32))            # a small picture is enlarged
    (8, 1)
    """
    (height, width), out_w = in_hw, out_hw[1]
    box_h, box_w = PHOTO_BOX_PX
    row_px = pf.page_px() - (pf.PAGE_PX - PHOTO_ROW_PX)
    fit = min(box_h / max(height, 1), box_w / max(width, 1), row_px / max(width + out_w, 1))
    if fit >= 1:
        return int(fit), 1
    return 1, int(np.ceil(1 / fit))


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


def outline_pixels(pixels: np.ndarray, rect: tuple[int, int, int, int],
                   scale: float) -> np.ndarray:
    """RGB copy of display ``pixels`` (``scale`` screen pixels per input cell) with input cells
    ``rect = (row0, col0, row1, col1)`` outlined in the window's colour."""
    if pixels.ndim == 2:
        pixels = np.repeat(pixels[:, :, None], 3, axis=2)
    row0, col0, row1, col1 = rect
    image = Image.fromarray(np.ascontiguousarray(pixels))
    box = [int(col0 * scale), int(row0 * scale), int(np.ceil(col1 * scale)) - 1,
           int(np.ceil(row1 * scale)) - 1]
    # never smaller than the outline itself, so that a tiny region still shows
    box[2] = max(box[2], box[0] + 2 * OUTLINE_PX)
    box[3] = max(box[3], box[1] + 2 * OUTLINE_PX)
    ImageDraw.Draw(image).rectangle(box, outline=fg.WINDOW_COLOR, width=OUTLINE_PX)
    return np.asarray(image)


