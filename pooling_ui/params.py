"""The parameter panel: kind, window, stride, padding, dilation and the kind's own options.

:func:`parameter_panel` draws the widgets in the sidebar, shows the output-size formula with the
current numbers (``st.latex``), mirrors every value in the URL, and returns a :class:`PoolParams`
— or ``None`` (with an ``st.error`` carrying ``PoolingError``'s message) when the combination is
invalid for the current input. No pooling maths happens here: validity and output sizes come
from :mod:`pooling_core`.

Session-state keys (all start with ``p_``; set them in AppTest before ``run()`` to drive the
panel): ``p_kind``; ``p_kernel_h``/``p_kernel_w``; ``p_stride_auto`` (stride = kernel),
``p_stride_h``/``p_stride_w``; ``p_pad_mode`` (``"numbers"``, ``"same"``, ``"valid"``),
``p_pad_h``/``p_pad_w``; ``p_dil_h``/``p_dil_w``; ``p_ceil``; ``p_cip`` (count_include_pad);
``p_div_on``/``p_div`` (divisor_override); the kinds' options ``p_opt_<kind>_<option>`` (e.g.
``p_opt_lp_p``, ``p_opt_mixed_alpha``, ``p_opt_stochastic_seed``, ``p_opt_stochastic_training``,
``p_opt_weighted_weights`` = ``"gaussian"``/``"uniform"``/``"typed"`` with the typed rows in
``p_opt_weighted_typed``).

URL names: ``kind``, ``kernel`` (``3`` or ``3x2``), ``stride`` (absent: = kernel), ``padding``
(``1``, ``1x0``, ``same``, ``valid``), ``dilation``, ``ceil``, ``count_include_pad``, ``divisor``
(absent: none), and the options by their engine names: ``p``, ``alpha``, ``seed``, ``training``,
``weights`` (``gaussian``, ``uniform`` or rows ``1,2,1;2,4,2;1,2,1``). A bad value, or one that
does not fit the others, gives an ``st.warning`` and the default.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import streamlit as st

import pooling_core as pc
from pooling_ui import urlstate
from pooling_ui.urlstate import UrlValueError, persist, read_url_once

KERNEL_MAX = 64
STRIDE_MAX = 64
PAD_MAX = 32
DILATION_MAX = 16
DIVISOR_MAX = 10_000
P_RANGE = (0.1, 100.0)
SEED_MAX = 2**31 - 1
PAD_MODES = ("numbers", "same", "valid")
WEIGHT_CHOICES = ("gaussian", "uniform", "typed")
# From docs/SEMANTICS.md: divisor_override is valid for these kinds only; the panel hides it for
# the others rather than let a hidden value cause an error.
DIVISOR_KINDS = ("avg", "mixed")
# Kinds whose result depends on count_include_pad (docs/SEMANTICS.md); the others ignore it.
PAD_COUNTING_KINDS = ("avg", "mixed", "weighted")

URL_NAMES = (
    "kind", "kernel", "stride", "padding", "dilation", "ceil", "count_include_pad", "divisor",
    "p", "alpha", "seed", "training", "weights",
)

STRINGS = {
    "title": "Parameters",
    "kind": "Kind of pooling",
    "kind_names": {
        "max": "max",
        "avg": "average (avg)",
        "min": "min",
        "lp": "Lp (power average)",
        "weighted": "weighted (Gaussian window)",
        "stochastic": "stochastic",
        "mixed": "mixed (max and avg)",
        "softpool": "SoftPool",
        "median": "median",
    },
    "kernel_h": "Kernel h",
    "kernel_w": "Kernel w",
    "stride_auto": "Stride = kernel size",
    "stride_h": "Stride h",
    "stride_w": "Stride w",
    "padding": "Padding",
    "pad_modes": {"numbers": "cells", "same": "same", "valid": "valid"},
    "pad_help": "'same' keeps ⌈n/stride⌉ outputs (TensorFlow); 'valid' adds no padding.",
    "pad_h": "Pad h",
    "pad_w": "Pad w",
    "dil_h": "Dilation h",
    "dil_w": "Dilation w",
    "ceil": "ceil_mode (round the output size up)",
    "cip": "count_include_pad (padding counts in the average)",
    "cip_help": "Only average-like kinds (avg, mixed, weighted) with numeric padding use it.",
    "div_on": "divisor_override",
    "div": "Divide every window sum by",
    "opt_p": "p (1 = sum, 2 = root of sum of squares, large → max)",
    "opt_alpha": "alpha (1 = max, 0 = avg)",
    "opt_seed": "seed",
    "opt_training": "training (sample a cell; off: probability-weighted mean)",
    "opt_weights": "Weights",
    "weight_names": {"gaussian": "Gaussian (default)", "uniform": "uniform", "typed": "typed"},
    "opt_typed": "Weights, one row per line (the kernel's shape)",
    "typed_bad": "The typed weights are not rows of numbers: {text!r}",
    "formula_title": "Output size",
    "formula_invalid": "no valid output",
    "formula_legend": "k kernel, s stride, p padding, d dilation (each for its own axis).",
    "ceil_drop": (
        "ceil_mode: the last window along the {axis} would start in the right padding, "
        "so it is dropped (−1)."
    ),
    "invalid": "These settings do not work together: {message}",
    "url_bad": "Link parameter {name}={raw!r}: {reason}. Using the default ({default}).",
    "url_misfit": (
        "Link parameter {name}={raw!r} does not fit the other settings: {reason}. "
        "Using the default ({default})."
    ),
    "default_stride": "stride = kernel size",
    "default_divisor": "no override",
}


@dataclass(frozen=True)
class PoolParams:
    """Every argument of one pooling call, as chosen in the panel.

    Attributes
    ----------
    kind : str
        One of ``pooling_core.KINDS``.
    kernel_size, stride, dilation : (int, int)
        ``stride`` is resolved (equal to ``kernel_size`` when the user chose "stride = kernel").
    padding : (int, int) or {"same", "valid"}
    ceil_mode, count_include_pad : bool
    divisor_override : int or None
    options : dict
        The kind's own options by their engine names (weights as a tuple of row tuples, or None
        for the engine's Gaussian default).
    """

    kind: str = "max"
    kernel_size: tuple[int, int] = (2, 2)
    stride: tuple[int, int] = (2, 2)
    padding: tuple[int, int] | str = (0, 0)
    dilation: tuple[int, int] = (1, 1)
    ceil_mode: bool = False
    count_include_pad: bool = True
    divisor_override: int | None = None
    options: dict[str, Any] = field(default_factory=dict)

    def __hash__(self) -> int:
        return hash(
            (
                self.kind, self.kernel_size, self.stride, self.padding, self.dilation,
                self.ceil_mode, self.count_include_pad, self.divisor_override,
                tuple(sorted(self.options.items())),
            )
        )

    def geometry_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``pc.window_geometry`` (and ``pc.output_size`` per axis)."""
        return {
            "kernel_size": self.kernel_size,
            "stride": self.stride,
            "padding": self.padding,
            "dilation": self.dilation,
            "ceil_mode": self.ceil_mode,
        }

    def engine_options(self) -> dict[str, Any]:
        """The kind's options ready for the engine (weights as an array)."""
        options = dict(self.options)
        if options.get("weights") is not None:
            options["weights"] = np.asarray(options["weights"], dtype=np.float64)
        return options

    def kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``pc.pool2d``, ``pc.pool2d_backward`` and ``pc.explain``."""
        return {
            "kind": self.kind,
            **self.geometry_kwargs(),
            "count_include_pad": self.count_include_pad,
            "divisor_override": self.divisor_override,
            **self.engine_options(),
        }

    def describe(self) -> str:
        """A one-line summary, e.g. ``max · kernel 2×2 · stride 2×2 · padding 0``.

        Examples
        --------
        >>> PoolParams("avg", (3, 2), (1, 1), (1, 0), divisor_override=4).describe()
        'avg · kernel 3×2 · stride 1×1 · padding 1×0 · divisor 4'
        >>> PoolParams().describe()
        'max · kernel 2×2 · stride 2×2 · padding 0'
        """
        pad = self.padding if isinstance(self.padding, str) else (
            str(self.padding[0]) if self.padding[0] == self.padding[1] else _times(self.padding)
        )
        parts = [
            self.kind, f"kernel {_times(self.kernel_size)}", f"stride {_times(self.stride)}",
            f"padding {pad}",
        ]
        if self.dilation != (1, 1):
            parts.append(f"dilation {_times(self.dilation)}")
        if self.ceil_mode:
            parts.append("ceil_mode")
        if self.divisor_override is not None:
            parts.append(f"divisor {self.divisor_override}")
        for name, value in self.options.items():
            if name == "weights":
                parts.append("weights " + ("Gaussian" if value is None else "custom"))
            else:
                parts.append(f"{name} {value:g}" if isinstance(value, float) else f"{name} {value}")
        return " · ".join(parts)


def _times(pair) -> str:
    return f"{pair[0]}×{pair[1]}"


# -- state ----------------------------------------------------------------------------------------
def _option_key(kind: str, name: str) -> str:
    return f"p_opt_{kind}_{name}"


def _option_defaults() -> dict[str, Any]:
    defaults: dict[str, Any] = {}
    for kind, options in pc.KIND_OPTIONS.items():
        for name, value in options.items():
            if kind == "weighted" and name == "weights":
                defaults[_option_key(kind, name)] = "gaussian"
                defaults[_option_key(kind, "typed")] = ""
            else:
                defaults[_option_key(kind, name)] = value
    return defaults


DEFAULTS: dict[str, Any] = {
    "p_kind": "max",
    "p_kernel_h": 2,
    "p_kernel_w": 2,
    "p_stride_auto": True,
    "p_stride_h": 2,
    "p_stride_w": 2,
    "p_pad_mode": "numbers",
    "p_pad_h": 0,
    "p_pad_w": 0,
    "p_dil_h": 1,
    "p_dil_w": 1,
    "p_ceil": False,
    "p_cip": True,
    "p_div_on": False,
    "p_div": 4,
    **_option_defaults(),
}


def params_from_state(state) -> PoolParams | str:
    """A :class:`PoolParams` from widget values (``st.session_state`` or a plain dict).

    Returns a message instead when the typed weights cannot be read as numbers.
    """
    value = {key: state.get(key, default) for key, default in DEFAULTS.items()}
    kind = value["p_kind"]
    kernel = (int(value["p_kernel_h"]), int(value["p_kernel_w"]))
    stride = kernel if value["p_stride_auto"] else (int(value["p_stride_h"]),
                                                    int(value["p_stride_w"]))
    padding = (
        (int(value["p_pad_h"]), int(value["p_pad_w"]))
        if value["p_pad_mode"] == "numbers" else value["p_pad_mode"]
    )
    options: dict[str, Any] = {}
    for name in pc.KIND_OPTIONS.get(kind, {}):
        if kind == "weighted" and name == "weights":
            choice = value[_option_key(kind, "weights")]
            if choice == "uniform":
                options[name] = tuple((1.0,) * kernel[1] for _ in range(kernel[0]))
            elif choice == "typed":
                typed = str(value[_option_key(kind, "typed")])
                rows = urlstate.parse_weight_rows(typed)
                if rows is None:
                    return STRINGS["typed_bad"].format(text=typed)
                options[name] = rows
            else:
                options[name] = None
        else:
            options[name] = value[_option_key(kind, name)]
    divisor = int(value["p_div"]) if value["p_div_on"] and kind in DIVISOR_KINDS else None
    return PoolParams(
        kind=kind,
        kernel_size=kernel,
        stride=stride,
        padding=padding,
        dilation=(int(value["p_dil_h"]), int(value["p_dil_w"])),
        ceil_mode=bool(value["p_ceil"]),
        count_include_pad=bool(value["p_cip"]),
        divisor_override=divisor,
        options=options,
    )


def _representative_input(fm, span: tuple[int, int]) -> np.ndarray:
    """One window's worth of input that carries the data's properties the engine checks.

    Kinds may refuse some inputs (stochastic: negative or non-finite values). Rather than run the
    whole pooling here, the smallest and any non-finite value of the data are put into a single
    window, which the engine then accepts or refuses with its own message.
    """
    sample = np.zeros((1, *span), dtype=np.float32)
    if fm is None:
        return sample
    smallest, all_finite = fm.value_summary
    if smallest is not None:
        sample.flat[0] = smallest
    if not all_finite:
        sample.flat[-1] = np.nan
    return sample


def check_params(params: PoolParams, fm) -> str | None:
    """``None`` when ``params`` work on ``fm``'s input, else ``PoolingError``'s message.

    The window geometry is checked on the input's real height and width; the kind, its options
    and the divisor on one window of representative values (see :func:`_representative_input`).
    """
    try:
        if fm is not None:
            pc.window_geometry(fm.data.shape[-2:], **params.geometry_kwargs())
        span = tuple(d * (k - 1) + 1 for k, d in zip(params.kernel_size, params.dilation,
                                                     strict=True))
        one_window = {**params.kwargs(), "stride": 1, "padding": 0, "ceil_mode": False}
        pc.pool2d(_representative_input(fm, span), **one_window)
    except pc.PoolingError as error:
        return str(error)
    return None


# -- URL ------------------------------------------------------------------------------------------
def _read_kind(raw, state):
    return {"p_kind": urlstate.parse_choice(raw, pc.KINDS)}


def _read_kernel(raw, state):
    h, w = urlstate.parse_pair(raw, 1, KERNEL_MAX)
    return {"p_kernel_h": h, "p_kernel_w": w}


def _read_stride(raw, state):
    h, w = urlstate.parse_pair(raw, 1, STRIDE_MAX)
    return {"p_stride_auto": False, "p_stride_h": h, "p_stride_w": w}


def _read_padding(raw, state):
    padding = urlstate.parse_padding(raw, PAD_MAX)
    if isinstance(padding, str):
        return {"p_pad_mode": padding}
    return {"p_pad_mode": "numbers", "p_pad_h": padding[0], "p_pad_w": padding[1]}


def _read_dilation(raw, state):
    h, w = urlstate.parse_pair(raw, 1, DILATION_MAX)
    return {"p_dil_h": h, "p_dil_w": w}


def _read_ceil(raw, state):
    return {"p_ceil": urlstate.parse_bool(raw)}


def _read_cip(raw, state):
    return {"p_cip": urlstate.parse_bool(raw)}


def _read_divisor(raw, state):
    if str(raw).strip().lower() in ("none", "off", ""):
        return {"p_div_on": False}
    return {"p_div_on": True, "p_div": urlstate.parse_int(raw, 1, DIVISOR_MAX)}


def _option_reader(name: str):
    """Reader for an option URL name: applies to every kind that has the option."""

    def read(raw, state):
        updates = {}
        for kind, options in pc.KIND_OPTIONS.items():
            if name not in options:
                continue
            if name == "weights":
                weights = urlstate.parse_weights(raw)
                if isinstance(weights, str):
                    updates[_option_key(kind, "weights")] = weights
                else:
                    updates[_option_key(kind, "weights")] = "typed"
                    updates[_option_key(kind, "typed")] = "\n".join(
                        " ".join(f"{v:g}" for v in row) for row in weights
                    )
            elif name == "p":
                updates[_option_key(kind, name)] = urlstate.parse_float(raw, *P_RANGE)
            elif name == "alpha":
                updates[_option_key(kind, name)] = urlstate.parse_float(raw, 0.0, 1.0)
            elif name == "seed":
                updates[_option_key(kind, name)] = urlstate.parse_int(raw, 0, SEED_MAX)
            elif isinstance(options[name], bool):
                updates[_option_key(kind, name)] = urlstate.parse_bool(raw)
            elif isinstance(options[name], int):
                updates[_option_key(kind, name)] = urlstate.parse_int(raw, 0, SEED_MAX)
            else:
                updates[_option_key(kind, name)] = urlstate.parse_float(raw, -1e6, 1e6)
        return updates

    return read


_URL_READERS = (
    ("kind", _read_kind, lambda: DEFAULTS["p_kind"]),
    ("kernel", _read_kernel, lambda: "2"),
    ("stride", _read_stride, lambda: STRINGS["default_stride"]),
    ("padding", _read_padding, lambda: "0"),
    ("dilation", _read_dilation, lambda: "1"),
    ("ceil", _read_ceil, lambda: "false"),
    ("count_include_pad", _read_cip, lambda: "true"),
    ("divisor", _read_divisor, lambda: STRINGS["default_divisor"]),
    *(
        (name, _option_reader(name), lambda name=name: _option_default_text(name))
        for name in ("p", "alpha", "seed", "training", "weights")
    ),
)


def _option_default_text(name: str) -> str:
    for options in pc.KIND_OPTIONS.values():
        if name in options:
            value = options[name]
            return "Gaussian" if name == "weights" else str(value)
    return "none"


def _problem(state: dict, fm) -> str | None:
    params = params_from_state(state)
    return params if isinstance(params, str) else check_params(params, fm)


def read_url(query: dict[str, str], fm) -> tuple[dict[str, Any], list[str]]:
    """Widget values from a query string, and a warning for each value not used.

    Values are applied one by one in a fixed order; one that cannot be parsed, or that makes a
    valid combination invalid for ``fm``, is left at its default with a warning that says why
    (the engine's message names the valid values).
    """
    state = dict(DEFAULTS)
    warnings: list[str] = []
    for name, reader, default_text in _URL_READERS:
        if name not in query:
            continue
        raw = query[name]
        try:
            updates = reader(raw, state)
        except UrlValueError as error:
            warnings.append(
                STRINGS["url_bad"].format(name=name, raw=raw, reason=error, default=default_text())
            )
            continue
        candidate = {**state, **updates}
        reason = _problem(candidate, fm)
        if reason is not None and _problem(state, fm) is None:
            warnings.append(
                STRINGS["url_misfit"].format(
                    name=name, raw=raw, reason=reason, default=default_text()
                )
            )
            continue
        state = candidate
    return state, warnings


def url_values(params: PoolParams, state) -> dict[str, str]:
    """The query-string values that reproduce ``params``."""
    values = {
        "kind": params.kind,
        "kernel": urlstate.format_pair(params.kernel_size),
        "padding": urlstate.format_padding(params.padding),
        "dilation": urlstate.format_pair(params.dilation),
        "ceil": urlstate.format_bool(params.ceil_mode),
        "count_include_pad": urlstate.format_bool(params.count_include_pad),
    }
    if not state.get("p_stride_auto", True):
        values["stride"] = urlstate.format_pair(params.stride)
    if params.divisor_override is not None:
        values["divisor"] = str(params.divisor_override)
    for name, value in params.options.items():
        if name == "weights":
            choice = state.get(_option_key(params.kind, "weights"), "gaussian")
            values[name] = choice if value is None or choice == "uniform" else (
                urlstate.format_weights(value)
            )
        elif isinstance(value, bool):
            values[name] = urlstate.format_bool(value)
        elif isinstance(value, float):
            values[name] = f"{value:g}"
        else:
            values[name] = str(value)
    return values


def _forget_url_warnings() -> None:
    st.session_state["p_url_warnings"] = []


# -- widgets --------------------------------------------------------------------------------------
def _number(label: str, key: str, lo, hi, step=1, **extra):
    persist(key, DEFAULTS[key])
    return st.number_input(
        label, min_value=lo, max_value=hi, step=step, key=key, on_change=_forget_url_warnings,
        **extra,
    )


def _pair(labels: tuple[str, str], keys: tuple[str, str], lo: int, hi: int):
    left, right = st.columns(2)
    with left:
        first = _number(labels[0], keys[0], lo, hi)
    with right:
        second = _number(labels[1], keys[1], lo, hi)
    return first, second


def _checkbox(label: str, key: str, **extra) -> bool:
    persist(key, DEFAULTS[key])
    return st.checkbox(label, key=key, on_change=_forget_url_warnings, **extra)


def _kind_option_widgets(kind: str) -> None:
    for name, default in pc.KIND_OPTIONS.get(kind, {}).items():
        key = _option_key(kind, name)
        if kind == "weighted" and name == "weights":
            persist(key, DEFAULTS[key])
            choice = st.radio(
                STRINGS["opt_weights"], WEIGHT_CHOICES, key=key, horizontal=True,
                format_func=STRINGS["weight_names"].get, on_change=_forget_url_warnings,
            )
            if choice == "typed":
                typed_key = _option_key(kind, "typed")
                persist(typed_key, DEFAULTS[typed_key])
                st.text_area(
                    STRINGS["opt_typed"], key=typed_key, height=90,
                    on_change=_forget_url_warnings, placeholder="1 2 1\n2 4 2\n1 2 1",
                )
        elif name == "p":
            _number(STRINGS["opt_p"], key, P_RANGE[0], P_RANGE[1], step=0.5, format="%g")
        elif name == "alpha":
            persist(key, DEFAULTS[key])
            st.slider(
                STRINGS["opt_alpha"], 0.0, 1.0, step=0.05, key=key,
                on_change=_forget_url_warnings,
            )
        elif name == "seed":
            _number(STRINGS["opt_seed"], key, 0, SEED_MAX)
        elif isinstance(default, bool):
            _checkbox(STRINGS.get(f"opt_{name}", name), key)
        elif isinstance(default, int):
            _number(STRINGS.get(f"opt_{name}", name), key, 0, SEED_MAX)
        elif isinstance(default, float):
            _number(STRINGS.get(f"opt_{name}", name), key, -1e6, 1e6, step=0.1, format="%g")


def _widgets() -> None:
    persist("p_kind", DEFAULTS["p_kind"])
    if st.session_state["p_kind"] not in pc.KINDS:
        st.session_state["p_kind"] = DEFAULTS["p_kind"]
    kind = st.selectbox(
        STRINGS["kind"], pc.KINDS, key="p_kind",
        format_func=lambda name: STRINGS["kind_names"].get(name, name),
        on_change=_forget_url_warnings,
    )
    _pair((STRINGS["kernel_h"], STRINGS["kernel_w"]), ("p_kernel_h", "p_kernel_w"), 1, KERNEL_MAX)
    if not _checkbox(STRINGS["stride_auto"], "p_stride_auto"):
        _pair((STRINGS["stride_h"], STRINGS["stride_w"]), ("p_stride_h", "p_stride_w"), 1,
              STRIDE_MAX)
    persist("p_pad_mode", DEFAULTS["p_pad_mode"])
    pad_mode = st.radio(
        STRINGS["padding"], PAD_MODES, key="p_pad_mode", horizontal=True,
        format_func=STRINGS["pad_modes"].get, help=STRINGS["pad_help"],
        on_change=_forget_url_warnings,
    )
    if pad_mode == "numbers":
        _pair((STRINGS["pad_h"], STRINGS["pad_w"]), ("p_pad_h", "p_pad_w"), 0, PAD_MAX)
    _pair((STRINGS["dil_h"], STRINGS["dil_w"]), ("p_dil_h", "p_dil_w"), 1, DILATION_MAX)
    _checkbox(STRINGS["ceil"], "p_ceil")
    _checkbox(
        STRINGS["cip"], "p_cip", help=STRINGS["cip_help"],
        disabled=kind not in PAD_COUNTING_KINDS or pad_mode != "numbers",
    )
    if kind in DIVISOR_KINDS and _checkbox(STRINGS["div_on"], "p_div_on"):
        _number(STRINGS["div"], "p_div", 1, DIVISOR_MAX)
    _kind_option_widgets(kind)


# -- the formula ----------------------------------------------------------------------------------
def _axis_latex(symbol: str, n: int | None, k: int, s: int, p, d: int, ceil: bool):
    """LaTeX lines for one axis, and a note when ceil mode dropped the last window.

    Small fractions (``\\tfrac``) keep the lines narrow enough for the sidebar.
    """
    out = rf"{symbol}_{{\text{{out}}}}"
    try:
        result = pc.output_size(n, k, s, p, d, ceil) if n is not None else None
    except pc.PoolingError:
        result = None
    note = None
    if p == "same":
        general = rf"\lceil \tfrac{{{symbol}}}{{s}} \rceil"
        numbers = rf"\lceil \tfrac{{{n}}}{{{s}}} \rceil"
    else:
        pad = 0 if p == "valid" else p
        left, right = (r"\lceil", r"\rceil") if ceil else (r"\lfloor", r"\rfloor")
        padding_term = "" if p == "valid" else " + 2p"
        general = rf"{left} \tfrac{{{symbol}{padding_term} - d(k-1) - 1}}{{s}} {right} + 1"
        padding_number = "" if p == "valid" else f" + {2 * pad}"
        numbers = rf"{left} \tfrac{{{n}{padding_number} - {d * (k - 1)} - 1}}{{{s}}} {right} + 1"
        if ceil and result is not None and n is not None:
            unclipped = -(-(n + 2 * pad - d * (k - 1) - 1) // s) + 1
            if unclipped == result + 1:
                numbers += " - 1"
                note = STRINGS["ceil_drop"].format(axis="height" if symbol == "H" else "width")
    if n is None:
        return rf"{out} &= {general}", note
    shown = rf"\text{{{STRINGS['formula_invalid']}}}" if result is None else str(result)
    return rf"{out} &= {general} \\ &= {numbers} = {shown}", note


def show_output_size(params: PoolParams, fm) -> None:
    """The output-size formula per axis, with the current numbers substituted."""
    height, width = (None, None) if fm is None else fm.data.shape[-2:]
    lines, notes = [], []
    for axis, symbol, n in ((0, "H", height), (1, "W", width)):
        pad = params.padding if isinstance(params.padding, str) else params.padding[axis]
        line, note = _axis_latex(
            symbol, None if n is None else int(n), params.kernel_size[axis], params.stride[axis],
            pad, params.dilation[axis], params.ceil_mode,
        )
        lines.append(line)
        if note:
            notes.append(note)
    st.markdown(f"**{STRINGS['formula_title']}**")
    st.latex(r"\small\begin{aligned}" + r" \\[6pt] ".join(lines) + r"\end{aligned}")
    st.caption(STRINGS["formula_legend"])
    for note in notes:
        st.caption(note)


# -- the panel ------------------------------------------------------------------------------------
def parameter_panel(fm) -> PoolParams | None:
    """Draw the parameter panel in the sidebar; the chosen parameters, or None when invalid.

    Parameters
    ----------
    fm : FeatureMap or None
        The current input (its height and width decide which windows are valid).

    Returns
    -------
    PoolParams or None
        None when the combination is invalid for ``fm``; an ``st.error`` then shows the engine's
        message, which names the nearest valid value. The page stays up.
    """
    warnings = read_url_once("p", URL_NAMES, lambda query: read_url(query, fm))
    with st.sidebar:
        st.header(STRINGS["title"])
        for warning in warnings:
            st.warning(warning)
        _widgets()
        params = params_from_state(st.session_state)
        problem = params if isinstance(params, str) else check_params(params, fm)
        if not isinstance(params, str):
            show_output_size(params, fm)
            urlstate.sync_query_params(url_values(params, st.session_state), URL_NAMES)
    if problem is not None:
        st.error(STRINGS["invalid"].format(message=problem))
        return None
    return params
