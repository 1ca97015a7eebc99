"""The first page after ``make run`` starts, against a later visitor's first page.

Run from the repository root::

    .venv/bin/python benchmarks/first_page.py               # 3 starts of each, interleaved

Two ways of starting the one process, each on a free loopback port: ``streamlit run app.py`` as
``make run`` did before (the address is printed as soon as the server listens) and
``deploy/single.py`` as ``make run`` does now (the address is printed once a first session has
run). As soon as each prints its address, a visitor opens the Explorer (the page's HTTP request,
the websocket, the run, through :mod:`streamlit_client`); then a second visitor, a new session on
the now warm server. Each is timed from the page's request to the server's ``script_finished``,
so the browser's own work (the same in both) is left out. Printed: the medians and the ratio of
the first visitor to the second (issue 18's target: the first page ≤ 2× a first visit). A
measurement, not a test: it never runs under pytest.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "deploy"))
sys.path.insert(0, str(REPO_ROOT / "benchmarks"))

from load_test import free_port  # noqa: E402  (after the path set-up)
from streamlit_client import Session  # noqa: E402

READY = {"bare": "Local URL:", "warmed": "Warmed up in"}


def start(kind: str, port: int) -> subprocess.Popen:
    script = (["-m", "streamlit", "run", str(REPO_ROOT / "app.py"), "--server.port", str(port),
               "--server.headless", "true"] if kind == "bare"
              else [str(REPO_ROOT / "deploy" / "single.py"), "--port", str(port)])
    return subprocess.Popen([sys.executable, *script], cwd=REPO_ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True)


async def visit(port: int) -> float:
    session = Session(f"http://127.0.0.1:{port}")
    try:
        return (await session.open("lang=en")).seconds
    finally:
        await session.close()


def measure(kind: str) -> tuple[float, float]:
    port = free_port()
    process = start(kind, port)
    try:
        deadline = time.monotonic() + 180
        for line in iter(process.stdout.readline, ""):
            if READY[kind] in line:
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"{kind}: never printed its address")
        first = asyncio.run(visit(port))
        later = asyncio.run(visit(port))
        return first, later
    finally:
        process.terminate()
        process.wait(timeout=20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=3)
    args = parser.parse_args()
    results: dict[str, list[tuple[float, float]]] = {"bare": [], "warmed": []}
    for _ in range(args.starts):
        for kind in results:
            results[kind].append(measure(kind))
    print("| make run | first page after the address is printed (median) | a later visitor's "
          "first page (median) | ratio | all first pages |")
    print("|---|---:|---:|---:|---|")
    names = {"bare": "before: `streamlit run app.py`", "warmed": "now: `deploy/single.py`"}
    for kind, pairs in results.items():
        first = statistics.median(pair[0] for pair in pairs)
        later = statistics.median(pair[1] for pair in pairs)
        print(f"| {names[kind]} | {first:.2f} s | {later:.2f} s | {first / later:.1f}× | "
              + ", ".join(f"{pair[0]:.2f}" for pair in pairs) + " |")


if __name__ == "__main__":
    main()
