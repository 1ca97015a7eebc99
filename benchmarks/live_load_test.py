"""A live class under load: one teacher and 30 students on the Live class page, over Streamlit's
websocket protocol (``deploy/streamlit_client.py``), no browsers, loopback only.

Run from the repository root::

    .venv/bin/python benchmarks/live_load_test.py                  # the three runs below
    .venv/bin/python benchmarks/live_load_test.py --mode sqlite --students 30 --questions 5
    .venv/bin/python benchmarks/live_load_test.py --mode kill       # a worker killed mid-class
    .venv/bin/python benchmarks/live_load_test.py --mode postgres   # PLAB_DATABASE_URL
    .venv/bin/python benchmarks/live_load_test.py --mode hosts      # several hosts, simulated

Modes: ``sqlite`` is ``make classroom`` (``deploy/classroom.py``: 2 workers behind HAProxy) with
the class store in a throwaway SQLite folder (``PLAB_DATA_DIR``); ``kill`` is the same with the
worker that holds students but not the teacher killed (SIGKILL) while the answers to the middle
question arrive; ``postgres`` is ``make classroom`` on a throwaway PostgreSQL
(``tests/pg_support.py``, ``PLAB_DATABASE_URL``); ``hosts`` and ``hosts-kill`` are past one
machine simulated here (``tests/hosts_support.py``: workers on 127.0.0.2 and 127.0.0.3, HAProxy on
127.0.0.1, PostgreSQL on 127.0.0.4), without and with a host taken away mid-class.

The class itself is :class:`tests.live_class_support.LiveClass` (what it does and what it checks
is said there). Printed, one row per run: answers acknowledged and stored (they must be equal,
answer for answer), the time from sending an answer to the page acknowledging it, the time from
the teacher's kernel change to each student's session receiving it, the time from the teacher
asking to each student's page showing the question, the students that rejoined after a kill, the
errors (an exception or an error shown on any page, a step that never happened). A measurement,
not a test: it never runs under pytest (``tests/test_live_classroom.py`` runs a tiny class).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import secrets
import socket
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
for folder in (REPO_ROOT, REPO_ROOT / "deploy", REPO_ROOT / "tests"):
    sys.path.insert(0, str(folder))

from classroom import DATA_DIR_ENV, DATABASE_ENV, Classroom  # noqa: E402
from live_class_support import LiveClass, consecutive_free_ports, percentile  # noqa: E402

MODES = ("sqlite", "kill", "postgres", "hosts", "hosts-kill")
LABELS = {"sqlite": "make classroom, SQLite", "kill": "make classroom, SQLite, a worker killed",
          "postgres": "make classroom, PostgreSQL",
          "hosts": "2 hosts + HAProxy, PostgreSQL (loopback)",
          "hosts-kill": "2 hosts + HAProxy, PostgreSQL, a host taken away"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


@contextlib.contextmanager
def environment(**values):
    """Set (or, with None, remove) environment variables for the ``with`` block: the workers
    ``deploy/classroom.py`` starts inherit them."""
    saved = {name: os.environ.get(name) for name in values}
    try:
        for name, value in values.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextlib.contextmanager
def servers(mode: str, workers: int):
    """The servers of ``mode``: yields (url, worker_of(cookie) → process, database URL, data
    folder)."""
    from pg_support import throwaway_postgres

    with tempfile.TemporaryDirectory(prefix="plab-live-load-") as folder:
        if mode.startswith("hosts"):
            from hosts_support import DATABASE_HOST, Deployment, class_database

            with throwaway_postgres(DATABASE_HOST) as server, Deployment(
                    Path(folder), class_database(server, secrets.token_hex(8))) as hosts:
                hosts.warm_up()
                yield (hosts.url, lambda cookie: hosts.workers[hosts.server_of(cookie)],
                       hosts.database_url, str(Path(folder) / "data"))
            return
        with contextlib.ExitStack() as stack:
            url = None
            if mode == "postgres":
                from hosts_support import class_database

                server = stack.enter_context(throwaway_postgres("127.0.0.1"))
                url = class_database(server, secrets.token_hex(8))
            stack.enter_context(environment(**{DATA_DIR_ENV: folder, DATABASE_ENV: url}))
            room = stack.enter_context(Classroom(
                workers, bind=f"127.0.0.1:{free_port()}",
                first_port=consecutive_free_ports(workers), quiet=True))
            # config_text names the workers w1, w2, … in the order of room.workers
            yield (room.url, lambda cookie: room.workers[int(cookie[1:]) - 1], url, folder)


def measure(mode: str, args) -> tuple[str, list[str]]:
    with servers(mode, args.workers) as (url, worker_of, database_url, data_dir):
        load = load_average()
        kill = args.questions // 2 if mode.endswith("kill") else None
        live = LiveClass(url, args.students, args.questions, kill_during=kill,
                         worker_of=worker_of, seed=args.seed, database_url=database_url,
                         data_dir=data_dir)
        report = asyncio.run(live.run())
    acked, stored = report.acknowledged, report.stored
    same = "=" if acked == stored else "≠"
    errors = list(report.errors)
    if acked != stored:
        lost = set(acked.items()) - set(stored.items())
        extra = set(stored.items()) - set(acked.items())
        errors.append(f"acknowledged but not stored: {sorted(lost)[:5]}; stored but never "
                      f"acknowledged: {sorted(extra)[:5]}")
    expected = args.students * args.questions
    if len(acked) != expected:
        errors.append(f"{len(acked)} answers acknowledged of {expected} sent")

    def spread(values):
        return (f"{percentile(values, 0.5):.2f} / {percentile(values, 0.95):.2f} / "
                f"{max(values, default=float('nan')):.2f} s")
    moved = (f"{len(report.rejoined)}/{len(report.moved)} in {max(report.rejoin_s):.1f} s, "
             f"{report.resent} resent" if report.moved else "–")
    row = (f"| {LABELS[mode]} | {args.students} × {args.questions} | {len(acked)} {same} "
           f"{len(stored)} | {spread(report.ack_s)} | {report.pressed_again} | "
           f"{spread(report.follow_s)} | {spread(report.question_s)} | {moved} | {len(errors)} | "
           f"{report.wall_s:.0f} s | {load} |")
    return row, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", action="append", choices=MODES,
                        help="repeat for several (default: sqlite, kill, postgres)")
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--questions", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=1, help="run each mode this many times")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    modes = args.mode or ["sqlite", "kill", "postgres"]
    print(f"{time.strftime('%Y-%m-%d %H:%M %Z')}; {cpu_model()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}; load average before: {load_average()}\n")
    print("| run | students × questions | answers acknowledged / stored | ack p50 / p95 / max "
          "| Send pressed again | teacher's change → students p50 / p95 / max | question → "
          "students p50 / p95 / max | rejoined after the kill | errors | wall | load avg "
          "(1/5/15 min) at start |")
    print("|---|---|---:|---:|---:|---:|---:|---|---:|---:|---|")
    for _ in range(args.repeat):
        for mode in modes:
            row, errors = measure(mode, args)
            print(row, flush=True)
            for error in errors[:8]:
                print(f"    error: {error}", flush=True)


if __name__ == "__main__":
    main()
