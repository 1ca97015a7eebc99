"""Shared helpers of the engine tests (Hypothesis strategies and NaN-aware comparisons) and the
fixtures of the real-browser tests (one Streamlit server and one Chromium for the whole session).

The comparisons are assertions over ``pooling_core.crosscheck.tolerance`` (its ``agreement`` and
``RTOL``): "exact", "n ulp" and "rel" mean here what they mean in the cross-check and the badge.

Every engine test computes the same thing with PyTorch (``pooling_core.crosscheck``'s reference
functions, built from PyTorch's own pooling functions and primitives) and compares. Test modules
import these helpers with ``from conftest import ...`` (the tests folder is on ``sys.path``).
"""

from __future__ import annotations

import os
import warnings

import numpy as np
import pytest
import torch
from browser_support import (
    VIEWPORT,
    StreamlitServer,
    chromium,
    find_chromium,
    missing_browser_reason,
    playwright_missing_reason,
    screenshot,
)
from hypothesis import HealthCheck, assume, settings
from hypothesis import strategies as st

from pooling_core.crosscheck import geometry_from_params, has_padding_only_window, random_values
from pooling_core.crosscheck.tolerance import RTOL, Rule, agreement

# Tiny tensors: threads only cost time here, and the machine is shared.
torch.set_num_threads(1)


def cases(count: int):
    """Hypothesis settings of every property test: ``count`` derandomized examples, no deadline."""
    return settings(
        derandomize=True,
        max_examples=count,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )


# ---------------------------------------------------------------------------------------------
# Comparisons
# ---------------------------------------------------------------------------------------------


def assert_agrees(ours, ref, rule: Rule, what="values", allowance=0.0):
    """``ours`` agrees with PyTorch's ``ref`` under the cross-check's ``rule``.

    The rule is :mod:`pooling_core.crosscheck.tolerance`'s, the one ``python -m
    pooling_core.crosscheck`` and the app's badge use (``allowance``: an absolute tolerance added
    to it, a number or an array). The message says how many elements break it and which first.
    """
    result = agreement(ours, ref, rule.mode, rule.tolerance, allowance)
    assert result.ok, _disagreement(result, ours, ref, rule, what, allowance)


def _disagreement(result, ours, ref, rule: Rule, what, allowance) -> str:
    if result.first is None:  # the shapes or dtypes differ
        return f"{what}: {result.problem} (ours ≠ PyTorch)"
    ours, ref = np.asarray(ours), np.asarray(ref)
    extra = "the allowance" if np.ndim(allowance) else f"{float(allowance):g}"
    if rule.mode == "exact" or ref.dtype.kind in "iub":
        limit = "bit-exact"
    elif rule.mode == "bound":
        limit = f"|Δ| ≤ {extra}"
    else:
        limit = (f"{rule.tolerance:g} ulp" if rule.mode == "ulp"
                 else f"|Δ| ≤ {rule.tolerance:g}·max|PyTorch|")
        if np.any(np.asarray(allowance) != 0):
            limit += f" + {extra}"
    where = result.first
    text = (f"{what} disagree with PyTorch in {result.mismatches} of {np.size(ref)} places "
            f"({result.problem}; rule: {limit}); "
            f"first at {where}: ours {ours[where]!r}, PyTorch {ref[where]!r}")
    if not np.isnan(result.allowed):
        diff = abs(float(ours[where]) - float(ref[where]))
        text += f" (|Δ| {diff:.3g}, allowed {result.allowed:.3g})"
    return text


def assert_bit_identical(ours, ref, what="values"):
    """Equal bit for bit, NaN where PyTorch has NaN; only the sign of a zero may differ."""
    assert_agrees(ours, ref, Rule("exact"), what)


def assert_within_ulp(ours, ref, ulp: int, what="values"):
    """``|ours - ref| ≤ ulp`` units in the last place of the reference, element by element (NaN
    and infinities where PyTorch has them)."""
    assert_agrees(ours, ref, Rule("ulp", ulp), what)


def assert_close_scaled(ours, ref, what="values", rtol=None, atol=0.0):
    """``|ours - ref| ≤ rtol · max|ref| + atol`` (:data:`RTOL`: 1e-5 in float32, 1e-12 in
    float64), NaN and infinities where PyTorch has them.

    Used where the summation order is not PyTorch's: the rounding error then scales with the
    size of the terms summed, which ``max|ref|`` stands for, not with each result. ``atol`` covers
    results that cancel terms of the input's size (softpool's ``1 + x − y``).
    """
    if rtol is None:
        rtol = RTOL.get(np.asarray(ref).dtype, 0.0)  # integer arrays are compared exactly
    assert_agrees(ours, ref, Rule("rel", rtol), what, atol)


# ---------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------


def make_values(seed: int, shape, dtype, style: str) -> np.ndarray:
    """Deterministic test data from ``seed``.

    ``ties``: values from a set of seven, so windows are full of ties; ``specials``: ties with
    NaN and ±inf sprinkled in; ``normal``: Gaussian; ``nonneg``: ties and Gaussians ≥ 0;
    ``integers``: small integers (used with integer dtypes).
    """
    return random_values(np.random.default_rng(seed), shape, dtype, style)


def grad_like(seed: int, shape, dtype) -> np.ndarray:
    """A random ``grad_output`` (values with ties, so that sums of several are checked too)."""
    rng = np.random.default_rng(seed + 1)
    return (rng.integers(-8, 9, size=shape) / 4 + rng.standard_normal(shape) / 8).astype(dtype)


def compute_dtype(dtype) -> np.dtype:
    dtype = np.dtype(dtype)
    return dtype if dtype in (np.float32, np.float64) else np.dtype(np.float32)


@st.composite
def leading_axes(draw):
    """``()``, ``(C,)`` or ``(N, C)``: the three layouts of a 2-D input."""
    layout = draw(st.integers(0, 2))
    if layout == 0:
        return ()
    channels = draw(st.integers(1, 3))
    return (channels,) if layout == 1 else (draw(st.integers(1, 2)), channels)


@st.composite
def input_dtypes(draw, with_integers=True):
    choices = [np.float32, np.float64]
    if with_integers:
        choices += [np.int32, np.int64, np.uint8, np.float16, np.bool_]
    return draw(st.sampled_from(choices))


def style_for(dtype, styles) -> st.SearchStrategy:
    """Integers for integer/bool dtypes (no NaN there), otherwise one of ``styles``."""
    if np.dtype(dtype).kind in "iub":
        return st.just("integers")
    return st.sampled_from(styles)


def _axis_pair(draw, low, high, square):
    first = draw(st.integers(low, high))
    return (first, first) if square else (first, draw(st.integers(low, high)))


def _as_given(pair, draw):
    """An int when both are equal (half the time), else the pair: both forms are API."""
    if pair[0] == pair[1] and draw(st.booleans()):
        return pair[0]
    return pair


@st.composite
def pool_params(draw, *, dilations=(1,), paddings=("numeric",), max_kernel=4, averaging=False,
                divisor=False):
    """Pooling parameters and a plane size that make a valid pooling (window may overhang)."""
    square = draw(st.booleans())
    kernel = _axis_pair(draw, 1, max_kernel, square)
    dilation = (draw(st.sampled_from(dilations)), draw(st.sampled_from(dilations)))
    stride = None if draw(st.integers(0, 3)) == 0 else _axis_pair(draw, 1, 4, draw(st.booleans()))
    padding_kind = draw(st.sampled_from(paddings))
    params = {"kernel_size": _as_given(kernel, draw),
              "stride": None if stride is None else _as_given(stride, draw)}
    if dilation != (1, 1) or draw(st.booleans()):
        params["dilation"] = _as_given(dilation, draw)
    spans = [d * (k - 1) + 1 for d, k in zip(dilation, kernel, strict=True)]
    if padding_kind == "numeric":
        padding = (draw(st.integers(0, kernel[0] // 2)), draw(st.integers(0, kernel[1] // 2)))
        params["padding"] = _as_given(padding, draw)
        params["ceil_mode"] = draw(st.booleans())
        low = [max(1, span - 2 * pad) for span, pad in zip(spans, padding, strict=True)]
    elif padding_kind == "none":
        low = spans
        params["ceil_mode"] = draw(st.booleans())
    else:
        params["padding"] = draw(st.sampled_from(["same", "valid"]))
        low = spans if params["padding"] == "valid" else [1, 1]
    if averaging:
        params["count_include_pad"] = draw(st.booleans())
    if divisor and draw(st.integers(0, 4)) == 0:
        params["divisor_override"] = draw(st.sampled_from([-3, 1, 2, 7]))
    hw = (draw(st.integers(low[0], low[0] + 7)), draw(st.integers(low[1], low[1] + 7)))
    return hw, params


def valid_for_contract(hw, params, dims=2) -> bool:
    """False when some window holds only padding (the contract raises there; tested apart)."""
    rows, cols = geometry_from_params(hw, params, dims)
    return not has_padding_only_window(rows, cols)


@st.composite
def pool2d_cases(draw, *, styles=("ties", "specials", "normal"), with_integers=True, **kwargs):
    """``(x, params, seed)``: an input of any layout and dtype and valid parameters for it."""
    hw, params = draw(pool_params(**kwargs))
    assume(valid_for_contract(hw, params))
    dtype = draw(input_dtypes(with_integers))
    style = draw(style_for(dtype, styles))
    seed = draw(st.integers(0, 2**32 - 1))
    x = make_values(seed, (*draw(leading_axes()), *hw), dtype, style)
    return x, params, seed


# ---------------------------------------------------------------------------------------------
# Real-browser tests (tests/test_browser*.py): one server and one Chromium per pytest session
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """The Chromium to drive; skips without one, fails without one under ``CI=true``."""
    reason = playwright_missing_reason()
    path = None if reason else find_chromium()
    if path is None:
        reason = reason or missing_browser_reason()
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true, so a browser is required, but {reason}", pytrace=False)
        pytest.skip(f"browser tests skipped: {reason}")
    return path


@pytest.fixture(scope="session")
def chromium_browser(chromium_path):
    with chromium(chromium_path) as browser:
        yield browser


@pytest.fixture(scope="session")
def app_server(chromium_path, tmp_path_factory):
    # chromium_path first: without a browser there is no point starting the server. The live
    # class's database in a throwaway folder, never the project's or the user's.
    data_dir = tmp_path_factory.mktemp("plab-data")
    env = {"PLAB_DATA_DIR": str(data_dir), "PLAB_DATABASE_URL": ""}
    with StreamlitServer("app.py", env=env) as server:
        yield server


@pytest.fixture
def browser_page(chromium_browser, app_server):
    """A factory of pages on the shared server: ``browser_page(name, timeout_ms=...)``.

    Each call opens a fresh browser context (its own storage, so a new Streamlit session) with
    ``viewport`` and the default timeout ``timeout_ms``, and returns its page; extra keyword
    arguments go to ``Browser.new_context`` (e.g. ``accept_downloads=True``). At the end of the
    test every page is saved as ``test-artifacts/<name>.png`` (``full_page`` as given) and its
    context closed. Not pytest-playwright's ``page`` fixture: browser_support says why.
    """
    opened = []

    def new_page(name: str, *, timeout_ms: int, viewport=VIEWPORT, full_page: bool = True,
                 **context_options):
        context = chromium_browser.new_context(viewport=viewport, **context_options)
        try:
            context.set_default_timeout(timeout_ms)
            page = context.new_page()
        except BaseException:
            context.close()
            raise
        opened.append((page, name, full_page))
        return page

    yield new_page
    for page, name, full_page in opened:
        try:
            screenshot(page, name, full_page=full_page)
        except Exception as error:  # a missing screenshot must not hide the test's own result
            warnings.warn(f"no screenshot {name}: {error}", stacklevel=1)
        finally:
            page.context.close()
