"""``make classroom`` for real: two Streamlit workers behind HAProxy, driven over Streamlit's own
websocket protocol (``deploy/streamlit_client.py``), loopback only.

What must hold for a class: a new browser may land on either worker, but everything of one
browser — the page, the websocket, an upload to ``/_stcore/upload_file/…`` — reaches the worker
that holds its session, by the cookie HAProxy sets (not by IP: every test client here has the same
address, as a classroom behind NAT has). The control case shows the cookie is what does it: the
same upload sent with the other worker's cookie is refused by Streamlit.

Without HAProxy these tests skip with the reason; under ``CI=true`` (where ``.ci/run`` installs
it) they fail instead.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import urllib.error
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "deploy"))

import classroom  # noqa: E402
from browser_support import phone_photo_jpeg  # noqa: E402
from live_class_support import consecutive_free_ports  # noqa: E402
from streamlit_client import Session, run_sync  # noqa: E402


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def room(tmp_path_factory):
    if classroom.find_haproxy() is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true, so HAProxy is required: {classroom.INSTALL_HINT}",
                        pytrace=False)
        pytest.skip(f"classroom tests skipped: {classroom.INSTALL_HINT}")
    with classroom.Classroom(2, bind=f"127.0.0.1:{free_port()}",
                             first_port=consecutive_free_ports(2),
                             run_dir=tmp_path_factory.mktemp("classroom"), quiet=True) as running:
        yield running


def shape_line(run) -> str:
    return next(text for text in run.texts if text.startswith("Shape:"))


async def open_sessions(url: str, count: int, query: str = "lang=en") -> list[Session]:
    sessions = [Session(url) for _ in range(count)]
    runs = await asyncio.gather(*(session.open(query) for session in sessions))
    for run in runs:
        assert run.exceptions == [] and shape_line(run) == "Shape: 1×4×4 → 1×2×2"
    return sessions


def test_new_browsers_are_spread_and_each_one_stays_on_its_worker(room):
    async def scenario():
        sessions = await open_sessions(room.url, 4)
        workers = [session.cookie("PLAB_WORKER") for session in sessions]
        assert set(workers) == {"w1", "w2"}, workers  # the least busy worker takes a newcomer
        for session, kernel in zip(sessions, (3, 4, 3, 4), strict=True):
            run = await session.rerun(p_kernel_h=kernel)
            # by hand: a k×2 window with stride k×2 over 4×4 gives ⌊(4 − k)/k⌋ + 1 = 1 row
            assert shape_line(run) == "Shape: 1×4×4 → 1×1×2" and run.exceptions == []
            session.load_page("lang=en")  # a reload of the page keeps the worker
        assert [session.cookie("PLAB_WORKER") for session in sessions] == workers
        for session in sessions:
            await session.close()

    run_sync(scenario())


def test_an_upload_reaches_the_worker_that_holds_the_session(room):
    photo = phone_photo_jpeg(320, 240, seed=2)

    async def scenario():
        session = (await open_sessions(room.url, 1))[0]
        await session.rerun(in_source="Upload")
        run = await session.upload("in_upload", "class.jpg", photo, "image/jpeg")
        assert run.exceptions == [] and shape_line(run) == "Shape: 1×240×320 → 1×120×160"
        # the control: the same kind of upload sent with the other worker's cookie
        other = "w1" if session.cookie("PLAB_WORKER") == "w2" else "w2"
        for cookie in session.cookies:
            if cookie.name == "PLAB_WORKER":
                cookie.value = other
        with pytest.raises(urllib.error.HTTPError) as refused:
            await session.upload("in_upload", "lost.jpg", photo, "image/jpeg")
        assert refused.value.code == 400  # Streamlit: "Invalid session_id … sticky sessions"
        await session.close()

    run_sync(scenario())


def test_the_config_is_valid_haproxy_with_one_server_per_worker(room, tmp_path):
    config = tmp_path / "haproxy.cfg"
    config.write_text(classroom.config_text([8601, 8602, 8603]))
    checked = subprocess.run([room.haproxy, "-c", "-f", str(config)], capture_output=True,
                             text=True, env=dict(os.environ, BIND="127.0.0.1:8599"), check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    text = config.read_text()
    assert [line.split()[1] for line in text.splitlines()
            if line.strip().startswith("server ")] == ["w1", "w2", "w3"]
    assert "cookie PLAB_WORKER insert" in text and "balance source" not in text


def test_without_haproxy_the_command_says_how_to_install_it(monkeypatch):
    monkeypatch.setenv("HAPROXY", "/nonexistent/haproxy")
    monkeypatch.setattr(classroom.shutil, "which", lambda name: None)
    monkeypatch.setattr(classroom, "USUAL_PLACES", ())
    with pytest.raises(SystemExit) as stopped:
        classroom.Classroom(2)
    assert "apt-get install haproxy" in str(stopped.value)
