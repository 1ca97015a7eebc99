"""The quiz page: predict the output of a seeded question, check it, see the arithmetic of mistakes.

The questions, their answers and the marking come from :mod:`pooling_core.lessons.quiz`; this module
draws a question (the input grid, the call as PyTorch or TensorFlow code), the boxes to type the
answer into, the feedback and the score.

Session-state keys (all start with ``quiz_``):

* ``quiz_seed``: the quiz's seed (the number input; "New quiz" draws a random one).
* ``quiz_q``: the question shown, 1 … :data:`pooling_core.lessons.quiz.QUIZ_LENGTH` (the segmented
  control; Previous/Next change it too).
* ``quiz_answer_<seed>_<q>_<i>``: the text inputs of question ``q``'s answer, ``i`` counting the
  boxes row by row (:func:`answer_key`): the output's cells; or height, width; or row, column of
  the input cell. They sit in the form ``quiz_form_<seed>_<q>``, whose submit button is
  ``quiz_check_<seed>_<q>`` (:func:`check_key`), so typing does not rerun the page.
* ``quiz_typed`` ``{(seed, q): [text, …]}`` (what was typed at the last check: it refills the
  boxes after a change of question or page), ``quiz_verdicts`` ``{(seed, q): Verdict}`` (the last
  check's marks) and ``quiz_first`` ``{(seed, q): bool}`` (whether the first check was right:
  the score — looking at the worked answer and checking again does not raise it).

URL names: ``quiz_seed`` (0 … 999999) and ``quiz_q`` (1 … 6), read once per session and kept in
step with the page; ``lang`` as everywhere. A bad value gives an ``st.warning`` and the default
(a new random quiz, question 1).
"""

from __future__ import annotations

import secrets

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from pooling_core.lessons import quiz as pq
from pooling_ui.base import profile as pf
from pooling_ui.base import urlstate
from pooling_ui.base.caching import cached_figure
from pooling_ui.base.i18n import Message, current_language, t
from pooling_ui.base.linkstate import Link
from pooling_ui.figures import grids as fg
from pooling_ui.figures import tables

URL_NAMES = ("quiz_seed", "quiz_q")
LINK = Link("quiz", URL_NAMES)
SEED_KEY, QUESTION_KEY = "quiz_seed", "quiz_q"
TYPED_KEY, VERDICTS_KEY, FIRST_KEY = "quiz_typed", "quiz_verdicts", "quiz_first"
CELL_PX = 48
ANSWER_BOX_PX = 96


def answer_key(seed: int, number: int, index: int) -> str:
    """Key of the ``index``-th answer box (row by row) of question ``number`` of quiz ``seed``."""
    return f"quiz_answer_{seed}_{number}_{index}"


def check_key(seed: int, number: int) -> str:
    return f"quiz_check_{seed}_{number}"


def random_seed() -> int:
    return secrets.randbelow(pq.SEED_MAX + 1)


# -- URL ------------------------------------------------------------------------------------------
def read_url(query: dict[str, str]) -> tuple[dict, list[Message]]:
    """Session values for ``quiz_seed`` and ``quiz_q``, with a warning for each bad value."""
    state = {SEED_KEY: random_seed(), QUESTION_KEY: 1}
    readers = {
        SEED_KEY: lambda raw: {SEED_KEY: urlstate.parse_int(raw, 0, pq.SEED_MAX)},
        QUESTION_KEY: lambda raw: {QUESTION_KEY: urlstate.parse_int(raw, 1, pq.QUIZ_LENGTH)},
    }
    defaults = {SEED_KEY: Message("quiz.default_seed", {"seed": state[SEED_KEY]}),
                QUESTION_KEY: Message("quiz.default_question")}
    updates, warnings = urlstate.read_values(query, readers, defaults.get)
    return {**state, **updates}, warnings


# -- what a question says -------------------------------------------------------------------------
def _int_text(pair: tuple[int, int]) -> str:
    return str(pair[0]) if pair[0] == pair[1] else f"({pair[0]}, {pair[1]})"


def code_text(q: pq.Question) -> str:
    """The question's call as code: TensorFlow for ``padding="same"``, PyTorch otherwise.

    Examples
    --------
    >>> q = pq.make_question(3, 1)
    >>> code_text(q).startswith(("y = F.", "y = tf.nn."))
    True
    """
    if q.padding == "same":
        return (f"y = tf.nn.{q.kind}_pool2d(x, ksize={_int_text(q.kernel_size)}, "
                f"strides={_int_text(q.stride)}, padding=\"SAME\")")
    arguments = [f"kernel_size={_int_text(q.kernel_size)}"]
    if q.stride != q.kernel_size:
        arguments.append(f"stride={_int_text(q.stride)}")
    if q.padding != (0, 0):
        arguments.append(f"padding={_int_text(q.padding)}")
    if q.ceil_mode:
        arguments.append("ceil_mode=True")
    if q.kind == "avg" and q.padding != (0, 0):
        arguments.append(f"count_include_pad={q.count_include_pad}")
    lines = [f"y = F.{q.kind}_pool2d(x, {', '.join(arguments)})"]
    if q.ask == "gradient_cell":
        lines.append(f"y[0, 0, {q.target[0]}, {q.target[1]}].backward()")
    return "\n".join(lines)


def _prompt(q: pq.Question) -> str:
    if q.ask == "cells":
        h, w = q.out_shape
        return t("quiz.prompt_cells", h=h, w=w)
    if q.ask == "shape":
        return t("quiz.prompt_shape")
    return t("quiz.prompt_gradient", row=q.target[0], col=q.target[1])


def pitfall_note(q: pq.Question) -> str:
    """Why the question is tricky, in the session's language (shown once it has been checked)."""
    if q.pitfall == "same_even":
        (top, bottom), (left, right) = q.pads
        return t("quiz.pitfall.same_even", top=top, bottom=bottom, left=left, right=right)
    if q.pitfall == "count_include_pad":
        return t(f"quiz.pitfall.count_include_pad_{str(q.count_include_pad).lower()}")
    if q.pitfall == "ceil_kept" and q.kind == "avg" and q.ask == "cells":
        return t("quiz.pitfall.ceil_kept_avg")
    return t(f"quiz.pitfall.{q.pitfall}")


def _part_name(mark: pq.Mark) -> str:
    if mark.part == "cell":
        return f"`y[{mark.where[0]},{mark.where[1]}]`"
    return t(f"quiz.part.{mark.part}")


def mark_text(mark: pq.Mark) -> str:
    """One mistake, said: the part, what was typed, the answer and its worked arithmetic."""
    typed = mark.typed
    if mark.part == "input_cell" and mark.status == "wrong":
        typed = f"x[{typed}]"
    return t(f"quiz.mark.{mark.status}", part=_part_name(mark), typed=typed,
             expected=mark.expected, working=mark.working)


# -- the figure -----------------------------------------------------------------------------------
def question_figure(x: np.ndarray, value_range: tuple[float, float] | None = None) -> go.Figure:
    """The input grid with its numbers, rows and columns numbered from 0 along the edges, coloured
    over ``value_range`` (default: the quiz's 0 … :data:`pooling_core.lessons.quiz.VALUE_MAX`)."""
    height, width = x.shape
    low, high = (0, pq.VALUE_MAX) if value_range is None else value_range
    fig = go.Figure(fg.value_heatmap(x, value_range=(low, high)))
    fig.add_trace(go.Scatter(
        x=[c + 0.5 for c in range(width)] + [-0.5] * height,
        y=[-0.5] * width + [r + 0.5 for r in range(height)],
        text=[str(c) for c in range(width)] + [str(r) for r in range(height)],
        mode="text", textfont={"color": "#666", "size": pf.small_font_px()}, hoverinfo="skip",
    ))
    fig.update_layout(coloraxis={"colorscale": pf.profile().colorscale, "cmin": low,
                                 "cmax": high})
    fg.grid_layout(fig, (-1, width), (-1, height), cell_px=CELL_PX, colorbar=False,
                   margin={"t": 4})
    return fig


def question_panel(x: np.ndarray, figure: go.Figure, *, key: str, caption: str,
                   table_caption: str, code: str, code_caption: str):
    """A question's input — the figure and, opened, the same grid as a table (with the question
    and the code, enough to answer without seeing the figure) — beside its code; returns the
    column beside the input, where the answer goes. The Quiz and the Live class ask this way."""
    figure_column, text_column = st.columns([1, 2], gap="medium")
    with figure_column:
        st.caption(caption)
        st.plotly_chart(figure, width="content", key=f"{key}_figure",
                        config={"displayModeBar": False})
        box = tables.table_expander(f"{key}_table_open")
        if box:
            with box:
                tables.plain_grid(x, table_caption)
    with text_column:
        st.code(code, language="python", wrap_lines=True)
        st.caption(code_caption)
    return text_column


# -- the page -------------------------------------------------------------------------------------
def _state_dict(key: str) -> dict:
    return st.session_state.setdefault(key, {})


def _go_to(number: int) -> None:
    st.session_state[QUESTION_KEY] = number
    LINK.forget()


def _new_quiz() -> None:
    st.session_state[SEED_KEY] = random_seed()
    _go_to(1)


def _texts(seed: int, number: int, count: int) -> list[str]:
    return [str(st.session_state.get(answer_key(seed, number, i)) or "") for i in range(count)]


def _typed_answer(q: pq.Question, texts: list[str]):
    if q.ask == "cells":
        h, w = q.out_shape
        return [texts[r * w:(r + 1) * w] for r in range(h)]
    return texts


def _check(q: pq.Question) -> None:
    texts = _texts(q.seed, q.number, q.answer_size)
    place = (q.seed, q.number)
    _state_dict(TYPED_KEY)[place] = texts
    if not any(text.strip() for text in texts):
        _state_dict(VERDICTS_KEY).pop(place, None)
        st.session_state["quiz_nothing_typed"] = place
        return
    verdict = pq.check(q, _typed_answer(q, texts))
    _state_dict(VERDICTS_KEY)[place] = verdict
    _state_dict(FIRST_KEY).setdefault(place, verdict.right)


def _answer_labels(q: pq.Question) -> list[list[str]]:
    if q.ask == "cells":
        h, w = q.out_shape
        return [[f"y[{r},{c}]" for c in range(w)] for r in range(h)]
    if q.ask == "shape":
        return [[t("quiz.part.height"), t("quiz.part.width")]]
    return [[t("quiz.answer_row"), t("quiz.answer_col")]]


def _answer_form(q: pq.Question) -> None:
    stored = _state_dict(TYPED_KEY).get((q.seed, q.number), [])
    with st.form(f"quiz_form_{q.seed}_{q.number}", border=True, enter_to_submit=True):
        st.markdown(f"**{t('quiz.answer_heading')}**")
        index = 0
        for labels in _answer_labels(q):
            row = st.container(horizontal=True, gap="small")
            for label in labels:
                key = answer_key(q.seed, q.number, index)
                if key not in st.session_state and index < len(stored):
                    st.session_state[key] = stored[index]
                row.text_input(label, key=key, width=ANSWER_BOX_PX,
                               placeholder=t("quiz.placeholder"))
                index += 1
        if q.ask == "cells":
            st.caption(t("quiz.tolerance"))
        st.form_submit_button(t("quiz.check"), key=check_key(q.seed, q.number), type="primary",
                              icon=":material/task_alt:", on_click=_check, args=(q,))


def _feedback(q: pq.Question) -> None:
    place = (q.seed, q.number)
    if st.session_state.get("quiz_nothing_typed") == place:
        st.session_state.pop("quiz_nothing_typed")
        st.warning(t("quiz.nothing_typed"))
        return
    verdict = _state_dict(VERDICTS_KEY).get(place)
    if verdict is None:
        return
    if verdict.right:
        st.success(t("quiz.right"), icon=":material/check_circle:")
    else:
        st.error(t("quiz.wrong_summary", wrong=len(verdict.mistakes), total=len(verdict.marks)),
                 icon=":material/cancel:")
        for mark in verdict.mistakes:
            st.error(mark_text(mark))
    st.info(pitfall_note(q), icon=":material/lightbulb:")


def _score() -> None:
    seed = st.session_state[SEED_KEY]
    first = {number: right for (s, number), right in _state_dict(FIRST_KEY).items()
             if s == seed}
    with st.container(width=320, gap=None):
        st.metric(t("quiz.score_label"), f"{sum(first.values())} / {pq.QUIZ_LENGTH}")
        st.caption(t("quiz.score_note", answered=len(first), total=pq.QUIZ_LENGTH))


def _share_link(seed: int) -> None:
    # the address as the browser sees it (through a classroom proxy too); AppTest has none
    base = (st.context.url or "").split("?")[0]
    st.caption(t("quiz.share"))
    st.code(f"{base or '/quiz'}?quiz_seed={seed}&lang={current_language()}", language=None,
            wrap_lines=True)


def quiz_page() -> None:
    """The whole page: the quiz's seed and score, the question, the answer boxes, the feedback."""
    warnings = LINK.read(read_url)
    st.session_state.setdefault(SEED_KEY, random_seed())
    st.session_state.setdefault(QUESTION_KEY, 1)
    LINK.show(warnings)

    top = st.container(horizontal=True, gap="medium", vertical_alignment="bottom")
    with top:
        st.number_input(t("quiz.seed"), 0, pq.SEED_MAX, step=1, key=SEED_KEY,
                        help=t("quiz.seed_help"), on_change=_go_to, args=(1,), width=200,
                        persist_state="session")
        st.button(t("quiz.new"), key="quiz_new", icon=":material/casino:", on_click=_new_quiz)
    seed = int(st.session_state[SEED_KEY])
    with top:
        _score()
    _share_link(seed)

    st.segmented_control(t("quiz.question"), list(range(1, pq.QUIZ_LENGTH + 1)), key=QUESTION_KEY,
                         selection_mode="single", required=True, on_change=LINK.forget,
                         persist_state="session")
    number = int(st.session_state[QUESTION_KEY] or 1)
    q = pq.make_question(seed, number)

    st.header(t("quiz.heading", number=number, total=pq.QUIZ_LENGTH))
    st.markdown(_prompt(q))
    height, width = q.x.shape
    text_column = question_panel(
        q.x, cached_figure(question_figure, q.x), key="quiz",
        caption=t("quiz.input_caption", h=height, w=width),
        table_caption=t("grid_table.quiz_input", h=height, w=width), code=code_text(q),
        code_caption=t("quiz.code_tf" if q.padding == "same" else "quiz.code_torch",
                       h=height, w=width))
    with text_column:
        _answer_form(q)
        _feedback(q)
    buttons = st.container(horizontal=True)
    buttons.button(t("quiz.previous"), key="quiz_prev", icon=":material/arrow_back:",
                   disabled=number <= 1, on_click=_go_to, args=(number - 1,))
    buttons.button(t("quiz.next"), key="quiz_next", icon=":material/arrow_forward:",
                   disabled=number >= pq.QUIZ_LENGTH, on_click=_go_to, args=(number + 1,))
    LINK.write({"quiz_seed": str(seed), "quiz_q": str(number)})
