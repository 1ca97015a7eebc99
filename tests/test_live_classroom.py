"""The live class on ``make classroom`` (two workers behind HAProxy), through the Live class page,
over Streamlit's websocket protocol: a tiny version of ``benchmarks/live_load_test.py --mode
kill``, checked rather than timed.

A teacher and three students (``tests/live_class_support.py``: the teacher starts a class on
the page, the students open its join link, type a nickname and join; the teacher changes the
kernel and every student's sidebar must follow; the teacher asks one output cell; each student
answers — right, padding left out, maximum). While the answers arrive, the worker that holds
students but not the teacher is killed. What must hold: its students' pages reconnect through
HAProxy to the other worker and are back in the class as the same students (by the ``me`` in
their link); every answer a page acknowledged is in the store, word for word, and nothing else
(read with :class:`pooling_live.Store` directly); the teacher's page counts them; no page shows
an exception or an error.

Without HAProxy this test skips with the reason; under ``CI=true`` (where ``.ci/run`` installs
it) it fails instead.
"""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "deploy"))

import classroom  # noqa: E402
from live_class_support import LiveClass, consecutive_free_ports  # noqa: E402
from streamlit_client import run_sync  # noqa: E402


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def room(tmp_path, monkeypatch):
    if classroom.find_haproxy() is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true, so HAProxy is required: {classroom.INSTALL_HINT}",
                        pytrace=False)
        pytest.skip(f"live classroom test skipped: {classroom.INSTALL_HINT}")
    # the workers inherit the environment: the class store in this test's own folder
    monkeypatch.setenv(classroom.DATA_DIR_ENV, str(tmp_path / "data"))
    monkeypatch.delenv(classroom.DATABASE_ENV, raising=False)
    with classroom.Classroom(2, bind=f"127.0.0.1:{free_port()}",
                             first_port=consecutive_free_ports(2), run_dir=tmp_path / "run",
                             quiet=True) as running:
        yield running


def test_a_worker_killed_mid_class_loses_no_acknowledged_answer(room, tmp_path):
    live = LiveClass(room.url, students=3, questions=1, kill_during=0,
                     worker_of=lambda cookie: room.workers[int(cookie[1:]) - 1],
                     data_dir=str(tmp_path / "data"), join_together=False)
    report = run_sync(live.run())
    assert report.errors == []
    # three answers, each acknowledged on its page and stored as typed
    assert len(report.acknowledged) == 3
    assert report.stored == report.acknowledged
    assert sorted(report.acknowledged.values()) == sorted(live.expected.values())
    # the killed worker held students but not the teacher; every one of them is back as itself
    assert report.killed is not None and report.killed != report.teacher_on
    assert report.moved == [sid for sid, cookie in report.placement.items()
                            if cookie == report.killed] != []
    assert sorted(report.rejoined) == sorted(report.moved)
    # … on the other worker
    for student in live.students:
        assert student.session.cookie("PLAB_WORKER") != report.killed
    assert room.workers[int(report.killed[1:]) - 1].poll() is not None
