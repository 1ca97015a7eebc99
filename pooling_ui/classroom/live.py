"""The Live class page: start or join a class, ask it about the current view, answer, see why.

The teacher starts a class (a short code, a join link and its QR code to project, a teacher link
to keep), asks about the view on screen — one output cell's value, the output's shape, or which
input cell receives the gradient of one output cell — or pushes a quiz question, then sees the
answers live: how many joined and answered, how many are right, a histogram, and the wrong answers
grouped by the misconception that explains them (:mod:`pooling_core.lessons.misconceptions`),
each with its worked arithmetic. Reveal closes the question; every student then sees the right
answer and, for their own wrong one, the arithmetic of their mistake. A summary of every question
(which pitfalls the class fell into) downloads as CSV, nicknames only when the teacher asks.

Students join with the code (or the join link) and an optional nickname; their screen follows the
teacher's (:mod:`pooling_ui.classroom.live_sync`). Nicknames and answers are only ever shown as
fields of :func:`~pooling_ui.base.i18n.t` or in text-only elements (tables, code blocks).

Session-state keys: those of :mod:`~pooling_ui.classroom.live_sync`; the join form's
``live_join_code`` and ``live_join_nick``; the ask form's ``live_ask``, ``live_ask_row``,
``live_ask_col``, ``live_ask_seed``, ``live_ask_number``; a student's answer boxes
``live_answer_<question>_<i>``; ``live_analyses`` (the analysis of each question, worked out once
per session); ``live_summary_open`` and ``live_csv_nicknames``.
"""

from __future__ import annotations

import csv
import io
import secrets
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import plotly.graph_objects as go
import streamlit as st

import pooling_core as pc
import pooling_live as pl
from pooling_core.lessons import misconceptions as mc
from pooling_core.lessons import quiz as pq
from pooling_ui.base.caching import cached_figure
from pooling_ui.base.i18n import Message, labeller, t, t_plain
from pooling_ui.base.timers import every
from pooling_ui.classroom import class_photo
from pooling_ui.classroom import live_sync as ls
from pooling_ui.classroom.quiz import code_text, question_figure, question_panel
from pooling_ui.figures import grids as fg

ASK_CHOICES = ("cells", "shape", "gradient_cell", "quiz")
QR_PX = 240
RESULTS_S = 2.0
ANSWER_BOX_PX = 120
ANALYSES_KEY = "live_analyses"


# -- a question from the view ---------------------------------------------------------------------
def view_problem(fm, params, ask: str, target=None) -> mc.Problem | Message:
    """The :class:`~pooling_core.lessons.misconceptions.Problem` of the view on screen, or a
    :class:`Message` saying why this view makes no question: only max and avg pooling (the
    pitfalls are theirs), no dilation or divisor, one channel of numbers (not a photo) at most
    :data:`~pooling_core.lessons.misconceptions.SIDE_LIMIT` on a side.

    Examples
    --------
    >>> from types import SimpleNamespace as N
    >>> fm = N(data=np.arange(16, dtype=np.float32).reshape(1, 4, 4), is_photo=False)
    >>> p = N(kind="avg", kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), dilation=(1, 1),
    ...       ceil_mode=False, count_include_pad=True, divisor_override=None)
    >>> view_problem(fm, p, "cells", (0, 0)).out_shape
    (2, 2)
    >>> view_problem(fm, p, "gradient_cell", (0, 0)).key
    'live.ask.needs_max'
    """
    if fm is None or params is None:
        return Message("live.ask.no_view")
    if params.kind not in mc.KINDS:
        return Message("live.ask.needs_max_avg", {"kind": params.kind})
    if ask == "gradient_cell" and params.kind != "max":
        return Message("live.ask.needs_max")
    if params.dilation != (1, 1) or params.divisor_override is not None:
        return Message("live.ask.plain_only")
    if fm.is_photo or fm.data.shape[0] != 1:
        return Message("live.ask.not_a_photo")
    height, width = fm.data.shape[1:]
    if max(height, width) > mc.SIDE_LIMIT:
        return Message("live.ask.too_big", {"h": height, "w": width, "limit": mc.SIDE_LIMIT})
    padding = (0, 0) if params.padding == "valid" else params.padding
    try:
        return mc.make_problem(fm.data[0].astype(np.float64), ask, params.kind,
                               params.kernel_size, params.stride, padding, params.ceil_mode,
                               params.count_include_pad, None if ask == "shape" else target)
    except ValueError:
        return Message("live.ask.not_a_question")


def quiz_problem(seed: int, number: int) -> mc.Problem:
    """Question ``number`` of quiz ``seed`` as a live question. A quiz asks every output cell;
    the class is asked the one where the most pitfalls give a different answer (the most
    telling), the first such cell in reading order."""
    question = pq.make_question(seed, number)
    if question.ask != "cells":
        return mc.Problem.from_question(question)
    height, width = question.out_shape
    cells = [(r, c) for r in range(height) for c in range(width)]
    telling = [len(mc.analyse(mc.Problem.from_question(question, cell)).variants)
               for cell in cells]
    return mc.Problem.from_question(question, cells[int(np.argmax(telling))])


def analysis_of(question_id: int, body: dict) -> mc.Analysis | None:
    """The question's analysis, worked out once per session and question; None for a body that
    is not a problem (the store holds only what a teacher's session wrote, but it is data)."""
    memo = st.session_state.setdefault(ANALYSES_KEY, {})
    if question_id not in memo:
        try:
            memo[question_id] = mc.analyse(mc.Problem.from_dict(body.get("problem")))
        except (ValueError, TypeError, pc.PoolingError):
            memo[question_id] = None
    return memo[question_id]


# -- tallying answers -----------------------------------------------------------------------------
@dataclass
class Tally:
    """The answers to one question, diagnosed.

    Attributes
    ----------
    answered, right : int
    groups : dict
        Misconception code → the diagnoses of the answers it explains, in :data:`CODES` order.
    other, unreadable : list of str
        The typed answers no misconception explains, and those that are no answer at all.
    histogram : list of (str, int)
        Each distinct answer as read (``5/3`` and ``1.667`` are one), most frequent first.
    """

    answered: int = 0
    right: int = 0
    groups: dict[str, list[mc.Diagnosis]] = field(default_factory=dict)
    other: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    histogram: list[tuple[str, int]] = field(default_factory=list)


def tally(analysis: mc.Analysis, texts) -> Tally:
    """Diagnose every typed answer in ``texts``.

    Examples
    --------
    >>> x = [[1, 3, 2, 4], [5, 6, 1, 2], [7, 2, 8, 1], [3, 4, 0, 6]]
    >>> a = mc.analyse(mc.make_problem(x, "cells", "avg", 3, 2, 1, target=(0, 0)))
    >>> result = tally(a, ["5/3", "1.667", "3.75", "6", "42", "??"])
    >>> result.answered, result.right, list(result.groups), result.other, result.unreadable
    (6, 2, ['ignored_padding', 'max_for_avg'], ['42'], ['??'])
    >>> result.histogram[0]
    ('1.667', 2)
    """
    result = Tally()
    counts: Counter = Counter()
    ask = analysis.problem.ask
    for text in texts:
        result.answered += 1
        diagnosis = analysis.diagnose(text)
        read = mc.read_answer(ask, text)
        counts["?" if read is None else mc.answer_text(read, ask)] += 1
        if diagnosis.right:
            result.right += 1
        elif diagnosis.code == "other":
            result.other.append(text)
        elif diagnosis.code == "unreadable":
            result.unreadable.append(text)
        else:
            result.groups.setdefault(diagnosis.code, []).append(diagnosis)
    result.groups = {code: result.groups[code] for code in mc.CODES if code in result.groups}
    result.histogram = counts.most_common()
    return result


def csv_cell(text) -> str:
    """A cell of the class's CSV as text a spreadsheet shows, never runs: a cell that would start
    a formula (``=``, ``+``, ``-``, ``@``, a tab) and is not a number gets a leading ``'``.

    Examples
    --------
    >>> [csv_cell(v) for v in ("-1.5", "=HYPERLINK(1)", "@x", "Ada", 3)]
    ['-1.5', "'=HYPERLINK(1)", "'@x", 'Ada', '3']
    """
    value = "" if text is None else str(text)
    if value[:1] in ("=", "+", "-", "@", "\t", "\r") and pq.parse_number(value) is None:
        return "'" + value
    return value


def summary_rows(questions, answers_of, *, nicknames: bool, lang: str | None = None):
    """The class's CSV rows, one per answer: question, what was asked, the answer, right or the
    misconception's name. ``answers_of(question_id)`` lists a question's answers
    (:class:`~pooling_live.Answer`)."""
    header = [t_plain(f"live.csv.{name}", lang) for name in
              ("question", "ask", "answer", "outcome", "misconception", "right_answer")]
    if nicknames:
        header.insert(0, t_plain("live.csv.nickname", lang))
    rows = [header]
    for question in questions:
        analysis = analysis_of(question.id, question.body)
        if analysis is None:
            continue
        ask = analysis.problem.ask
        right = mc.answer_text(analysis.right.answer, ask)
        for answer in answers_of(question.id):
            diagnosis = analysis.diagnose(answer.text)
            name = (t_plain(f"live.misconceptions.{diagnosis.code}.name", lang)
                    if diagnosis.code in mc.CODES else "")
            row = [str(question.id), t_plain(f"live.asks.{ask}", lang), csv_cell(answer.text),
                   t_plain(f"live.outcomes.{diagnosis.code}", lang), name, right]
            if nicknames:
                row.insert(0, csv_cell(answer.nickname or ""))
            rows.append(row)
    return rows


def csv_text(rows) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


# -- shown to everyone ----------------------------------------------------------------------------
def prompt(problem: mc.Problem) -> str:
    if problem.ask == "cells":
        return t("live.prompt.cells", row=problem.target[0], col=problem.target[1])
    if problem.ask == "shape":
        return t("live.prompt.shape")
    return t("live.prompt.gradient_cell", row=problem.target[0], col=problem.target[1])


def show_question(problem: mc.Problem, key: str):
    """The question as every student sees it: what is asked, the input, the call as code.
    Returns the column beside the input, for the answer."""
    st.markdown(f"**{prompt(problem)}**")
    height, width = problem.x.shape
    caption = t("live.input_caption", h=height, w=width)
    return question_panel(
        problem.x, cached_figure(question_figure, problem.x, fg.finite_range(problem.x)), key=key,
        caption=caption, table_caption=caption, code=code_text(problem),
        code_caption=t("live.code_tf" if problem.padding == "same" else "live.code_torch",
                       h=height, w=width))


def misconception_block(code: str, working: str, count: int | None = None) -> None:
    """A misconception by name, what it is, and its worked arithmetic (symbols: a code block)."""
    name = t(f"live.misconceptions.{code}.name")
    if count is None:
        st.markdown(f"**{name}**")
    else:
        st.markdown(t("live.teacher.group", name=name, count=count))
    st.caption(t(f"live.misconceptions.{code}.what"))
    st.code(working, language=None, wrap_lines=True)


# -- start and join -------------------------------------------------------------------------------
def _start() -> None:
    created = ls.attempt("create_class")
    if created is not ls.FAILED:
        ls.become_teacher(created.code, created.teacher_key)
        st.rerun()


def _join(typed_code: str, nickname: str) -> None:
    code = pl.normalise_code(typed_code)
    if code is None:
        st.error(t("live.errors.no_class", class_code=typed_code.strip() or "''"),
                 icon=":material/error:")
        return
    student = ls.attempt("join", code, nickname or None, client=ls.session_client(),
                         address=ls.client_address())
    if student is ls.FAILED:
        return
    found = ls.attempt("student", code, student)
    ls.become_student(code, student, None if found is ls.FAILED else found.nickname)
    st.rerun()


def start_or_join() -> None:
    join_column, start_column = st.columns(2, gap="large")
    with join_column, st.container(border=True):
        st.header(t("live.join.heading"))
        with st.form("live_join_form", border=False, enter_to_submit=True):
            code = st.text_input(t("live.join.code"), key=ls.JOIN_CODE, max_chars=16,
                                 placeholder="K7QX2M")
            nickname = st.text_input(t("live.join.nickname"), key="live_join_nick",
                                     max_chars=pl.NICKNAME_MAX, help=t("live.join.nickname_help"))
            joined = st.form_submit_button(t("live.join.button"), type="primary",
                                           key="live_join_button", icon=":material/login:")
        if joined:
            _join(code or "", nickname or "")
    with start_column, st.container(border=True):
        st.header(t("live.start.heading"))
        st.markdown(t("live.start.what"))
        if st.button(t("live.start.button"), key="live_start", icon=":material/co_present:"):
            _start()


# -- the teacher ----------------------------------------------------------------------------------
def _base_url() -> str:
    return (st.context.url or "").split("?")[0].rstrip("/")


def class_links(code: str, teacher_key: str) -> tuple[str, str]:
    """The join link and the teacher link of class ``code`` (the live page's address)."""
    base = _base_url()
    page = base if base.endswith("/" + ls.LIVE_PAGE) else (base + "/" + ls.LIVE_PAGE
                                                          if base else "/" + ls.LIVE_PAGE)
    return f"{page}?class={code}", f"{page}?class={code}&teacher={teacher_key}"


def qr_png(text: str) -> bytes:
    import segno

    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=8, border=2)
    return buffer.getvalue()


def _class_header(code: str, teacher_key: str) -> None:
    join_link, teacher_link = class_links(code, teacher_key)
    code_column, qr_column = st.columns([3, 2], gap="large")
    with code_column:
        # a heading: big enough to read from the back of the room when projected
        st.header(t("live.teacher.code", code=code))
        st.caption(t("live.teacher.join_how"))
        st.code(join_link, language=None, wrap_lines=True)
        with st.expander(t("live.teacher.teacher_link"), icon=":material/key:"):
            st.warning(t("live.teacher.teacher_link_warning"), icon=":material/lock:")
            st.code(teacher_link, language=None, wrap_lines=True)
    with qr_column:
        st.image(qr_png(join_link), width=QR_PX, caption=t("live.teacher.qr_caption"))


def _ask_form(fm, params, code: str, teacher_key: str) -> None:
    with st.container(border=True):
        st.header(t("live.ask.heading"))
        ask = st.radio(t("live.ask.what"), ASK_CHOICES, key="live_ask", horizontal=True,
                       format_func=labeller("live.ask.choices."))
        if ask == "quiz":
            row = st.container(horizontal=True)
            st.session_state.setdefault("live_ask_seed", secrets.randbelow(pq.SEED_MAX + 1))
            seed = row.number_input(t("live.ask.seed"), 0, pq.SEED_MAX, key="live_ask_seed",
                                    width=200)
            number = row.number_input(t("live.ask.number"), 1, pq.QUIZ_LENGTH, 1,
                                      key="live_ask_number", width=160)
            problem = quiz_problem(int(seed), int(number))
        else:
            target = None
            if ask != "shape":
                out = None
                if fm is not None and params is not None:
                    out = view_problem(fm, params, "shape")
                limits = out.out_shape if isinstance(out, mc.Problem) else (1, 1)
                row = st.container(horizontal=True)
                r = row.number_input(t("live.ask.row"), 0, max(limits[0] - 1, 0), 0,
                                     key="live_ask_row", width=160)
                c = row.number_input(t("live.ask.col"), 0, max(limits[1] - 1, 0), 0,
                                     key="live_ask_col", width=160)
                target = (int(r), int(c))
            problem = view_problem(fm, params, ask, target)
        if isinstance(problem, Message):
            st.info(problem.text(), icon=":material/info:")
            return
        st.caption(t("live.ask.preview", question=prompt(problem)))
        if st.button(t("live.ask.button"), key="live_ask_button", type="primary",
                     icon=":material/campaign:"):
            body = {"problem": problem.to_dict(), "source": ask}
            if ls.attempt("ask", code, teacher_key, body) is not ls.FAILED:
                st.session_state.pop("live_revealing", None)
                st.rerun()


# The right answer's bar green, the others grey: each 5.1:1 on the light theme's white, 3.7:1 on the
# dark theme's background (WCAG 1.4.11 asks 3:1 of a bar); the right bar also says so in words over
# it, so colour is not the only sign.
RIGHT_BAR, OTHER_BAR = "#2e7d32", "#6e6e6e"


def _histogram(histogram, right_label: str) -> go.Figure:
    """The answers given, most frequent first; the right answer's bar marked in colour and in
    words ("right" over it)."""
    labels = [label for label, _ in histogram]
    counts = [count for _, count in histogram]
    right_word = t_plain("live.teacher.histogram_right")
    fig = go.Figure(go.Bar(
        x=labels, y=counts,
        marker={"color": [RIGHT_BAR if label == right_label else OTHER_BAR for label in labels]},
        text=[right_word if label == right_label else "" for label in labels],
        textposition="outside", cliponaxis=False,
        hovertemplate=t_plain("live.teacher.histogram_hover") + "<extra></extra>"))
    fig.update_layout(height=260, margin={"t": 10, "b": 40, "l": 40, "r": 10},
                      xaxis={"type": "category", "title": {"text": t_plain(
                          "live.teacher.histogram_x")}},
                      yaxis={"title": {"text": t_plain("live.teacher.histogram_y")},
                             "dtick": 1})
    return fig


def _reveal(code: str, teacher_key: str, question_id: int) -> None:
    try:
        ls.store().reveal(code, teacher_key, question_id)
    except pl.LiveError as error:
        st.session_state[ls.ERROR] = ls.error_message(error)


def _results(code: str, teacher_key: str, question_id: int) -> None:
    """The current question's answers, live: counts, histogram, misconceptions, reveal."""
    question = ls.attempt("question", code, question_id)
    answers = ls.attempt("answers", code, teacher_key, question_id)
    roster = ls.attempt("roster", code, teacher_key)
    if ls.FAILED in (question, answers, roster):
        return
    analysis = analysis_of(question_id, question.body)
    if analysis is None:
        st.error(t("live.errors.bad_question"))
        return
    result = tally(analysis, [answer.text for answer in answers])
    ask = analysis.problem.ask
    numbers = st.container(horizontal=True, gap="large")
    numbers.metric(t("live.teacher.joined"), len(roster), width=140)
    numbers.metric(t("live.teacher.answered"), f"{result.answered} / {len(roster)}", width=160)
    share = f"{100 * result.right / result.answered:.0f} %" if result.answered else "–"
    numbers.metric(t("live.teacher.right"), f"{result.right} ({share})", width=180)
    st.caption(t("live.teacher.counts", answered=result.answered, joined=len(roster),
                 right=result.right))
    if question.revealed:
        st.success(t("live.teacher.revealed", answer=mc.answer_text(analysis.right.answer, ask)),
                   icon=":material/visibility:")
        st.code(analysis.right.working, language=None, wrap_lines=True)
    else:
        st.button(t("live.teacher.reveal"), key=f"live_reveal_{question_id}",
                  icon=":material/visibility:", on_click=_reveal,
                  args=(code, teacher_key, question_id))
    if not result.answered:
        st.info(t("live.teacher.no_answers"), icon=":material/hourglass_empty:")
        return
    chart_column, groups_column = st.columns([1, 1], gap="large")
    with chart_column:
        st.markdown(f"**{t('live.teacher.histogram')}**")
        right_label = mc.answer_text(analysis.right.answer, ask)
        st.plotly_chart(_histogram(result.histogram, right_label),
                        key=f"live_histogram_{question_id}",
                        config={"displayModeBar": False})
    with groups_column:
        st.markdown(f"**{t('live.teacher.wrong_heading')}**")
        if not result.groups and not result.other and not result.unreadable:
            st.caption(t("live.teacher.all_right"))
        for group_code, diagnoses in result.groups.items():
            misconception_block(group_code, diagnoses[0].working, len(diagnoses))
        if result.other:
            st.markdown(t("live.teacher.other", count=len(result.other)))
            st.dataframe({t_plain("live.teacher.answer_column"): result.other},
                         hide_index=True)
        if result.unreadable:
            st.markdown(t("live.teacher.unreadable", count=len(result.unreadable)))


def _summary(code: str, teacher_key: str) -> None:
    box = st.expander(t("live.summary.heading"), expanded=False, key="live_summary_open",
                      on_change="rerun", icon=":material/summarize:")
    if not box.open:
        return
    with box:
        questions = ls.attempt("questions", code, teacher_key)
        if questions is ls.FAILED:
            return
        if not questions:
            st.caption(t("live.summary.none"))
            return
        answers = {}
        for question in questions:
            found = ls.attempt("answers", code, teacher_key, question.id)
            answers[question.id] = [] if found is ls.FAILED else found
        pitfalls: Counter = Counter()
        asked_in: Counter = Counter()
        table = {name: [] for name in ("question", "ask", "answered", "right", "pitfalls")}
        for number, question in enumerate(questions, 1):
            analysis = analysis_of(question.id, question.body)
            if analysis is None:
                continue
            result = tally(analysis, [answer.text for answer in answers[question.id]])
            for group_code, diagnoses in result.groups.items():
                pitfalls[group_code] += len(diagnoses)
                asked_in[group_code] += 1
            table["question"].append(number)
            table["ask"].append(t_plain(f"live.asks.{analysis.problem.ask}"))
            table["answered"].append(result.answered)
            table["right"].append(result.right)
            table["pitfalls"].append(", ".join(
                t_plain(f"live.misconceptions.{c}.name") for c in result.groups))
        st.dataframe({t_plain(f"live.summary.columns.{name}"): values
                      for name, values in table.items()}, hide_index=True)
        if pitfalls:
            st.markdown(f"**{t('live.summary.pitfalls')}**")
            for group_code, count in pitfalls.most_common():
                st.markdown(t("live.summary.pitfall_line",
                              name=t(f"live.misconceptions.{group_code}.name"), count=count,
                              questions=asked_in[group_code]))
        else:
            st.caption(t("live.summary.no_pitfalls"))
        nicknames = st.checkbox(t("live.summary.with_nicknames"), key="live_csv_nicknames")
        rows = summary_rows(questions, answers.__getitem__, nicknames=nicknames)
        st.download_button(t("live.summary.download"), csv_text(rows).encode("utf-8-sig"),
                           file_name=f"class-{code}.csv", mime="text/csv",
                           key="live_csv", icon=":material/download:", on_click="ignore")


def _end(code: str, teacher_key: str) -> None:
    try:
        ls.store().end_class(code, teacher_key)
    except pl.LiveError as error:
        st.session_state[ls.ERROR] = ls.error_message(error)
        return
    st.session_state[ls.ENDED] = True


def teacher_page(fm, params) -> None:
    code, teacher_key = st.session_state[ls.CODE], st.session_state[ls.KEY]
    _class_header(code, teacher_key)
    state = ls.attempt("poll", code)
    if state is ls.FAILED:
        return
    if state.question_id is not None:
        with st.container(border=True):
            st.header(t("live.teacher.results_heading"))
            question = ls.attempt("question", code, state.question_id)
            if question is not ls.FAILED:
                analysis = analysis_of(question.id, question.body)
                if analysis is not None:
                    with st.expander(t("live.teacher.asked"), expanded=False):
                        show_question(analysis.problem, f"live_teacher_q{question.id}")
            every(RESULTS_S, _results, code, teacher_key, state.question_id)
    # under the answers: while a question runs, its answers are what the teacher watches
    if state.ended:
        st.info(t("live.teacher.ended"), icon=":material/event_busy:")
    else:
        _ask_form(fm, params, code, teacher_key)
        class_photo.share_section(fm, code, teacher_key)
    _summary(code, teacher_key)
    buttons = st.container(horizontal=True)
    if not state.ended:
        buttons.button(t("live.teacher.end"), key="live_end", icon=":material/stop_circle:",
                       on_click=_end, args=(code, teacher_key))
    if buttons.button(t("live.teacher.leave"), key="live_leave", icon=":material/logout:"):
        ls.leave()
        st.rerun()


# -- the student ----------------------------------------------------------------------------------
def _answer_key(question_id: int, index: int) -> str:
    return f"live_answer_{question_id}_{index}"


def _answer_form(code: str, student: str, problem: mc.Problem, question_id: int,
                 stored: str | None) -> None:
    labels = ([t("live.answer.value")] if problem.ask == "cells" else
              [t("live.answer.height"), t("live.answer.width")] if problem.ask == "shape" else
              [t("live.answer.row"), t("live.answer.col")])
    with st.form(f"live_answer_form_{question_id}", border=True, enter_to_submit=True):
        st.markdown(f"**{t('live.answer.heading')}**")
        row = st.container(horizontal=True, gap="small")
        for index, label in enumerate(labels):
            row.text_input(label, key=_answer_key(question_id, index), width=ANSWER_BOX_PX,
                           max_chars=pl.ANSWER_MAX // len(labels), placeholder="?")
        st.caption(t("live.answer.reading"))
        sent = st.form_submit_button(t("live.answer.send"), type="primary",
                                     key=f"live_send_{question_id}", icon=":material/send:")
    if sent:
        texts = [str(st.session_state.get(_answer_key(question_id, i)) or "").strip()
                 for i in range(len(labels))]
        if not any(texts):
            st.warning(t("live.answer.nothing"))
        else:
            text = texts[0] if len(texts) == 1 else ", ".join(texts)
            ack = ls.attempt("answer", code, student, question_id, text)
            if ack is not ls.FAILED:
                stored = ack.text
    if stored is not None:
        st.success(t("live.answer.received", answer=stored), icon=":material/check:")


def _revealed(analysis: mc.Analysis, stored: str | None) -> None:
    ask = analysis.problem.ask
    st.info(t("live.answer.right_answer", answer=mc.answer_text(analysis.right.answer, ask)),
            icon=":material/visibility:")
    st.code(analysis.right.working, language=None, wrap_lines=True)
    if stored is None:
        st.caption(t("live.answer.none_sent"))
        return
    diagnosis = analysis.diagnose(stored)
    if diagnosis.right:
        st.success(t("live.answer.you_right", answer=stored), icon=":material/check_circle:")
        return
    st.error(t("live.answer.you_wrong", answer=stored), icon=":material/cancel:")
    if diagnosis.code in mc.CODES:
        st.markdown(t("live.answer.because"))
        misconception_block(diagnosis.code, diagnosis.working)
    else:
        st.caption(t(f"live.answer.{diagnosis.code}"))


def student_page() -> None:
    code, student = st.session_state[ls.CODE], st.session_state[ls.STUDENT]
    nickname = st.session_state.get(ls.NICK)
    if nickname:
        st.markdown(t("live.student.in_class_as", code=code, nickname=nickname))
    else:
        st.markdown(t("live.student.in_class", code=code))
    ended = st.session_state.get(ls.ENDED)
    question_id = st.session_state.get(ls.QUESTION)
    if ended == "expired":
        st.warning(t("live.errors.no_class", class_code=code), icon=":material/event_busy:")
    elif ended:
        st.info(t("live.student.ended"), icon=":material/event_busy:")
    if question_id is None:
        if not ended:
            st.info(t("live.student.waiting"), icon=":material/hourglass_empty:")
    elif ended != "expired":
        question = ls.attempt("question", code, question_id)
        stored = ls.attempt("my_answer", code, student, question_id)
        if ls.FAILED not in (question, stored):
            analysis = analysis_of(question_id, question.body)
            if analysis is None:
                st.error(t("live.errors.bad_question"))
            else:
                with st.container(border=True):
                    text_column = show_question(analysis.problem, f"live_q{question_id}")
                    with text_column:
                        if question.revealed:
                            _revealed(analysis, stored)
                        elif ended:
                            st.caption(t("live.student.closed"))
                        else:
                            _answer_form(code, student, analysis.problem, question_id, stored)
    if st.button(t("live.student.leave"), key="live_leave", icon=":material/logout:"):
        ls.leave()
        st.rerun()


def live_page(fm, params) -> None:
    """The whole page, for the teacher, a student, or someone about to be either."""
    if ls.role() == "teacher":
        teacher_page(fm, params)
    elif ls.role() == "student":
        student_page()
    else:
        start_or_join()
