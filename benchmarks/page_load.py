"""How long the Explorer takes to load in Chromium, next to a bare Streamlit page with one plotly
heatmap: both served on this machine, loaded in turn, warm (browser cache filled, server warmed).

Run from the repository root (needs a Chromium, e.g. Debian's ``chromium``)::

    .venv/bin/python benchmarks/page_load.py              # 9 loads of each, interleaved
    .venv/bin/python benchmarks/page_load.py --loads 15

A load is timed from the navigation's start to the moment the page is complete: the script has
finished (Streamlit's run state back to idle and staying so — see ``wait_for_idle``), nothing is
stale or a skeleton, and every plotly figure has drawn. The same browser context is used for all
loads (a returning visitor: static files come from the cache); each load is a new Streamlit
session. A third page, ``FLOOR_APP``, has the Explorer's elements as plain Streamlit calls with no
logic of ours: what Streamlit's frontend alone costs for that page. Printed: the median of each,
and their ratio (the target now: ≤ 1.5×; it was 1.25× before
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
# The Explorer's elements, as plain Streamlit calls with no logic of ours (the same navigation,
# sidebar widgets, headings, texts, buttons and expanders, in the same order, and two plain
# heatmaps for its two figures): what Streamlit's frontend alone costs for that page. Listed from
# the Explorer's DOM (its data-testid elements, 2026-12-06).
FLOOR_APP = '''
import numpy as np
import plotly.graph_objects as go
import streamlit as st


def body():
    with st.sidebar:
        st.segmented_control("Language", ["English", "中文"], default="English")
        st.checkbox("Projector mode")
        st.header("Input")
        st.radio("Feature map from", ["Preset", "Draw", "Type", "Upload"], horizontal=True)
        st.selectbox("Preset", ["The 4×4 example", "Checkerboard", "Random"])
        st.markdown("The 4×4 example of integers a teacher writes on the board.")
        with st.expander("Share this view"):
            st.markdown("a link")
        st.header("Parameters")
        st.selectbox("Kind of pooling", ["max", "avg", "lp"], help="The reduction.")
        cols = st.columns(2)
        cols[0].number_input("Kernel h", 1, 9, 2)
        cols[1].number_input("Kernel w", 1, 9, 2)
        st.checkbox("Stride = kernel size", value=True, help="Stride.")
        st.radio("Padding", ["cells", "same", "valid"], horizontal=True)
        cols = st.columns(2)
        cols[0].number_input("Pad h", 0, 4, 0)
        cols[1].number_input("Pad w", 0, 4, 0)
        cols = st.columns(2)
        cols[0].number_input("Dilation h", 1, 4, 1)
        cols[1].number_input("Dilation w", 1, 4, 1)
        st.checkbox("ceil_mode", help="Round up.")
        st.checkbox("count_include_pad", value=True, help="Padding counts.")
        st.markdown("**Output size**")
        st.latex(r"H_{out} = \\lfloor (H + 2p - d(k-1) - 1) / s \\rfloor + 1")
        st.caption("k kernel, s stride, p padding, d dilation")
    st.title("Pooling Lab — Explorer")
    st.caption("Pick an input and the pooling parameters in the sidebar.")
    st.markdown(":green-badge[:material/check_circle: matches PyTorch]")
    st.header("The sliding window")
    st.plotly_chart(go.Figure(go.Heatmap(z=np.arange(16).reshape(4, 4), texttemplate="%{z}")))
    st.caption("Red: the window.")
    st.download_button("Animation as GIF", b"GIF89a", "a.gif")
    with st.expander("Show numbers as a table"):
        st.markdown("table")
    st.markdown("**Explain a step**")
    cols = st.columns(3)
    cols[0].button("Previous step")
    cols[1].button("Play step by step")
    cols[2].button("Next step")
    st.selectbox("Step to explain", ["1", "2", "3", "4"])
    st.caption("The arithmetic below is for the step chosen here.")
    st.text("y[0,0] = max(1, 3, 5, 6) = 6")
    st.caption("The output comes from x[1,1].")
    st.text("x[0,0] = 1 x[0,1] = 3 x[1,0] = 5 x[1,1] = 6")
    st.html('<div aria-live="polite">Step 1 of 4</div>')
    st.header("Pooled output")
    st.markdown("Shape: 1×4×4 → 1×2×2")
    st.markdown("Values: input 0 … 8 → output 4 … 8")
    st.plotly_chart(go.Figure(go.Heatmap(z=np.arange(4).reshape(2, 2), texttemplate="%{z}")))
    for _ in range(4):
        with st.expander("Show numbers as a table"):
            st.markdown("table")


pages = {section: [st.Page(body, title=f"{section} {i}", url_path=f"{section}{i}",
                           default=(section, i) == ("Explore", 0)) for i in range(3)]
         for section in ("Explore", "Lessons", "Classroom")}
st.navigation(pages).run()
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
        floor_script = Path(folder) / "floor.py"
        floor_script.write_text(FLOOR_APP)
        with StreamlitServer("app.py", log_name="page-load-app.log") as app, \
                StreamlitServer(str(bare_script), log_name="page-load-bare.log") as bare, \
                StreamlitServer(str(floor_script), log_name="page-load-floor.log") as floor, \
                chromium(executable) as browser:
            context = browser.new_context(viewport=VIEWPORT)
            page = context.new_page()
            targets = {"Pooling Lab Explorer": app.url + APP_PATH, "bare Streamlit + plotly":
                       bare.url + "/",
                       "the Explorer's elements, plain (no app logic)": floor.url + "/"}
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
    bare = medians["bare Streamlit + plotly"]
    ratio = medians["Pooling Lab Explorer"] / bare
    floor = medians["the Explorer's elements, plain (no app logic)"] / bare
    print(f"\nRatio: {ratio:.2f}× (target ≤ 1.5×); the same elements with no app logic: "
          f"{floor:.2f}×")


if __name__ == "__main__":
    main()
