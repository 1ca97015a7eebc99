"""The 1-D pooling lesson's link, widgets and shared figure pieces (the page is
:func:`pooling_ui.lessons.pool1d.pool1d_page`).

The page brings its own controls (it is in :data:`pooling_ui.page.OWN_PANELS`): a signal is not a
2-D feature map. Every pooled number comes from :func:`pooling_core.pool1d`, window positions
from :func:`pooling_core.window_geometry` and :func:`pooling_core.output_size`, the worked
arithmetic of a step from :func:`pooling_core.explain`, and the sentence's convolution from
:func:`pooling_core.conv1d`; loading and synthesis live in :mod:`pooling_ui.data.signals`.

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
``sig_zoom`` (first window of the zoomed stretch, from 1; opened on the loudest stretch);
sentence: ``sig_words`` (the sentence typed; the example sentence in the session's language).

URL names: ``sig_source``, then the current source's: ``sig_preset``, ``sig_seed``,
``sig_noise``, ``sig_kind``, ``sig_kernel``, ``sig_stride`` (absent: = kernel), ``sig_padding``,
``sig_dilation``, ``sig_ceil``, ``sig_cip``, ``sig_step``; or ``sig_audio``, ``sig_window_ms``,
``sig_hop_ms``, ``sig_play_kind``, ``sig_factor``. A bad value gives an ``st.warning`` and the
default; a value that does not fit the others (a padding too big for the window) is refused by
the engine in the view, with its message.
"""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

import pooling_core as pc
from pooling_ui.base import profile as pf
from pooling_ui.base import urlstate
from pooling_ui.base.i18n import Message, t
from pooling_ui.base.linkstate import Link
from pooling_ui.data import signals
from pooling_ui.figures import grids as fg
from pooling_ui.panels.params import DILATION_MAX, KERNEL_MAX, PAD_MAX, STRIDE_MAX

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
SIGNAL_COLOR = fg.BLUE
POOLED_COLOR = fg.RED
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
    "sig_zoom": 1,
}
SERIES_URL = ("sig_preset", "sig_seed", "sig_noise", "sig_kind", "sig_kernel", "sig_stride",
              "sig_padding", "sig_dilation", "sig_ceil", "sig_cip", "sig_step")
AUDIO_URL = ("sig_audio", "sig_window_ms", "sig_hop_ms", "sig_play_kind", "sig_factor")
URL_NAMES = ("sig_source", *SERIES_URL, *AUDIO_URL)
LINK = Link("sig", URL_NAMES, DEFAULTS)


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


# -- widgets --------------------------------------------------------------------------------------
def _choice(label: str, options, key: str, *, radio: bool = False, **extra):
    if st.session_state.get(key) not in options:
        st.session_state[key] = DEFAULTS[key]
    widget = st.radio if radio else st.selectbox
    if radio:
        extra.setdefault("horizontal", True)
    return widget(label, options, key=key, on_change=LINK.forget,
                  persist_state="session", **extra)


def _number(label: str, key: str, lo, hi, step=1, **extra):
    if not lo <= st.session_state.get(key, lo) <= hi:
        st.session_state[key] = DEFAULTS[key]
    return st.number_input(label, min_value=lo, max_value=hi, step=step, key=LINK.seed(key),
                           persist_state="session", on_change=LINK.forget, **extra)


def _checkbox(label: str, key: str, **extra) -> bool:
    return st.checkbox(label, key=LINK.seed(key), on_change=LINK.forget,
                       persist_state="session", **extra)


def _kept_upload(label: str, types: list[str], key: str, help_text: str):
    """``(bytes, name, fresh)`` of the file: the uploader's (fresh), or else the last good one of
    this session (the uploader forgets its file while it is not drawn); None before any."""
    uploaded = st.file_uploader(label, type=types, key=key, help=help_text,
                                on_change=LINK.forget)
    if uploaded is not None:
        return uploaded.getvalue(), uploaded.name, True
    kept = st.session_state.get(f"{key.removesuffix('_upload')}_file")
    if kept is not None:
        st.caption(t("lesson_pool1d.upload_earlier", name=kept[1]))
        return kept[0], kept[1], False
    return None


# -- the pooling calls ----------------------------------------------------------------------------
# -- figures --------------------------------------------------------------------------------------
def _line_layout(fig: go.Figure, x_title: str, y_title: str, *, height: int = FIGURE_HEIGHT_PX,
                 bottom: int = 40) -> None:
    fig.update_layout(
        height=height, margin={"l": 56, "r": 16, "t": 28, "b": bottom}, plot_bgcolor="white",
        legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
        hoverlabel={"font": {"size": pf.ui_font_px()}}, font={"size": pf.ui_font_px()})
    fig.update_xaxes(title=x_title, showgrid=True, gridcolor=fg.PLOT_GRID_COLOR, zeroline=False)
    fig.update_yaxes(title=y_title, showgrid=True, gridcolor=fg.PLOT_GRID_COLOR,
                     zerolinecolor=fg.PLOT_ZERO_COLOR)


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
            "line": {"color": fg.WINDOW_COLOR, "width": 1}, "fillcolor": fg.RED_TINT}


def _ring_shape(path: str) -> dict:
    return {"type": "path", "path": path, "xref": "x", "yref": "y",
            "line": {"color": fg.WINNER_COLOR, "width": 3}}


# -- the time series ------------------------------------------------------------------------------
# -- audio ----------------------------------------------------------------------------------------
# -- the sentence ---------------------------------------------------------------------------------
# -- the page -------------------------------------------------------------------------------------
