"""The backward pass: which input cells a pooling layer sends its gradient to, and how much.

An upstream gradient ``dL/dy`` (all ones, seeded random, one-hot at a picked output cell, or typed)
goes through :func:`pooling_core.pool2d_backward`; the result ``dL/dx`` is drawn over the input.
Picking an output cell (a click on the upstream grid, or the two number boxes) outlines its window
and the input cells its gradient reaches — found by the engine too, as the cells a one-hot
upstream gradient at that cell makes non-zero.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from pooling_ui.base import engine
from pooling_ui.base import profile as pf
from pooling_ui.base.caching import cached_figure, value_key
from pooling_ui.base.i18n import labeller, t
from pooling_ui.figures import grids as fg
from pooling_ui.figures import tables
from pooling_ui.figures.grids import declared_padding
from pooling_ui.figures.pictures import (
    colour_bar_figure,
    outline_pixels,
    scaled_picture,
    zoom_region,
)
from pooling_ui.panels.common import clicked_cell, photo_crop, pick_plane

UPSTREAM_MODES = ("ones", "random", "onehot", "typed")
TYPED_MAX_SIDE = 16
REACH_COLOR = fg.WINNER_COLOR  # amber, cased in black as the winners are
# Width in pixels of the picture's column (3/4 of the page, beside the controls), normal profile.
PICTURE_PX = 680
# The whole photo's mask: its colour scale, and the side (input cells) of the full-resolution
# zoom under it, centred on the crop the page works on.
MASK_SCALE = "Greens"
MASK_ZOOM_SIDE = 32


def picture_px() -> int:
    """The picture column's width in this session's display profile."""
    return pf.profile().page_px - (pf.NORMAL.page_px - PICTURE_PX)


# -- pure helpers ----------


def upstream_gradient(mode: str, out_hw: tuple[int, int], *, seed: int = 0,
                      cell: tuple[int, int] = (0, 0), typed: np.ndarray | None = None
                      ) -> np.ndarray:
    """The upstream gradient ``dL/dy`` of one output plane, as float32 ``out_hw``.

    This is test data for the backward pass, not pooling: ones, standard normal numbers from a
    seeded generator, a one-hot at ``cell``, or the typed grid (missing values are 0).
    """
    if mode == "random":
        return np.random.default_rng(seed).standard_normal(out_hw).astype(np.float32)
    if mode == "onehot":
        grad = np.zeros(out_hw, dtype=np.float32)
        grad[cell] = 1.0
        return grad
    if mode == "typed" and typed is not None and typed.shape == tuple(out_hw):
        return np.nan_to_num(np.asarray(typed, dtype=np.float32), nan=0.0)
    return np.ones(out_hw, dtype=np.float32)


def reached_cells(one_hot_backward: np.ndarray) -> list[tuple[int, int]]:
    """Input cells a one-hot upstream gradient reached (non-zero ``dL/dx``)."""
    rows, cols = np.nonzero(np.asarray(one_hot_backward) != 0)
    return [(int(r), int(c)) for r, c in zip(rows, cols, strict=True)]


def gradient_figure(grad_x: np.ndarray, grad_y: np.ndarray, geometry, picked: tuple[int, int],
                    reached: list[tuple[int, int]], padding=0) -> go.Figure:
    """``dL/dx`` over the (padded) input beside ``dL/dy``, the picked cell's window and reach.

    The last trace is a transparent scatter of square markers, one per output cell, with
    ``customdata = (row, col)``: clicking it selects that output cell (heatmaps do not report
    clicks as selections).
    """
    height, width = geometry.in_hw
    out_h, out_w = geometry.out_hw
    out_x = width + geometry.pad[1][1] + fg.GAP_COLUMNS
    limit = max(abs(fg.finite_range(grad_x, grad_y)[0]), abs(fg.finite_range(grad_x, grad_y)[1]),
                1e-12)
    fig = go.Figure()
    fig.add_trace(fg.value_heatmap(grad_x, name="dL/dx", value_range=(-limit, limit)))
    pad_lo, pad_hi = declared_padding(padding, geometry)
    # Padding receives no gradient (there is nothing there to update): grey, unlabelled.
    pad_shapes, pad_traces = fg.padding_decorations((height, width), geometry.pad, pad_lo, pad_hi,
                                                    "")
    fig.add_traces(pad_traces)
    fig.add_trace(fg.value_heatmap(grad_y, x_offset=out_x, name="dL/dy",
                                   value_range=(-limit, limit)))
    row, col = picked
    shapes = [
        *pad_shapes,
        fg.path_shape(fg.rect_path(0, 0, height, width), color=fg.FRAME_COLOR, width=1.5),
        fg.path_shape(fg.rect_path(0, 0, out_h, out_w, x_offset=out_x), color=fg.FRAME_COLOR,
                      width=1.5),
        *fg.marker_shapes(fg.window_path(geometry.row_taps[row], geometry.col_taps[col]),
                          color=fg.WINDOW_COLOR, width=3),
        *fg.marker_shapes(fg.rect_path(row, col, row + 1, col + 1, x_offset=out_x),
                          color=fg.WINDOW_COLOR, width=3),
    ]
    if reached:
        shapes.extend(fg.marker_shapes(fg.cells_path(reached), color=REACH_COLOR, width=4))
    top = -geometry.pad[0][0]
    annotations = [
        fg.label_annotation(t("gradients.grad_title"), -geometry.pad[1][0], 1, yref="paper"),
        fg.label_annotation(t("gradients.upstream_title"), out_x, 1, yref="paper"),
    ]
    fig.update_layout(
        shapes=shapes, annotations=annotations,
        coloraxis={"colorscale": fg.GRADIENT_COLORSCALE, "cmin": -limit, "cmax": limit,
                   "reversescale": True},
        clickmode="event+select", dragmode=False,
    )
    x_range = (-geometry.pad[1][0], out_x + out_w)
    y_range = (top, max(height + geometry.pad[0][1], out_h))
    cell_px = fg.grid_layout(fig, x_range, y_range, max_width_px=picture_px())
    fig.add_trace(fg.pick_trace(out_h, out_w, cell_px, t("gradients.pick_hover") + " y",
                                x_offset=out_x))
    return fig


def counts_figure(counts: np.ndarray) -> go.Figure:
    """How many windows chose each input cell (the all-ones backward of a routing kind)."""
    fig = go.Figure(fg.value_heatmap(counts, name="count",
                                     value_range=(0.0, max(float(np.nanmax(counts)), 1.0))))
    height, width = counts.shape
    fig.update_layout(coloraxis={"colorscale": "Greens",
                                 "cmin": 0, "cmax": max(float(np.nanmax(counts)), 1.0)})
    fg.grid_layout(fig, (0, width), (0, height), margin={"t": 8})
    return fig


# -- the Streamlit view ----------


def gradients_view(fm, params, *, key_prefix: str = "grad", photo_mask: bool = True) -> None:
    """The gradient panel: upstream choice, dL/dx with the picked cell, the rule, the counts.

    ``photo_mask``: for a photo, also show the whole photo's gradient mask (a full-resolution
    backward pass: the Gradients page shows it; the Explorer's panel leaves it out to stay fast).
    """
    st.header(t("gradients.heading"))
    _gradients_fragment(fm, params, key_prefix)
    if fm.is_photo and photo_mask:
        _photo_mask(fm, params, key_prefix)


def _pick_callback(key_prefix: str, out_w: int) -> None:
    """Turn a click on an output cell's marker into the picked row and column."""
    cell = clicked_cell(st.session_state.get(f"{key_prefix}_figure"), out_w)
    if cell is not None:
        st.session_state[f"{key_prefix}_row"], st.session_state[f"{key_prefix}_col"] = cell


@st.fragment
def _gradients_fragment(fm, params, key_prefix: str) -> None:
    with engine.view_guard("gradients"):
        plane = pick_plane(fm, key_prefix, "gradients.photo_note")
        kwargs = params.kwargs()
        geometry = engine.geometry(plane.shape, params.geometry_kwargs())
        out_h, out_w = geometry.out_hw
        controls, picture = st.columns([1, 3], gap="medium")
        with controls:
            mode = st.radio(t("gradients.upstream"), UPSTREAM_MODES,
                            format_func=labeller("gradients.modes."),
                            key=f"{key_prefix}_mode", persist_state="session") or "ones"
            seed = 0
            if mode == "random":
                seed = int(st.number_input(t("gradients.seed"), 0, 2**31 - 1, 0, step=1,
                                           key=f"{key_prefix}_seed", persist_state="session"))
            st.markdown(f"**{t('gradients.pick')}**")
            row = _index_input(t("gradients.pick_row"), out_h, f"{key_prefix}_row")
            col = _index_input(t("gradients.pick_col"), out_w, f"{key_prefix}_col")
            typed = _typed_grid(mode, (out_h, out_w), key_prefix)
        grad_y = upstream_gradient(mode, (out_h, out_w), seed=seed, cell=(row, col), typed=typed)
        grad_x = engine.backward(plane, grad_y, kwargs)
        one_hot = upstream_gradient("onehot", (out_h, out_w), cell=(row, col))
        reached = reached_cells(engine.backward(plane, one_hot, kwargs))
        with picture:
            figure = cached_figure(gradient_figure, grad_x, grad_y, geometry, (row, col),
                                   reached, params.padding)
            st.plotly_chart(figure, width="content", key=f"{key_prefix}_figure",
                            on_select=lambda: _pick_callback(key_prefix, out_w),
                            selection_mode="points", config={"displayModeBar": False})
        with controls:
            st.markdown(f"**{t('gradients.rule_heading')}**")
            st.markdown(t(f"kinds.{params.kind}.rule"))
            st.caption(t("gradients.reach", row=row, col=col, count=len(reached)))
            receiving = int(np.count_nonzero(grad_x))
            st.caption(t("gradients.receives", count=receiving, total=grad_x.size,
                         share=receiving / max(grad_x.size, 1)))
        box = tables.table_expander(f"{key_prefix}_table_open")
        if box:
            with box:
                gradient_tables(grad_x, grad_y, geometry, (row, col))
        if params.spec.picks_cell(params.options):
            counts = grad_x if mode == "ones" else engine.backward(
                plane, np.ones((out_h, out_w), np.float32), kwargs)
            st.markdown(f"**{t('gradients.counts_heading')}**")
            st.caption(t("gradients.counts_note", count=fg.format_value(np.max(counts))))
            if mode != "ones":
                st.plotly_chart(cached_figure(counts_figure, counts), width="content",
                                key=f"{key_prefix}_counts", config={"displayModeBar": False})


def gradient_tables(grad_x: np.ndarray, grad_y: np.ndarray, geometry,
                    picked: tuple[int, int]) -> None:
    """``dL/dx`` (the picked output cell's window marked) and ``dL/dy`` (the picked cell
    marked) as tables. Padding receives no gradient, so only the input's own cells are shown."""
    height, width = grad_x.shape
    out_h, out_w = grad_y.shape
    row, col = picked
    window = [cell for cell in geometry.cells(row, col) if not geometry.is_padding(*cell)]
    rows_in = [r for r, _ in window] or [0]
    cols_in = [c for _, c in window] or [0]
    rows = tables.bounded(height, (min(rows_in), max(rows_in)))
    cols = tables.bounded(width, (min(cols_in), max(cols_in)))
    tables.show_table(tables.grid_table(grad_x, rows, cols, window=window),
                      t("grid_table.gradient", h=height, w=width, row=row, col=col))
    note = tables.crop_note(rows, cols, (height, width), (height, width))
    if note:
        st.caption(note)
    out_rows, out_cols = tables.bounded(out_h, (row, row)), tables.bounded(out_w, (col, col))
    tables.show_table(tables.grid_table(grad_y, out_rows, out_cols, window=[(row, col)],
                                        window_mark="picked"),
                      t("grid_table.upstream", h=out_h, w=out_w, row=row, col=col))
    note = tables.crop_note(out_rows, out_cols, (out_h, out_w), (out_h, out_w))
    if note:
        st.caption(note)


def _index_input(label: str, size: int, key: str) -> int:
    """A number box for an output index in ``[0, size)``, its stored value kept in range."""
    if key in st.session_state:
        st.session_state[key] = int(np.clip(st.session_state[key], 0, size - 1))
    return int(st.number_input(label, 0, max(size - 1, 0), step=1, key=key,
                               persist_state="session"))


def _typed_grid(mode: str, out_hw: tuple[int, int], key_prefix: str) -> np.ndarray | None:
    if mode != "typed":
        return None
    out_h, out_w = out_hw
    if max(out_h, out_w) > TYPED_MAX_SIDE:
        st.info(t("gradients.typed_too_big", n=TYPED_MAX_SIDE, h=out_h, w=out_w))
        return None
    initial = pd.DataFrame(np.ones(out_hw), columns=[str(c) for c in range(out_w)])
    st.caption(t("gradients.typed_help"))
    edited = st.data_editor(initial, key=f"{key_prefix}_typed_{out_h}x{out_w}")
    values = pd.DataFrame(edited).apply(pd.to_numeric, errors="coerce").to_numpy(np.float32)
    return values if values.shape == tuple(out_hw) else None


def _photo_mask(fm, params, key_prefix: str = "grad") -> None:
    """The whole photo's gradient mask (all-ones upstream) on its own colour scale, shrunk by
    keeping each block's strongest cell, then a region of it at full resolution around the
    crop the page works on, where the overlap pattern (or the winners) can be seen cell by
    cell."""
    with engine.view_guard("photo gradient mask"):
        kwargs = params.kwargs()
        output = engine.pool_feature_map(fm, kwargs)
        ones = np.ones(output.shape, dtype=np.float32)
        mask = engine.backward_feature_map(fm, ones, "ones", kwargs)
        finite = np.abs(mask[np.isfinite(mask)])
        top = float(finite.max()) if finite.size and finite.max() > 0 else 1.0
        key = f"{fm.key}|mask|{value_key(kwargs)}" if fm.key else ""
        height, width = mask.shape[-2:]
        crop = photo_crop(fm, key_prefix)
        region = zoom_region((height, width), ((crop[0] + crop[2]) // 2,
                                               (crop[1] + crop[3]) // 2), MASK_ZOOM_SIDE)
        share = float(np.count_nonzero(mask)) / max(mask.size, 1)
        room = picture_px() // 2 - 8
        whole, step = scaled_picture(mask, key, room, (0.0, top), MASK_SCALE)
        whole = outline_pixels(whole, region, whole.shape[1] / width)
        row0, col0, row1, col1 = region
        zoomed, _ = scaled_picture(mask[:, row0:row1, col0:col1],
                                   f"{key}|zoom{region}" if key else "", room, (0.0, top),
                                   MASK_SCALE, integer=True)
        left, right = st.columns(2, gap="small")
        with left:
            st.image(whole, width=whole.shape[1], caption=t(
                "gradients.photo_mask", top=fg.format_value(top), share=share))
            if step > 1:
                st.caption(t("gradients.photo_mask_shrunk", step=step))
        with right:
            st.image(zoomed, width=zoomed.shape[1], caption=t(
                "gradients.photo_mask_zoom", row0=row0, row1=row1 - 1, col0=col0,
                col1=col1 - 1, zoom=zoomed.shape[1] // max(col1 - col0, 1)))
        st.plotly_chart(cached_figure(colour_bar_figure, (0.0, top), MASK_SCALE, room,
                                      (0.0, top / 2, top),
                                      ("0", fg.format_value(top / 2), fg.format_value(top))),
                        width="content", config={"displayModeBar": False, "staticPlot": True})
