"""The shift page: move the input by a cell or less and watch four poolings change, or not.

The input is shifted circularly (:func:`pooling_core.shift2d`) by the chosen cells (and, for a
photo, a fraction of a cell more to the right), pooled four ways with the sidebar's window and
stride — max, average, BlurPool (binomial blur with the stride) and MaxBlurPool (max with stride
1, then BlurPool) — and each output is compared cell by cell with the pooling of the unshifted
input (:func:`pooling_core.shift_change`) and with it moved by the whole output cells nearest to
shift ÷ stride (:func:`pooling_core.aligned_change`: the change the motion does not explain,
aliasing). A plot sweeps the shifts from 0 to one stride. No
pooling maths here: every number comes from :mod:`pooling_core`.

Max and average pooling take the sidebar's kernel, stride, padding, dilation and ceil mode (and,
for average, its padding rule and divisor); the sidebar's kind is not used. BlurPool takes the
stride, MaxBlurPool the kernel and the stride; both pad by reflection, as Zhang (2019) does.

Shifts run from 0 to ``stride - 1`` per axis: a shift by a whole stride moves the output by one
cell, which is the shift pooling is meant to follow, so the interesting shifts lie in between.
A photo is worked on as its centre crop of at most :data:`WORK_SIDE` cells a side at full
resolution (the page says so), which keeps a 12-megapixel photo as fast as the sample photo.

Session-state keys (all start with ``shift_``): ``shift_by_h`` / ``shift_by_w`` (whole cells
down / right), ``shift_sub`` (photos: a further fraction of a cell to the right, one of
:data:`SUB_STEPS`), ``shift_filter`` (the blur's size, 1..7), ``shift_dir`` (the plot's
direction, one of :data:`DIRECTIONS`); ``shift_url_read`` / ``shift_url_warnings`` (the link,
read once per session).

URL names: ``shift_by`` (``1`` or ``1x0``: rows x columns, each in ``0 .. stride - 1``),
``shift_sub`` (``0``, ``0.25``, ``0.5`` or ``0.75``; photos only), ``shift_filter`` (``1`` ..
``7``), ``shift_dir`` (``right``, ``down``, ``diagonal``). A bad value gives an ``st.warning``
and the default.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

import pooling_core as pc
from pooling_ui.base import engine, urlstate
from pooling_ui.base import profile as pf
from pooling_ui.base.caching import cache_resource, cached_figure, value_key
from pooling_ui.base.i18n import engine_message, labeller, t
from pooling_ui.base.linkstate import Link
from pooling_ui.base.urlstate import UrlValueError
from pooling_ui.figures import grids as fg
from pooling_ui.figures.pictures import fit_scale, photo_value_range, show_photo

METHODS = ("max", "avg", "blur", "maxblur")
METHOD_COLORS = {"max": fg.RED, "avg": fg.BLUE, "blur": fg.GREEN, "maxblur": fg.PURPLE}
DIRECTIONS = ("right", "down", "diagonal")
SUB_STEPS = (0.0, 0.25, 0.5, 0.75)
FILTER_SIZES = pc.lessons.blur.FILTER_SIZES
DEFAULT_FILTER = 3
# A photo is worked on as a centre crop this many cells a side at most: enough to see fine
# detail alias, small enough that a sweep of 4 poolings × 32 shifts stays well under a second.
WORK_SIDE = 256
# A photo's sweep takes quarter-cell steps while the stride is at most this; whole cells beyond.
SUB_SWEEP_MAX_STRIDE = 8
# Widths in pixels of a photo picture: the input and the shifted input side by side, and the
# four outputs in a row.
INPUT_PICTURE_PX = 440
OUTPUT_PICTURE_PX = 220
URL_NAMES = ("shift_by", "shift_sub", "shift_filter", "shift_dir")
DEFAULTS = {"shift_by_h": 0, "shift_by_w": 1, "shift_sub": 0.0,
            "shift_filter": DEFAULT_FILTER, "shift_dir": "right"}
LINK = Link("shift", URL_NAMES, DEFAULTS)


# -- pure helpers ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Setup:
    """How each method pools: the sidebar's parameters and the blur's size."""

    max_kwargs: dict
    avg_kwargs: dict
    kernel_size: tuple[int, int]
    stride: tuple[int, int]
    filter_size: int

    def pooled(self, x: np.ndarray, method: str) -> np.ndarray:
        if method == "max":
            return pc.pool2d(x, **self.max_kwargs)
        if method == "avg":
            return pc.pool2d(x, **self.avg_kwargs)
        if method == "blur":
            return pc.blur_pool2d(x, self.filter_size, self.stride)
        return pc.max_blur_pool2d(x, self.kernel_size, self.stride, self.filter_size)


def setup_for(params, filter_size: int) -> Setup:
    return Setup(engine.kwargs_for_kind(params, "max"), engine.kwargs_for_kind(params, "avg"),
                 tuple(params.kernel_size), tuple(params.stride), int(filter_size))


def working_copy(data: np.ndarray, side: int = WORK_SIDE) -> np.ndarray:
    """The centre crop of at most ``side × side`` cells (the whole array when it is smaller).

    Examples
    --------
    >>> working_copy(np.zeros((3, 3000, 4000)), 256).shape, working_copy(np.zeros((1, 9, 5))).shape
    ((3, 256, 256), (1, 9, 5))
    """
    height, width = data.shape[-2:]
    top, left = max(0, (height - side) // 2), max(0, (width - side) // 2)
    return np.ascontiguousarray(data[..., top:top + side, left:left + side])


def sweep_shifts(direction: str, stride: tuple[int, int], fine: bool) -> list[tuple[float, float]]:
    """The shifts the plot runs through: 0 up to one stride along ``direction`` (the stride
    excluded), in quarter cells when ``fine``.

    Examples
    --------
    >>> sweep_shifts("right", (2, 3), False)
    [(0.0, 0.0), (0.0, 1.0), (0.0, 2.0)]
    >>> sweep_shifts("diagonal", (2, 2), True)[:3]
    [(0.0, 0.0), (0.25, 0.25), (0.5, 0.5)]
    """
    span = {"right": stride[1], "down": stride[0], "diagonal": max(stride)}[direction]
    steps = np.arange(0, span, 0.25 if fine else 1.0)
    along = {"right": (0.0, 1.0), "down": (1.0, 0.0), "diagonal": (1.0, 1.0)}[direction]
    return [(float(step * along[0]), float(step * along[1])) for step in steps]


@dataclass(frozen=True)
class Outcome:
    """One method's outputs before and after the shift, and how much they differ."""

    before: np.ndarray
    after: np.ndarray
    change: pc.lessons.blur.Change
    aligned: float
    """:func:`pooling_core.aligned_change`: the mean |Δ| left after aligning."""


class Point(NamedTuple):
    """One method at one shift of the sweep."""

    fraction: float
    mean_abs: float
    aligned: float


def _read_only(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)
    return array


@cache_resource(16)
def study(key: str, _x: np.ndarray, _setup: Setup, shift: tuple[float, float]
          ) -> dict[str, Outcome | pc.PoolingError]:
    """Each method's :class:`Outcome` for ``shift``, or the engine's refusal (``key`` names the
    data and the setup)."""
    shifted = pc.shift2d(_x, shift)
    outcomes: dict[str, Outcome | pc.PoolingError] = {}
    for method in METHODS:
        try:
            before, after = _setup.pooled(_x, method), _setup.pooled(shifted, method)
        except pc.PoolingError as error:
            outcomes[method] = error
            continue
        outcomes[method] = Outcome(_read_only(before), _read_only(after),
                                   pc.shift_change(before, after),
                                   pc.aligned_change(before, after, shift, _setup.stride))
    return outcomes


@cache_resource(16)
def sweep(key: str, _x: np.ndarray, _setup: Setup, shifts: tuple[tuple[float, float], ...]
          ) -> dict[str, list[Point]]:
    """Each method's change at every shift of ``shifts`` (methods the engine refuses left out)."""
    changes: dict[str, list[Point]] = {}
    for method in METHODS:
        try:
            before = _setup.pooled(_x, method)
            points = []
            for shift in shifts:
                after = _setup.pooled(pc.shift2d(_x, shift), method)
                change = pc.shift_change(before, after)
                points.append(Point(change.fraction, change.mean_abs,
                                    pc.aligned_change(before, after, shift, _setup.stride)))
            changes[method] = points
        except pc.PoolingError:
            continue
    return changes


# -- figures --------------------------------------------------------------------------------------
def method_label(method: str) -> str:
    return t(f"lesson_shift.methods.{method}")


def inputs_figure(plane: np.ndarray, shifted: np.ndarray) -> go.Figure:
    """The input and the shifted input side by side, one colour scale."""
    height, width = plane.shape
    value_range = fg.finite_range(plane, shifted)
    right = width + fg.GAP_COLUMNS
    fig = go.Figure([fg.value_heatmap(plane, value_range=value_range),
                     fg.value_heatmap(shifted, x_offset=right, value_range=value_range)])
    fig.update_layout(
        coloraxis={"colorscale": pf.profile().colorscale, "cmin": value_range[0],
                   "cmax": value_range[1]},
        annotations=[fg.label_annotation(t("lesson_shift.input_label"), 0, 1, yref="paper"),
                     fg.label_annotation(t("lesson_shift.shifted_label"), right, 1,
                                         yref="paper")])
    fg.grid_layout(fig, (0, 2 * width + fg.GAP_COLUMNS), (0, height))
    return fig


def outputs_figure(grids: list[tuple[str, np.ndarray]], changed: list[np.ndarray] | None,
                   value_range: tuple[float, float]) -> go.Figure:
    """The methods' outputs in a row (one plane each); ``changed`` cells outlined in red."""
    fig = go.Figure()
    annotations, shapes = [], []
    x0 = 0
    height = max(grid.shape[0] for _, grid in grids)
    for index, (method, grid) in enumerate(grids):
        fig.add_trace(fg.value_heatmap(grid, x_offset=x0, value_range=value_range))
        annotations.append(fg.label_annotation(
            f"{method_label(method)}: {grid.shape[0]}×{grid.shape[1]}", x0, 1, yref="paper"))
        if changed is not None:
            rows, cols = np.nonzero(changed[index])
            cells = list(zip(rows.tolist(), cols.tolist(), strict=True))
            if cells:
                shapes.extend(fg.marker_shapes(fg.cells_path(cells, x_offset=x0),
                                               color=fg.WINDOW_COLOR, width=2.5))
        x0 += grid.shape[1] + fg.GAP_COLUMNS
    fig.update_layout(
        coloraxis={"colorscale": pf.profile().colorscale, "cmin": value_range[0],
                   "cmax": value_range[1]},
        annotations=annotations, shapes=shapes)
    fg.grid_layout(fig, (0, x0 - fg.GAP_COLUMNS), (0, height))
    return fig


def sweep_figure(shifts: list[tuple[float, float]], changes: dict[str, list],
                 direction: str) -> go.Figure:
    """Per method, against the shift: the share of changed output cells, the mean |Δ| and the
    mean |Δ| left after aligning (the last two on one scale, to be compared)."""
    along = [s[1] if direction == "right" else s[0] for s in shifts]
    fig = make_subplots(rows=1, cols=3, horizontal_spacing=0.08, subplot_titles=(
        t("lesson_shift.plot_fraction"), t("lesson_shift.plot_mean"),
        t("lesson_shift.plot_aligned")))
    for method, values in changes.items():
        style = {"color": METHOD_COLORS[method]}
        name = method_label(method)
        fig.add_trace(go.Scatter(
            x=along, y=[value.fraction for value in values], mode="lines+markers", name=name,
            line=style, legendgroup=method,
            hovertemplate=t("lesson_shift.hover_fraction", method=name) + "<extra></extra>"),
            row=1, col=1)
        fig.add_trace(go.Scatter(
            x=along, y=[value.mean_abs for value in values], mode="lines+markers", name=name,
            line=style, legendgroup=method, showlegend=False,
            hovertemplate=t("lesson_shift.hover_mean", method=name) + "<extra></extra>"),
            row=1, col=2)
        fig.add_trace(go.Scatter(
            x=along, y=[value.aligned for value in values], mode="lines+markers", name=name,
            line=style, legendgroup=method, showlegend=False,
            hovertemplate=t("lesson_shift.hover_aligned", method=name) + "<extra></extra>"),
            row=1, col=3)
    axis_title = t(f"lesson_shift.plot_axis.{direction}")
    fig.update_xaxes(title_text=axis_title, dtick=1 if len(along) <= 16 else None)
    fig.update_yaxes(tickformat=".0%", rangemode="tozero", row=1, col=1)
    # one scale for mean |Δ| and what is left of it after aligning, so the two can be compared
    top = max((v for values in changes.values() for point in values
               for v in (point.mean_abs, point.aligned) if np.isfinite(v)), default=0.0)
    for col in (2, 3):
        fig.update_yaxes(range=[0, max(top, 1e-9) * 1.05], row=1, col=col)
    fig.update_layout(width=pf.profile().page_px, height=360,
                      margin={"l": 50, "r": 20, "t": 40, "b": 50},
                      legend={"orientation": "h", "y": -0.25, "x": 0},
                      font={"size": pf.ui_font_px()})
    return fig


# -- the link -------------------------------------------------------------------------------------
def read_url(query: dict[str, str], stride: tuple[int, int], is_photo: bool):
    """Session-state values from the link's ``shift_*`` names, and a warning for each bad one."""
    readers = {
        "shift_by": lambda raw: _read_shift_by(raw, stride),
        "shift_sub": _read_sub,
        "shift_filter": lambda raw: {"shift_filter": int(urlstate.parse_choice(
            raw, [str(size) for size in FILTER_SIZES]))},
        "shift_dir": lambda raw: {"shift_dir": urlstate.parse_choice(raw, DIRECTIONS)},
    }
    defaults = {"shift_by": urlstate.format_pair((DEFAULTS["shift_by_h"], DEFAULTS["shift_by_w"])),
                "shift_sub": "0", "shift_filter": str(DEFAULT_FILTER),
                # quoted: a link's word, not prose to translate
                "shift_dir": repr(DEFAULTS["shift_dir"])}
    if not is_photo:  # a sub-cell shift is for photos only
        readers.pop("shift_sub")
    return urlstate.read_values(query, readers, defaults.get)


def _read_shift_by(raw, stride: tuple[int, int]) -> dict:
    rows, cols = urlstate.parse_pair(raw, 0, max(stride) - 1 if max(stride) > 1 else 0)
    for value, limit in ((rows, stride[0] - 1), (cols, stride[1] - 1)):
        if value > limit:
            raise UrlValueError("out_of_range", lo=0, hi=limit, value=value)
    return {"shift_by_h": rows, "shift_by_w": cols}


def _read_sub(raw) -> dict:
    value = urlstate.parse_float(raw, 0, 1)
    if value not in SUB_STEPS:
        raise UrlValueError("not_choice", choices=", ".join(f"{v:g}" for v in SUB_STEPS),
                            text=str(raw).strip())
    return {"shift_sub": value}


# -- widgets --------------------------------------------------------------------------------------
def _shift_slider(label: str, maximum: int, key: str) -> int:
    """Whole cells in ``[0, maximum]``; the stored value kept in range when the stride shrinks."""
    LINK.seed(key)
    st.session_state[key] = int(min(max(int(st.session_state[key]), 0), maximum))
    if maximum <= 0:
        return 0
    return int(st.slider(label, 0, maximum, step=1, key=key, persist_state="session",
                         on_change=LINK.forget))


def _filter_text(size: int) -> str:
    return f"{size}: [{', '.join(str(n) for n in pc.lessons.blur.BINOMIAL_ROWS[size])}]"


def _controls(fm, params) -> tuple[tuple[float, float], int, str]:
    """The shift, the blur's size and the plot's direction, as chosen."""
    stride = params.stride
    down_column, right_column, sub_column = st.columns(3)
    with down_column:
        rows = _shift_slider(t("lesson_shift.shift_down", limit=stride[0] - 1), stride[0] - 1,
                             "shift_by_h")
    with right_column:
        cols = _shift_slider(t("lesson_shift.shift_right", limit=stride[1] - 1), stride[1] - 1,
                             "shift_by_w")
    sub = 0.0
    if fm.is_photo:
        with sub_column:
            if st.session_state.get("shift_sub") not in SUB_STEPS:
                st.session_state["shift_sub"] = DEFAULTS["shift_sub"]
            sub = float(st.select_slider(
                t("lesson_shift.shift_sub"), SUB_STEPS, key=LINK.seed("shift_sub"),
                format_func=lambda value: f"{value:g}", persist_state="session",
                help=t("lesson_shift.shift_sub_help"), on_change=LINK.forget))
    filter_column, direction_column = st.columns(2)
    with filter_column:
        if st.session_state.get("shift_filter") not in FILTER_SIZES:
            st.session_state["shift_filter"] = DEFAULT_FILTER
        filter_size = int(st.selectbox(
            t("lesson_shift.filter"), FILTER_SIZES, key=LINK.seed("shift_filter"),
            format_func=_filter_text, help=t("lesson_shift.filter_help"),
            persist_state="session", on_change=LINK.forget))
    with direction_column:
        if st.session_state.get("shift_dir") not in DIRECTIONS:
            st.session_state["shift_dir"] = DEFAULTS["shift_dir"]
        direction = st.radio(t("lesson_shift.direction"), DIRECTIONS, key=LINK.seed("shift_dir"),
                             format_func=labeller("lesson_shift.directions."), horizontal=True,
                             persist_state="session",
                             on_change=LINK.forget) or "right"
    shift = (float(rows), float(cols) + sub)
    wanted = {"shift_by": urlstate.format_pair((rows, cols)), "shift_filter": str(filter_size),
              "shift_dir": direction}
    if fm.is_photo:
        wanted["shift_sub"] = f"{sub:g}"
    LINK.write(wanted)
    return shift, filter_size, direction


# -- the view -------------------------------------------------------------------------------------
def shift_view(fm, params) -> None:
    """The whole page below the heading: explanation, controls, outputs, sweep."""
    warnings = LINK.read(lambda query: read_url(query, params.stride, fm.is_photo))
    LINK.show(warnings)
    _explanation()
    _shift_fragment(fm, params)


def _explanation() -> None:
    """The worked example in view; the why and the how folded (the pictures come first)."""
    st.markdown(t("lesson_shift.worked"))
    with st.expander(t("lesson_shift.why_heading"), expanded=False, icon=":material/school:"):
        st.markdown(t("lesson_shift.why_aliasing"))
        st.markdown(t("lesson_shift.why_blurpool"))
        st.caption(t("lesson_shift.how_measured"))


@st.fragment
def _shift_fragment(fm, params) -> None:
    with engine.view_guard("shift"):
        shift, filter_size, direction = _controls(fm, params)
        if max(params.stride) == 1 and not fm.is_photo:
            st.info(t("lesson_shift.stride_one"))
        st.caption(t("lesson_shift.uses", kernel=urlstate.format_pair(params.kernel_size),
                     stride=urlstate.format_pair(params.stride)))
        data = working_copy(fm.data) if fm.is_photo else fm.data
        if fm.is_photo and data.shape != fm.data.shape:
            st.info(t("lesson_shift.photo_crop", h=data.shape[-2], w=data.shape[-1],
                      full_h=fm.data.shape[-2], full_w=fm.data.shape[-1]))
        setup = setup_for(params, filter_size)
        key = value_key(fm.key or value_key(fm.data), data.shape, setup)
        outcomes = study(key, data, setup, shift)
        st.header(t("lesson_shift.outputs_heading", rows=fg.format_value(shift[0]),
                       cols=fg.format_value(shift[1])))
        for method in METHODS:
            if isinstance(outcomes[method], pc.PoolingError):
                st.warning(t("lesson_shift.method_refused", method=method_label(method),
                             message=engine_message(outcomes[method])))
        if fm.is_photo:
            _photo_outputs(data, shift, outcomes, key)
        else:
            _grid_outputs(data, shift, outcomes)
        _sweep_section(data, setup, key, direction, params.stride, fm.is_photo)


def _change_caption(outcome: Outcome) -> str:
    return t("lesson_shift.change", fraction=outcome.change.fraction,
             mean=fg.format_value(outcome.change.mean_abs),
             aligned=fg.format_value(outcome.aligned))


def _measures_caption() -> None:
    """One sentence each on what the two numbers under the outputs measure."""
    st.caption(t("lesson_shift.measure_mean"))
    st.caption(t("lesson_shift.measure_aligned"))


def _grid_outputs(data: np.ndarray, shift: tuple[float, float], outcomes: dict) -> None:
    plane = data[0]
    shifted = pc.shift2d(plane, shift)
    st.plotly_chart(cached_figure(inputs_figure, plane, shifted), width="content",
                    key="shift_inputs", config={"displayModeBar": False})
    done = [(method, outcome) for method, outcome in outcomes.items()
            if isinstance(outcome, Outcome)]
    if not done:
        return
    value_range = fg.finite_range(*(o.before[0] for _, o in done), *(o.after[0] for _, o in done))
    st.markdown(f"**{t('lesson_shift.before_heading')}**")
    st.plotly_chart(cached_figure(outputs_figure, [(m, o.before[0]) for m, o in done], None,
                                  value_range),
                    width="content", key="shift_before", config={"displayModeBar": False})
    st.markdown(f"**{t('lesson_shift.after_heading')}**")
    changed = [pc.lessons.blur.changed_cells(o.before[0], o.after[0]) for _, o in done]
    st.plotly_chart(cached_figure(outputs_figure, [(m, o.after[0]) for m, o in done], changed,
                                  value_range),
                    width="content", key="shift_after", config={"displayModeBar": False})
    columns = st.columns(len(done))
    for column, (method, outcome) in zip(columns, done, strict=True):
        column.caption(f"**{method_label(method)}** — {_change_caption(outcome)}")
    _measures_caption()


def _photo_outputs(data: np.ndarray, shift: tuple[float, float], outcomes: dict,
                   key: str) -> None:
    value_range = photo_value_range(data)
    shifted = pc.shift2d(data, shift)
    zoom, step = fit_scale((data.shape[-1], INPUT_PICTURE_PX))
    row = st.container(horizontal=True, gap="medium")
    with row:
        show_photo(data, f"{key}|in", step, value_range, t("lesson_shift.input_picture",
                   h=data.shape[-2], w=data.shape[-1]), zoom)
        show_photo(shifted, f"{key}|in|{shift}", step, value_range,
                   t("lesson_shift.shifted_picture"), zoom)
    done = [(method, outcome) for method, outcome in outcomes.items()
            if isinstance(outcome, Outcome)]
    if not done:
        return
    widest = max(outcome.after.shape[-1] for _, outcome in done)
    zoom, step = fit_scale((widest, OUTPUT_PICTURE_PX))
    st.markdown(f"**{t('lesson_shift.after_heading_photo')}**")
    row = st.container(horizontal=True, gap="small")
    with row:
        for method, outcome in done:
            show_photo(outcome.after, f"{key}|{shift}|{method}", step, value_range,
                       f"{method_label(method)} — {_change_caption(outcome)}", zoom)
    _measures_caption()
    # |Δ| per cell, averaged over the colour channels, on one scale for every method so that a
    # brighter picture means a bigger change
    differences = [(method, np.abs(outcome.after - outcome.before).mean(axis=0, keepdims=True))
                   for method, outcome in done]
    top = max(float(np.nanmax(d, initial=0.0)) for _, d in differences)
    st.markdown(f"**{t('lesson_shift.difference_heading')}**")
    row = st.container(horizontal=True, gap="small")
    with row:
        for method, difference in differences:
            show_photo(difference, f"{key}|{shift}|{method}|diff", step, (0.0, max(top, 1e-6)),
                       method_label(method), zoom)
    st.caption(t("lesson_shift.difference_scale", top=fg.format_value(top)))


def _sweep_section(data: np.ndarray, setup: Setup, key: str, direction: str,
                   stride: tuple[int, int], is_photo: bool) -> None:
    st.header(t("lesson_shift.sweep_heading"))
    fine = is_photo and max(stride) <= SUB_SWEEP_MAX_STRIDE
    shifts = sweep_shifts(direction, stride, fine)
    if len(shifts) < 2:
        st.info(t("lesson_shift.no_sweep"))
        return
    changes = sweep(key, data, setup, tuple(shifts))
    if not changes:
        return
    st.plotly_chart(cached_figure(sweep_figure, shifts, changes, direction), width="content",
                    key="shift_sweep", config={"displayModeBar": False})
    st.caption(t("lesson_shift.sweep_caption_fine" if fine else "lesson_shift.sweep_caption"))
