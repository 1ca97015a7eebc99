"""Why a typed answer is wrong: re-pool with each pitfall's variant and see whose answer it is.

A live class asks one thing about a pooling setup — one output cell's value, the output shape, or
the input cell that receives the gradient of one output cell — and gets thirty typed answers. Most
wrong answers are not noise: they are exactly what the pooling gives when one parameter is read
the way another framework, or a habit, reads it. :func:`analyse` works out, once per question,
the answer of every such *variant* that differs from the right one; :meth:`Analysis.diagnose`
then names the variant (the *misconception*) that explains a typed answer, with the variant's
worked arithmetic for the asked cell, so a teacher sees "9 students counted the padding" and why.

The variants, by their stable :data:`CODES` (also the keys of the app's catalogue), in priority
order — when two variants give the same answer the first one is the diagnosis and the others are
listed in :attr:`Diagnosis.also`:

``counted_padding``
    An average divided by the whole window (``kh·kw``), padding and ceil-mode overhang included,
    where the question does not count them (``count_include_pad=False``, TensorFlow's
    ``"same"``, or taps past the padding in ceil mode).
``ignored_padding``
    An average divided only by the cells inside the input where the question counts the padding
    (``count_include_pad=True``).
``same_split``
    TensorFlow's ``"same"`` with an odd number of padding cells put the extra one at the top/left
    (as if padding were split like PyTorch's, rounding the other way) instead of the bottom/right.
``kept_dropped_window``
    ``ceil_mode=True``'s size rounded up without PyTorch's rule that drops a last window starting
    in the right padding.
``floor_for_ceil``
    The size formula rounded down where it rounds up (``ceil_mode=True``, or ``"same"``'s
    ``⌈n/s⌉``): the ceil-mode window dropped.
``ceil_for_floor``
    The size formula rounded up where ``ceil_mode=False`` rounds down: a partial window kept.
``last_tie``
    A maximum reached twice: the last tied cell in window order taken, where the first wins.
``stride_one``
    Stride 1 taken where the stride is larger (PyTorch's stride defaults to the kernel, not 1).
``avg_for_max``, ``max_for_avg``
    The other kind of pooling.
``one_based``
    Rows and columns counted from 1: the gradient's input cell written 1-based, or the asked
    output cell ``y[r,c]`` read as ``y[r−1,c−1]``.
``transposed``
    Row and column swapped: the cell ``(c, r)`` or the shape ``(W, H)``.

A typed answer within :data:`pooling_core.quiz.TOLERANCE` of the right one is ``"right"``; one
that is not a number (or a pair) is ``"unreadable"``; one no variant explains is ``"other"``.
A variant whose answer equals the right answer (the pitfall does not matter for this question)
explains nothing and is left out.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np

import pooling_core as pc

from .quiz import TOLERANCE, Question, parse_index, parse_number, shape_working

ASKS = ("cells", "shape", "gradient_cell")
CODES = (
    "counted_padding",
    "ignored_padding",
    "same_split",
    "kept_dropped_window",
    "floor_for_ceil",
    "ceil_for_floor",
    "last_tie",
    "stride_one",
    "avg_for_max",
    "max_for_avg",
    "one_based",
    "transposed",
)
# Every diagnosis code: the right answer, a misconception, no known one, and no number at all.
OUTCOMES = ("right", *CODES, "other", "unreadable")
KINDS = ("max", "avg")
# A question's input as a teacher may type or draw it: small enough to work by hand.
SIDE_LIMIT = 32


# -- the question ---------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Problem:
    """What is asked: a plane, the pooling, and one of :data:`ASKS` about one output cell.

    Attributes
    ----------
    x : ndarray of float64, shape (H, W)
    kind : {"max", "avg"}
    kernel_size, stride : (int, int)
    padding : (int, int) or "same"
    ceil_mode, count_include_pad : bool
    ask : str
        ``"cells"`` (the value of output cell ``target``), ``"shape"`` (the output's
        ``(H_out, W_out)``) or ``"gradient_cell"`` (the input ``(row, col)`` that receives the
        gradient of output cell ``target``; max pooling only).
    target : (int, int) or None
        The asked output cell; None for ``"shape"``.
    """

    x: np.ndarray
    kind: str
    kernel_size: tuple[int, int]
    stride: tuple[int, int]
    padding: tuple[int, int] | str
    ceil_mode: bool
    count_include_pad: bool
    ask: str
    target: tuple[int, int] | None = None

    def pool_kwargs(self, **changes) -> dict:
        """Keyword arguments for :func:`pooling_core.pool2d` and :func:`pooling_core.explain`."""
        kwargs = {"kind": self.kind, "kernel_size": self.kernel_size, "stride": self.stride,
                  "padding": self.padding, "ceil_mode": self.ceil_mode,
                  "count_include_pad": self.count_include_pad}
        kwargs.update(changes)
        return kwargs

    @property
    def out_shape(self) -> tuple[int, int]:
        return pc.window_geometry(self.x.shape, self.kernel_size, self.stride, self.padding,
                                  ceil_mode=self.ceil_mode).out_hw

    @classmethod
    def from_question(cls, question: Question, cell=None) -> Problem:
        """The problem of a quiz :class:`~pooling_core.quiz.Question`.

        A quiz ``cells`` question asks every output cell; a live class asks one, ``cell``
        (required then). A ``gradient_cell`` question keeps its own target.
        """
        target = question.target if question.ask == "gradient_cell" else cell
        return make_problem(question.x, question.ask, question.kind, question.kernel_size,
                            question.stride, question.padding, question.ceil_mode,
                            question.count_include_pad, target)

    def to_dict(self) -> dict:
        """Plain JSON-able data (lists, numbers, strings) that :meth:`from_dict` reads back."""
        return {"x": self.x.tolist(), "kind": self.kind, "kernel_size": list(self.kernel_size),
                "stride": list(self.stride),
                "padding": self.padding if isinstance(self.padding, str) else list(self.padding),
                "ceil_mode": self.ceil_mode, "count_include_pad": self.count_include_pad,
                "ask": self.ask, "target": None if self.target is None else list(self.target)}

    @classmethod
    def from_dict(cls, data) -> Problem:
        """Read :meth:`to_dict`'s data back (checked as :func:`make_problem` checks)."""
        if not isinstance(data, dict):
            raise ValueError(f"a problem must be a dict; got {type(data).__name__}")
        missing = [key for key in ("x", "ask") if key not in data]
        if missing:
            raise ValueError(f"a problem needs {', '.join(missing)}")
        return make_problem(data["x"], data["ask"], data.get("kind", "max"),
                            data.get("kernel_size", 2), data.get("stride"),
                            data.get("padding", 0), data.get("ceil_mode", False),
                            data.get("count_include_pad", True), data.get("target"))


def _pair(value, name: str) -> tuple[int, int]:
    values = list(value) if isinstance(value, (list, tuple)) else [value, value]
    if len(values) != 2 or not all(
            isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in values):
        raise ValueError(f"{name} must be a whole number or a pair of them; got {value!r}")
    return int(values[0]), int(values[1])


def make_problem(x, ask: str, kind: str = "max", kernel_size=2, stride=None, padding=0,
                 ceil_mode: bool = False, count_include_pad: bool = True,
                 target=None) -> Problem:
    """A checked :class:`Problem`; ``stride=None`` means the kernel size, as in PyTorch.

    Raises
    ------
    ValueError
        A clear message for any argument that does not make a question (a
        :class:`pooling_core.PoolingError`, itself a ValueError, for invalid pooling).

    Examples
    --------
    >>> make_problem([[1, 2], [3, 4]], "cells", "avg", target=(0, 0)).out_shape
    (1, 1)
    >>> make_problem([[1, 2], [3, 4]], "cells", "avg", target=(1, 0))
    Traceback (most recent call last):
    ...
    ValueError: target (1, 0) is outside the 1×1 output
    """
    if ask not in ASKS:
        raise ValueError(f"ask must be one of {', '.join(ASKS)}; got {ask!r}")
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}; got {kind!r}")
    if ask == "gradient_cell" and kind != "max":
        raise ValueError("a gradient_cell question needs max pooling (avg spreads the gradient)")
    try:
        array = np.array(x, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"x must be a grid of numbers: {error}") from None
    if array.ndim != 2 or not array.size or max(array.shape) > SIDE_LIMIT:
        raise ValueError(f"x must be a 2-D grid of at most {SIDE_LIMIT}×{SIDE_LIMIT} numbers; "
                         f"got shape {array.shape}")
    if not np.isfinite(array).all():
        raise ValueError("x must hold finite numbers")
    kernel = _pair(kernel_size, "kernel_size")
    strides = kernel if stride is None else _pair(stride, "stride")
    if isinstance(padding, str):
        pads = padding.strip().lower()
        if pads != "same":
            raise ValueError(f"padding must be a number, a pair or 'same'; got {padding!r}")
    else:
        pads = _pair(padding, "padding")
    if not isinstance(ceil_mode, bool) or not isinstance(count_include_pad, bool):
        raise ValueError("ceil_mode and count_include_pad must be True or False")
    geometry = pc.window_geometry(array.shape, kernel, strides, pads, ceil_mode=ceil_mode)
    if ask == "shape":
        cell = None
    elif target is None:
        raise ValueError(f"a {ask} question needs the target output cell")
    else:
        cell = _pair(target, "target")
        if not all(0 <= cell[a] < geometry.out_hw[a] for a in range(2)):
            raise ValueError(f"target {cell} is outside the "
                             f"{geometry.out_hw[0]}×{geometry.out_hw[1]} output")
    array.setflags(write=False)
    return Problem(array, kind, kernel, strides, pads, ceil_mode, count_include_pad, ask, cell)


# -- variants -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Variant:
    """One way of getting the question wrong, worked out.

    Attributes
    ----------
    code : str
        One of :data:`CODES`, or ``"right"`` for the right answer.
    answer : float or (int, int)
        The value of the asked cell, the ``(H_out, W_out)`` shape, or the input ``(row, col)``.
    working : str
        The variant's arithmetic for the asked cell, symbols and numbers only (reads the same in
        every language): :func:`pooling_core.explain`'s formula where the variant is a PyTorch
        pooling, the size formula for a shape.
    """

    code: str
    answer: float | tuple[int, int]
    working: str


def answer_text(answer, ask: str) -> str:
    """An answer as written: ``2.25``; ``3×2`` for a shape; ``x[1,2]`` for an input cell.

    Examples
    --------
    >>> [answer_text(2.25, "cells"), answer_text((3, 2), "shape")]
    ['2.25', '3×2']
    >>> answer_text((1, 2), "gradient_cell")
    'x[1,2]'
    """
    if ask == "cells":
        return pc.format_number(answer)
    if ask == "shape":
        return f"{answer[0]}×{answer[1]}"
    return f"x[{answer[0]},{answer[1]}]"


def _explained(p: Problem, cell, **changes):
    """:func:`pooling_core.explain` of ``cell`` under changed parameters, or None if the cell
    is not in that pooling's output (or the changed pooling is invalid)."""
    try:
        return pc.explain(p.x, *cell, **p.pool_kwargs(**changes))
    except pc.PoolingError:
        return None


def _cell_value(p: Problem, cell, code: str, **changes) -> Variant | None:
    if cell is None or min(cell) < 0:
        return None
    e = _explained(p, cell, **changes)
    return None if e is None else Variant(code, float(e.result), e.formula)


def _winner(p: Problem, cell, code: str, **changes) -> Variant | None:
    e = _explained(p, cell, **changes)
    if e is None or e.winner is None:
        return None
    return Variant(code, e.winner, f"{e.formula} ⇒ x[{e.winner[0]},{e.winner[1]}]")


def _shape(p: Problem, code: str, **changes) -> Variant | None:
    kwargs = p.pool_kwargs(**changes)
    try:
        workings = [shape_working(int(p.x.shape[a]), kwargs["kernel_size"][a],
                                  kwargs["stride"][a], kwargs["padding"] if isinstance(
                                      kwargs["padding"], str) else kwargs["padding"][a],
                                  kwargs["ceil_mode"]) for a in range(2)]
        shape = pc.window_geometry(p.x.shape, kwargs["kernel_size"], kwargs["stride"],
                                   kwargs["padding"], ceil_mode=kwargs["ceil_mode"]).out_hw
    except pc.PoolingError:
        return None
    return Variant(code, shape, _shape_text(workings, shape))


def _shape_text(workings, shape) -> str:
    return f"H_out = {workings[0]}; W_out = {workings[1]} ⇒ {shape[0]}×{shape[1]}"


def _same_split_taps(n: int, kernel: int, stride: int, extra_first: bool) -> list[list[int]]:
    """The input position of every tap of every window of TensorFlow's ``"same"`` along one
    axis, the odd padding cell at the end (TensorFlow) or at the start (``extra_first``)."""
    out = -(-n // stride)
    total = max((out - 1) * stride + kernel - n, 0)
    before = total - total // 2 if extra_first else total // 2
    return [[o * stride - before + i for i in range(kernel)] for o in range(out)]


def _same_split(p: Problem) -> Variant | None:
    """``"same"`` padded with the odd cell at the top/left; windows worked here, as PyTorch has
    no asymmetric padding and :func:`pooling_core.explain` no such option."""
    if p.padding != "same" or p.ask == "shape":
        return None
    height, width = p.x.shape
    rows = _same_split_taps(height, p.kernel_size[0], p.stride[0], True)[p.target[0]]
    cols = _same_split_taps(width, p.kernel_size[1], p.stride[1], True)[p.target[1]]
    cells = [(r, c) for r in rows for c in cols]
    values = [float(p.x[r, c]) if 0 <= r < height and 0 <= c < width else None
              for r, c in cells]
    inside = [v for v in values if v is not None]
    head = f"y[{p.target[0]},{p.target[1]}] = "
    if p.kind == "avg":  # TensorFlow never counts "same" padding
        result = float(np.float32(sum(inside)) / np.float32(len(inside)))
        terms = " + ".join(pc.format_number(v) for v in inside)
        return Variant("same_split", result,
                       f"{head}({terms})/{len(inside)} = {pc.format_number(result)}")
    result = max(inside)
    terms = ", ".join(pc.format_number(-math.inf if v is None else v) for v in values)
    formula = f"{head}max({terms}) = {pc.format_number(result)}"
    if p.ask == "cells":
        return Variant("same_split", result, formula)
    winner = next(cell for cell, v in zip(cells, values, strict=True) if v == result)
    return Variant("same_split", winner, f"{formula} ⇒ x[{winner[0]},{winner[1]}]")


def _raw_ceil(p: Problem, code: str) -> Variant | None:
    """The size rounded up with no window dropped: ``⌈(n + 2p − k)/s⌉ + 1``."""
    sizes, workings = [], []
    for a in range(2):
        n, k, s, pad = int(p.x.shape[a]), p.kernel_size[a], p.stride[a], p.padding[a]
        size = -(-(n + 2 * pad - k) // s) + 1
        sizes.append(size)
        workings.append(f"⌈({n} + 2·{pad} − {k})/{s}⌉ + 1 = {size}")
    return Variant(code, tuple(sizes), _shape_text(workings, sizes))


def _variant(p: Problem, code: str) -> Variant | None:
    """The answer of ``code``'s variant to ``p``, or None where the pitfall cannot apply."""
    numeric = not isinstance(p.padding, str)
    cell = p.target
    if code == "counted_padding":
        if p.kind != "avg" or p.ask != "cells":
            return None
        whole = p.kernel_size[0] * p.kernel_size[1]
        if not numeric or p.ceil_mode:
            return _cell_value(p, cell, code, divisor_override=whole)
        # Numeric padding, no overhang: counting the padding is dividing by the whole window, and
        # explain then writes the padding's zeros into the sum.
        return _cell_value(p, cell, code, count_include_pad=True)
    if code == "ignored_padding":
        if p.kind != "avg" or p.ask != "cells" or not numeric:
            return None
        return _cell_value(p, cell, code, count_include_pad=False)
    if code == "same_split":
        return _same_split(p)
    if code == "kept_dropped_window":
        return _raw_ceil(p, code) if p.ask == "shape" and p.ceil_mode else None
    if code == "floor_for_ceil":
        if p.ask != "shape":
            return None
        if p.ceil_mode:
            return _shape(p, code, ceil_mode=False)
        if p.padding == "same":
            sizes = [int(p.x.shape[a]) // p.stride[a] for a in range(2)]
            if min(sizes) < 1:
                return None
            workings = [f"⌊{int(p.x.shape[a])}/{p.stride[a]}⌋ = {sizes[a]}" for a in range(2)]
            return Variant(code, tuple(sizes), _shape_text(workings, sizes))
        return None
    if code == "ceil_for_floor":
        return _raw_ceil(p, code) if p.ask == "shape" and numeric and not p.ceil_mode else None
    if code == "last_tie":
        if p.ask != "gradient_cell":
            return None
        e = _explained(p, cell)
        taps = [(c, v) for c, v in zip(e.cells, e.values, strict=True) if v is not None]
        last = [c for c, v in taps if v == e.result][-1]
        return Variant(code, last, f"{e.formula} ⇒ x[{last[0]},{last[1]}]")
    if code == "stride_one":
        if p.stride == (1, 1):
            return None
        if p.ask == "shape":
            return _shape(p, code, stride=(1, 1))
        if p.ask == "cells":
            return _cell_value(p, cell, code, stride=(1, 1))
        return _winner(p, cell, code, stride=(1, 1))
    if code in ("avg_for_max", "max_for_avg"):
        other = "avg" if code == "avg_for_max" else "max"
        if p.ask != "cells" or p.kind == other:
            return None
        return _cell_value(p, cell, code, kind=other)
    if code == "one_based":
        if p.ask == "cells":
            return _cell_value(p, (cell[0] - 1, cell[1] - 1), code)
        if p.ask == "gradient_cell":
            right = _winner(p, cell, code)
            row, col = right.answer
            return Variant(code, (row + 1, col + 1),
                           f"{right.working} → x[{row}+1,{col}+1] = x[{row + 1},{col + 1}]")
        return None
    if code == "transposed":
        if p.ask == "cells":
            return _cell_value(p, (cell[1], cell[0]), code)
        if p.ask == "gradient_cell":
            right = _winner(p, cell, code)
            row, col = right.answer
            return Variant(code, (col, row), f"{right.working} → x[{col},{row}]")
        h, w = p.out_shape
        return Variant(code, (w, h), f"{h}×{w} → {w}×{h}")
    raise ValueError(f"unknown misconception code {code!r}")  # pragma: no cover


def _same(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return abs(float(a) - float(b)) <= TOLERANCE
    return tuple(a) == tuple(b)


def right_answer(p: Problem) -> Variant:
    """The right answer and its arithmetic (code ``"right"``)."""
    if p.ask == "shape":
        return _shape(p, "right")
    if p.ask == "cells":
        return _cell_value(p, p.target, "right")
    return _winner(p, p.target, "right")


# -- reading and diagnosing -----------------------------------------------------------------------
_PAIR_SPLIT = re.compile(r"[x×*,;:/\s]+")


def read_answer(ask: str, typed) -> float | tuple[int, int] | None:
    """A typed answer as a number (``cells``) or a pair of whole numbers; None if unreadable.

    A pair may be typed as two texts or one: ``"3x2"``, ``"3×2"``, ``"(1, 2)"``, ``"x[1,2]"``,
    ``"１，２"`` (full-width, as a Chinese input method types it).

    Examples
    --------
    >>> read_answer("cells", "5/3") == 5 / 3, read_answer("cells", "１．５")
    (True, 1.5)
    >>> [read_answer("shape", t) for t in ["3x2", "3 × 2", ("3", "2"), "(3,2)", "3", "a×b"]]
    [(3, 2), (3, 2), (3, 2), (3, 2), None, None]
    >>> read_answer("gradient_cell", "x[1, 2]")
    (1, 2)
    """
    if ask == "cells":
        if isinstance(typed, (list, tuple)):
            typed = typed[0] if len(typed) == 1 else None
        if isinstance(typed, (int, float, np.integer, np.floating)) and not isinstance(
                typed, bool):
            return float(typed) if math.isfinite(float(typed)) else None
        return parse_number(typed)
    if isinstance(typed, (list, tuple)):
        parts = list(typed)
    else:
        text = unicodedata.normalize("NFKC", "" if typed is None else str(typed)).strip()
        text = text.removeprefix("x[").removeprefix("X[").strip("()[] ")
        parts = [part for part in _PAIR_SPLIT.split(text) if part]
    if len(parts) != 2:
        return None
    values = tuple(parse_index(part) for part in parts)
    return None if None in values else values


@dataclass(frozen=True)
class Diagnosis:
    """What explains one typed answer.

    Attributes
    ----------
    code : str
        One of :data:`OUTCOMES`: ``"right"``, a misconception of :data:`CODES`, ``"other"`` or
        ``"unreadable"``.
    answer : float or (int, int) or None
        The answer as read (``"right"``: the right answer; a misconception: its variant's answer,
        which the typed one matches within the tolerance); None for ``"other"`` and
        ``"unreadable"``.
    working : str
        The variant's worked arithmetic for the asked cell ("" for ``"other"``/``"unreadable"``).
    also : tuple of str
        Other misconceptions whose variants give the same answer, in :data:`CODES` order.
    """

    code: str
    answer: float | tuple[int, int] | None
    working: str
    also: tuple[str, ...] = ()

    @property
    def right(self) -> bool:
        return self.code == "right"


@dataclass(frozen=True)
class Analysis:
    """A problem's right answer and every variant that answers it differently (see
    :func:`analyse`); :meth:`diagnose` marks typed answers against them."""

    problem: Problem
    right: Variant
    variants: tuple[Variant, ...] = field(default=())

    def diagnose(self, typed) -> Diagnosis:
        """The :class:`Diagnosis` of one typed answer (text, a number, or a pair of texts)."""
        value = read_answer(self.problem.ask, typed)
        if value is None:
            return Diagnosis("unreadable", None, "")
        if _same(value, self.right.answer):
            return Diagnosis("right", self.right.answer, self.right.working)
        matches = [v for v in self.variants if _same(value, v.answer)]
        if not matches:
            return Diagnosis("other", None, "")
        first = matches[0]
        return Diagnosis(first.code, first.answer, first.working,
                         tuple(v.code for v in matches[1:]))

    def variant(self, code: str) -> Variant | None:
        """The variant of ``code``, or None if it does not change this question's answer."""
        return next((v for v in self.variants if v.code == code), None)


def analyse(problem: Problem) -> Analysis:
    """The right answer of ``problem`` and, in :data:`CODES` order, every variant whose answer
    differs from it. Work it out once per question and diagnose every answer with it.

    Examples
    --------
    The 4×4 worked example, avg, kernel 3, stride 2, padding 1, padding counted: output cell
    y[0,0] holds 1 + 3 + 5 + 6 = 15 over 9 cells (5/3); forgetting that padding counts gives
    15/4:

    >>> x = [[1, 3, 2, 4], [5, 6, 1, 2], [7, 2, 8, 1], [3, 4, 0, 6]]
    >>> a = analyse(make_problem(x, "cells", "avg", 3, 2, 1, target=(0, 0)))
    >>> a.right.working
    'y[0,0] = (0 + 0 + 0 + 0 + 1 + 3 + 0 + 5 + 6)/9 = 1.667'
    >>> d = a.diagnose("3.75")
    >>> d.code, d.working
    ('ignored_padding', 'y[0,0] = (1 + 3 + 5 + 6)/4 = 3.75')
    >>> a.diagnose("5/3").code, a.diagnose("6").code, a.diagnose("4").code, a.diagnose("?").code
    ('right', 'max_for_avg', 'other', 'unreadable')
    """
    right = right_answer(problem)
    variants = []
    for code in CODES:
        variant = _variant(problem, code)
        if variant is not None and not _same(variant.answer, right.answer):
            variants.append(variant)
    return Analysis(problem, right, tuple(variants))


def diagnose(problem: Problem, typed) -> Diagnosis:
    """:func:`analyse` ``problem`` and diagnose one typed answer (for many, analyse once)."""
    return analyse(problem).diagnose(typed)
