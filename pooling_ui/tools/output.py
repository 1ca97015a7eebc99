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
the output as CSV and NPY (:mod:`pooling_ui.tools.export`).
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from pooling_ui.base import engine
from pooling_ui.base import profile as pf
from pooling_ui.base.caching import cached_figure, value_key
from pooling_ui.base.i18n import labeller, t
from pooling_ui.figures import grids as fg
from pooling_ui.figures import tables
from pooling_ui.figures.pictures import (
    blocks_display,
    enlarge,
    feature_map_range,
    finite_range_by_key,
    outlined_photo,
    photo_caption,
    photo_scale,
    show_photo,
    zoom_pictures,
    zoom_region,
)
from pooling_ui.panels.common import (
    DRAWN_CROP_KEY,
    PHOTO_CROP,
    animated_crop,
    channel_name,
    position_slider,
    shape_text,
)
from pooling_ui.tools import export

CHANNEL_MODES = ("recomposed", "side")
PHOTO_VIEWS = ("same_scale", "blocks", "zoom")
# Sides (input pixels) the zoom may show, its pictures' width on screen, the small picture of the
# whole photo that shows where a region is.
ZOOM_SIDES = (8, 16, 32, 64, 128, 256)
ZOOM_DEFAULT_SIDE = 32
ZOOM_PX = 320
LOCATOR_PX = 240

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
    st.header(t("output.heading"))
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
                     channel_names: tuple[str, ...] = ("gray",)) -> dict:
    """Input and output heatmaps in one pair of axes: one row per channel, same cell size.

    Built as plain dicts and returned as plotly's ``to_dict`` would write the figure
    (:func:`pooling_ui.figures.grids.figure_spec`): plotly's validated objects cost several times
    the rest of the figure.
    """
    channels, height, width = data.shape
    out_h, out_w = output.shape[-2:]
    value_range = fg.finite_range(data, output)
    out_x = width + fg.GAP_COLUMNS
    rows = max(height, out_h)
    # each channel's row of grids has its labels on a band of its own above it
    cell_px = fg.fit_cell_px(out_x + out_w, channels * (rows + 1),
                             side_px=8 + pf.profile().colorbar_px)
    label_rows = fg.rows_for_px(pf.profile().label_row_px, cell_px)
    row_step = rows + label_rows
    traces = []
    annotations = []
    shapes = []
    for channel in range(channels):
        y0 = channel * row_step
        traces.append(fg.value_heatmap_spec(data[channel], y_offset=y0,
                                            value_range=value_range, name="x"))
        traces.append(fg.value_heatmap_spec(output[channel], x_offset=out_x, y_offset=y0,
                                            value_range=value_range, name="y"))
        suffix = f"  ({channel_name(channel_names[channel])})" if channels > 1 else ""
        annotations.append(fg.label_annotation(
            f"{t('output.input_title')}{suffix}: {height}×{width}", 0, y0))
        annotations.append(fg.label_annotation(
            f"{t('output.output_title')}{suffix}: {out_h}×{out_w}", out_x, y0))
        shapes.append(fg.path_shape(fg.rect_path(0, 0, height, width, y_offset=y0),
                                    color=fg.FRAME_COLOR, width=1.5))
        shapes.append(fg.path_shape(fg.rect_path(0, 0, out_h, out_w, x_offset=out_x,
                                                 y_offset=y0), color=fg.FRAME_COLOR, width=1.5))
    layout = {"coloraxis": {"colorscale": pf.profile().colorscale, "cmin": value_range[0],
                            "cmax": value_range[1]},
              "annotations": annotations, "shapes": shapes}
    fg.grid_layout_spec(traces, layout, (0, out_x + out_w),
                        (-label_rows, channels * row_step - label_rows), cell_px=cell_px,
                        margin={"t": 4})
    return fg.figure_spec(traces, layout)


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
    lo, hi = finite_range_by_key(output_key, output) if output_key else fg.finite_range(output)
    if lo < value_range[0] or hi > value_range[1]:
        st.caption(t("output.clipped"))


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


def zoom_sides(hw: tuple[int, int], state_key: str) -> tuple[list[int], int]:
    """The zoom's square sides that fit a ``hw`` input and the one it opens with; the widget
    ``state_key`` is set to that one unless it already holds a side that fits."""
    sides = [side for side in ZOOM_SIDES if side <= min(hw)] or [min(hw)]
    default_side = ZOOM_DEFAULT_SIDE if ZOOM_DEFAULT_SIDE in sides else sides[-1]
    if st.session_state.get(state_key) not in sides:
        st.session_state[state_key] = default_side
    return sides, default_side


def zoom_view(fm, params, output: np.ndarray, geometry) -> None:
    """A region of the input at full resolution beside the same region of the blown-up output."""
    height, width = fm.data.shape[-2:]
    sides, _ = zoom_sides((height, width), "output_zoom_size")
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
    st.header(t("output.input_heading"))
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
        x0 = channel * (width + fg.GAP_COLUMNS)
        fig.add_trace(fg.value_heatmap(data[channel], x_offset=x0, value_range=value_range))
        title = t("output.input_title") + (
            f" ({channel_name(channel_names[channel])})" if channels > 1 else "")
        annotations.append(fg.label_annotation(title, x0, 1, yref="paper"))
    fig.update_layout(coloraxis={"colorscale": pf.profile().colorscale, "cmin": value_range[0],
                                 "cmax": value_range[1]},
                      annotations=annotations)
    fg.grid_layout(fig, (0, channels * (width + fg.GAP_COLUMNS) - fg.GAP_COLUMNS), (0, height))
    return fig
