"""The shareable URL: parsers of query-string values, and writing the current values back.

The parsers read query-string values (``kernel=3x2``, ``padding=same``, ``ceil=true``) and raise
:class:`UrlValueError` for anything else, with a message in the catalogue (``url.*``) that says
why in plain words; :func:`sync_query_params` writes the current values back, touching only the
names it is given so that other parts of the app may keep their own parameters.

The parsers are pure functions (no Streamlit), so they can be tested directly.

A grid of numbers (the user's own typed or drawn input, up to :data:`GRID_MAX` × :data:`GRID_MAX`)
travels in one value, written by :func:`format_grid` and read by :func:`parse_grid`, in one of two
forms:

* rows of numbers, ``1,3,2,4;5,6,1,2`` (rows split by ``;``, cells by ``,``; ``nan``, ``inf`` and
  ``-inf`` allowed), each number the shortest text that reads back as exactly the same float32;
* beyond :data:`GRID_TEXT_MAX` characters, when it is shorter, ``z:`` and the base64url text
  (no ``=`` padding) of the zlib-compressed bytes ``rows, cols`` (one byte each) followed by the
  float32 cells, little-endian, row by row.
"""

from __future__ import annotations

import base64
import binascii
import math
import zlib
from collections.abc import Callable, Iterable, Mapping
from urllib.parse import urlencode, urlsplit

import numpy as np
import streamlit as st

from pooling_ui.base.i18n import Message

_TRUE = ("1", "true", "yes", "on", "t", "y")
_FALSE = ("0", "false", "no", "off", "f", "n")
_PAIR_SEPARATORS = ("x", "×", "*", ",")

GRID_MAX = 32
# Rows of numbers stay readable up to here; beyond, the compressed form when it is shorter.
GRID_TEXT_MAX = 600
# More than any 32×32 grid needs in either form (15 characters a cell at most): a longer value is
# refused before any parsing or decompressing.
GRID_LINK_MAX = 20_000
GRID_COMPRESSED = "z:"
_GRID_HEADER = 2  # bytes: rows, cols


class UrlValueError(ValueError):
    """A query-string value that cannot be used; :attr:`message` says why, in plain words.

    ``str(error)`` is the English text (``url.<code>`` of the catalogue).
    """

    def __init__(self, code: str, **fields):
        self.message = Message(f"url.{code}", fields)
        super().__init__(self.message.text("en"))


def _clean(text) -> str:
    value = "" if text is None else str(text).strip()
    if not value:
        raise UrlValueError("empty")
    return value


def _number(text, convert, code: str):
    """``(the text, convert(text))``, or :class:`UrlValueError` ``code`` when it is no number."""
    value = _clean(text)
    try:
        return value, convert(value)
    except ValueError:
        raise UrlValueError(code, text=value) from None


def parse_int(text, lo: int, hi: int) -> int:
    """A whole number in ``[lo, hi]``.

    Examples
    --------
    >>> parse_int(" 7 ", 0, 9)
    7
    >>> parse_int("12", 0, 9)
    Traceback (most recent call last):
    ...
    pooling_ui.base.urlstate.UrlValueError: must be between 0 and 9, got 12
    """
    _, number = _number(text, int, "not_int")
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
    value, number = _number(text, float, "not_number")
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
    pooling_ui.base.urlstate.UrlValueError: expected a number or two numbers like 3x2, got '3x'
    """
    typed = _clean(text)  # echoed as typed in a message; compared in lower case
    value = typed.lower()
    parts = [value]
    for separator in _PAIR_SEPARATORS:
        if separator in value:
            parts = value.split(separator)
            break
    if len(parts) not in (1, 2) or not all(part.strip() for part in parts):
        raise UrlValueError("not_pair", text=typed)
    try:
        numbers = [int(part.strip()) for part in parts]
    except ValueError:
        raise UrlValueError("not_pair", text=typed) from None
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
    typed = _clean(text)
    value = typed.lower()
    if value in ("same", "valid"):
        return value
    try:
        return parse_pair(value, 0, hi)
    except UrlValueError as error:
        if error.message.key == "url.out_of_range":
            raise
        raise UrlValueError("not_padding", text=typed) from None


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
    pooling_ui.base.urlstate.UrlValueError: expected true or false, got 'maybe'
    """
    typed = _clean(text)
    value = typed.lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise UrlValueError("not_bool", text=typed)


def format_bool(value: bool) -> str:
    return "true" if value else "false"


def parse_choice(text, choices: Iterable[str]) -> str:
    """One of ``choices`` (case-insensitive).

    Examples
    --------
    >>> parse_choice("Max", ["max", "avg"])
    'max'
    """
    typed = _clean(text)
    value = typed.lower()
    options = list(choices)
    if value not in options:
        raise UrlValueError("not_choice", choices=", ".join(options), text=typed)
    return value


def parse_weights(text) -> str | tuple[tuple[float, ...], ...]:
    """``"gaussian"``, ``"uniform"``, or rows ``"1,2,1;2,4,2;1,2,1"`` of numbers.

    The shape and signs are checked later by the engine against the kernel.

    Examples
    --------
    >>> parse_weights("uniform"), parse_weights("1,2;3,4")
    ('uniform', ((1.0, 2.0), (3.0, 4.0)))
    """
    typed = _clean(text)
    value = typed.lower()
    if value in ("gaussian", "uniform"):
        return value
    rows = parse_weight_rows(value)
    if rows is None:
        raise UrlValueError("not_weights", text=typed)
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


def read_values(query: Mapping[str, str], readers: Mapping[str, Callable[[str], dict]],
                default_text: Callable[[str], object], *,
                message_key: str = "params.url_bad") -> tuple[dict, list[Message]]:
    """Session-state values from the link, and a warning for each value that cannot be read.

    ``readers[name](raw)`` turns the link's value of ``name`` into session-state updates, or
    raises :class:`UrlValueError`; the warning (``message_key``, with ``name``, ``raw``,
    ``reason`` and ``default_text(name)``) says why and what is used instead.

    Examples
    --------
    >>> digit = {name: lambda raw, name=name: {name: parse_int(raw, 0, 9)} for name in "nm"}
    >>> state, warnings = read_values({"n": "7", "m": "x"}, digit, lambda name: "0")
    >>> state, [warning.fields["name"] for warning in warnings]
    ({'n': 7}, ['m'])
    """
    state: dict = {}
    warnings: list[Message] = []
    for name, reader in readers.items():
        if name not in query:
            continue
        try:
            state.update(reader(query[name]))
        except UrlValueError as error:
            warnings.append(Message(message_key, {
                "name": name, "raw": query[name], "reason": error.message,
                "default": default_text(name)}))
    return state, warnings


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


# -- grids ----------------------------------------------------------------------------------------
def format_number(value) -> str:
    """The shortest text that reads back (``float`` then float32) as exactly ``value``'s float32.

    Examples
    --------
    >>> [format_number(v) for v in (3, 0.1, -0.0, 1e20, 2.5e-7, float("nan"), float("-inf"))]
    ['3', '0.1', '-0', '1e20', '2.5e-7', 'nan', '-inf']
    """
    number = np.float32(value)
    if np.isnan(number):
        return "nan"
    if np.isinf(number):
        return "inf" if number > 0 else "-inf"
    positional = np.format_float_positional(number, unique=True, trim="-")
    scientific = np.format_float_scientific(number, unique=True, trim="-", exp_digits=1)
    text = min(positional, scientific.replace("e+", "e"), key=len)
    if np.float32(float(text)).tobytes() != number.tobytes():
        # Reading the shortest text as a float64 first could in principle round it once more
        # onto the other float32; the float64 of the value itself never does.
        text = repr(float(number))
    return text


def _grid_shape_ok(rows: int, cols: int) -> None:
    if not (1 <= rows <= GRID_MAX and 1 <= cols <= GRID_MAX):
        raise UrlValueError("grid_too_big", limit=GRID_MAX, rows=rows, cols=cols)


def format_grid(grid) -> str:
    """A 2-D grid as one query-string value (see the module's docstring for the two forms).

    Examples
    --------
    >>> format_grid([[1, 3], [2.5, float("nan")]])
    '1,3;2.5,nan'
    >>> format_grid(np.zeros((32, 32))).startswith("z:")
    True
    """
    array = np.asarray(grid, dtype=np.float32)
    if array.ndim != 2:
        raise ValueError(f"a grid has two dimensions, got shape {array.shape}")
    _grid_shape_ok(*array.shape)
    text = ";".join(",".join(format_number(value) for value in row) for row in array)
    if len(text) <= GRID_TEXT_MAX:
        return text
    header = bytes(array.shape)
    packed = zlib.compress(header + array.astype("<f4").tobytes(), 9)
    compressed = GRID_COMPRESSED + base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")
    return min(text, compressed, key=len)


def _parse_grid_number(text: str, row: int, col: int) -> float:
    value = text.strip().replace("−", "-").replace("∞", "inf")
    try:
        if not value or "_" in value:
            raise ValueError(value)
        return float(value)
    except ValueError:
        raise UrlValueError("grid_bad_number", row=row, col=col, text=text) from None


def _parse_grid_rows(text: str) -> np.ndarray:
    lines = text.split(";")
    if len(lines) > 1 and not lines[-1].strip():
        lines.pop()  # one trailing ";" is harmless
    cells = [line.split(",") for line in lines]
    _grid_shape_ok(len(cells), max(len(row) for row in cells))
    for index, row in enumerate(cells):
        if len(row) != len(cells[0]):
            raise UrlValueError("grid_ragged", row=index, got=len(row), expected=len(cells[0]))
    values = [[_parse_grid_number(cell, r, c) for c, cell in enumerate(row)]
              for r, row in enumerate(cells)]
    with np.errstate(over="ignore"):  # beyond float32's range is ±inf, as in the typed grid
        return np.array(values, dtype=np.float64).astype(np.float32)


def _parse_grid_compressed(text: str) -> np.ndarray:
    body = text.strip()
    if len(body) % 4 == 1:
        raise UrlValueError("grid_bad_base64")
    try:
        packed = base64.b64decode(body + "=" * (-len(body) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        raise UrlValueError("grid_bad_base64") from None
    most = _GRID_HEADER + GRID_MAX * GRID_MAX * 4
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(packed, most + 1)  # a small bomb is cut off here
    except zlib.error:
        raise UrlValueError("grid_bad_zlib") from None
    if len(raw) <= most and (not inflater.eof or inflater.unused_data):
        raise UrlValueError("grid_bad_zlib")  # cut short, or followed by other bytes
    if len(raw) < _GRID_HEADER:
        raise UrlValueError("grid_no_header")
    rows, cols = raw[0], raw[1]
    _grid_shape_ok(rows, cols)
    expected = _GRID_HEADER + rows * cols * 4
    if len(raw) > most:
        raise UrlValueError("grid_data_too_long", most=most, rows=rows, cols=cols,
                            expected=expected)
    if len(raw) != expected:
        raise UrlValueError("grid_wrong_length", got=len(raw), rows=rows, cols=cols,
                            expected=expected)
    data = np.frombuffer(raw, dtype="<f4", offset=_GRID_HEADER).reshape(rows, cols)
    return data.astype(np.float32)


def parse_grid(text) -> np.ndarray:
    """A grid written by :func:`format_grid`: float32 ``(rows, cols)``, each side 1 … 32.

    Raises :class:`UrlValueError` naming what is wrong: the cell that is not a number, a row of
    another length, a grid too big, a compressed form that is not base64url, damaged or of the
    wrong length.

    Examples
    --------
    >>> parse_grid("1,3;2.5,-inf").tolist()
    [[1.0, 3.0], [2.5, -inf]]
    >>> parse_grid("1,2;3,x")
    Traceback (most recent call last):
    ...
    pooling_ui.base.urlstate.UrlValueError: x[1,1]: 'x' is not a number
    """
    value = _clean(text)
    if len(value) > GRID_LINK_MAX:
        raise UrlValueError("grid_too_long", length=len(value), limit=GRID_LINK_MAX)
    if value[:len(GRID_COMPRESSED)].lower() == GRID_COMPRESSED:
        return _parse_grid_compressed(value[len(GRID_COMPRESSED):])
    return _parse_grid_rows(value)


def full_url(base: str | None, params: Mapping[str, Iterable[str]]) -> str:
    """The link to share: ``base`` (the page's address, or "" when unknown) and the query.

    ``,``, ``;`` and ``:`` stay as they are, so that a grid stays readable in the link.

    Examples
    --------
    >>> full_url("http://localhost:8501/shapes", {"input": ["grid"], "grid": ["1,2;3,4"]})
    'http://localhost:8501/shapes?input=grid&grid=1,2;3,4'
    """
    base = base or ""
    if base and not urlsplit(base).path:
        base += "/"  # the app's root: "http://host:8501/?…", as a browser writes it
    query = urlencode([(name, value) for name, values in params.items() for value in values],
                      safe=",;:")
    return f"{base}?{query}" if query else base
