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
from pooling_ui.images import to_display_uint8

# Width in pixels at which a photo's input is shown; its output is shown at the same scale.
PHOTO_DISPLAY_WIDTH = 520
GAP_COLUMNS = 2

STRINGS = {
    "heading": "Pooled output",
    "shapes": "Shape: {before} → {after}",
    "ranges": "Values: input {in_lo} … {in_hi}  →  output {out_lo} … {out_hi}",
    "no_finite": "no finite values",
    "input_title": "input x",
    "output_title": "output y",
    "channel_title": "{name}",
    "channels_mode": "Show the channels",
    "channels_modes": {"recomposed": "recomposed (colour)", "side": "side by side"},
    "downsampled": "{what}: {h}×{w}, downsampled for display ({step}×{step} blocks per pixel)",
    "full_size": "{what}: {h}×{w}",
    "same_scale": (
        "Both pictures are drawn at the same scale: the output is smaller because it has fewer "
        "cells."
    ),
    "clipped": "Output values outside the input's range are drawn at the ends of the scale.",
    "input_heading": "The input",
    "input_shape": "Shape: {shape} (no pooling until the parameters are valid)",
}


def shape_text(shape: tuple[int, ...]) -> str:
    """``3×224×224`` for a shape."""
    return "×".join(str(int(n)) for n in shape)


def range_text(values: np.ndarray) -> tuple[str, str]:
    """Smallest and largest finite value, formatted (or a note when there is none)."""
    finite = np.asarray(values, dtype=np.float64)
    finite = finite[np.isfinite(finite)]
    if finite.size == 0:
        return STRINGS["no_finite"], ""
    return fg.format_value(finite.min()), fg.format_value(finite.max())


def output_view(fm, params) -> None:
    """The pooled output of the whole feature map beside the input."""
    st.subheader(STRINGS["heading"])
    with engine.view_guard("output"):
        kwargs = params.kwargs()
        output = engine.pool_feature_map(fm, kwargs)
        summary(fm.data, output)
        if fm.is_photo:
            photo_pair(fm, output, f"{fm.key}|{engine.kwargs_key(kwargs)}" if fm.key else "")
        else:
            figure = grid_pair_figure(fm.data, output, fm.channel_names)
            st.plotly_chart(figure, width="stretch", key="output_figure",
                            config={"displayModeBar": False})


def summary(data: np.ndarray, output: np.ndarray) -> None:
    """Shapes and value ranges of the input and the output."""
    in_lo, in_hi = range_text(data)
    out_lo, out_hi = range_text(output)
    st.markdown(STRINGS["shapes"].format(before=shape_text(data.shape),
                                         after=shape_text(output.shape)))
    st.caption(STRINGS["ranges"].format(in_lo=in_lo, in_hi=in_hi, out_lo=out_lo, out_hi=out_hi))


def grid_pair_figure(data: np.ndarray, output: np.ndarray,
                     channel_names: tuple[str, ...] = ("gray",)) -> go.Figure:
    """Input and output heatmaps in one pair of axes: one row per channel, same cell size."""
    channels, height, width = data.shape
    out_h, out_w = output.shape[-2:]
    value_range = fg.finite_range(data, output)
    out_x = width + GAP_COLUMNS
    row_step = max(height, out_h) + 2
    fig = go.Figure()
    annotations = []
    shapes = []
    for channel in range(channels):
        y0 = channel * row_step
        fig.add_trace(fg.value_heatmap(data[channel], y_offset=y0, value_range=value_range,
                                       name="x"))
        fig.add_trace(fg.value_heatmap(output[channel], x_offset=out_x, y_offset=y0,
                                       value_range=value_range, name="y"))
        suffix = f"  ({channel_names[channel]})" if channels > 1 else ""
        annotations.append(fg.label_annotation(
            f"{STRINGS['input_title']}{suffix}: {height}×{width}", 0, y0 - 0.1))
        annotations.append(fg.label_annotation(
            f"{STRINGS['output_title']}{suffix}: {out_h}×{out_w}", out_x, y0 - 0.1))
        shapes.append(fg.path_shape(fg.rect_path(0, 0, height, width, y_offset=y0),
                                    color="#222", width=1.5))
        shapes.append(fg.path_shape(fg.rect_path(0, 0, out_h, out_w, x_offset=out_x,
                                                 y_offset=y0), color="#222", width=1.5))
    fig.update_layout(coloraxis={"colorscale": fg.COLORSCALE, "cmin": value_range[0],
                                 "cmax": value_range[1], "colorbar": {"thickness": 12}},
                      annotations=annotations, shapes=shapes)
    fg.grid_axes(fig, (0, out_x + out_w), (-1.2, channels * row_step - 2), extra_height=50)
    return fig


def photo_value_range(data: np.ndarray) -> tuple[float, float]:
    """The values drawn black and white: 0..255 for an ordinary image, else the finite range."""
    lo, hi = fg.finite_range(data)
    if lo >= 0 and hi <= 255:
        return 0.0, 255.0
    return lo, hi


@st.cache_data(max_entries=16, show_spinner=False)
def _display_by_key(data_key: str, _values: np.ndarray, max_side: int,
                    value_range: tuple[float, float]):
    return to_display_uint8(_values, max_side=max_side, value_range=value_range)


@st.cache_data(max_entries=16, show_spinner=False)
def _display(values: np.ndarray, max_side: int, value_range: tuple[float, float]):
    return to_display_uint8(values, max_side=max_side, value_range=value_range)


def display_image(values: np.ndarray, data_key: str, display_width: int,
                  value_range: tuple[float, float]):
    """A :class:`pooling_ui.images.DisplayImage` no wider than needed for ``display_width``.

    ``data_key`` identifies ``values`` for the cache (a big photo is not hashed on every rerun);
    with ``""`` the values themselves are hashed.
    """
    height, width = values.shape[-2:]
    scale = display_width / max(width, 1)
    max_side = max(1, int(np.ceil(max(height, width) * min(scale, 1.0))))
    if data_key:
        return _display_by_key(data_key, values, max_side, value_range)
    return _display(values, max_side, value_range)


def photo_pair(fm, output: np.ndarray, output_key: str, *, key_prefix: str = "output") -> None:
    """Input and output photos side by side, at one scale, downsampled for display only.

    ``output_key`` identifies ``output`` (the feature map's key and the parameters), so that the
    display copy is made once per output.
    """
    channels, _, width = fm.data.shape
    value_range = photo_value_range(fm.data)
    mode = "recomposed"
    if channels == 3:
        mode = st.radio(STRINGS["channels_mode"], list(STRINGS["channels_modes"]),
                        format_func=STRINGS["channels_modes"].get, horizontal=True,
                        key=f"{key_prefix}_channels") or "recomposed"
    scale = PHOTO_DISPLAY_WIDTH / width
    planes = [("", slice(None))] if mode == "recomposed" else [
        (f" ({name})", slice(index, index + 1)) for index, name in enumerate(fm.channel_names)]
    for label, channels_slice in planes:
        in_col, out_col = st.columns(2)
        for column, values, key, what in (
            (in_col, fm.data[channels_slice], f"{fm.key}|in{label}" if fm.key else "",
             STRINGS["input_title"] + label),
            (out_col, output[channels_slice], f"{output_key}|out{label}" if output_key else "",
             STRINGS["output_title"] + label),
        ):
            shown_width = max(1, round(values.shape[-1] * scale))
            picture = display_image(values, key, shown_width, value_range)
            h, w = values.shape[-2:]
            caption = (STRINGS["downsampled"].format(what=what, h=h, w=w, step=picture.step)
                       if picture.downsampled
                       else STRINGS["full_size"].format(what=what, h=h, w=w))
            with column:
                st.image(picture.pixels, caption=caption, width=shown_width)
    st.caption(STRINGS["same_scale"])
    lo, hi = fg.finite_range(output)
    if lo < value_range[0] or hi > value_range[1]:
        st.caption(STRINGS["clipped"])


def input_only_view(fm) -> None:
    """The input alone, for when the parameters do not make a valid pooling."""
    st.subheader(STRINGS["input_heading"])
    with engine.view_guard("input"):
        st.markdown(STRINGS["input_shape"].format(shape=shape_text(fm.data.shape)))
        if fm.is_photo:
            value_range = photo_value_range(fm.data)
            picture = display_image(fm.data, f"{fm.key}|in" if fm.key else "",
                                    PHOTO_DISPLAY_WIDTH, value_range)
            caption = STRINGS["downsampled" if picture.downsampled else "full_size"].format(
                what=STRINGS["input_title"], h=fm.data.shape[1], w=fm.data.shape[2],
                step=picture.step)
            st.image(picture.pixels, caption=caption,
                     width=min(PHOTO_DISPLAY_WIDTH, fm.data.shape[2] * 4))
            return
        figure = input_figure(fm.data, fm.channel_names)
        st.plotly_chart(figure, width="stretch", key="input_figure",
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
        title = STRINGS["input_title"] + (f" ({channel_names[channel]})" if channels > 1 else "")
        annotations.append(fg.label_annotation(title, x0, -0.1))
    fig.update_layout(coloraxis={"colorscale": fg.COLORSCALE, "cmin": value_range[0],
                                 "cmax": value_range[1], "colorbar": {"thickness": 12}},
                      annotations=annotations)
    fg.grid_axes(fig, (0, channels * (width + GAP_COLUMNS) - GAP_COLUMNS), (-1.2, height),
                 extra_height=40)
    return fig
