"""How long the Explorer takes to load in Chromium, next to a bare Streamlit page with one plotly
heatmap: both served on this machine, loaded in turn, warm (browser cache filled, server warmed).

Run from the repository root (needs a Chromium, e.g. Debian's ``chromium``)::

    .venv/bin/python benchmarks/page_load.py              # 9 loads of each, interleaved
    .venv/bin/python benchmarks/page_load.py --loads 15

A load is timed from the navigation's start to the moment the page is complete: the script has
finished (Streamlit's run state back to idle and staying so — see ``wait_for_idle``), nothing is
stale or a skeleton, and every plotly figure has drawn. The same browser context is used for all
loads (a returning visitor: static files come from the cache); each load is a new Streamlit
session. Printed: the median of each, and their ratio (the target now: ≤ 1.5×; it was 1.25× before
the pages grew their tables, keyboard controls and live class).
A measurement, not a test: it never runs under pytest.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "tests"))
sys.path.insert(0, str(REPO_ROOT))

from browser_support import (  # noqa: E402  (after the path set-up)
    VIEWPORT,
    StreamlitServer,
    chromium,
    find_chromium,
    missing_browser_reason,
    wait_for_idle,
)

BARE_APP = '''
import numpy as np
import plotly.graph_objects as go
import streamlit as st

st.title("Bare page")
figure = go.Figure(go.Heatmap(z=np.arange(16).reshape(4, 4), texttemplate="%{z}"))
st.plotly_chart(figure)
'''
# What the app's link shows: the worked 4×4 in the Explorer, in English.
APP_PATH = "/?lang=en"
DRAWN = """() => {
    const plots = document.querySelectorAll('.js-plotly-plot');
    return plots.length > 0 && Array.from(plots).every(p => p.querySelector('.main-svg'));
}"""


def timed_load(page, url: str) -> float:
    start = time.perf_counter()
    page.goto(url, wait_until="commit")
    wait_for_idle(page, settle_ms=50, quiet_ms=300)
    page.wait_for_function(DRAWN, polling=50)
    # wait_for_idle waits quiet_ms after the last activity: that wait is not the page's
    return time.perf_counter() - start - 0.3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=9)
    args = parser.parse_args()
    executable = find_chromium()
    if executable is None:
        raise SystemExit(missing_browser_reason())
    with tempfile.TemporaryDirectory() as folder:
        bare_script = Path(folder) / "bare.py"
        bare_script.write_text(BARE_APP)
        with StreamlitServer("app.py", log_name="page-load-app.log") as app, \
                StreamlitServer(str(bare_script), log_name="page-load-bare.log") as bare, \
                chromium(executable) as browser:
            context = browser.new_context(viewport=VIEWPORT)
            page = context.new_page()
            targets = {"Pooling Lab Explorer": app.url + APP_PATH, "bare Streamlit + plotly":
                       bare.url + "/"}
            times: dict[str, list[float]] = {name: [] for name in targets}
            for url in targets.values():  # warm: the server's first run, the browser's cache
                timed_load(page, url)
                timed_load(page, url)
            for _ in range(args.loads):
                for name, url in targets.items():
                    times[name].append(timed_load(page, url))
            context.close()
    medians = {name: statistics.median(values) for name, values in times.items()}
    print("| page | median warm load | all loads |")
    print("|---|---:|---|")
    for name, values in times.items():
        print(f"| {name} | {medians[name]:.2f} s | "
              + ", ".join(f"{value:.2f}" for value in values) + " |")
    ratio = medians["Pooling Lab Explorer"] / medians["bare Streamlit + plotly"]
    print(f"\nRatio: {ratio:.2f}× (target ≤ 1.5×)")


if __name__ == "__main__":
    main()
