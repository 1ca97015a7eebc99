"""A page's part of the shareable link, declared once: its names, how they are read, its defaults.

Every part of the app that keeps its settings in the link (the display switch, the input and
parameter panels, each lesson, the quiz) declares one :class:`Link`::

    LINK = Link("conv", URL_NAMES, DEFAULTS)

and then, on every run, reads the link (``LINK.read(read_url)``: only on a session's first run,
putting what the link says into session state before any widget is drawn), shows the warnings
(``LINK.show(warnings)``), draws its widgets with ``key=LINK.seed("conv_relu")`` and
``on_change=LINK.forget``, and writes its current values back (``LINK.write(values)``). The
parsers of the values are in :mod:`pooling_ui.base.urlstate`.

Session state per link: ``<prefix>_url_read`` (the link was read in this session) and
``<prefix>_url_warnings`` (what could not be used, as :class:`pooling_ui.base.i18n.Message`;
kept until the user changes one of the link's widgets).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import streamlit as st

from pooling_ui.base.i18n import Message
from pooling_ui.base.urlstate import sync_query_params

Reader = Callable[[dict[str, str]], tuple[dict, list[Message]]]
_FROM_DEFAULTS = object()


@dataclass(frozen=True, eq=False)
class Link:
    """The link names one part of the app owns.

    Attributes
    ----------
    prefix : str
        Names the session-state bookkeeping (``<prefix>_url_read``, ``<prefix>_url_warnings``).
    names : tuple of str
        The query-string names this part reads and writes; other parts' names are left alone.
    defaults : mapping
        Widget key → the value a widget starts with (:meth:`seed`).

    Examples
    --------
    >>> link = Link("demo", ("n",), {"demo_n": 3})
    >>> link.warnings_key, link.names
    ('demo_url_warnings', ('n',))
    """

    prefix: str
    names: tuple[str, ...]
    defaults: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self):
        object.__setattr__(self, "names", tuple(self.names))

    @property
    def read_key(self) -> str:
        return f"{self.prefix}_url_read"

    @property
    def warnings_key(self) -> str:
        return f"{self.prefix}_url_warnings"

    def read(self, reader: Reader) -> list[Message]:
        """On a session's first run, put what the link says into session state.

        ``reader(query)`` turns the link's values (``{name: text}`` for the :attr:`names`
        present) into ``(session_state_values, warnings)``. Returns the warnings, which stay until
        the user changes something (:meth:`forget`).
        """
        if not st.session_state.get(self.read_key):
            st.session_state[self.read_key] = True
            query = {name: st.query_params.get(name) for name in self.names
                     if name in st.query_params}
            state, warnings = reader(query)
            for key, value in state.items():
                st.session_state[key] = value
            st.session_state[self.warnings_key] = warnings
        return st.session_state.get(self.warnings_key, [])

    @staticmethod
    def show(warnings: Iterable[Message]) -> None:
        """One ``st.warning`` per value of the link that could not be used."""
        for warning in warnings:
            st.warning(warning.text())

    def forget(self) -> None:
        """The ``on_change`` of the link's widgets: a change answers the link's warnings."""
        st.session_state[self.warnings_key] = []

    def seed(self, key: str, default=_FROM_DEFAULTS) -> str:
        """Give a widget its default on a session's first run (or when Streamlit dropped a hidden
        widget's value), from :attr:`defaults` unless ``default`` is given; returns ``key``.

        The widget is then created with ``key=`` and without ``value=``, so that what the link put
        into session state is what it shows.
        """
        st.session_state.setdefault(key, self.defaults[key] if default is _FROM_DEFAULTS
                                    else default)
        return key

    def write(self, values: Mapping[str, str]) -> None:
        """Make the link hold ``values`` for this part's names (a name left out is removed)."""
        sync_query_params(values, self.names)
