"""A class opening one link at once: N sessions over Streamlit's websocket protocol, no browsers.

Run from the repository root::

    .venv/bin/python benchmarks/load_test.py                      # make run, then make classroom
    .venv/bin/python benchmarks/load_test.py --mode classroom --sessions 30 --reruns 2
    .venv/bin/python benchmarks/load_test.py --upload distinct    # each student uploads a photo
    .venv/bin/python benchmarks/load_test.py --mode hosts         # two "hosts" on loopback

For each mode the script starts the servers itself on loopback ports, as the Makefile would:
``single`` is ``make run`` (one ``streamlit run`` process), ``classroom`` is ``make classroom``
(``deploy/classroom.py``: one worker per core behind HAProxy, each worker warmed by a first
session), ``hosts`` is past one machine simulated here (``tests/hosts_support.py``: a worker on
127.0.0.2 and one on 127.0.0.3, each started by ``deploy/worker.py`` and warmed, HAProxy on
127.0.0.1, a throwaway PostgreSQL on 127.0.0.4 — all on this machine's cores). A teacher's session
opens the link first; then ``--sessions`` students open it at the same moment (the page's HTTP
request, then the websocket, then a run), and each reruns ``--reruns`` times with a widget change
(the kernel's height, then its width, values drawn per student, so some views are new to the
server). ``--links mix`` (the default) gives the students four links in turn: a random input
seeded per student (a view new to the server), the checkerboard, the sample photo and the worked
example; ``--links one`` gives them all the checkerboard. Each run is timed from the client's
request to the server's ``script_finished``. Printed: p50/p95/max per run, the errors (an
exception element on the page, or a run that never finished), the servers' resident memory (the
workers' RSS summed) before the students and after, and the workers' CPU time over the burst
(user + system, from ``/proc/<pid>/stat``) divided by the runs: the server's cost of a run, which
other work on a shared machine does not inflate the way it inflates the wall-clock times. A
measurement, not a test: it never runs under pytest.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import secrets
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(REPO_ROOT / "deploy"))
sys.path.insert(0, str(REPO_ROOT / "tests"))

from browser_support import StreamlitServer, phone_photo_jpeg  # noqa: E402
from classroom import Classroom  # noqa: E402
from streamlit_client import Session  # noqa: E402

LINK = "input=checkerboard&input_size=16&kind=avg&kernel=3&stride=2&padding=1&lang=zh"


def mixed_link(index: int) -> str:
    """Student ``index``'s link under ``--links mix``: four kinds of link in turn."""
    return (f"input=random&input_size=12&input_seed={index}&kind=max&kernel=2&stride=2",
            LINK,
            "input=photo&kind=avg&kernel=4&stride=4&lang=en",
            "input=worked4x4&kind=max&kernel=2&stride=1")[index % 4]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def rss_mb(pids: list[int]) -> float:
    """Resident memory of the processes, summed, in MiB (Linux /proc)."""
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time the processes have used so far, summed, in seconds (Linux /proc:
    fields 14 and 15 of ``stat``, in clock ticks)."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            # the command name (field 2) may hold spaces: count fields after its ")"
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


class Tally:
    def __init__(self):
        self.seconds: list[float] = []
        self.errors: list[str] = []

    def add(self, run) -> None:
        self.seconds.append(run.seconds)
        self.errors.extend(run.exceptions)


async def student(url: str, index: int, reruns: int, tally: Tally, start: asyncio.Event,
                  photo: bytes | None, sessions: list, link: str) -> None:
    session = Session(url)
    sessions.append(session)
    await start.wait()
    try:
        tally.add(await session.open(link))
        values = [2 + (index + step) % 3 for step in range(reruns)]
        for step, value in enumerate(values):
            key = "p_kernel_h" if step % 2 == 0 else "p_kernel_w"
            tally.add(await session.rerun(**{key: value}))
        if photo is not None:
            # the upload itself is not a timed run: only the memory it leaves is measured
            await session.rerun(in_source="上传" if "lang=zh" in link else "Upload")
            run = await session.upload("in_upload", f"student-{index}.jpg", photo, "image/jpeg")
            tally.errors.extend(run.exceptions)
    except Exception as error:  # a run that never finished is an error, not a crash
        tally.errors.append(f"session {index}: {type(error).__name__}: {error}")


async def teacher(url: str) -> None:
    """The teacher opens the link first (on a fresh ``make run`` this pays the imports)."""
    session = Session(url)
    await session.open(LINK)
    await session.close()


async def classroom_at_once(url: str, sessions_count: int, reruns: int,
                            photos: list[bytes] | None, mix: bool) -> tuple[Tally, list]:
    tally, sessions, start = Tally(), [], asyncio.Event()
    tasks = [asyncio.create_task(student(url, i, reruns, tally, start,
                                         None if photos is None else photos[i % len(photos)],
                                         sessions, mixed_link(i) if mix else LINK))
             for i in range(sessions_count)]
    await asyncio.sleep(0.1)
    start.set()  # everybody clicks the link at the same moment
    await asyncio.gather(*tasks)
    return tally, sessions


@contextlib.contextmanager
def simulated_hosts():
    """Two worker hosts and a balancer on a throwaway PostgreSQL, all on loopback."""
    from hosts_support import DATABASE_HOST, Deployment, class_database
    from pg_support import throwaway_postgres

    with tempfile.TemporaryDirectory(prefix="plab-hosts-") as folder, \
            throwaway_postgres(DATABASE_HOST) as server, \
            Deployment(Path(folder), class_database(server, secrets.token_hex(8))) as hosts:
        hosts.warm_up()
        yield hosts


def measure(mode: str, args, photos: list[bytes] | None) -> tuple[str, list[str]]:
    if mode == "single":
        server = StreamlitServer("app.py", log_name="load-single.log")
    elif mode == "hosts":
        server = simulated_hosts()
    else:
        server = Classroom(args.workers, bind=f"127.0.0.1:{free_port()}",
                           first_port=args.first_port, quiet=True)
    with server as running:
        server = running  # a Deployment out of simulated_hosts()
        pids = [server.process.pid] if mode == "single" else server.pids
        asyncio.run(teacher(server.url))
        before = rss_mb(pids)
        cpu_before = cpu_seconds(pids)
        started = time.perf_counter()

        async def go():
            tally, sessions = await classroom_at_once(server.url, args.sessions, args.reruns,
                                                      photos, args.links == "mix")
            # every run has finished: what the workers spent on the class
            cpu = cpu_seconds(pids) - cpu_before
            after = rss_mb(pids)  # while every student's session is still open
            for session in sessions:
                await session.close()
            return tally, after, cpu

        tally, after, cpu = asyncio.run(go())
        wall = time.perf_counter() - started
    times = sorted(tally.seconds)
    p50 = statistics.median(times)
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    workers = 1 if mode == "single" else args.workers
    label = {"single": "make run (1 process)",
             "hosts": "2 hosts × 1 worker + HAProxy, PostgreSQL (loopback)"}.get(
        mode, f"make classroom ({workers} workers + HAProxy)")
    runs = f"{args.sessions} × {1 + args.reruns}"
    cpu_ms = 1000 * cpu / max(1, len(tally.seconds))
    upload = "" if photos is None else (
        ", all upload one 12 MP photo" if len(photos) == 1 else ", each uploads a 12 MP photo")
    return (f"| {label} | {runs}{upload} | {p50:.2f} s | {p95:.2f} s | {times[-1]:.2f} s | "
            f"{len(tally.errors)} | {before:.0f} → {after:.0f} MiB | {wall:.1f} s | "
            f"{cpu:.1f} s | {cpu_ms:.0f} ms |"), tally.errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("single", "classroom", "hosts", "both"), default="both")
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--reruns", type=int, default=2)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--first-port", type=int, default=8701,
                        help="the classroom's workers listen on 127.0.0.1 from this port on")
    parser.add_argument("--upload", choices=("same", "distinct"),
                        help="each student also uploads a generated 4000×3000 JPEG: the same "
                             "file for all, or one of their own")
    parser.add_argument("--links", choices=("mix", "one"), default="mix",
                        help="four kinds of link among the students, or the checkerboard for all")
    parser.add_argument("--repeat", type=int, default=1,
                        help="measure each mode this many times (one server start each)")
    args = parser.parse_args()
    photos = None
    if args.upload:
        count = 1 if args.upload == "same" else args.sessions
        photos = [phone_photo_jpeg(4000, 3000, seed=11 + i) for i in range(count)]
    links = ("mixed: " + ", ".join(f"/?{mixed_link(i)}" for i in range(4))
             if args.links == "mix" else f"/?{LINK}")
    print(f"Links: {links}; {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}\n")
    print("| server | sessions × runs | p50 | p95 | max | errors | servers' RSS before → "
          "after | wall | workers' CPU | CPU per run |")
    print("|---|---|---:|---:|---:|---:|---|---:|---:|---:|")
    modes = ("single", "classroom") if args.mode == "both" else (args.mode,)
    for mode in modes * args.repeat:
        row, errors = measure(mode, args, photos)
        print(row, flush=True)
        for error in errors[:5]:
            print(f"    error: {error}")


if __name__ == "__main__":
    main()
