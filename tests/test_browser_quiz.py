"""The quiz page in a real browser: type an answer, press Check, see it marked.

The expected output shape is PyTorch's (``F.max_pool2d`` / ``F.avg_pool2d`` on zeros, or
TensorFlow's documented "SAME" rule, ⌈n/stride⌉), never read back from our own code. Without a
Chromium the test skips with the reason; under ``CI=true`` a missing browser fails.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from browser_support import exception_texts, open_app, wait_for_idle

from pooling_core.lessons import quiz as pq

MAIN = '[data-testid="stMain"]'
EXPECT_TIMEOUT_MS = 20_000


def _shape_by_pytorch(q: pq.Question) -> tuple[int, int]:
    if q.padding == "same":
        return tuple(math.ceil(n / s) for n, s in zip(q.x.shape, q.stride, strict=True))
    pool = F.max_pool2d if q.kind == "max" else F.avg_pool2d
    out = pool(torch.zeros(1, 1, *q.x.shape), q.kernel_size, q.stride, q.padding,
               ceil_mode=q.ceil_mode)
    return tuple(out.shape[-2:])


def test_an_answer_typed_and_checked_is_marked(browser_page, app_server):
    from playwright.sync_api import expect

    page = browser_page("browser-quiz", timeout_ms=EXPECT_TIMEOUT_MS)
    seed = 31
    q = next(q for q in pq.make_quiz(seed) if q.ask == "shape")
    height, width = _shape_by_pytorch(q)
    # a cold server's first page imports plotly and friends: give it longer than a rerun
    open_app(page, f"{app_server.url}/quiz?quiz_seed={seed}&quiz_q={q.number}&lang=en",
             timeout_ms=90_000)
    main = page.locator(MAIN)
    expect(main.get_by_text(f"Question {q.number} of {pq.QUIZ_LENGTH}")).to_be_visible()

    # a wrong height first: marked wrong, with the output-size arithmetic
    main.get_by_label("Output height").fill(str(height + 1))
    main.get_by_label("Output width").fill(str(width))
    main.get_by_role("button", name="Check").click()
    wait_for_idle(page)
    expect(main.get_by_text("Not quite: 1 of 2 wrong", exact=False)).to_be_visible()
    expect(main.get_by_text(f"the answer is {height}", exact=False)).to_be_visible()
    assert main.get_by_text("Score").first.is_visible()

    # then the right one, typed with the keyboard and sent with Enter
    box = main.get_by_label("Output height")
    box.click()
    box.press("ControlOrMeta+a")
    page.keyboard.type(str(height))
    box.press("Enter")
    wait_for_idle(page)
    expect(main.get_by_text("Right! Every part of the answer is correct.")).to_be_visible()
    assert f"quiz_q={q.number}" in page.url and f"quiz_seed={seed}" in page.url
    assert not exception_texts(page), exception_texts(page)
