"""The live class store on its own: one-row polls, and a burst of answers from many threads.

    .venv/bin/python benchmarks/store_bench.py                       # SQLite in a temp folder
    .venv/bin/python benchmarks/store_bench.py --url postgresql://postgres@127.0.0.1:5432/plab

30 students join one class; a student's poll (the one row it reads each second) is timed 300
times; then 5 questions are asked and every student answers each from a pool of threads (a
Streamlit worker runs its sessions' scripts in threads). Prints latencies, throughput, and
answers stored against answers acknowledged. No Streamlit: the app's load test is separate.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pooling_live as pl  # after the path is set


def percentile_ms(values, fraction: float) -> float:
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def run(url: str, students: int, asks: int, threads: int) -> str:
    with pl.Store.open(url) as store:
        code, key = store.create_class()
        ids = [store.join(code, f"s{i}") for i in range(students)]
        store.set_view(code, key, {"page": "pooling", "x": [[1, 2, 3]] * 6, "kernel": [2, 2]})
        polls = []
        for _ in range(300):
            started = time.perf_counter()
            store.poll(code, since=1)
            polls.append(time.perf_counter() - started)
        asked = [store.ask(code, key, {"n": n}) for n in range(asks)]
        jobs = [(student, question, "3/4") for question in asked for student in ids]

        def send(job):
            started = time.perf_counter()
            store.answer(code, *job)
            return time.perf_counter() - started

        started = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(threads) as pool:
            latencies = list(pool.map(send, jobs))
        wall = time.perf_counter() - started
        stored = sum(len(store.answers(code, key, q)) for q in asked)
        return (f"{store.backend}: poll p50 {percentile_ms(polls, 0.5):.2f} ms, "
                f"p95 {percentile_ms(polls, 0.95):.2f} ms; {len(jobs)} answers from {threads} "
                f"threads: p50 {percentile_ms(latencies, 0.5):.1f} ms, "
                f"p95 {percentile_ms(latencies, 0.95):.1f} ms, {len(jobs) / wall:.0f}/s; "
                f"stored {stored} of {len(jobs)} acknowledged; retried {store.retried}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a SQLAlchemy URL (default: SQLite in a temp folder)")
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--asks", type=int, default=5)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.url or f"sqlite:///{folder}/live.sqlite3"
        print(run(url, args.students, args.asks, args.threads))


if __name__ == "__main__":
    main()
