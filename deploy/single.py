"""``make run``: one Streamlit process on http://localhost:8501, warmed before it says where it is.

    .venv/bin/python deploy/single.py                  # port 8501
    .venv/bin/python deploy/single.py --port 8502

The first run of a Streamlit process imports plotly and PyTorch (for the cross-check badge) and
fills the default view's caches: 6–11 s of an empty page with "Running…" that would fall on the
teacher's first visit. This starts ``streamlit run app.py``, holds back what it prints (its
"You can now view your Streamlit app" and the address), opens the app once through the
protocol client (:mod:`streamlit_client`, as ``make classroom`` warms its workers), and only
then prints Streamlit's lines and the address. Ctrl-C stops it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "deploy"))

from classroom import START_TIMEOUT_S, _healthy  # noqa: E402  (after the path set-up)


def command(port: int) -> list[str]:
    """``make run``'s Streamlit command (every other option from ``.streamlit/config.toml``)."""
    return [sys.executable, "-m", "streamlit", "run", str(REPO_ROOT / "app.py"),
            "--server.port", str(port), "--server.headless", "true"]


class HeldOutput:
    """Streamlit's output, held back until :meth:`release`, then passed on line by line."""

    def __init__(self, stream):
        self._held: list[str] = []
        self._released = False
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        self._thread.start()

    def _pump(self, stream) -> None:
        for line in iter(stream.readline, ""):
            with self._lock:
                if self._released:
                    print(line, end="", flush=True)
                else:
                    self._held.append(line)

    def release(self) -> None:
        with self._lock:
            print("".join(self._held), end="", flush=True)
            self._held.clear()
            self._released = True


def warm_up(port: int) -> float:
    """Open the app once, as a browser would; the seconds that first run took."""
    from streamlit_client import Session

    async def visit() -> float:
        session = Session(f"http://127.0.0.1:{port}")
        try:
            return (await session.open()).seconds
        finally:
            await session.close()

    return asyncio.run(visit())


def _stop_on_signal(signum, frame) -> None:
    raise KeyboardInterrupt  # the same orderly stop as Ctrl-C


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8501)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, _stop_on_signal)
    process = subprocess.Popen(command(args.port), cwd=REPO_ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True)
    output = HeldOutput(process.stdout)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not _healthy(args.port):
            if process.poll() is not None or time.monotonic() > deadline:
                output.release()  # Streamlit's own words say why
                return process.poll() or 1
            time.sleep(0.25)
        try:
            seconds = warm_up(args.port)
        except Exception as error:  # a failed warm-up only means a slower first visit
            seconds = None
            print(f"(warm-up skipped: {type(error).__name__}: {error})", flush=True)
        output.release()
        if seconds is not None:
            print(f"  Warmed up in {seconds:.1f} s: the first visitor gets a warm server.",
                  flush=True)
        return process.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        if process.poll() is None:
            process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=10)
        if process.poll() is None:
            process.kill()


if __name__ == "__main__":
    sys.exit(main())
