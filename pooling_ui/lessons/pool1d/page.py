"""The 1-D pooling lesson: a time series, audio, and max-over-time pooling of a sentence.

The page brings its own controls (it is in :data:`pooling_ui.page.OWN_PANELS`): a signal is not a
2-D feature map. Every pooled number comes from :func:`pooling_core.pool1d`, window positions
from :func:`pooling_core.window_geometry` and :func:`pooling_core.output_size`, the worked
arithmetic of a step from :func:`pooling_core.explain`, and the sentence's convolution from
:func:`pooling_core.conv1d`; loading and synthesis live in :mod:`pooling_ui.signals`.

Session-state keys (all start with ``sig_``; set them in AppTest before ``run()``):
``sig_source`` (``series``, ``audio``, ``sentence``);
time series: ``sig_preset`` (``sine``, ``steps``, ``spikes``, ``walk``, ``csv``), ``sig_seed``,
``sig_noise``, ``sig_kind``, ``sig_kernel``, ``sig_stride_auto`` (stride = kernel),
``sig_stride``, ``sig_padding``, ``sig_dilation``, ``sig_ceil``, ``sig_cip``
(count_include_pad), ``sig_step`` (the output step shown); the CSV: ``sig_csv_upload`` (the
uploader), ``sig_csv_delimiter`` (``comma``, ``semicolon``, ``tab``), ``sig_csv_header``,
``sig_csv_column`` (index), and ``sig_csv_file`` (the last good file's ``(bytes, name)``, kept so
that a bad upload or another source loses nothing);
audio: ``sig_audio`` (``synth``, ``wav``), ``sig_wav_upload``, ``sig_wav_file`` (as the CSV's),
``sig_window_ms``, ``sig_hop_ms``, ``sig_play_kind`` (``avg``, ``max``), ``sig_factor``,
``sig_zoom`` (first window of the zoomed stretch);
sentence: ``sig_words`` (the sentence typed; the example sentence in the session's language).

URL names: ``sig_source``, then the current source's: ``sig_preset``, ``sig_seed``,
``sig_noise``, ``sig_kind``, ``sig_kernel``, ``sig_stride`` (absent: = kernel), ``sig_padding``,
``sig_dilation``, ``sig_ceil``, ``sig_cip``, ``sig_step``; or ``sig_audio``, ``sig_window_ms``,
``sig_hop_ms``, ``sig_play_kind``, ``sig_factor``. A bad value gives an ``st.warning`` and the
default; a value that does not fit the others (a padding too big for the window) is refused by
the engine in the view, with its message.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import streamlit as st

import pooling_core as pc
from pooling_ui import figures as fg
from pooling_ui import signals, urlstate
from pooling_ui import view_engine as engine
from pooling_ui.animation import play_buttons
from pooling_ui.caching import cache_data, cache_resource
from pooling_ui.i18n import Message, current_language, labeller, t
from pooling_ui.images import bytes_digest
from pooling_ui.params import DILATION_MAX, KERNEL_MAX, PAD_MAX, STRIDE_MAX
from pooling_ui.urlstate import read_url_once

SOURCES = ("series", "audio", "sentence")
SERIES_SOURCES = (*signals.PRESETS, "csv")
AUDIO_SOURCES = ("synth", "wav")
PLAY_KINDS = ("avg", "max")
PLAY_FACTORS = (2, 4, 8, 16, 32, 64)
# kernel_size, stride, padding and dilation go as far as the 2-D panel's (params.KERNEL_MAX, …)
SEED_MAX = 9_999
NOISE_MAX = 1.5
STEP_MAX = signals.CSV_MAX_VALUES
WINDOW_MS = (1.0, 500.0)
# The animation steps through this many windows of a zoomed stretch; an audio stretch also keeps
# under AUDIO_STRETCH_SAMPLES samples, so that the figure stays small enough to send.
ANIMATION_STEPS = 40
AUDIO_STRETCH_SAMPLES = 6_000
# A screen has fewer pixels than a recording has samples: the waveform is drawn as the max and
# the min of blocks of samples, about this many blocks.
WAVEFORM_POINTS = 2_000
SIGNAL_COLOR = "#1f77b4"
POOLED_COLOR = "#e4002b"
FIGURE_HEIGHT_PX = 340
CACHE_ENTRIES = 16

DEFAULTS = {
    "sig_source": "series",
    "sig_preset": "sine",
    "sig_seed": 0,
    "sig_noise": 0.3,
    "sig_kind": "max",
    "sig_kernel": 8,
    "sig_stride_auto": True,
    "sig_stride": 8,
    "sig_padding": 0,
    "sig_dilation": 1,
    "sig_ceil": False,
    "sig_cip": True,
    "sig_step": 0,
    "sig_csv_delimiter": "comma",
    "sig_csv_header": True,
    "sig_csv_column": 0,
    "sig_audio": "synth",
    "sig_window_ms": 20.0,
    "sig_hop_ms": 10.0,
    "sig_play_kind": "avg",
    "sig_factor": 8,
    "sig_zoom": 0,
}
SERIES_URL = ("sig_preset", "sig_seed", "sig_noise", "sig_kind", "sig_kernel", "sig_stride",
              "sig_padding", "sig_dilation", "sig_ceil", "sig_cip", "sig_step")
AUDIO_URL = ("sig_audio", "sig_window_ms", "sig_hop_ms", "sig_play_kind", "sig_factor")
URL_NAMES = ("sig_source", *SERIES_URL, *AUDIO_URL)


# -- URL ------------------------------------------------------------------------------------------
_URL_READERS = {
    "sig_source": lambda raw: {"sig_source": urlstate.parse_choice(raw, SOURCES)},
    "sig_preset": lambda raw: {"sig_preset": urlstate.parse_choice(raw, SERIES_SOURCES)},
    "sig_seed": lambda raw: {"sig_seed": urlstate.parse_int(raw, 0, SEED_MAX)},
    "sig_noise": lambda raw: {"sig_noise": urlstate.parse_float(raw, 0.0, NOISE_MAX)},
    "sig_kind": lambda raw: {"sig_kind": urlstate.parse_choice(raw, pc.KINDS)},
    "sig_kernel": lambda raw: {"sig_kernel": urlstate.parse_int(raw, 1, KERNEL_MAX)},
    "sig_stride": lambda raw: {"sig_stride_auto": False,
                               "sig_stride": urlstate.parse_int(raw, 1, STRIDE_MAX)},
    "sig_padding": lambda raw: {"sig_padding": urlstate.parse_int(raw, 0, PAD_MAX)},
    "sig_dilation": lambda raw: {"sig_dilation": urlstate.parse_int(raw, 1, DILATION_MAX)},
    "sig_ceil": lambda raw: {"sig_ceil": urlstate.parse_bool(raw)},
    "sig_cip": lambda raw: {"sig_cip": urlstate.parse_bool(raw)},
    "sig_step": lambda raw: {"sig_step": urlstate.parse_int(raw, 0, STEP_MAX)},
    "sig_audio": lambda raw: {"sig_audio": urlstate.parse_choice(raw, AUDIO_SOURCES)},
    "sig_window_ms": lambda raw: {"sig_window_ms": urlstate.parse_float(raw, *WINDOW_MS)},
    "sig_hop_ms": lambda raw: {"sig_hop_ms": urlstate.parse_float(raw, *WINDOW_MS)},
    "sig_play_kind": lambda raw: {"sig_play_kind": urlstate.parse_choice(raw, PLAY_KINDS)},
    "sig_factor": lambda raw: {"sig_factor": int(urlstate.parse_choice(
        raw, [str(factor) for factor in PLAY_FACTORS]))},
}


def _default_text(name: str) -> Message | str:
    if name == "sig_stride":
        return Message("lesson_pool1d.default_stride")
    value = DEFAULTS[name]
    if isinstance(value, bool):
        return urlstate.format_bool(value)
    return f"{value:g}" if isinstance(value, float) else str(value)


def read_url(query: dict[str, str]) -> tuple[dict, list[Message]]:
    """Widget values from a query string, and a warning for each value that cannot be read.

    Examples
    --------
    >>> state, warnings = read_url({"sig_kernel": "4", "sig_stride": "0"})
    >>> state, [warning.key for warning in warnings]
    ({'sig_kernel': 4}, ['lesson_pool1d.url_bad'])
    """
    return urlstate.read_values(query, _URL_READERS, _default_text,
                                message_key="lesson_pool1d.url_bad")


def url_values(state) -> dict[str, str]:
    """The query-string values that reproduce the current source's view."""
    value = {key: state.get(key, default) for key, default in DEFAULTS.items()}
    values = {"sig_source": value["sig_source"]}
    if value["sig_source"] == "series":
        values.update({
            "sig_preset": value["sig_preset"], "sig_kind": value["sig_kind"],
            "sig_kernel": str(value["sig_kernel"]), "sig_padding": str(value["sig_padding"]),
            "sig_dilation": str(value["sig_dilation"]),
            "sig_ceil": urlstate.format_bool(value["sig_ceil"]),
            "sig_cip": urlstate.format_bool(value["sig_cip"]), "sig_step": str(value["sig_step"]),
        })
        if value["sig_preset"] != "csv":
            values.update({"sig_seed": str(value["sig_seed"]),
                           "sig_noise": f"{value['sig_noise']:g}"})
        if not value["sig_stride_auto"]:
            values["sig_stride"] = str(value["sig_stride"])
    elif value["sig_source"] == "audio":
        values.update({
            "sig_audio": value["sig_audio"], "sig_window_ms": f"{value['sig_window_ms']:g}",
            "sig_hop_ms": f"{value['sig_hop_ms']:g}", "sig_play_kind": value["sig_play_kind"],
            "sig_factor": str(value["sig_factor"]),
        })
    return values


def _forget_url_warnings() -> None:
    st.session_state["sig_url_warnings"] = []


# -- widgets --------------------------------------------------------------------------------------
def _seed(key: str) -> str:
    """The widget's default on a session's first run, so that a link's value is what it shows."""
    st.session_state.setdefault(key, DEFAULTS[key])
    return key


def _choice(label: str, options, key: str, *, radio: bool = False, **extra):
    if st.session_state.get(key) not in options:
        st.session_state[key] = DEFAULTS[key]
    widget = st.radio if radio else st.selectbox
    if radio:
        extra.setdefault("horizontal", True)
    return widget(label, options, key=key, on_change=_forget_url_warnings,
                  persist_state="session", **extra)


def _number(label: str, key: str, lo, hi, step=1, **extra):
    if not lo <= st.session_state.get(key, lo) <= hi:
        st.session_state[key] = DEFAULTS[key]
    return st.number_input(label, min_value=lo, max_value=hi, step=step, key=_seed(key),
                           persist_state="session", on_change=_forget_url_warnings, **extra)


def _checkbox(label: str, key: str, **extra) -> bool:
    return st.checkbox(label, key=_seed(key), on_change=_forget_url_warnings,
                       persist_state="session", **extra)


def _kept_upload(label: str, types: list[str], key: str, help_text: str):
    """``(bytes, name, fresh)`` of the file: the uploader's (fresh), or else the last good one of
    this session (the uploader forgets its file while it is not drawn); None before any."""
    uploaded = st.file_uploader(label, type=types, key=key, help=help_text,
                                on_change=_forget_url_warnings)
    if uploaded is not None:
        return uploaded.getvalue(), uploaded.name, True
    kept = st.session_state.get(f"{key.removesuffix('_upload')}_file")
    if kept is not None:
        st.caption(t("lesson_pool1d.upload_earlier", name=kept[1]))
        return kept[0], kept[1], False
    return None


# -- the pooling calls ----------------------------------------------------------------------------
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


def window_centres(length: int, kernel_size: int, stride: int, padding: int = 0,
                   dilation: int = 1, ceil_mode: bool = False) -> np.ndarray:
    """Where each output of a 1-D pooling sits on the input's axis: its window's middle.

    Window ``j`` covers input positions ``j·stride − padding + i·dilation`` for ``i`` in
    ``0..kernel_size−1`` (padding positions are outside ``0..L−1``); the count of windows is
    :func:`pooling_core.output_size`'s.

    Examples
    --------
    >>> window_centres(6, 2, 2)
    array([0.5, 2.5, 4.5])
    >>> window_centres(5, 3, 2, padding=1)
    array([0., 2., 4.])
    """
    count = pc.output_size(length, kernel_size, stride, padding, dilation, ceil_mode)
    return np.arange(count) * stride - padding + dilation * (kernel_size - 1) / 2


@dataclass(frozen=True)
class FilterResult:
    """One filter of the sentence: its width, the ReLU'd feature map, its max and where."""

    width: int
    feature_map: np.ndarray
    value: float
    start: int


def max_over_time(vectors: np.ndarray, filters) -> list[FilterResult]:
    """TextCNN's layer: per filter, ``relu(conv1d(vectors, weight, bias))`` and its maximum over
    every position, :func:`pooling_core.pool1d` with ``kernel_size = L_out`` (one window).

    Parameters
    ----------
    vectors : ndarray, shape (dim, L)
        The sentence, one column per word.
    filters : list of (weight (1, dim, width), bias)
    """
    results = []
    for weight, bias in filters:
        feature_map = pc.relu(pc.conv1d(vectors, weight, bias=bias))
        length = feature_map.shape[-1]
        value, index = pc.pool1d(feature_map, "max", kernel_size=length, return_indices=True)
        results.append(FilterResult(int(weight.shape[-1]), feature_map[0],
                                    float(value[0, 0]), int(index[0, 0])))
    return results


@cache_data(CACHE_ENTRIES)
def _pool_series(x: np.ndarray, kwargs: dict) -> np.ndarray:
    return pc.pool1d(x, **kwargs)


@cache_resource(CACHE_ENTRIES)
def _audio_pooled(audio_key: str, _samples: np.ndarray, what: str, kernel: int,
                  stride: int) -> np.ndarray:
    """A pooling of one recording, cached by the recording's key (not hashed on every run)."""
    if what == "envelope":
        result = pc.pool1d(np.abs(_samples), "max", kernel_size=kernel, stride=stride)
    else:
        result = pc.pool1d(_samples, what, kernel_size=kernel, stride=stride, ceil_mode=True)
    result.setflags(write=False)
    return result


# -- figures --------------------------------------------------------------------------------------
def _line_layout(fig: go.Figure, x_title: str, y_title: str, *, height: int = FIGURE_HEIGHT_PX,
                 bottom: int = 40) -> None:
    fig.update_layout(
        height=height, margin={"l": 56, "r": 16, "t": 28, "b": bottom}, plot_bgcolor="white",
        legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
        hoverlabel={"font": {"size": fg.ui_font_px()}}, font={"size": fg.ui_font_px()})
    fig.update_xaxes(title=x_title, showgrid=True, gridcolor="#eee", zeroline=False)
    fig.update_yaxes(title=y_title, showgrid=True, gridcolor="#eee", zerolinecolor="#ccc")


def window_path(taps, scale: float = 1.0) -> str:
    """An SVG path of a window's taps: one bar per tap, ``y`` in paper units (0..1)."""
    parts = []
    for tap in taps:
        left, right = (tap - 0.5) * scale, (tap + 0.5) * scale
        parts.append(f"M{left:.6g},0L{right:.6g},0L{right:.6g},1L{left:.6g},1Z")
    return "".join(parts)


def _ring_path(x: float, y: float, dx: float, dy: float) -> str:
    """A small diamond around the point ``(x, y)`` (data units), for the current output."""
    return (f"M{x - dx:.6g},{y:.6g}L{x:.6g},{y + dy:.6g}L{x + dx:.6g},{y:.6g}"
            f"L{x:.6g},{y - dy:.6g}Z")


def _window_shape(path: str) -> dict:
    return {"type": "path", "path": path, "xref": "x", "yref": "paper", "layer": "below",
            "line": {"color": fg.WINDOW_COLOR, "width": 1}, "fillcolor": "rgba(228,0,43,0.14)"}


def _ring_shape(path: str) -> dict:
    return {"type": "path", "path": path, "xref": "x", "yref": "y",
            "line": {"color": fg.WINNER_COLOR, "width": 3}}


def series_figure(x: np.ndarray, y: np.ndarray, centres: np.ndarray, taps, *,
                  scale: float = 1.0, x_title: str, y_title: str, signal_name: str,
                  pooled_name: str, hover_x: str) -> go.Figure:
    """The whole signal, the pooled values at their windows' centres, the window of ``step``."""
    fig = go.Figure()
    positions = np.arange(x.size) * scale
    fig.add_trace(go.Scatter(x=positions, y=x, mode="lines", name=signal_name,
                             line={"color": SIGNAL_COLOR, "width": 1.2},
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
        "pad": {"t": 58, "l": 4, "r": 12}, "font": {"size": fg.small_font_px()},
        "currentvalue": {"prefix": t("animation.step_prefix"),
                         "suffix": t("animation.step_suffix"), "xanchor": "left",
                         "font": {"size": fg.ui_font_px()}},
        "transition": {"duration": 0},
        "steps": [{"method": "animate", "label": str(step + index_offset),
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


def sentence_figure(tokens: list[str], results: list[FilterResult]) -> go.Figure:
    """Each filter's ReLU'd feature map as a row of cells (one per word window), the winner
    outlined."""
    length = len(tokens)
    grid = np.full((len(results), length), np.nan, dtype=np.float32)
    hover = [["" for _ in range(length)] for _ in results]
    for row, result in enumerate(results):
        grid[row, :result.feature_map.size] = result.feature_map
        for start in range(result.feature_map.size):
            hover[row][start] = " ".join(tokens[start:start + result.width])
    fig = go.Figure(go.Heatmap(
        z=grid, x=list(range(length)), y=list(range(len(results))), colorscale=fg.colorscale(),
        customdata=hover, xgap=2, ygap=2, zmin=0,
        hovertemplate="%{customdata}: %{z:.3f}<extra></extra>",
        text=[[fg.format_value(v) if np.isfinite(v) else "" for v in row] for row in grid],
        texttemplate="%{text}", colorbar={"thickness": 12}))
    shapes = [{"type": "rect", "x0": result.start - 0.5, "x1": result.start + 0.5,
               "y0": row - 0.5, "y1": row + 0.5, "line": {"color": fg.WINDOW_COLOR, "width": 3}}
              for row, result in enumerate(results)]
    fig.update_layout(shapes=shapes,
                      height=80 + 46 * len(results), margin={"l": 8, "r": 16, "t": 8, "b": 60},
                      plot_bgcolor="white", font={"size": fg.ui_font_px()})
    fig.update_xaxes(tickvals=list(range(length)), ticktext=tokens, showgrid=False,
                     range=[-0.5, length - 0.5])
    fig.update_yaxes(tickvals=list(range(len(results))), autorange="reversed", showgrid=False,
                     ticktext=[t("lesson_pool1d.filter_tick", number=i + 1, width=r.width)
                               for i, r in enumerate(results)])
    return fig


# -- the time series ------------------------------------------------------------------------------
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
    """The CSV column as ``(values, name)``, or None (with a message) when there is none."""
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
        listed = t("lesson_pool1d.list_separator").join(
            t("lesson_pool1d.bad_row", line=line, text=text) if text
            else t("lesson_pool1d.bad_row_empty", line=line) for line, text in shown)
        st.warning(t("lesson_pool1d.csv_bad_rows", count=len(column.bad_rows), rows=listed))
    if column.cut_to:
        st.caption(t("lesson_pool1d.csv_cut", count=column.cut_to))
    return column.values, t("lesson_pool1d.csv_name", name=name, column=table.names[index])


def _series_controls():
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
        signal = values, t(f"lesson_pool1d.presets.{preset}")
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
    x, name = signal
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
        step = 0
        if step_max > 0:
            step = int(st.slider(t("lesson_pool1d.step"), 0, step_max, key=_seed("sig_step"),
                                 on_change=_forget_url_warnings, persist_state="session"))
            _step_buttons(step, step_max)
        labels = {"x_title": t("lesson_pool1d.axis_index"),
                  "y_title": t("lesson_pool1d.axis_value"),
                  "signal_name": t("lesson_pool1d.trace_signal"),
                  "pooled_name": t("lesson_pool1d.trace_pooled",
                                   kind=t(f"kinds.{params.kind}.name"))}
        st.plotly_chart(series_figure(x, y, centres, taps[step],
                                      hover_x="x[%{x}] = %{y:.4g}", **labels),
                        key="sig_series_figure", config={"displayModeBar": False})
        st.caption(t("lesson_pool1d.series_legend"))
        explanation = engine.explain(x[None], 0, step, params.kwargs_2d())
        st.text(explanation.formula.replace("y[0,", "y[", 1))
        padded = [int(tap) for tap in taps[step] if not 0 <= tap < x.size]
        if padded:
            st.caption(t("lesson_pool1d.padding_taps", taps=", ".join(map(str, padded))))
        st.subheader(t("lesson_pool1d.animation_heading"))
        count = min(ANIMATION_STEPS, y.size)
        first = int(np.clip(step - count // 2, 0, y.size - count))
        figure = stretch_animation(x, y[first:first + count], centres[first:first + count],
                                   taps[first:first + count], step - first,
                                   index_offset=first, **labels)
        st.plotly_chart(figure, key="sig_series_animation", config={"displayModeBar": False})
        st.caption(t("lesson_pool1d.animation_legend", first=first, last=first + count - 1))


def _move_step(delta: int, step_max: int) -> None:
    step = int(st.session_state.get("sig_step", 0) or 0)
    st.session_state["sig_step"] = int(np.clip(step + delta, 0, step_max))
    _forget_url_warnings()


def _step_buttons(step: int, step_max: int) -> None:
    """Previous / Next step as buttons, as on the Explorer: the slider answers the arrow keys,
    these a Tab and Enter, and the animation's own buttons (drawn in SVG) neither."""
    row = st.container(horizontal=True, gap="small")
    row.button(t("keyboard.previous"), key="sig_prev", icon=":material/skip_previous:",
               disabled=step <= 0, on_click=_move_step, args=(-1, step_max))
    row.button(t("keyboard.next"), key="sig_next", icon=":material/skip_next:",
               disabled=step >= step_max, on_click=_move_step, args=(1, step_max))


# -- audio ----------------------------------------------------------------------------------------
def _audio_controls():
    """The sidebar of the audio: the recording, the envelope's window, the playback's pooling.
    Returns ``(audio, key)`` or None."""
    source = _choice(t("lesson_pool1d.audio_source"), AUDIO_SOURCES, "sig_audio", radio=True,
                     format_func=labeller("lesson_pool1d.audio_sources."))
    audio = None
    if source == "synth":
        audio, key = _synth(), "synth"
    else:
        st.caption(t("lesson_pool1d.wav_limits", size=f"{signals.WAV_MAX_BYTES / 1e6:g}",
                     seconds=f"{signals.WAV_MAX_SECONDS:g}"))
        upload = _kept_upload(t("lesson_pool1d.wav_upload"), ["wav", "wave"], "sig_wav_upload",
                              t("lesson_pool1d.wav_help"))
        if upload is None:
            st.info(t("lesson_pool1d.wav_prompt"))
        else:
            data, name, fresh = upload
            try:
                audio = _read_wav(data)
            except signals.SignalLoadError as error:
                st.error(t("lesson_pool1d.file_error", name=name, message=error.message.text()))
                kept = st.session_state.get("sig_wav_memo")
                if kept is not None:
                    st.caption(t("lesson_pool1d.kept_previous", name=kept[2]))
                    audio, key = kept[0], kept[1]
            else:
                key = f"wav:{bytes_digest(data)}"
                if fresh:
                    st.session_state["sig_wav_file"] = (data, name)
                st.session_state["sig_wav_memo"] = (audio, key, name)
    st.header(t("lesson_pool1d.params_title"))
    _number(t("lesson_pool1d.window_ms"), "sig_window_ms", *WINDOW_MS, step=1.0, format="%g")
    _number(t("lesson_pool1d.hop_ms"), "sig_hop_ms", *WINDOW_MS, step=1.0, format="%g")
    _choice(t("lesson_pool1d.play_kind"), PLAY_KINDS, "sig_play_kind", radio=True,
            format_func=labeller("kinds.", ".name"))
    _choice(t("lesson_pool1d.factor"), PLAY_FACTORS, "sig_factor")
    return None if audio is None else (audio, key)


@cache_resource(4)
def _synth() -> signals.Audio:
    audio = signals.synth_audio()
    audio.samples.setflags(write=False)
    return audio


@cache_resource(8)
def _read_wav(data: bytes) -> signals.Audio:
    audio = signals.read_wav(data)
    audio.samples.setflags(write=False)
    return audio


@cache_resource(16)
def _wav_for_playback(key: str, _samples: np.ndarray, rate: int) -> bytes:
    return signals.wav_bytes(_samples, rate)


def audio_view(loaded) -> None:
    if loaded is None:
        st.info(t("lesson_pool1d.no_audio"))
        return
    audio, key = loaded
    x, rate = audio.samples, audio.sample_rate
    st.markdown(t("lesson_pool1d.audio_lead", seconds=f"{audio.seconds:.2f}", rate=rate,
                  samples=x.size, bits=audio.bits, channels=audio.channels))
    for note in audio.notes:
        st.caption(note.text())
    state = st.session_state
    kernel = max(1, round(float(state["sig_window_ms"]) * rate / 1000))
    stride = max(1, round(float(state["sig_hop_ms"]) * rate / 1000))
    st.markdown(t("lesson_pool1d.envelope_rule", k=kernel, s=stride,
                  window_ms=f"{state['sig_window_ms']:g}", hop_ms=f"{state['sig_hop_ms']:g}"))
    with engine.view_guard("pool1d_audio"):
        envelope = _audio_pooled(key, x, "envelope", kernel, stride)
        centres = window_centres(x.size, kernel, stride)
        block = max(1, -(-x.size // WAVEFORM_POINTS))
        upper = _audio_pooled(key, x, "max", block, block)
        lower = _audio_pooled(key, x, "min", block, block)
        block_centres = (np.arange(upper.size) * block + (block - 1) / 2) / rate
        fig = go.Figure()
        fig.add_trace(go.Scatter(x=block_centres, y=upper, mode="lines", hoverinfo="skip",
                                 line={"color": SIGNAL_COLOR, "width": 0.6}, showlegend=False))
        fig.add_trace(go.Scatter(x=block_centres, y=lower, mode="lines", fill="tonexty",
                                 line={"color": SIGNAL_COLOR, "width": 0.6}, hoverinfo="skip",
                                 name=t("lesson_pool1d.trace_wave")))
        fig.add_trace(go.Scatter(x=centres / rate, y=envelope, mode="lines",
                                 name=t("lesson_pool1d.trace_envelope"),
                                 line={"color": POOLED_COLOR, "width": 2},
                                 hovertemplate="%{x:.3f} s: %{y:.3f}<extra></extra>"))
        _line_layout(fig, t("lesson_pool1d.axis_seconds"), t("lesson_pool1d.axis_amplitude"))
        st.plotly_chart(fig, key="sig_audio_figure", config={"displayModeBar": False})
        st.caption(t("lesson_pool1d.waveform_note", block=block))
        _audio_stretch(x, envelope, centres, kernel, stride, rate)
        _playback(key, x, rate)


def _audio_stretch(x, envelope, centres, kernel, stride, rate) -> None:
    st.subheader(t("lesson_pool1d.animation_heading"))
    count = int(np.clip((AUDIO_STRETCH_SAMPLES - kernel) // stride + 1, 1, ANIMATION_STEPS))
    count = min(count, envelope.size)
    last_first = envelope.size - count
    first = 0
    if last_first > 0:
        if st.session_state.get("sig_zoom", 0) > last_first:
            st.session_state["sig_zoom"] = last_first
        first = int(st.slider(t("lesson_pool1d.zoom"), 0, last_first, key=_seed("sig_zoom"),
                              persist_state="session"))
    begin = first * stride
    end = min(x.size, (first + count - 1) * stride + kernel)
    stretch = np.abs(x[begin:end])
    taps = np.stack([np.array([0, kernel - 1]) + (step - first) * stride
                     for step in range(first, first + count)])
    figure = stretch_animation(
        stretch, envelope[first:first + count], centres[first:first + count] - begin, taps, 0,
        scale=1000 / rate, index_offset=first, x_title=t("lesson_pool1d.axis_ms_stretch",
                                                          start=f"{begin / rate:.3f}"),
        y_title=t("lesson_pool1d.axis_abs"), signal_name=t("lesson_pool1d.trace_abs"),
        pooled_name=t("lesson_pool1d.trace_envelope"))
    # A window of thousands of taps is one bar from its first to its last sample.
    for frame in [figure["layout"], *(frame["layout"] for frame in figure["frames"])]:
        frame["shapes"][0]["path"] = _span_path(frame["shapes"][0]["path"])
    st.plotly_chart(figure, key="sig_audio_animation", config={"displayModeBar": False})
    st.caption(t("lesson_pool1d.audio_animation_legend", first=first, last=first + count - 1))


def _span_path(path: str) -> str:
    """Two tap bars (the first and the last sample) joined into one bar."""
    bars = path.split("Z")[:-1]
    if len(bars) < 2:
        return path
    first = bars[0].split("L")[0].removeprefix("M").split(",")[0]
    last = bars[-1].split("L")[1].split(",")[0]
    return f"M{first},0L{last},0L{last},1L{first},1Z"


def _playback(key: str, x: np.ndarray, rate: int) -> None:
    state = st.session_state
    kind, factor = state["sig_play_kind"], int(state["sig_factor"])
    st.subheader(t("lesson_pool1d.playback_heading"))
    pooled = _audio_pooled(key, x, kind, factor, factor)
    upsampled = np.repeat(pooled, factor)[:x.size]
    left, right = st.columns(2)
    with left:
        st.markdown(t("lesson_pool1d.play_original", rate=rate))
        st.audio(_wav_for_playback(key, x, rate), format="audio/wav")
    with right:
        st.markdown(t("lesson_pool1d.play_pooled", kind=t(f"kinds.{kind}.name"), factor=factor,
                      rate=f"{rate / factor:g}"))
        st.audio(_wav_for_playback(f"{key}|{kind}|{factor}", upsampled, rate), format="audio/wav")
    st.caption(t("lesson_pool1d.play_note", factor=factor, rate=rate, kind=kind))


# -- the sentence ---------------------------------------------------------------------------------
def sentence_view() -> None:
    lang = current_language()
    examples = set(signals.SENTENCES.values())
    if st.session_state.get("sig_words") in examples - {signals.SENTENCES[lang]}:
        st.session_state["sig_words"] = signals.SENTENCES[lang]  # the example, in this language
    st.session_state.setdefault("sig_words", signals.SENTENCES[lang])
    st.markdown(t("lesson_pool1d.sentence_lead"))
    text = st.text_input(t("lesson_pool1d.sentence"), key="sig_words",
                         max_chars=300, help=t("lesson_pool1d.sentence_help",
                                               words=signals.SENTENCE_MAX_WORDS))
    tokens = signals.sentence_tokens(text)
    widest = max(signals.FILTER_WIDTHS)
    if len(tokens) < widest:
        st.warning(t("lesson_pool1d.sentence_short", words=widest))
        return
    with engine.view_guard("pool1d_sentence"):
        results = max_over_time(signals.word_vectors(tokens), signals.sentence_filters())
        st.markdown(t("lesson_pool1d.sentence_rule", dim=signals.WORD_DIM, length=len(tokens)))
        st.plotly_chart(sentence_figure(tokens, results), key="sig_sentence_figure",
                        config={"displayModeBar": False})
        st.caption(t("lesson_pool1d.sentence_legend"))
        rows = {
            t("lesson_pool1d.col_filter"): [i + 1 for i in range(len(results))],
            t("lesson_pool1d.col_width"): [r.width for r in results],
            t("lesson_pool1d.col_kernel"): [r.feature_map.size for r in results],
            t("lesson_pool1d.col_max"): [fg.format_value(r.value) for r in results],
            t("lesson_pool1d.col_words"): [" ".join(tokens[r.start:r.start + r.width])
                                           for r in results],
        }
        st.dataframe(rows, hide_index=True)
        vector = ", ".join(fg.format_value(r.value) for r in results)
        st.markdown(t("lesson_pool1d.sentence_vector", count=len(results), vector=vector))
        if all(r.value == 0 for r in results):
            st.caption(t("lesson_pool1d.all_zero"))


# -- the page -------------------------------------------------------------------------------------
def pool1d_page() -> None:
    """The whole page: the sidebar's controls, then the chosen source's view."""
    warnings = read_url_once("sig", URL_NAMES, read_url)
    with st.sidebar:
        st.header(t("lesson_pool1d.signal_title"))
        for warning in warnings:
            st.warning(warning.text())
        source = _choice(t("lesson_pool1d.source"), SOURCES, "sig_source", radio=True,
                         format_func=labeller("lesson_pool1d.sources."))
        if source == "series":
            signal = _series_controls()
        elif source == "audio":
            loaded = _audio_controls()
    if source == "series":
        series_view(signal)
    elif source == "audio":
        audio_view(loaded)
    else:
        sentence_view()
    urlstate.sync_query_params(url_values(st.session_state), URL_NAMES)
