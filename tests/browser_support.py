"""Helpers of the real-browser tests and of ``benchmarks/screenshots.py``.

They find a Chromium, start the app with ``streamlit run`` on a free loopback port, and wait for
Streamlit's reruns the way a patient user would: by watching the page, never by fixed sleeps
alone. Nothing here is specific to pytest, so the screenshot script shares it.

Why our own launcher rather than pytest-playwright's ``browser`` fixture: Playwright cannot
download its browsers here, the Debian ``chromium`` needs an explicit ``executable_path`` and
flags, and a missing browser must skip (or, under ``CI=true``, fail) with a reason a person can
act on.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO_ROOT / "test-artifacts"

# Flags for a headless Chromium in a container: no sandbox (no user namespaces), no GPU, no
# /dev/shm (often tiny in containers), and nothing that phones home.
LAUNCH_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)
VIEWPORT = {"width": 1400, "height": 900}
# Where a Chromium may be, in order. CHROMIUM_PATH lets a machine point at another build.
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

SERVER_START_TIMEOUT_S = 90.0
# Streamlit reruns take about a second here (two shared cores); plotly's first figure longer.
RERUN_TIMEOUT_MS = 30_000


def playwright_missing_reason() -> str | None:
    """Why Playwright cannot drive a browser here, or None when its Python package is installed."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package playwright is not installed (pip install pytest-playwright)."
    return None


def find_chromium() -> str | None:
    """Path of a Chromium executable, or None when there is none.

    Looks at ``$CHROMIUM_PATH``, the Debian package's paths, ``$PATH``, and last at a browser
    Playwright itself installed (``playwright install chromium``), if any.
    """
    override = os.environ.get("CHROMIUM_PATH")
    if override:
        return override if os.access(override, os.X_OK) else None
    for candidate in CHROMIUM_CANDIDATES:
        if os.access(candidate, os.X_OK):
            return candidate
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return _playwright_bundled_chromium()


def _playwright_bundled_chromium() -> str | None:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    with sync_playwright() as playwright:
        path = playwright.chromium.executable_path
    return path if path and os.access(path, os.X_OK) else None


def missing_browser_reason() -> str:
    """What to do when no Chromium is found (shown as the skip or failure reason)."""
    override = os.environ.get("CHROMIUM_PATH")
    if override:
        return f"CHROMIUM_PATH={override!r} is not an executable file."
    return (
        "no Chromium found (looked at $CHROMIUM_PATH, /usr/bin/chromium, $PATH and Playwright's "
        "own browsers). Install one with `apt-get install chromium` (Debian/Ubuntu) or point "
        "CHROMIUM_PATH at a Chromium/Chrome executable."
    )


def free_loopback_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class StreamlitServer:
    """``streamlit run app.py`` on a free loopback port, for as long as the ``with`` block lasts.

    The server's output goes to ``test-artifacts/streamlit-server.log``; when it fails to start,
    the error quotes the end of that log. ``env`` adds to (or overrides) the server's environment,
    e.g. ``PLAB_DATA_DIR``: the live class's database in a throwaway folder.
    """

    def __init__(self, script: str = "app.py", *, log_name: str = "streamlit-server.log",
                 env: dict[str, str] | None = None):
        self.script = script
        self.env = dict(env or {})
        self.port = free_loopback_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = ARTIFACTS / log_name
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> StreamlitServer:
        script_path = REPO_ROOT / self.script
        if not script_path.is_file():
            raise RuntimeError(f"{script_path} does not exist: there is no app to start")
        ARTIFACTS.mkdir(exist_ok=True)
        command = [
            sys.executable, "-m", "streamlit", "run", self.script,
            "--server.headless", "true",
            "--server.port", str(self.port),
            "--server.address", "127.0.0.1",
            "--browser.gatherUsageStats", "false",
            # Tests must see the code as it is at start, and nobody edits it mid-run.
            "--server.fileWatcherType", "none",
        ]
        env = dict(os.environ, PYTHONUNBUFFERED="1", **self.env)
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                command, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, env=env,
            )
        try:
            self._wait_until_healthy()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def _wait_until_healthy(self) -> None:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        health = f"{self.url}/_stcore/health"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"streamlit exited with status {self.process.returncode} before it served "
                    f"the app; end of its log:\n{self.log_tail()}"
                )
            try:
                with urllib.request.urlopen(health, timeout=2) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.25)
        raise RuntimeError(
            f"streamlit did not answer {health} within {SERVER_START_TIMEOUT_S:.0f} s; end of "
            f"its log:\n{self.log_tail()}"
        )

    def stop(self) -> None:
        """Stop the server we started (only that process), politely first."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])


@contextlib.contextmanager
def chromium(executable: str) -> Iterator[object]:
    """A headless Chromium (Playwright ``Browser``) launched from ``executable``."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=list(LAUNCH_ARGS), headless=True,
        )
        try:
            yield browser
        finally:
            browser.close()


# ---------------------------------------------------------------------------------------------
# Waiting for Streamlit
# ---------------------------------------------------------------------------------------------

APP = '[data-testid="stApp"]'
# Height of a header or data row in st.data_editor (Streamlit's default row height).
DATA_EDITOR_ROW_PX = 35
EXCEPTION = '[data-testid="stException"]'


_QUIET_CHECK = """quietMs => {
    const app = document.querySelector('[data-testid="stApp"]');
    const busy = !app
        || app.getAttribute('data-test-script-state') !== 'notRunning'
        || app.getAttribute('data-test-connection-state') !== 'CONNECTED'
        || document.querySelector(
            '[data-stale="true"], [data-testid="stSkeleton"], [data-testid="stAppSkeleton"],'
            + ' [data-testid="stSkeletonElement"]');
    const now = performance.now();
    if (busy) { window.__poolingLabQuietSince = null; return false; }
    if (window.__poolingLabQuietSince == null) { window.__poolingLabQuietSince = now; }
    return now - window.__poolingLabQuietSince >= quietMs;
}"""


def wait_for_idle(page, timeout_ms: int = RERUN_TIMEOUT_MS, settle_ms: int = 250,
                  quiet_ms: int = 400) -> None:
    """Wait until the app has been quiet for ``quiet_ms``: connected, no script or fragment run
    going, nothing stale (greyed out while a rerun replaces it), no loading skeleton.

    A rerun starts a moment after the event that caused it, and one run can trigger another
    (e.g. when the URL's query string is applied), so a single look at Streamlit's run-state
    attribute is not enough: it must stay idle for a while.
    """
    page.wait_for_timeout(settle_ms)
    page.evaluate("() => { window.__poolingLabQuietSince = null; }")
    page.wait_for_function(_QUIET_CHECK, arg=quiet_ms, timeout=timeout_ms, polling=100)


def open_app(page, url: str, timeout_ms: int = RERUN_TIMEOUT_MS) -> None:
    """Load ``url`` and wait for the first run of the script to finish."""
    page.goto(url, wait_until="domcontentloaded", timeout=timeout_ms)
    page.wait_for_selector(APP, timeout=timeout_ms)
    wait_for_idle(page, timeout_ms, settle_ms=500)


def typed_cell_centre(grid_box: dict, row: int, col: int) -> tuple[float, float]:
    """Screen point at the centre of cell ``(row, col)`` (counted from 0) of the typed grid.

    ``grid_box`` is the data editor's bounding box; the grid has a header row and a column of row
    numbers (widths from :mod:`pooling_ui.panels.inputs`), rows of Streamlit's default height.
    """
    from pooling_ui.panels.inputs import TYPE_COLUMN_PX, TYPE_INDEX_PX

    x = grid_box["x"] + TYPE_INDEX_PX + (col + 0.5) * TYPE_COLUMN_PX
    y = grid_box["y"] + DATA_EDITOR_ROW_PX * (row + 1.5)
    return x, y


def exception_texts(page) -> list[str]:
    """The text of every Streamlit exception box on the page (empty when there is none)."""
    return [box.inner_text() for box in page.locator(EXCEPTION).all()]


def screenshot(page, name: str, *, full_page: bool = True) -> Path:
    """Save a screenshot to ``test-artifacts/<name>.png`` (ignored by git) and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


# ---------------------------------------------------------------------------------------------
# Test images
# ---------------------------------------------------------------------------------------------


def phone_photo_jpeg(width: int = 4000, height: int = 3000, *, seed: int = 0,
                     exif_orientation: int | None = None, quality: int = 90) -> bytes:
    """A JPEG that looks like a phone photo: sky, sun, hills, a house, sensor noise.

    Generated (no downloaded assets), deterministic for a ``seed``; ``width × height`` is the
    upright picture. With ``exif_orientation=6`` the pixels are stored turned a quarter left
    with the EXIF Orientation tag 6, as a phone held upright does: a viewer that honours EXIF
    shows the upright ``width × height`` picture, one that ignores it shows it on its side.
    """
    import io

    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(seed)
    rows = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None]
    cols = np.linspace(0.0, 1.0, width, dtype=np.float32)[None, :]
    image = np.empty((height, width, 3), dtype=np.float32)
    # sky: deep blue at the top to pale near the horizon
    for channel, (top, bottom) in enumerate(((40, 190), (90, 215), (170, 240))):
        image[..., channel] = top + (bottom - top) * rows
    # sun
    sun = ((cols - 0.75) * width) ** 2 + ((rows - 0.22) * height) ** 2 < (0.06 * height) ** 2
    image[sun] = (255, 236, 160)
    # two ranges of hills
    for base, amplitude, waves, colour in ((0.55, 0.06, 3.0, (70, 120, 70)),
                                           (0.68, 0.05, 5.0, (45, 95, 45))):
        ridge = base + amplitude * np.sin(2 * np.pi * waves * cols + rng.uniform(0, 6.28))
        image[np.broadcast_to(rows > ridge, (height, width))] = colour
    # a house: wall, roof, door, window
    def box(r0, r1, c0, c1, colour):
        image[int(r0 * height):int(r1 * height), int(c0 * width):int(c1 * width)] = colour
    box(0.62, 0.85, 0.18, 0.38, (200, 170, 130))
    for step in range(int(0.1 * height)):
        r = int(0.62 * height) - step
        half = int(0.12 * width) - step * width // (int(0.1 * height) * 9)
        centre = int(0.28 * width)
        image[r, max(centre - half, 0):centre + half] = (150, 50, 40)
    box(0.72, 0.85, 0.26, 0.30, (90, 60, 40))
    box(0.66, 0.72, 0.20, 0.24, (180, 215, 235))
    box(0.66, 0.72, 0.32, 0.36, (180, 215, 235))
    image += rng.normal(0.0, 4.0, size=(height, width, 1)).astype(np.float32)
    pixels = np.clip(image, 0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    picture = Image.fromarray(pixels, "RGB")
    extra = {}
    if exif_orientation == 6:
        picture = picture.transpose(Image.Transpose.ROTATE_90)
    if exif_orientation is not None:
        exif = Image.Exif()
        exif[0x0112] = exif_orientation
        extra["exif"] = exif
    picture.save(buffer, format="JPEG", quality=quality, **extra)
    return buffer.getvalue()
