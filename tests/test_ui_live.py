"""The Live class page in AppTest: a teacher and three students, each its own AppTest (its own
session), sharing one SQLite file in a temporary folder through ``PLAB_DATA_DIR``.

The question asked is the README's worked example: the 4×4 grid
``[[1, 3, 2, 4], [5, 6, 1, 2], [7, 2, 8, 1], [3, 4, 0, 6]]``, avg pooling, kernel 3, stride 2,
padding 1, padding counted (PyTorch's default). Output cell y[0,0]'s window covers rows and
columns −1 … 1: inside the input only 1, 3, 5 and 6 (sum 15), so y[0,0] = 15/9 = 1.667 (worked by
hand). A student who leaves the padding out divides by 4: 3.75; one who takes the maximum gets 6.
"""

from __future__ import annotations

import csv
import io
import json
import time

import pytest
from test_ui_inert_text import assert_inert, payloads
from test_ui_language import english_left
from ui_support import PAGES, assert_no_bug, open_page

import pooling_live as pl
from pooling_ui.classroom import live, live_sync

RIGHT, NO_PADDING, MAXIMUM = "5/3", "3.75", "6"
NAMES = {"en": ("Left the padding out", "Took the maximum instead of averaging"),
         "zh": ("漏算了填充", "取了最大值而不是平均")}


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """Every session of the test on one fresh SQLite file (the store is cached per folder)."""
    monkeypatch.setenv("PLAB_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PLAB_DATABASE_URL", raising=False)
    return tmp_path


def start_class(lang: str = "en"):
    teacher = open_page("live", {"lang": lang})
    teacher.button(key="live_start").click().run()
    assert_no_bug(teacher)
    return teacher, teacher.session_state["live_code"]


def join(code: str, nickname: str = "", lang: str = "en", *, by_link: bool = True):
    student = open_page("live", {"lang": lang, **({"class": code} if by_link else {})})
    if not by_link:
        student.text_input(key="live_join_code").input(code)
    student.text_input(key="live_join_nick").input(nickname)
    student.button(key="live_join_button").click().run()
    return student


def set_worked_example(teacher) -> None:
    """The teacher's view: avg pooling, kernel 3, stride 2, padding 1 on the worked 4×4."""
    teacher.selectbox(key="p_kind").set_value("avg").run()
    teacher.number_input(key="p_kernel_h").set_value(3).run()
    teacher.number_input(key="p_kernel_w").set_value(3).run()
    teacher.checkbox(key="p_stride_auto").uncheck().run()
    teacher.number_input(key="p_stride_h").set_value(2).run()
    teacher.number_input(key="p_stride_w").set_value(2).run()
    teacher.number_input(key="p_pad_h").set_value(1).run()
    teacher.number_input(key="p_pad_w").set_value(1).run()


def ask_cell(teacher, row: int = 0, col: int = 0) -> int:
    teacher.radio(key="live_ask").set_value("cells").run()
    teacher.number_input(key="live_ask_row").set_value(row).run()
    teacher.number_input(key="live_ask_col").set_value(col).run()
    teacher.button(key="live_ask_button").click().run()
    assert_no_bug(teacher)
    return live_sync.store().poll(teacher.session_state["live_code"]).question_id


def answer(student, question_id: int, text: str) -> None:
    student.run()  # what the polling fragment's full rerun does
    student.text_input(key=f"live_answer_{question_id}_0").input(text)
    student.button(key=f"live_send_{question_id}").click().run()
    assert_no_bug(student)


def texts(app) -> str:
    parts = [e.value for e in (*app.markdown, *app.caption, *app.success, *app.error,
                               *app.info, *app.warning, *app.code)]
    parts += [f"{m.label}={m.value}" for m in app.metric]
    return "\n".join(str(part) for part in parts)


def full_class(lang: str = "en"):
    """Start, three students join, the teacher asks y[0,0] of the worked example, the students
    answer: right, padding left out, maximum taken."""
    teacher, code = start_class(lang)
    # nicknames are the students' own text: Chinese ones on the Chinese pages
    names = ("Ada", "Bo", "Cy") if lang == "en" else ("小明", "小红", "小刚")
    students = [join(code, name, lang) for name in names]
    set_worked_example(teacher)
    question = ask_cell(teacher)
    for student, typed in zip(students, (RIGHT, NO_PADDING, MAXIMUM), strict=True):
        answer(student, question, typed)
    teacher.run()
    return teacher, students, code, question


# -- the whole lesson -----------------------------------------------------------------------------
def test_start_join_follow_ask_answer_reveal(data_dir):
    teacher, code = start_class()
    assert pl.normalise_code(code) == code
    shown = texts(teacher)
    assert f"?class={code}" in shown and "teacher=" in shown  # the join and teacher links
    assert teacher.get("imgs") or teacher.get("image")  # the QR code
    assert "teacher" not in teacher.query_params
    first = join(code, "Ada")
    second = join(code, "Bo", by_link=False)  # typed code
    third = join(code.lower()[:3] + "-" + code.lower()[3:], "Cy", by_link=False)
    for student in (first, second, third):
        assert_no_bug(student)
        assert student.session_state["live_role"] == "student"
        assert student.session_state["live_code"] == code
        assert student.query_params["class"] == code and student.query_params["me"]
        assert not student.get("radio") or "live_ask" not in [r.key for r in student.radio]

    # follow a kernel change
    teacher.number_input(key="p_kernel_h").set_value(3).run()
    teacher.number_input(key="p_kernel_w").set_value(3).run()
    for student in (first, second, third):
        student.run()
        assert_no_bug(student)
        assert student.session_state["page_current"][1].kernel_size == (3, 3)
        assert student.query_params["kernel"] == "3" and student.query_params["lang"] == "en"
    # explore on my own: the next change is not followed; follow again: it is
    third.toggle(key="live_follow").set_value(False).run()
    teacher.number_input(key="p_kernel_h").set_value(2).run()
    first.run()
    third.run()
    assert first.session_state["page_current"][1].kernel_size == (2, 3)
    assert third.session_state["page_current"][1].kernel_size == (3, 3)
    third.toggle(key="live_follow").set_value(True).run()
    third.run()
    assert third.session_state["page_current"][1].kernel_size == (2, 3)

    # ask, answer right and wrong with two different misconceptions
    set_worked_example(teacher)
    question = ask_cell(teacher)
    for student, typed in zip((first, second, third), (RIGHT, NO_PADDING, MAXIMUM), strict=True):
        answer(student, question, typed)
        assert any(typed in s.value for s in student.success), texts(student)
    teacher.run()
    assert_no_bug(teacher)
    metrics = {m.label: m.value for m in teacher.metric}
    assert metrics == {"Joined": "3", "Answered": "3 / 3", "Right": "1 (33 %)"}
    shown = texts(teacher)
    assert "3 of 3 students answered, 1 right." in shown
    assert "**Left the padding out**: 1 answered so" in shown
    assert "**Took the maximum instead of averaging**: 1 answered so" in shown
    # the worked arithmetic of each, with the numbers worked by hand above
    assert "y[0,0] = (1 + 3 + 5 + 6)/4 = 3.75" in shown
    assert "y[0,0] = max(" in shown and "= 6" in shown

    # reveal: answers close; each student sees the right answer and their own arithmetic
    teacher.button(key=f"live_reveal_{question}").click().run()
    assert_no_bug(teacher)
    assert any("1.667" in s.value for s in teacher.success)
    for student in (first, second, third):
        student.run()
        assert_no_bug(student)
        assert any("The right answer: 1.667" in i.value for i in student.info), texts(student)
    assert any("is right" in s.value for s in first.success)
    assert "Left the padding out" in texts(second) and "(1 + 3 + 5 + 6)/4 = 3.75" in texts(second)
    assert "Took the maximum instead of averaging" in texts(third)
    assert "Left the padding out" not in texts(third)
    with pytest.raises(pl.AnswersClosed):
        live_sync.store().answer(code, first.session_state["live_student"], question, "1")


def test_students_follow_the_teacher_to_another_page_and_back(data_dir):
    teacher, code = start_class()
    student = join(code)
    teacher.switch_page(PAGES["explorer"]).run()
    teacher.number_input(key="p_kernel_h").set_value(3).run()
    student.run()
    assert_no_bug(student)
    assert [title.value for title in student.title] == ["Pooling Lab — Explorer"]
    assert student.session_state["page_current"][1].kernel_size == (3, 2)
    teacher.switch_page(PAGES["live"]).run()
    student.run()
    assert [title.value for title in student.title] == ["Pooling Lab — Live class"]


def test_the_class_summary_and_its_csv(data_dir):
    teacher, _students, code, _question = full_class()
    teacher.session_state["live_summary_open"] = True
    teacher.run()
    assert_no_bug(teacher)
    shown = texts(teacher)
    assert "**Left the padding out**: wrong answers 1, questions 1" in shown
    assert teacher.get("download_button")
    store = live_sync.store()
    key = teacher.session_state["live_key"]
    asked = store.questions(code, key)
    rows = live.summary_rows(asked, lambda q: store.answers(code, key, q), nicknames=False,
                             lang="en")
    assert rows[0] == ["question", "asked", "answer", "outcome", "misconception",
                       "right answer"]
    body = sorted(rows[1:])
    assert [row[2:5] for row in body] == [
        ["3.75", "misconception", "Left the padding out"],
        ["5/3", "right", ""],
        ["6", "misconception", "Took the maximum instead of averaging"]]
    assert all(row[5] == "1.667" for row in body)
    assert "Ada" not in live.csv_text(rows)
    named = live.summary_rows(asked, lambda q: store.answers(code, key, q), nicknames=True,
                              lang="en")
    assert named[0][0] == "nickname" and {row[0] for row in named[1:]} == {"Ada", "Bo", "Cy"}
    assert list(csv.reader(io.StringIO(live.csv_text(named))))[1:] == named[1:]


# -- in Chinese -----------------------------------------------------------------------------------
def test_the_live_class_in_chinese_has_no_english_left(data_dir):
    teacher, students, code, question = full_class("zh")
    shown = texts(teacher)
    assert all(name in shown for name in NAMES["zh"])
    assert english_left(teacher) == {}, english_left(teacher)
    teacher.session_state["live_summary_open"] = True
    teacher.run()
    assert_no_bug(teacher)
    assert english_left(teacher) == {}, english_left(teacher)
    teacher.button(key=f"live_reveal_{question}").click().run()
    for student in students:
        student.run()
        assert_no_bug(student)
        assert english_left(student) == {}, english_left(student)
    assert NAMES["zh"][0] in texts(students[1])
    newcomer = open_page("live", {"lang": "zh", "class": code})
    assert english_left(newcomer) == {}, english_left(newcomer)


# -- abuse and faults -----------------------------------------------------------------------------
def test_a_student_cannot_control_the_class(data_dir):
    teacher, code = start_class()
    student = join(code, "Eve")
    keys = {widget.key for kind in ("button", "radio", "number_input")
            for widget in student.get(kind)}
    assert not keys & {"live_ask_button", "live_end", "live_ask"}
    # a teacher link with a wrong key is refused, said so, and leaves the address bar
    intruder = open_page("live", {"lang": "en", "class": code, "teacher": "guessed-key"})
    assert_no_bug(intruder)
    assert any("Only the teacher of class" in e.value for e in intruder.error)
    assert "live_role" not in intruder.session_state
    assert "teacher" not in intruder.query_params
    # the right key reopens the class as its teacher
    again = open_page("live", {"lang": "en", "class": code,
                               "teacher": teacher.session_state["live_key"]})
    assert again.session_state["live_role"] == "teacher"
    assert "teacher" not in again.query_params
    # and the store itself refuses a student's attempt at a teacher operation
    with pytest.raises(pl.NotTeacher):
        live_sync.store().set_view(code, student.session_state["live_student"], {"page": "x"})


@pytest.mark.parametrize("typed", ["ZZZZZZ", "hello", "K7QX2"])
def test_a_wrong_code_says_so(data_dir, typed):
    start_class()
    student = join(typed, by_link=False)
    assert_no_bug(student)
    assert any(e.value.startswith("There is no class with the code") for e in student.error)
    assert "live_role" not in student.session_state


def test_hostile_nicknames_and_answers_stay_text(data_dir):
    teacher, code = start_class()
    set_worked_example(teacher)
    question = ask_cell(teacher)
    for payload in payloads():
        student = join(code, payload[:30])
        assert_inert(student)
        answer(student, question, payload)
        assert_inert(student)
    teacher.run()
    assert_inert(teacher)
    assert "**Other**: " in texts(teacher) or "**Not a number**" in texts(teacher)
    assert max(len(n.nickname or "") for n in live_sync.store().roster(
        code, teacher.session_state["live_key"])) <= pl.NICKNAME_MAX
    # a nickname as the students' own page shows it: the characters, not markup
    link_payload = payloads()[0]
    student = join(code, link_payload)
    assert_inert(student)


def test_hostile_class_values_in_a_link_stay_text(data_dir):
    for payload in payloads():
        app = open_page("live", {"lang": "en", "class": payload, "me": payload,
                                 "teacher": payload})
        assert_inert(app)
        assert any(e.value.startswith("There is no class with the code") for e in app.error)


def test_an_expired_class_says_so(data_dir):
    _teacher, code = start_class()
    student = join(code, "Ada")
    store = live_sync.store()
    with store.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE plab_classes SET expires_at = ? WHERE code = ?",
                                   (time.time() - 1, code))
    student.run()
    assert_no_bug(student)
    assert any("may have expired" in w.value for w in student.warning), texts(student)
    late = join(code, "Bo")
    assert any("may have expired" in e.value for e in late.error)


def test_an_ended_class_says_so(data_dir):
    teacher, code = start_class()
    student = join(code)
    teacher.button(key="live_end").click().run()
    assert_no_bug(teacher)
    student.run()
    assert any("ended the class" in i.value for i in student.info)
    late = join(code)
    assert any(e.value == f"The class {code} has ended." for e in late.error)


def test_an_unavailable_database_is_a_message_not_a_traceback(data_dir, monkeypatch):
    teacher, code = start_class()
    student = join(code, "Ada")

    def unavailable(*args, **kwargs):
        raise pl.StoreUnavailable("unavailable", detail="database is locked", attempts=9)

    monkeypatch.setattr(pl.Store, "poll", unavailable)
    monkeypatch.setattr(pl.Store, "set_view", unavailable)
    student.run()
    assert_no_bug(student)
    assert any("not available right now" in e.value for e in student.error), texts(student)
    teacher.number_input(key="p_kernel_h").set_value(3).run()
    assert_no_bug(teacher)
    assert any("not available right now" in e.value for e in teacher.error)
    monkeypatch.undo()
    monkeypatch.setenv("PLAB_DATA_DIR", str(data_dir))
    teacher.run()  # published once the database answers again
    student.run()
    assert student.session_state["page_current"][1].kernel_size == (3, 2)


# -- what can be asked ----------------------------------------------------------------------------
def test_a_quiz_question_is_pushed_to_the_class(data_dir):
    from pooling_core.lessons import quiz as pq

    teacher, code = start_class()
    student = join(code, "Ada")
    teacher.radio(key="live_ask").set_value("quiz").run()
    teacher.number_input(key="live_ask_seed").set_value(31).run()
    number = next(q.number for q in pq.make_quiz(31) if q.ask == "shape")
    teacher.number_input(key="live_ask_number").set_value(number).run()
    teacher.button(key="live_ask_button").click().run()
    assert_no_bug(teacher)
    student.run()
    assert_no_bug(student)
    assert "What shape does the output y have?" in texts(student)
    question = pq.make_question(31, number)
    assert any(f"F.{question.kind}_pool2d" in c.value or f"tf.nn.{question.kind}_pool2d" in c.value
               for c in student.code)
    assert {t.key for t in student.text_input} >= {
        f"live_answer_{student.session_state['live_question']}_{i}" for i in (0, 1)}


@pytest.mark.parametrize(("query", "ask", "words"), [
    ({"kind": "avg"}, "gradient_cell", "is a question for max pooling"),
    ({"kind": "lp"}, "cells", "need max or avg pooling"),
    ({"input": "photo"}, "cells", "not a photo"),
    ({"input": "random", "input_size": "40"}, "shape", "too big to work out by hand"),
])
def test_a_view_that_makes_no_question_says_why(data_dir, query, ask, words):
    teacher = open_page("live", {"lang": "en", **query})
    teacher.button(key="live_start").click().run()
    teacher.radio(key="live_ask").set_value(ask).run()
    assert_no_bug(teacher)
    assert any(words in i.value for i in teacher.info), texts(teacher)
    assert not [b for b in teacher.button if b.key == "live_ask_button"]


def test_the_histogram_marks_the_right_answer_in_colour_and_in_words(data_dir):
    """Answers 5/3 (right), 3.75 and 6 to y[0,0] of the worked example (avg 3×3, stride 2,
    padding 1 counted: (1+3+5+6)/9 = 15/9 = 5/3, shown as the reading 1.667): one bar each, and
    only the 1.667 bar green with "right" over it, in both languages."""
    for lang, word in (("en", "right"), ("zh", "正确")):
        teacher, _students, _code, _question = full_class(lang)
        charts = [chart for chart in teacher.get("plotly_chart")
                  if "live_histogram" in (chart.proto.id or "")]
        assert len(charts) == 1, [chart.proto.id for chart in teacher.get("plotly_chart")]
        bar = json.loads(charts[0].proto.spec)["data"][0]
        colours = dict(zip(bar["x"], bar["marker"]["color"], strict=True))
        words = dict(zip(bar["x"], bar["text"], strict=True))
        assert sorted(colours) == ["1.667", "3.75", "6"]
        assert colours["1.667"] == live.RIGHT_BAR
        assert colours["3.75"] == colours["6"] == live.OTHER_BAR != live.RIGHT_BAR
        assert words == {"1.667": word, "3.75": "", "6": ""}


class _Headers:
    def __init__(self, values):
        self.values = values

    def get_all(self, name):
        return self.values if name == "X-Forwarded-For" else []


@pytest.mark.parametrize(("forwarded", "peer", "expected"), [
    ([], None, None),  # a browser on this machine, no proxy
    ([], "198.51.100.4", "198.51.100.4"),  # no proxy: the connection's own address
    (["203.0.113.9"], None, "203.0.113.9"),  # HAProxy on loopback appended the browser's
    # a browser's forged entries come first; the proxy appends the real one last
    (["1.2.3.4, 5.6.7.8", "203.0.113.9"], None, "203.0.113.9"),
    (["1.2.3.4, 203.0.113.9"], "10.0.0.2", "203.0.113.9"),  # one header, joined by a proxy
])
def test_the_joining_address_is_the_nearest_proxys_entry(monkeypatch, forwarded, peer,
                                                          expected):
    class Context:
        headers = _Headers(forwarded)
        ip_address = peer

    monkeypatch.setattr(live_sync.st, "context", Context())
    assert live_sync.client_address() == expected
