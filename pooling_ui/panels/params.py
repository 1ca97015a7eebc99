"""The parameter panel: kind, window, stride, padding, dilation and the kind's own options.

:func:`parameter_panel` draws the widgets in the sidebar, shows the output-size formula with the
current numbers (``st.latex``), mirrors every value in the URL, and returns a :class:`PoolParams`
— or ``None`` (with an ``st.error`` carrying the engine's message) when the combination is
invalid for the current input. No pooling maths happens here: validity and output sizes come
from :mod:`pooling_core`, and which widgets a kind gets comes from its traits and options
(:func:`pooling_core.kind_spec`), so a new kind needs nothing here.

Session-state keys (all start with ``p_``; set them in AppTest before ``run()`` to drive the
panel): ``p_kind``; ``p_kernel_h``/``p_kernel_w``; ``p_stride_auto`` (stride = kernel),
``p_stride_h``/``p_stride_w``; ``p_pad_mode`` (``"numbers"``, ``"same"``, ``"valid"``),
``p_pad_h``/``p_pad_w``; ``p_dil_h``/``p_dil_w``; ``p_ceil``; ``p_cip`` (count_include_pad);
``p_div_on``/``p_div`` (divisor_override); each kind's options ``p_opt_<kind>_<option>`` (e.g.
``p_opt_lp_p``, ``p_opt_mixed_alpha``, ``p_opt_stochastic_seed``, ``p_opt_stochastic_training``;
an option of type ``weights`` holds ``"gaussian"``/``"uniform"``/``"typed"``, with the typed rows
in ``p_opt_<kind>_typed``).

URL names: ``kind``, ``kernel`` (``3`` or ``3x2``), ``stride`` (absent: = kernel), ``padding``
(``1``, ``1x0``, ``same``, ``valid``), ``dilation``, ``ceil``, ``count_include_pad``, ``divisor``
(absent: none), and the options by their engine names (``p``, ``alpha``, ``seed``, ``training``,
``weights`` = ``gaussian``, ``uniform`` or rows ``1,2,1;2,4,2;1,2,1``). A bad value, or one that
does not fit the others, gives an ``st.warning`` and the default.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import streamlit as st

import pooling_core as pc
from pooling_ui.base import urlstate
from pooling_ui.base.i18n import Message, labeller, render, t
from pooling_ui.base.linkstate import Link
from pooling_ui.base.urlstate import UrlValueError

KERNEL_MAX = 64
STRIDE_MAX = 64
PAD_MAX = 32
DILATION_MAX = 16
DIVISOR_MAX = 10_000
PAD_MODES = ("numbers", "same", "valid")
WEIGHT_CHOICES = ("gaussian", "uniform", "typed")
OPTIONS = {(kind, option.name): option
           for kind in pc.KINDS for option in pc.kind_spec(kind).options}
OPTION_NAMES = tuple(dict.fromkeys(name for _, name in OPTIONS))

URL_NAMES = (
    "kind", "kernel", "stride", "padding", "dilation", "ceil", "count_include_pad", "divisor",
    *OPTION_NAMES,
)


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

    @property
    def spec(self) -> pc.Kind:
        """The kind's traits and options."""
        return pc.kind_spec(self.kind)

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
        return {name: np.asarray(value, dtype=np.float64)
                if OPTIONS[self.kind, name].type == "weights" and value is not None else value
                for name, value in self.options.items()}

    def kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``pc.pool2d``, ``pc.pool2d_backward`` and ``pc.explain``."""
        return {
            "kind": self.kind,
            **self.geometry_kwargs(),
            "count_include_pad": self.count_include_pad,
            "divisor_override": self.divisor_override,
            **self.engine_options(),
        }


# -- state ----------------------------------------------------------------------------------------
def option_key(kind: str, name: str) -> str:
    return f"p_opt_{kind}_{name}"


def _option_defaults() -> dict[str, Any]:
    defaults: dict[str, Any] = {}
    for (kind, name), option in OPTIONS.items():
        if option.type == "weights":
            defaults[option_key(kind, name)] = "gaussian"
            defaults[option_key(kind, "typed")] = ""
        else:
            defaults[option_key(kind, name)] = option.default
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
LINK = Link("p", URL_NAMES, DEFAULTS)


def _option_value(kind: str, option: pc.Option, value: dict, kernel: tuple[int, int]):
    """An option's engine value from the widget values; a Message when typed weights are not
    numbers."""
    stored = value[option_key(kind, option.name)]
    if option.type != "weights":
        return stored
    if stored == "uniform":
        return tuple((1.0,) * kernel[1] for _ in range(kernel[0]))
    if stored == "typed":
        typed = str(value[option_key(kind, "typed")])
        rows = urlstate.parse_weight_rows(typed)
        return Message("params.typed_bad", {"text": typed}) if rows is None else rows
    return None


def params_from_state(state) -> PoolParams | Message:
    """A :class:`PoolParams` from widget values (``st.session_state`` or a plain dict).

    Returns a :class:`~pooling_ui.base.i18n.Message` instead when typed weights cannot be read as
    numbers.
    """
    value = {key: state.get(key, default) for key, default in DEFAULTS.items()}
    kind = value["p_kind"]
    spec = pc.kind_spec(kind)
    kernel = (int(value["p_kernel_h"]), int(value["p_kernel_w"]))
    stride = kernel if value["p_stride_auto"] else (int(value["p_stride_h"]),
                                                    int(value["p_stride_w"]))
    padding = (
        (int(value["p_pad_h"]), int(value["p_pad_w"]))
        if value["p_pad_mode"] == "numbers" else value["p_pad_mode"]
    )
    options: dict[str, Any] = {}
    for option in spec.options:
        options[option.name] = _option_value(kind, option, value, kernel)
        if isinstance(options[option.name], Message):
            return options[option.name]
    divisor = int(value["p_div"]) if value["p_div_on"] and spec.takes_divisor else None
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


def check_params(params: PoolParams, fm) -> pc.PoolingError | None:
    """``None`` when ``params`` work on ``fm``'s input, else the engine's refusal.

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
        return error
    return None


# -- URL ------------------------------------------------------------------------------------------
def _read_kind(raw):
    return {"p_kind": urlstate.parse_choice(raw, pc.KINDS)}


def _read_kernel(raw):
    h, w = urlstate.parse_pair(raw, 1, KERNEL_MAX)
    return {"p_kernel_h": h, "p_kernel_w": w}


def _read_stride(raw):
    h, w = urlstate.parse_pair(raw, 1, STRIDE_MAX)
    return {"p_stride_auto": False, "p_stride_h": h, "p_stride_w": w}


def _read_padding(raw):
    padding = urlstate.parse_padding(raw, PAD_MAX)
    if isinstance(padding, str):
        return {"p_pad_mode": padding}
    return {"p_pad_mode": "numbers", "p_pad_h": padding[0], "p_pad_w": padding[1]}


def _read_dilation(raw):
    h, w = urlstate.parse_pair(raw, 1, DILATION_MAX)
    return {"p_dil_h": h, "p_dil_w": w}


def _read_ceil(raw):
    return {"p_ceil": urlstate.parse_bool(raw)}


def _read_cip(raw):
    return {"p_cip": urlstate.parse_bool(raw)}


def _read_divisor(raw):
    if str(raw).strip().lower() in ("none", "off", ""):
        return {"p_div_on": False}
    return {"p_div_on": True, "p_div": urlstate.parse_int(raw, 1, DIVISOR_MAX)}


def parse_option(raw, option: pc.Option):
    """A link value for ``option``, read by its type and offered range.

    Examples
    --------
    >>> parse_option("3", pc.kind_spec("lp").options[0])
    3.0
    >>> parse_option("maybe", pc.kind_spec("stochastic").options[1])
    Traceback (most recent call last):
    ...
    pooling_ui.base.urlstate.UrlValueError: expected true or false, got 'maybe'
    """
    if option.type == "bool":
        return urlstate.parse_bool(raw)
    if option.type == "weights":
        return urlstate.parse_weights(raw)
    low, high = option.offered_range
    if option.type == "int":
        return urlstate.parse_int(raw, int(low), int(high))
    return urlstate.parse_float(raw, low, high)


def _option_reader(name: str):
    """Reader of an option's URL name: it applies to every kind that has the option."""

    def read(raw):
        updates = {}
        for (kind, option_name), option in OPTIONS.items():
            if option_name != name:
                continue
            value = parse_option(raw, option)
            key = option_key(kind, name)
            if option.type == "weights" and not isinstance(value, str):
                updates[key] = "typed"
                updates[option_key(kind, "typed")] = "\n".join(
                    " ".join(f"{v:g}" for v in row) for row in value)
            else:
                updates[key] = value
        return updates

    return read


def _option_default_text(name: str) -> Message | str:
    option = next(option for (_, option_name), option in OPTIONS.items() if option_name == name)
    if option.type == "weights":
        return Message("params.default_weights")
    if option.type == "bool":
        return urlstate.format_bool(option.default)
    return f"{option.default:g}"


_URL_READERS = (
    ("kind", _read_kind, lambda: DEFAULTS["p_kind"]),
    ("kernel", _read_kernel, lambda: "2"),
    ("stride", _read_stride, lambda: Message("params.default_stride")),
    ("padding", _read_padding, lambda: "0"),
    ("dilation", _read_dilation, lambda: "1"),
    ("ceil", _read_ceil, lambda: "false"),
    ("count_include_pad", _read_cip, lambda: "true"),
    ("divisor", _read_divisor, lambda: Message("params.default_divisor")),
    *((name, _option_reader(name), lambda name=name: _option_default_text(name))
      for name in OPTION_NAMES),
)


def _problem(state: dict, fm) -> Message | pc.PoolingError | None:
    params = params_from_state(state)
    return params if isinstance(params, Message) else check_params(params, fm)


def read_url(query: dict[str, str], fm) -> tuple[dict[str, Any], list[Message]]:
    """Widget values from a query string, and a warning for each value not used.

    Values are applied one by one in a fixed order; one that cannot be parsed, or that makes a
    valid combination invalid for ``fm``, is left at its default with a warning that says why
    (the engine's message names the valid values).
    """
    state = dict(DEFAULTS)
    warnings: list[Message] = []
    for name, reader, default_text in _URL_READERS:
        if name not in query:
            continue
        raw = query[name]
        try:
            updates = reader(raw)
        except UrlValueError as error:
            warnings.append(Message("params.url_bad", {
                "name": name, "raw": raw, "reason": error.message, "default": default_text()}))
            continue
        candidate = {**state, **updates}
        reason = _problem(candidate, fm)
        if reason is not None and _problem(state, fm) is None:
            warnings.append(Message("params.url_misfit", {
                "name": name, "raw": raw, "reason": reason, "default": default_text()}))
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
        option = OPTIONS[params.kind, name]
        if option.type == "weights":
            choice = state.get(option_key(params.kind, name), "gaussian")
            values[name] = choice if value is None or choice == "uniform" else (
                urlstate.format_weights(value))
        elif option.type == "bool":
            values[name] = urlstate.format_bool(value)
        elif option.type == "float":
            values[name] = f"{value:g}"
        else:
            values[name] = str(value)
    return values


# -- widgets --------------------------------------------------------------------------------------
def _number(label: str, key: str, lo, hi, step=1, **extra):
    return st.number_input(
        label, min_value=lo, max_value=hi, step=step, key=LINK.seed(key), persist_state="session",
        on_change=LINK.forget, **extra,
    )


def _pair(labels: tuple[str, str], keys: tuple[str, str], lo: int, hi: int):
    left, right = st.columns(2)
    with left:
        first = _number(labels[0], keys[0], lo, hi)
    with right:
        second = _number(labels[1], keys[1], lo, hi)
    return first, second


def _checkbox(label: str, key: str, **extra) -> bool:
    return st.checkbox(label, key=LINK.seed(key), on_change=LINK.forget,
                       persist_state="session", **extra)


def _option_widget(kind: str, option: pc.Option) -> None:
    """The widget an option's type and range call for: a checkbox, a choice of weights, a slider
    for a bounded range, a number box otherwise."""
    key = option_key(kind, option.name)
    label, help_text = t(f"{option.help_key}.label"), t(f"{option.help_key}.help")
    if option.type == "bool":
        _checkbox(label, key, help=help_text)
    elif option.type == "weights":
        choice = st.radio(label, WEIGHT_CHOICES, key=LINK.seed(key), horizontal=True,
                          persist_state="session", format_func=labeller("params.weights."),
                          help=help_text,
                          on_change=LINK.forget)
        if choice == "typed":
            st.text_area(t("params.typed_weights"), key=LINK.seed(option_key(kind, "typed")),
                         persist_state="session", height=90, on_change=LINK.forget,
                         placeholder="1 2 1\n2 4 2\n1 2 1")
    elif option.type == "int":
        low, high = option.offered_range
        _number(label, key, int(low), int(high), help=help_text)
    elif option.minimum is not None and option.maximum is not None:
        st.slider(label, float(option.minimum), float(option.maximum), step=option.step,
                  key=LINK.seed(key), help=help_text, on_change=LINK.forget,
                  persist_state="session")
    else:
        low, high = option.offered_range
        _number(label, key, float(low), float(high), step=option.step or 0.1, format="%g",
                help=help_text)


def _widgets() -> None:
    if st.session_state.get("p_kind") not in pc.KINDS:
        st.session_state["p_kind"] = DEFAULTS["p_kind"]
    kind = st.selectbox(
        t("params.kind"), pc.KINDS, key="p_kind", persist_state="session",
        format_func=labeller("kinds.", ".label"), on_change=LINK.forget,
    )
    spec = pc.kind_spec(kind)
    _pair((t("params.kernel_h"), t("params.kernel_w")), ("p_kernel_h", "p_kernel_w"), 1,
          KERNEL_MAX)
    if not _checkbox(t("params.stride_auto"), "p_stride_auto"):
        _pair((t("params.stride_h"), t("params.stride_w")), ("p_stride_h", "p_stride_w"), 1,
              STRIDE_MAX)
    pad_mode = st.radio(
        t("params.padding"), PAD_MODES, key=LINK.seed("p_pad_mode"), horizontal=True,
        persist_state="session", format_func=labeller("params.pad_modes."),
        help=t("params.pad_help"), on_change=LINK.forget,
    )
    if pad_mode == "numbers":
        _pair((t("params.pad_h"), t("params.pad_w")), ("p_pad_h", "p_pad_w"), 0, PAD_MAX)
    _pair((t("params.dil_h"), t("params.dil_w")), ("p_dil_h", "p_dil_w"), 1, DILATION_MAX)
    _checkbox(t("params.ceil"), "p_ceil")
    _checkbox(t("params.cip"), "p_cip", help=t("params.cip_help"),
              disabled=not spec.counts_padding or pad_mode != "numbers")
    if spec.takes_divisor and _checkbox(t("params.div_on"), "p_div_on"):
        _number(t("params.div"), "p_div", 1, DIVISOR_MAX)
    for option in spec.options:
        _option_widget(kind, option)


# -- the formula ----------------------------------------------------------------------------------
def _axis_latex(symbol: str, n: int | None, k: int, s: int, p, d: int, ceil: bool):
    """LaTeX lines for one axis, and a note when ceil mode dropped the last window.

    Small fractions (``\\tfrac``) keep the lines narrow enough for the sidebar. No words go into
    the LaTeX (KaTeX has no fonts for every language): an empty output is a ∅ explained below.
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
                axis = "engine_axes.height" if symbol == "H" else "engine_axes.width"
                note = Message("params.ceil_drop", {"axis": Message(axis)})
    if n is None:
        return rf"{out} &= {general}", note, False
    shown = r"\varnothing" if result is None else str(result)
    return rf"{out} &= {general} \\ &= {numbers} = {shown}", note, result is None


def show_output_size(params: PoolParams, fm, in_hw: tuple[int, int] | None = None) -> None:
    """The output-size formula per axis, with the current numbers substituted: for the input
    ``fm``, or for a map of ``in_hw`` when a page pools something else (the Conv lesson pools
    a shrunk copy of a photo, after a convolution)."""
    height, width = (None, None) if fm is None else fm.data.shape[-2:]
    if in_hw is not None:
        height, width = in_hw
    lines, notes, empty = [], [], False
    for axis, symbol, n in ((0, "H", height), (1, "W", width)):
        pad = params.padding if isinstance(params.padding, str) else params.padding[axis]
        line, note, no_output = _axis_latex(
            symbol, None if n is None else int(n), params.kernel_size[axis], params.stride[axis],
            pad, params.dilation[axis], params.ceil_mode,
        )
        lines.append(line)
        empty = empty or no_output
        if note:
            notes.append(note)
    st.markdown(f"**{t('params.formula_title')}**")
    st.latex(r"\small\begin{aligned}" + r" \\[6pt] ".join(lines) + r"\end{aligned}")
    st.caption(t("params.formula_legend"))
    if empty:
        st.caption(t("params.formula_invalid"))
    for note in notes:
        st.caption(note.text())


# -- the panel ------------------------------------------------------------------------------------
# Session state: this run's slot of the sidebar's output-size formula (see formula_for_map).
FORMULA_SLOT_KEY = "params_formula_slot"


def formula_for_map(params: PoolParams, in_hw: tuple[int, int], note: str) -> None:
    """Redraw the sidebar's output-size formula for a map of ``in_hw`` that the page pools
    instead of the input, with ``note`` (already worded) under it. Call it from the page's own
    run, not from a fragment's (a fragment may not write outside itself)."""
    slot = st.session_state.get(FORMULA_SLOT_KEY)
    if slot is None:
        return
    with slot.container():
        show_output_size(params, None, in_hw)
        st.caption(note)


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
    warnings = LINK.read(lambda query: read_url(query, fm))
    with st.sidebar:
        st.header(t("params.title"))
        LINK.show(warnings)
        _widgets()
        params = params_from_state(st.session_state)
        problem = params if isinstance(params, Message) else check_params(params, fm)
        if not isinstance(params, Message):
            slot = st.empty()
            # kept for this run: a page that pools another map redraws the formula for it
            st.session_state[FORMULA_SLOT_KEY] = slot
            with slot.container():
                show_output_size(params, fm)
            LINK.write(url_values(params, st.session_state))
    if problem is not None:
        st.error(t("params.invalid", message=render(problem)))
        return None
    return params
