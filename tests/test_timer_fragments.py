"""Timer fragments (``pooling_ui.base.timers.every``) against the Streamlit race that dropped a
finished run's output: a timer tick the page sent before it received a run must not be run.

A real ``streamlit run`` of ``tests/apps/timer_ticks.py`` driven over the websocket protocol
(``deploy/streamlit_client.py``). The race itself needs the server's event loop to lag behind the
script thread by the right few milliseconds, which a test cannot arrange; what it can check is
the mechanism the fix stands on, and that it depends on the fix: with :func:`every` each full run
draws the fragment under a new id, a tick naming the previous run's fragment is refused by the
server (no run, nothing drawn) and a tick naming the current one runs it; with a plain
``st.fragment(run_every=…)`` the id stays the same and the earlier tick runs the fragment — the
case in which Streamlit starts a new script runner and may drop what the last run had not sent.
"""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path

import pytest
from browser_support import StreamlitServer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "deploy"))

from streamlit_client import Session, run_sync  # noqa: E402

RAN = re.compile(r"ran (\d+)")
WAIT_S = 60.0  # for something that must arrive, on a loaded machine


def _count(_session, forward) -> int | None:
    """The fragment's count, when ``forward`` draws it."""
    if forward.WhichOneof("type") != "delta":
        return None
    element = forward.delta.new_element
    if element.WhichOneof("type") != "markdown":
        return None
    found = RAN.fullmatch(element.markdown.body)
    return int(found.group(1)) if found else None


async def _ticks(url: str) -> dict:
    session = Session(url, timeout_s=WAIT_S)
    session.listen()
    try:
        await session.open()
        first = set(session.timers)
        await session.rerun(again=True)  # a full run, as a click on the button
        second = set(session.timers)
        seen = []
        waiting = asyncio.ensure_future(session.wait_for(_count))
        await session.tick(next(iter(first)))  # the tick a page sent before it had the second run
        await asyncio.sleep(1.0)
        seen.append(waiting.result()[1] if waiting.done() else None)
        if not waiting.done():
            await session.tick(next(iter(second), ""))  # the current fragment's tick
            seen.append((await waiting)[1])
        return {"first": first, "second": second, "seen": seen}
    finally:
        await session.close()


@pytest.mark.parametrize("kind", ["every", "plain"])
def test_a_tick_from_before_the_last_run_is_not_run(kind):
    with StreamlitServer("tests/apps/timer_ticks.py", log_name=f"timer-ticks-{kind}.log",
                         env={"TIMER_KIND": kind}) as server:
        found = run_sync(_ticks(server.url))
    if kind == "every":
        # a new fragment id per full run; the old one's tick is not run; the new one's is,
        # once: the body ran in the two full runs, then on this tick
        assert found["second"] and found["first"].isdisjoint(found["second"]), found
        assert found["seen"] == [None, 3], found
    else:
        # Streamlit's own: the same id in both runs, and the earlier tick runs the fragment
        assert found["second"] == found["first"], found
        assert found["seen"] == [3], found
