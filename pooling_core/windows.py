"""The one windowing mechanism every kind of pooling is built on.

A :class:`Windows` knows where the pooling windows of a 2-D plane fall. A kind of pooling never
loops over windows: it loops over the ``kh × kw`` *taps* (kernel offsets). For one tap ``(i, j)``
the input cells read by all windows form one strided slice of the input, and the windows reading
them form one rectangle of the output — so each step of a reduction is a whole-array NumPy
operation. Taps that fall into the padding are simply absent from their slice, which is how padding
never needs a padded copy of the input.

Work is done in blocks of planes and output rows sized to stay in the CPU cache (~1 MiB of input).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from .params import Axis

BLOCK_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Tap:
    """One kernel offset, restricted to one block of output rows.

    ``x[..., rows_in, cols_in]`` is read by the outputs ``out[..., rows_out, cols_out]`` of the
    block (``rows_out`` is relative to the block's first output row).
    """

    number: int  # i * kw + j: the tap's place in row-major window order
    i: int
    j: int
    rows_out: slice
    cols_out: slice
    rows_in: slice
    cols_in: slice

    @property
    def out(self):
        return (slice(None), self.rows_out, self.cols_out)

    @property
    def inp(self):
        return (slice(None), self.rows_in, self.cols_in)


@dataclass(frozen=True)
class Block:
    """Planes ``planes`` and output rows ``[row0, row1)`` processed together."""

    planes: slice
    row0: int
    row1: int


class Windows:
    """Pooling windows over ``(P, H, W)`` planes: a row :class:`Axis` and a column :class:`Axis`."""

    def __init__(self, rows: Axis, cols: Axis):
        self.rows = rows
        self.cols = cols

    @property
    def in_shape(self) -> tuple[int, int]:
        return self.rows.n, self.cols.n

    @property
    def out_shape(self) -> tuple[int, int]:
        return self.rows.out, self.cols.out

    @property
    def kernel(self) -> tuple[int, int]:
        return self.rows.kernel, self.cols.kernel

    @property
    def taps_per_window(self) -> int:
        return self.rows.kernel * self.cols.kernel

    @property
    def overlapping(self) -> bool:
        return self.rows.overlapping or self.cols.overlapping

    # -- iteration ---------------------------------------------------------------------------
    def blocks(self, planes: int, itemsize: int, weight: int = 1) -> Iterator[Block]:
        """Blocks of planes and output rows reading about ``BLOCK_BYTES / weight`` of input each."""
        height, width = self.in_shape
        budget = max(BLOCK_BYTES // max(weight, 1), 1)
        plane_bytes = height * width * itemsize
        if plane_bytes <= budget:
            step = max(budget // max(plane_bytes, 1), 1)
            for p in range(0, planes, step):
                yield Block(slice(p, min(p + step, planes)), 0, self.rows.out)
            return
        row_bytes = width * itemsize * max(self.rows.stride, 1)
        rows_per_block = max(budget // row_bytes, 1)
        for p in range(planes):
            for r in range(0, self.rows.out, rows_per_block):
                yield Block(slice(p, p + 1), r, min(r + rows_per_block, self.rows.out))

    def taps(self, block: Block | None = None, reverse: bool = False) -> Iterator[Tap]:
        """The taps in row-major window order (or its reverse), restricted to ``block``'s rows."""
        row0, row1 = (0, self.rows.out) if block is None else (block.row0, block.row1)
        kh, kw = self.kernel
        order = range(kh * kw - 1, -1, -1) if reverse else range(kh * kw)
        row_spans = [self.rows.tap_span(i, row0, row1) for i in range(kh)]
        col_spans = [self.cols.tap_span(j) for j in range(kw)]
        for number in order:
            i, j = divmod(number, kw)
            rs, cs = row_spans[i], col_spans[j]
            if rs is None or cs is None:
                continue
            yield Tap(
                number, i, j,
                slice(rs[0] - row0, rs[1] - row0), slice(cs[0], cs[1]), rs[2], cs[2],
            )

    def row_taps(self, block: Block):
        """``(rows_out, rows_in)`` for each row offset ``i``: the first half of a separable pass."""
        for i in range(self.rows.kernel):
            span = self.rows.tap_span(i, block.row0, block.row1)
            if span is not None:
                yield slice(span[0] - block.row0, span[1] - block.row0), span[2]

    def col_taps(self):
        """``(cols_out, cols_in)`` for each column offset ``j``: the second half."""
        for j in range(self.cols.kernel):
            span = self.cols.tap_span(j)
            if span is not None:
                yield slice(span[0], span[1]), span[2]

    # -- per-output facts -------------------------------------------------------------------
    def block_rows(self, block: Block) -> slice:
        return slice(block.row0, block.row1)

    def tap_offsets(self) -> np.ndarray:
        """Flat offset ``i*dh*W + j*dw`` of each tap from its window's origin, in window order."""
        i, j = np.divmod(np.arange(self.taps_per_window, dtype=np.int64), self.cols.kernel)
        return i * self.rows.dilation * self.cols.n + j * self.cols.dilation

    def window_origin(self, block: Block) -> np.ndarray:
        """``(rows, OW)`` flat index of each window's tap (0, 0) (may lie in the padding)."""
        rows = self.rows.starts[block.row0:block.row1, None]
        return rows * self.cols.n + self.cols.starts[None, :]

    def lowest_bit_table(self, highest: bool) -> np.ndarray:
        """``table[mask]``: offset of the first (or last) tap whose bit is set in ``mask``."""
        key = "_highest_table" if highest else "_lowest_table"
        if key not in self.__dict__:
            offsets = self.tap_offsets()
            masks = np.arange(1 << offsets.size, dtype=np.int64)
            tap = np.zeros(masks.size, dtype=np.int64)
            order = range(offsets.size) if highest else range(offsets.size - 1, -1, -1)
            for number in order:
                tap[(masks >> number) & 1 == 1] = number
            self.__dict__[key] = offsets[tap]
        return self.__dict__[key]

    def tap_to_flat_index(self, tap_number: np.ndarray, block: Block) -> np.ndarray:
        """Flat input index ``h*W + w`` of tap ``tap_number`` of each output of ``block``."""
        return self.tap_offsets().take(tap_number) + self.window_origin(block)

    def first_inside_tap(self, block: Block) -> np.ndarray:
        """``(rows, OW)`` number of the first tap of each window that reads the input."""
        rows = self.rows.first_inside_tap[block.row0:block.row1, None]
        return rows * self.cols.kernel + self.cols.first_inside_tap[None, :]

    def inside(self, block: Block | None = None) -> np.ndarray:
        """``(rows, OW, kh*kw)`` bool: which taps of each window read the input."""
        rows = self.rows.inside if block is None else self.rows.inside[block.row0:block.row1]
        both = rows[:, None, :, None] & self.cols.inside[None, :, None, :]
        return both.reshape(rows.shape[0], self.cols.out, -1)

    def divisor(self, count_padding: bool, block: Block | None = None,
                count_string_padding: bool = False) -> np.ndarray:
        """``(rows, OW)`` number of taps an average divides by (PyTorch's pool size)."""
        if count_padding and (self.rows.padding_counts or count_string_padding):
            rows, cols = self.rows.padded_count, self.cols.padded_count
        else:
            rows, cols = self.rows.inside_count, self.cols.inside_count
        if block is not None:
            rows = rows[block.row0:block.row1]
        return rows[:, None] * cols[None, :]

    # -- the two generic ways a kind uses the taps --------------------------------------------
    def gather(self, x: np.ndarray, block: Block, fill) -> np.ndarray:
        """``(planes, rows, OW, kh*kw)`` values of every tap of every window; padding = ``fill``."""
        planes = x[block.planes].shape[0]
        stack = np.full(
            (planes, block.row1 - block.row0, self.cols.out, self.taps_per_window), fill, x.dtype
        )
        for tap in self.taps(block):
            stack[(slice(None), tap.rows_out, tap.cols_out, tap.number)] = x[block.planes][tap.inp]
        return stack

    def scatter_add(self, grad_x: np.ndarray, per_tap: np.ndarray, block: Block) -> None:
        """Add ``per_tap[..., t]`` (``(planes, rows, OW, kh*kw)``) to the input cell of tap ``t``.

        Taps go in reverse window order, so every input cell receives its contributions in
        row-major *output* order — the order PyTorch's CPU backward kernels add them in, which
        makes float sums bit-identical.
        """
        target = grad_x[block.planes]
        for tap in self.taps(block, reverse=True):
            view = target[tap.inp]
            np.add(view, per_tap[(slice(None), tap.rows_out, tap.cols_out, tap.number)], out=view)
