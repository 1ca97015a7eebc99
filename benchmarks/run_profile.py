"""What one run of a page costs on the server, and where the time goes.

Run from the repository root::

    .venv/bin/python benchmarks/run_profile.py             # every page, 15 runs each
    .venv/bin/python benchmarks/run_profile.py --runs 30 --top 20

Each page is opened through ``app.py`` in Streamlit's AppTest (the script runs in this process, on
its own thread, as in ``streamlit run``). The time of a run is measured around the entry point's
``pooling_ui.page.run`` inside the script thread, so AppTest's own polling is not counted; it is
the server time a session waits for, less sending the messages. Three numbers per page:

* **first run of the process** — imports and empty caches (once per server start);
* **a link another session already opened** — a new session, same link: what a class opening the
  teacher's link pays, 30 times;
* **a rerun** — the same session runs again (a widget change that changes nothing drawn).

Then cProfile's top functions (cumulative time, over the new-session runs of the Explorer),
which is what the README's "before/after" table is made from. A measurement, not a test.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import logging
import pstats
import statistics
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

logging.disable(logging.WARNING)  # AppTest's bare-mode warnings, some at import time

from streamlit.testing.v1 import AppTest  # noqa: E402  (after the path set-up)

from pooling_ui import page  # noqa: E402

PAGES = {"explorer": None, "gradients": "app_pages/gradients.py", "compare": "app_pages/compare.py"}


class RunClock:
    """Times (and, when asked, profiles) every call of ``page.run`` on the script thread."""

    def __init__(self):
        self.times: list[float] = []
        self.profiler: cProfile.Profile | None = None
        self._run = page.run
        page.run = self

    def __call__(self) -> None:
        profiler = self.profiler
        if profiler is not None:
            profiler.enable()
        start = time.perf_counter()
        try:
            self._run()
        finally:
            self.times.append(time.perf_counter() - start)
            if profiler is not None:
                profiler.disable()


def new_session(script_page: str | None, query: dict) -> AppTest:
    app = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=120)
    app.query_params.update(query)
    if script_page:
        app.switch_page(script_page)
    app.run()
    if app.exception:
        raise SystemExit(f"{script_page or 'explorer'}: {app.exception[0].value}")
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--link", default="", help="query string, e.g. kind=avg&kernel=3")
    args = parser.parse_args()
    query = dict(part.split("=", 1) for part in args.link.split("&") if part)
    clock = RunClock()
    print("| page | first run of the process | a link another session opened (median, max) "
          "| a rerun (median) |")
    print("|---|---:|---:|---:|")
    profile_text = ""
    for name, script_page in PAGES.items():
        app = new_session(script_page, query)
        first = clock.times[-1]
        for _ in range(args.runs):
            new_session(script_page, query)
        shared = clock.times[-args.runs:]
        if name == "explorer":
            clock.profiler = cProfile.Profile()
            for _ in range(args.runs):
                new_session(script_page, query)
            stream = io.StringIO()
            pstats.Stats(clock.profiler, stream=stream).sort_stats("cumulative").print_stats(
                args.top)
            profile_text = stream.getvalue()
            clock.profiler = None
        for _ in range(args.runs):
            app.run()
        reruns = clock.times[-args.runs:]
        print(f"| {name} | {first * 1000:.0f} ms | {statistics.median(shared) * 1000:.1f} ms, "
              f"{max(shared) * 1000:.0f} ms | {statistics.median(reruns) * 1000:.1f} ms |")
    print(f"\nTop {args.top} functions by cumulative time, {args.runs} new sessions of the "
          "Explorer (profiling slows each call down):\n")
    keep = [line for line in profile_text.splitlines() if line.strip()]
    print("\n".join(keep[-args.top - 1:]))


if __name__ == "__main__":
    main()
