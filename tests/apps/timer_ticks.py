"""A page with one timer fragment, for ``tests/test_timer_fragments.py``.

``TIMER_KIND=plain`` draws it with ``st.fragment(run_every=…)`` as Streamlit documents it;
otherwise with :func:`pooling_ui.base.timers.every`. The fragment counts the times its body ran
(in the full runs and on its ticks) and shows the count; its interval is long, so that only the
ticks the test sends run it.
"""

import os
import sys
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository, for pooling_ui

from pooling_ui.base.timers import every

INTERVAL_S = 600.0


def counter() -> None:
    st.session_state["ran"] = st.session_state.get("ran", 0) + 1
    st.markdown(f"ran {st.session_state['ran']}")


if os.environ.get("TIMER_KIND") == "plain":
    st.fragment(run_every=INTERVAL_S)(counter)()
else:
    every(INTERVAL_S, counter)
st.button("Again", key="again")  # a full run
