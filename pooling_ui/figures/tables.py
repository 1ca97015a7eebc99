"""Grids of numbers as text tables: the figures' text alternative (WCAG 2.1 1.1.1).

A heatmap is a picture; a screen reader reads it as a run of numbers with no rows, columns or
window. Each grid figure of the app has, beside it, an expander "Show numbers as a table" that
draws the same grid as a table: a header row ``col 0, col 1, …`` and a header column
``row 0, row 1, …`` numbered as the figures number them (padding rows and columns get the
negative or past-the-end numbers the worked arithmetic uses), each cell's value as text, the
current window's cells marked in words ("7 (in window)"), and padding cells said as such.

The expanders are closed by default and their tables built only while open
(:func:`table_expander`), so they cost nothing on a page's first paint. A table is a plain
:class:`GridTable` (lists of strings: no pandas here) drawn with ``st.table``, whose cells are
text: nothing in them is read as Markdown or HTML.

Big planes are shown as a bounded block (:data:`TABLE_MAX_SIDE` a side) around what matters (the
window, the current output cell), with a note saying which rows and columns it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from pooling_ui.base.i18n import t, t_plain
from pooling_ui.figures import grids as fg

# The most rows and columns one table shows: a 16×16 photo crop fits, with its padding ring.
TABLE_MAX_SIDE = 20


@dataclass(frozen=True)
class GridTable:
    """A grid as text: ``rows[i][j]`` is the cell of ``row_labels[i]`` and ``col_labels[j]``."""

    row_labels: list[str]
    col_labels: list[str]
    rows: list[list[str]]


def window_span(lo: int, hi: int, focus: tuple[int, int], size: int = TABLE_MAX_SIDE
                ) -> tuple[int, int]:
    """``[start, stop)`` of at most ``size`` indices in ``[lo, hi)`` that holds ``focus``'s
    ``[first, last]`` (as much of it as fits), centred on it where there is room.

    Examples
    --------
    >>> window_span(0, 8, (3, 4), 20), window_span(0, 64, (30, 31), 10)
    ((0, 8), (26, 36))
    >>> window_span(-1, 64, (0, 1), 10)
    (-1, 9)
    """
    if hi - lo <= size:
        return lo, hi
    first, last = focus
    start = (first + last + 1) // 2 - size // 2
    start = int(np.clip(start, lo, hi - size))
    return start, start + size


def grid_table(values: np.ndarray, rows: Iterable[int], cols: Iterable[int], *,
               window: Iterable[tuple[int, int]] = (), window_mark: str = "in_window",
               padded: tuple[tuple[int, int], tuple[int, int]] | None = None,
               padding_value: str = "") -> GridTable:
    """The cells ``rows × cols`` of a 2-D ``values`` as text.

    Parameters
    ----------
    values : ndarray
        ``(H, W)``.
    rows, cols : iterable of int
        The row and column indices to show; those outside ``[0, H)`` / ``[0, W)`` are padding.
    window : iterable of (int, int)
        Cells to mark (the current window's, or the current output cell).
    window_mark : str
        How they are marked: ``"in_window"`` ("7 (in window)") or ``"current"`` ("6 (this
        step)").
    padded : ((top, left), (bottom, right)), optional
        The padding the user asked for: cells outside the input but within it are "padding";
        cells further out (reached only by ceil mode's overhang) are "past the padding".
    padding_value : str
        What a padding cell counts as (``−∞``, ``0``); empty: not counted.
    """
    values = np.asarray(values)
    height, width = values.shape
    rows, cols = list(rows), list(cols)
    marked = set(window)
    (pad_top, pad_left), (pad_bottom, pad_right) = padded or ((0, 0), (0, 0))
    counts = padding_value or t_plain("grid_table.not_counted")
    body = []
    for r in rows:
        line = []
        for c in cols:
            if 0 <= r < height and 0 <= c < width:
                text = fg.format_value(values[r, c])
            elif -pad_top <= r < height + pad_bottom and -pad_left <= c < width + pad_right:
                text = t_plain("grid_table.padding", value=counts)
            else:
                text = t_plain("grid_table.overhang")
            if (r, c) in marked:
                text = t_plain(f"grid_table.{window_mark}", value=text)
            line.append(text)
        body.append(line)
    return GridTable([t_plain("grid_table.row", row=r) for r in rows],
                     [t_plain("grid_table.col", col=c) for c in cols], body)


def show_table(table: GridTable, caption: str) -> None:
    """``caption`` (what the grid is, in words), then the grid as a table with its headers.

    ``st.table`` draws an HTML table whose header row and header column are ``th`` cells, so a
    screen reader says "row 2, col 1" before a value. Its cells are text, never Markdown.
    """
    st.markdown(f"**{caption}**")
    frame = pd.DataFrame(table.rows, index=table.row_labels, columns=table.col_labels)
    st.table(frame)


def bounded(length: int, focus: tuple[int, int] = (0, 0), lo: int = 0,
            hi: int | None = None) -> range:
    """At most :data:`TABLE_MAX_SIDE` indices of ``[lo, hi)`` (default ``[0, length)``) around
    ``focus``."""
    start, stop = window_span(lo, length if hi is None else hi, focus)
    return range(start, stop)


def crop_note(rows: Sequence[int], cols: Sequence[int], total: tuple[int, int],
              hw: tuple[int, int]) -> str | None:
    """A sentence saying which rows and columns of an ``hw`` grid a table shows, when it shows
    fewer than the ``total`` rows and columns it could (padding included)."""
    if len(rows) >= total[0] and len(cols) >= total[1]:
        return None
    return t("grid_table.crop", row0=rows[0], row1=rows[-1], col0=cols[0], col1=cols[-1],
             h=hw[0], w=hw[1])


def plain_grid(values: np.ndarray, caption: str, *, row0: int = 0, col0: int = 0) -> None:
    """A whole grid (or its top-left :data:`TABLE_MAX_SIDE` block, said so) as a table, numbered
    from ``row0``/``col0`` (the grid's place in a bigger one, for a crop)."""
    values = np.asarray(values)
    height, width = values.shape
    rows, cols = bounded(height), bounded(width)
    table = grid_table(values, rows, cols)
    if row0 or col0:
        table = GridTable([t_plain("grid_table.row", row=r + row0) for r in rows],
                          [t_plain("grid_table.col", col=c + col0) for c in cols], table.rows)
    show_table(table, caption)
    note = crop_note(rows, cols, (height, width), (height, width))
    if note:
        st.caption(note)


def table_expander(key: str):
    """The closed-by-default expander "Show numbers as a table", or None while it is closed.

    Its body is drawn only while it is open (``on_change="rerun"``): a page run with it closed
    builds no table at all. Use as ``box = table_expander(k)`` then ``if box: with box: …``.
    """
    box = st.expander(t("grid_table.show"), expanded=False, key=key, on_change="rerun",
                      icon=":material/table:")
    return box if box.open else None
