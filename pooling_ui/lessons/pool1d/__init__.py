"""The 1-D pooling lesson: a time series, audio, and max-over-time pooling of a sentence.

:func:`pool1d_page` draws the page: the choice of source, then that source's screen
(:mod:`.series`, :mod:`.audio`, :mod:`.sentence`); the link, the widgets and the figure pieces
they share are in :mod:`.controls` (whose docstring lists the session-state keys and link names).
"""

from __future__ import annotations

import streamlit as st

from pooling_ui.base.i18n import labeller, t
from pooling_ui.lessons.pool1d.audio import audio_controls, audio_view
from pooling_ui.lessons.pool1d.controls import (
    LINK,
    SOURCES,
    _choice,
    read_url,
    url_values,
)
from pooling_ui.lessons.pool1d.sentence import sentence_view
from pooling_ui.lessons.pool1d.series import series_controls, series_view


def pool1d_page() -> None:
    """The whole page: the sidebar's controls, then the chosen source's view."""
    warnings = LINK.read(read_url)
    with st.sidebar:
        st.header(t("lesson_pool1d.signal_title"))
        LINK.show(warnings)
        source = _choice(t("lesson_pool1d.source"), SOURCES, "sig_source", radio=True,
                         format_func=labeller("lesson_pool1d.sources."))
        if source == "series":
            signal = series_controls()
        elif source == "audio":
            loaded = audio_controls()
    if source == "series":
        series_view(signal)
    elif source == "audio":
        audio_view(loaded)
    else:
        sentence_view()
    LINK.write(url_values(st.session_state))
