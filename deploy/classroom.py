"""``make classroom``: one Streamlit process per core behind HAProxy, on http://localhost:8501.

    .venv/bin/python deploy/classroom.py                 # one worker per core
    .venv/bin/python deploy/classroom.py --workers 3 --bind :8080
    .venv/bin/python deploy/classroom.py --backend 10.0.0.2:8601 --backend 10.0.0.3:8601


A Streamlit process runs every session's script under one interpreter lock, so a class of 30
opening one link queues up behind a single core. This starts ``--workers`` processes on loopback
ports and HAProxy in front (``deploy/haproxy.cfg``): a new browser goes to the least busy worker,
and a cookie HAProxy sets keeps everything of that browser — its websocket, its uploads, its
media — on the worker that holds its session (not the client's IP: a classroom shares one NAT
address). The workers share one ``server.cookieSecret`` and keep XSRF protection on. Ctrl-C
stops them all. ``make run`` stays the one-process way.

Past one machine, ``--backend HOST:PORT`` (repeated, or ``BACKENDS="a:p b:p"``) adds workers
that run on other hosts (``make worker`` there, ``deploy/worker.py``) to the same HAProxy backend,
with the same cookie affinity and health checks; ``--workers 0`` leaves this machine a balancer
only. Every worker of one deployment takes the cookie secret and the class database from the
environment (:data:`SECRET_ENV`, :data:`DATABASE_ENV`), never from the command line, where ``ps``
would show them to every user of the machine.
"""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import os
import secrets
import shutil
import signal
import socket
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
# Streamlit reads its options from STREAMLIT_<SECTION>_<NAME> variables: this one is
# ``server.cookieSecret``, which signs its cookies; every worker a browser may land on (after a
# failover too) must share it.
SECRET_ENV = "STREAMLIT_SERVER_COOKIE_SECRET"
# The live class's database (pooling_live.database_url) and the data folder of its SQLite default.
DATABASE_ENV = "PLAB_DATABASE_URL"
DATA_DIR_ENV = "PLAB_DATA_DIR"
HEALTH_PATH = "/_stcore/health"
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


def parse_backend(text: str) -> str:
    """``HOST:PORT`` (``[v6]:PORT`` for IPv6) as HAProxy's server address, or ValueError with a
    message that says what is wrong."""
    host, sep, port = text.strip().rpartition(":")
    if not sep or not host:
        raise ValueError(f"a backend is HOST:PORT, such as 10.0.0.2:8601; got {text!r}")
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        raise ValueError(f"the port of backend {text!r} is not a number from 1 to 65535")
    bare = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        ipaddress.ip_address(bare)
    except ValueError:
        # a host name: letters, digits, dots and hyphens (it goes into HAProxy's config)
        if not all(part and part.replace("-", "").isalnum() for part in bare.split(".")):
            raise ValueError(f"{host!r} in backend {text!r} is neither an IP address nor a "
                             "host name") from None
    return f"{host}:{int(port)}"


def config_text(ports: list[int], backends: list[str] = ()) -> str:
    """``deploy/haproxy.cfg`` with one ``server`` line per local worker port (``w1``, ``w2``, …)
    and per worker on another host (``h1``, ``h2``, …: the affinity cookie's values)."""
    lines_of = [f"    server w{i} 127.0.0.1:{port} check cookie w{i}"
                for i, port in enumerate(ports, 1)]
    lines_of += [f"    server h{i} {parse_backend(backend)} check cookie h{i}"
                 for i, backend in enumerate(backends, 1)]
    servers = "\n".join(lines_of)
    lines = TEMPLATE.read_text().splitlines()
    return "\n".join(servers if line == "@WORKERS@" else line for line in lines) + "\n"


def _healthy(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with urllib.request.urlopen(f"http://{host}:{port}{HEALTH_PATH}", timeout=2) as r:
            return r.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def _listening(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def worker_command(address: str, port: int) -> list[str]:
    """The command of one worker: ``streamlit run app.py`` bound to ``address:port``. No secret
    in it (they come from the environment)."""
    return [sys.executable, "-m", "streamlit", "run", str(REPO_ROOT / "app.py"),
            "--server.address", address, "--server.port", str(port),
            "--server.headless", "true",
            "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"]


class Classroom:
    """The workers and HAProxy, for as long as the ``with`` block (or :meth:`wait`) lasts."""

    def __init__(self, workers: int, bind: str = ":8501", first_port: int = 8601,
                 run_dir: Path = RUN_DIR, quiet: bool = False, backends: list[str] = ()):
        self.haproxy = find_haproxy()
        if self.haproxy is None:
            raise SystemExit(INSTALL_HINT)
        try:
            self.backends = [parse_backend(backend) for backend in backends]
        except ValueError as error:
            raise SystemExit(str(error)) from None
        if workers < 1 and not self.backends:
            raise SystemExit("no workers: give --workers 1 or more, or --backend HOST:PORT")
        if workers and self.backends and not os.environ.get(SECRET_ENV):
            # a generated secret would be this machine's alone
            raise SystemExit(f"workers here and on other hosts must share one cookie secret: "
                             f"set {SECRET_ENV} in the environment, to the value the other "
                             "hosts' workers have")
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
        secret = os.environ.get(SECRET_ENV) or secrets.token_hex(32)
        try:
            for index, port in enumerate(self.ports, 1):
                log = self._log(f"worker-{index}.log")
                self.workers.append(subprocess.Popen(
                    worker_command("127.0.0.1", port),
                    cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                    # a secret is not allowed on the command line, where `ps` shows it
                    env={**os.environ, "PYTHONUNBUFFERED": "1", SECRET_ENV: secret}))
            self._wait(lambda: all(_healthy(port) for port in self.ports), "the workers")
            config = self.run_dir / "haproxy.cfg"
            config.write_text(config_text(self.ports, self.backends))
            log = self._log("haproxy.log")
            self.balancer = subprocess.Popen(
                [self.haproxy, "-f", str(config), "-db"], stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, env=dict(os.environ, BIND=self.bind))
            front_port = int(self.bind.rpartition(":")[2])
            if self.ports:
                self._wait(lambda: _healthy(front_port), "HAProxy")
            else:
                # the other hosts' workers may not be up yet: HAProxy's checks will find them
                self._wait(lambda: _listening(front_port), "HAProxy")
            self.warm_up()
        except BaseException:
            self.stop()
            raise
        if not self.quiet:
            here = (f"{len(self.ports)} workers on 127.0.0.1:{self.ports[0]}…{self.ports[-1]}"
                    if self.ports else "no workers here")
            there = f", on other hosts {' '.join(self.backends)}" if self.backends else ""
            print(f"Pooling Lab for a classroom: {self.url}  ({here}{there}; logs in "
                  f"{self.run_dir})", flush=True)
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
    parser.add_argument("--workers", type=int,
                        default=int(os.environ.get("WORKERS") or (os.cpu_count() or 2)),
                        help="Streamlit processes here (default: one per core; 0 with "
                             "--backend: a balancer only)")
    parser.add_argument("--backend", action="append", metavar="HOST:PORT",
                        default=os.environ.get("BACKENDS", "").split(),
                        help="a worker on another host (`make worker` there); repeat for more")
    parser.add_argument("--bind", default=os.environ.get("BIND", ":8501"),
                        help="where HAProxy listens (default :8501, every interface)")
    parser.add_argument("--first-port", type=int, default=8601,
                        help="the workers listen on 127.0.0.1 from this port on")
    args = parser.parse_args()
    if args.workers < 0 or (args.workers == 0 and not args.backend):
        parser.error("--workers must be at least 1 (0 only with --backend)")
    for backend in args.backend:
        try:
            parse_backend(backend)
        except ValueError as error:
            parser.error(str(error))
    signal.signal(signal.SIGTERM, _stop_on_signal)
    return Classroom(args.workers, args.bind, args.first_port,
                     backends=args.backend).__enter__().wait()


if __name__ == "__main__":
    sys.exit(main())
