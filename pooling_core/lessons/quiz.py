"""Predict-the-output questions: drawn from a seed, answered by the engine, typed answers marked.

A quiz is a seed and :data:`QUIZ_LENGTH` numbered questions. Question ``number`` of quiz ``seed``
is drawn from ``np.random.default_rng([seed, number])`` alone, so it is the same question on every
machine, whatever the quiz's length and whichever questions were looked at before: a link with
the seed gives a whole class the same quiz.

Every question is built on one of :data:`PITFALLS`, the places where hand-worked pooling usually
goes wrong:

``plain``
    No padding; PyTorch's stride defaults to the kernel size.
``same_even``
    TensorFlow's ``padding="same"`` with an even window: an odd number of padding cells, the extra
    one at the bottom/right; never counted in an average.
``ceil_dropped``
    ``ceil_mode=True`` where rounding up would add a window that starts in the right padding, so
    it is dropped and the output is no bigger than with ``ceil_mode=False``.
``ceil_kept``
    ``ceil_mode=True`` keeping a last, partial window whose overhang is never counted.
``count_include_pad``
    An average with padding, dividing by the whole window or only by the cells inside.
``ties``
    A window with its maximum twice: the first in window order (row by row) wins, as in PyTorch.

and asks one of :data:`ASKS`: the output ``cells``, the output ``shape``, or the
``gradient_cell`` (the input cell that receives the gradient of one output cell). The answer is
what :func:`pooling_core.pool2d`, :func:`pooling_core.output_size` and
:func:`pooling_core.pool2d_backward` compute; :func:`check` marks typed text against it and gives
the worked arithmetic of each mistake (:func:`pooling_core.explain`'s formula).
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

import numpy as np

from ..explain import explain, window_geometry
from ..kinds import fmt
from ..params import output_size
from ..pool import pool2d, pool2d_backward

ASKS = ("cells", "shape", "gradient_cell")
PITFALLS = ("plain", "same_even", "ceil_dropped", "ceil_kept", "count_include_pad", "ties")
# One question per pitfall: every quiz meets each of them once, in a seeded order.
QUIZ_LENGTH = len(PITFALLS)
SEED_MAX = 999_999
SIDE_MIN, SIDE_MAX = 3, 6
# A cells question asks at most this many outputs per axis: nine cells is already a lot to type.
OUT_MAX = 3
VALUE_MAX = 9
# A typed decimal is right when it is this close: two decimal places are enough (7/3 ≈ 2.33).
TOLERANCE = 0.005
STATUSES = ("right", "wrong", "unreadable", "empty")


@dataclass(frozen=True, eq=False)
class Question:
    """One question: an input, the parameters, what is asked and its answer.

    Attributes
    ----------
    seed, number : int
        The quiz and the question's number in it (from 1).
    pitfall : str
        One of :data:`PITFALLS`.
    ask : str
        One of :data:`ASKS`.
    x : ndarray of int64, shape (H, W)
        The input, whole numbers 0 … 9.
    kind : {"max", "avg"}
    kernel_size, stride : (int, int)
    padding : (int, int) or "same"
    ceil_mode, count_include_pad : bool
    target : (int, int) or None
        For ``gradient_cell``: the output cell whose gradient is asked about.
    answer : ndarray or tuple
        ``cells``: the output (float64, from float32 as the engine computes it); ``shape``:
        ``(H_out, W_out)``; ``gradient_cell``: the ``(row, col)`` of the input cell.
    """

    seed: int
    number: int
    pitfall: str
    ask: str
    x: np.ndarray
    kind: str
    kernel_size: tuple[int, int]
    stride: tuple[int, int]
    padding: tuple[int, int] | str
    ceil_mode: bool
    count_include_pad: bool
    target: tuple[int, int] | None
    answer: object

    def pool_kwargs(self) -> dict:
        """Keyword arguments for :func:`pooling_core.pool2d` (and ``explain``, ``backward``)."""
        return {"kind": self.kind, "kernel_size": self.kernel_size, "stride": self.stride,
                "padding": self.padding, "ceil_mode": self.ceil_mode,
                "count_include_pad": self.count_include_pad}

    @property
    def out_shape(self) -> tuple[int, int]:
        return _out_shape(self.x.shape, self.kernel_size, self.stride, self.padding,
                          self.ceil_mode)

    @property
    def pads(self) -> tuple[tuple[int, int], tuple[int, int]]:
        """Padding cells the windows reach: ``((top, bottom), (left, right))``."""
        return window_geometry(self.x.shape, self.kernel_size, self.stride, self.padding,
                               ceil_mode=self.ceil_mode).pad

    @property
    def answer_size(self) -> int:
        """How many typed entries the answer has."""
        return int(np.prod(self.out_shape)) if self.ask == "cells" else 2


def _out_shape(in_hw, kernel, stride, padding, ceil_mode) -> tuple[int, int]:
    return tuple(
        output_size(int(in_hw[axis]), kernel[axis], stride[axis],
                    padding if isinstance(padding, str) else padding[axis], 1, ceil_mode)
        for axis in range(2)
    )


def unclipped_ceil_size(n: int, kernel: int, stride: int, padding: int) -> int:
    """The ceil-mode output size before PyTorch drops a window starting in the right padding.

    Examples
    --------
    >>> unclipped_ceil_size(3, 2, 2, 1), output_size(3, 2, 2, 1, ceil_mode=True)
    (3, 2)
    """
    return -(-(n + 2 * padding - kernel) // stride) + 1


# -- drawing a question ---------------------------------------------------------------------------
def pitfall_of(seed: int, number: int) -> str:
    """The pitfall of question ``number`` (from 1): each once per :data:`QUIZ_LENGTH`, shuffled
    by the seed.

    Examples
    --------
    >>> sorted(pitfall_of(7, n) for n in range(1, QUIZ_LENGTH + 1)) == sorted(PITFALLS)
    True
    """
    order = np.random.default_rng([seed, 0]).permutation(len(PITFALLS))
    return PITFALLS[int(order[(number - 1) % len(PITFALLS)])]


def make_question(seed: int, number: int) -> Question:
    """Question ``number`` (1 … :data:`QUIZ_LENGTH`, or beyond) of quiz ``seed`` (0 … SEED_MAX).

    Pure and deterministic: the same arguments give the same question.

    Examples
    --------
    >>> q, again = make_question(42, 1), make_question(42, 1)
    >>> q.pitfall in PITFALLS, q.ask in ASKS
    (True, True)
    >>> bool((q.x == again.x).all()) and q.pool_kwargs() == again.pool_kwargs()
    True
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not (
            0 <= seed <= SEED_MAX):
        raise ValueError(f"seed must be a whole number in [0, {SEED_MAX}]; got {seed!r}")
    if isinstance(number, bool) or not isinstance(number, (int, np.integer)) or number < 1:
        raise ValueError(f"number must be a whole number ≥ 1; got {number!r}")
    seed, number = int(seed), int(number)
    pitfall = pitfall_of(seed, number)
    rng = np.random.default_rng([seed, number])
    draw = _DRAWERS[pitfall]
    # Rejection sampling: draw until the pitfall really is in the question (an asymmetric pad, a
    # dropped window, …). The first few draws nearly always do; the loop is bounded anyway.
    for _ in range(1000):
        setup = draw(rng)
        if setup is not None:
            break
    else:  # pragma: no cover - the drawers accept a large share of their draws
        raise RuntimeError(f"no {pitfall} question found for seed {seed}")
    x, kind, kernel, stride, padding, ceil_mode, count_include_pad, ask = setup
    target = None
    if ask == "gradient_cell":
        target = _tie_target(rng, x, kernel, stride, padding) if pitfall == "ties" else tuple(
            int(v) for v in rng.integers(0, _out_shape(x.shape, kernel, stride, padding,
                                                        ceil_mode)))
    x.setflags(write=False)
    question = Question(seed, number, pitfall, ask, x, kind, kernel, stride, padding, ceil_mode,
                        count_include_pad, target, None)
    object.__setattr__(question, "answer", _answer(question))
    return question


def custom_question(x, ask: str, kind: str = "max", kernel_size=2, stride=None, padding=0,
                    ceil_mode: bool = False, count_include_pad: bool = True, target=None,
                    pitfall: str = "plain") -> Question:
    """A question on a given input and parameters (a teacher's own, or a test's), answered by the
    engine like a drawn one.

    Examples
    --------
    >>> q = custom_question([[1, 2, 3], [4, 5, 6], [7, 8, 9]], "shape", "max", 2, 2, 1,
    ...                     ceil_mode=True)
    >>> q.answer                           # ceil_mode's third window would start in the padding
    (2, 2)
    """
    if ask not in ASKS:
        raise ValueError(f"ask must be one of {', '.join(ASKS)}; got {ask!r}")
    if pitfall not in PITFALLS:
        raise ValueError(f"pitfall must be one of {', '.join(PITFALLS)}; got {pitfall!r}")
    array = np.array(x, dtype=np.int64)
    kernel = tuple(kernel_size) if isinstance(kernel_size, (tuple, list)) else _pair(kernel_size)
    strides = kernel if stride is None else (
        tuple(stride) if isinstance(stride, (tuple, list)) else _pair(stride))
    pads = padding if isinstance(padding, str) else (
        tuple(padding) if isinstance(padding, (tuple, list)) else _pair(padding))
    if ask == "gradient_cell" and target is None:
        raise ValueError("a gradient_cell question needs the target output cell")
    array.setflags(write=False)
    question = Question(0, 1, pitfall, ask, array, kind, kernel, strides, pads, bool(ceil_mode),
                        bool(count_include_pad), None if target is None else tuple(target), None)
    object.__setattr__(question, "answer", _answer(question))
    return question


def make_quiz(seed: int, length: int = QUIZ_LENGTH) -> list[Question]:
    """Questions 1 … ``length`` of quiz ``seed``."""
    return [make_question(seed, number) for number in range(1, length + 1)]


def _answer(q: Question):
    if q.ask == "shape":
        return q.out_shape
    if q.ask == "cells":
        return np.asarray(pool2d(q.x, **q.pool_kwargs()), dtype=np.float64)
    upstream = np.zeros(q.out_shape)
    upstream[q.target] = 1.0
    grad = pool2d_backward(q.x, upstream, **q.pool_kwargs())
    (row, col), = np.argwhere(grad != 0)  # max routes one output's gradient to one cell
    return int(row), int(col)


def _grid(rng, height: int, width: int) -> np.ndarray:
    return rng.integers(0, VALUE_MAX + 1, size=(height, width)).astype(np.int64)


def _pair(value: int) -> tuple[int, int]:
    return (int(value), int(value))


def _fits(ask, in_hw, kernel, stride, padding, ceil_mode) -> bool:
    return ask != "cells" or max(_out_shape(in_hw, kernel, stride, padding, ceil_mode)) <= OUT_MAX


def _draw_plain(rng):
    kind = str(rng.choice(["max", "avg"]))
    k = int(rng.choice([2, 3]))
    stride = k if rng.random() < 0.6 else int(rng.choice([1, 2]))
    height, width = (int(v) for v in rng.integers(SIDE_MIN, SIDE_MAX + 1, size=2))
    if min(height, width) < k:
        return None
    ask = str(rng.choice(["cells", "gradient_cell"])) if kind == "max" else "cells"
    if not _fits(ask, (height, width), _pair(k), _pair(stride), (0, 0), False):
        return None
    return _grid(rng, height, width), kind, _pair(k), _pair(stride), (0, 0), False, True, ask


def _draw_same_even(rng):
    kind = str(rng.choice(["max", "avg"]))
    k = int(rng.choice([2, 4]))
    stride = int(rng.choice([1, 2]))
    ask = str(rng.choice(["cells", "shape"]))
    height, width = (int(v) for v in rng.integers(SIDE_MIN, SIDE_MAX + 1, size=2))
    if not _fits(ask, (height, width), _pair(k), _pair(stride), "same", False):
        return None
    reach = window_geometry((height, width), k, stride, "same").pad
    if all(lo == hi for lo, hi in reach):
        return None  # the pitfall is the odd padding cell: it must be there
    return _grid(rng, height, width), kind, _pair(k), _pair(stride), "same", False, True, ask


def _draw_ceil(rng, *, dropped: bool):
    kind = str(rng.choice(["max", "avg"]))
    k = int(rng.choice([2, 3]))
    stride = int(rng.choice([2, 3]))
    pad = int(rng.integers(0, k // 2 + 1))
    n = int(rng.integers(SIDE_MIN, SIDE_MAX + 2))
    ask = str(rng.choice(["cells", "shape"]))
    if n + 2 * pad < k or not _fits(ask, (n, n), _pair(k), _pair(stride), _pair(pad), True):
        return None
    ceil_size = output_size(n, k, stride, pad, ceil_mode=True)
    floor_size = output_size(n, k, stride, pad)
    unclipped = unclipped_ceil_size(n, k, stride, pad)
    if dropped and unclipped == ceil_size:
        return None
    if not dropped and (ceil_size == floor_size or unclipped != ceil_size):
        return None
    # square: the pitfall along both axes, so one axis cannot be copied from the other's mistake
    return _grid(rng, n, n), kind, _pair(k), _pair(stride), _pair(pad), True, True, ask


def _draw_count_include_pad(rng):
    k = int(rng.choice([2, 3]))
    stride = int(rng.choice([1, 2])) if k == 2 else 2
    height, width = (int(v) for v in rng.integers(SIDE_MIN, SIDE_MAX, size=2))
    if not _fits("cells", (height, width), _pair(k), _pair(stride), (1, 1), False):
        return None
    include = bool(rng.random() < 0.5)
    return (_grid(rng, height, width), "avg", _pair(k), _pair(stride), (1, 1), False, include,
            "cells")


def _draw_ties(rng):
    k = int(rng.choice([2, 3]))
    stride = int(rng.choice([1, k]))
    pad = int(rng.integers(0, 2))
    height, width = (int(v) for v in rng.integers(SIDE_MIN, SIDE_MAX + 1, size=2))
    if min(height, width) + 2 * pad < k:
        return None
    return (_grid(rng, height, width), "max", _pair(k), _pair(stride), _pair(pad), False, True,
            "gradient_cell")


def _tie_target(rng, x, kernel, stride, padding) -> tuple[int, int]:
    """Pick an output cell and plant a tie for the maximum in its window (``x`` is changed)."""
    geometry = window_geometry(x.shape, kernel, stride, padding)
    out_h, out_w = geometry.out_hw
    candidates = [(r, c) for r in range(out_h) for c in range(out_w)
                  if sum(not geometry.is_padding(*cell) for cell in geometry.cells(r, c)) >= 2]
    target = candidates[int(rng.integers(len(candidates)))]
    inside = [cell for cell in geometry.cells(*target) if not geometry.is_padding(*cell)]
    first, second = sorted(int(i) for i in rng.choice(len(inside), size=2, replace=False))
    top = int(rng.integers(5, VALUE_MAX + 1))
    for cell in inside:
        x[cell] = min(int(x[cell]), top - 1)
    # Often the later of the two tied cells is the one a reader's eye lands on (it comes last);
    # either way the first in window order wins.
    x[inside[first]] = x[inside[second]] = top
    return target


_DRAWERS = {
    "plain": _draw_plain,
    "same_even": _draw_same_even,
    "ceil_dropped": lambda rng: _draw_ceil(rng, dropped=True),
    "ceil_kept": lambda rng: _draw_ceil(rng, dropped=False),
    "count_include_pad": _draw_count_include_pad,
    "ties": _draw_ties,
}


# -- reading what was typed -----------------------------------------------------------------------
_FRACTION = re.compile(r"^([+-]?\d+(?:\.\d*)?|[+-]?\.\d+)/(\d+(?:\.\d*)?|\.\d+)$")


def _normalised(text) -> str:
    # NFKC turns full-width digits and slashes (a Chinese input method's ３／４) into ASCII.
    value = unicodedata.normalize("NFKC", "" if text is None else str(text))
    return value.strip().replace("−", "-").replace(" ", "").replace(",", ".")


def parse_number(text) -> float | None:
    """A typed number: whole, decimal (``1.75``, ``1,75``) or a fraction (``7/4``); None if not.

    Examples
    --------
    >>> [parse_number(t) for t in ["3", " 2.25 ", "7/4", "−1", "１／４", "1,5", "x", "", "1/0"]]
    [3.0, 2.25, 1.75, -1.0, 0.25, 1.5, None, None, None]
    """
    value = _normalised(text)
    if not value or "_" in value:
        return None
    fraction = _FRACTION.match(value)
    try:
        if fraction:
            denominator = float(fraction.group(2))
            number = float(fraction.group(1)) / denominator if denominator else math.nan
        else:
            number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def parse_index(text) -> int | None:
    """A typed row or column number (from 0), or None.

    Examples
    --------
    >>> [parse_index(t) for t in ["2", " ３ ", "1.0", "-1", "a"]]
    [2, 3, 1, None, None]
    """
    number = parse_number(text)
    if number is None or number < 0 or number != int(number):
        return None
    return int(number)


# -- marking --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Mark:
    """One part of an answer, marked.

    Attributes
    ----------
    part : str
        ``"cell"`` (an output cell), ``"height"``/``"width"`` (of the output shape) or
        ``"input_cell"`` (where the gradient goes).
    where : (int, int) or None
        The output cell of a ``"cell"``; None otherwise.
    typed : str
        What was typed (row and column joined by a comma for ``"input_cell"``).
    status : str
        One of :data:`STATUSES`.
    expected : str
        The right answer as written: ``2.25``, ``3``, ``x[1,2]``.
    working : str
        The worked arithmetic, in symbols only (it reads the same in every language): the
        explanation's formula of the cell, the output-size formula with the numbers, or the
        asked window's formula.
    """

    part: str
    where: tuple[int, int] | None
    typed: str
    status: str
    expected: str
    working: str

    @property
    def right(self) -> bool:
        return self.status == "right"


@dataclass(frozen=True)
class Verdict:
    """A typed answer, marked part by part."""

    marks: tuple[Mark, ...]

    @property
    def right(self) -> bool:
        return all(mark.right for mark in self.marks)

    @property
    def mistakes(self) -> tuple[Mark, ...]:
        return tuple(mark for mark in self.marks if not mark.right)


def _status(text, value, correct: bool) -> str:
    if not _normalised(text):
        return "empty"
    if value is None:
        return "unreadable"
    return "right" if correct else "wrong"


def shape_working(n: int, kernel: int, stride: int, padding, ceil_mode: bool) -> str:
    """The output size along one axis, worked with the numbers (symbols only).

    Examples
    --------
    >>> shape_working(5, 2, 2, 1, False)
    '⌊(5 + 2·1 − 2)/2⌋ + 1 = 3'
    >>> shape_working(3, 2, 2, 1, True)
    '⌈(3 + 2·1 − 2)/2⌉ + 1 = 3; (3 − 1)·2 = 4 ≥ 3 + 1 ⇒ 3 − 1 = 2'
    >>> shape_working(5, 2, 2, "same", False)
    '⌈5/2⌉ = 3'
    """
    result = output_size(n, kernel, stride, padding, 1, ceil_mode)
    if padding == "same":
        return f"⌈{n}/{stride}⌉ = {result}"
    left, right = ("⌈", "⌉") if ceil_mode else ("⌊", "⌋")
    text = f"{left}({n} + 2·{padding} − {kernel})/{stride}{right} + 1"
    unclipped = unclipped_ceil_size(n, kernel, stride, padding) if ceil_mode else result
    if unclipped != result:
        return (f"{text} = {unclipped}; ({unclipped} − 1)·{stride} = {(unclipped - 1) * stride}"
                f" ≥ {n} + {padding} ⇒ {unclipped} − 1 = {result}")
    return f"{text} = {result}"


def check(question: Question, typed) -> Verdict:
    """Mark ``typed`` against ``question``'s answer.

    Parameters
    ----------
    question : Question
    typed : sequence
        ``cells``: rows of text, shaped like the output; ``shape``: ``(height, width)`` text;
        ``gradient_cell``: ``(row, col)`` text of the input cell.

    Returns
    -------
    Verdict
        One :class:`Mark` per output cell (``cells``), per axis (``shape``), or one for the
        input cell (``gradient_cell``). Numbers are right within :data:`TOLERANCE`.

    Examples
    --------
    A 2×2 max of the worked 4×4 example has outputs 6, 4, 7, 8 — one typed wrong:

    >>> import numpy as np
    >>> q = Question(0, 1, "plain", "cells", np.array([[1, 3, 2, 4], [5, 6, 1, 2],
    ...              [7, 2, 8, 1], [3, 4, 0, 6]]), "max", (2, 2), (2, 2), (0, 0), False, True,
    ...              None, np.array([[6.0, 4.0], [7.0, 8.0]]))
    >>> v = check(q, [["6", "4"], ["7", "6"]])
    >>> v.right, [(m.where, m.status, m.expected, m.working) for m in v.mistakes]
    (False, [((1, 1), 'wrong', '8', 'y[1,1] = max(8, 1, 0, 6) = 8')])
    """
    if question.ask == "cells":
        return _check_cells(question, typed)
    if question.ask == "shape":
        return _check_shape(question, typed)
    return _check_gradient_cell(question, typed)


def _check_cells(q: Question, typed) -> Verdict:
    expected = np.asarray(q.answer, dtype=np.float64)
    rows = [list(row) for row in typed]
    marks = []
    for r in range(expected.shape[0]):
        for c in range(expected.shape[1]):
            text = rows[r][c] if r < len(rows) and c < len(rows[r]) else ""
            value = parse_number(text)
            correct = value is not None and abs(value - expected[r, c]) <= TOLERANCE
            status = _status(text, value, correct)
            working = explain(q.x, r, c, **q.pool_kwargs()).formula
            marks.append(Mark("cell", (r, c), str(text or "").strip(), status,
                              fmt(expected[r, c]), working))
    return Verdict(tuple(marks))


def _check_shape(q: Question, typed) -> Verdict:
    texts = list(typed) + [""] * (2 - len(typed))
    marks = []
    for axis, part in enumerate(("height", "width")):
        text = texts[axis]
        value = parse_index(text)
        status = _status(text, value if value is not None else parse_number(text),
                         value == q.answer[axis])
        padding = q.padding if isinstance(q.padding, str) else q.padding[axis]
        working = shape_working(int(q.x.shape[axis]), q.kernel_size[axis], q.stride[axis],
                                padding, q.ceil_mode)
        marks.append(Mark(part, None, str(text or "").strip(), status, str(q.answer[axis]),
                          working))
    return Verdict(tuple(marks))


def _check_gradient_cell(q: Question, typed) -> Verdict:
    texts = list(typed) + [""] * (2 - len(typed))
    row, col = parse_index(texts[0]), parse_index(texts[1])
    shown = ",".join(str(text or "").strip() for text in texts[:2])
    if not any(_normalised(text) for text in texts[:2]):
        status = "empty"
    elif row is None or col is None:
        status = "unreadable"
    else:
        status = "right" if (row, col) == tuple(q.answer) else "wrong"
    working = explain(q.x, *q.target, **q.pool_kwargs()).formula
    expected = f"x[{q.answer[0]},{q.answer[1]}]"
    return Verdict((Mark("input_cell", None, shown, status, expected, working),))
