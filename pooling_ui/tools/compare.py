"""Compare kinds of pooling on the same input and parameters: outputs, gradient masks, numbers.

Each kind's output and its gradient mask (``dL/dx`` for an all-ones upstream gradient) come from
:mod:`pooling_core`. The numbers beside them are summaries of those arrays: how much of the input
receives gradient, the output's mean and spread, and how far a nearest-neighbour upsampling of
the output back to the input's size is from the input (RMSE) — display and metric code, not
pooling.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

import pooling_core as pc
from pooling_ui.base import engine
from pooling_ui.base import profile as pf
from pooling_ui.base.caching import cache_data, cached_figure, value_key
from pooling_ui.base.i18n import engine_message, labeller, t
from pooling_ui.figures import grids as fg
from pooling_ui.figures import tables
from pooling_ui.figures.pictures import (
    colour_bar_figure,
    enlarge,
    feature_map_busiest,
    feature_map_range,
    fit_scale,
    fitted_photo,
    outlined_photo,
    photo_value_range,
    scaled_picture,
    show_photo,
    zoom_pictures,
    zoom_region,
)
from pooling_ui.panels.common import animated_crop, channel_name, kind_name, position_slider
from pooling_ui.tools.output import LOCATOR_PX, crop_outputs, zoom_sides

DEFAULT_KINDS = ("max", "avg")
COLUMNS_PER_ROW = 4
# Usable width in pixels of one of 1, 2, 3 or 4 columns on a wide page (normal profile).
COLUMN_PX = (900, 440, 290, 210)
PHOTO_WIDTH = 300
# Photos: two kinds a row, each picture half the page wide (an output of 256 columns is then
# drawn about 1.8 px a cell: blockiness and smoothing can be seen), and the swipe picture the
# whole page wide.
PHOTO_COLUMNS = 2
PHOTO_GAP_PX = 16
MASK_SCALE = "Greens"
DIFFERENCE_SCALE = "RdBu"
SWIPE_KEY = "cmp_swipe"
SWIPE_DIVIDER_PX = 3

@dataclass(frozen=True)
class KindResult:
    """One kind's output, gradient mask and summary numbers (or why it could not be computed)."""

    kind: str
    key: str = ""
    output: np.ndarray | None = None
    mask: np.ndarray | None = None
    numbers: dict | None = None
    error: pc.PoolingError | None = None


def nearest_upsample(output: np.ndarray, in_hw: tuple[int, int]) -> np.ndarray:
    """Resize ``output``'s last two axes to ``in_hw`` by nearest neighbour (repeating values).

    Input row ``i`` takes output row ``floor(i * H_out / H)``: for an output exactly ``s`` times
    smaller this is ``np.repeat(..., s)``.

    Examples
    --------
    >>> nearest_upsample(np.array([[1, 2], [3, 4]]), (4, 4)).tolist()
    [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]
    """
    out_h, out_w = output.shape[-2:]
    height, width = in_hw
    rows = np.minimum(np.arange(height) * out_h // height, out_h - 1)
    cols = np.minimum(np.arange(width) * out_w // width, out_w - 1)
    return output[..., rows[:, None], cols[None, :]]


def summary_numbers(x: np.ndarray, output: np.ndarray, mask: np.ndarray) -> dict:
    """Fraction of inputs with non-zero gradient, output mean and std, upsampling RMSE."""
    values = np.asarray(output, dtype=np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        error = np.asarray(x, dtype=np.float64) - nearest_upsample(values, x.shape[-2:])
        rmse = float(np.sqrt(np.nanmean(error * error))) if error.size else float("nan")
        mean = float(np.nanmean(values)) if values.size else float("nan")
        std = float(np.nanstd(values)) if values.size else float("nan")
    return {
        "receives": float(np.count_nonzero(mask)) / max(mask.size, 1),
        "mean": mean,
        "std": std,
        "rmse": rmse,
    }


@cache_data(32)
def _numbers(key: str, _x: np.ndarray, _output: np.ndarray, _mask: np.ndarray) -> dict:
    return summary_numbers(_x, _output, _mask)


def kind_result(fm, params, kind: str) -> KindResult:
    """Pool and back-propagate all ones through ``kind`` with the user's other parameters."""
    kwargs = engine.kwargs_for_kind(params, kind)
    try:
        output = engine.pool_feature_map(fm, kwargs)
        ones = np.ones(output.shape, dtype=np.float32)
        mask = engine.backward_feature_map(fm, ones, "ones", kwargs)
    except pc.PoolingError as error:
        return KindResult(kind, error=error)
    # The arrays are functions of the map and the arguments: that pair keys their caches.
    key = f"{fm.key}|{value_key(kwargs)}" if fm.key else ""
    numbers = (_numbers(key, fm.data, output, mask) if key
               else summary_numbers(fm.data, output, mask))
    return KindResult(kind, key, output, mask, numbers)


def cell_size(in_hw: tuple[int, int], columns: int) -> int:
    """Pixels per cell so that the input fits a column: every grid of the page uses it, so
    outputs, masks and differences are drawn at the same scale.

    Examples
    --------
    >>> cell_size((4, 4), 2), cell_size((64, 64), 2), cell_size((16, 16), 4)
    (56, 6, 12)
    """
    usable = column_px(columns) - 16
    return int(np.clip(usable / max(in_hw[1], 1), fg.CELL_PX_MIN, pf.profile().cell_px_max))


def column_px(columns: int) -> int:
    """Usable width of one of ``columns`` columns in this session's display profile."""
    normal = COLUMN_PX[min(columns, len(COLUMN_PX)) - 1]
    return round(normal * pf.profile().page_px / pf.NORMAL.page_px)


def grid_figure(grid: np.ndarray, value_range: tuple[float, float], colorscale: str,
                title: str, *, cell_px: int = 20, midpoint: float | None = None) -> go.Figure:
    """One heatmap with a title, square cells of ``cell_px``, for the side-by-side columns."""
    height, width = grid.shape
    fig = go.Figure(fg.value_heatmap(grid, value_range=value_range, name=title))
    axis = {"colorscale": colorscale, "cmin": value_range[0], "cmax": value_range[1],
            "showscale": False}
    if midpoint is not None:
        axis["cmid"] = midpoint
    fig.update_layout(coloraxis=axis, annotations=[
        fg.label_annotation(title, 0, 1, yref="paper")])
    # a narrow grid (a 2×2 output) is widened for its title, which plotly would cut
    fg.grid_layout(fig, (0, width), (0, height), cell_px=cell_px, colorbar=False,
                   min_width_px=fg.label_width_px(title) + 8)
    return fig


def compare_view(fm, params) -> None:
    """Kinds side by side: outputs, gradient masks, a difference and a table of numbers."""
    st.header(t("compare.heading"))
    with engine.view_guard("compare"):
        kinds = st.multiselect(t("compare.kinds"), list(pc.KINDS), default=list(DEFAULT_KINDS),
                               format_func=labeller("kinds.", ".name"), key="cmp_kinds",
                               persist_state="session")
        if len(kinds) < 2:
            st.info(t("compare.need_two"))
            if not kinds:
                return
        results = [kind_result(fm, params, kind) for kind in kinds]
        for result in results:
            if result.error:
                st.warning(t("compare.failed", kind=kind_name(result.kind),
                             message=engine_message(result.error)))
        good = [r for r in results if r.error is None]
        if not good:
            return
        if fm.is_photo:
            photo_compare(fm, params, good)
            _numbers_table(good)
            return
        channel = _channel(fm)
        _side_by_side(fm, good, channel)
        box = tables.table_expander("cmp_table_open")
        if box:
            with box:
                _kind_tables(fm, params, good, channel)
        if len(good) >= 2:
            _difference(fm, good, channel)
        _numbers_table(good)


def _channel(fm) -> int | None:
    """For a photo every channel is shown (as colour); for grids, one channel at a time."""
    if fm.is_photo or fm.data.shape[0] == 1:
        return None if fm.is_photo else 0
    return int(st.radio(t("compare.channel"), range(fm.data.shape[0]),
                        format_func=labeller("views.channels.", names=fm.channel_names),
                        horizontal=True, key="cmp_channel", persist_state="session") or 0)


def _side_by_side(fm, results: list[KindResult], channel: int | None) -> None:
    outputs = [r.output for r in results]
    masks = [r.mask for r in results]
    output_range = fg.finite_range(fm.data, *outputs)
    mask_range = (0.0, max(fg.finite_range(*masks)[1], 1e-12))
    columns = min(len(results), COLUMNS_PER_ROW)
    cell_px = cell_size(fm.data.shape[-2:], columns)
    for start in range(0, len(results), COLUMNS_PER_ROW):
        row = results[start:start + COLUMNS_PER_ROW]
        for column, result in zip(st.columns(columns), row, strict=False):
            with column:
                st.markdown(f"**{kind_name(result.kind)}**")
                if fm.is_photo:
                    step = photo_step(fm.data.shape[-1], columns)
                    _photo(result.output, _derived(result.key, "output"),
                           photo_value_range(fm.data), t("compare.output"), step)
                    _photo(result.mask, _derived(result.key, f"mask{mask_range}"), mask_range,
                           t("compare.mask"), step)
                else:
                    st.plotly_chart(
                        cached_figure(grid_figure, result.output[channel], output_range,
                                      pf.profile().colorscale, t("compare.output"),
                                      cell_px=cell_px),
                        width="content", key=f"cmp_out_{result.kind}",
                        config={"displayModeBar": False})
                    st.plotly_chart(
                        cached_figure(grid_figure, result.mask[channel], mask_range, "Greens",
                                      t("compare.mask"), cell_px=cell_px),
                        width="content", key=f"cmp_mask_{result.kind}",
                        config={"displayModeBar": False})


def _kind_tables(fm, params, results: list[KindResult], channel: int | None) -> None:
    """Each kind's output and gradient mask as tables (text for the pictures above). A photo's
    are shown on the animation's crop: the mask there, the outputs whose windows start in it."""
    channels = [channel] if channel is not None else list(range(fm.data.shape[0]))
    crop = outputs = None
    if fm.is_photo:
        crop = animated_crop(fm)
        outputs = crop_outputs(engine.geometry(fm.data.shape[-2:], params.geometry_kwargs()),
                               crop)
    for result in results:
        name = kind_name(result.kind)
        for index in channels:
            suffix = (f" ({channel_name(fm.channel_names[index])})"
                      if len(fm.channel_names) > 1 else "")
            output, mask = result.output[index], result.mask[index]
            if crop is None:
                tables.plain_grid(output, t("grid_table.compare_output", kind=name,
                                            h=output.shape[0], w=output.shape[1]) + suffix)
                tables.plain_grid(mask, t("grid_table.compare_mask", kind=name,
                                          h=mask.shape[0], w=mask.shape[1]) + suffix)
                continue
            if outputs is not None:
                r0, r1, c0, c1 = outputs
                tables.plain_grid(output[r0:r1, c0:c1], t(
                    "grid_table.compare_output", kind=name, h=output.shape[0],
                    w=output.shape[1]) + suffix, row0=r0, col0=c0)
            row0, col0, row1, col1 = crop
            tables.plain_grid(mask[row0:row1, col0:col1], t(
                "grid_table.compare_mask", kind=name, h=mask.shape[0], w=mask.shape[1]) + suffix,
                row0=row0, col0=col0)
        if crop is not None:
            st.caption(t("grid_table.compare_crop", size=crop[2] - crop[0], row=crop[0],
                         col=crop[1]))


def _derived(key: str, what: str) -> str:
    """Cache key of a picture derived from a keyed array ("" when the array has no key)."""
    return f"{key}|{what}" if key else ""


def photo_step(in_w: int, columns: int) -> int:
    """Cells per screen pixel for the photos of a row of ``columns``: the input's width fits a
    column, and every picture of the row (outputs, masks) uses the same step, so one scale. A
    photo narrower than the column is drawn a cell a pixel, not enlarged."""
    return fit_scale((int(in_w), min(PHOTO_WIDTH, column_px(columns) - 16)))[1]


def _photo(values: np.ndarray, key: str, value_range: tuple[float, float], what: str,
           step: int) -> None:
    h, w = values.shape[-2:]
    show_photo(values, key, step, value_range, t("compare.photo_caption", what=what, h=h, w=w))


def _difference(fm, results: list[KindResult], channel: int | None) -> None:
    st.markdown(f"**{t('compare.difference_heading')}**")
    a, b = _pair(results)
    first, second = a.kind, b.kind
    with np.errstate(invalid="ignore"):
        output_diff = a.output.astype(np.float64) - b.output
        mask_diff = a.mask.astype(np.float64) - b.mask
    out_col, mask_col = st.columns(2)
    for column, diff, title, name in (
        (out_col, output_diff, "compare.difference_output", "out"),
        (mask_col, mask_diff, "compare.difference_mask", "mask"),
    ):
        lo, hi = fg.finite_range(diff)
        limit = max(abs(lo), abs(hi), 1e-12)
        caption = t(title, a=kind_name(first), b=kind_name(second))
        with column:
            if fm.is_photo:
                key = _derived(a.key and b.key and f"{a.key}||{b.key}", f"diff-{name}")
                _photo(diff.astype(np.float32), key, (-limit, limit), caption,
                       photo_step(fm.data.shape[-1], 2))
            else:
                cell_px = cell_size(fm.data.shape[-2:], 2)
                st.plotly_chart(cached_figure(grid_figure, diff[channel], (-limit, limit), "RdBu",
                                              caption, cell_px=cell_px, midpoint=0.0),
                                width="content", key=f"cmp_diff_{name}",
                                config={"displayModeBar": False})


# -- photos ---------------------------------------------------------------------------------------
def photo_column_px() -> int:
    """Width in pixels of one of a photo row's :data:`PHOTO_COLUMNS` pictures."""
    return (pf.profile().page_px - PHOTO_GAP_PX * (PHOTO_COLUMNS - 1)) // PHOTO_COLUMNS


def photo_compare(fm, params, results: list[KindResult]) -> None:
    """A photo's comparison: each kind's output large, side by side; two kinds on one picture
    with a divider to drag; one zoom region at full resolution for every kind (output and
    mask); each kind's mask of the whole photo on its own scale; the difference of two kinds on
    a scale centred at 0."""
    value_range = feature_map_range(fm)
    width = photo_column_px()
    st.markdown(f"**{t('compare.outputs_heading')}**")
    for start in range(0, len(results), PHOTO_COLUMNS):
        row = results[start:start + PHOTO_COLUMNS]
        for column, result in zip(st.columns(PHOTO_COLUMNS, gap="small"), row, strict=False):
            with column:
                _output_picture(result, value_range, width)
    st.caption(t("compare.outputs_note"))
    st.markdown(f"**{t('compare.swipe_heading')}**")
    a, b = _pair(results)
    _swipe_fragment(a, b, value_range)
    _zoom(fm, params, results, value_range)
    _photo_masks(results)
    _photo_difference(a, b)


def _output_picture(result: KindResult, value_range, width: int) -> None:
    output = result.output
    pixels, step = fitted_photo(output, _derived(result.key, "output"), width, value_range)
    h, w = output.shape[-2:]
    key = "compare.output_shrunk" if step > 1 else "compare.output_enlarged"
    st.image(pixels, width=pixels.shape[1], caption=t(
        key, kind=kind_name(result.kind), h=h, w=w, step=step,
        px=fg.format_value(round(pixels.shape[1] * step / w, 2))))


def _pair(results: list[KindResult]) -> tuple[KindResult, KindResult]:
    """The two kinds the swipe and the difference show (the same pair for both)."""
    names = [r.kind for r in results]
    first_col, second_col = st.columns(2)
    with first_col:
        first = st.selectbox(t("compare.first"), names, index=0, key="cmp_first",
                             format_func=labeller("kinds.", ".name"), persist_state="session")
    with second_col:
        second = st.selectbox(t("compare.second"), names, index=min(1, len(names) - 1),
                              key="cmp_second", format_func=labeller("kinds.", ".name"),
                              persist_state="session")
    by_kind = {r.kind: r for r in results}
    return by_kind.get(first, results[0]), by_kind.get(second, results[-1])


def swipe_pixels(left: np.ndarray, right: np.ndarray, share: float) -> np.ndarray:
    """``left``'s pixels left of a divider at ``share`` of the width, ``right``'s after it, and
    the divider drawn as a white line edged in black (seen on dark and light pictures alike).

    Examples
    --------
    With a 3-pixel divider at half of 10 pixels (x = 5): white on 4, 5, 6, black on 3 and 7,
    ``left`` before them and ``right`` after them.

    >>> a, b = np.zeros((1, 10, 3), np.uint8), np.full((1, 10, 3), 9, np.uint8)
    >>> swipe_pixels(a, b, 0.5)[0, :, 0].tolist()
    [0, 0, 0, 0, 255, 255, 255, 0, 9, 9]
    """
    width = left.shape[1]
    x = round(float(np.clip(share, 0.0, 1.0)) * width)
    pixels = left.copy()
    pixels[:, x:] = right[:, x:]
    half = SWIPE_DIVIDER_PX // 2
    lo, hi = max(x - half, 0), min(x + half + 1, width)
    pixels[:, max(lo - 1, 0):min(hi + 1, width)] = 0
    pixels[:, lo:hi] = 255
    return pixels


@st.fragment
def _swipe_fragment(a: KindResult, b: KindResult, value_range) -> None:
    """Two kinds on one picture, a divider between them that the slider moves (a fragment:
    moving it reruns only this picture)."""
    if a.output.shape != b.output.shape or a.kind == b.kind:
        st.info(t("compare.swipe_needs_pair"))
        return
    share = st.slider(t("compare.swipe_divider"), 0, 100, 50, step=1, key=SWIPE_KEY,
                      format="%d%%", persist_state="session")
    width = pf.profile().page_px
    left, _ = fitted_photo(a.output, _derived(a.key, "output"), width, value_range)
    right, _ = fitted_photo(b.output, _derived(b.key, "output"), width, value_range)
    st.image(swipe_pixels(left, right, (share or 0) / 100), width=width,
             caption=t("compare.swipe_caption", a=kind_name(a.kind), b=kind_name(b.kind)))


def _zoom(fm, params, results: list[KindResult], value_range) -> None:
    """One region of the input at full resolution, and the same region of every kind's output
    (each output cell as the stride block it stands for) and of every kind's mask."""
    st.markdown(f"**{t('compare.zoom_heading')}**")
    height, width = fm.data.shape[-2:]
    sides, default_side = zoom_sides((height, width), "cmp_zoom_size")
    # opened on the photo's busiest region: edges, where the kinds differ most
    busy_row, busy_col = feature_map_busiest(fm, default_side)
    row_column, col_column, size_column = st.columns(3)
    with row_column:
        centre_row = position_slider(t("photo_view.zoom_row"), height - 1, "cmp_zoom_row",
                                     busy_row + default_side // 2)
    with col_column:
        centre_col = position_slider(t("photo_view.zoom_col"), width - 1, "cmp_zoom_col",
                                     busy_col + default_side // 2)
    with size_column:
        side = st.select_slider(t("photo_view.zoom_size"), sides, key="cmp_zoom_size")
    region = zoom_region((height, width), (centre_row, centre_col), int(side))
    row0, col0, row1, col1 = region
    geometry = engine.geometry((height, width), params.geometry_kwargs())
    column_width = photo_column_px()
    zoom = max(1, column_width // max(row1 - row0, col1 - col0))
    where = t("compare.zoom_region", row0=row0, row1=row1 - 1, col0=col0, col1=col1 - 1,
              zoom=zoom)
    top = st.columns(PHOTO_COLUMNS, gap="small")
    with top[0]:
        locator = outlined_photo(fm, region, min(LOCATOR_PX * 2, column_width))
        st.image(locator, width=locator.shape[1], caption=t("photo_view.zoom_where"))
    crop, _ = zoom_pictures(fm.data, results[0].output, geometry, params.stride, region,
                            value_range)
    with top[1]:
        st.image(enlarge(crop, zoom), width=crop.shape[1] * zoom,
                 caption=t("compare.zoom_input", h=height, w=width, where=where))
    for start in range(0, len(results), PHOTO_COLUMNS):
        row = results[start:start + PHOTO_COLUMNS]
        for column, result in zip(st.columns(PHOTO_COLUMNS, gap="small"), row, strict=False):
            _, blocks = zoom_pictures(fm.data, result.output, geometry, params.stride, region,
                                      value_range)
            name = kind_name(result.kind)
            top_value = _mask_top(result)
            mask = result.mask[:, row0:row1, col0:col1]
            pixels, _ = scaled_picture(mask, _derived(result.key, f"mask-zoom{region}"),
                                       column_width, (0.0, top_value), MASK_SCALE, integer=True)
            with column:
                st.image(enlarge(blocks, zoom), width=blocks.shape[1] * zoom,
                         caption=t("compare.zoom_output", kind=name, where=where,
                                   sh=params.stride[0], sw=params.stride[1]))
                st.image(pixels, width=pixels.shape[1],
                         caption=t("compare.zoom_mask", kind=name, where=where))
                _mask_bar(top_value, pixels.shape[1])


def _mask_top(result: KindResult) -> float:
    """The top of a kind's own mask scale: its largest |gradient| (1 for an all-zero mask)."""
    finite = np.abs(result.mask[np.isfinite(result.mask)])
    top = float(finite.max()) if finite.size else 0.0
    return top if top > 0 else 1.0


def _mask_bar(top: float, width: int) -> None:
    st.plotly_chart(cached_figure(colour_bar_figure, (0.0, top), MASK_SCALE, width,
                                  (0.0, top / 2, top),
                                  ("0", fg.format_value(top / 2), fg.format_value(top))),
                    width="content", config={"displayModeBar": False, "staticPlot": True})


def _photo_masks(results: list[KindResult]) -> None:
    """Each kind's mask of the whole photo on its own colour scale (the kinds' masks differ by
    orders of magnitude), downsampled by keeping each block's largest value, with the share of
    inputs that receive gradient beside it."""
    st.markdown(f"**{t('compare.masks_heading')}**")
    width = photo_column_px()
    for start in range(0, len(results), PHOTO_COLUMNS):
        row = results[start:start + PHOTO_COLUMNS]
        for column, result in zip(st.columns(PHOTO_COLUMNS, gap="small"), row, strict=False):
            top = _mask_top(result)
            pixels, step = scaled_picture(result.mask, _derived(result.key, "mask"), width,
                                          (0.0, top), MASK_SCALE)
            with column:
                st.image(pixels, width=pixels.shape[1], caption=t(
                    "compare.mask_caption", kind=kind_name(result.kind),
                    top=fg.format_value(top), share=result.numbers["receives"]))
                _mask_bar(top, pixels.shape[1])
                if step > 1:
                    st.caption(t("compare.shrunk", step=step))
    st.caption(t("compare.masks_note"))


def _photo_difference(a: KindResult, b: KindResult) -> None:
    """``a − b`` of the outputs and of the masks on a diverging scale centred at 0, each with
    its colour bar (channels averaged for the outputs; the strongest for the masks)."""
    st.markdown(f"**{t('compare.difference_heading')}**")
    if a.output.shape != b.output.shape:
        st.info(t("compare.swipe_needs_pair"))
        return
    width = photo_column_px()
    names = {"a": kind_name(a.kind), "b": kind_name(b.kind)}
    with np.errstate(invalid="ignore"):
        output_diff = (a.output.astype(np.float64) - b.output).mean(axis=0, keepdims=True)
        mask_diff = a.mask.astype(np.float64) - b.mask
    pair_key = a.key and b.key and f"{a.key}||{b.key}"
    for column, diff, title, name in zip(
            st.columns(PHOTO_COLUMNS, gap="small"), (output_diff, mask_diff),
            ("compare.difference_output", "compare.difference_mask"), ("out", "mask"),
            strict=True):
        lo, hi = fg.finite_range(diff)
        limit = max(abs(lo), abs(hi), 1e-12)
        pixels, step = scaled_picture(diff.astype(np.float32), _derived(pair_key, f"diff-{name}"),
                                      width, (-limit, limit), DIFFERENCE_SCALE)
        with column:
            st.image(pixels, width=pixels.shape[1], caption=t(title, **names))
            if step > 1:
                st.caption(t("compare.shrunk", step=step))
            st.plotly_chart(cached_figure(
                colour_bar_figure, (-limit, limit), DIFFERENCE_SCALE, pixels.shape[1],
                (-limit, 0.0, limit),
                (fg.format_value(-limit), "0", fg.format_value(limit))),
                width="content", config={"displayModeBar": False, "staticPlot": True})
    st.caption(t("compare.difference_note", **names))


def _numbers_table(results: list[KindResult]) -> None:
    st.markdown(f"**{t('compare.numbers_heading')}**")
    rows = [{
        t("compare.columns.kind"): kind_name(r.kind),
        t("compare.columns.receives"): f"{r.numbers['receives']:.1%}",
        t("compare.columns.mean"): fg.format_value(r.numbers["mean"]),
        t("compare.columns.std"): fg.format_value(r.numbers["std"]),
        t("compare.columns.rmse"): fg.format_value(r.numbers["rmse"]),
    } for r in results]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    st.caption(t("compare.numbers_note"))
