"""The quiz: questions worked by hand, generated questions against PyTorch, the page in AppTest.

Hand-worked questions state their input, parameters and answer (worked in the comments); the
checker must mark the hand answer right and a typical mistake wrong, with the arithmetic.
Generated questions are answered again by PyTorch (``torch.nn.functional`` pooling, TensorFlow's
"SAME" built from ``F.pad`` with its documented rule) for many seeds, and each question must
really contain its pitfall. The page is driven through AppTest in English and Chinese.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from test_ui_language import english_left
from ui_support import assert_no_bug, open_page

from pooling_core.lessons import quiz as pq
from pooling_ui.classroom.quiz import answer_key, check_key

GRID_1_TO_9 = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]


# ---------------------------------------------------------------------------------------------
# Hand-worked questions
# ---------------------------------------------------------------------------------------------
def test_avg_with_padding_not_counted_worked_by_hand():
    # avg, kernel 2, stride 2, padding 1, count_include_pad=False on 1..9:
    # out = floor((3 + 2 - 2)/2) + 1 = 2 per axis; window rows {-1,0} and {1,2} (same for cols).
    # y[0,0] = 1/1 = 1 (only x[0,0] is inside); y[0,1] = (2 + 3)/2 = 2.5;
    # y[1,0] = (4 + 7)/2 = 5.5; y[1,1] = (5 + 6 + 8 + 9)/4 = 7.
    q = pq.custom_question(GRID_1_TO_9, "cells", "avg", 2, 2, 1, count_include_pad=False,
                           pitfall="count_include_pad")
    assert np.allclose(q.answer, [[1, 2.5], [5.5, 7]])
    assert pq.check(q, [["1", "5/2"], ["5.5", "7"]]).right
    # The count_include_pad=True mistake: the corner divided by the whole window, 1/4 = 0.25.
    verdict = pq.check(q, [["0.25", "2.5"], ["5.5", "7"]])
    assert not verdict.right
    (mistake,) = verdict.mistakes
    assert (mistake.where, mistake.status, mistake.expected) == ((0, 0), "wrong", "1")
    assert mistake.working.startswith("y[0,0] = ") and "/1 = 1" in mistake.working


def test_tf_same_with_an_even_window_pads_bottom_right_worked_by_hand():
    # max, kernel 2, stride 2, padding "SAME" on 1..9: out = ceil(3/2) = 2, padding
    # (2 - 1)*2 + 2 - 3 = 1 cell, which TensorFlow puts at the bottom and the right:
    # windows rows {0,1} and {2, pad}: y = [[max(1,2,4,5), max(3,6)], [max(7,8), 9]]
    # = [[5, 6], [8, 9]].
    q = pq.custom_question(GRID_1_TO_9, "cells", "max", 2, 2, "same", pitfall="same_even")
    assert np.array_equal(q.answer, [[5, 6], [8, 9]])
    assert q.pads == ((0, 1), (0, 1))
    assert pq.check(q, [["5", "6"], ["8", "9"]]).right
    # Padding put at the top and left instead gives [[1, 3], [7, 9]]: three cells wrong.
    verdict = pq.check(q, [["1", "3"], ["7", "9"]])
    assert [m.where for m in verdict.mistakes] == [(0, 0), (0, 1), (1, 0)]
    assert verdict.mistakes[0].working.endswith("= 5")
    shape = pq.custom_question(GRID_1_TO_9, "shape", "max", 2, 2, "same")
    assert shape.answer == (2, 2)
    assert pq.check(shape, ["2", "2"]).right


def test_ceil_mode_drops_a_window_that_starts_in_the_padding_worked_by_hand():
    # kernel 2, stride 2, padding 1, ceil_mode on a 3×3 input:
    # ceil((3 + 2 - 2)/2) + 1 = 3 windows, but the third starts at 2*2 - 1 = 3, in the right
    # padding (3 ≥ 3 + 1 - 1): PyTorch drops it, so the output is 2×2, as without ceil_mode.
    q = pq.custom_question(GRID_1_TO_9, "shape", "max", 2, 2, 1, ceil_mode=True,
                           pitfall="ceil_dropped")
    assert q.answer == (2, 2)
    assert pq.check(q, ["2", "２"]).right  # a full-width digit from a Chinese input method
    verdict = pq.check(q, ["3", "3"])
    assert [m.part for m in verdict.mistakes] == ["height", "width"]
    assert all("⇒" in m.working and m.working.endswith("= 2") for m in verdict.mistakes)


def test_ceil_mode_keeps_an_overhanging_average_that_counts_fewer_cells_worked_by_hand():
    # avg, kernel 2, stride 2, no padding, ceil_mode on 1..9: ceil((3 - 2)/2) + 1 = 2 windows;
    # the second starts at 2, inside, so it is kept and hangs over the edge by one cell.
    # y[0,0] = (1+2+4+5)/4 = 3, y[0,1] = (3+6)/2 = 4.5, y[1,0] = (7+8)/2 = 7.5, y[1,1] = 9/1 = 9.
    q = pq.custom_question(GRID_1_TO_9, "cells", "avg", 2, 2, 0, ceil_mode=True,
                           pitfall="ceil_kept")
    assert np.allclose(q.answer, [[3, 4.5], [7.5, 9]])
    # 9/4 = 2.25 for the corner is the mistake of counting the overhang.
    verdict = pq.check(q, [["3", "4.5"], ["7.5", "2.25"]])
    assert [(m.where, m.expected) for m in verdict.mistakes] == [((1, 1), "9")]
    assert verdict.mistakes[0].working.endswith("/1 = 9")


def test_a_tie_goes_to_the_first_maximum_in_window_order_worked_by_hand():
    # max, kernel 2, stride 1: the window of y[0,0] is 1 9 / 9 2; the two 9s tie and PyTorch
    # keeps the first in row-by-row order, x[0,1] — it alone receives y[0,0]'s gradient.
    x = [[1, 9, 0], [9, 2, 5], [4, 3, 8]]
    q = pq.custom_question(x, "gradient_cell", "max", 2, 1, target=(0, 0), pitfall="ties")
    assert q.answer == (0, 1)
    assert pq.check(q, ["0", "1"]).right
    verdict = pq.check(q, ["1", "0"])
    (mistake,) = verdict.mistakes
    assert (mistake.status, mistake.expected) == ("wrong", "x[0,1]")
    assert mistake.working == "y[0,0] = max(1, 9, 9, 2) = 9"


@pytest.mark.parametrize(("text", "value"), [
    ("3", 3.0), (" 2.25 ", 2.25), ("9/4", 2.25), ("−1.5", -1.5), ("2,25", 2.25), ("７／４", 1.75),
    (".5", 0.5), ("-3/2", -1.5),
])
def test_typed_numbers_are_read(text, value):
    assert pq.parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["", "  ", "abc", "1/0", "nan", "inf", "1/2/3", "2..5", "1_0"])
def test_what_is_not_a_number_is_not_read(text):
    assert pq.parse_number(text) is None


def test_decimals_to_two_places_are_enough_and_no_fewer():
    # avg of one 3×3 window summing to 3+3+2 + 2+3+2 + 2+2+2 = 21: y = 21/9 = 7/3 = 2.333…
    x = [[3, 3, 2], [2, 3, 2], [2, 2, 2]]
    q = pq.custom_question(x, "cells", "avg", 3, 1)
    assert q.answer[0, 0] == pytest.approx(7 / 3)
    assert pq.check(q, [["2.33"]]).right and pq.check(q, [["7/3"]]).right
    assert pq.check(q, [["2.334"]]).right
    assert not pq.check(q, [["2.3"]]).right and not pq.check(q, [["2.34"]]).right


def test_empty_and_unreadable_cells_are_told_apart():
    q = pq.custom_question(GRID_1_TO_9, "cells", "max", 2, 1)  # [[5, 6], [8, 9]]
    verdict = pq.check(q, [["5", ""], ["eight", "9"]])
    assert [(m.where, m.status) for m in verdict.mistakes] == [((0, 1), "empty"),
                                                             ((1, 0), "unreadable")]


# ---------------------------------------------------------------------------------------------
# Generated questions against PyTorch
# ---------------------------------------------------------------------------------------------
def _tf_same_pads(n: int, k: int, s: int) -> tuple[int, int]:
    """TensorFlow's documented SAME padding: out = ceil(n/s), total = (out-1)s + k - n, the odd
    cell after."""
    out = math.ceil(n / s)
    total = max((out - 1) * s + k - n, 0)
    return total // 2, total - total // 2


def _torch_pool(q: pq.Question, x: torch.Tensor) -> torch.Tensor:
    k, s = q.kernel_size, q.stride
    if q.padding == "same":
        (top, bottom), (left, right) = (_tf_same_pads(q.x.shape[a], k[a], s[a]) for a in (0, 1))
        pads = (left, right, top, bottom)
        if q.kind == "max":
            return F.max_pool2d(F.pad(x, pads, value=-math.inf), k, s)
        sums = F.avg_pool2d(F.pad(x, pads), k, s, divisor_override=1)
        counts = F.avg_pool2d(F.pad(torch.ones_like(x), pads), k, s, divisor_override=1)
        return sums / counts  # TensorFlow never counts padding in an average
    if q.kind == "max":
        return F.max_pool2d(x, k, s, q.padding, ceil_mode=q.ceil_mode)
    return F.avg_pool2d(x, k, s, q.padding, ceil_mode=q.ceil_mode,
                        count_include_pad=q.count_include_pad)


# 6 × 30 quizzes of 6 questions: about a thousand questions, every pitfall and ask many times.
@pytest.mark.parametrize("seed", range(0, 600_000, 100_000))
def test_generated_answers_agree_with_pytorch(seed):
    for s in range(seed, seed + 30):
        for q in pq.make_quiz(s):
            x = torch.tensor(q.x, dtype=torch.float32)[None, None].requires_grad_(True)
            y = _torch_pool(q, x)
            if q.ask == "cells":
                assert np.allclose(q.answer, y[0, 0].detach().numpy(), atol=1e-6), q
                assert max(q.answer.shape) <= pq.OUT_MAX
            elif q.ask == "shape":
                assert q.answer == tuple(y.shape[-2:]), q
            else:
                y[0, 0][q.target].backward()
                receivers = [tuple(map(int, cell)) for cell in torch.nonzero(x.grad[0, 0])]
                assert receivers == [q.answer], q
            assert min(q.x.shape) >= pq.SIDE_MIN and max(q.x.shape) <= pq.SIDE_MAX + 1
            assert q.x.min() >= 0 and q.x.max() <= pq.VALUE_MAX


def _torch_size(n, k, s, p, ceil_mode):
    return F.max_pool2d(torch.zeros(1, 1, n, 1), (k, 1), (s, 1), (p, 0),
                        ceil_mode=ceil_mode).shape[2]


@pytest.mark.parametrize("seed", [0, 500_000])
def test_every_generated_question_holds_its_pitfall(seed):
    for s in range(seed, seed + 60):
        for q in pq.make_quiz(s):
            n, k, st, p = q.x.shape[0], q.kernel_size[0], q.stride[0], q.padding
            if q.pitfall == "same_even":
                assert k % 2 == 0
                pads = [_tf_same_pads(q.x.shape[a], k, st) for a in (0, 1)]
                assert any(lo != hi for lo, hi in pads), q  # the odd cell is there
            elif q.pitfall in ("ceil_dropped", "ceil_kept"):
                p = p[0]
                assert q.ceil_mode
                unclipped = math.ceil((n + 2 * p - k) / st) + 1  # ceil without PyTorch's check
                with_ceil = _torch_size(n, k, st, p, True)
                if q.pitfall == "ceil_dropped":
                    assert with_ceil == unclipped - 1, q
                else:
                    assert with_ceil == unclipped > _torch_size(n, k, st, p, False), q
            elif q.pitfall == "count_include_pad":
                assert q.kind == "avg" and q.padding != (0, 0)
            elif q.pitfall == "ties":
                r, c = q.target
                p = p[0]
                padded = np.pad(q.x.astype(float), p, constant_values=-np.inf)
                window = padded[r * st:r * st + k, c * st:c * st + k]
                assert (window == window.max()).sum() >= 2, q


def test_the_same_seed_gives_the_same_quiz_and_another_seed_another():
    def fingerprint(quiz):
        return [(q.pitfall, q.ask, q.x.tobytes(), q.x.shape, tuple(sorted(q.pool_kwargs().items())),
                 q.target, np.asarray(q.answer).tobytes()) for q in quiz]

    assert fingerprint(pq.make_quiz(1234)) == fingerprint(pq.make_quiz(1234))
    # a question does not depend on the quiz's length or on the questions before it
    assert fingerprint([pq.make_question(1234, 4)]) == fingerprint(pq.make_quiz(1234)[3:4])
    others = {tuple(map(str, fingerprint(pq.make_quiz(seed)))) for seed in range(20)}
    assert len(others) == 20
    assert sorted(q.pitfall for q in pq.make_quiz(1234)) == sorted(pq.PITFALLS)


@pytest.mark.parametrize(("seed", "number"), [(-1, 1), (pq.SEED_MAX + 1, 1), (1, 0), (1.5, 1),
                                              (True, 1)])
def test_a_question_outside_the_quiz_is_refused(seed, number):
    with pytest.raises(ValueError):
        pq.make_question(seed, number)


# ---------------------------------------------------------------------------------------------
# The page (AppTest)
# ---------------------------------------------------------------------------------------------
# The first quiz from 2024 on that asks all three kinds of question.
SEED = next(seed for seed in range(2024, 3024)
            if {q.ask for q in pq.make_quiz(seed)} == set(pq.ASKS))


def _find(ask: str, seed: int = SEED) -> pq.Question:
    return next(q for q in pq.make_quiz(seed) if q.ask == ask)


def _torch_cells(q: pq.Question) -> list[list[str]]:
    y = _torch_pool(q, torch.tensor(q.x, dtype=torch.float32)[None, None])[0, 0]
    return [[f"{float(v):.4f}" for v in row] for row in y]


def _type(app, q: pq.Question, texts: list[str]) -> None:
    for index, text in enumerate(texts):
        app.text_input(key=answer_key(q.seed, q.number, index)).input(text)
    app.button(key=check_key(q.seed, q.number)).click().run()


def _alerts(app) -> tuple[list[str], list[str]]:
    return [s.value for s in app.success], [e.value for e in app.error]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_right_and_a_wrong_answer_are_marked_in_both_languages(lang):
    q = _find("cells")
    app = open_page("quiz", {"quiz_seed": str(SEED), "quiz_q": str(q.number), "lang": lang})
    assert_no_bug(app)
    assert app.query_params["quiz_seed"] == str(SEED)
    assert any(code.value.startswith(("y = F.", "y = tf.nn.")) for code in app.code)
    right = [text for row in _torch_cells(q) for text in row]
    _type(app, q, right)
    assert_no_bug(app)
    successes, errors = _alerts(app)
    assert len(successes) == 1 and not errors
    assert app.metric[0].value == "1 / 6"
    if lang == "zh":
        assert english_left(app) == {}
    # one cell off by one: marked wrong, with that cell's arithmetic
    wrong = [str(float(right[0]) + 1)] + right[1:]
    _type(app, q, wrong)
    assert_no_bug(app)
    successes, errors = _alerts(app)
    assert not successes and len(errors) == 2  # the summary and the one mistake
    assert "`y[0,0] = " in errors[1]
    assert app.metric[0].value == "1 / 6"  # the first check counts
    if lang == "zh":
        assert english_left(app) == {}
    else:
        assert english_left(app)


def test_the_score_counts_first_checks_and_the_link_follows_the_question():
    shape = _find("shape")
    gradient = _find("gradient_cell")
    app = open_page("quiz", {"quiz_seed": str(SEED), "quiz_q": str(shape.number), "lang": "en"})
    torch_shape = _torch_pool(shape, torch.zeros(1, 1, *shape.x.shape)).shape[-2:]
    _type(app, shape, [str(torch_shape[0] + 1), str(torch_shape[1])])  # height wrong
    successes, errors = _alerts(app)
    assert not successes and any(
        "Output height" in e and ("⌋" in e or "⌉" in e) for e in errors)
    _type(app, shape, [str(torch_shape[0]), str(torch_shape[1])])  # right the second time
    assert len(app.success) == 1 and app.metric[0].value == "0 / 6"
    # another question, by the question picker
    app.button_group(key="quiz_q").set_value(gradient.number).run()
    assert app.query_params["quiz_q"] == str(gradient.number)
    x = torch.tensor(gradient.x, dtype=torch.float32)[None, None].requires_grad_(True)
    _torch_pool(gradient, x)[0, 0][gradient.target].backward()
    (row, col), = torch.nonzero(x.grad[0, 0]).tolist()
    _type(app, gradient, [str(row), str(col)])
    assert_no_bug(app)
    assert len(app.success) == 1 and app.metric[0].value == "1 / 6"
    assert any("2 of 6 questions checked" in caption.value for caption in app.caption)
    # back to the first question: what was typed there is still there
    app.button_group(key="quiz_q").set_value(shape.number).run()
    assert app.text_input(key=answer_key(SEED, shape.number, 0)).value == str(torch_shape[0])


def test_nothing_typed_is_not_marked_and_next_moves_on():
    app = open_page("quiz", {"quiz_seed": "7", "quiz_q": "1", "lang": "en"})
    app.button(key=check_key(7, 1)).click().run()
    assert_no_bug(app)
    assert len(app.warning) == 1 and not app.success and not app.error
    assert app.metric[0].value == "0 / 6"
    app.button(key="quiz_next").click().run()
    assert app.query_params["quiz_q"] == "2" and app.session_state["quiz_q"] == 2
    app.button(key="quiz_new").click().run()
    assert app.session_state["quiz_q"] == 1
    assert app.query_params["quiz_seed"] == str(app.session_state["quiz_seed"])


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_bad_link_warns_and_uses_the_defaults(lang):
    app = open_page("quiz", {"quiz_seed": "abc", "quiz_q": "99", "lang": lang})
    assert_no_bug(app)
    assert len(app.warning) == 2
    assert app.session_state["quiz_q"] == 1
    assert 0 <= app.session_state["quiz_seed"] <= pq.SEED_MAX
    assert app.query_params["quiz_q"] == "1"
    assert "quiz_seed='abc'" in app.warning[0].value
    if lang == "zh":
        assert english_left(app) == {}


def test_every_question_of_a_quiz_checked_wrong_is_all_chinese():
    app = open_page("quiz", {"quiz_seed": str(SEED), "quiz_q": "1", "lang": "zh"})
    for q in pq.make_quiz(SEED):
        if q.number > 1:
            app.button_group(key="quiz_q").set_value(q.number).run()
        # a number in the first box, something unreadable in the second, the rest left empty
        _type(app, q, ["-1", "零"][:q.answer_size])
        assert_no_bug(app)
        assert app.error and app.info  # the mistakes, and why the question is tricky
        assert english_left(app) == {}, q.pitfall
