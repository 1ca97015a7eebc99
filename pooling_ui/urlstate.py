"""The shareable URL: parsers of query-string values, and writing the current values back.

The parsers read query-string values (``kernel=3x2``, ``padding=same``, ``ceil=true``) and raise
:class:`UrlValueError` for anything else, with a message in the catalogue (``url.*``) that says
why in plain words; :func:`sync_query_params` writes the current values back, touching only the
names it is given so that other parts of the app may keep their own parameters.

The parsers are pure functions (no Streamlit), so they can be tested directly.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import streamlit as st

from pooling_ui.i18n import Message

_TRUE = ("1", "true", "yes", "on", "t", "y")
_FALSE = ("0", "false", "no", "off", "f", "n")
_PAIR_SEPARATORS = ("x", "×", "*", ",")


class UrlValueError(ValueError):
    """A query-string value that cannot be used; :attr:`message` says why, in plain words.

    ``str(error)`` is the English text (``url.<code>`` of the catalogue).
    """

    def __init__(self, code: str, **fields):
        self.message = Message(f"url.{code}", fields)
        super().__init__(self.message.text("en"))


def read_url_once(prefix: str, names: Iterable[str], read) -> list[str]:
    """On a session's first run, put what the link says into session state.

    ``read(query)`` turns the link's values (``{name: text}`` for the ``names`` present) into
    ``(session_state_values, warnings)``, the warnings as :class:`pooling_ui.i18n.Message`.
    Returns the warnings, which stay until the user changes something (the panel clears
    ``<prefix>_url_warnings`` then).
    """
    done, warnings_key = f"{prefix}_url_read", f"{prefix}_url_warnings"
    if not st.session_state.get(done):
        st.session_state[done] = True
        query = {name: st.query_params.get(name) for name in names if name in st.query_params}
        state, warnings = read(query)
        for key, value in state.items():
            st.session_state[key] = value
        st.session_state[warnings_key] = warnings
    return st.session_state.get(warnings_key, [])


def _clean(text) -> str:
    value = "" if text is None else str(text).strip()
    if not value:
        raise UrlValueError("empty")
    return value


def parse_int(text, lo: int, hi: int) -> int:
    """A whole number in ``[lo, hi]``.

    Examples
    --------
    >>> parse_int(" 7 ", 0, 9)
    7
    >>> parse_int("12", 0, 9)
    Traceback (most recent call last):
    ...
    pooling_ui.urlstate.UrlValueError: must be between 0 and 9, got 12
    """
    value = _clean(text)
    try:
        number = int(value)
    except ValueError:
        raise UrlValueError("not_int", text=value) from None
    if not lo <= number <= hi:
        raise UrlValueError("out_of_range", lo=lo, hi=hi, value=number)
    return number


def parse_float(text, lo: float, hi: float) -> float:
    """A finite number in ``[lo, hi]``.

    Examples
    --------
    >>> parse_float("0.25", 0, 1)
    0.25
    """
    value = _clean(text)
    try:
        number = float(value)
    except ValueError:
        raise UrlValueError("not_number", text=value) from None
    if not math.isfinite(number):
        raise UrlValueError("not_finite", text=value)
    if not lo <= number <= hi:
        raise UrlValueError("out_of_range", lo=f"{lo:g}", hi=f"{hi:g}", value=f"{number:g}")
    return number


def parse_pair(text, lo: int, hi: int) -> tuple[int, int]:
    """``"3"`` → ``(3, 3)``; ``"3x2"`` (or ``3×2``, ``3,2``) → ``(3, 2)``; each in ``[lo, hi]``.

    Examples
    --------
    >>> parse_pair("3x2", 1, 9), parse_pair("4", 1, 9)
    ((3, 2), (4, 4))
    >>> parse_pair("3x", 1, 9)
    Traceback (most recent call last):
    ...
    pooling_ui.urlstate.UrlValueError: expected a number or two numbers like 3x2, got '3x'
    """
    value = _clean(text).lower()
    parts = [value]
    for separator in _PAIR_SEPARATORS:
        if separator in value:
            parts = value.split(separator)
            break
    if len(parts) not in (1, 2) or not all(part.strip() for part in parts):
        raise UrlValueError("not_pair", text=value)
    try:
        numbers = [int(part.strip()) for part in parts]
    except ValueError:
        raise UrlValueError("not_pair", text=value) from None
    for number in numbers:
        if not lo <= number <= hi:
            raise UrlValueError("out_of_range", lo=lo, hi=hi, value=number)
    return (numbers[0], numbers[-1])


def format_pair(pair: tuple[int, int]) -> str:
    """``(3, 3)`` → ``"3"``, ``(3, 2)`` → ``"3x2"``.

    Examples
    --------
    >>> format_pair((3, 3)), format_pair((3, 2))
    ('3', '3x2')
    """
    return str(pair[0]) if pair[0] == pair[1] else f"{pair[0]}x{pair[1]}"


def parse_padding(text, hi: int) -> tuple[int, int] | str:
    """``"same"``, ``"valid"``, or a pair of numbers in ``[0, hi]``.

    Examples
    --------
    >>> parse_padding("SAME", 8), parse_padding("1x0", 8)
    ('same', (1, 0))
    """
    value = _clean(text).lower()
    if value in ("same", "valid"):
        return value
    try:
        return parse_pair(value, 0, hi)
    except UrlValueError as error:
        if error.message.key == "url.out_of_range":
            raise
        raise UrlValueError("not_padding", text=value) from None


def format_padding(padding: tuple[int, int] | str) -> str:
    return padding if isinstance(padding, str) else format_pair(padding)


def parse_bool(text) -> bool:
    """``true/false``, ``1/0``, ``yes/no``, ``on/off``.

    Examples
    --------
    >>> parse_bool("Yes"), parse_bool("0")
    (True, False)
    >>> parse_bool("maybe")
    Traceback (most recent call last):
    ...
    pooling_ui.urlstate.UrlValueError: expected true or false, got 'maybe'
    """
    value = _clean(text).lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise UrlValueError("not_bool", text=value)


def format_bool(value: bool) -> str:
    return "true" if value else "false"


def parse_choice(text, choices: Iterable[str]) -> str:
    """One of ``choices`` (case-insensitive).

    Examples
    --------
    >>> parse_choice("Max", ["max", "avg"])
    'max'
    """
    value = _clean(text).lower()
    options = list(choices)
    if value not in options:
        raise UrlValueError("not_choice", choices=", ".join(options), text=value)
    return value


def parse_weights(text) -> str | tuple[tuple[float, ...], ...]:
    """``"gaussian"``, ``"uniform"``, or rows ``"1,2,1;2,4,2;1,2,1"`` of numbers.

    The shape and signs are checked later by the engine against the kernel.

    Examples
    --------
    >>> parse_weights("uniform"), parse_weights("1,2;3,4")
    ('uniform', ((1.0, 2.0), (3.0, 4.0)))
    """
    value = _clean(text).lower()
    if value in ("gaussian", "uniform"):
        return value
    rows = parse_weight_rows(value)
    if rows is None:
        raise UrlValueError("not_weights", text=value)
    return rows


def parse_weight_rows(text: str) -> tuple[tuple[float, ...], ...] | None:
    """Rows separated by ``;`` or new lines, numbers by ``,`` or spaces; None if not numbers.

    Examples
    --------
    >>> parse_weight_rows("1 2 1\\n2 4 2"), parse_weight_rows("1, x")
    (((1.0, 2.0, 1.0), (2.0, 4.0, 2.0)), None)
    """
    lines = [line for line in text.replace(";", "\n").splitlines() if line.strip()]
    if not lines:
        return None
    rows = []
    for line in lines:
        cells = line.replace(",", " ").split()
        try:
            rows.append(tuple(float(cell) for cell in cells))
        except ValueError:
            return None
    return tuple(rows)


def format_weights(weights) -> str:
    """The inverse of :func:`parse_weights` for rows of numbers.

    Examples
    --------
    >>> format_weights(((1.0, 2.0), (3.0, 4.5)))
    '1,2;3,4.5'
    """
    if isinstance(weights, str):
        return weights
    return ";".join(",".join(f"{value:g}" for value in row) for row in weights)


def sync_query_params(wanted: Mapping[str, str], owned: Iterable[str]) -> None:
    """Make ``st.query_params`` hold ``wanted`` for the names in ``owned``.

    Names in ``owned`` but not in ``wanted`` are removed; names not in ``owned`` are left alone.
    Only differences are written, so an unchanged view sends nothing to the browser.
    """
    params = st.query_params
    for name in owned:
        if name in wanted:
            if params.get(name) != wanted[name]:
                params[name] = wanted[name]
        elif name in params:
            del params[name]
