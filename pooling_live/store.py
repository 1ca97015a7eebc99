"""The live class's store: classes, students, the teacher's view, questions, answers and the
photos a teacher shares with the class.

One code path through SQLAlchemy 2 Core for two databases:

* **SQLite** (the default): one file, ``live.sqlite3`` under the data folder (the caller's
  ``data_dir``, else ``$PLAB_DATA_DIR``, else ``$XDG_DATA_HOME/pooling-lab`` or
  ``~/.local/share/pooling-lab``). Nothing to install; every ``make classroom`` worker on the
  machine opens the same file. WAL journal (readers never wait for the writer), a busy timeout
  (a writer waits for another instead of failing), foreign keys on, and every write transaction
  begins ``IMMEDIATE`` so that two writers queue at the start instead of one failing half-way.
* **PostgreSQL** when ``PLAB_DATABASE_URL`` (or ``url``) is ``postgresql://…`` (driven by
  psycopg 3), for workers spread over several machines.

The schema's version is recorded in ``plab_meta`` and checked on every open: a database written by
a newer version is refused, an older one is migrated by :data:`MIGRATIONS` or refused, each with a
message that says what to do. Every table is prefixed ``plab_`` so the store can share a database.

Security, in short: a class code is 6 symbols of Crockford's base32 (30 bits, no look-alikes);
the teacher key is ``secrets.token_urlsafe(24)`` (192 bits), stored only as its SHA-256, compared in
constant time; student ids are random too (a student cannot answer for another by guessing).
Joining is rate-limited per client in the database itself, so the limit holds across workers.
Nicknames and answers are stored as the text they are (capped, NUL and lone surrogates replaced:
PostgreSQL cannot store them; nicknames also lose control and format characters): showing them as
text, never HTML or Markdown, is the app's job. A shared photo (:meth:`Store.share_photo`: the
teacher key only) is PNG bytes of at most :data:`PHOTO_MAX_BYTES`, kept with its SHA-256 and read
by its random id together with the class code (:meth:`Store.class_photo`); it is deleted when the
class ends or is purged.

Locked or unreachable databases are retried with exponential backoff and jitter a bounded number
of times, then :class:`~pooling_live.errors.StoreUnavailable` says so. An operation returns only
after its transaction committed: an acknowledged answer is stored.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import math
import os
import random
import secrets
import sqlite3
import threading
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy import exc, select

from .errors import (
    AnswersClosed,
    BadInput,
    ClassEnded,
    ClassNotFound,
    LiveError,
    NotTeacher,
    RateLimited,
    SchemaError,
    StoreUnavailable,
    UnknownPhoto,
    UnknownQuestion,
    UnknownStudent,
)

SCHEMA_VERSION = 2  # 2: plab_class_photos (a photo the teacher shares with the class)
# Crockford's base32: digits and capitals without I, L, O, U; typed I/L read as 1, O as 0.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 6  # 32**6 = 2**30 codes
_CODE_READING = str.maketrans({"I": "1", "L": "1", "O": "0"})
NICKNAME_MAX = 24  # characters
ANSWER_MAX = 200  # characters: a number, a pair, a fraction — with room for a comment
VIEW_MAX_BYTES = 64_000  # a view is parameters and a small grid, never an image's pixels
QUESTION_MAX_BYTES = 64_000
CLIENT_MAX = 200
# A class photo is the picture the app pools, reduced by the app to at most 512 pixels a side and
# stored as PNG: a 512×512 colour PNG is at most ~0.8 MB even for noise, so 1 MiB refuses only
# what the app would never send.
PHOTO_MAX_BYTES = 1_048_576
PHOTO_NAME_MAX = 120  # characters of the file's name, shown to the students as text
PHOTOS_PER_CLASS = 5  # sharing a sixth deletes the oldest: a class keeps what it may go back to
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
DEFAULT_TTL_HOURS = 24.0
# Expired classes are deleted by whichever store activity comes first after this many seconds
# (opening the store, a poll, a join, starting a class): a class's data goes within minutes of
# its expiry on any server that is in use, with no timer thread to run or stop.
PURGE_EVERY_S = 600.0
MAX_TTL_HOURS = 24.0 * 7
# Joins per client per window: a class of 30 behind one school NAT may share one client key, so
# the caller should key by browser session where it can; a code guesser still gets 60/min.
JOIN_LIMIT = 60
# … and per network address, wider: a school's NAT puts whole classes behind one address, but one
# machine opening session after session to guess codes is held to this many a window.
ADDRESS_JOIN_LIMIT = 600
JOIN_WINDOW_S = 60.0
RETRIES = 8
BACKOFF_S = 0.02
BACKOFF_MAX_S = 1.0
BUSY_TIMEOUT_S = 5.0
SQLITE_FILE = "live.sqlite3"

metadata = sa.MetaData()
meta = sa.Table(
    "plab_meta", metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.String(200), nullable=False),
)
classes = sa.Table(
    "plab_classes", metadata,
    sa.Column("code", sa.String(CODE_LENGTH), primary_key=True),
    sa.Column("teacher_hash", sa.String(64), nullable=False),
    sa.Column("created_at", sa.Double, nullable=False),
    sa.Column("expires_at", sa.Double, nullable=False, index=True),
    sa.Column("ended_at", sa.Double),
    # bumped by every teacher change (view, question, reveal, end): what students poll
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("view", sa.Text, nullable=False),
    sa.Column("question_id", sa.Integer),  # the current question (no FK: it would be a cycle)
)
students = sa.Table(
    "plab_students", metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("class_code", sa.ForeignKey("plab_classes.code", ondelete="CASCADE"),
              nullable=False, index=True),
    sa.Column("nickname", sa.String(NICKNAME_MAX)),
    sa.Column("joined_at", sa.Double, nullable=False),
)
questions = sa.Table(
    "plab_questions", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("class_code", sa.ForeignKey("plab_classes.code", ondelete="CASCADE"),
              nullable=False, index=True),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("asked_at", sa.Double, nullable=False),
    sa.Column("revealed_at", sa.Double),
    sqlite_autoincrement=True,  # never reuse an id of a purged class's question
)
answers = sa.Table(
    "plab_answers", metadata,
    sa.Column("question_id", sa.ForeignKey("plab_questions.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("student_id", sa.ForeignKey("plab_students.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("answered_at", sa.Double, nullable=False),
    sa.Column("revision", sa.Integer, nullable=False),
)
join_attempts = sa.Table(
    "plab_join_attempts", metadata,
    sa.Column("client", sa.String(64), primary_key=True),  # a hash, never the client's address
    sa.Column("slot", sa.BigInteger, primary_key=True),
    sa.Column("attempts", sa.Integer, nullable=False),
)

class_photos = sa.Table(
    "plab_class_photos", metadata,
    sa.Column("id", sa.String(32), primary_key=True),  # random: a student names it to read it
    sa.Column("class_code", sa.ForeignKey("plab_classes.code", ondelete="CASCADE"),
              nullable=False, index=True),
    sa.Column("name", sa.String(PHOTO_NAME_MAX), nullable=False),
    sa.Column("png", sa.LargeBinary, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("shared_at", sa.Double, nullable=False),
)


def _add_class_photos(connection) -> None:
    """Schema 1 → 2: the class photos' table (``checkfirst``: a migration run from an even older
    schema finds it created already)."""
    class_photos.create(connection, checkfirst=True)


# Migrations from an older schema: MIGRATIONS[n](connection) turns schema n into n + 1.
MIGRATIONS: dict[int, object] = {1: _add_class_photos}


# -- results --------------------------------------------------------------------------------------
class NewClass(NamedTuple):
    """What :meth:`Store.create_class` gives the teacher: the class code to project and the
    teacher key to keep (it is not stored; only its hash is)."""

    code: str
    teacher_key: str


class Poll(NamedTuple):
    """One row for a student's screen: the teacher's change counter and what changed."""

    version: int
    view: dict | None  # None when ``since`` was the current version (nothing to redraw)
    question_id: int | None
    ended: bool


@dataclass(frozen=True)
class Student:
    id: str
    nickname: str | None
    joined_at: float


@dataclass(frozen=True)
class ClassPhoto:
    """A photo the teacher shared with the class: PNG bytes exactly as shared, and their
    SHA-256 (hex)."""

    id: str
    name: str
    png: bytes
    sha256: str
    shared_at: float


@dataclass(frozen=True)
class Question:
    id: int
    body: dict
    asked_at: float
    revealed: bool


@dataclass(frozen=True)
class Answer:
    question_id: int
    student_id: str
    nickname: str | None
    text: str
    answered_at: float
    revision: int  # 1 for a first answer, +1 each time the student changed it


@dataclass(frozen=True)
class Ack:
    """An answer committed to the database (returned only after the commit)."""

    question_id: int
    student_id: str
    text: str  # as stored: capped and cleaned
    revision: int


# -- text -----------------------------------------------------------------------------------------
def _storable(text) -> str:
    """``text`` as a string every database stores: lone surrogates become U+FFFD, NUL dropped."""
    value = "" if text is None else str(text)
    value = value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return value.replace("\x00", "")


def clean_nickname(text) -> str | None:
    """A nickname as stored: control and format characters removed (the zero-width joiner of
    emoji kept), whitespace collapsed, at most :data:`NICKNAME_MAX` characters; None if empty.

    Examples
    --------
    >>> clean_nickname("  Ada\\n\\u202eLovelace\\x00 ")
    'Ada Lovelace'
    >>> clean_nickname("\\u200b"), len(clean_nickname("x" * 100))
    (None, 24)
    """
    return _one_line(text, NICKNAME_MAX)


def _one_line(text, limit: int) -> str | None:
    """``text`` as one line of at most ``limit`` characters (see :func:`clean_nickname`)."""
    value = unicodedata.normalize("NFC", _storable(text))
    value = "".join(ch if ch == "\u200d" or not unicodedata.category(ch).startswith("C")
                    else " " if ch in "\t\n\r\x0b\x0c\x85" else "" for ch in value)
    value = " ".join(value.split())[:limit].strip()
    return value or None


def clean_answer(text) -> str:
    """An answer as stored: the text as typed, capped at :data:`ANSWER_MAX` characters (NUL and
    lone surrogates replaced, as no database stores them)."""
    return _storable(text)[:ANSWER_MAX]


def normalise_code(text) -> str | None:
    """A typed class code in its stored form, or None if it cannot be one.

    Examples
    --------
    >>> normalise_code(" k7qx-2m "), normalise_code("OIL123"), normalise_code("K7QX2")
    ('K7QX2M', '011123', None)
    """
    value = unicodedata.normalize("NFKC", "" if text is None else str(text)).upper()
    value = "".join(value.split()).replace("-", "").translate(_CODE_READING)
    if len(value) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in value):
        return None
    return value


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def _encode(value, what: str, limit: int) -> str:
    if not isinstance(value, dict):
        raise BadInput("not_json", what=what, detail=f"got {type(value).__name__}")
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError) as error:
        raise BadInput("not_json", what=what, detail=str(error)) from None
    text = _storable(text)
    size = len(text.encode("utf-8"))
    if size > limit:
        raise BadInput("too_large", what=what, size=size, limit=limit)
    return text


# -- opening --------------------------------------------------------------------------------------
def default_data_dir() -> Path:
    """``$PLAB_DATA_DIR``, else ``$XDG_DATA_HOME/pooling-lab`` or ``~/.local/share/pooling-lab``."""
    if os.environ.get("PLAB_DATA_DIR"):
        return Path(os.environ["PLAB_DATA_DIR"])
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "pooling-lab"


def database_url(url: str | None = None, data_dir=None) -> str:
    """The SQLAlchemy URL to open: ``url``, else ``$PLAB_DATABASE_URL``, else the SQLite file
    under the data folder. ``postgresql://`` and ``postgres://`` are read as psycopg 3's
    ``postgresql+psycopg://``."""
    url = url or os.environ.get("PLAB_DATABASE_URL") or None
    if url is None:
        folder = Path(data_dir) if data_dir is not None else default_data_dir()
        folder.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{(folder / SQLITE_FILE).resolve()}"
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _transient(error: Exception) -> bool:
    """A database error worth retrying: SQLite busy/locked, PostgreSQL unreachable, a
    serialisation failure or deadlock, a dropped connection."""
    if getattr(error, "connection_invalidated", False):
        return True
    orig = getattr(error, "orig", None)
    if isinstance(orig, sqlite3.OperationalError):
        message = str(orig).lower()
        return "locked" in message or "busy" in message
    with contextlib.suppress(ImportError):
        import psycopg

        # connection failures, admin shutdown, serialisation failures and deadlocks
        return isinstance(orig, psycopg.OperationalError)
    return False


class Store:
    """A live-class store on one database (see the module's docstring).

    Open with :meth:`open`; every method is one transaction, safe to call from many threads and
    processes at once.
    """

    def __init__(self, engine: sa.Engine, *, clock=time.time, retries: int = RETRIES,
                 backoff_s: float = BACKOFF_S, join_limit: int = JOIN_LIMIT,
                 join_window_s: float = JOIN_WINDOW_S,
                 address_join_limit: int = ADDRESS_JOIN_LIMIT,
                 purge_every_s: float | None = PURGE_EVERY_S):
        self.engine = engine
        self.backend = engine.dialect.name
        self.clock = clock
        self.retries = retries
        self.backoff_s = backoff_s
        self.join_limit = join_limit
        self.join_window_s = join_window_s
        self.address_join_limit = address_join_limit
        self.purge_every_s = purge_every_s  # None: only purge_expired() purges
        self._next_purge = float("-inf")
        self.retried = 0  # transient errors ridden out so far (for measurements; not exact
        # under threads)
        # SQLite: a write transaction takes the write lock when it begins (BEGIN IMMEDIATE), so a
        # read-then-write transaction never fails half-way on a lock another writer took.
        self._writer = engine.execution_options(plab_begin="IMMEDIATE")
        # SQLite has one writer at a time; threads of one process queue here, on a lock that
        # hands over at once, rather than in SQLite's busy handler, which sleeps in steps of up
        # to 100 ms (measured: a 30-student burst's p95 went from 109 ms to about 30 ms).
        self._write_lock = (threading.Lock() if self.backend == "sqlite"
                            else contextlib.nullcontext())
        if self.backend == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        self._insert = insert  # the two dialects' insert … ON CONFLICT have the same API

    @classmethod
    def open(cls, url: str | None = None, data_dir=None, *,
             busy_timeout_s: float = BUSY_TIMEOUT_S, **options) -> Store:
        """Open (and on first use create) the store.

        Parameters
        ----------
        url : str, optional
            A SQLAlchemy URL; default ``$PLAB_DATABASE_URL``, else SQLite under ``data_dir``.
        data_dir : path, optional
            The folder of the SQLite file; default :func:`default_data_dir`.
        busy_timeout_s : float
            SQLite: how long a writer waits for another before the retry loop takes over.
        **options
            ``clock`` (a ``time.time``-like function), ``retries``, ``backoff_s``,
            ``join_limit``, ``address_join_limit``, ``join_window_s``, ``purge_every_s`` (see
            :meth:`housekeeping`).

        Raises
        ------
        SchemaError
            The database holds a schema this version cannot use.
        StoreUnavailable
            The database cannot be reached through every retry.
        """
        target = database_url(url, data_dir)
        if target.startswith("sqlite"):
            engine = sa.create_engine(target, connect_args={"timeout": busy_timeout_s})
            _sqlite_setup(engine, busy_timeout_s)
        else:
            engine = sa.create_engine(target, pool_pre_ping=True,
                                      connect_args={"connect_timeout": 5})
        store = cls(engine, **options)
        try:
            for attempt in range(3):
                try:
                    store._run(store._prepare, write=True)
                    break
                except (exc.IntegrityError, exc.ProgrammingError):
                    # PostgreSQL: another worker created the tables at the same moment; the
                    # next look finds them (SQLite's BEGIN IMMEDIATE makes them take turns).
                    if attempt == 2:
                        raise
                    time.sleep(0.1 * (attempt + 1))
        except BaseException:
            engine.dispose()
            raise
        store.housekeeping()
        return store

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    @property
    def url(self) -> str:
        """The database's URL with any password hidden (for messages and logs)."""
        return self.engine.url.render_as_string(hide_password=True)

    # -- transactions -----------------------------------------------------------------------------
    def _run(self, work, *, write: bool):
        """``work(connection)`` in one transaction, retried while the database is locked or
        unreachable; its result once committed."""
        engine = self._writer if write else self.engine
        for attempt in range(self.retries + 1):
            try:
                with self._write_lock if write else contextlib.nullcontext(), \
                        engine.begin() as connection:
                    result = work(connection)
                return result
            except exc.DBAPIError as error:
                if not _transient(error):
                    raise
                if attempt == self.retries:
                    detail = str(getattr(error, "orig", error)).strip().splitlines()[0][:200]
                    raise StoreUnavailable("unavailable", detail=detail,
                                           attempts=attempt + 1) from error
                self.retried += 1
                pause = min(self.backoff_s * 2 ** attempt, BACKOFF_MAX_S)
                time.sleep(pause * (0.5 + random.random()))  # jitter: retries do not collide
        raise AssertionError("unreachable")  # pragma: no cover

    def _prepare(self, connection) -> None:
        """Create the tables on first use; check (and migrate) the schema version."""
        inspector = sa.inspect(connection)
        names = set(inspector.get_table_names())
        ours = {table.name for table in metadata.sorted_tables}
        if not names & ours:
            metadata.create_all(connection)
            connection.execute(sa.insert(meta).values(key="schema_version",
                                                      value=str(SCHEMA_VERSION)))
            return
        if meta.name not in names:
            raise SchemaError("schema_unknown", url=self.url)
        found = connection.execute(
            select(meta.c.value).where(meta.c.key == "schema_version")).scalar_one_or_none()
        if found is None or not found.isdigit():
            raise SchemaError("schema_unknown", url=self.url)
        version = int(found)
        if version > SCHEMA_VERSION:
            raise SchemaError("schema_newer", url=self.url, found=version,
                              expected=SCHEMA_VERSION)
        while version < SCHEMA_VERSION:
            migrate = MIGRATIONS.get(version)
            if migrate is None:
                raise SchemaError("schema_older", url=self.url, found=version,
                                  expected=SCHEMA_VERSION)
            migrate(connection)
            version += 1
            connection.execute(sa.update(meta).where(meta.c.key == "schema_version")
                               .values(value=str(version)))

    # -- looking up -------------------------------------------------------------------------------
    def _class(self, connection, code, now: float):
        stored = normalise_code(code)
        row = None if stored is None else connection.execute(
            select(classes).where(classes.c.code == stored)).one_or_none()
        if row is None or row.expires_at <= now:
            raise ClassNotFound("no_class", class_code=_shown(code))
        return row

    def _teacher(self, connection, code, teacher_key, now: float):
        row = self._class(connection, code, now)
        given = _hash(teacher_key if isinstance(teacher_key, str) else "")
        if not hmac.compare_digest(given, row.teacher_hash):
            raise NotTeacher("not_teacher", class_code=row.code)
        return row

    def _open_class(self, connection, code, now: float):
        row = self._class(connection, code, now)
        if row.ended_at is not None:
            raise ClassEnded("class_ended", class_code=row.code)
        return row

    def _question(self, connection, class_code: str, question_id):
        row = None
        if isinstance(question_id, int) and not isinstance(question_id, bool):
            row = connection.execute(select(questions).where(
                questions.c.id == question_id,
                questions.c.class_code == class_code)).one_or_none()
        if row is None:
            raise UnknownQuestion("no_question", class_code=class_code, question_id=question_id)
        return row

    def _student(self, connection, class_code: str, student_id):
        row = None
        if isinstance(student_id, str):
            row = connection.execute(select(students).where(
                students.c.id == student_id,
                students.c.class_code == class_code)).one_or_none()
        if row is None:
            raise UnknownStudent("no_student", class_code=class_code)
        return row

    def _bump(self, connection, code: str, **values) -> int:
        connection.execute(sa.update(classes).where(classes.c.code == code)
                           .values(version=classes.c.version + 1, **values))
        return connection.execute(
            select(classes.c.version).where(classes.c.code == code)).scalar_one()

    # -- the teacher ------------------------------------------------------------------------------
    def create_class(self, ttl_hours: float = DEFAULT_TTL_HOURS) -> NewClass:
        """Start a class that lasts ``ttl_hours``; purges expired classes first.

        Returns
        -------
        NewClass
            ``(code, teacher_key)``. The key is shown once: only its hash is stored.
        """
        if (isinstance(ttl_hours, bool) or not isinstance(ttl_hours, (int, float))
                or not math.isfinite(ttl_hours) or not 1 / 60 <= ttl_hours <= MAX_TTL_HOURS):
            raise BadInput("bad_ttl", value=ttl_hours, limit=MAX_TTL_HOURS)
        self.purge_expired()
        key = secrets.token_urlsafe(24)

        def work(connection):
            now = self.clock()
            for _ in range(20):  # a collision in 2**30 codes is rare; twenty in a row is not real
                code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
                taken = connection.execute(
                    select(classes.c.code).where(classes.c.code == code)).first()
                if taken is None:
                    break
            else:  # pragma: no cover
                raise RuntimeError("no free class code found")
            connection.execute(sa.insert(classes).values(
                code=code, teacher_hash=_hash(key), created_at=now,
                expires_at=now + ttl_hours * 3600.0, ended_at=None, version=0, view="{}",
                question_id=None))
            return NewClass(code, key)

        return self._run(work, write=True)

    def is_teacher(self, code, teacher_key) -> bool:
        """Whether ``teacher_key`` controls the (live) class ``code`` — for reopening a teacher
        link. Raises :class:`ClassNotFound` for an unknown or expired code."""
        def work(connection):
            try:
                self._teacher(connection, code, teacher_key, self.clock())
            except NotTeacher:
                return False
            return True

        return self._run(work, write=False)

    def set_view(self, code, teacher_key, view: dict) -> int:
        """Make ``view`` (plain JSON-able data) what following students show; returns the new
        version."""
        text = _encode(view, "view", VIEW_MAX_BYTES)

        def work(connection):
            row = self._teacher(connection, code, teacher_key, self.clock())
            return self._bump(connection, row.code, view=text)

        return self._run(work, write=True)

    def ask(self, code, teacher_key, question: dict) -> int:
        """Ask the class ``question`` (plain JSON-able data, e.g. a
        :meth:`pooling_core.lessons.misconceptions.Problem.to_dict`); it becomes the current
        question.
        Students can read it whole: put nothing secret in it. Returns its id."""
        text = _encode(question, "question", QUESTION_MAX_BYTES)

        def work(connection):
            now = self.clock()
            row = self._teacher(connection, code, teacher_key, now)
            if row.ended_at is not None:
                raise ClassEnded("class_ended", class_code=row.code)
            question_id = connection.execute(sa.insert(questions).values(
                class_code=row.code, body=text, asked_at=now, revealed_at=None)
            ).inserted_primary_key[0]
            self._bump(connection, row.code, question_id=question_id)
            return int(question_id)

        return self._run(work, write=True)

    def reveal(self, code, teacher_key, question_id: int) -> int:
        """Reveal question ``question_id``'s answer: its answers close; returns the new version."""
        def work(connection):
            now = self.clock()
            row = self._teacher(connection, code, teacher_key, now)
            self._question(connection, row.code, question_id)
            connection.execute(sa.update(questions).where(
                questions.c.id == question_id, questions.c.revealed_at.is_(None))
                .values(revealed_at=now))
            return self._bump(connection, row.code)

        return self._run(work, write=True)

    def end_class(self, code, teacher_key) -> None:
        """End the class: no more joining or answering; the teacher can still read everything
        until the class expires and is purged — except the shared photos, deleted now (they
        were shared to be shown to the class, which is over)."""
        def work(connection):
            now = self.clock()
            row = self._teacher(connection, code, teacher_key, now)
            connection.execute(sa.delete(class_photos).where(class_photos.c.class_code == row.code))
            if row.ended_at is None:
                self._bump(connection, row.code, ended_at=now)

        self._run(work, write=True)

    def share_photo(self, code, teacher_key, png: bytes, name) -> str:
        """Store ``png`` (a PNG file's bytes, at most :data:`PHOTO_MAX_BYTES`) as a photo of
        class ``code``, shared by its teacher; returns the photo's id, which the teacher's view
        names so that following students read it with :meth:`class_photo`.

        The bytes are stored as given: the caller sends the picture it pools, not the file a
        teacher uploaded (whose metadata, EXIF and location included, never leaves the teacher).
        Sharing the same bytes again returns the same id; a class keeps its
        :data:`PHOTOS_PER_CLASS` newest photos. ``name`` (the file's name) is text, capped.

        Raises
        ------
        BadInput
            Not a PNG (``not_png``), or too large (``too_large``).
        NotTeacher, ClassNotFound, ClassEnded
        """
        if not isinstance(png, (bytes, bytearray, memoryview)):
            raise BadInput("not_png", what="photo")
        data = bytes(png)
        if not data.startswith(PNG_SIGNATURE):
            raise BadInput("not_png", what="photo")
        if len(data) > PHOTO_MAX_BYTES:
            raise BadInput("too_large", what="photo", size=len(data), limit=PHOTO_MAX_BYTES)
        digest = hashlib.sha256(data).hexdigest()
        label = _one_line(name, PHOTO_NAME_MAX) or ""  # no name: the app words one
        photo_id = secrets.token_urlsafe(16)

        def work(connection):
            now = self.clock()
            row = self._teacher(connection, code, teacher_key, now)
            if row.ended_at is not None:
                raise ClassEnded("class_ended", class_code=row.code)
            same = connection.execute(select(class_photos.c.id).where(
                class_photos.c.class_code == row.code,
                class_photos.c.sha256 == digest)).scalar()
            if same is not None:
                return same
            connection.execute(sa.insert(class_photos).values(
                id=photo_id, class_code=row.code, name=label, png=data, sha256=digest,
                shared_at=now))
            older = connection.execute(select(class_photos.c.id).where(
                class_photos.c.class_code == row.code, class_photos.c.id != photo_id)
                .order_by(class_photos.c.shared_at, class_photos.c.id)).scalars().all()
            extra = len(older) - (PHOTOS_PER_CLASS - 1)
            if extra > 0:
                connection.execute(sa.delete(class_photos).where(
                    class_photos.c.id.in_(older[:extra])))
            return photo_id

        return self._run(work, write=True)

    def class_photo(self, code, photo_id) -> ClassPhoto:
        """Photo ``photo_id`` of class ``code`` (what a following student shows), byte for byte
        as the teacher shared it.

        Raises
        ------
        ClassNotFound, ClassEnded
        UnknownPhoto
            No such photo in this class (another class's id is unknown here too).
        """
        def work(connection):
            row = self._open_class(connection, code, self.clock())
            found = None
            if isinstance(photo_id, str):
                found = connection.execute(select(class_photos).where(
                    class_photos.c.id == photo_id,
                    class_photos.c.class_code == row.code)).one_or_none()
            if found is None:
                raise UnknownPhoto("no_photo", class_code=row.code)
            return ClassPhoto(found.id, found.name, bytes(found.png), found.sha256,
                              found.shared_at)

        return self._run(work, write=False)

    def answers(self, code, teacher_key, question_id: int) -> list[Answer]:
        """Every student's current answer to ``question_id``, oldest first."""
        def work(connection):
            row = self._teacher(connection, code, teacher_key, self.clock())
            self._question(connection, row.code, question_id)
            rows = connection.execute(
                select(answers, students.c.nickname)
                .join(students, students.c.id == answers.c.student_id)
                .where(answers.c.question_id == question_id,
                       students.c.class_code == row.code)
                .order_by(answers.c.answered_at, answers.c.student_id)).all()
            return [Answer(r.question_id, r.student_id, r.nickname, r.text, r.answered_at,
                           r.revision) for r in rows]

        return self._run(work, write=False)

    def questions(self, code, teacher_key) -> list[Question]:
        """Every question asked in the class, in order (for the class summary)."""
        def work(connection):
            row = self._teacher(connection, code, teacher_key, self.clock())
            rows = connection.execute(select(questions).where(
                questions.c.class_code == row.code).order_by(questions.c.id)).all()
            return [_question_of(r) for r in rows]

        return self._run(work, write=False)

    def roster(self, code, teacher_key) -> list[Student]:
        """The students who joined, in order."""
        def work(connection):
            row = self._teacher(connection, code, teacher_key, self.clock())
            rows = connection.execute(select(students).where(
                students.c.class_code == row.code)
                .order_by(students.c.joined_at, students.c.id)).all()
            return [Student(r.id, r.nickname, r.joined_at) for r in rows]

        return self._run(work, write=False)

    # -- the students -----------------------------------------------------------------------------
    def join(self, code, nickname=None, client: str | None = None,
             address: str | None = None) -> str:
        """Join class ``code`` with an optional nickname; returns the new student's id.

        ``client`` identifies who is joining for the rate limit (a browser session id): more
        than ``join_limit`` attempts in ``join_window_s`` — wrong codes included, so codes cannot
        be guessed quickly — raise :class:`RateLimited`. ``address`` (the network address the
        join came from) is counted the same way against ``address_join_limit``, so that opening
        new sessions does not lift the limit.
        """
        if address is not None:
            self._count_join("address:" + str(address)[:CLIENT_MAX], self.address_join_limit)
        if client is not None:
            self._count_join(str(client)[:CLIENT_MAX], self.join_limit)
        name = clean_nickname(nickname)
        self.housekeeping()
        student_id = secrets.token_urlsafe(16)

        def work(connection):
            now = self.clock()
            row = self._open_class(connection, code, now)
            connection.execute(sa.insert(students).values(
                id=student_id, class_code=row.code, nickname=name, joined_at=now))
            return student_id

        return self._run(work, write=True)

    def _count_join(self, client: str, limit: int) -> None:
        now = self.clock()
        slot = int(now // self.join_window_s)
        key = _hash(client)[:64]

        def work(connection):
            statement = self._insert(join_attempts).values(client=key, slot=slot, attempts=1)
            connection.execute(statement.on_conflict_do_update(
                index_elements=[join_attempts.c.client, join_attempts.c.slot],
                set_={"attempts": join_attempts.c.attempts + 1}))
            return connection.execute(select(join_attempts.c.attempts).where(
                join_attempts.c.client == key, join_attempts.c.slot == slot)).scalar_one()

        # committed on its own, before the join: a refused join still counts
        if self._run(work, write=True) > limit:
            retry_after = math.ceil((slot + 1) * self.join_window_s - now)
            raise RateLimited("rate_limited", retry_after=max(retry_after, 1))

    def student(self, code, student_id) -> Student:
        """The student ``student_id`` of class ``code`` (a reconnecting student rejoins with it);
        :class:`UnknownStudent` if not in this class."""
        def work(connection):
            row = self._class(connection, code, self.clock())
            r = self._student(connection, row.code, student_id)
            return Student(r.id, r.nickname, r.joined_at)

        return self._run(work, write=False)

    def poll(self, code, since: int | None = None) -> Poll:
        """What a following student needs, from one row: the version, the view (None when it is
        still ``since``), the current question and whether the class ended."""
        self.housekeeping()
        def work(connection):
            stored = normalise_code(code)
            now = self.clock()
            row = None if stored is None else connection.execute(
                select(classes.c.version, classes.c.view, classes.c.question_id,
                       classes.c.ended_at, classes.c.expires_at)
                .where(classes.c.code == stored)).one_or_none()
            if row is None or row.expires_at <= now:
                raise ClassNotFound("no_class", class_code=_shown(code))
            view = None if since == row.version else json.loads(row.view)
            return Poll(row.version, view, row.question_id, row.ended_at is not None)

        return self._run(work, write=False)

    def view(self, code) -> tuple[int, dict]:
        """``(version, view)``: the teacher's current view of class ``code``."""
        state = self.poll(code)
        return state.version, state.view

    def question(self, code, question_id: int) -> Question:
        """Question ``question_id`` of class ``code``, as the students see it."""
        def work(connection):
            row = self._class(connection, code, self.clock())
            return _question_of(self._question(connection, row.code, question_id))

        return self._run(work, write=False)

    def answer(self, code, student_id, question_id: int, text) -> Ack:
        """Store student ``student_id``'s answer to ``question_id``; a second answer replaces
        the first. Returns only after the commit.

        Raises
        ------
        ClassNotFound, ClassEnded, UnknownStudent, UnknownQuestion
        AnswersClosed
            The question's answer has been revealed.
        """
        stored = clean_answer(text)

        def work(connection):
            now = self.clock()
            row = self._open_class(connection, code, now)
            self._student(connection, row.code, student_id)
            asked = self._question(connection, row.code, question_id)
            if asked.revealed_at is not None:
                raise AnswersClosed("answers_closed", question_id=question_id)
            statement = self._insert(answers).values(
                question_id=question_id, student_id=student_id, text=stored, answered_at=now,
                revision=1)
            connection.execute(statement.on_conflict_do_update(
                index_elements=[answers.c.question_id, answers.c.student_id],
                set_={"text": stored, "answered_at": now,
                      "revision": answers.c.revision + 1}))
            revision = connection.execute(select(answers.c.revision).where(
                answers.c.question_id == question_id,
                answers.c.student_id == student_id)).scalar_one()
            return Ack(question_id, student_id, stored, revision)

        return self._run(work, write=True)

    def my_answer(self, code, student_id, question_id: int) -> str | None:
        """The student's own stored answer (after a reconnect), or None."""
        def work(connection):
            row = self._class(connection, code, self.clock())
            self._student(connection, row.code, student_id)
            self._question(connection, row.code, question_id)
            return connection.execute(select(answers.c.text).where(
                answers.c.question_id == question_id,
                answers.c.student_id == student_id)).scalar_one_or_none()

        return self._run(work, write=False)

    # -- housekeeping -----------------------------------------------------------------------------
    def housekeeping(self) -> int | None:
        """:meth:`purge_expired` if ``purge_every_s`` passed since this store last purged; returns
        how many classes it deleted, or None when it was not due or failed (a database that is
        busy or away now is purged on a later call: nothing waits for it)."""
        now = self.clock()
        if self.purge_every_s is None or now < self._next_purge:
            return None
        # set before purging: other threads of this process do not purge at the same moment
        self._next_purge = now + self.purge_every_s
        try:
            return self.purge_expired(now)
        except LiveError:
            return None

    def purge_expired(self, now: float | None = None) -> int:
        """Delete every expired class with its students, questions, answers and photos, and old
        join counts; returns how many classes were deleted."""
        def work(connection):
            moment = self.clock() if now is None else now
            expired = select(classes.c.code).where(classes.c.expires_at <= moment)
            asked = select(questions.c.id).where(questions.c.class_code.in_(expired))
            joined = select(students.c.id).where(students.c.class_code.in_(expired))
            # children first, explicitly: no reliance on the foreign keys' cascade
            connection.execute(sa.delete(answers).where(answers.c.question_id.in_(asked)))
            connection.execute(sa.delete(answers).where(answers.c.student_id.in_(joined)))
            connection.execute(sa.delete(questions).where(questions.c.class_code.in_(expired)))
            connection.execute(sa.delete(students).where(students.c.class_code.in_(expired)))
            connection.execute(sa.delete(class_photos).where(
                class_photos.c.class_code.in_(expired)))
            gone = connection.execute(sa.delete(classes).where(classes.c.expires_at <= moment))
            connection.execute(sa.delete(join_attempts).where(
                join_attempts.c.slot < int(moment // self.join_window_s) - 1))
            return gone.rowcount

        return self._run(work, write=True)


def _question_of(row) -> Question:
    return Question(row.id, json.loads(row.body), row.asked_at, row.revealed_at is not None)


def _shown(code) -> str:
    """A typed code for a message: capped, as text (the app shows it as text, never Markdown)."""
    return clean_nickname(code) or "''"


def _sqlite_setup(engine: sa.Engine, busy_timeout_s: float) -> None:
    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        # the driver's own transaction handling off: SQLAlchemy's "begin" below emits BEGIN
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        # FULL: each commit is on disk before it returns, so an acknowledged answer survives
        # even a power cut (NORMAL would survive a killed worker only); a class commits little.
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(connection):
        mode = connection.get_execution_options().get("plab_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")
