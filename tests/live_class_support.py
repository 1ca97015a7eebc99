"""A live class driven through the Live class page over Streamlit's websocket protocol, no
browsers: one teacher and N students, each a :class:`streamlit_client.Session` that listens as a
browser's page does (its fragments rerun on their timers, runs the server starts are seen).

The teacher opens the Live class page on the worked example (avg, kernel 3, stride 2, padding 1,
padding counted, the 4×4 grid of :data:`GRID`), presses *Start a class* and reads the class code
and the teacher link from its page. Each student opens the join link (``?class=CODE``) — on a
balancer, a browser lands on any worker — types a nickname and presses *Join*. Then, question by
question: the teacher changes the kernel's height in the sidebar (every student's sidebar must
show it: the time from the teacher's change to each student's session receiving it is one
*follow* sample), asks the class about one output cell (the time until each student's page shows
the question's answer box is another), and the students answer, spread over a couple of seconds —
a third right, a third with the padding left out, a third with the maximum (each worked out here
from the link's parameters, not by the app). An answer counts as *acknowledged* when the student's
page shows "Your answer … has been received."; the time from sending it is one *ack* sample. The
teacher's page must then say how many answered and how many were right.

With ``kill`` given, one worker that holds students but not the teacher is killed (SIGKILL) while
the answers to question ``kill_during`` are under way. Its students' connections drop; each
reconnects as a browser's page does (:meth:`Session.reconnect`: the balancer sends it to another
worker with its link, ``?class=…&me=…``), must be back in the class as the same student, and sends
its answer again only if its rejoined page does not show it as received. At the end the store is
read directly (:class:`pooling_live.Store`): every acknowledged answer must be there, word for
word, and nothing else.

Used by ``benchmarks/live_load_test.py`` (30 students, 5 questions, timed) and
``tests/test_live_classroom.py`` / ``tests/test_deploy_hosts.py`` (a tiny class, checked).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import random
import re
import signal
import socket
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from streamlit.proto.Alert_pb2 import Alert
from streamlit_client import Session

from pooling_ui.base.i18n import catalogue

GRID = ((1, 3, 2, 4), (5, 6, 1, 2), (7, 2, 8, 1), (3, 4, 0, 6))
WORKED = ("input=worked4x4&kind=avg&kernel=3&stride=2&padding=1&count_include_pad=true"
          "&lang=en")
KERNEL_HEIGHTS = (2, 3)  # the teacher's changes alternate between these (it starts at 3)
STEP_TIMEOUT_S = 60.0  # one student's wait for one thing on a loaded 2-core machine
COUNTS_TIMEOUT_S = 30.0  # the teacher's results fragment reruns every 2 s
# A student who sees no acknowledgement within this presses Send again, as a person would (before
# pooling_ui.base.timers, a fragment's timer firing just as a form was sent could make Streamlit
# drop that run's output: README, "A Streamlit race this test found"; now counted, expected 0).
ACK_PATIENCE_S = 5.0
ANSWER_TRIES = 4


def consecutive_free_ports(count: int) -> int:
    """The first of ``count`` loopback ports in a row that nobody listens on right now (the
    workers of ``deploy/classroom.py`` take ports from ``first_port`` on)."""
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            first = probe.getsockname()[1]
        try:
            for port in range(first, first + count):
                with socket.socket() as probe:
                    probe.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue


def words(key: str, **fields) -> str:
    """A catalogue text (English) with its fields filled in, as the page's Markdown source."""
    text = catalogue("en")[key]
    return text.format(**fields) if fields else text


def _pair(text: str) -> tuple[int, int]:
    height, _, width = text.partition("x")
    return int(height), int(width or height)


def expected_answers(query: str, cell: tuple[int, int], kernel_h: int) -> dict[str, str]:
    """The right answer to "output cell ``cell``" for the avg pooling the link names (padding
    counted) with the kernel's height ``kernel_h``, and two wrong ones with a known misconception
    — worked out here from those numbers: the window over :data:`GRID` padded with zeros, its
    sum over the kernel's area (right), over the cells inside the input (padding left out), and
    its largest inside value (the maximum instead of the average)."""
    values = {name: items[0] for name, items in parse_qs(query).items()}
    kernel, stride, padding = (_pair(values[name]) for name in ("kernel", "stride", "padding"))
    kernel = (kernel_h, kernel[1])
    assert values["kind"] == "avg" and values.get("count_include_pad") == "true", values
    top = cell[0] * stride[0] - padding[0]
    left = cell[1] * stride[1] - padding[1]
    inside = [GRID[r][c] for r in range(top, top + kernel[0]) for c in range(left, left + kernel[1])
              if 0 <= r < len(GRID) and 0 <= c < len(GRID[0])]
    total = sum(inside)
    return {"right": f"{total}/{kernel[0] * kernel[1]}",
            "padding_left_out": f"{total}/{len(inside)}", "maximum": str(max(inside))}


@dataclass
class Report:
    """What one live class measured and found."""

    follow_s: list[float] = field(default_factory=list)  # kernel change → each student
    question_s: list[float] = field(default_factory=list)  # question asked → each student
    ack_s: list[float] = field(default_factory=list)  # answer sent → its acknowledgement
    errors: list[str] = field(default_factory=list)
    acknowledged: dict[tuple[str, int], str] = field(default_factory=dict)  # (student, q) → text
    stored: dict[tuple[str, int], str] = field(default_factory=dict)
    killed: str | None = None  # the killed worker's affinity cookie
    moved: list[str] = field(default_factory=list)  # the students that reconnected
    rejoined: list[str] = field(default_factory=list)  # … and came back as themselves
    rejoin_s: list[float] = field(default_factory=list)  # worker killed → student back in class
    resent: int = 0  # answers sent again after a rejoin (the page did not show them received)
    pressed_again: int = 0  # answers sent again after ACK_PATIENCE_S without an acknowledgement
    placement: dict[str, str] = field(default_factory=dict)  # student → affinity cookie at join
    teacher_on: str = ""  # the teacher's affinity cookie
    code: str = ""
    teacher_key: str = ""
    questions: list[int] = field(default_factory=list)
    wall_s: float = 0.0


@dataclass
class Student:
    session: Session
    nickname: str
    id: str = ""
    answered: dict[int, str] = field(default_factory=dict)


def _exceptions_and_errors(session: Session, forward) -> str | None:
    if forward.WhichOneof("type") != "delta" or forward.delta.WhichOneof("type") != "new_element":
        return None
    element = forward.delta.new_element
    kind = element.WhichOneof("type")
    if kind == "exception":
        return f"exception: {element.exception.type}: {element.exception.message}"
    if kind == "alert" and element.alert.format == Alert.ERROR:
        return f"error shown: {element.alert.body}"
    return None


def _element(forward, kind: str):
    if forward.WhichOneof("type") != "delta" or forward.delta.WhichOneof("type") != "new_element":
        return None
    element = forward.delta.new_element
    return getattr(element, kind) if element.WhichOneof("type") == kind else None


def kernel_shown(value: int):
    """A predicate: the session's sidebar shows kernel height ``value``."""
    def predicate(session, forward):
        box = _element(forward, "number_input")
        return bool(box and box.id.endswith("-p_kernel_h") and box.set_value
                    and int(box.value) == value)
    return predicate


def answer_box(known: set[int]):
    """A predicate: the page shows the answer box of a question not in ``known`` (its id)."""
    def predicate(session, forward):
        box = _element(forward, "text_input")
        found = box and re.search(r"-live_answer_(\d+)_0$", box.id)
        return int(found.group(1)) if found and int(found.group(1)) not in known else None
    return predicate


def shows(text: str):
    """A predicate: a Markdown element or alert whose text (backslash escapes dropped) is
    ``text``."""
    def predicate(session, forward):
        for kind in ("markdown", "alert"):
            element = _element(forward, kind)
            if element is not None and element.body.replace("\\", "") == text:
                return True
        return False
    return predicate


class LiveClass:
    """One class on the server at ``url`` (a balancer or a single worker).

    ``worker_of(cookie)`` gives the process (``subprocess.Popen``) behind a balancer's affinity
    cookie; only needed with ``kill``.
    """

    def __init__(self, url: str, students: int, questions: int, *, kill_during: int | None = None,
                 worker_of=None, seed: int = 7, answer_spread_s: float = 2.0,
                 database_url: str | None = None, data_dir: str | None = None,
                 join_together: bool = True):
        self.url = url
        self.count = students
        self.questions = questions
        self.kill_during = kill_during
        self.worker_of = worker_of
        self.random = random.Random(seed)
        self.spread = answer_spread_s
        self.report = Report()
        self.teacher = Session(url, page="live")
        self.students: list[Student] = []
        self._kill_time: float | None = None
        self._moving: dict[str, asyncio.Task] = {}  # student id → its reconnection
        self._texts_mark: dict[str, int] = {}  # student id → its texts before the reconnect
        self._ask_mark = 0  # the teacher's texts before the current question
        self.database_url = database_url
        self.join_together = join_together
        self.data_dir = data_dir

    # -- helpers ----------------------------------------------------------------------------------
    def _error(self, text: str) -> None:
        self.report.errors.append(text)

    def _watch_errors(self, session: Session, who: str) -> asyncio.Task:
        async def watch():
            while True:
                try:
                    _, found = await session.wait_for(_exceptions_and_errors, 3600)
                except asyncio.CancelledError:
                    raise
                except Exception:  # a dropped connection: watched again after the reconnect
                    await asyncio.sleep(0.2)
                    continue
                self._error(f"{who}: {found}")
        return asyncio.create_task(watch())

    # -- the class --------------------------------------------------------------------------------
    async def run(self) -> Report:
        started = time.perf_counter()
        watchers = []
        try:
            await self._start()
            watchers.append(self._watch_errors(self.teacher, "teacher"))
            if self.join_together:
                await asyncio.gather(*(self._join(i) for i in range(self.count)))
            else:  # one after another: the balancer's least-connections spreads them evenly
                for index in range(self.count):
                    await self._join(index)
            self.report.teacher_on = self.teacher.cookie("PLAB_WORKER") or ""
            self.report.placement = {s.id: s.session.cookie("PLAB_WORKER") or ""
                                     for s in self.students}
            watchers += [self._watch_errors(s.session, s.nickname) for s in self.students]
            known: set[int] = set()
            for number in range(self.questions):
                await self._change_kernel(KERNEL_HEIGHTS[number % len(KERNEL_HEIGHTS)])
                question = await self._ask(number, known)
                if question is None:
                    break  # the class cannot go on: reported as an error
                known.add(question)
                await self._answers(number, question)
                await self._teacher_counts(question)
            self._read_store()
        finally:
            for task in watchers:
                task.cancel()
            for session in [self.teacher, *(s.session for s in self.students)]:
                with contextlib.suppress(Exception):  # a connection already gone
                    await session.close()
            self.report.wall_s = time.perf_counter() - started
        return self.report

    async def _start(self) -> None:
        self.teacher.listen()
        run = await self.teacher.open(WORKED)
        self._check(run, "teacher opens the page")
        run = await self.teacher.rerun(live_start=True)
        self._check(run, "teacher starts a class")
        link = next((text for text in run.texts if "teacher=" in text), "")
        found = re.search(r"class=([0-9A-Z]{6})&teacher=([A-Za-z0-9_-]+)", link)
        if found is None:
            raise RuntimeError(f"no teacher link on the teacher's page: {run.texts[:8]}")
        self.report.code, self.report.teacher_key = found.groups()

    def _welcome(self, student: Student) -> str:
        return words("live.student.in_class_as", code=self.report.code,
                     nickname=student.nickname)

    def _check(self, run, what: str) -> None:
        for exception in run.exceptions:
            self._error(f"{what}: {exception}")

    async def _join(self, index: int) -> None:
        student = Student(Session(self.url, page="live"), f"s{index:02d}")
        self.students.append(student)
        session = student.session
        session.listen()
        if self.join_together:
            await asyncio.sleep(self.random.uniform(0, 1.0))  # a class opens the link in 1 s
        run = await session.open(f"class={self.report.code}&lang=en")
        self._check(run, f"{student.nickname} opens the join link")
        run = await session.rerun(live_join_nick=student.nickname, live_join_button=True)
        self._check(run, f"{student.nickname} joins")
        me = parse_qs(session.query).get("me", [""])[0]
        if not me or not any(text.replace("\\", "") == self._welcome(student)
                             for text in run.texts):
            raise RuntimeError(f"{student.nickname} did not join: {session.query} {run.texts[:6]}")
        student.id = me

    async def _gather_waits(self, predicate, sent_after, what: str) -> list:
        """Register ``predicate`` on every student, then ``await sent_after()`` (which returns
        when it sent the change), then wait for every student. Returns what each found."""
        waits = [asyncio.create_task(s.session.wait_for(predicate, STEP_TIMEOUT_S))
                 for s in self.students]
        sent = await sent_after()
        found = []
        for student, wait in zip(self.students, waits, strict=True):
            try:
                arrived, value = await wait
                found.append((arrived - sent, value))
            except Exception as error:
                session = student.session
                self._error(f"{student.nickname}: {what}: {type(error).__name__}: {error} (on "
                            f"{session.cookie('PLAB_WORKER')}, dropped {session.dropped!r}, "
                            f"{len(session._timers)} timers, reader "
                            f"{session._reader and session._reader.done()})")
                found.append((None, None))
        return found

    async def _change_kernel(self, height: int) -> None:
        async def change():
            # not waiting for the teacher's own run: its students' screens are the evidence
            return await self.teacher.send(p_kernel_h=height)
        self._kernel_h = height
        for seconds, _ in await self._gather_waits(kernel_shown(height), change,
                                                   f"kernel {height} never shown"):
            if seconds is not None:
                self.report.follow_s.append(seconds)

    async def _ask(self, number: int, known: set[int]) -> int | None:
        cell = (0, number % 2)

        async def ask():
            self._ask_mark = len(self.teacher.texts)
            return await self.teacher.send(live_ask_row=cell[0], live_ask_col=cell[1],
                                           live_ask_button=True)
        found = await self._gather_waits(answer_box(known), ask, "question never shown")
        ids = {value for _, value in found if value is not None}
        if len(ids) != 1:
            self._error(f"question {number + 1}: students see the questions {sorted(ids)}")
            return None
        self.report.questions.append(question := ids.pop())
        self.expected = expected_answers(self.teacher.query, cell, self._kernel_h)
        self._cell = cell
        for seconds, _ in found:
            if seconds is not None:
                self.report.question_s.append(seconds)
        return question

    def _answer_text(self, index: int) -> str:
        return self.expected[("right", "padding_left_out", "maximum")[index % 3]]

    async def _answers(self, number: int, question: int) -> None:
        killer = None
        if self.kill_during == number:
            killer = asyncio.create_task(self._kill(after_s=self.spread / 2))
        await asyncio.gather(*(self._answer(i, question) for i in range(self.count)))
        if killer is not None:
            await killer
            # students of the killed worker that had answered before it went: their pages
            # reconnect too, and must show their answer as received
            await asyncio.gather(*(self._moving[s.id] for s in self._on_killed()
                                   if s.id in self._moving))
            for student in self._on_killed():
                if student.id not in self._moving:
                    await self._reconnect(student)
            await asyncio.gather(*(self._check_rejoined_answer(s, question)
                                   for s in self._on_killed()))

    def _on_killed(self) -> list[Student]:
        return [s for s in self.students if s.id in self.report.moved]

    async def _answer(self, index: int, question: int) -> None:
        """Send the answer and wait for the page to acknowledge it, as a student does: after
        :data:`ACK_PATIENCE_S` without an acknowledgement, press *Send* again (timed from the
        first press); after losing the worker, reconnect and send again only if the rejoined page
        does not show the answer as received."""
        student = self.students[index]
        session = student.session
        text = self._answer_text(index)
        await asyncio.sleep(self.random.uniform(0, self.spread))
        received = words("live.answer.received", answer=text)
        first_sent = None
        for _ in range(ANSWER_TRIES):
            wait = None
            try:
                if session.dropped is not None:
                    await self._reconnect(student)
                    first_sent = None  # the time lost to the kill is measured as rejoin_s
                    if any(body.replace("\\", "") == received
                           for _, body in session.texts[self._texts_mark.get(student.id, 0):]):
                        self._acknowledged(student, question, text)
                        return
                    self.report.resent += 1
                wait = asyncio.create_task(session.wait_for(shows(received), ACK_PATIENCE_S))
                sent = await session.send(**{f"live_answer_{question}_0": text,
                                             f"live_send_{question}": True})
                first_sent = first_sent or sent
                arrived, _ = await wait
                self.report.ack_s.append(arrived - first_sent)
                self._acknowledged(student, question, text)
                return
            except TimeoutError:
                if session.dropped is None:
                    self.report.pressed_again += 1
                    continue
            except Exception as error:
                if session.dropped is None and self._kill_time is None:
                    self._error(f"{student.nickname}: answer: {type(error).__name__}: {error}")
                    return
            finally:
                if wait is not None and not wait.done():
                    wait.cancel()
                with contextlib.suppress(BaseException):
                    if wait is not None:
                        await wait
            await asyncio.sleep(0.2)  # its worker went away: reconnect and try again
        self._error(f"{student.nickname}: answer never acknowledged")

    def _acknowledged(self, student: Student, question: int, text: str) -> None:
        self.report.acknowledged[(student.id, question)] = text

    async def _reconnect(self, student: Student) -> None:
        """The student's page lost its worker: reconnect (once, however many ask)."""
        task = self._moving.get(student.id)
        if task is None:
            task = self._moving[student.id] = asyncio.create_task(self._do_reconnect(student))
        await task

    async def _do_reconnect(self, student: Student) -> None:
        session = student.session
        self._texts_mark[student.id] = len(session.texts)
        before = session.cookie("PLAB_WORKER")
        run = await session.reconnect()
        self._check(run, f"{student.nickname} reconnects")
        me = parse_qs(session.query).get("me", [""])[0]
        if me == student.id and any(text.replace("\\", "") == self._welcome(student)
                                    for text in run.texts):
            self.report.rejoined.append(student.id)
            if self._kill_time is not None:
                self.report.rejoin_s.append(time.perf_counter() - self._kill_time)
        else:
            self._error(f"{student.nickname} did not rejoin as itself: {session.query}")
        if session.cookie("PLAB_WORKER") == before:
            self._error(f"{student.nickname} reconnected to the killed worker {before}")

    async def _check_rejoined_answer(self, student: Student, question: int) -> None:
        text = self.report.acknowledged.get((student.id, question))
        mark = self._texts_mark.get(student.id, 0)
        if text is not None and not any(
                body.replace("\\", "") == words("live.answer.received", answer=text)
                for _, body in student.session.texts[mark:]):
            self._error(f"{student.nickname}: rejoined page does not show its answer {text}")

    async def _kill(self, after_s: float) -> None:
        await asyncio.sleep(after_s)
        teacher_on = self.teacher.cookie("PLAB_WORKER")
        cookies = {s.session.cookie("PLAB_WORKER") for s in self.students} - {teacher_on}
        if not cookies:
            raise RuntimeError("every student is on the teacher's worker: nothing to kill")
        victim = sorted(cookies)[0]
        self.report.killed = victim
        self.report.moved = [s.id for s in self.students
                             if s.session.cookie("PLAB_WORKER") == victim]
        process = self.worker_of(victim)
        self._kill_time = time.perf_counter()
        process.send_signal(signal.SIGKILL)
        await asyncio.to_thread(process.wait, 30)
        # every page of the killed worker notices its connection dropped, and reconnects
        deadline = time.monotonic() + STEP_TIMEOUT_S
        for student in self._on_killed():
            while student.session.dropped is None and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            if student.session.dropped is None:
                self._error(f"{student.nickname}: its connection never dropped")
            elif student.id not in self._moving:  # (its answer may have noticed first)
                self._moving[student.id] = asyncio.create_task(self._do_reconnect(student))

    async def _teacher_counts(self, question: int) -> None:
        """The teacher's results fragment must say how many answered and how many are right."""
        acked = {sid: text for (sid, q), text in self.report.acknowledged.items() if q == question}
        right = sum(text == self.expected["right"] for text in acked.values())
        wanted = words("live.teacher.counts", answered=len(acked), joined=self.count, right=right)
        deadline = time.monotonic() + COUNTS_TIMEOUT_S
        while time.monotonic() < deadline:
            if any(body.replace("\\", "") == wanted
                   for _, body in self.teacher.texts[self._ask_mark:]):
                return
            await asyncio.sleep(0.25)
        self._error(f"teacher never shows {wanted!r}")

    def _read_store(self) -> None:
        import pooling_live as pl

        with pl.Store.open(url=self.database_url, data_dir=self.data_dir) as store:
            for question in self.report.questions:
                for answer in store.answers(self.report.code, self.report.teacher_key, question):
                    self.report.stored[(answer.student_id, question)] = answer.text


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (``share`` in 0..1) of ``values``; nan for none."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = math.ceil(share * len(ordered) - 1e-9)  # the smallest value with share of all ≤ it
    return ordered[min(len(ordered), max(rank, 1)) - 1]
