"""The live class's store, the same suite on SQLite and on a real PostgreSQL server.

The PostgreSQL server is a throwaway cluster started here (``initdb`` + ``pg_ctl`` of Debian's
``postgresql``, run as the ``postgres`` user when the tests run as root, as the server refuses
root), listening on 127.0.0.1 on a free port with its socket in a temporary folder, torn down at
the end; every test gets a fresh database in it. Without PostgreSQL the PostgreSQL half skips
with the reason — and fails under ``CI=true``, where ``.ci/run`` installs it.

Covered: the teacher/student round trip, one answer per student per question, concurrency
(threads, and two processes on one SQLite file: no lost answer, no "database is locked"
escaping), locks and outages (retried, then a clear error), schema versions (newer refused, older
migrated or refused), expiry and purge, abuse (wrong keys, guessed codes, rate limit, hostile and
oversized text), isolation of two classes, and answers stored == answers acknowledged.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import multiprocessing
import sqlite3
import threading
import time
import uuid

import pytest
import sqlalchemy as sa
from pg_support import free_port as _free_port
from pg_support import throwaway_postgres

import pooling_live as pl
from pooling_live import store as live_store


# ---------------------------------------------------------------------------------------------
# A throwaway PostgreSQL server (tests/pg_support.py, shared with tests/test_deploy_hosts.py)
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def postgres_server():
    """``postgresql+psycopg://postgres@127.0.0.1:PORT``, a server that lives for the session."""
    with throwaway_postgres() as server:
        yield server


@pytest.fixture
def postgres_url(postgres_server):
    """A fresh, empty database on the session's server, dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(f"{postgres_server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield f"{postgres_server}/{name}"
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    """The database of one test: a SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'live.sqlite3'}"
    return request.getfixturevalue("postgres_url")


class Clock:
    """A settable ``time.time``."""

    def __init__(self, now: float = 1_700_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def store(url):
    with pl.Store.open(url) as opened:
        yield opened


def counts(store: pl.Store) -> dict[str, int]:
    """Rows in every table, read straight from the database."""
    with store.engine.connect() as connection:
        return {table.name: connection.execute(
            sa.select(sa.func.count()).select_from(table)).scalar_one()
            for table in live_store.metadata.sorted_tables}


# ---------------------------------------------------------------------------------------------
# The round trip
# ---------------------------------------------------------------------------------------------
def test_a_class_round_trip(store):
    code, key = store.create_class()
    assert len(code) == pl.CODE_LENGTH and set(code) <= set(pl.CODE_ALPHABET)
    assert len(key) >= 32
    assert store.view(code) == (0, {})
    version = store.set_view(code, key, {"page": "pooling", "kernel": [3, 3], "step": 2})
    assert version == 1
    assert store.view(code) == (1, {"page": "pooling", "kernel": [3, 3], "step": 2})
    # polling with the current version returns no view: nothing to redraw
    assert store.poll(code, since=1) == pl.Poll(1, None, None, False)
    ada = store.join(code, "Ada")
    bob = store.join(code.lower())  # codes are read in any case; a nickname is optional
    assert store.student(code, ada).nickname == "Ada"
    assert store.student(code, bob).nickname is None
    question = store.ask(code, key, {"ask": "shape", "x": [[1, 2], [3, 4]]})
    state = store.poll(code, since=1)
    assert (state.version, state.question_id) == (2, question)
    assert store.question(code, question).body == {"ask": "shape", "x": [[1, 2], [3, 4]]}
    first = store.answer(code, ada, question, "2x2")
    assert (first.text, first.revision) == ("2x2", 1)
    store.answer(code, bob, question, "1×1")
    # a changed answer replaces the first: still one answer per student per question
    again = store.answer(code, ada, question, "1x1")
    assert again.revision == 2
    got = store.answers(code, key, question)
    assert sorted((a.nickname or "", a.text, a.revision) for a in got) == [
        ("", "1×1", 1), ("Ada", "1x1", 2)]
    assert store.my_answer(code, ada, question) == "1x1"
    assert [s.id for s in store.roster(code, key)] == [ada, bob]
    assert store.reveal(code, key, question) == 3
    assert store.questions(code, key)[0].revealed
    with pytest.raises(pl.AnswersClosed):
        store.answer(code, bob, question, "2x2")
    store.end_class(code, key)
    assert store.poll(code).ended
    with pytest.raises(pl.ClassEnded):
        store.join(code, "late")
    with pytest.raises(pl.ClassEnded):
        store.ask(code, key, {"ask": "shape"})
    # the teacher still reads the answers after the end (until the class expires)
    assert len(store.answers(code, key, question)) == 2
    assert store.is_teacher(code, key) and not store.is_teacher(code, key + "x")


def test_codes_are_random_and_read_forgivingly(store):
    codes = {store.create_class().code for _ in range(40)}
    assert len(codes) == 40
    code = next(iter(codes))
    # typed with spaces, a dash, lower case; O and I/L typed for 0 and 1
    typed = f" {code[:3].lower()}-{code[3:]} ".replace("0", "o").replace("1", "l")
    assert store.view(typed)[0] == 0
    assert pl.normalise_code(typed) == code


# ---------------------------------------------------------------------------------------------
# Abuse
# ---------------------------------------------------------------------------------------------
def test_only_the_teacher_key_controls_a_class(store):
    code, key = store.create_class()
    _, other_key = store.create_class()
    student = store.join(code, "Eve")
    question = store.ask(code, key, {"ask": "cells"})
    for wrong in ("", "x" * 32, key[:-1], key + "=", other_key, student, None, 12345):
        for action in (lambda k: store.set_view(code, k, {"page": "hacked"}),
                       lambda k: store.ask(code, k, {"ask": "hacked"}),
                       lambda k: store.reveal(code, k, question),
                       lambda k: store.end_class(code, k),
                       lambda k: store.answers(code, k, question),
                       lambda k: store.roster(code, k),
                       lambda k: store.questions(code, k)):
            with pytest.raises(pl.NotTeacher) as caught:
                action(wrong)
            assert isinstance(caught.value, PermissionError)
            assert "teacher key does not match" in str(caught.value)
    # nothing changed
    state = store.poll(code)
    assert (state.version, state.view, state.question_id, state.ended) == (1, {}, question, False)
    assert not store.questions(code, key)[0].revealed


def test_guessed_codes_say_so_and_joining_is_rate_limited(url):
    clock = Clock()
    with pl.Store.open(url, clock=clock, join_limit=5, join_window_s=60) as store:
        code, _ = store.create_class()
        for guess in ("AAAAAA", "ZZZZZZ", "123", "", "<b>x</b>", "K7QX2M\n", None):
            if pl.normalise_code(guess) == code:
                continue
            with pytest.raises(pl.ClassNotFound, match="no class with the code"):
                store.view(guess)
        # wrong codes count towards the limit, so guessing is slow
        for guess in ("AAAAA1", "AAAAA2", "AAAAA3"):
            with pytest.raises(pl.ClassNotFound):
                store.join(guess, client="10.0.0.7")
        store.join(code, client="10.0.0.7")
        store.join(code, client="10.0.0.7")  # the fifth attempt
        with pytest.raises(pl.RateLimited) as caught:
            store.join(code, client="10.0.0.7")
        assert 1 <= caught.value.fields["retry_after"] <= 60
        store.join(code, client="another browser")  # other clients are not held up
        clock.now += 61  # the next window
        store.join(code, client="10.0.0.7")
        # the client key is stored hashed, never as given
        with store.engine.connect() as connection:
            clients = connection.execute(sa.select(live_store.join_attempts.c.client)).scalars()
            assert all("10.0.0.7" not in c for c in clients)


def test_new_sessions_from_one_address_share_its_wider_limit(url):
    """A guesser opening a new browser session for every few guesses: each session stays under
    its own limit (3 of 5), but the address's count (limit 7 here) holds them all."""
    clock = Clock()
    with pl.Store.open(url, clock=clock, join_limit=5, address_join_limit=7,
                       join_window_s=60) as store:
        code, _ = store.create_class()
        tried = 0
        with pytest.raises(pl.RateLimited):
            for session in range(10):
                for guess in ("AAAAA1", "AAAAA2", "AAAAA3"):
                    tried += 1
                    with contextlib.suppress(pl.ClassNotFound):
                        store.join(guess, client=f"session:{session}", address="203.0.113.9")
        assert tried == 8  # 7 allowed, the 8th refused, whichever session it came from
        # a class behind another address joins as usual, and this one does in the next window
        store.join(code, client="session:a", address="198.51.100.4")
        clock.now += 61
        store.join(code, client="session:11", address="203.0.113.9")


def test_rate_limit_holds_across_store_objects(url):
    # two workers = two Store objects on one database: the count is in the database
    clock = Clock()
    first = pl.Store.open(url, clock=clock, join_limit=4)
    second = pl.Store.open(url, clock=clock, join_limit=4)
    try:
        code, _ = first.create_class()
        for store in (first, second, first, second):
            store.join(code, client="phone")
        for store in (first, second):
            with pytest.raises(pl.RateLimited):
                store.join(code, client="phone")
    finally:
        first.close()
        second.close()


HOSTILE = [
    "<script>alert(1)</script>",
    "**bold** [link](http://evil.example) ![img](http://evil.example/x.png)",
    "Robert'); DROP TABLE plab_answers;--",
    "\u202eevil\u202c",
    "a\x00b\x07c\x1b[31m",
    "\ud800 lone surrogate",
    "👩\u200d🏫 teacher",
    "名字" * 50,
]


def test_hostile_and_oversized_text_is_stored_as_text_capped(store):
    code, key = store.create_class()
    question = store.ask(code, key, {"ask": "cells"})
    for text in HOSTILE:
        student = store.join(code, text)
        nickname = store.student(code, student).nickname
        assert nickname is None or len(nickname) <= pl.NICKNAME_MAX
        # control and format characters gone; the rest kept as the characters typed
        assert not any(ch in (nickname or "") for ch in "\x00\x07\x1b\u202e\u202c\ud800")
        ack = store.answer(code, student, question, text)
        stored = {a.student_id: a.text for a in store.answers(code, key, question)}[student]
        assert stored == ack.text
        assert len(stored) <= pl.ANSWER_MAX
        # as given, except what no database can store (NUL, a lone surrogate)
        expected = text.replace("\x00", "").replace("\ud800", "\ufffd")[:pl.ANSWER_MAX]
        assert stored == expected
    assert store.student(code, store.join(code, "<script>alert(1)</script>")).nickname == \
        "<script>alert(1)</script>"[:pl.NICKNAME_MAX]
    assert store.student(code, store.join(code, "👩\u200d🏫 teacher")).nickname == \
        "👩\u200d🏫 teacher"
    # oversized: capped, not refused
    student = store.join(code, "n" * 10_000)
    assert store.student(code, student).nickname == "n" * pl.NICKNAME_MAX
    assert store.answer(code, student, question, "7" * 100_000).text == "7" * pl.ANSWER_MAX
    # a view or question too large or not plain data is refused with a clear message
    with pytest.raises(pl.BadInput, match="too large"):
        store.set_view(code, key, {"pixels": [0] * 50_000})
    with pytest.raises(pl.BadInput, match="plain data"):
        store.set_view(code, key, {"x": float("nan")})
    with pytest.raises(pl.BadInput, match="plain data"):
        store.ask(code, key, ["not", "a", "dict"])
    with pytest.raises(pl.BadInput, match="1 minute to"):
        store.create_class(ttl_hours=10_000)


def test_students_cannot_act_outside_their_class(store):
    a_code, a_key = store.create_class()
    b_code, b_key = store.create_class()
    a_student = store.join(a_code, "A")
    b_student = store.join(b_code, "B")
    a_question = store.ask(a_code, a_key, {"class": "A"})
    b_question = store.ask(b_code, b_key, {"class": "B"})
    with pytest.raises(pl.UnknownStudent):
        store.answer(a_code, b_student, a_question, "1")  # B's student in class A
    with pytest.raises(pl.UnknownQuestion):
        store.answer(a_code, a_student, b_question, "1")  # B's question through class A
    with pytest.raises(pl.UnknownQuestion):
        store.answers(a_code, a_key, b_question)  # A's teacher asking for B's question
    with pytest.raises(pl.UnknownQuestion):
        store.question(a_code, b_question)
    with pytest.raises(pl.UnknownStudent):
        store.answer(a_code, "guessed-student-id", a_question, "1")
    with pytest.raises(pl.UnknownQuestion):
        store.answer(a_code, a_student, 10**9, "1")
    with pytest.raises(pl.NotTeacher):
        store.set_view(a_code, b_key, {"page": "B's teacher"})
    store.answer(a_code, a_student, a_question, "A's answer")
    store.answer(b_code, b_student, b_question, "B's answer")
    store.set_view(a_code, a_key, {"page": "A"})
    store.set_view(b_code, b_key, {"page": "B"})
    assert [a.text for a in store.answers(a_code, a_key, a_question)] == ["A's answer"]
    assert [a.text for a in store.answers(b_code, b_key, b_question)] == ["B's answer"]
    assert store.view(a_code)[1] == {"page": "A"} and store.view(b_code)[1] == {"page": "B"}
    assert [s.nickname for s in store.roster(a_code, a_key)] == ["A"]
    assert [q.body for q in store.questions(b_code, b_key)] == [{"class": "B"}]


# ---------------------------------------------------------------------------------------------
# Expiry
# ---------------------------------------------------------------------------------------------
def test_expired_classes_are_closed_then_purged(url):
    clock = Clock()
    # the purge on a timer off: this test is about what an explicit purge deletes
    with pl.Store.open(url, clock=clock, purge_every_s=None) as store:
        short_code, short_key = store.create_class(ttl_hours=1)
        long_code, long_key = store.create_class(ttl_hours=24)
        for code, key in ((short_code, short_key), (long_code, long_key)):
            student = store.join(code, "S")
            question = store.ask(code, key, {"ask": "shape"})
            store.answer(code, student, question, "2x2")
            store.join(code, client="c")
        before = counts(store)
        assert before["plab_answers"] == 2 and before["plab_students"] == 4
        clock.now += 3600 + 1
        # expired: gone for everyone at once, purged or not
        with pytest.raises(pl.ClassNotFound):
            store.view(short_code)
        with pytest.raises(pl.ClassNotFound):
            store.join(short_code)
        with pytest.raises(pl.ClassNotFound):
            store.set_view(short_code, short_key, {})
        assert store.purge_expired() == 1
        after = counts(store)
        assert after["plab_classes"] == 1
        assert after["plab_students"] == 2 and after["plab_questions"] == 1
        assert after["plab_answers"] == 1
        assert store.view(long_code) == (1, {})  # the other class is untouched
        assert store.purge_expired() == 0
        clock.now += 24 * 3600
        # creating a class purges expired ones (and old join counts) first
        store.create_class()
        final = counts(store)
        assert (final["plab_classes"], final["plab_students"], final["plab_answers"],
                final["plab_join_attempts"]) == (1, 0, 0, 0)


def test_expired_classes_are_purged_by_later_activity_at_most_every_purge_interval(url):
    """No class needs to be created for expired ones to go: a poll or a join purges them when
    ``purge_every_s`` has passed since the store last purged, and not sooner."""
    clock = Clock()
    start = clock.now
    with pl.Store.open(url, clock=clock, purge_every_s=600) as store:
        short_code, short_key = store.create_class(ttl_hours=1)  # gone at start + 3600
        # gone at start + 3650: 49 s after the purge at start + 3601, 551 s before the next
        later_code, _ = store.create_class(ttl_hours=3650 / 3600)
        long_code, _ = store.create_class(ttl_hours=24)
        store.join(short_code, "S")
        store.ask(short_code, short_key, {"ask": "shape"})
        assert counts(store)["plab_classes"] == 3
        clock.now = start + 3601
        store.poll(long_code)  # a student of another class polls: due, purges
        assert counts(store)["plab_classes"] == 2
        assert counts(store)["plab_students"] == counts(store)["plab_questions"] == 0
        clock.now = start + 3700  # the later class expired, 99 s after the last purge: not due
        with pytest.raises(pl.ClassNotFound):
            store.poll(later_code)  # expired is expired, purged or not
        store.poll(long_code)
        store.join(long_code, "T")
        assert counts(store)["plab_classes"] == 2
        clock.now = start + 3601 + 600  # due again: a join purges
        store.join(long_code, "U")
        assert counts(store)["plab_classes"] == 1
        assert counts(store)["plab_students"] == 2  # T and U, of the class still running
        assert not store.poll(long_code).ended


def test_opening_the_store_purges_what_expired_while_no_server_ran(url):
    clock = Clock()
    with pl.Store.open(url, clock=clock) as store:
        store.create_class(ttl_hours=1)
    clock.now += 3601
    with pl.Store.open(url, clock=clock) as reopened:
        assert counts(reopened)["plab_classes"] == 0


# ---------------------------------------------------------------------------------------------
# Schema versions
# ---------------------------------------------------------------------------------------------
def _set_version(url: str, value: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.update(live_store.meta).where(
            live_store.meta.c.key == "schema_version").values(value=value))
    engine.dispose()


def test_schema_version_is_recorded_and_a_newer_one_refused(url):
    with pl.Store.open(url) as store:
        code, _ = store.create_class()
        with store.engine.connect() as connection:
            assert connection.execute(sa.select(live_store.meta.c.value)).scalar_one() == str(
                pl.SCHEMA_VERSION)
    with pl.Store.open(url) as again:  # reopening keeps the data
        assert again.view(code) == (0, {})
    _set_version(url, str(pl.SCHEMA_VERSION + 1))
    with pytest.raises(pl.SchemaError, match="newer Pooling Lab") as caught:
        pl.Store.open(url)
    assert caught.value.fields["found"] == pl.SCHEMA_VERSION + 1
    assert "PLAB_DATABASE_URL" in str(caught.value)


def test_an_older_schema_is_migrated_or_refused(url, monkeypatch):
    with pl.Store.open(url) as store:
        code = store.create_class().code
    _set_version(url, "0")
    with pytest.raises(pl.SchemaError, match="no migration"):
        pl.Store.open(url)
    # with a migration from 0, opening runs it and records the new version
    ran = []

    def migrate(connection):
        ran.append(True)
        connection.execute(sa.update(live_store.classes).values(view='{"migrated": true}'))

    monkeypatch.setitem(live_store.MIGRATIONS, 0, migrate)
    with pl.Store.open(url) as store:
        assert ran == [True]
        assert store.view(code) == (0, {"migrated": True})
    with pl.Store.open(url) as store:  # recorded: not migrated twice
        assert ran == [True]


def test_a_foreign_database_is_refused(url):
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE plab_classes (x INTEGER)")
    engine.dispose()
    with pytest.raises(pl.SchemaError, match="not a Pooling Lab class store"):
        pl.Store.open(url)


# ---------------------------------------------------------------------------------------------
# Concurrency and faults
# ---------------------------------------------------------------------------------------------
def test_answers_stored_equal_answers_acknowledged_under_a_burst(url):
    # 30 students, 4 questions, every student answers every question (a third change their
    # answer once) from 8 threads at once: every acknowledged answer is the stored one.
    with pl.Store.open(url, busy_timeout_s=0.05, retries=30) as store:
        code, key = store.create_class()
        students = [store.join(code, f"s{i}") for i in range(30)]
        asked = [store.ask(code, key, {"n": n}) for n in range(4)]
        jobs = [(s, q, f"{i}/{n}") for i, s in enumerate(students)
                for n, q in enumerate(asked)]
        jobs += [(s, q, f"changed {i}") for i, s in enumerate(students[::3]) for q in asked[:1]]
        acks: list[pl.Ack] = []
        lock = threading.Lock()

        def send(job):
            ack = store.answer(code, *job)
            with lock:
                acks.append(ack)

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            list(pool.map(send, jobs))  # any exception escapes here
        assert len(acks) == len(jobs)
        latest = {}
        for ack in sorted(acks, key=lambda a: a.revision):
            latest[(ack.question_id, ack.student_id)] = ack.text
        stored = {(a.question_id, a.student_id): a.text
                  for q in asked for a in store.answers(code, key, q)}
        assert stored == latest
        assert len(stored) == 30 * 4


def _answer_from_another_process(path: str, code: str, jobs) -> int:
    """A worker process: its own Store on the same SQLite file; how many answers it had acked."""
    with pl.Store.open(f"sqlite:///{path}", busy_timeout_s=0.01, retries=40) as store:
        return sum(1 for job in jobs if store.answer(code, *job).text == job[2])


def test_two_processes_answering_at_once_on_sqlite(tmp_path):
    path = tmp_path / "live.sqlite3"
    with pl.Store.open(f"sqlite:///{path}") as store:
        code, key = store.create_class()
        students = [store.join(code) for _ in range(20)]
        asked = [store.ask(code, key, {"n": n}) for n in range(3)]
    halves = [[(s, q, f"{s[:4]}:{q}") for s in students[part::2] for q in asked]
              for part in (0, 1)]
    # A tiny busy timeout makes the two writers meet "database is locked" for real: the retry
    # loop must absorb every one of them.
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(2, mp_context=context) as pool:
        acked = list(pool.map(_answer_from_another_process, [str(path)] * 2, [code] * 2, halves))
    assert acked == [len(halves[0]), len(halves[1])]
    with pl.Store.open(f"sqlite:///{path}") as store:
        stored = {(a.student_id, a.question_id, a.text)
                  for q in asked for a in store.answers(code, key, q)}
    assert stored == {job for half in halves for job in half}


def test_a_locked_sqlite_database_is_retried_then_reported(tmp_path):
    path = tmp_path / "live.sqlite3"
    with pl.Store.open(f"sqlite:///{path}", busy_timeout_s=0.01, retries=3,
                       backoff_s=0.01) as store:
        code, key = store.create_class()
        student = store.join(code)
        question = store.ask(code, key, {})
        blocker = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        blocker.execute("BEGIN EXCLUSIVE")  # another writer holding the lock
        try:
            started = time.monotonic()
            with pytest.raises(pl.StoreUnavailable, match="tried 4 times") as caught:
                store.answer(code, student, question, "1")
            assert "locked" in str(caught.value)
            assert time.monotonic() - started < 5  # bounded
        finally:
            blocker.execute("ROLLBACK")
        assert store.my_answer(code, student, question) is None  # not acknowledged, not stored
        # a lock held for a moment is ridden out by the retries
        blocker.execute("BEGIN EXCLUSIVE")
        release = threading.Timer(0.15, lambda: blocker.execute("ROLLBACK"))
        release.start()
        patient = pl.Store.open(f"sqlite:///{path}", busy_timeout_s=0.01, retries=12,
                                backoff_s=0.02)
        try:
            assert patient.answer(code, student, question, "2").text == "2"
        finally:
            release.join()
            patient.close()
            blocker.close()
        assert store.my_answer(code, student, question) == "2"


def test_an_unreachable_postgresql_server_is_a_clear_error():
    port = _free_port()  # nothing listens there
    started = time.monotonic()
    with pytest.raises(pl.StoreUnavailable, match="not available") as caught:
        pl.Store.open(f"postgresql://postgres@127.0.0.1:{port}/none", retries=2,
                      backoff_s=0.01)
    assert caught.value.fields["attempts"] == 3
    assert time.monotonic() - started < 30


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path, monkeypatch):
    monkeypatch.delenv("PLAB_DATABASE_URL", raising=False)
    monkeypatch.setenv("PLAB_DATA_DIR", str(tmp_path / "data"))
    with pl.Store.open() as store:  # the data folder from the environment, created
        assert store.backend == "sqlite"
        assert (tmp_path / "data" / "live.sqlite3").exists()
        with store.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
    # a caller's folder wins over the environment
    with pl.Store.open(data_dir=tmp_path / "mine") as store:
        assert (tmp_path / "mine" / "live.sqlite3").exists()


def test_postgresql_url_forms_use_psycopg_3():
    assert pl.database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert pl.database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert pl.database_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"


def test_the_environment_url_selects_postgresql(postgres_url, monkeypatch):
    monkeypatch.setenv("PLAB_DATABASE_URL", postgres_url.replace("+psycopg", ""))
    with pl.Store.open() as store:
        assert store.backend == "postgresql"
        assert "psycopg" in store.url
        code = store.create_class().code
        assert store.view(code) == (0, {})


def test_errors_pickle_with_their_fields():
    import pickle

    error = pl.NotTeacher("not_teacher", class_code="K7QX2M")
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is pl.NotTeacher and again.fields == error.fields
    assert str(again) == str(error)



# ---------------------------------------------------------------------------------------------
# Photos the teacher shares with the class (schema 2)
# ---------------------------------------------------------------------------------------------
def _png(seed: int, side: int = 64, mode: str = "RGB") -> bytes:
    """A real PNG file of random pixels (what the app would send: its pooled picture)."""
    import io

    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(seed)
    shape = (side, side, 3) if mode == "RGB" else (side, side)
    buffer = io.BytesIO()
    Image.fromarray(rng.integers(0, 256, shape, dtype=np.uint8), mode).save(buffer, "PNG")
    return buffer.getvalue()


def test_a_shared_photo_reads_back_byte_identical(store):
    import hashlib

    code, key = store.create_class()
    png = _png(1)
    photo_id = store.share_photo(code, key, png, "holiday <b>*snap*</b>.jpg")
    assert isinstance(photo_id, str) and len(photo_id) >= 20  # random, not guessable
    student = store.join(code, "Ada")
    got = store.class_photo(code.lower(), photo_id)  # anyone with the class code and the id
    assert got.png == png and type(got.png) is bytes
    assert got.sha256 == hashlib.sha256(png).hexdigest()
    assert got.name == "holiday <b>*snap*</b>.jpg"  # stored as the text it is
    # the same bytes again: the same photo, not a second copy
    assert store.share_photo(code, key, png, "again.png") == photo_id
    assert counts(store)["plab_class_photos"] == 1
    other = store.share_photo(code, key, _png(2, mode="L"), "gray.png")
    assert other != photo_id and store.class_photo(code, other).png == _png(2, mode="L")
    assert store.class_photo(code, photo_id).png == png  # the earlier one is still there
    long_name = store.share_photo(code, key, _png(4), "\u202e" + "n" * 300 + "\n.png")
    assert store.class_photo(code, long_name).name == "n" * 120  # one line, capped
    assert store.class_photo(code, store.share_photo(code, key, _png(6), None)).name == ""
    assert store.student(code, student).nickname == "Ada"


def test_photos_are_capped_and_must_be_png(store):
    code, key = store.create_class()
    signature = b"\x89PNG\r\n\x1a\n"
    at_cap = signature + bytes(pl.PHOTO_MAX_BYTES - len(signature))
    assert pl.PHOTO_MAX_BYTES == 1024 * 1024
    assert store.class_photo(code, store.share_photo(code, key, at_cap, "a")).png == at_cap
    with pytest.raises(pl.BadInput) as caught:
        store.share_photo(code, key, at_cap + b"\x00", "b")
    assert caught.value.code == "too_large"
    assert caught.value.fields == {"what": "photo", "size": pl.PHOTO_MAX_BYTES + 1,
                                   "limit": pl.PHOTO_MAX_BYTES}
    assert str(caught.value) == "The photo is too large: 1048577 bytes, at most 1048576."
    for bad in (b"", b"GIF89a" + bytes(20), "\x89PNG\r\n\x1a\n as text", None, 3):
        with pytest.raises(pl.BadInput) as caught:
            store.share_photo(code, key, bad, "c")
        assert caught.value.code == "not_png"
    assert counts(store)["plab_class_photos"] == 1


def test_only_the_teacher_key_shares_a_photo(store):
    code, key = store.create_class()
    _, other_key = store.create_class()
    student = store.join(code, "Eve")
    for wrong in ("", key[:-1], key + "=", other_key, student, None, 12345):
        with pytest.raises(pl.NotTeacher):
            store.share_photo(code, wrong, _png(3), "x.png")
    for guessed in ("ZZZZZZ", "000000", "", None, code + "0"):
        with pytest.raises(pl.ClassNotFound):
            store.share_photo(guessed, key, _png(3), "x.png")
    assert counts(store)["plab_class_photos"] == 0
    # a guessed photo id reads nothing
    store.share_photo(code, key, _png(3), "x.png")
    for guessed in ("", "x" * 22, None, 7):
        with pytest.raises(pl.UnknownPhoto):
            store.class_photo(code, guessed)


def test_photos_stay_in_their_class_and_go_with_it(url):
    clock = Clock()
    with pl.Store.open(url, clock=clock) as store:
        a_code, a_key = store.create_class(ttl_hours=1)
        b_code, b_key = store.create_class(ttl_hours=2)
        c_code, c_key = store.create_class(ttl_hours=24)
        a_photo = store.share_photo(a_code, a_key, _png(10), "a.png")
        b_photo = store.share_photo(b_code, b_key, _png(11), "b.png")
        c_photo = store.share_photo(c_code, c_key, _png(12), "c.png")
        # the same bytes in two classes are two photos, each read only through its own class
        assert store.share_photo(b_code, b_key, _png(10), "a too.png") != a_photo
        with pytest.raises(pl.UnknownPhoto):
            store.class_photo(b_code, a_photo)
        with pytest.raises(pl.UnknownPhoto):
            store.class_photo(a_code, b_photo)
        assert counts(store)["plab_class_photos"] == 4
        # ending a class deletes its photos at once (and only its own)
        store.end_class(b_code, b_key)
        with pytest.raises(pl.ClassEnded):
            store.class_photo(b_code, b_photo)
        with pytest.raises(pl.ClassEnded):
            store.share_photo(b_code, b_key, _png(13), "late.png")
        assert counts(store)["plab_class_photos"] == 2
        # an expired class is unreadable at once, and purged with its photos
        clock.now += 3600 + 1
        with pytest.raises(pl.ClassNotFound):
            store.class_photo(a_code, a_photo)
        assert store.purge_expired() == 1
        assert counts(store)["plab_class_photos"] == 1
        assert store.class_photo(c_code, c_photo).png == _png(12)


def test_a_class_keeps_its_newest_photos(store):
    from pooling_live import store as module

    code, key = store.create_class()
    ids = [store.share_photo(code, key, _png(20 + n, side=8), f"{n}.png")
           for n in range(module.PHOTOS_PER_CLASS + 2)]
    assert counts(store)["plab_class_photos"] == module.PHOTOS_PER_CLASS
    for gone in ids[:2]:
        with pytest.raises(pl.UnknownPhoto):
            store.class_photo(code, gone)
    assert [store.class_photo(code, i).name for i in ids[2:]] == [
        f"{n}.png" for n in range(2, module.PHOTOS_PER_CLASS + 2)]


def test_a_schema_1_database_is_upgraded_to_2(url):
    assert pl.SCHEMA_VERSION == 2
    with pl.Store.open(url) as store:
        code, key = store.create_class()
        store.set_view(code, key, {"page": "explorer"})
    # make it what version 1 wrote: the same tables but the photos', schema_version 1
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE plab_class_photos")
        connection.execute(sa.update(live_store.meta).values(value="1"))
    engine.dispose()
    assert "plab_class_photos" not in sa.inspect(sa.create_engine(url)).get_table_names()
    with pl.Store.open(url) as store:
        with store.engine.connect() as connection:
            assert connection.execute(sa.select(live_store.meta.c.value)).scalar_one() == "2"
        assert "plab_class_photos" in sa.inspect(store.engine).get_table_names()
        assert store.view(code) == (1, {"page": "explorer"})  # the class survived
        photo = store.share_photo(code, key, _png(5), "p.png")
        assert store.class_photo(code, photo).png == _png(5)
    # a version this code does not know (written by a newer one) is still refused
    _set_version(url, "3")
    with pytest.raises(pl.SchemaError) as caught:
        pl.Store.open(url)
    assert caught.value.code == "schema_newer"
    assert (caught.value.fields["found"], caught.value.fields["expected"]) == (3, 2)
