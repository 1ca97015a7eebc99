"""Copyable PyTorch and TensorFlow programs that reproduce one pooling of the app.

Each program is self-contained: it builds the input (the current numbers as a literal while the
grid is at most :data:`LITERAL_MAX_SIDE` a side, else random numbers of the same shape), pools
it the way a :class:`pooling_core.lessons.frameworks.Recipe` says, and prints the output's shape,
which a comment states (``# -> torch.Size([1, 1, 2, 2])``, ``# -> (1, 2, 2, 1)``). PyTorch's
programs are NCHW, TensorFlow's NHWC. The output is always named ``y`` and the input ``x``, so that
the tests can run a program and compare ``y`` with :func:`pooling_core.pool2d`.

No pooling maths here: every number written (pads, sizes, flags) comes from the recipe. Only
the comments are in the reader's language; the code is the same in every language.
"""

from __future__ import annotations

import numpy as np

from pooling_core.lessons.frameworks import Recipe
from pooling_ui.base.i18n import t

LITERAL_MAX_SIDE = 8
TORCH_STYLES = ("module", "functional")
TF_STYLES = ("nn", "keras")
_TORCH_MODULES = {"max": "MaxPool2d", "avg": "AvgPool2d", "lp": "LPPool2d"}
_TORCH_FUNCTIONS = {"max": "max_pool2d", "avg": "avg_pool2d", "lp": "lp_pool2d"}
_TF_FUNCTIONS = {"max": "max_pool2d", "avg": "avg_pool2d"}
_KERAS_LAYERS = {"max": "MaxPooling2D", "avg": "AveragePooling2D"}


def number_text(value: float) -> str:
    """A float32 value as Python source that reads back as exactly that float32.

    Examples
    --------
    >>> [number_text(v) for v in (1.0, 0.1, float("nan"), -float("inf"))]
    ['1.0', '0.1', 'float("nan")', 'float("-inf")']
    """
    value32 = np.float32(value)
    if np.isnan(value32):
        return 'float("nan")'
    if np.isinf(value32):
        return 'float("inf")' if value32 > 0 else 'float("-inf")'
    short = str(value32)
    if "e" not in short and "." not in short:
        short += ".0"
    # the shortest text may round differently through a double: then every digit is written
    return short if np.float32(float(short)) == value32 else repr(float(value32))


def nested_literal(array: np.ndarray) -> str:
    """Nested Python lists of an array's numbers, one innermost row per line."""
    array = np.asarray(array)
    if array.ndim == 1:
        return "[" + ", ".join(number_text(v) for v in array) + "]"
    body = ",\n".join(nested_literal(part) for part in array)
    return "[" + body.replace("\n", "\n ") + "]"


def literal_fits(data: np.ndarray) -> bool:
    """Whether the input is small enough to be written out in a program."""
    return max(data.shape[-2:]) <= LITERAL_MAX_SIDE


def _pair(values: tuple[int, int]) -> str:
    return str(values[0]) if values[0] == values[1] else f"({values[0]}, {values[1]})"


def _tuple(values: tuple[int, int]) -> str:
    return f"({values[0]}, {values[1]})"


def _float(value: float) -> str:
    return f"{value:g}" if value != int(value) else f"{value:.1f}"


def _shape_text(shape) -> str:
    return "(" + ", ".join(str(int(v)) for v in shape) + ")"


def output_shapes(data: np.ndarray, recipe: Recipe) -> tuple[tuple, tuple]:
    """``(PyTorch NCHW shape, TensorFlow NHWC shape)`` of the program's output."""
    channels = int(data.shape[0])
    out_h, out_w = recipe.out_hw
    return (1, channels, out_h, out_w), (1, out_h, out_w, channels)


# -- PyTorch --------------------------------------------------------------------------------------
def _torch_input(data: np.ndarray, lang: str | None) -> list[str]:
    channels, height, width = data.shape
    shape = f"(1, {channels}, {height}, {width})"
    if literal_fits(data):
        body = nested_literal(data[None]).replace("\n", "\n" + " " * len("x = torch.tensor("))
        return [f"# (N, C, H, W) = {shape}: {t('lesson_shapes.code.input_literal', lang)}",
                f"x = torch.tensor({body})"]
    return [f"# (N, C, H, W) = {shape}: {t('lesson_shapes.code.input_random', lang)}",
            f"x = torch.randn(1, {channels}, {height}, {width})"]


def _torch_pool_arguments(recipe: Recipe, *, padding: bool) -> list[str]:
    arguments = [f"kernel_size={_pair(recipe.kernel)}", f"stride={_pair(recipe.stride)}"]
    if padding and recipe.padding not in (None, (0, 0)):
        arguments.append(f"padding={_pair(recipe.padding)}")
    if recipe.op == "max" and recipe.dilation != (1, 1):
        arguments.append(f"dilation={_pair(recipe.dilation)}")
    if padding and recipe.ceil_mode:
        arguments.append("ceil_mode=True")
    if recipe.op == "avg" and padding and not recipe.count_include_pad:
        arguments.append("count_include_pad=False")
    if recipe.op == "avg" and recipe.divisor_override is not None:
        arguments.append(f"divisor_override={recipe.divisor_override}")
    return arguments


def _torch_pads(recipe: Recipe) -> str:
    (top, bottom), (left, right) = recipe.pads
    return f"({left}, {right}, {top}, {bottom})"


def _torch_lp_finish(recipe: Recipe) -> str:
    kh, kw = recipe.kernel
    return f"y = (torch.sign(a) * F.relu(a.abs()) * {kh * kw}).pow(1 / {_float(recipe.p)})"


def _torch_body(recipe: Recipe, style: str, lang: str | None) -> tuple[list[str], bool]:
    """The pooling lines, and whether they need ``nn``."""
    sign, source = ("-", "-x") if recipe.negate else ("", "x")
    if recipe.method == "native" and not recipe.lp_formula:
        arguments = _torch_pool_arguments(recipe, padding=True)
        if recipe.op == "lp":
            arguments.insert(0, f"norm_type={_float(recipe.p)}")
        if style == "module":
            return [f"pool = nn.{_TORCH_MODULES[recipe.op]}({', '.join(arguments)})",
                    f"y = {sign}pool({source})"], True
        call = f"F.{_TORCH_FUNCTIONS[recipe.op]}({source}, {', '.join(arguments)})"
        return [f"y = {sign}{call}"], False
    pads_comment = f"  # (left, right, top, bottom): {t('lesson_shapes.code.pads_torch', lang)}"
    if recipe.lp_formula:
        power = f"x.pow({_float(recipe.p)})"
        lines = [f"# {t('lesson_shapes.code.lp_formula', lang)}"]
        if recipe.method == "native":
            arguments = _torch_pool_arguments(recipe, padding=True)
            lines.append(f"a = F.avg_pool2d({power}, {', '.join(arguments)})")
        else:
            lines.append(f"xp = F.pad({power}, {_torch_pads(recipe)}){pads_comment}")
            arguments = _torch_pool_arguments(recipe, padding=False)
            lines.append(f"a = F.avg_pool2d(xp, {', '.join(arguments)})")
        return [*lines, _torch_lp_finish(recipe)], False
    arguments = ", ".join(_torch_pool_arguments(recipe, padding=False))
    if recipe.method == "padded":
        fill = ', value=float("-inf")' if recipe.fill == -np.inf else ""
        return [f"xp = F.pad({source}, {_torch_pads(recipe)}{fill}){pads_comment}",
                f"y = {sign}F.{_TORCH_FUNCTIONS[recipe.op]}(xp, {arguments})"], False
    # ratio: window sums over window counts (the counts leave the padding out)
    return [f"# {t('lesson_shapes.code.ratio', lang)}",
            f"pads = {_torch_pads(recipe)}{pads_comment}",
            f"sums = F.avg_pool2d(F.pad(x, pads), {arguments}, divisor_override=1)",
            f"counts = F.avg_pool2d(F.pad(torch.ones_like(x), pads), {arguments}, "
            "divisor_override=1)",
            "y = sums / counts"], False


def torch_code(data: np.ndarray, recipe: Recipe, style: str = "module",
               lang: str | None = None) -> str | None:
    """A PyTorch program reproducing the pooling of ``data`` (C, H, W); None when PyTorch has
    no built-in for it (``recipe.method == "none"``)."""
    if recipe.method == "none":
        return None
    body, needs_nn = _torch_body(recipe, style, lang)
    imports = ["import torch"]
    if needs_nn:
        imports.append("import torch.nn as nn")
    else:
        imports.append("import torch.nn.functional as F")
    if recipe.lp_formula:
        imports = ["import torch", "import torch.nn.functional as F"]
    shape, _ = output_shapes(data, recipe)
    ending = [f"print(y.shape)  # -> torch.Size([{', '.join(str(v) for v in shape)}])"]
    if literal_fits(data):
        ending.append("print(y)")
    return "\n".join([*imports, "", *_torch_input(data, lang), "", *body, *ending]) + "\n"


# -- TensorFlow -----------------------------------------------------------------------------------
def _tf_input(data: np.ndarray, lang: str | None) -> list[str]:
    channels, height, width = data.shape
    shape = f"(1, {height}, {width}, {channels})"
    if literal_fits(data):
        # the same NCHW numbers as the PyTorch program, turned to NHWC
        body = nested_literal(data[None]).replace("\n", "\n" + " " * len("x = tf.constant("))
        return [f"# (N, C, H, W) → (N, H, W, C) = {shape}: "
                f"{t('lesson_shapes.code.input_literal', lang)}",
                f"x = tf.constant({body}, dtype=tf.float32)",
                "x = tf.transpose(x, [0, 2, 3, 1])"]
    return [f"# (N, H, W, C) = {shape}: {t('lesson_shapes.code.input_random', lang)}",
            f"x = tf.random.normal([1, {height}, {width}, {channels}])"]


def _tf_paddings(pads) -> str:
    (top, bottom), (left, right) = pads
    return f"[[0, 0], [{top}, {bottom}], [{left}, {right}], [0, 0]]"


def _tf_pool(recipe: Recipe, argument: str, padding: str, style: str) -> str:
    """One pooling call of ``argument`` (an expression), without the −x of min."""
    if recipe.dilation != (1, 1):
        strides = (1, 1) if recipe.dilated_slice else recipe.stride
        kind = "MAX" if recipe.op == "max" else "AVG"
        return (f"tf.nn.pool({argument}, window_shape={_tuple(recipe.kernel)}, "
                f'pooling_type="{kind}", strides={_tuple(strides)}, padding="{padding}", '
                f"dilations={_tuple(recipe.dilation)})")
    if style == "keras":
        return (f"tf.keras.layers.{_KERAS_LAYERS[recipe.op]}(pool_size={_pair(recipe.kernel)}, "
                f'strides={_pair(recipe.stride)}, padding="{padding.lower()}")({argument})')
    return (f"tf.nn.{_TF_FUNCTIONS[recipe.op]}({argument}, ksize={_pair(recipe.kernel)}, "
            f'strides={_pair(recipe.stride)}, padding="{padding}")')


def _tf_body(recipe: Recipe, style: str, lang: str | None) -> list[str]:
    sign, source = ("-", "-x") if recipe.negate else ("", "x")
    pads_comment = f"  # {t('lesson_shapes.code.pads_tf', lang)}"
    if recipe.method == "native":
        lines = [f"y = {sign}{_tf_pool(recipe, source, recipe.padding, style)}"]
    elif recipe.method == "padded":
        fill = ', constant_values=float("-inf")' if recipe.fill == -np.inf else ""
        lines = [f"xp = tf.pad({source}, {_tf_paddings(recipe.pads)}{fill}){pads_comment}",
                 f"y = {sign}{_tf_pool(recipe, 'xp', 'VALID', style)}"]
        if recipe.divisor_override is not None:
            kh, kw = recipe.kernel
            lines[-1] += f" * ({kh * kw} / {recipe.divisor_override})"
            lines.insert(0, f"# {t('lesson_shapes.code.divisor_tf', lang)}")
    else:
        lines = [f"# {t('lesson_shapes.code.ratio', lang)}",
                 f"xp = tf.pad(x, {_tf_paddings(recipe.pads)}){pads_comment}"]
        counted = recipe.counted
        if counted == ((0, 0), (0, 0)):
            lines.append(f"mask = tf.pad(tf.ones_like(x), {_tf_paddings(recipe.pads)})")
        else:
            rest = tuple((p - c, q - d) for (p, q), (c, d) in zip(recipe.pads, counted,
                                                                   strict=True))
            lines += [f"mask = tf.pad(tf.ones_like(x), {_tf_paddings(counted)}, "
                      f"constant_values=1.0)  # {t('lesson_shapes.code.counted', lang)}",
                      f"mask = tf.pad(mask, {_tf_paddings(rest)})"]
        lines.append(f"y = {_tf_pool(recipe, 'xp', 'VALID', style)} / "
                     f"{_tf_pool(recipe, 'mask', 'VALID', style)}")
    if recipe.dilated_slice:
        lines += [f"# {t('lesson_shapes.code.dilated_slice', lang)}",
                  f"y = y[:, ::{recipe.stride[0]}, ::{recipe.stride[1]}, :]"]
    return lines


def tf_code(data: np.ndarray, recipe: Recipe, style: str = "nn",
            lang: str | None = None) -> str | None:
    """A TensorFlow program reproducing the pooling of ``data`` (C, H, W), NHWC; None when
    TensorFlow has no built-in for it."""
    if recipe.method == "none":
        return None
    _, shape = output_shapes(data, recipe)
    ending = [f"print(y.shape)  # -> {_shape_text(shape)}"]
    if literal_fits(data):
        ending.append("print(y)")
    return "\n".join(["import tensorflow as tf", "", *_tf_input(data, lang), "",
                      *_tf_body(recipe, style, lang), *ending]) + "\n"


def claimed_shape(code: str) -> tuple[int, ...]:
    """The shape a program's ``# -> ...`` comment states.

    Examples
    --------
    >>> claimed_shape("print(y.shape)  # -> torch.Size([1, 1, 2, 2])")
    (1, 1, 2, 2)
    >>> claimed_shape("print(y.shape)  # -> (1, 2, 2, 1)")
    (1, 2, 2, 1)
    """
    line = next(line for line in code.splitlines() if "# -> " in line)
    text = line.split("# -> ", 1)[1]
    digits = text.replace("torch.Size", "").strip("()[] ")
    return tuple(int(part) for part in digits.replace("[", "").replace("]", "").split(","))
