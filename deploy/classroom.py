"""``make classroom``: one Streamlit process per core behind HAProxy, on http://localhost:8501.

    .venv/bin/python deploy/classroom.py                 # one worker per core
    .venv/bin/python deploy/classroom.py --workers 3 --bind :8080

A Streamlit process runs every session's script under one interpreter lock, so a class of 30
opening one link queues up behind a single core. This starts ``--workers`` processes on loopback
ports and HAProxy in front (``deploy/haproxy.cfg``): a new browser goes to the least busy worker,
and a cookie HAProxy sets keeps everything of that browser — its websocket, its uploads, its
media — on the worker that holds its session (not the client's IP: a classroom shares one NAT
address). The workers share one ``server.cookieSecret`` and keep XSRF protection on. Ctrl-C
stops them all. ``make run`` stays the one-process way.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "deploy"))
TEMPLATE = REPO_ROOT / "deploy" / "haproxy.cfg"
RUN_DIR = REPO_ROOT / ".classroom"
START_TIMEOUT_S = 120.0
INSTALL_HINT = (
    "HAProxy is not installed, and `make classroom` puts it in front of the Streamlit processes. "
    "Install it with `sudo apt-get install haproxy` (Debian/Ubuntu) or `brew install haproxy` "
    "(macOS), or point HAPROXY at its executable. `make run` needs no HAProxy."
)


# Debian puts HAProxy in /usr/sbin, which is not on every user's PATH.
USUAL_PLACES = ("/usr/sbin/haproxy", "/usr/local/sbin/haproxy")


def find_haproxy() -> str | None:
    """``$HAPROXY``, ``haproxy`` on the PATH, or one of :data:`USUAL_PLACES`; None if none runs."""
    candidates = [os.environ.get("HAPROXY"), shutil.which("haproxy"), *USUAL_PLACES]
    return next((path for path in candidates if path and os.access(path, os.X_OK)), None)


def config_text(ports: list[int]) -> str:
    """``deploy/haproxy.cfg`` with one ``server`` line per worker port."""
    servers = "\n".join(f"    server w{i} 127.0.0.1:{port} check cookie w{i}"
                        for i, port in enumerate(ports, 1))
    lines = TEMPLATE.read_text().splitlines()
    return "\n".join(servers if line == "@WORKERS@" else line for line in lines) + "\n"


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
            return r.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


class Classroom:
    """The workers and HAProxy, for as long as the ``with`` block (or :meth:`wait`) lasts."""

    def __init__(self, workers: int, bind: str = ":8501", first_port: int = 8601,
                 run_dir: Path = RUN_DIR, quiet: bool = False):
        self.haproxy = find_haproxy()
        if self.haproxy is None:
            raise SystemExit(INSTALL_HINT)
        self.ports = [first_port + i for i in range(workers)]
        self.bind = bind
        self.run_dir = run_dir
        self.quiet = quiet
        self.workers: list[subprocess.Popen] = []
        self.balancer: subprocess.Popen | None = None
        self._logs: list = []

    @property
    def url(self) -> str:
        host, _, port = self.bind.rpartition(":")
        return f"http://{host if host not in ('', '*', '0.0.0.0') else '127.0.0.1'}:{port}"

    @property
    def pids(self) -> list[int]:
        return [process.pid for process in self.workers]

    def __enter__(self) -> Classroom:
        self.run_dir.mkdir(exist_ok=True)
        secret = secrets.token_hex(32)
        try:
            for index, port in enumerate(self.ports, 1):
                log = self._log(f"worker-{index}.log")
                self.workers.append(subprocess.Popen(
                    [sys.executable, "-m", "streamlit", "run", "app.py",
                     "--server.address", "127.0.0.1", "--server.port", str(port),
                     "--server.headless", "true",
                     "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"],
                    cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                    # a secret is not allowed on the command line, where `ps` shows it
                    env=dict(os.environ, PYTHONUNBUFFERED="1",
                             STREAMLIT_SERVER_COOKIE_SECRET=secret)))
            self._wait(lambda: all(_healthy(port) for port in self.ports), "the workers")
            config = self.run_dir / "haproxy.cfg"
            config.write_text(config_text(self.ports))
            log = self._log("haproxy.log")
            self.balancer = subprocess.Popen(
                [self.haproxy, "-f", str(config), "-db"], stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, env=dict(os.environ, BIND=self.bind))
            front_port = int(self.bind.rpartition(":")[2])
            self._wait(lambda: _healthy(front_port), "HAProxy")
            self.warm_up()
        except BaseException:
            self.stop()
            raise
        if not self.quiet:
            print(f"Pooling Lab for a classroom: {self.url}  ({len(self.ports)} workers on "
                  f"127.0.0.1:{self.ports[0]}…{self.ports[-1]}; logs in {self.run_dir})",
                  flush=True)
        return self

    def warm_up(self) -> None:
        """One session on each worker, straight to its port: the first run of a process imports
        plotly and PyTorch (for the cross-check badge) and fills the default view's caches, about
        2 s that would otherwise fall on the first student of each worker."""
        import asyncio

        from streamlit_client import Session, run_sync

        async def visit(port: int) -> None:
            session = Session(f"http://127.0.0.1:{port}")
            try:
                await session.open()
            finally:
                await session.close()

        async def visit_all() -> None:
            await asyncio.gather(*(visit(port) for port in self.ports))

        run_sync(visit_all())

    def _log(self, name: str):
        log = (self.run_dir / name).open("wb")
        self._logs.append(log)
        return log

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def _wait(self, ready, what: str) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            dead = [p for p in [*self.workers, self.balancer]
                    if p is not None and p.poll() is not None]
            if dead:
                raise RuntimeError(f"{what}: a process exited early; see {self.run_dir}/*.log")
            if ready():
                return
            time.sleep(0.25)
        raise RuntimeError(f"{what} did not answer within {START_TIMEOUT_S:.0f} s")

    def wait(self) -> int:
        """Until Ctrl-C, or until a process dies; then stop the rest."""
        with contextlib.suppress(KeyboardInterrupt):
            while all(p.poll() is None for p in [*self.workers, self.balancer]):
                time.sleep(0.5)
        self.stop()
        return 0

    def stop(self) -> None:
        for process in [self.balancer, *self.workers]:
            if process is not None and process.poll() is None:
                process.terminate()
        for process in [self.balancer, *self.workers]:
            if process is not None:
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
        for log in self._logs:
            log.close()


def _stop_on_signal(signum, frame) -> None:
    raise KeyboardInterrupt  # the same orderly stop as Ctrl-C


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS") or 0) or
                        (os.cpu_count() or 2), help="Streamlit processes (default: one per core)")
    parser.add_argument("--bind", default=os.environ.get("BIND", ":8501"),
                        help="where HAProxy listens (default :8501, every interface)")
    parser.add_argument("--first-port", type=int, default=8601,
                        help="the workers listen on 127.0.0.1 from this port on")
    args = parser.parse_args()
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    signal.signal(signal.SIGTERM, _stop_on_signal)
    return Classroom(args.workers, args.bind, args.first_port).__enter__().wait()


if __name__ == "__main__":
    sys.exit(main())
