"""The "Shapes & code" lesson: framework placements, generated programs, the page in two languages.

Every generated PyTorch program is run (with torch) and its ``y`` compared with
``pooling_core.pool2d`` of the same input. TensorFlow is not a test dependency: its programs
run against :class:`FakeTF` below, a few TensorFlow functions written here in torch from
TensorFlow's documented rules ('VALID': ``ceil((n − span + 1)/s)``; 'SAME': ``ceil(n/s)`` with
``total = max((out − 1)·s + span − n, 0)`` split ``total // 2`` before, the rest after; an
average "never includes out-of-bounds positions"; ``tf.nn.pool`` refuses dilation with a
stride > 1). Their stated shapes are compared with that calculation too. With TensorFlow
installed, ``test_tensorflow_itself_runs_every_program`` runs them for real.
"""

from __future__ import annotations

import math
import types

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from test_ui_language import english_left
from ui_support import assert_no_bug, open_page

import pooling_core as pc
from pooling_core.lessons import frameworks as fw
from pooling_ui.lessons import codegen
from pooling_ui.lessons import shapes as lesson_shapes


# ---------------------------------------------------------------------------------------------
# TensorFlow's documented pooling, in torch
# ---------------------------------------------------------------------------------------------
def _two(value) -> tuple[int, int]:
    if isinstance(value, int):
        return value, value
    values = list(value)
    return (values[0], values[0]) if len(values) == 1 else (values[0], values[1])


def tf_pool(x, window, pooling_type, strides, padding, dilations=(1, 1)):
    """TensorFlow's pooling of an NHWC tensor, from its documentation."""
    (kh, kw), (sh, sw), (dh, dw) = _two(window), _two(strides), _two(dilations)
    if (dh > 1 or dw > 1) and (sh > 1 or sw > 1):
        raise ValueError("TensorFlow: strides > 1 are not supported with dilation")
    nchw = x.permute(0, 3, 1, 2)
    pads = []
    for n, k, s, d in ((nchw.shape[2], kh, sh, dh), (nchw.shape[3], kw, sw, dw)):
        span = d * (k - 1) + 1
        if padding == "SAME":
            out = math.ceil(n / s)
            total = max((out - 1) * s + span - n, 0)
            pads.append((total // 2, total - total // 2))
        elif padding == "VALID":
            pads.append((0, 0))
        else:
            raise ValueError(padding)
    torch_pads = (pads[1][0], pads[1][1], pads[0][0], pads[0][1])
    height = nchw.shape[2] + sum(pads[0])
    width = nchw.shape[3] + sum(pads[1])
    out_h = (height - (dh * (kh - 1) + 1)) // sh + 1
    out_w = (width - (dw * (kw - 1) + 1)) // sw + 1
    options = dict(kernel_size=(kh, kw), dilation=(dh, dw), stride=(sh, sw))
    batch, channels = nchw.shape[:2]

    def taps(tensor):
        return F.unfold(tensor, **options).reshape(batch, channels, kh * kw, out_h * out_w)

    if pooling_type == "MAX":
        values = taps(F.pad(nchw, torch_pads, value=float("-inf"))).amax(dim=2)
    else:  # the average never includes out-of-bounds positions
        sums = taps(F.pad(nchw, torch_pads)).sum(dim=2)
        counts = taps(F.pad(torch.ones_like(nchw), torch_pads)).sum(dim=2)
        values = sums / counts
    return values.reshape(batch, channels, out_h, out_w).permute(0, 2, 3, 1)


class FakeTF(types.SimpleNamespace):
    """The part of TensorFlow's API the generated programs use."""

    float32 = torch.float32

    def __init__(self):
        super().__init__()
        self.random = types.SimpleNamespace(normal=lambda shape: torch.randn(*shape))
        self.nn = types.SimpleNamespace(
            max_pool2d=lambda x, ksize, strides, padding: tf_pool(x, ksize, "MAX", strides,
                                                                  padding),
            avg_pool2d=lambda x, ksize, strides, padding: tf_pool(x, ksize, "AVG", strides,
                                                                  padding),
            avg_pool=lambda x, ksize, strides, padding: tf_pool(x, ksize, "AVG", strides,
                                                                padding),
            pool=lambda x, window_shape, pooling_type, strides, padding, dilations: tf_pool(
                x, window_shape, pooling_type, strides, padding, dilations),
        )

        def layer(kind):
            def make(pool_size, strides, padding):
                return lambda x: tf_pool(x, pool_size, kind, strides, padding.upper())
            return make

        self.keras = types.SimpleNamespace(layers=types.SimpleNamespace(
            MaxPooling2D=layer("MAX"), AveragePooling2D=layer("AVG")))

    @staticmethod
    def constant(values, dtype):
        return torch.tensor(values, dtype=dtype)

    @staticmethod
    def transpose(x, perm):
        return x.permute(*perm)

    @staticmethod
    def ones_like(x):
        return torch.ones_like(x)

    @staticmethod
    def pad(x, paddings, constant_values=0.0):
        flat = []
        for before, after in reversed(paddings):
            flat += [before, after]
        return F.pad(x, tuple(flat), value=constant_values)


def run_program(code: str, tf_module=None) -> dict:
    namespace: dict = {}
    if tf_module is not None:
        code = code.replace("import tensorflow as tf\n", "")
        namespace["tf"] = tf_module
    exec(compile(code, "<generated>", "exec"), namespace)
    return namespace


# ---------------------------------------------------------------------------------------------
# The cases
# ---------------------------------------------------------------------------------------------
SMALL = np.random.default_rng(7).integers(-4, 10, size=(1, 5, 7)).astype(np.float32)
BIG = np.zeros((2, 11, 9), dtype=np.float32)  # above the literal size: random numbers
CASES = [
    dict(kind="max", kernel_size=2),
    dict(kind="max", kernel_size=3, stride=2, padding=1),
    dict(kind="max", kernel_size=2, stride=2, padding="same"),
    dict(kind="max", kernel_size=3, stride=2, padding="same"),
    dict(kind="max", kernel_size=2, stride=2, padding="valid"),
    dict(kind="max", kernel_size=(3, 2), stride=1, padding="same"),  # pads (1, 1) and (0, 1)
    dict(kind="max", kernel_size=(2, 3), stride=(2, 3), ceil_mode=True),
    dict(kind="max", kernel_size=3, stride=2, padding=1, ceil_mode=True),
    dict(kind="max", kernel_size=2, stride=2, dilation=2),
    dict(kind="max", kernel_size=2, stride=1, padding=1, dilation=(2, 1)),
    dict(kind="max", kernel_size=3, stride=2, padding="same", dilation=2),
    dict(kind="min", kernel_size=3, stride=2, padding=1),
    dict(kind="min", kernel_size=2, padding="same"),
    dict(kind="avg", kernel_size=2),
    dict(kind="avg", kernel_size=3, stride=2, padding=1),
    dict(kind="avg", kernel_size=3, stride=2, padding=1, count_include_pad=False),
    dict(kind="avg", kernel_size=3, stride=2, padding=1, ceil_mode=True),
    dict(kind="avg", kernel_size=3, stride=2, padding=1, ceil_mode=True,
         count_include_pad=False),
    dict(kind="avg", kernel_size=2, stride=2, ceil_mode=True),
    dict(kind="avg", kernel_size=2, stride=2, padding="same"),
    dict(kind="avg", kernel_size=3, stride=1, padding="same"),
    dict(kind="avg", kernel_size=(2, 4), stride=(1, 2), padding="same"),
    dict(kind="lp", kernel_size=(3, 2), stride=1, padding="same", p=2.0),
    dict(kind="avg", kernel_size=3, stride=2, padding="valid"),
    dict(kind="avg", kernel_size=3, stride=2, padding=1, divisor_override=5),
    dict(kind="avg", kernel_size=2, stride=2, padding="same", divisor_override=3),
    dict(kind="avg", kernel_size=2, stride=2, dilation=2),
    dict(kind="avg", kernel_size=3, stride=2, padding="same", dilation=2),
    dict(kind="lp", kernel_size=2, p=2.0),
    dict(kind="lp", kernel_size=3, stride=2, ceil_mode=True, p=3.0),
    dict(kind="lp", kernel_size=3, stride=2, padding=1, p=2.0),
    dict(kind="lp", kernel_size=2, stride=2, padding="same", p=1.5),
    dict(kind="lp", kernel_size=2, dilation=2, p=2.0),
    dict(kind="median", kernel_size=3),
]
LP_INPUT = np.abs(SMALL) + 1  # lp of negative numbers to a fractional power is NaN


def case_id(case: dict) -> str:
    return "-".join(f"{key}={value}" for key, value in case.items())


def input_for(case: dict, data: np.ndarray) -> np.ndarray:
    return np.abs(data) + 1 if case["kind"] == "lp" else data


def assert_matches(kind: str, got: np.ndarray, want: np.ndarray) -> None:
    assert got.shape == want.shape
    if kind in ("max", "min"):
        np.testing.assert_array_equal(got, want)
    else:
        np.testing.assert_allclose(got, want, rtol=1e-5 if kind == "lp" else 1e-6, atol=1e-5)


# ---------------------------------------------------------------------------------------------
# PyTorch programs
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("style", codegen.TORCH_STYLES)
@pytest.mark.parametrize("data", [SMALL, BIG], ids=["literal", "random"])
@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_every_pytorch_program_gives_the_engines_numbers(case, data, style):
    data = input_for(case, data)
    recipe = fw.recipe(fw.TORCH, data.shape[-2:], **case)
    code = codegen.torch_code(data, recipe, style)
    if code is None:
        assert recipe.reason in fw.NO_EQUIVALENT
        return
    namespace = run_program(code)
    x = namespace["x"].numpy()[0]
    if codegen.literal_fits(data):
        np.testing.assert_array_equal(x, data)
    got = namespace["y"].numpy()[0]
    assert_matches(case["kind"], got, pc.pool2d(x, **case))
    assert codegen.claimed_shape(code) == tuple(namespace["y"].shape)


def test_what_pytorch_cannot_express_is_said_truthfully():
    """avg_pool2d has no dilation; lp_pool2d neither; PyTorch has no median pooling. Each is
    checked against torch itself where torch can tell."""
    with pytest.raises(TypeError):
        F.avg_pool2d(torch.ones(1, 1, 4, 4), 2, dilation=2)
    assert fw.recipe(fw.TORCH, (5, 5), "avg", 2, dilation=2).reason == "torch_avg_dilation"
    assert fw.recipe(fw.TORCH, (5, 5), "lp", 2, dilation=2, p=2.0).reason == "torch_lp_dilation"
    assert fw.recipe(fw.TORCH, (5, 5), "median", 3).reason == "torch_no_builtin"
    assert not hasattr(F, "median_pool2d")
    with pytest.raises(TypeError):
        F.max_pool2d(torch.ones(1, 1, 4, 4), 2, padding="same")  # PyTorch's pooling takes no SAME


# ---------------------------------------------------------------------------------------------
# TensorFlow programs
# ---------------------------------------------------------------------------------------------
def tf_documented_size(n: int, plan_pads: tuple[int, int], recipe: fw.Recipe, axis: int) -> int:
    """The output size along one axis from TensorFlow's documented formulas."""
    k, s, d = recipe.kernel[axis], recipe.stride[axis], recipe.dilation[axis]
    span = d * (k - 1) + 1
    if recipe.method == "native":
        return math.ceil(n / s) if recipe.padding == "SAME" else math.ceil((n - span + 1) / s)
    padded = n + plan_pads[0] + plan_pads[1]
    if recipe.dilated_slice:
        return math.ceil((padded - span + 1) / 1 / s)  # stride-1 pooling, every s-th kept
    return math.ceil((padded - span + 1) / s)


@pytest.mark.parametrize("style", codegen.TF_STYLES)
@pytest.mark.parametrize("data", [SMALL, BIG], ids=["literal", "random"])
@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_every_tensorflow_program_states_its_shape_and_gives_the_numbers(case, data, style):
    data = input_for(case, data)
    recipe = fw.recipe(fw.TF, data.shape[-2:], **case)
    code = codegen.tf_code(data, recipe, style)
    if code is None:
        assert case["kind"] in ("lp", "median")
        return
    channels, height, width = data.shape
    documented = (1, *(tf_documented_size(n, recipe.pads[a], recipe, a)
                       for a, n in enumerate((height, width))), channels)
    assert codegen.claimed_shape(code) == documented
    namespace = run_program(code, FakeTF())
    assert tuple(namespace["y"].shape) == documented
    x = namespace["x"].permute(0, 3, 1, 2).numpy()[0]
    if codegen.literal_fits(data):
        np.testing.assert_array_equal(x, data)
    got = namespace["y"].permute(0, 3, 1, 2).numpy()[0]
    assert_matches(case["kind"], got, pc.pool2d(x, **case))


def test_tensorflow_itself_runs_every_program():
    """Runs only where TensorFlow is installed (``pip install tensorflow``)."""
    tf = pytest.importorskip("tensorflow")
    for case in CASES:
        data = input_for(case, SMALL)
        code = codegen.tf_code(data, fw.recipe(fw.TF, data.shape[-2:], **case))
        if code is None:
            continue
        namespace = run_program(code, tf)
        got = np.transpose(namespace["y"].numpy(), (0, 3, 1, 2))[0]
        assert tuple(namespace["y"].shape) == codegen.claimed_shape(code)
        assert_matches(case["kind"], got, pc.pool2d(data, **case))


def test_tensorflow_same_puts_the_odd_padding_cell_at_the_bottom_right():
    # 5 cells, k = 2, s = 2: ceil(5/2) = 3 windows need 6 cells, so one after the input
    plan = fw.axis_plan(5, 2, 2, "same")
    assert (plan.pad_lo, plan.pad_hi, plan.out) == (0, 1, 3)
    # 6 cells, k = 3, s = 1 → total 2, split 1/1; 6 cells, k = 4, s = 1 → total 3, split 1/2
    assert (fw.axis_plan(6, 3, 1, "same").pad_lo, fw.axis_plan(6, 3, 1, "same").pad_hi) == (1, 1)
    assert (fw.axis_plan(6, 4, 1, "same").pad_lo, fw.axis_plan(6, 4, 1, "same").pad_hi) == (1, 2)
    assert fw.recipe(fw.TORCH, (6, 6), "max", 4, 1, padding="same").pads == ((1, 2), (1, 2))


def test_ceil_mode_overhang_is_never_counted_by_pytorch():
    """On 5 cells with k = 2, s = 2, no padding, ceil mode keeps a window at 4 that reaches past
    the input into no padding at all: PyTorch divides by 1, not by 2."""
    x = torch.arange(1.0, 6.0).reshape(1, 1, 1, 5)
    y = F.avg_pool2d(x, (1, 2), (1, 2), ceil_mode=True, count_include_pad=True)
    assert y[0, 0, 0, -1].item() == 5.0
    plan = fw.axis_plan(5, 2, 2, 0, ceil_mode=True)
    assert (plan.out, plan.overhang, plan.explicit_pads) == (3, 1, (0, 1))
    # TensorFlow's 'SAME' leaves its padding cell out just as PyTorch leaves the overhang out
    same = fw.recipe(fw.TF, (1, 5), "avg", (1, 2), ceil_mode=True)
    assert (same.method, same.padding) == ("native", "SAME")
    # 6 cells, k = 3, s = 2, padding 1, ceil: windows at −1, 1, 3, 5; the last reads 5, 6
    # (padding, counted) and 7 (overhang, not counted): only sums over counts say that
    ratio = fw.recipe(fw.TF, (6, 6), "avg", 3, 2, padding=1, ceil_mode=True)
    assert (ratio.method, ratio.pads, ratio.counted) == ("ratio", ((1, 2), (1, 2)),
                                                         ((1, 1), (1, 1)))
    x = torch.arange(1.0, 7.0).reshape(1, 1, 1, 6)
    y = F.avg_pool2d(x, (1, 3), (1, 2), (0, 1), ceil_mode=True, count_include_pad=True)
    assert y[0, 0, 0, -1].item() == 6.0 / 2  # (6 + padding 0) / 2 cells


# ---------------------------------------------------------------------------------------------
# Hand-worked examples
# ---------------------------------------------------------------------------------------------
D2L = np.arange(16, dtype=np.float32).reshape(1, 4, 4)
D2L_PARAMS = dict(kind="max", kernel_size=3, stride=2, padding=1)


def test_d2l_max_pool_with_padding_one_and_stride_two():
    # windows of rows/cols {-1, 0, 1} and {1, 2, 3}: maxima 5, 7, 13, 15
    expected = np.array([[5.0, 7.0], [13.0, 15.0]])
    np.testing.assert_array_equal(pc.pool2d(D2L[0], **D2L_PARAMS), expected)
    for style in codegen.TORCH_STYLES:
        code = codegen.torch_code(D2L, fw.recipe(fw.TORCH, (4, 4), **D2L_PARAMS), style)
        np.testing.assert_array_equal(run_program(code)["y"].numpy()[0, 0], expected)
    code = codegen.torch_code(D2L, fw.recipe(fw.TORCH, (4, 4), **D2L_PARAMS), "module")
    assert "nn.MaxPool2d(kernel_size=3, stride=2, padding=1)" in code
    tf_code = codegen.tf_code(D2L, fw.recipe(fw.TF, (4, 4), **D2L_PARAMS))
    assert codegen.claimed_shape(tf_code) == (1, 2, 2, 1)
    np.testing.assert_array_equal(run_program(tf_code, FakeTF())["y"].numpy()[0, :, :, 0],
                                  expected)


def test_the_seed_articles_tensorflow_example_has_the_shape_nhwc_gives():
    assert fw.nhwc_output_shape((1, 3, 32, 32), 2, 2, "VALID") == (1, 1, 16, 32)
    assert fw.nchw_output_shape((1, 3, 32, 32), 2, 2) == (1, 3, 16, 16)
    assert F.avg_pool2d(torch.randn(1, 3, 32, 32), 2, 2).shape == (1, 3, 16, 16)
    tf = FakeTF()
    assert tuple(eval(lesson_shapes.SEED_CODE, {"tf": tf}).shape) == (1, 1, 16, 32)
    fixed = run_program(lesson_shapes.SEED_FIXED, tf)
    assert tuple(fixed["y"].shape) == (1, 3, 16, 16)


def test_literals_read_back_as_the_same_float32():
    values = np.array([0.1, 1 / 3, 255.0, -0.0, 1e-8, 3.4e38, np.nan, -np.inf], np.float32)
    back = np.array(eval(codegen.nested_literal(values), {}), dtype=np.float32)
    np.testing.assert_array_equal(back, values)


# ---------------------------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------------------------
PAGE_STATES = [
    {},
    {"kind": "avg", "kernel": "3", "stride": "2", "padding": "1", "ceil": "true",
     "input": "random", "input_size": "7"},
    {"kind": "max", "padding": "same", "input": "photo"},
    {"kind": "median", "kernel": "3", "stride": "1"},
    {"kind": "lp", "kernel": "2", "dilation": "2", "shapes_tf": "keras"},
    {"shapes_torch": "bogus"},
]


@pytest.mark.parametrize("query", PAGE_STATES)
def test_the_chinese_page_has_no_english_left(query):
    app = open_page("shapes", {**query, "lang": "zh"})
    assert_no_bug(app)
    assert english_left(app) == {}
    assert app.code  # the programs (or the seed example) are shown


def test_the_english_page_reads_as_english_and_its_pytorch_code_gives_its_numbers():
    app = open_page("shapes", {"lang": "en", "kind": "avg", "kernel": "3", "stride": "2",
                               "padding": "1", "input": "random", "input_size": "6"})
    assert_no_bug(app)
    assert len(english_left(app)) > 10
    assert len(app.get("plotly_chart")) == 3  # PyTorch, 'SAME', 'VALID'
    fm, params = app.session_state["page_current"]
    torch_programs = [code.value for code in app.code if "import torch" in code.value]
    assert len(torch_programs) == 1
    got = run_program(torch_programs[0])["y"].numpy()[0]
    np.testing.assert_allclose(got, pc.pool2d(fm.data, **params.kwargs()), rtol=1e-6)


def test_a_bad_link_value_warns_and_the_style_radio_drives_the_code_and_link():
    app = open_page("shapes", {"lang": "en", "shapes_torch": "bogus", "shapes_tf": "keras"})
    assert_no_bug(app)
    assert any("shapes_torch='bogus'" in warning.value for warning in app.warning)
    assert app.query_params["shapes_torch"] == "module"
    assert any("MaxPooling2D" in code.value for code in app.code)
    app.radio(key="shapes_torch").set_value("functional").run()
    assert_no_bug(app)
    assert any("F.max_pool2d(" in code.value for code in app.code)
    assert app.query_params["shapes_torch"] == "functional"
    assert not any("shapes_torch='bogus'" in warning.value for warning in app.warning)


def test_a_kind_without_a_builtin_says_so_in_both_languages():
    for lang, words in (("en", "no built-in"), ("zh", "没有内置")):
        app = open_page("shapes", {"lang": lang, "kind": "median", "kernel": "3"})
        assert_no_bug(app)
        assert sum(words in info.value for info in app.info) == 2
        assert not any("import torch" in code.value for code in app.code)
