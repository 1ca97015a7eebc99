"""How fast the Explorer reacts with a 12-megapixel photo loaded, measured with Streamlit's AppTest.

Run from the repository root::

    .venv/bin/python benchmarks/ui_bench.py            # 7 reruns per measurement
    .venv/bin/python benchmarks/ui_bench.py --repeats 3

It generates a 4000×3000 JPEG (no download), uploads it through the Explorer's file uploader as
a user would, then changes the kernel size several times. For each rerun it records

* the server-side time of the rerun (``AppTest.run``: the whole script, every figure built and
  serialised), and
* the bytes of figure JSON the rerun sends (the sum of every ``st.plotly_chart`` spec).

Each rerun uses a kernel size not seen before, so no cached pooling result can make it look
faster than a user's first visit to that setting. The decode of the upload happens once, in the
untimed first run (it is cached, as a user's would be). Printed: a markdown table with the
medians, the targets from issue 3, and PASS/MISS. This is a measurement, not a test: it never
runs under pytest.
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import statistics
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(REPO_ROOT / "tests"))

from browser_support import phone_photo_jpeg  # noqa: E402  (after the path set-up)
from streamlit.testing.v1 import AppTest  # noqa: E402

# Setting session_state from the test thread makes Streamlit warn "missing ScriptRunContext"
# (bare mode); that is not a result, so it is filtered out of the output.
logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(
    lambda record: "missing ScriptRunContext" not in record.getMessage())

RERUN_TARGET_S = 0.5
FIGURE_BYTES_TARGET = 1_500_000
PHOTO_SIZE = (4000, 3000)
# AppTest's own default (3 s) is far too short for a first run that decodes 12 megapixels.
APP_TIMEOUT_S = 300


def figure_json_bytes(app: AppTest) -> int:
    """Bytes of plotly JSON on the page: the sum of every ``st.plotly_chart`` spec."""
    return sum(len(chart.proto.spec.encode()) for chart in app.get("plotly_chart"))


def problems_on_page(app: AppTest) -> list[str]:
    """Exceptions and errors on the page: a benchmark of a broken page measures nothing."""
    found = [f"exception: {item.value}" for item in app.exception]
    found += [f"error: {item.value}" for item in app.error]
    return found


def load_photo(rgb: bool) -> AppTest:
    """The Explorer with the generated photo uploaded (untimed: the decode happens here)."""
    photo = phone_photo_jpeg(*PHOTO_SIZE, seed=1)
    app = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=APP_TIMEOUT_S)
    app.session_state["in_source"] = "upload"
    app.session_state["in_rgb"] = rgb
    app.run()
    app.file_uploader(key="in_upload").set_value(("photo.jpg", photo, "image/jpeg"))
    app.run()
    problems = problems_on_page(app)
    if problems:
        raise SystemExit("the Explorer did not show the photo:\n" + "\n".join(problems))
    return app


def measure(rgb: bool, repeats: int) -> dict:
    """Median rerun time and figure bytes over ``repeats`` kernel-size changes."""
    app = load_photo(rgb)
    seconds, sizes = [], []
    # 3×3, 4×4, … (the default is 2×2): each a new pooling of the full-resolution photo
    for kernel in range(3, 3 + repeats):
        app.number_input(key="p_kernel_h").set_value(kernel)
        app.number_input(key="p_kernel_w").set_value(kernel)
        start = time.perf_counter()
        app.run()
        seconds.append(time.perf_counter() - start)
        problems = problems_on_page(app)
        if problems:
            raise SystemExit(f"kernel {kernel}: the page broke:\n" + "\n".join(problems))
        sizes.append(figure_json_bytes(app))
    return {
        "rerun_s": statistics.median(seconds),
        "rerun_max_s": max(seconds),
        "figure_bytes": statistics.median(sizes),
        "figure_max_bytes": max(sizes),
        "charts": len(app.get("plotly_chart")),
    }


def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def verdict(value: float, target: float) -> str:
    return "PASS" if value <= target else "MISS"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="reruns per measurement")
    args = parser.parse_args()

    width, height = PHOTO_SIZE
    rows = []
    for rgb in (False, True):
        result = measure(rgb, args.repeats)
        label = "RGB (3 channels)" if rgb else "grayscale"
        rows.append(
            f"| {width}×{height} photo, {label}: rerun after a kernel change (median of "
            f"{args.repeats}; max {result['rerun_max_s']:.2f} s) | {result['rerun_s']:.2f} s | "
            f"≤ {RERUN_TARGET_S} s | {verdict(result['rerun_s'], RERUN_TARGET_S)} |"
        )
        rows.append(
            f"| {width}×{height} photo, {label}: figure JSON per rerun ({result['charts']} "
            f"charts; max {result['figure_max_bytes'] / 1e6:.3f} MB) | "
            f"{result['figure_bytes'] / 1e6:.3f} MB | ≤ {FIGURE_BYTES_TARGET / 1e6} MB | "
            f"{verdict(result['figure_bytes'], FIGURE_BYTES_TARGET)} |"
        )
    print(f"Explorer, measured with AppTest (server side, no browser) on {cpu_name()}, "
          f"{os.cpu_count()} CPUs, Python {platform.python_version()}\n")
    print("| measurement | value | target | |")
    print("|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
