"""The pooled output beside its input, at the same displayed scale, with shapes and value ranges.

Grids of numbers are drawn as heatmaps in one pair of axes (so a cell has the same size in the
input and the output). Photos are pooled at full resolution by :mod:`pooling_core` and shown as
images, shrunk for the screen only, never as heatmaps of a million cells. A photo has three views
(radio ``output_photo_view``, in a fragment: changing them reruns only this view):

* ``same_scale`` — input and output at one scale: the output is smaller;
* ``blocks`` — the output blown up to the input's size, each output cell drawn as the
  stride×stride block of input pixels that starts where its window starts (nearest neighbour), so
  the blockiness pooling makes is visible; pixels no block reaches are grey;
* ``zoom`` — one square region (centre ``output_zoom_row``/``_col``, side ``output_zoom_size``)
  of the input at full resolution, beside the same region of the ``blocks`` picture, with the
  region outlined on a small picture of the whole photo.

Under the view, in an expander drawn only while open (``output_export_open``): the input and
the output as CSV and NPY (:mod:`pooling_ui.export`).
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from PIL import Image, ImageDraw

from pooling_ui import export, tables
from pooling_ui import figures as fg
from pooling_ui import view_engine as engine
from pooling_ui.caching import cache_data, cached_figure, value_key
from pooling_ui.i18n import labeller, t
from pooling_ui.images import to_display_uint8
from pooling_ui.view_common import PHOTO_CROP, channel_name, position_slider

# Largest height and width in pixels of a photo's input on screen, and the width that the input
# and its output, side by side at the same scale, must fit in (the page, less the gap).
PHOTO_BOX_PX = (520, 560)
PHOTO_ROW_PX = fg.PAGE_PX - 40
GAP_COLUMNS = 2
CHANNEL_MODES = ("recomposed", "side")
PHOTO_VIEWS = ("same_scale", "blocks", "zoom")
# Sides (input pixels) the zoom may show, its pictures' width on screen, the small picture of the
# whole photo that shows where a region is, and the grey of pixels that no output block covers.
ZOOM_SIDES = (8, 16, 32, 64, 128, 256)
ZOOM_DEFAULT_SIDE = 32
ZOOM_PX = 320
LOCATOR_PX = 240
UNCOVERED_GREY = 200
OUTLINE_PX = 2
# Session state: (feature map key, crop) of the animation crop last outlined on the photo.
DRAWN_CROP_KEY = "output_crop_drawn"

def shape_text(shape: tuple[int, ...]) -> str:
    """``3×224×224`` for a shape."""
    return "×".join(str(int(n)) for n in shape)


def range_text(values: np.ndarray) -> tuple[str, str]:
    """Smallest and largest finite value, formatted (or a note when there is none)."""
    values = np.asarray(values)
    finite = np.isfinite(values)
    if not finite.any():
        return t("output.no_finite"), ""
    lo = np.min(values, where=finite, initial=np.inf)
    hi = np.max(values, where=finite, initial=-np.inf)
    return fg.format_value(lo), fg.format_value(hi)


def output_view(fm, params) -> None:
    """The pooled output of the whole feature map beside the input."""
    st.subheader(t("output.heading"))
    with engine.view_guard("output"):
        kwargs = params.kwargs()
        output = engine.pool_feature_map(fm, kwargs)
        summary(fm.data, output)
        if fm.is_photo:
            geometry = engine.geometry(fm.data.shape[-2:], params.geometry_kwargs())
            photo_views(fm, params, output, f"{fm.key}|{value_key(kwargs)}" if fm.key else "",
                        geometry)
        else:
            figure = cached_figure(grid_pair_figure, fm.data, output, fm.channel_names)
            st.plotly_chart(figure, width="content", key="output_figure",
                            config=export.figure_config(fm, params, "input-output"))
        box = tables.table_expander("output_table_open")
        if box:
            with box:
                output_tables(fm, params, output)
        # Drawn only while open (as the Explorer's gradients): a page run costs nothing extra.
        downloads = st.expander(t("export.arrays_heading"), expanded=False,
                                key="output_export_open", on_change="rerun",
                                icon=":material/download:")
        if downloads.open:
            with downloads:
                export.array_buttons(fm, params, {"input": fm.data, "output": output},
                                     "output_export")


def output_tables(fm, params, output: np.ndarray) -> None:
    """The input and the output as tables, channel by channel (text for the figures above).

    A photo's planes are far too big to read cell by cell: its tables show the animation's
    :data:`PHOTO_CROP`-sided crop (outlined on the photo) and the output cells whose windows start
    in it.
    """
    channels = fm.data.shape[0]
    crop = animated_crop(fm) if fm.is_photo else None
    if crop is not None:
        row0, col0, row1, col1 = crop
        outputs = crop_outputs(engine.geometry(fm.data.shape[-2:], params.geometry_kwargs()),
                               crop)
    for channel in range(channels):
        suffix = f" ({channel_name(fm.channel_names[channel])})" if channels > 1 else ""
        if crop is None:
            height, width = fm.data.shape[-2:]
            tables.plain_grid(fm.data[channel],
                              t("grid_table.input", h=height, w=width) + suffix)
            out_h, out_w = output.shape[-2:]
            tables.plain_grid(output[channel],
                              t("grid_table.output", h=out_h, w=out_w) + suffix)
            continue
        tables.plain_grid(fm.data[channel, row0:row1, col0:col1],
                          t("grid_table.photo_input", row0=row0, row1=row1 - 1, col0=col0,
                            col1=col1 - 1) + suffix, row0=row0, col0=col0)
        if outputs is not None:
            r0, r1, c0, c1 = outputs
            tables.plain_grid(output[channel, r0:r1, c0:c1],
                              t("grid_table.photo_output", row0=r0, row1=r1 - 1, col0=c0,
                                col1=c1 - 1) + suffix, row0=r0, col0=c0)
        else:
            st.caption(t("grid_table.photo_none"))


def crop_outputs(geometry, crop: tuple[int, int, int, int]
                 ) -> tuple[int, int, int, int] | None:
    """``(row0, row1, col0, col1)``: the output cells whose windows start in the input cells
    ``crop = (row0, col0, row1, col1)``; None when none does."""
    row0, col0, row1, col1 = crop
    rows = np.flatnonzero((geometry.row_taps[:, 0] >= row0) & (geometry.row_taps[:, 0] < row1))
    cols = np.flatnonzero((geometry.col_taps[:, 0] >= col0) & (geometry.col_taps[:, 0] < col1))
    if not rows.size or not cols.size:
        return None
    return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1


def summary(data: np.ndarray, output: np.ndarray) -> None:
    """Shapes and value ranges of the input and the output."""
    in_lo, in_hi = range_text(data)
    out_lo, out_hi = range_text(output)
    st.markdown(t("output.shapes", before=shape_text(data.shape), after=shape_text(output.shape)))
    st.caption(t("output.ranges", in_lo=in_lo, in_hi=in_hi, out_lo=out_lo, out_hi=out_hi))


def grid_pair_figure(data: np.ndarray, output: np.ndarray,
                     channel_names: tuple[str, ...] = ("gray",)) -> go.Figure:
    """Input and output heatmaps in one pair of axes: one row per channel, same cell size."""
    channels, height, width = data.shape
    out_h, out_w = output.shape[-2:]
    value_range = fg.finite_range(data, output)
    out_x = width + GAP_COLUMNS
    rows = max(height, out_h)
    # each channel's row of grids has its labels on a band of its own above it
    cell_px = fg.fit_cell_px(out_x + out_w, channels * (rows + 1),
                             side_px=8 + fg.colorbar_px())
    label_rows = fg.rows_for_px(fg.label_row_px(), cell_px)
    row_step = rows + label_rows
    fig = go.Figure()
    annotations = []
    shapes = []
    for channel in range(channels):
        y0 = channel * row_step
        fig.add_trace(fg.value_heatmap(data[channel], y_offset=y0, value_range=value_range,
                                       name="x"))
        fig.add_trace(fg.value_heatmap(output[channel], x_offset=out_x, y_offset=y0,
                                       value_range=value_range, name="y"))
        suffix = f"  ({channel_name(channel_names[channel])})" if channels > 1 else ""
        annotations.append(fg.label_annotation(
            f"{t('output.input_title')}{suffix}: {height}×{width}", 0, y0))
        annotations.append(fg.label_annotation(
            f"{t('output.output_title')}{suffix}: {out_h}×{out_w}", out_x, y0))
        shapes.append(fg.path_shape(fg.rect_path(0, 0, height, width, y_offset=y0),
                                    color="#222", width=1.5))
        shapes.append(fg.path_shape(fg.rect_path(0, 0, out_h, out_w, x_offset=out_x,
                                                 y_offset=y0), color="#222", width=1.5))
    fig.update_layout(coloraxis={"colorscale": fg.colorscale(), "cmin": value_range[0],
                                 "cmax": value_range[1]},
                      annotations=annotations, shapes=shapes)
    fg.grid_layout(fig, (0, out_x + out_w), (-label_rows, channels * row_step - label_rows),
                   cell_px=cell_px, margin={"t": 4})
    return fig


def photo_value_range(data: np.ndarray) -> tuple[float, float]:
    """The values drawn black and white: 0..255 for an ordinary image, else the finite range."""
    lo, hi = fg.finite_range(data)
    if lo >= 0 and hi <= 255:
        return 0.0, 255.0
    return lo, hi


@cache_data(16)
def _finite_range_by_key(data_key: str, _values: np.ndarray) -> tuple[float, float]:
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
    """A :class:`pooling_ui.images.DisplayImage` of ``step × step`` block means (1: every cell).

    ``data_key`` identifies ``values`` for the cache (a big photo is not hashed on every rerun);
    with ``""`` the values themselves are hashed.
    """
    if data_key:
        return _display_by_key(data_key, values, int(step), value_range)
    return _display(values, int(step), value_range)


def display_image(values: np.ndarray, data_key: str, display_width: int,
                  value_range: tuple[float, float]):
    """A :class:`pooling_ui.images.DisplayImage` at most ``display_width`` pixels wide."""
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
    row_px = fg.page_px() - (fg.PAGE_PX - PHOTO_ROW_PX)
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


def photo_pair(fm, output: np.ndarray, output_key: str, *, key_prefix: str = "output",
               outline: tuple[int, int, int, int] | None = None) -> None:
    """Input and output photos side by side, at one scale, downsampled for display only.

    ``output_key`` identifies ``output`` (the feature map's key and the parameters), so that the
    display copy is made once per output. The pictures sit in a row that wraps rather than
    overlaps: on a narrow window the output goes under the input, still at the same scale.
    """
    channels = fm.data.shape[0]
    value_range = feature_map_range(fm)
    mode = "recomposed"
    if channels == 3:
        mode = st.radio(t("output.channels_mode"), CHANNEL_MODES,
                        format_func=labeller("output.channels_modes."),
                        horizontal=True, key=f"{key_prefix}_channels",
                        persist_state="session") or "recomposed"
    zoom, step = photo_scale(fm.data.shape[-2:], output.shape[-2:])
    planes = [("", "", slice(None))] if mode == "recomposed" else [
        (name, f" ({channel_name(name)})", slice(index, index + 1))
        for index, name in enumerate(fm.channel_names)]
    for name, label, channels_slice in planes:
        row = st.container(horizontal=True, gap="medium")
        for values, key, what, rect in (
            (fm.data[channels_slice], f"{fm.key}|in{name}" if fm.key else "",
             t("output.input_title") + label, outline),
            (output[channels_slice], f"{output_key}|out{name}" if output_key else "",
             t("output.output_title") + label, None),
        ):
            with row:
                show_photo(values, key, step, value_range,
                           photo_caption(what, values.shape[-2:], zoom, step), zoom,
                           outline=rect)
    st.caption(t("output.same_scale"))
    lo, hi = _finite_range_by_key(output_key, output) if output_key else fg.finite_range(output)
    if lo < value_range[0] or hi > value_range[1]:
        st.caption(t("output.clipped"))


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


def animated_crop(fm) -> tuple[int, int, int, int]:
    """``(row0, col0, row1, col1)`` of the photo crop the animation works on, as
    :func:`pooling_ui.view_common.pick_plane`'s sliders (``anim_crop_row``/``_col``) left it."""
    height, width = fm.data.shape[-2:]
    top = int(np.clip(int(st.session_state.get("anim_crop_row", 0) or 0), 0,
                      max(height - PHOTO_CROP, 0)))
    left = int(np.clip(int(st.session_state.get("anim_crop_col", 0) or 0), 0,
                       max(width - PHOTO_CROP, 0)))
    return top, left, min(top + PHOTO_CROP, height), min(left + PHOTO_CROP, width)


def crop_outline_is_stale(fm) -> bool:
    """Whether the crop outlined on the photo (last drawn by :func:`photo_views`) is no longer
    the animation's: the animation's fragment then reruns the page to move it."""
    drawn = st.session_state.get(DRAWN_CROP_KEY)
    crop = animated_crop(fm)
    stale = drawn is not None and drawn[0] == fm.key and drawn[1] != crop
    if stale:
        # marked as drawn now: the page's rerun draws it, and must not rerun again
        st.session_state[DRAWN_CROP_KEY] = (fm.key, crop)
    return stale


@st.fragment
def photo_views(fm, params, output: np.ndarray, output_key: str, geometry) -> None:
    """The photo's output in the view the user picks (a fragment: its widgets rerun only it)."""
    with engine.view_guard("output_photo"):
        view = st.radio(t("photo_view.mode"), PHOTO_VIEWS, format_func=labeller(
            "photo_view.modes."), horizontal=True, key="output_photo_view",
            persist_state="session") or "same_scale"
        crop = animated_crop(fm)
        st.session_state[DRAWN_CROP_KEY] = (fm.key, crop)
        if view == "blocks":
            blocks_pair(fm, params, output, output_key, geometry, crop)
        elif view == "zoom":
            zoom_view(fm, params, output, geometry)
        else:
            photo_pair(fm, output, output_key, outline=crop)
        if view != "zoom":
            st.caption(t("photo_view.crop_outline", size=PHOTO_CROP, row=crop[0], col=crop[1]))


def blocks_pair(fm, params, output: np.ndarray, output_key: str, geometry,
                outline: tuple[int, int, int, int] | None = None) -> None:
    """The input and the output blown up to the input's size, side by side at one scale."""
    in_hw = fm.data.shape[-2:]
    zoom, step = photo_scale(in_hw, in_hw)
    value_range = feature_map_range(fm)
    row = st.container(horizontal=True, gap="medium")
    with row:
        show_photo(fm.data, f"{fm.key}|in" if fm.key else "", step, value_range,
                   photo_caption(t("output.input_title"), in_hw, zoom, step), zoom,
                   outline=outline)
    with row:
        pixels = blocks_display(output, output_key, geometry, params.stride, step, value_range)
        st.image(enlarge(pixels, zoom), width=pixels.shape[1] * zoom,
                 caption=t("photo_view.blocks_caption", h=output.shape[-2], w=output.shape[-1],
                           sh=params.stride[0], sw=params.stride[1]))
    st.caption(t("photo_view.blocks_note", sh=params.stride[0], sw=params.stride[1]))


def zoom_view(fm, params, output: np.ndarray, geometry) -> None:
    """A region of the input at full resolution beside the same region of the blown-up output."""
    height, width = fm.data.shape[-2:]
    sides = [side for side in ZOOM_SIDES if side <= min(height, width)] or [min(height, width)]
    default_side = ZOOM_DEFAULT_SIDE if ZOOM_DEFAULT_SIDE in sides else sides[-1]
    st.session_state.setdefault("output_zoom_size", default_side)
    if st.session_state["output_zoom_size"] not in sides:
        st.session_state["output_zoom_size"] = default_side
    row_column, col_column, size_column = st.columns(3)
    with row_column:
        centre_row = position_slider(t("photo_view.zoom_row"), height - 1, "output_zoom_row",
                                     height // 2)
    with col_column:
        centre_col = position_slider(t("photo_view.zoom_col"), width - 1, "output_zoom_col",
                                     width // 2)
    with size_column:
        side = st.select_slider(t("photo_view.zoom_size"), sides, key="output_zoom_size")
    region = zoom_region((height, width), (centre_row, centre_col), int(side))
    row0, col0, row1, col1 = region
    value_range = feature_map_range(fm)
    crop, blocks = zoom_pictures(fm.data, output, geometry, params.stride, region, value_range)
    zoom = max(1, ZOOM_PX // max(crop.shape[0], crop.shape[1]))
    row = st.container(horizontal=True, gap="medium")
    with row:
        locator = outlined_photo(fm, region, LOCATOR_PX)
        st.image(locator, width=locator.shape[1], caption=t("photo_view.zoom_where"))
    with row:
        st.image(enlarge(crop, zoom), width=crop.shape[1] * zoom,
                 caption=t("photo_view.zoom_input", row0=row0, row1=row1 - 1, col0=col0,
                           col1=col1 - 1, zoom=zoom))
    with row:
        st.image(enlarge(blocks, zoom), width=blocks.shape[1] * zoom,
                 caption=t("photo_view.zoom_output", sh=params.stride[0], sw=params.stride[1]))


def input_only_view(fm) -> None:
    """The input alone, for when the parameters do not make a valid pooling."""
    st.subheader(t("output.input_heading"))
    with engine.view_guard("input"):
        st.markdown(t("output.input_shape", shape=shape_text(fm.data.shape)))
        if fm.is_photo:
            zoom, step = photo_scale(fm.data.shape[-2:])
            show_photo(fm.data, f"{fm.key}|in" if fm.key else "", step,
                       feature_map_range(fm),
                       photo_caption(t("output.input_title"), fm.data.shape[-2:], zoom, step),
                       zoom)
            return
        figure = cached_figure(input_figure, fm.data, fm.channel_names)
        st.plotly_chart(figure, width="content", key="input_figure",
                        config={"displayModeBar": False})


def input_figure(data: np.ndarray, channel_names: tuple[str, ...] = ("gray",)) -> go.Figure:
    """Heatmaps of the input's channels, side by side."""
    channels, height, width = data.shape
    value_range = fg.finite_range(data)
    fig = go.Figure()
    annotations = []
    for channel in range(channels):
        x0 = channel * (width + GAP_COLUMNS)
        fig.add_trace(fg.value_heatmap(data[channel], x_offset=x0, value_range=value_range))
        title = t("output.input_title") + (
            f" ({channel_name(channel_names[channel])})" if channels > 1 else "")
        annotations.append(fg.label_annotation(title, x0, 1, yref="paper"))
    fig.update_layout(coloraxis={"colorscale": fg.colorscale(), "cmin": value_range[0],
                                 "cmax": value_range[1]},
                      annotations=annotations)
    fg.grid_layout(fig, (0, channels * (width + GAP_COLUMNS) - GAP_COLUMNS), (0, height))
    return fig
