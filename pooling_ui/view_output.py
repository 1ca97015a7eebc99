"""The pooled output beside its input, at the same displayed scale, with shapes and value ranges.

Grids of numbers are drawn as heatmaps in one pair of axes (so a cell has the same size in the
input and the output). Photos are pooled at full resolution by :mod:`pooling_core` and shown as
images, shrunk for the screen only, never as heatmaps of a million cells.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from pooling_ui import figures as fg
from pooling_ui import view_engine as engine
from pooling_ui.caching import cache_data, cached_figure, value_key
from pooling_ui.i18n import labeller, t
from pooling_ui.images import to_display_uint8
from pooling_ui.view_common import channel_name

# Largest height and width in pixels of a photo's input on screen, and the width that the input
# and its output, side by side at the same scale, must fit in (the page, less the gap).
PHOTO_BOX_PX = (520, 560)
PHOTO_ROW_PX = fg.PAGE_PX - 40
GAP_COLUMNS = 2
CHANNEL_MODES = ("recomposed", "side")

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
            photo_pair(fm, output, f"{fm.key}|{value_key(kwargs)}" if fm.key else "")
        else:
            figure = cached_figure(grid_pair_figure, fm.data, output, fm.channel_names)
            st.plotly_chart(figure, width="content", key="output_figure",
                            config={"displayModeBar": False})


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
                             side_px=8 + fg.COLORBAR_PX)
    label_rows = fg.rows_for_px(fg.LABEL_ROW_PX, cell_px)
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
    fig.update_layout(coloraxis={"colorscale": fg.COLORSCALE, "cmin": value_range[0],
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
    fit = min(box_h / max(height, 1), box_w / max(width, 1), PHOTO_ROW_PX / max(width + out_w, 1))
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
               caption: str, zoom: int = 1) -> None:
    """A photo-like array on screen: ``step × step`` block means per pixel (cached by
    ``data_key``), each pixel drawn ``zoom`` screen pixels wide, with ``caption`` under it."""
    picture = display_image_at_step(values, data_key, step, value_range)
    st.image(picture.pixels, caption=caption, width=max(1, picture.pixels.shape[1] * zoom))


def photo_pair(fm, output: np.ndarray, output_key: str, *, key_prefix: str = "output") -> None:
    """Input and output photos side by side, at one scale, downsampled for display only.

    ``output_key`` identifies ``output`` (the feature map's key and the parameters), so that the
    display copy is made once per output. The pictures sit in a row that wraps rather than
    overlaps: on a narrow window the output goes under the input, still at the same scale.
    """
    channels = fm.data.shape[0]
    value_range = photo_value_range(fm.data)
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
        for values, key, what in (
            (fm.data[channels_slice], f"{fm.key}|in{name}" if fm.key else "",
             t("output.input_title") + label),
            (output[channels_slice], f"{output_key}|out{name}" if output_key else "",
             t("output.output_title") + label),
        ):
            with row:
                show_photo(values, key, step, value_range,
                           photo_caption(what, values.shape[-2:], zoom, step), zoom)
    st.caption(t("output.same_scale"))
    lo, hi = fg.finite_range(output)
    if lo < value_range[0] or hi > value_range[1]:
        st.caption(t("output.clipped"))


def input_only_view(fm) -> None:
    """The input alone, for when the parameters do not make a valid pooling."""
    st.subheader(t("output.input_heading"))
    with engine.view_guard("input"):
        st.markdown(t("output.input_shape", shape=shape_text(fm.data.shape)))
        if fm.is_photo:
            zoom, step = photo_scale(fm.data.shape[-2:])
            show_photo(fm.data, f"{fm.key}|in" if fm.key else "", step,
                       photo_value_range(fm.data),
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
    fig.update_layout(coloraxis={"colorscale": fg.COLORSCALE, "cmin": value_range[0],
                                 "cmax": value_range[1]},
                      annotations=annotations)
    fg.grid_layout(fig, (0, channels * (width + GAP_COLUMNS) - GAP_COLUMNS), (0, height))
    return fig
