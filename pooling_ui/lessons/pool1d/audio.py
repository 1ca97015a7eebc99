"""The 1-D lesson's audio: a recording pooled into an envelope and played back slower or faster.

Part of :mod:`pooling_ui.lessons.pool1d` (the link, the widgets and the shared figure pieces
are in :mod:`pooling_ui.lessons.pool1d.controls`)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

import pooling_core as pc
from pooling_core.lessons.textcnn import window_centres
from pooling_ui.base import engine
from pooling_ui.base.caching import cache_resource
from pooling_ui.base.i18n import labeller, t
from pooling_ui.data import signals
from pooling_ui.data.images import bytes_digest
from pooling_ui.lessons.pool1d.controls import (
    ANIMATION_STEPS,
    AUDIO_SOURCES,
    AUDIO_STRETCH_SAMPLES,
    CACHE_ENTRIES,
    LINK,
    PLAY_FACTORS,
    PLAY_KINDS,
    POOLED_COLOR,
    SIGNAL_COLOR,
    WAVEFORM_POINTS,
    WINDOW_MS,
    _choice,
    _kept_upload,
    _line_layout,
    _number,
)
from pooling_ui.lessons.pool1d.series import stretch_animation


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


def audio_controls():
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
        _audio_stretch(x, envelope, centres, kernel, stride, rate, key)
        _playback(key, x, rate)


def loudest_stretch(envelope: np.ndarray, count: int) -> int:
    """The first window (from 0) of the ``count`` windows centred on the loudest one — the
    largest value of the envelope (max |x| per window), the first such if several.

    Examples
    --------
    >>> loudest_stretch(np.array([0, 0, 0, 0.1, 0.9, 0.2, 0, 0]), 3)
    3
    >>> loudest_stretch(np.array([0.9, 0, 0, 0]), 3), loudest_stretch(np.array([0, 0, 0, 1.0]), 2)
    (0, 2)
    """
    finite = np.where(np.isfinite(envelope), envelope, -np.inf)
    loudest = int(np.argmax(finite)) if finite.size else 0
    return int(np.clip(loudest - count // 2, 0, max(envelope.size - count, 0)))


def _audio_stretch(x, envelope, centres, kernel, stride, rate, key: str) -> None:
    st.header(t("lesson_pool1d.animation_heading"))
    count = int(np.clip((AUDIO_STRETCH_SAMPLES - kernel) // stride + 1, 1, ANIMATION_STEPS))
    count = min(count, envelope.size)
    last_first = envelope.size - count
    first = 0
    if last_first > 0:
        # A new recording, or new windows, opens the zoom on the loudest stretch (a recording
        # usually starts with silence). ``sig_zoom`` is the first window, counted from 1.
        opened = (key, kernel, stride)
        if st.session_state.get("sig_zoom_opened") != opened:
            st.session_state["sig_zoom_opened"] = opened
            st.session_state["sig_zoom"] = loudest_stretch(envelope, count) + 1
        st.session_state["sig_zoom"] = int(np.clip(st.session_state.get("sig_zoom", 1), 1,
                                                   last_first + 1))
        first = int(st.slider(t("lesson_pool1d.zoom"), 1, last_first + 1,
                              key=LINK.seed("sig_zoom"), persist_state="session")) - 1
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
    st.caption(t("lesson_pool1d.audio_animation_legend", first=first + 1, last=first + count))


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
    st.header(t("lesson_pool1d.playback_heading"))
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
