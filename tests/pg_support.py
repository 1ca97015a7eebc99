"""A throwaway PostgreSQL server for tests: ``initdb`` + ``pg_ctl`` of Debian's ``postgresql``.

Shared by ``tests/test_live_store.py`` (the store's suite on PostgreSQL) and
``tests/test_deploy_hosts.py`` (one database behind workers on several loopback "hosts"). The
server runs as the ``postgres`` user when the tests run as root (it refuses root), listens on the
given loopback address and a free port with its socket in a temporary folder, and is torn down at
the end. Without PostgreSQL, :func:`throwaway_postgres` skips the test with the reason — and fails
it under ``CI=true``, where ``.ci/run`` installs it.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"


def pg_bin() -> Path | None:
    """The folder of ``initdb``/``pg_ctl``: ``$PG_BIN``, Debian's newest
    ``/usr/lib/postgresql/*/bin``, or the PATH."""
    candidates = [os.environ.get("PG_BIN", "")]
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                         key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit()
                         else 0, reverse=True)
    which = shutil.which("initdb")
    candidates.append(str(Path(which).parent) if which else "")
    for folder in candidates:
        if folder and (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    return None


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on at ``host`` right now."""
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _skip_or_fail(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"CI=true, so PostgreSQL is required: {reason}", pytrace=False)
    pytest.skip(reason)


@contextlib.contextmanager
def throwaway_postgres(host: str = "127.0.0.1") -> Iterator[str]:
    """``postgresql+psycopg://postgres@HOST:PORT``: a server listening on ``host`` for as long as
    the ``with`` block lasts (trust authentication, fsync off: test data only)."""
    folder = pg_bin()
    if folder is None:
        _skip_or_fail("PostgreSQL is not installed (no initdb/pg_ctl in /usr/lib/postgresql/*/bin, "
                      "$PG_BIN or the PATH): `apt-get install postgresql`")
    as_user: list[str] = []
    root = tempfile.mkdtemp(prefix="plab-pg-")
    if os.geteuid() == 0:  # the server refuses to run as root
        shutil.chown(root, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    data, log = f"{root}/data", f"{root}/server.log"
    port = free_port(host)
    run = dict(check=True, capture_output=True, text=True, timeout=120)
    try:
        subprocess.run([*as_user, str(folder / "initdb"), "-D", data, "-A", "trust",
                        "-U", "postgres", "-E", "UTF8", "--no-sync"], **run)
        subprocess.run([*as_user, str(folder / "pg_ctl"), "-D", data, "-l", log, "-w",
                        "-o", f"-c listen_addresses={host} -p {port} -k {root} "
                              "-c fsync=off -c max_connections=200", "start"], **run)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as error:
        detail = getattr(error, "stderr", "") or str(error)
        shutil.rmtree(root, ignore_errors=True)
        _skip_or_fail(f"could not start a throwaway PostgreSQL server: {detail.strip()[:500]}")
    try:
        yield f"postgresql+psycopg://postgres@{host}:{port}"
    finally:
        subprocess.run([*as_user, str(folder / "pg_ctl"), "-D", data, "-m", "immediate", "-w",
                        "stop"], capture_output=True, timeout=60, check=False)
        shutil.rmtree(root, ignore_errors=True)
