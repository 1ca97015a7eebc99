"""The figures' text form (numbers as tables) and the animation's keyboard controls, in AppTest.

The worked 4×4 example is worked by hand: input [[1,3,2,4],[5,6,1,2],[7,2,8,1],[3,4,0,6]], max
pooling with a 2×2 window and stride 2 gives [[6,4],[7,8]]. The quiz is answered the way a
student who cannot see the figure answers it: from the table of the input and the question's
words and code only, with a pooling loop written here by hand (not :mod:`pooling_core`).
"""

from __future__ import annotations

import re
from fractions import Fraction

import pytest
from ui_support import assert_no_bug, open_page, parse_html

from pooling_ui.base.i18n import t

WORKED = [[1, 3, 2, 4], [5, 6, 1, 2], [7, 2, 8, 1], [3, 4, 0, 6]]
WORKED_LINK = {"input": "worked4x4", "kind": "max", "kernel": "2", "stride": "2", "padding": "0"}


def cells(table) -> dict[tuple[int, int], str]:
    """A shown table as ``{(row, col): text}``, read from its "row r" / "col c" headers."""
    frame = table.value
    found = {}
    for label, row in frame.iterrows():
        r = int(re.fullmatch(r"row (-?\d+)", label).group(1))
        for header, text in row.items():
            c = int(re.fullmatch(r"col (-?\d+)", header).group(1))
            found[(r, c)] = str(text)
    return found


def expected_cells(grid, marked, mark: str) -> dict[tuple[int, int], str]:
    return {(r, c): f"{value} ({mark})" if (r, c) in marked else str(value)
            for r, line in enumerate(grid) for c, value in enumerate(line)}


def statuses(app) -> list[str]:
    """The texts of the polite live regions on the page that say something (the Share box's is
    empty until its button is pressed)."""
    regions = [node for element in app.get("html") for node in parse_html(element.proto.body).walk()
               if node.attrs.get("aria-live") == "polite"]
    return [node.text() for node in regions if node.text()]


def test_worked_example_as_tables_marks_the_window_step_by_step():
    app = open_page("explorer", WORKED_LINK)
    assert_no_bug(app)
    assert not app.table, "the tables are built only when their expander is opened"
    app.session_state["anim_table_open"] = True
    app.run()
    assert_no_bug(app)
    window_1 = {(0, 0), (0, 1), (1, 0), (1, 1)}
    assert cells(app.table[0]) == expected_cells(WORKED, window_1, "in window")
    assert cells(app.table[1]) == expected_cells([[6, 4], [7, 8]], {(0, 0)}, "this step")
    assert statuses(app) == ["Step 1 of 4: y[0,0] = max(1, 3, 5, 6) = 6"]

    # Next twice: step 3 is y[1,0], the window over rows 2–3, columns 0–1
    app.button(key="anim_next").click().run()
    app.button(key="anim_next").click().run()
    assert_no_bug(app)
    assert app.selectbox(key="anim_step").value == 2
    window_3 = {(2, 0), (2, 1), (3, 0), (3, 1)}
    assert cells(app.table[0]) == expected_cells(WORKED, window_3, "in window")
    assert cells(app.table[1]) == expected_cells([[6, 4], [7, 8]], {(1, 0)}, "this step")
    assert statuses(app) == ["Step 3 of 4: y[1,0] = max(7, 2, 3, 4) = 7"]
    assert "y[1,0] = max(7, 2, 3, 4) = 7" in [text.value for text in app.text]

    # Previous goes back one; at the last step Next is disabled, at the first Previous is
    app.button(key="anim_prev").click().run()
    assert app.selectbox(key="anim_step").value == 1
    assert statuses(app) == ["Step 2 of 4: y[0,1] = max(2, 4, 1, 2) = 4"]
    app.button(key="anim_next").click().run()
    app.button(key="anim_next").click().run()
    assert app.button(key="anim_next").disabled and not app.button(key="anim_prev").disabled


def test_padding_cells_are_said_as_such():
    # 4×4, k=2, s=2, p=1: 3×3 outputs; the first window covers rows −1..0, columns −1..0
    app = open_page("explorer", {**WORKED_LINK, "padding": "1"})
    app.session_state["anim_table_open"] = True
    app.run()
    assert_no_bug(app)
    shown = cells(app.table[0])
    assert set(shown) == {(r, c) for r in range(-1, 5) for c in range(-1, 5)}
    assert shown[(-1, -1)] == "padding (−∞) (in window)"
    assert shown[(0, -1)] == "padding (−∞) (in window)"
    assert shown[(0, 0)] == "1 (in window)"
    assert shown[(4, 4)] == "padding (−∞)"
    assert shown[(1, 1)] == "6"


def test_output_view_gradients_and_compare_have_tables():
    app = open_page("explorer", WORKED_LINK)
    app.session_state["output_table_open"] = True
    app.run()
    assert_no_bug(app)
    assert [cells(table) for table in app.table] == [
        expected_cells(WORKED, set(), ""), expected_cells([[6, 4], [7, 8]], set(), "")]

    app = open_page("gradients", WORKED_LINK)
    app.session_state["grad_table_open"] = True
    app.session_state["grad_row"], app.session_state["grad_col"] = 1, 1
    app.run()
    assert_no_bug(app)
    # all-ones upstream: each window's maximum gets 1 (6 at (1,1), 4 at (0,3), 7 at (2,0),
    # 8 at (2,2)); y[1,1]'s window is rows 2–3, columns 2–3
    mask = [[0, 0, 0, 1], [0, 1, 0, 0], [1, 0, 1, 0], [0, 0, 0, 0]]
    assert cells(app.table[0]) == expected_cells(mask, {(2, 2), (2, 3), (3, 2), (3, 3)},
                                                 "in window")
    assert cells(app.table[1]) == expected_cells([[1, 1], [1, 1]], {(1, 1)}, "picked")

    app = open_page("compare", WORKED_LINK)
    app.session_state["cmp_table_open"] = True
    app.run()
    assert_no_bug(app)
    # max, then avg: (1+3+5+6)/4 = 3.75, (2+4+1+2)/4 = 2.25, (7+2+3+4)/4 = 4, (8+1+0+6)/4 = 3.75
    shown = [cells(table) for table in app.table]
    assert shown[0] == expected_cells([[6, 4], [7, 8]], set(), "")
    assert shown[1] == expected_cells(mask, set(), "")
    assert shown[2] == expected_cells([["3.75", "2.25"], [4, "3.75"]], set(), "")
    assert shown[3] == expected_cells([[0.25] * 4] * 4, set(), "")


def test_tables_speak_chinese():
    app = open_page("explorer", {**WORKED_LINK, "lang": "zh"})
    app.session_state["anim_table_open"] = True
    app.run()
    assert_no_bug(app)
    frame = app.table[0].value
    assert list(frame.index) == [f"第 {r} 行" for r in range(4)]
    assert list(frame.columns) == [f"第 {c} 列" for c in range(4)]
    assert frame.iloc[0, 0] == "1（窗口内）" and frame.iloc[2, 2] == "8"


# -- the quiz, answered from the table and the question's words ----------------------------------
def _pair(text: str) -> tuple[int, int]:
    numbers = [int(n) for n in re.findall(r"\d+", text)]
    return (numbers[0], numbers[0]) if len(numbers) == 1 else (numbers[0], numbers[1])


def read_question(code: str) -> dict:
    """The pooling the question's code asks for, read from its text (PyTorch or TensorFlow)."""
    kind = re.search(r"\.(max|avg)_pool2d", code).group(1)
    number = r"(\d+|\(\d+, \d+\))"
    if "tf.nn." in code:
        return {"kind": kind, "kernel": _pair(re.search(rf"ksize={number}", code).group(1)),
                "stride": _pair(re.search(rf"strides={number}", code).group(1)),
                "same": True}
    kernel = _pair(re.search(rf"kernel_size={number}", code).group(1))
    stride = re.search(rf"stride={number}", code)
    padding = re.search(rf"padding={number}", code)
    include = re.search(r"count_include_pad=(True|False)", code)
    return {"kind": kind, "kernel": kernel,
            "stride": _pair(stride.group(1)) if stride else kernel,
            "padding": _pair(padding.group(1)) if padding else (0, 0),
            "ceil": "ceil_mode=True" in code,
            "include_pad": include is None or include.group(1) == "True", "same": False}


def axis_windows(n: int, k: int, s: int, p: int, ceil: bool, same: bool):
    """Per output index: (taps, (lo, hi) of the padded extent), by PyTorch's and TF's rules."""
    if same:
        out = -(-n // s)
        total = max((out - 1) * s + k - n, 0)
        before, after = total // 2, total - total // 2
    else:
        span = n + 2 * p - k
        out = (-(-span // s) if ceil else span // s) + 1
        if ceil and (out - 1) * s >= n + p:  # a window may not start in the right padding
            out -= 1
        before = after = p
    return [(list(range(i * s - before, i * s - before + k)), (-before, n + after))
            for i in range(out)]


def pool_by_hand(x, question):
    """Every output value (as Fractions) and, for max, each window's first winning cell."""
    height, width = len(x), len(x[0])
    rows = axis_windows(height, question["kernel"][0], question["stride"][0],
                        question.get("padding", (0, 0))[0], question.get("ceil", False),
                        question["same"])
    cols = axis_windows(width, question["kernel"][1], question["stride"][1],
                        question.get("padding", (0, 0))[1], question.get("ceil", False),
                        question["same"])
    values, winners = [], []
    for row_taps, (row_lo, row_hi) in rows:
        value_line, winner_line = [], []
        for col_taps, (col_lo, col_hi) in cols:
            inside = [(r, c) for r in row_taps for c in col_taps
                      if 0 <= r < height and 0 <= c < width]
            if question["kind"] == "max":
                best = inside[0]
                for r, c in inside:  # row by row, the first maximum wins
                    if x[r][c] > x[best[0]][best[1]]:
                        best = (r, c)
                value_line.append(Fraction(x[best[0]][best[1]]))
                winner_line.append(best)
            else:
                total = sum(Fraction(x[r][c]) for r, c in inside)
                if question["same"] or not question["include_pad"]:
                    count = len(inside)
                else:  # the window clipped to the padded input
                    count = (sum(row_lo <= r < row_hi for r in row_taps)
                             * sum(col_lo <= c < col_hi for c in col_taps))
                value_line.append(total / count)
                winner_line.append(None)
        values.append(value_line)
        winners.append(winner_line)
    return values, winners


def answer_from_page(app) -> list[str]:
    """The answer worked out from what the page says: the table, the prompt and the code."""
    shown = cells(app.table[0])
    height = max(r for r, _ in shown) + 1
    width = max(c for _, c in shown) + 1
    x = [[int(shown[(r, c)]) for c in range(width)] for r in range(height)]
    code = next(block.value for block in app.code if block.value.startswith("y = "))
    question = read_question(code)
    values, winners = pool_by_hand(x, question)
    prompt = " ".join(m.value for m in app.markdown)
    if "Type its height and width" in prompt:
        return [str(len(values)), str(len(values[0]))]
    target = re.search(r"flows back from y\[(\d+),(\d+)\]", prompt)
    if target:
        r, c = int(target.group(1)), int(target.group(2))
        return [str(n) for n in winners[r][c]]
    return [f"{v.numerator}/{v.denominator}" for line in values for v in line]


@pytest.mark.parametrize("seed", [7, 123, 4_242, 99_001])
def test_every_quiz_question_is_answered_from_the_table_alone(seed):
    app = open_page("quiz", {"quiz_seed": str(seed), "quiz_q": "1"})
    app.session_state["quiz_table_open"] = True
    app.run()
    asked = set()
    for number in range(1, 7):
        if number > 1:
            app.button(key="quiz_next").click().run()
        assert_no_bug(app)
        assert app.header[0].value == f"Question {number} of 6"
        answer = answer_from_page(app)
        prompt = " ".join(m.value for m in app.markdown)
        asked.add("shape" if "height and width" in prompt
                  else "cell" if "flows back" in prompt else "cells")
        for index, text in enumerate(answer):
            app.text_input(key=f"quiz_answer_{seed}_{number}_{index}").input(text)
        app.button(key=f"quiz_check_{seed}_{number}").click().run()
        assert_no_bug(app)
        assert [s.value for s in app.success] == [t("quiz.right")], (
            number, answer, [e.value for e in app.error])
    assert len(asked) >= 2, asked


def test_the_1d_page_steps_with_buttons():
    # a sine of the default length under max pooling, k=8, s=8: the step buttons move the slider
    app = open_page("pool1d", {"sig_source": "series", "sig_step": "1"})
    assert_no_bug(app)
    # the link and the session hold the output's index (y[1]); the slider shows steps from 1
    def step():
        index = app.session_state["sig_step"]
        assert app.slider(key="sig_step_shown").value == index + 1
        return index

    assert step() == 1
    app.button(key="sig_next").click().run()
    assert step() == 2
    app.button(key="sig_prev").click().run()
    app.button(key="sig_prev").click().run()
    assert step() == 0
    assert app.button(key="sig_prev").disabled
    formula = [text.value for text in app.text if text.value.startswith("y[")]
    assert formula and formula[0].startswith("y[0] = max(")


def test_playing_shows_the_step_the_time_elapsed_reached_and_a_stale_play_stops(monkeypatch):
    import time

    from pooling_ui.tools import animation

    # a long tick, so that a slow test run cannot reach the next step by itself
    monkeypatch.setattr(animation, "TICK_S", 30.0)
    TICK_S = animation.TICK_S
    app = open_page("explorer", WORKED_LINK)
    app.session_state["anim_playing"] = True
    # playing since one tick and a bit ago, from step 1: step 2 is shown, the button says Pause
    app.session_state["anim_play_anchor"] = (time.monotonic() - 1.2 * TICK_S, 0)
    app.run()
    assert_no_bug(app)
    assert app.selectbox(key="anim_step").value == 1
    assert statuses(app) == ["Step 2 of 4: y[0,1] = max(2, 4, 1, 2) = 4"]
    assert app.button(key="anim_play").label == "Pause"
    # Pause keeps the step
    app.button(key="anim_play").click().run()
    assert app.button(key="anim_play").label == "Play step by step"
    assert app.selectbox(key="anim_step").value == 1

    # a play left running on another page long ago: stopped where the step box was
    app.session_state["anim_playing"] = True
    app.session_state["anim_play_anchor"] = (time.monotonic() - 20 * TICK_S, 0)
    app.run()
    assert_no_bug(app)
    assert app.button(key="anim_play").label == "Play step by step"
    assert app.selectbox(key="anim_step").value == 1
