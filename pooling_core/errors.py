"""The one exception type of pooling_core, and the English text of every message it carries
(the engine's and the lessons', registered here and nowhere else).

A :class:`PoolingError` is raised with a *code* and *fields* (the parameter, the value it got, what
would be valid), and its English message is ``MESSAGES[code].format(**fields)``. The code and the
fields let an app say the same thing in another language: ``pooling_ui`` keeps a Chinese template
for every code, with the same ``{fields}`` (a test checks that both have the same keys and fields).

Fields are numbers, shapes, parameter names (``kernel_size``), kind names (``max``) and ``axis``,
one of :data:`AXES` — words an app translates too.
"""

from __future__ import annotations

AXES = ("height", "width", "length", "size")

MESSAGES: dict[str, str] = {
    # numbers and pairs
    "not_integer": "{parameter} must be an integer ≥ {minimum}; got {value!r}",
    "too_small": "{parameter} must be ≥ {minimum}; got {value}",
    "stride_too_small": (
        "{parameter} must be ≥ {minimum}; got {value} (stride=None means stride = kernel_size)"
    ),
    "not_pair": "{parameter} must be an int or a pair (h, w); got {value!r}",
    "not_single": "{parameter} must be an int; got {value!r}",
    "not_bool": "{parameter} must be True or False; got {value!r}",
    "padding_string": "padding must be an int, a pair (h, w), 'valid' or 'same'; got {value!r}",
    # window geometry
    "ceil_with_string_padding": (
        "ceil_mode=True applies to numeric padding only; got padding={value!r} "
        "(use ceil_mode=False, or a number of padding cells)"
    ),
    "padding_too_large": (
        "padding {value} is more than half of kernel_size {kernel}; use padding ≤ {maximum}"
    ),
    "valid_output_empty": (
        "output {axis} would be {out}: with padding='valid' the window spans {span} cells "
        "(dilation·(kernel_size−1)+1) but the input {axis} is only {n}; use a smaller kernel_size "
        "or dilation, or padding='same'"
    ),
    "output_empty": (
        "output {axis} would be {out}: the window spans {span} cells (dilation·(kernel_size−1)+1) "
        "but the padded input {axis} is only {padded}; use a smaller kernel_size or dilation, or "
        "more padding"
    ),
    "window_only_padding": (
        "window {window} along the {axis} covers only padding (dilation {dilation} jumps over the "
        "whole input {axis} of {n}); use a smaller dilation or padding"
    ),
    # the input
    "not_numeric": "{parameter} must be a numeric array; {detail}",
    "bad_dtype": "{parameter} must be a numeric array; got dtype {dtype}",
    "bad_ndim_2d": (
        "x must have 2, 3 or 4 dimensions ((H, W), (C, H, W) or (N, C, H, W)); got shape {shape}"
    ),
    "bad_ndim_1d": (
        "x must have 1, 2 or 3 dimensions ((L,), (C, L) or (N, C, L)); got shape {shape}"
    ),
    "empty_input": "x may be empty only in the batch dimension N of {layout}; got shape {shape}",
    "empty_spatial": "x must not have an empty spatial dimension; got shape {shape}",
    "needs_finite": (
        "{kind} pooling needs finite inputs; x contains NaN or ±inf "
        "(replace them, e.g. np.nan_to_num(x))"
    ),
    "needs_non_negative": (
        "{kind} pooling needs non-negative inputs; x has a minimum of {minimum:g} "
        "(apply ReLU first, e.g. np.maximum(x, 0))"
    ),
    "grad_shape": "grad_output must have the output's shape {expected}; got shape {shape}",
    # kinds and their arguments
    "unknown_kind": "unknown kind {value!r}; choose one of: {choices}",
    "unknown_kind_close": (
        "unknown kind {value!r} (did you mean '{close}'?); choose one of: {choices}"
    ),
    "no_indices": (
        "return_indices=True is available for kinds {choices}; kind '{kind}' has no indices"
    ),
    "divisor_not_for_kind": (
        "divisor_override applies to kinds {choices} only; got divisor_override={value!r} with "
        "kind '{kind}'"
    ),
    "bad_divisor": "divisor_override must be a non-zero integer or None; got {value!r}",
    "adaptive_kind": "adaptive pooling supports kinds {choices}; got {value!r}",
    "adaptive_empty_gradient": "output_size must be ≥ 1 for a gradient; got {value!r}",
    # a kind's own options
    "unknown_option": "unknown option {option!r} for kind '{kind}'; {kind} takes: {choices}",
    "unknown_option_none": "unknown option {option!r} for kind '{kind}'; {kind} takes no options",
    "option_not_number": "option {option} of kind '{kind}' must be a finite number; got {value!r}",
    "option_not_integer": (
        "option {option} of kind '{kind}' must be an integer ≥ {minimum:g}; got {value!r}"
    ),
    "option_not_bool": "option {option} of kind '{kind}' must be True or False; got {value!r}",
    "option_above": "option {option} of kind '{kind}' must be > {minimum:g}; got {value:g}",
    "option_between": (
        "option {option} of kind '{kind}' must be in [{minimum:g}, {maximum:g}]; got {value:g}"
    ),
    "weights_not_numbers": (
        "option weights of kind '{kind}' must be a {rows}×{cols} array of numbers"
    ),
    "weights_shape": (
        "option weights of kind '{kind}' must have the kernel's shape {expected}; got shape {shape}"
    ),
    "weights_values": (
        "option weights of kind '{kind}' must be finite, non-negative and not all zero"
    ),
    # explain
    "explain_plane": "explain takes one plane x of shape (H, W); got shape {shape}",
    "index_range": "{parameter} must be an integer in [0, {size}); got {value!r}",
    # the conv lesson (lessons/conv.py)
    "conv_x_ndim": (
        "x must have {allowed} dimensions ({layouts}); got shape {shape}"
    ),
    "conv_weight_ndim": (
        "weight must have {allowed} dimensions ({layouts}); got shape {shape}"
    ),
    "conv_weight_empty": "weight must not have an empty dimension; got shape {shape}",
    "conv_x_empty": "x must not have an empty dimension; got shape {shape}",
    "conv_channels": (
        "weight of shape {weight_shape} expects {expected} input channel(s), but x of shape "
        "{shape} has {got}"
    ),
    "conv_bias_shape": (
        "bias must be a number or have one value per output channel ({expected}); got shape "
        "{shape}"
    ),
    "conv_same_stride": (
        "padding='same' needs stride 1 (as in PyTorch); got stride={value!r}"
    ),
    "conv_output_empty": (
        "output {axis} would be {out}: the kernel spans {span} cells (dilation·(kernel_size−1)+1) "
        "but the padded input {axis} is only {padded}; use a smaller kernel or dilation, or more "
        "padding"
    ),
    "filter_unknown": "unknown filter {value!r}; choose one of: {choices}",
    # receptive fields (lessons/receptive.py)
    "receptive_not_layer": "layers must be pooling_core.Layer objects; got {value!r}",
    # blur pooling and shifts (lessons/blur.py)
    "filter_size": "filter_size must be one of {choices}; got {value!r}",
    "pad_mode": "pad_mode must be one of {choices}; got {value!r}",
    "reflect_too_small": (
        "reflect padding of {pad} cells needs an input {axis} of at least {minimum}; got {n} "
        "(use a smaller filter_size, or pad_mode='replicate')"
    ),
    "shift_not_number": "shift must be a pair of finite numbers (rows, columns); got {value!r}",
    "change_shapes": "the outputs to compare must have the same shape; got {before} and {after}",
}


class PoolingError(ValueError):
    """An invalid argument to a pooling function.

    The message names the parameter, the value it got and what would be valid, so that an app can
    show it to a user as it is — or, from :attr:`code` and :attr:`fields`, in another language.

    Attributes
    ----------
    code : str
        A key of :data:`MESSAGES`.
    fields : dict
        The values the message is made of.

    Examples
    --------
    >>> error = PoolingError("too_small", parameter="kernel_size", minimum=1, value=0)
    >>> str(error), error.code, error.fields["value"]
    ('kernel_size must be ≥ 1; got 0', 'too_small', 0)
    """

    def __init__(self, code: str, **fields):
        self.code = code
        self.fields = fields
        super().__init__(MESSAGES[code].format(**fields))

    def __reduce__(self):
        # keyword-only fields: pickling (Streamlit's caches, multiprocessing) needs to be told how
        return _rebuild, (self.code, self.fields)


def _rebuild(code: str, fields: dict) -> PoolingError:
    return PoolingError(code, **fields)
