"""Several hosts on one machine: Pooling Lab's workers on 127.0.0.2 and 127.0.0.3 (what
``make worker`` runs on a real host), HAProxy in front on 127.0.0.1 (``deploy/classroom.py
--workers 0 --backend …``), and a PostgreSQL on 127.0.0.4 given by the caller.

Linux routes all of 127.0.0.0/8 to the loopback interface, so each address is a host of its own
here, and both workers listen on the same port as two machines would. The workers get the cookie
secret and the database URL from the environment only. Used by ``tests/test_deploy_hosts.py`` and
``benchmarks/load_test.py --mode hosts``.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "deploy"))

import classroom  # noqa: E402
import worker  # noqa: E402

HOSTS = ("127.0.0.2", "127.0.0.3")
DATABASE_HOST = "127.0.0.4"
START_TIMEOUT_S = 180.0


def port_free_on_every_host() -> int:
    """One port nobody listens on at any of :data:`HOSTS` (two machines would use the same)."""
    while True:
        with socket.socket() as probe:
            probe.bind((HOSTS[0], 0))
            port = probe.getsockname()[1]
        try:
            for host in HOSTS[1:]:
                with socket.socket() as probe:
                    probe.bind((host, port))
            return port
        except OSError:
            continue


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def environ_of(pid: int) -> dict[str, str]:
    """The environment a running process was started with (``/proc/PID/environ``)."""
    raw = Path(f"/proc/{pid}/environ").read_bytes()
    return dict(item.split("=", 1) for item in raw.decode().split("\0") if "=" in item)


def command_line_of(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


def class_database(server: str, password: str) -> str:
    """A new database ``plab`` on ``server`` (``postgresql+psycopg://postgres@HOST:PORT``), as the
    URL a school would write: ``postgresql://postgres:PASSWORD@HOST:PORT/plab``."""
    admin = sa.create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql('CREATE DATABASE "plab"')
    admin.dispose()
    return server.replace("postgresql+psycopg://postgres@",
                          f"postgresql://postgres:{password}@") + "/plab"


class Deployment:
    """Two worker hosts and one balancer on a database, for as long as the ``with`` block lasts."""

    def __init__(self, run_dir: Path, database_url: str):
        self.run_dir = run_dir
        self.database_url = database_url
        self.secret = secrets.token_hex(32)
        self.port = port_free_on_every_host()
        self.workers: dict[str, subprocess.Popen] = {}
        self.room: classroom.Classroom | None = None
        self._logs: list = []

    @property
    def url(self) -> str:
        return self.room.url

    @property
    def pids(self) -> list[int]:
        return [process.pid for process in self.workers.values()]

    def environment(self) -> dict[str, str]:
        env = {name: value for name, value in os.environ.items()
               if name not in (classroom.SECRET_ENV, classroom.DATABASE_ENV)}
        return {**env, "PYTHONUNBUFFERED": "1", classroom.SECRET_ENV: self.secret,
                classroom.DATABASE_ENV: self.database_url,
                classroom.DATA_DIR_ENV: str(self.run_dir / "data")}

    def __enter__(self) -> Deployment:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def start(self) -> None:
        for host in HOSTS:
            log = (self.run_dir / f"worker-{host}.log").open("wb")
            self._logs.append(log)
            self.workers[host] = subprocess.Popen(
                [sys.executable, str(ROOT / "deploy" / "worker.py"), "--address", host,
                 "--port", str(self.port)],
                cwd=ROOT, env=self.environment(), stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + START_TIMEOUT_S
        while not all(worker.probe(self.port, host) for host in HOSTS):
            dead = [host for host, process in self.workers.items() if process.poll() is not None]
            if dead or time.monotonic() > deadline:
                logs = {host: self.log(host)[-2000:] for host in HOSTS}
                raise RuntimeError(f"workers did not start (exited: {dead}): {logs}")
            time.sleep(0.5)
        # the balancer's host has neither the secret nor the database in its environment
        self.room = classroom.Classroom(
            0, bind=f"127.0.0.1:{free_port()}",
            backends=[f"{host}:{self.port}" for host in HOSTS],
            run_dir=self.run_dir, quiet=True).__enter__()

    def warm_up(self) -> None:
        """A first session on each host, straight to it, as ``make classroom`` gives its own
        workers (the imports and the default view's caches)."""
        import asyncio

        from streamlit_client import Session, run_sync

        async def visit(host: str) -> None:
            session = Session(f"http://{host}:{self.port}")
            try:
                await session.open()
            finally:
                await session.close()

        async def visit_all() -> None:
            await asyncio.gather(*(visit(host) for host in HOSTS))

        run_sync(visit_all())

    def log(self, host: str) -> str:
        return (self.run_dir / f"worker-{host}.log").read_text(errors="replace")

    def haproxy_log(self) -> str:
        return (self.run_dir / "haproxy.log").read_text(errors="replace")

    def server_of(self, cookie: str) -> str:
        """The address HAProxy's config gives the server whose affinity cookie is ``cookie``."""
        for line in (self.run_dir / "haproxy.cfg").read_text().splitlines():
            words = line.split()
            if words[:1] == ["server"] and words[-2:] == ["cookie", cookie]:
                return words[2].rpartition(":")[0]
        raise LookupError(cookie)

    def stop(self) -> None:
        if self.room is not None:
            self.room.stop()
        for process in self.workers.values():
            if process.poll() is None:
                process.terminate()
        for process in self.workers.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        for log in self._logs:
            log.close()
