"""Fragments that rerun on a timer (``st.fragment(run_every=…)``), safe against a Streamlit race
that drops a finished run's output.

The race (Streamlit 1.67): a page sends its timer fragment's rerun on a bare ``setInterval``,
whatever else is happening. When that request reaches the server just after a full run (or an
enclosing fragment's run) finished but before the server's event loop sent that run's messages,
Streamlit starts a new script runner and ignores the events still queued from the finished one
("from non-current ScriptRunner"): the page never receives the rest of that run — a student's
next question, a changed kernel, an answer's acknowledgement — and the session believes it did.
Under load (the event loop lagging behind the script thread) this was seen in 1–8 of 30 students
per class.

Streamlit already refuses a rerun request for a fragment the session no longer holds, *before*
it creates a runner (``AppSession.request_rerun``: "The fragment … does not exist anymore"), and
a run drops every fragment it did not register, in the script thread, before it finishes. A
fragment's id is a hash of its function's qualified name and where it is drawn, so
:func:`every` gives the timer fragment a new name in every run that draws it: a timer tick sent
before the page received that run names the previous run's fragment and is dropped, so it can no
longer cost the run its messages; once the page has the run, its timer names the new fragment and
works as before. Nothing else changes: the fragment's body, arguments and widgets are the same.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import streamlit as st

# A process-wide counter is enough: an id only has to differ from the one the same session drew
# in its previous run, and the function's own name is part of it.
_RUNS = itertools.count()


def every(seconds: float, body: Callable[..., None], *args, **kwargs) -> None:
    """Draw ``body(*args, **kwargs)`` as a fragment that reruns every ``seconds``, with an
    identity of this run only (see the module's notes).

    Parameters
    ----------
    seconds : float
        The timer's interval, as ``st.fragment(run_every=seconds)``.
    body : callable
        The fragment's body; called now and on every tick with the same arguments.

    Examples
    --------
    Each call names its fragment afresh, which is what makes its id new:

    >>> first, second = _named(print), _named(print)
    >>> first.__qualname__ != second.__qualname__ and first.__qualname__.startswith("print@")
    True
    """
    st.fragment(run_every=seconds)(_named(body))(*args, **kwargs)


def _named(body: Callable[..., None]) -> Callable[..., None]:
    def tick(*args, **kwargs) -> None:
        body(*args, **kwargs)

    tick.__module__ = body.__module__
    tick.__qualname__ = f"{body.__qualname__}@{next(_RUNS)}"
    return tick
