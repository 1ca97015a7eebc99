"""Misconception diagnosis: hand-worked examples, and every variant re-computed with PyTorch.

Each misconception is a pooling with one parameter read wrong. Here every variant's answer is
computed again, independently, with ``torch.nn.functional`` (``avg_pool2d``/``max_pool2d`` with
the variant's arguments, TensorFlow's "SAME" built with ``F.pad`` from its documented rule,
``.backward()`` for the gradient's input cell), for many seeded quiz questions and random
setups. Typing a variant's answer must be diagnosed as that misconception — or, when several
variants give the same answer, as the first of them in ``CODES`` order with the others in
``also`` — the right answer as right, and other numbers as "other".
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import pooling_core as pc
from pooling_core.lessons import misconceptions as mc
from pooling_core.lessons import quiz as pq

WORKED = [[1, 3, 2, 4],
          [5, 6, 1, 2],
          [7, 2, 8, 1],
          [3, 4, 0, 6]]
GRID_1_TO_9 = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
TOL = 1e-4


# ---------------------------------------------------------------------------------------------
# Hand-worked examples
# ---------------------------------------------------------------------------------------------
def test_worked_example_avg_k3_s2_p1_both_ways_round():
    # avg, kernel 3, stride 2, padding 1 on the 4×4 example. Output size per axis:
    # floor((4 + 2·1 − 3)/2) + 1 = floor(3/2) + 1 = 2. Window rows (and cols) {−1,0,1}, {1,2,3}.
    #   y[0,0]: inside x[0..1, 0..1] = 1 + 3 + 5 + 6 = 15 over 4 cells inside, 9 in the window
    #   y[0,1]: x[0..1, 1..3] = 3 + 2 + 4 + 6 + 1 + 2 = 18 over 6 inside
    #   y[1,0]: x[1..3, 0..1] = 5 + 6 + 7 + 2 + 3 + 4 = 27 over 6 inside
    #   y[1,1]: x[1..3, 1..3] = 6 + 1 + 2 + 2 + 8 + 1 + 4 + 0 + 6 = 30 over 9 (no padding)
    # count_include_pad=True : 15/9 = 5/3, 18/9 = 2, 27/9 = 3, 30/9 = 10/3
    # count_include_pad=False: 15/4 = 3.75, 18/6 = 3, 27/6 = 4.5, 30/9 = 10/3
    counted = {(0, 0): 15 / 9, (0, 1): 2.0, (1, 0): 3.0, (1, 1): 30 / 9}
    inside = {(0, 0): 3.75, (0, 1): 3.0, (1, 0): 4.5, (1, 1): 30 / 9}
    for include, right, wrong, code in ((True, counted, inside, "ignored_padding"),
                                        (False, inside, counted, "counted_padding")):
        for cell in counted:
            a = mc.analyse(mc.make_problem(WORKED, "cells", "avg", 3, 2, 1,
                                           count_include_pad=include, target=cell))
            assert abs(a.right.answer - right[cell]) < TOL
            assert a.diagnose(f"{right[cell]:.3f}").right
            d = a.diagnose(f"{wrong[cell]:.4f}")
            if cell == (1, 1):  # no padding in this window: both ways give 10/3
                assert d.right
            else:
                assert d.code == code, (include, cell, d)
                assert abs(d.answer - wrong[cell]) < TOL
    # The divisors as written: 15/4 for the cells inside, 15/9 for the whole window.
    a = mc.analyse(mc.make_problem(WORKED, "cells", "avg", 3, 2, 1, target=(0, 0)))
    assert a.diagnose("15/4").working == "y[0,0] = (1 + 3 + 5 + 6)/4 = 3.75"
    b = mc.analyse(mc.make_problem(WORKED, "cells", "avg", 3, 2, 1, count_include_pad=False,
                                   target=(0, 0)))
    assert b.diagnose("5/3").working == "y[0,0] = (0 + 0 + 0 + 0 + 1 + 3 + 0 + 5 + 6)/9 = 1.667"
    # max for avg: max(1, 3, 5, 6) = 6.
    assert a.diagnose("6").code == "max_for_avg"


def test_two_variants_with_one_answer_the_first_in_priority_wins():
    # Same setup, count_include_pad=True, asked y[0,1] = 18/9 = 2. Dividing by the 6 cells inside
    # gives 3; reading y[0,1] as y[1,0] (transposed) gives 27/9 = 3 too. Priority: the padding
    # misconception first, the transposition in `also`.
    a = mc.analyse(mc.make_problem(WORKED, "cells", "avg", 3, 2, 1, target=(0, 1)))
    d = a.diagnose("3")
    assert (d.code, d.also) == ("ignored_padding", ("transposed",))
    assert mc.CODES.index("ignored_padding") < mc.CODES.index("transposed")
    assert a.diagnose("3") == d  # deterministic


def test_same_split_extra_padding_top_left_by_hand():
    # max, kernel 2, stride 2, "SAME" on 1..9: 1 padding cell per axis, TensorFlow puts it at the
    # bottom/right: y = [[5, 6], [8, 9]]. At the top/left: windows rows {−1,0}, {1,2}:
    # y = [[max(1), max(2, 3)], [max(4, 7), max(5, 6, 8, 9)]] = [[1, 3], [7, 9]].
    right = {(0, 0): 5, (0, 1): 6, (1, 0): 8, (1, 1): 9}
    swapped = {(0, 0): 1, (0, 1): 3, (1, 0): 7, (1, 1): 9}
    for cell in right:
        a = mc.analyse(mc.make_problem(GRID_1_TO_9, "cells", "max", 2, 2, "same", target=cell))
        assert a.right.answer == right[cell]
        d = a.diagnose(str(swapped[cell]))
        assert d.code == ("right" if cell == (1, 1) else "same_split")
    a = mc.analyse(mc.make_problem(GRID_1_TO_9, "cells", "max", 2, 2, "same", target=(0, 1)))
    assert a.diagnose("3").working == "y[0,1] = max(−∞, −∞, 2, 3) = 3"
    # avg with "SAME" never counts the padding: y[0,0] = (1 + 2 + 4 + 5)/4 = 3; with the cell on
    # the top/left it is 1/1 = 1; counting the padding of the bottom-right window
    # y[1,1] = 9/1 in TensorFlow, 9/4 = 2.25 when divided by the whole window.
    a = mc.analyse(mc.make_problem(GRID_1_TO_9, "cells", "avg", 2, 2, "same", target=(0, 0)))
    assert (a.right.answer, a.diagnose("1").code) == (3.0, "same_split")
    a = mc.analyse(mc.make_problem(GRID_1_TO_9, "cells", "avg", 2, 2, "same", target=(1, 1)))
    assert (a.right.answer, a.diagnose("2.25").code) == (9.0, "counted_padding")


def test_shape_misconceptions_by_hand():
    # 3×3, kernel 2, stride 2, padding 1, ceil_mode: ⌈(3 + 2 − 2)/2⌉ + 1 = 3, but the third
    # window would start at 2·2 − 1 = 3 = n, in the right padding: dropped, 2×2.
    a = mc.analyse(mc.make_problem(GRID_1_TO_9, "shape", "max", 2, 2, 1, ceil_mode=True))
    assert a.right.answer == (2, 2)
    d = a.diagnose("3x3")
    assert d.code == "kept_dropped_window" and d.working.endswith("3×3")
    # 5×5, kernel 2, stride 2, no padding, ceil_mode: ⌈3/2⌉ + 1 = 3 (last window x[4] + overhang,
    # starts inside: kept). floor: ⌊3/2⌋ + 1 = 2. Stride 1: (5 − 2)/1 + 1 = 4.
    x = np.arange(25).reshape(5, 5) % 10
    a = mc.analyse(mc.make_problem(x, "shape", "avg", 2, 2, 0, ceil_mode=True))
    assert a.right.answer == (3, 3)
    assert [a.diagnose(t).code for t in ("2×2", "4, 4", "3x3", "5x5")] == [
        "floor_for_ceil", "stride_one", "right", "other"]
    # 4×6, kernel 3, stride 2, no ceil: ⌊(4 − 3)/2⌋ + 1 = 1, ⌊(6 − 3)/2⌋ + 1 = 2, so 1×2;
    # rounding up: ⌈1/2⌉ + 1 = 2, ⌈3/2⌉ + 1 = 3; transposed: 2×1.
    a = mc.analyse(mc.make_problem(np.zeros((4, 6)), "shape", "max", 3, 2, 0))
    assert a.right.answer == (1, 2)
    assert [a.diagnose(t).code for t in ("2x3", "2x1", "(1, 2)")] == [
        "ceil_for_floor", "transposed", "right"]
    # "SAME" on 5×7 with stride 2: ⌈5/2⌉ × ⌈7/2⌉ = 3×4; ⌊5/2⌋ × ⌊7/2⌋ = 2×3.
    a = mc.analyse(mc.make_problem(np.zeros((5, 7)), "shape", "max", 2, 2, "same"))
    assert (a.right.answer, a.diagnose("2x3").code) == ((3, 4), "floor_for_ceil")


def test_gradient_cell_ties_and_indexing_by_hand():
    # max, kernel 3, stride 3 on a 3×3 window holding 7 twice, at x[0,2] and x[2,1]:
    #   [[1, 2, 7],
    #    [0, 3, 4],
    #    [5, 7, 6]]
    # window order is row by row, so x[0,2] comes first and takes the gradient (PyTorch);
    # the last tie is x[2,1]; 1-based the first is x[1,3]; transposed x[2,0].
    x = [[1, 2, 7], [0, 3, 4], [5, 7, 6]]
    a = mc.analyse(mc.make_problem(x, "gradient_cell", "max", 3, 3, 0, target=(0, 0)))
    assert a.right.answer == (0, 2)
    assert [a.diagnose(t).code for t in ("0,2", "2,1", "1,3", "2,0", "1,1", "a")] == [
        "right", "last_tie", "one_based", "transposed", "other", "unreadable"]
    assert a.diagnose("2, 1").working == "y[0,0] = max(1, 2, 7, 0, 3, 4, 5, 7, 6) = 7 ⇒ x[2,1]"


def test_kind_swapped_by_hand():
    # max, kernel 2 on the 4×4 example: y[1,1] = max(8, 1, 0, 6) = 8; avg: 15/4 = 3.75.
    a = mc.analyse(mc.make_problem(WORKED, "cells", "max", 2, target=(1, 1)))
    d = a.diagnose("3.75")
    assert (a.right.answer, d.code, d.working) == (
        8.0, "avg_for_max", "y[1,1] = (8 + 1 + 0 + 6)/4 = 3.75")
    # stride 1 instead of 2: y[1,1] is then the window x[1..2, 1..2] = max(6, 1, 2, 8) = 8 too;
    # y[0,1] = max(2, 4, 1, 2) = 4 with stride 2, max(3, 2, 6, 1) = 6 with stride 1.
    assert mc.analyse(mc.make_problem(WORKED, "cells", "max", 2, target=(1, 1))).variant(
        "stride_one") is None
    a = mc.analyse(mc.make_problem(WORKED, "cells", "max", 2, target=(0, 1)))
    assert a.diagnose("6").code == "stride_one"


def test_bad_problems_are_refused_clearly():
    with pytest.raises(ValueError, match="ask must be one of"):
        mc.make_problem(WORKED, "colour")
    with pytest.raises(ValueError, match="needs max pooling"):
        mc.make_problem(WORKED, "gradient_cell", "avg", target=(0, 0))
    with pytest.raises(ValueError, match="outside the 2×2 output"):
        mc.make_problem(WORKED, "cells", target=(2, 0))
    with pytest.raises(ValueError, match="needs the target"):
        mc.make_problem(WORKED, "cells")
    with pytest.raises(ValueError, match="grid of numbers"):
        mc.make_problem([["a", "b"]], "shape")
    with pytest.raises(ValueError, match="padding"):
        mc.make_problem(WORKED, "shape", padding=5)
    p = mc.make_problem(WORKED, "cells", "avg", 3, 2, 1, target=(0, 1))
    again = mc.Problem.from_dict(p.to_dict())
    assert again.to_dict() == p.to_dict()
    with pytest.raises(ValueError):
        mc.Problem.from_dict({"x": WORKED})


# ---------------------------------------------------------------------------------------------
# Every variant again with PyTorch
# ---------------------------------------------------------------------------------------------
def tf_same_pads(n: int, k: int, s: int, extra_first: bool = False) -> tuple[int, int]:
    """TensorFlow's documented "SAME": out = ceil(n/s), total = max((out−1)·s + k − n, 0),
    floor(total/2) before and the rest after (``extra_first`` swaps them)."""
    out = -(-n // s)
    total = max((out - 1) * s + k - n, 0)
    small, big = total // 2, total - total // 2
    return (big, small) if extra_first else (small, big)


def torch_pool(x, kind, k, s, padding, ceil_mode, include, *, divisor=None,
               extra_first=False, grad_cell=None):
    """y (numpy) or, with ``grad_cell``, the input cell receiving y[grad_cell]'s gradient."""
    t = torch.tensor(np.asarray(x, dtype=np.float64))[None, None].requires_grad_(True)
    if padding == "same":
        (top, bottom), (left, right) = (tf_same_pads(t.shape[2 + a], k[a], s[a], extra_first)
                                        for a in range(2))
        pads = (left, right, top, bottom)
        if kind == "max":
            y = F.max_pool2d(F.pad(t, pads, value=-math.inf), k, s)
        elif divisor is not None:  # the whole window: zero padding counted
            y = F.avg_pool2d(F.pad(t, pads), k, s)
        else:  # TensorFlow: sum over the cells inside / their number
            ones = torch.ones_like(t)
            y = (F.avg_pool2d(F.pad(t, pads), k, s, divisor_override=1)
                 / F.avg_pool2d(F.pad(ones, pads), k, s, divisor_override=1))
    elif kind == "max":
        y = F.max_pool2d(t, k, s, padding, ceil_mode=ceil_mode)
    else:
        y = F.avg_pool2d(t, k, s, padding, ceil_mode=ceil_mode, count_include_pad=include,
                         divisor_override=divisor)
    if grad_cell is None:
        return y[0, 0].detach().numpy()
    y[0, 0][grad_cell].backward()
    (cell,) = torch.nonzero(t.grad[0, 0]).tolist()
    return tuple(cell)


def torch_shape(p, *, stride=None, ceil_mode=None, raw_ceil=False):
    x = np.asarray(p.x)
    s = stride or p.stride
    if raw_ceil:  # ⌈(n + 2p − k)/s⌉ + 1 = ⌊(n + 2p + s − 1 − k)/s⌋ + 1: pad s − 1 more at the end
        pads = []
        for a in (1, 0):
            pads += [p.padding[a], p.padding[a] + s[a] - 1]
        padded = F.pad(torch.tensor(x)[None, None], tuple(pads))
        return tuple(F.avg_pool2d(padded, p.kernel_size, s).shape[2:])
    return torch_pool(x, "avg" if p.padding != "same" else "max", p.kernel_size, s, p.padding,
                      p.ceil_mode if ceil_mode is None else ceil_mode, True).shape


def torch_answers(p) -> tuple[object, dict[str, object]]:
    """The right answer and every variant's answer, by PyTorch, by the rules of the module's
    docstring (where each applies)."""
    x, k, s, pad, kind = np.asarray(p.x), p.kernel_size, p.stride, p.padding, p.kind
    same = pad == "same"
    plain = dict(kind=kind, k=k, s=s, padding=pad, ceil_mode=p.ceil_mode,
                 include=p.count_include_pad)

    def value(cell=p.target, **changes):
        args = {**plain, **changes}
        out = torch_pool(x, args.pop("kind"), args.pop("k"), args.pop("s"), args.pop("padding"),
                         args.pop("ceil_mode"), args.pop("include"), **args)
        if min(cell) < 0 or cell[0] >= out.shape[0] or cell[1] >= out.shape[1]:
            return None
        return float(out[cell])

    def grad(**changes):
        args = {**plain, **changes}
        return torch_pool(x, args.pop("kind"), args.pop("k"), args.pop("s"), args.pop("padding"),
                          args.pop("ceil_mode"), args.pop("include"), grad_cell=p.target, **args)

    v: dict[str, object] = {}
    if p.ask == "cells":
        r, c = p.target
        right = value()
        if kind == "avg":
            v["counted_padding"] = value(divisor=k[0] * k[1])
            if not same:
                v["ignored_padding"] = value(include=False)
            v["max_for_avg"] = value(kind="max")
        else:
            v["avg_for_max"] = value(kind="avg")
        if same:
            v["same_split"] = value(extra_first=True)
        if s != (1, 1):
            v["stride_one"] = value(s=(1, 1))
        v["one_based"] = value(cell=(r - 1, c - 1))
        v["transposed"] = value(cell=(c, r))
    elif p.ask == "gradient_cell":
        right = grad()
        # the last of tied maxima: nudge every cell up by a hair growing in row-major order
        # (which is window order), so the last tied cell becomes the one maximum
        nudged = x + 1e-6 * np.arange(x.size).reshape(x.shape)
        v["last_tie"] = torch_pool(nudged, "max", k, s, pad, p.ceil_mode, True,
                                   grad_cell=p.target)
        if same:
            v["same_split"] = grad(extra_first=True)
        if s != (1, 1):
            v["stride_one"] = grad(s=(1, 1))
        v["one_based"] = (right[0] + 1, right[1] + 1)
        v["transposed"] = (right[1], right[0])
    else:
        right = torch_shape(p)
        if p.ceil_mode:
            v["kept_dropped_window"] = torch_shape(p, raw_ceil=True)
            v["floor_for_ceil"] = torch_shape(p, ceil_mode=False)
        elif same:
            # ⌊n/s⌋: windows of s cells, s apart, no padding
            y = F.avg_pool2d(torch.zeros((1, 1, *x.shape)), s, s)
            if min(y.shape[2:]) >= 1:
                v["floor_for_ceil"] = tuple(y.shape[2:])
        else:
            v["ceil_for_floor"] = torch_shape(p, raw_ceil=True)
        if s != (1, 1):
            v["stride_one"] = torch_shape(p, stride=(1, 1))
        v["transposed"] = (right[1], right[0])
    differing = {code: ans for code, ans in v.items()
                 if ans is not None and not same_answer(ans, right)}
    return right, differing


def same_answer(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return abs(float(a) - float(b)) <= pq.TOLERANCE
    return tuple(a) == tuple(b)


def typed(answer, ask: str, style: int) -> str:
    """How a student might type ``answer``."""
    if ask == "cells":
        return (f"{answer:.3f}", f"{answer:.4f}".replace(".", ","),
                f"{answer:.3f}".translate(str.maketrans("0123456789.", "０１２３４５６７８９．"))
                )[style % 3]
    a, b = answer
    return (f"{a},{b}", f"{a}×{b}", f"({a}, {b})", f"{a} x {b}")[style % 4]


def evaluate_formula(working: str) -> float:
    """Evaluate ``y[r,c] = EXPR = v``'s EXPR with Python: the worked arithmetic must add up."""
    expr = working.split(" = ")[1]
    expr = expr.replace("−∞", "-inf").replace("−", "-")
    assert re.fullmatch(r"[0-9.+\-*/(), a-z]*", expr), expr
    return float(eval(expr, {"__builtins__": {}}, {"max": max, "inf": math.inf}))


def quiz_problems(seeds):
    for seed in seeds:
        for number in range(1, pq.QUIZ_LENGTH + 1):
            q = pq.make_question(seed, number)
            if q.ask == "cells":
                for r in range(q.out_shape[0]):
                    for c in range(q.out_shape[1]):
                        yield mc.Problem.from_question(q, (r, c))
            else:
                yield mc.Problem.from_question(q)


def random_problems(count: int, seed: int = 2024):
    """Setups the quiz does not draw (ceil_mode=False shapes, uneven kernels, …)."""
    rng = np.random.default_rng(seed)
    made = 0
    while made < count:
        h, w = (int(v) for v in rng.integers(3, 8, size=2))
        kind = str(rng.choice(["max", "avg"]))
        k = tuple(int(v) for v in rng.integers(2, 4, size=2))
        s = tuple(int(v) for v in rng.integers(1, 4, size=2))
        same = rng.random() < 0.25
        pad = "same" if same else tuple(int(rng.integers(0, ki // 2 + 1)) for ki in k)
        ceil_mode = (not same) and bool(rng.random() < 0.5)
        ask = str(rng.choice(["cells", "shape", "gradient_cell"] if kind == "max"
                             else ["cells", "shape"]))
        x = rng.integers(0, 6, size=(h, w))  # small values: ties are common
        try:
            out = pc.window_geometry((h, w), k, s, pad, ceil_mode=ceil_mode).out_hw
            target = None if ask == "shape" else tuple(int(rng.integers(n)) for n in out)
            problem = mc.make_problem(x, ask, kind, k, s, pad, ceil_mode,
                                      bool(rng.random() < 0.5), target)
        except ValueError:
            continue
        made += 1
        yield problem


@pytest.mark.parametrize("source", ["quiz", "random"])
def test_every_variant_agrees_with_pytorch_and_is_diagnosed(source):
    problems = list(quiz_problems(range(40)) if source == "quiz" else random_problems(400))
    rng = np.random.default_rng(7)
    seen: dict[str, int] = {}
    for index, p in enumerate(problems):
        right, expected = torch_answers(p)
        a = mc.analyse(p)
        where = p.to_dict()
        assert same_answer(a.right.answer, right), where
        got = {v.code: v.answer for v in a.variants}
        assert got.keys() == expected.keys(), (where, got, expected)
        for code, answer in expected.items():
            assert same_answer(got[code], answer), (where, code, got[code], answer)
        assert a.diagnose(typed(right, p.ask, index)).code == "right", where
        for code, answer in expected.items():
            seen[code] = seen.get(code, 0) + 1
            d = a.diagnose(typed(answer, p.ask, index))
            coinciding = [c for c in mc.CODES if c in expected
                          and same_answer(expected[c], answer)]
            assert (d.code, d.also) == (coinciding[0], tuple(coinciding[1:])), (where, code, d)
            variant = a.variant(d.code)
            assert d.working == variant.working
            if p.ask == "cells":
                assert abs(evaluate_formula(d.working) - answer) < 1e-3, (where, d.working)
            else:
                assert d.working.endswith(mc.answer_text(answer, p.ask)), (where, d.working)
        # Anything else typed is "other"; what is not a number is "unreadable".
        known = [right, *expected.values()]
        for _ in range(3):
            if p.ask == "cells":
                guess = float(rng.integers(-20, 60)) / int(rng.choice([1, 2, 3, 4, 6, 9]))
            else:
                guess = tuple(int(v) for v in rng.integers(0, 9, size=2))
            if not any(same_answer(guess, k) for k in known):
                assert a.diagnose(typed(guess, p.ask, index)).code == "other", (where, guess)
        assert a.diagnose("¿").code == "unreadable"
        assert a.diagnose("").code == "unreadable"
    # Together the two sources meet every misconception many times.
    assert len(problems) > 300
    if source == "random":
        assert set(seen) == set(mc.CODES), seen
        assert min(seen.values()) >= 5, seen
