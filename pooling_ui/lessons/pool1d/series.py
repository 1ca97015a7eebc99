"""The 1-D lesson's time series: a preset or a CSV column, pooled step by step with the
window drawn on the signal.

Part of :mod:`pooling_ui.lessons.pool1d` (the link, the widgets and the shared figure pieces
are in :mod:`pooling_ui.lessons.pool1d.controls`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import streamlit as st

import pooling_core as pc
from pooling_core.lessons.textcnn import window_centres
from pooling_ui.base import engine
from pooling_ui.base import profile as pf
from pooling_ui.base.caching import cache_data, cache_resource
from pooling_ui.base.i18n import join_markdown, labeller, t
from pooling_ui.data import signals
from pooling_ui.data.images import bytes_digest
from pooling_ui.figures import grids as fg
from pooling_ui.figures.player import play_buttons
from pooling_ui.lessons.pool1d.controls import (
    ANIMATION_STEPS,
    CACHE_ENTRIES,
    DEFAULTS,
    FIGURE_HEIGHT_PX,
    LINK,
    NOISE_MAX,
    POOLED_COLOR,
    SEED_MAX,
    SERIES_SOURCES,
    SIGNAL_COLOR,
    _checkbox,
    _choice,
    _kept_upload,
    _line_layout,
    _number,
    _ring_path,
    _ring_shape,
    _window_shape,
    window_path,
)
from pooling_ui.panels.params import DILATION_MAX, KERNEL_MAX, PAD_MAX, STRIDE_MAX

# The step slider's own key: it shows steps from 1, ``sig_step`` holds the 0-based output index.
SHOWN_STEP_KEY = "sig_step_shown"


@dataclass(frozen=True)
class SeriesParams:
    """The arguments of one :func:`pooling_core.pool1d` call of the time-series view."""

    kind: str = "max"
    kernel_size: int = 8
    stride: int = 8
    padding: int = 0
    dilation: int = 1
    ceil_mode: bool = False
    count_include_pad: bool = True

    def kwargs(self) -> dict:
        return {"kind": self.kind, "kernel_size": self.kernel_size, "stride": self.stride,
                "padding": self.padding, "dilation": self.dilation, "ceil_mode": self.ceil_mode,
                "count_include_pad": self.count_include_pad}

    def kwargs_2d(self) -> dict:
        """The same windows over a ``(1, L)`` plane, for the 2-D engine functions."""
        return {"kind": self.kind, "kernel_size": (1, self.kernel_size),
                "stride": (1, self.stride), "padding": (0, self.padding),
                "dilation": (1, self.dilation), "ceil_mode": self.ceil_mode,
                "count_include_pad": self.count_include_pad}


def series_params(state) -> SeriesParams:
    value = {key: state.get(key, default) for key, default in DEFAULTS.items()}
    kernel = int(value["sig_kernel"])
    return SeriesParams(
        kind=value["sig_kind"], kernel_size=kernel,
        stride=kernel if value["sig_stride_auto"] else int(value["sig_stride"]),
        padding=int(value["sig_padding"]), dilation=int(value["sig_dilation"]),
        ceil_mode=bool(value["sig_ceil"]), count_include_pad=bool(value["sig_cip"]))


@cache_data(CACHE_ENTRIES)
def _pool_series(x: np.ndarray, kwargs: dict) -> np.ndarray:
    return pc.pool1d(x, **kwargs)


def on_time_axis(index, positions: np.ndarray | None) -> np.ndarray:
    """Value indices (fractional, or past either end for padding) placed on the time axis of
    ``positions`` (:attr:`pooling_ui.data.signals.CsvColumn.positions`): linear between the
    values' positions, one step per cell beyond the ends. None: the index itself.

    Examples
    --------
    >>> on_time_axis([-1, 0, 0.5, 1, 2, 3], np.array([0, 3, 4])).tolist()
    [-1.0, 0.0, 1.5, 3.0, 4.0, 5.0]
    """
    index = np.asarray(index, dtype=np.float64)
    if positions is None or positions.size < 2:
        return index
    inside = np.interp(index, np.arange(positions.size), positions)
    before = positions[0] + index
    after = positions[-1] + (index - (positions.size - 1))
    return np.where(index < 0, before, np.where(index > positions.size - 1, after, inside))


def with_gaps(x: np.ndarray, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(time, values)`` over every position from the first value's to the last's, NaN where
    a row holds no number, so that the line breaks there (a gap) instead of bridging it.

    Examples
    --------
    >>> with_gaps(np.array([1.0, 3.0, 4.0]), np.array([0, 2, 4]))[1].tolist()
    [1.0, nan, 3.0, nan, 4.0]
    """
    time = np.arange(positions[0], positions[-1] + 1)
    values = np.full(time.size, np.nan, dtype=np.float64)
    values[positions - positions[0]] = x
    return time, values


def series_figure(x: np.ndarray, y: np.ndarray, centres: np.ndarray, taps, *,
                  scale: float = 1.0, x_title: str, y_title: str, signal_name: str,
                  pooled_name: str, hover_x: str,
                  positions: np.ndarray | None = None) -> go.Figure:
    """The whole signal, the pooled values at their windows' centres, the window of ``step``.

    With ``positions`` (a CSV column's rows, gaps included) the signal is drawn on that time
    axis with its gaps left open, and the pooled values and the window are placed on it by
    :func:`on_time_axis`: the pooling itself works on the numbers only."""
    fig = go.Figure()
    if positions is not None and positions.size >= 2:
        time, signal = with_gaps(x, positions)
        centres = on_time_axis(centres, positions)
        taps = on_time_axis(taps, positions)
    else:
        time, signal = np.arange(x.size), x
    fig.add_trace(go.Scatter(x=time * scale, y=signal, mode="lines", name=signal_name,
                             line={"color": SIGNAL_COLOR, "width": 1.2}, connectgaps=False,
                             hovertemplate=hover_x + "<extra></extra>"))
    fig.add_trace(go.Scatter(x=centres * scale, y=y, mode="lines+markers", name=pooled_name,
                             line={"color": POOLED_COLOR, "width": 2, "shape": "hvh"},
                             marker={"size": 5}, customdata=np.arange(y.size),
                             hovertemplate="y[%{customdata}] = %{y:.4g}<extra></extra>"))
    shapes = [_window_shape(window_path(taps, scale))]
    fig.update_layout(shapes=shapes)
    _line_layout(fig, x_title, y_title)
    return fig


def stretch_animation(x: np.ndarray, y: np.ndarray, centres: np.ndarray, taps: np.ndarray,
                      first_step: int, *, scale: float = 1.0, x_title: str, y_title: str,
                      signal_name: str, pooled_name: str, index_offset: int = 0) -> dict:
    """The window sliding over a zoomed stretch: the traces are sent once, each frame moves only
    the window and the ring around its output (``redraw=False``), so Play runs in the browser.

    ``taps`` are the windows' input positions ``(steps, k)``, relative to ``x`` (the stretch);
    ``y``/``centres`` the outputs of those steps; ``first_step`` the step shown first;
    ``index_offset`` is added to the step numbers printed (the stretch's first output index).
    The slider numbers the steps from 1, as the Explorer does; the caption names the output
    by its index, ``y[i]`` (step ``i + 1``).
    """
    steps = len(y)
    lo = float(np.min(taps)) - 1
    hi = float(np.max(taps)) + 1
    inside = np.arange(max(int(np.floor(lo)), 0), min(int(np.ceil(hi)) + 1, x.size))
    values = np.concatenate([x[inside], y[np.isfinite(y)]]) if inside.size else y
    finite = values[np.isfinite(values)]
    low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    margin = 0.08 * (high - low or 1.0)
    dx, dy = 0.35 * max((hi - lo) / 60, 0.5) * scale, 1.2 * margin

    def frame_shapes(step: int) -> list[dict]:
        return [_window_shape(window_path(taps[step], scale)),
                _ring_shape(_ring_path(centres[step] * scale, float(y[step]), dx, dy))]

    def caption(step: int) -> str:
        return f"y[{step + index_offset}] = {fg.format_value(y[step])}"

    fig = go.Figure()
    fig.add_trace(go.Scatter(x=inside * scale, y=x[inside], mode="lines+markers",
                             name=signal_name, line={"color": SIGNAL_COLOR, "width": 1.2},
                             marker={"size": 3}, hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=centres * scale, y=y, mode="markers", name=pooled_name,
                             marker={"color": POOLED_COLOR, "size": 8}, hoverinfo="skip"))
    start = int(np.clip(first_step, 0, steps - 1))
    annotation = {"text": caption(start), "x": 1, "y": 1.0, "xref": "paper", "yref": "paper",
                  "xanchor": "right", "yanchor": "bottom", "showarrow": False,
                  "font": {"size": 15}}
    slider = {
        "active": start, "x": 0, "len": 1, "y": 0, "xanchor": "left", "yanchor": "top",
        "pad": {"t": 58, "l": 4, "r": 12}, "font": {"size": pf.small_font_px()},
        "currentvalue": {"prefix": t("animation.step_prefix"),
                         "suffix": t("animation.step_suffix"), "xanchor": "left",
                         "font": {"size": pf.ui_font_px()}},
        "transition": {"duration": 0},
        "steps": [{"method": "animate", "label": str(step + index_offset + 1),
                   "args": [[str(step)], {"mode": "immediate", "frame": {"redraw": False}}]}
                  for step in range(steps)],
    }
    buttons = {**play_buttons(), "pad": {"t": 44}}
    fig.update_layout(shapes=frame_shapes(start), annotations=[annotation],
                      updatemenus=[buttons], sliders=[slider])
    _line_layout(fig, x_title, y_title, height=FIGURE_HEIGHT_PX + 90, bottom=150)
    fig.update_xaxes(range=[lo * scale, hi * scale], title_standoff=4)
    fig.update_yaxes(range=[low - 3 * margin, high + 3 * margin])
    figure = fig.to_dict()
    figure["frames"] = [{"name": str(step), "layout": {"shapes": frame_shapes(step),
                                                       "annotations": [{"text": caption(step)}]}}
                        for step in range(steps)]
    return figure


@cache_resource(8)
def _read_csv(digest: str, _data: bytes, delimiter: str, header: bool):
    """The file's table and its columns of numbers (at least one, else the first column's
    refusal is raised), cached by the file's digest."""
    table = signals.read_csv(_data, delimiter=delimiter, header=header)
    accepted = signals.numeric_columns(table, delimiter)
    if not accepted:
        signals.csv_column(table, 0, delimiter=delimiter)
    return table, accepted


def _csv_signal():
    """The CSV column as ``(values, name, positions)`` (positions None when it has no gaps),
    or None (with a message) when there is none."""
    st.caption(t("lesson_pool1d.csv_limits", size=f"{signals.CSV_MAX_BYTES / 1e6:g}",
                 values=signals.CSV_MAX_VALUES))
    upload = _kept_upload(t("lesson_pool1d.csv_upload"), ["csv", "txt", "tsv"], "sig_csv_upload",
                          t("lesson_pool1d.csv_help"))
    if upload is not None and upload[2]:
        digest = bytes_digest(upload[0])
        if st.session_state.get("sig_csv_sniffed") != digest:
            # a new file: its separator and header are guessed once; the boxes may then say else
            st.session_state["sig_csv_sniffed"] = digest
            sniffed = signals.sniff_csv(upload[0])
            if sniffed is not None:
                st.session_state["sig_csv_delimiter"], st.session_state["sig_csv_header"] = sniffed
                st.session_state.pop("sig_csv_column", None)
    delimiter_name = _choice(t("lesson_pool1d.csv_delimiter"), tuple(signals.CSV_DELIMITERS),
                             "sig_csv_delimiter", radio=True,
                             format_func=labeller("lesson_pool1d.delimiters."))
    header = _checkbox(t("lesson_pool1d.csv_header"), "sig_csv_header")
    if upload is None:
        st.info(t("lesson_pool1d.csv_prompt"))
        return None
    delimiter = signals.CSV_DELIMITERS[delimiter_name]
    data, name, fresh = upload
    candidates = [(data, name)]
    kept = st.session_state.get("sig_csv_file")
    if fresh and kept is not None and kept[0] != data:
        candidates.append(kept)  # a bad new file: the last good one stays in use
    for position, (data, name) in enumerate(candidates):
        try:
            table, accepted = _read_csv(bytes_digest(data), data, delimiter, header)
            break
        except signals.SignalLoadError as error:
            if position == 0:
                st.error(t("lesson_pool1d.file_error", name=name, message=error.message.text()))
    else:
        return None
    if position > 0:
        st.caption(t("lesson_pool1d.kept_previous", name=name))
    elif fresh:
        st.session_state["sig_csv_file"] = (data, name)
    if table.first_row_is_numbers:
        st.caption(t("lesson_pool1d.csv_header_numbers"))
    columns = list(range(len(table.names)))
    if st.session_state.get("sig_csv_column") not in columns:
        # the last column of numbers: a time or index column usually comes first
        st.session_state["sig_csv_column"] = accepted[-1]
    index = st.selectbox(t("lesson_pool1d.csv_column"), columns, key="sig_csv_column",
                         format_func=table.names.__getitem__, persist_state="session")
    try:
        column = signals.csv_column(table, int(index), delimiter=delimiter)
    except signals.SignalLoadError as error:
        st.error(t("lesson_pool1d.file_error", name=name, message=error.message.text()))
        return None
    if column.bad_rows:
        shown = column.bad_rows[:signals.CSV_BAD_ROWS_SHOWN]
        listed = join_markdown(t("lesson_pool1d.list_separator"), (
            t("lesson_pool1d.bad_row", line=line, text=text) if text
            else t("lesson_pool1d.bad_row_empty", line=line) for line, text in shown))
        st.warning(t("lesson_pool1d.csv_bad_rows", count=len(column.bad_rows), rows=listed))
    if column.cut_to:
        st.caption(t("lesson_pool1d.csv_cut", count=column.cut_to))
    if column.gaps:
        st.caption(t("lesson_pool1d.csv_gaps", count=column.gaps))
    return (column.values, t("lesson_pool1d.csv_name", name=name, column=table.names[index]),
            column.positions if column.gaps else None)


def series_controls():
    """The sidebar of the time series: the signal, then the pooling parameters."""
    preset = _choice(t("lesson_pool1d.preset"), SERIES_SOURCES, "sig_preset",
                     format_func=labeller("lesson_pool1d.presets."))
    if preset == "csv":
        signal = _csv_signal()
    else:
        left, right = st.columns(2)
        with left:
            seed = _number(t("lesson_pool1d.seed"), "sig_seed", 0, SEED_MAX)
        with right:
            noise = _number(t("lesson_pool1d.noise"), "sig_noise", 0.0, NOISE_MAX, step=0.05,
                            format="%g")
        values = signals.preset_signal(preset, seed=int(seed), noise=float(noise))
        signal = values, t(f"lesson_pool1d.presets.{preset}"), None
    st.header(t("lesson_pool1d.params_title"))
    kind = _choice(t("lesson_pool1d.kind"), pc.KINDS, "sig_kind",
                   format_func=labeller("kinds.", ".label"))
    spec = pc.kind_spec(kind)
    left, right = st.columns(2)
    with left:
        _number(t("lesson_pool1d.kernel"), "sig_kernel", 1, KERNEL_MAX)
        _number(t("lesson_pool1d.padding"), "sig_padding", 0, PAD_MAX)
    with right:
        if not st.session_state.get("sig_stride_auto", True):
            _number(t("lesson_pool1d.stride"), "sig_stride", 1, STRIDE_MAX)
        _number(t("lesson_pool1d.dilation"), "sig_dilation", 1, DILATION_MAX)
    _checkbox(t("lesson_pool1d.stride_auto"), "sig_stride_auto")
    _checkbox(t("lesson_pool1d.ceil"), "sig_ceil")
    _checkbox(t("lesson_pool1d.cip"), "sig_cip", disabled=not spec.counts_padding,
              help=t("lesson_pool1d.cip_help"))
    if spec.options:
        st.caption(t("lesson_pool1d.options_default"))
    return signal


def series_view(signal) -> None:
    if signal is None:
        st.info(t("lesson_pool1d.no_signal"))
        return
    x, name, positions = signal
    params = series_params(st.session_state)
    st.markdown(t("lesson_pool1d.series_lead", name=name, length=x.size))
    with engine.view_guard("pool1d_series"):
        y = _pool_series(x, params.kwargs())
        geometry = engine.geometry((1, x.size), {key: value for key, value in
                                                 params.kwargs_2d().items()
                                                 if key not in ("kind", "count_include_pad")})
        taps = geometry.col_taps
        centres = window_centres(x.size, params.kernel_size, params.stride, params.padding,
                                 params.dilation, params.ceil_mode)
        st.markdown(t("lesson_pool1d.series_shape", length=x.size, out=y.size,
                      k=params.kernel_size, s=params.stride))
        step_max = y.size - 1
        if st.session_state.get("sig_step", 0) > step_max:
            st.session_state["sig_step"] = step_max
        step = int(st.session_state.get(LINK.seed("sig_step"), 0) or 0)
        if step_max > 0:
            # Steps are numbered from 1, as on the Explorer; ``sig_step`` (session and link)
            # stays the output's index y[i], 0-based, so that every link made before still
            # shows the same output: the slider shows step i + 1.
            st.session_state[SHOWN_STEP_KEY] = step + 1
            st.slider(t("lesson_pool1d.step"), 1, step_max + 1, key=SHOWN_STEP_KEY,
                      on_change=_step_shown)
            _step_buttons(step, step_max)
        labels = {"x_title": t("lesson_pool1d.axis_index"),
                  "y_title": t("lesson_pool1d.axis_value"),
                  "signal_name": t("lesson_pool1d.trace_signal"),
                  "pooled_name": t("lesson_pool1d.trace_pooled",
                                   kind=t(f"kinds.{params.kind}.name"))}
        gaps = {} if positions is None else {
            "positions": positions, "x_title": t("lesson_pool1d.axis_row"),
            "hover_x": t("lesson_pool1d.hover_row")}
        st.plotly_chart(series_figure(x, y, centres, taps[step],
                                      **{"hover_x": "x[%{x}] = %{y:.4g}", **labels, **gaps}),
                        key="sig_series_figure", config={"displayModeBar": False})
        st.caption(t("lesson_pool1d.series_legend"))
        explanation = engine.explain(x[None], 0, step, params.kwargs_2d())
        st.text(explanation.formula.replace("y[0,", "y[", 1))
        padded = [int(tap) for tap in taps[step] if not 0 <= tap < x.size]
        if padded:
            st.caption(t("lesson_pool1d.padding_taps", taps=", ".join(map(str, padded))))
        st.header(t("lesson_pool1d.animation_heading"))
        count = min(ANIMATION_STEPS, y.size)
        first = int(np.clip(step - count // 2, 0, y.size - count))
        figure = stretch_animation(x, y[first:first + count], centres[first:first + count],
                                   taps[first:first + count], step - first,
                                   index_offset=first, **labels)
        st.plotly_chart(figure, key="sig_series_animation", config={"displayModeBar": False})
        st.caption(t("lesson_pool1d.animation_legend", first=first + 1, last=first + count,
                     first_index=first, last_index=first + count - 1))


def _step_shown() -> None:
    """The slider (steps from 1) moved: the output index ``sig_step`` follows."""
    st.session_state["sig_step"] = int(st.session_state[SHOWN_STEP_KEY]) - 1
    LINK.forget()


def _move_step(delta: int, step_max: int) -> None:
    step = int(st.session_state.get("sig_step", 0) or 0)
    st.session_state["sig_step"] = int(np.clip(step + delta, 0, step_max))
    LINK.forget()


def _step_buttons(step: int, step_max: int) -> None:
    """Previous / Next step as buttons, as on the Explorer: the slider answers the arrow keys,
    these a Tab and Enter, and the animation's own buttons (drawn in SVG) neither."""
    row = st.container(horizontal=True, gap="small")
    row.button(t("keyboard.previous"), key="sig_prev", icon=":material/skip_previous:",
               disabled=step <= 0, on_click=_move_step, args=(-1, step_max))
    row.button(t("keyboard.next"), key="sig_next", icon=":material/skip_next:",
               disabled=step >= step_max, on_click=_move_step, args=(1, step_max))
