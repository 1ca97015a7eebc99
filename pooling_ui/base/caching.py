"""Every cache of the app in one place: how many entries each may hold and how long they live,
and the cache of finished figures.

The server's caches are shared by every session, so each is bounded twice: ``max_entries``
(what a class clicking around can fill) and :data:`TTL_S` (what an idle server gives back).

Figures are the most expensive part of a run: building one with plotly's validated objects costs
about 10 ms, and ``st.plotly_chart`` validates a plain dict again. :func:`cached_figure` builds a
figure once per distinct value of its arguments (and language) and hands every later run — in any
session — the same validated figure, a :class:`SharedFigure`, which also keeps the plain dict
``st.plotly_chart`` asks it for: a run then only turns that dict into JSON, where plotly's
``to_dict`` would deep-copy the whole figure (its animation frames too) every time. A builder may
instead return the figure dict as plotly's ``to_dict`` writes it (the animation's, built as plain
dicts): it is sent as it is and validated only if a copy of it is asked for. A figure is a pure
function of its arguments, so the key is made of their values.
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
from collections.abc import Callable

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from pooling_ui.base.i18n import current_language
from pooling_ui.base.profile import profile_name

TTL_S = 3600
FIGURE_ENTRIES = 128
_VALIDATING = threading.RLock()


def cache_data(max_entries: int):
    """``st.cache_data`` with our bounds (copies per caller: for small results)."""
    return st.cache_data(max_entries=max_entries, ttl=TTL_S, show_spinner=False)


def cache_resource(max_entries: int):
    """``st.cache_resource`` with our bounds (one shared object: treat it as read-only)."""
    return st.cache_resource(max_entries=max_entries, ttl=TTL_S, show_spinner=False)


def _feed(digest, value) -> None:
    if isinstance(value, np.ndarray):
        digest.update(f"a{value.dtype.str}{value.shape}".encode())
        digest.update(np.ascontiguousarray(value).tobytes())
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        digest.update(f"d{type(value).__qualname__}".encode())
        for item in dataclasses.fields(value):
            _feed(digest, getattr(value, item.name))
    elif isinstance(value, dict):
        digest.update(b"{")
        for name in sorted(value, key=repr):
            _feed(digest, name)
            _feed(digest, value[name])
        digest.update(b"}")
    elif isinstance(value, (list, tuple)):
        digest.update(f"l{len(value)}".encode())
        for item in value:
            _feed(digest, item)
    else:
        digest.update(f"{type(value).__qualname__}:{value!r};".encode())


def value_key(*parts) -> str:
    """A digest of values: arrays by their bytes, dataclasses by their fields.

    Examples
    --------
    >>> value_key(np.zeros(2), {"k": 1}) == value_key(np.zeros(2), {"k": 1})
    True
    >>> value_key(np.zeros(2)) == value_key(np.zeros(2, np.float32))
    False
    """
    digest = hashlib.blake2b(digest_size=20)
    _feed(digest, parts)
    return digest.hexdigest()


class SharedFigure(go.Figure):
    """A finished figure that every session shares: never changed once built (copy it with
    ``go.Figure(shared)`` to change it). Its :meth:`to_dict` is worked out once.

    One made by :meth:`from_spec` holds a figure dict as it will be sent and is validated by
    plotly only when something other than :meth:`to_dict` is asked of it (a copy, its layout).
    """

    @classmethod
    def from_spec(cls, spec: dict) -> SharedFigure:
        """A shared figure whose :meth:`to_dict` is ``spec`` (plotly's own ``to_dict`` of it:
        keys, order and values), unvalidated until a copy or a property is asked for."""
        figure = cls.__new__(cls)
        # BaseFigure.__setattr__ would look the names up first (and so validate): set directly
        figure.__dict__["_shared_dict"] = spec
        figure.__dict__["_pending_spec"] = spec
        return figure

    def __getattr__(self, name: str):
        # Reached only for what the object does not have yet: a figure from_spec() made is
        # validated now, once (two sessions may ask at once: one validates, the other waits).
        if "_pending_spec" not in self.__dict__:
            raise AttributeError(name)
        with _VALIDATING:
            spec = self.__dict__.get("_pending_spec")
            if spec is not None and not self.__dict__.get("_validating"):
                self.__dict__["_validating"] = True
                go.Figure.__init__(self, data=spec.get("data"), layout=spec.get("layout"))
                del self.__dict__["_pending_spec"]
        if "_pending_spec" in self.__dict__:
            raise AttributeError(name)  # asked for while plotly's own __init__ runs
        return getattr(self, name)

    def to_dict(self) -> dict:
        """The figure as plotly's plain dict, made on the first call and the same (shared,
        read-only) object on every later one.

        ``st.plotly_chart`` asks for it at every run and hands it to ``plotly.io.to_json``,
        which only reads it (it removes the traces' ``uid``, which this dict never has).
        """
        spec = self.__dict__.get("_shared_dict")
        if spec is None:
            spec = super().to_dict()
            for trace in spec.get("data", ()):
                trace.pop("uid", None)
            # two sessions may get here at once: both make the same dict, either one is kept
            self.__dict__["_shared_dict"] = spec
        return spec


@cache_resource(FIGURE_ENTRIES)
def _figure(key: str, _build: Callable, _args: tuple, _kwargs: dict) -> SharedFigure:
    built = _build(*_args, **_kwargs)
    if isinstance(built, go.Figure):
        # The figure just built becomes the shared one as it is: a SharedFigure(figure) copy
        # would validate every trace again. The subclass adds no state plotly knows of.
        built.__class__ = SharedFigure
        return built
    # A figure dict (the animation's) is built as plain dicts and finished as plotly's to_dict()
    # would write it (pooling_ui.figures.grids.figure_spec), frames included: it is sent as it
    # is. Validating it here cost ~11 ms a figure; it is validated only if a copy is asked for
    # (go.Figure(shared), the step-by-step play), and then holds its traces and its layout.
    return SharedFigure.from_spec(built)


def cached_figure(build: Callable, *args, **kwargs) -> SharedFigure:
    """``build(*args, **kwargs)`` as a validated, shared figure, built once per distinct value of
    the arguments, the session's language (``build`` may word its labels) and its display
    profile (``build`` sizes its figure for it)."""
    key = value_key(build.__module__, build.__qualname__, current_language(), profile_name(),
                    args, kwargs)
    return _figure(key, build, args, kwargs)
