"""The 1-D lesson's sentence: TextCNN's max-over-time pooling of a typed sentence.

Part of :mod:`pooling_ui.lessons.pool1d` (the link, the widgets and the shared figure pieces
are in :mod:`pooling_ui.lessons.pool1d.controls`)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from pooling_core.lessons.textcnn import FilterResult, max_over_time
from pooling_ui.base import engine
from pooling_ui.base import profile as pf
from pooling_ui.base.i18n import current_language, inert_in_figure, t
from pooling_ui.data import signals
from pooling_ui.figures import grids as fg


def sentence_figure(tokens: list[str], results: list[FilterResult]) -> go.Figure:
    """Each filter's ReLU'd feature map as a row of cells (one per word window), the winner
    outlined."""
    length = len(tokens)
    grid = np.full((len(results), length), np.nan, dtype=np.float32)
    hover = [["" for _ in range(length)] for _ in results]
    for row, result in enumerate(results):
        grid[row, :result.feature_map.size] = result.feature_map
        for start in range(result.feature_map.size):
            hover[row][start] = inert_in_figure(" ".join(tokens[start:start + result.width]))
    fig = go.Figure(go.Heatmap(
        z=grid, x=list(range(length)), y=list(range(len(results))),
        colorscale=pf.profile().colorscale,
        customdata=hover, xgap=2, ygap=2, zmin=0,
        hovertemplate="%{customdata}: %{z:.3f}<extra></extra>",
        text=[[fg.format_value(v) if np.isfinite(v) else "" for v in row] for row in grid],
        texttemplate="%{text}", colorbar={"thickness": 12}))
    # each winner outlined in red on a white casing (≥ 3:1 on any cell: pooling_ui.figures.CASING)
    shapes = [{"type": "rect", "x0": result.start - 0.5, "x1": result.start + 0.5,
               "y0": row - 0.5, "y1": row + 0.5, "line": {"color": colour, "width": width}}
              for row, result in enumerate(results)
              for colour, width in ((fg.CASING[fg.WINDOW_COLOR], 3 + fg.CASING_EXTRA_PX),
                                    (fg.WINDOW_COLOR, 3))]
    fig.update_layout(shapes=shapes,
                      height=80 + 46 * len(results), margin={"l": 8, "r": 16, "t": 8, "b": 60},
                      plot_bgcolor="white", font={"size": pf.ui_font_px()})
    # the words are the user's: plotly would read HTML in them
    fig.update_xaxes(tickvals=list(range(length)),
                     ticktext=[inert_in_figure(token) for token in tokens], showgrid=False,
                     range=[-0.5, length - 0.5])
    fig.update_yaxes(tickvals=list(range(len(results))), autorange="reversed", showgrid=False,
                     ticktext=[t("lesson_pool1d.filter_tick", number=i + 1, width=r.width)
                               for i, r in enumerate(results)])
    fg.colour_cell_texts(fig)  # black or white numbers, by contrast with their cells
    return fig


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
