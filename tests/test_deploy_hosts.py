"""Past one machine, simulated on loopback: workers on two "hosts" behind one HAProxy, and one
PostgreSQL on a third.

Linux routes all of 127.0.0.0/8 to the loopback interface, so each address is a host of its own
here (``tests/hosts_support.py``): a worker (``deploy/worker.py``, what ``make worker`` runs on a
real host) on 127.0.0.2 and another on 127.0.0.3, both on the same port as two machines would be;
HAProxy (``deploy/classroom.py --workers 0 --backend …``, a balancer with no workers of its own)
on 127.0.0.1; a throwaway PostgreSQL (``tests/pg_support.py``) on 127.0.0.4. The workers get the
cookie secret and the database URL — with a password in it — from the environment only.

What must hold: new browsers are spread over both hosts and each stays on its host, an upload
included (by HAProxy's cookie); no secret on any command line; both hosts use the one database;
and when a host is taken away mid-class, HAProxy's health check marks it down, its browsers
reconnect to the other host with their state, and every answer the store acknowledged is still
there (the class driven through the Live class page, ``tests/live_class_support.py``).

Without HAProxy or PostgreSQL these tests skip with the reason; under ``CI=true`` (where
``.ci/run`` installs both) they fail instead. The last test takes a host away: it runs last.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pg_support import IN_CI, throwaway_postgres

import pooling_live as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "deploy"))

import classroom  # noqa: E402
from browser_support import phone_photo_jpeg  # noqa: E402
from hosts_support import (  # noqa: E402
    DATABASE_HOST,
    HOSTS,
    Deployment,
    class_database,
    command_line_of,
    environ_of,
)
from live_class_support import LiveClass  # noqa: E402
from streamlit_client import Session, run_sync  # noqa: E402

# PostgreSQL trusts every local connection here, so this password is never checked: it is in the
# URL to show that the URL, password and all, stays out of every command line and log.
PASSWORD = "pw-" + secrets.token_hex(8)


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    if classroom.find_haproxy() is None:
        if IN_CI:
            pytest.fail(f"CI=true, so HAProxy is required: {classroom.INSTALL_HINT}",
                        pytrace=False)
        pytest.skip(f"several-hosts tests skipped: {classroom.INSTALL_HINT}")
    with throwaway_postgres(DATABASE_HOST) as server, Deployment(
            tmp_path_factory.mktemp("hosts"), class_database(server, PASSWORD)) as running:
        yield running


def shape_line(run) -> str:
    return next(text for text in run.texts if text.startswith("Shape:"))


async def open_sessions(url: str, count: int) -> list[Session]:
    sessions = [Session(url) for _ in range(count)]
    runs = await asyncio.gather(*(session.open("lang=en") for session in sessions))
    for run in runs:
        assert run.exceptions == [] and shape_line(run) == "Shape: 1×4×4 → 1×2×2"
    return sessions


# -- without servers ------------------------------------------------------------------------------
def test_backends_are_read_as_host_and_port():
    assert classroom.parse_backend("10.0.0.2:8601") == "10.0.0.2:8601"
    assert classroom.parse_backend(" host-2.school.example:08601 ") == (
        "host-2.school.example:8601")
    assert classroom.parse_backend("[fd00::2]:8601") == "[fd00::2]:8601"
    for bad, says in [("10.0.0.2", "HOST:PORT"), (":8601", "HOST:PORT"),
                      ("10.0.0.2:0", "1 to 65535"), ("10.0.0.2:http", "1 to 65535"),
                      ("10.0.0.2:70000", "1 to 65535"), ("two words:80", "neither"),
                      ("a..b:80", "neither"), ("x;y:80", "neither")]:
        with pytest.raises(ValueError, match=says):
            classroom.parse_backend(bad)
    text = classroom.config_text([8601], ["10.0.0.2:8601", "10.0.0.3:8601"])
    servers = [line.split() for line in text.splitlines() if line.strip().startswith("server ")]
    assert [words[1:3] + words[-1:] for words in servers] == [
        ["w1", "127.0.0.1:8601", "w1"], ["h1", "10.0.0.2:8601", "h1"],
        ["h2", "10.0.0.3:8601", "h2"]]


def test_local_and_remote_workers_without_a_shared_secret_are_refused(monkeypatch):
    monkeypatch.setattr(classroom, "find_haproxy", lambda: "/usr/sbin/haproxy")
    monkeypatch.delenv(classroom.SECRET_ENV, raising=False)
    with pytest.raises(SystemExit, match=classroom.SECRET_ENV):
        classroom.Classroom(2, backends=["10.0.0.2:8601"])
    with pytest.raises(SystemExit, match="HOST:PORT"):
        classroom.Classroom(0, backends=["10.0.0.2"])
    with pytest.raises(SystemExit, match="no workers"):
        classroom.Classroom(0)
    classroom.Classroom(0, backends=["10.0.0.2:8601"])  # a balancer alone needs no secret


def run_worker(env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {name: value for name, value in os.environ.items()
            if name not in (classroom.SECRET_ENV, classroom.DATABASE_ENV)}
    return subprocess.run([sys.executable, str(ROOT / "deploy" / "worker.py"), "--address",
                           "127.0.0.2", "--port", "1"], env={**base, **env}, capture_output=True,
                          text=True, timeout=120, check=False)


def test_a_worker_without_what_it_needs_says_so(tmp_path):
    for env, says in [({}, "No cookie secret"),
                      ({classroom.SECRET_ENV: "short"}, "at least 32"),
                      ({classroom.SECRET_ENV: "s" * 40,
                        classroom.DATABASE_ENV: f"nosuchdb://u:{PASSWORD}@h/x"},
                       "not a database URL"),
                      ({classroom.SECRET_ENV: "s" * 40,
                        classroom.DATABASE_ENV: f"no url at all {PASSWORD}"},
                       "not a database URL")]:
        done = run_worker({**env, classroom.DATA_DIR_ENV: str(tmp_path)})
        assert done.returncode == 2 and says in done.stderr, done.stderr
        assert "Traceback" not in done.stderr and PASSWORD not in done.stderr + done.stdout


# -- two hosts, one balancer, one database --------------------------------------------------------
def test_no_secret_on_any_command_line(deployment):
    pids = [process.pid for process in deployment.workers.values()] + [deployment.room.balancer.pid]
    listing = subprocess.run(["ps", "-eo", "pid,args", "--no-headers"], capture_output=True,
                             text=True, check=True).stdout
    for pid in pids:
        assert str(pid) in listing  # each process is there for `ps` to show …
        shown = command_line_of(pid)
        # … and neither its command line nor `ps` shows the secret or the database's password
        assert deployment.secret not in shown and PASSWORD not in shown
    assert deployment.secret not in listing and PASSWORD not in listing
    for host, process in deployment.workers.items():
        # the workers have them from their environment (worker.py became Streamlit: same pid)
        assert f"--server.address {host}" in command_line_of(process.pid)
        env = environ_of(process.pid)
        assert env[classroom.SECRET_ENV] == deployment.secret
        assert env[classroom.DATABASE_ENV] == deployment.database_url
        # the worker checked the shared database before it started, and said where it is
        # without the password
        log = deployment.log(host)
        assert f"classes in postgresql+psycopg://postgres:***@{DATABASE_HOST}:" in log
        assert PASSWORD not in log
    assert classroom.SECRET_ENV not in environ_of(deployment.room.balancer.pid)


def test_sessions_are_spread_over_both_hosts_and_each_stays_on_its_host(deployment):
    async def scenario():
        sessions = await open_sessions(deployment.room.url, 4)
        cookies = [session.cookie("PLAB_WORKER") for session in sessions]
        assert {deployment.server_of(cookie) for cookie in cookies} == set(HOSTS), cookies
        for session, kernel in zip(sessions, (3, 4, 3, 4), strict=True):
            run = await session.rerun(p_kernel_h=kernel)
            # by hand: a k×2 window with stride k×2 over 4×4 gives ⌊(4 − k)/k⌋ + 1 = 1 row
            assert shape_line(run) == "Shape: 1×4×4 → 1×1×2" and run.exceptions == []
            session.load_page("lang=en")
        assert [session.cookie("PLAB_WORKER") for session in sessions] == cookies
        for session in sessions:
            await session.close()

    run_sync(scenario())


def test_an_upload_reaches_the_host_that_holds_the_session(deployment):
    photo = phone_photo_jpeg(160, 120, seed=3)

    async def scenario():
        session = (await open_sessions(deployment.room.url, 1))[0]
        await session.rerun(in_source="Upload")
        run = await session.upload("in_upload", "class.jpg", photo, "image/jpeg")
        assert run.exceptions == [] and shape_line(run) == "Shape: 1×120×160 → 1×60×80"
        # the control: the other host holds no such session and refuses the file
        other = "h1" if session.cookie("PLAB_WORKER") == "h2" else "h2"
        for cookie in session.cookies:
            if cookie.name == "PLAB_WORKER":
                cookie.value = other
        with pytest.raises(OSError) as refused:
            await session.upload("in_upload", "lost.jpg", photo, "image/jpeg")
        assert getattr(refused.value, "code", None) == 400
        await session.close()

    run_sync(scenario())


def test_both_hosts_use_the_one_database(deployment):
    urls = {host: environ_of(process.pid)[classroom.DATABASE_ENV]
            for host, process in deployment.workers.items()}
    first, second = HOSTS
    # a class made with the first host's settings …
    with pl.Store.open(urls[first]) as store:
        code, key = store.create_class()
        student = store.join(code, "Ada")
        question = store.ask(code, key, {"ask": "shape"})
        store.answer(code, student, question, "2×2")
    # … is there for the second host's, with its answer
    with pl.Store.open(urls[second]) as store:
        assert store.student(code, student).nickname == "Ada"
        assert [(a.nickname, a.text) for a in store.answers(code, key, question)] == [
            ("Ada", "2×2")]
        # and both reach it on the database's own host
        with store.engine.connect() as connection:
            server = connection.exec_driver_sql("SELECT inet_server_addr()").scalar()
        assert str(server) == DATABASE_HOST


def test_a_host_taken_away_mid_class(deployment):
    """Runs last: the host taken away does not come back.

    The class is driven through the Live class page (``tests/live_class_support.py``): the
    teacher on one session through the balancer, three students joining one after another by the
    join link (HAProxy's least-connections puts them on both hosts), two questions; while the
    first question's answers arrive, the host that holds students but not the teacher is switched
    off (its worker killed)."""
    live = LiveClass(deployment.url, students=3, questions=2, kill_during=0,
                     worker_of=lambda cookie: deployment.workers[deployment.server_of(cookie)],
                     database_url=deployment.database_url, join_together=False)
    report = run_sync(live.run())
    assert report.errors == []
    # a student on each host, the teacher on one of them
    hosts = {sid: deployment.server_of(cookie) for sid, cookie in report.placement.items()}
    assert set(hosts.values()) == set(HOSTS), hosts
    gone = deployment.server_of(report.killed)
    assert gone != deployment.server_of(report.teacher_on)
    assert deployment.workers[gone].poll() is not None  # the host is off
    # HAProxy's health check marked it down
    deadline = time.monotonic() + 60
    while f"streamlit/{report.killed} is DOWN" not in deployment.haproxy_log():
        assert time.monotonic() < deadline, deployment.haproxy_log()[-2000:]
        time.sleep(0.5)
    # its students reconnected to the other host and came back as themselves (by their link) …
    assert report.moved == [sid for sid, host in hosts.items() if host == gone] != []
    assert sorted(report.rejoined) == sorted(report.moved)
    (other,) = set(HOSTS) - {gone}
    for student in live.students:
        assert deployment.server_of(student.session.cookie("PLAB_WORKER")) == other
    # … every answer a page acknowledged is in the one database, word for word, nothing else,
    # and the class went on: the second question answered by all three on the host left
    assert len(report.acknowledged) == 3 * 2
    assert report.stored == report.acknowledged
    assert {question for _, question in report.stored} == set(report.questions)
