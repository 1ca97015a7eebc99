"""The "Shapes & code" lesson: output sizes, where each framework puts its windows, and code.

For the shared input and parameters the page shows, side by side, PyTorch's placement (numeric,
symmetric padding and ``ceil_mode``), TensorFlow's ``'SAME'`` (the odd padding cell at the
bottom/right) and ``'VALID'``: the output-size formula per axis with the numbers substituted, the
padding split, and the first and last window drawn over the grid (with the window floor mode
drops, dashed). For averages it compares the divisor of the corner windows under
``count_include_pad`` and under TensorFlow. Then a PyTorch and a TensorFlow program that
reproduce the current view (:mod:`pooling_ui.lessons.codegen`, from the recipes of
:mod:`pooling_core.lessons.frameworks`), and the seed article's TensorFlow example with its real
shape.

Session-state keys: ``shapes_torch`` (``"module"``: ``nn.MaxPool2d``; ``"functional"``:
``F.max_pool2d``), ``shapes_tf`` (``"nn"``: ``tf.nn``; ``"keras"``: Keras layers).

URL names: ``shapes_torch`` and ``shapes_tf``, with the same values; a bad value gives an
``st.warning`` and the default.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

import pooling_core as pc
from pooling_core.lessons import frameworks as fw
from pooling_ui.base import engine
from pooling_ui.base import profile as pf
from pooling_ui.base.i18n import Message, engine_message, labeller, t
from pooling_ui.base.linkstate import Link
from pooling_ui.base.urlstate import parse_choice, read_values
from pooling_ui.figures import grids as fg
from pooling_ui.lessons import codegen
from pooling_ui.panels.common import kind_name

URL_NAMES = ("shapes_torch", "shapes_tf")
DEFAULTS = {"shapes_torch": codegen.TORCH_STYLES[0], "shapes_tf": codegen.TF_STYLES[0]}
LINK = Link("shapes", URL_NAMES, DEFAULTS)
CHOICES = {"shapes_torch": codegen.TORCH_STYLES, "shapes_tf": codegen.TF_STYLES}
PANELS = ("pytorch", "same", "valid")
# Each panel's figure fits a third of the page; a bigger grid gets smaller cells.
PANEL_PX = 290
HEATMAP_MAX_SIDE = 32
# Dark enough (luminance under 0.067) that, with the white casing every window gets, each
# marker keeps ≥ 3:1 against any cell colour (pooling_ui.figures.CASING).
LAST_COLOR = "#0b3d91"
DROPPED_COLOR = "#333333"
SEED_CODE = "tf.nn.avg_pool(tf.random.normal([1, 3, 32, 32]), ksize=2, strides=2, padding='VALID')"
SEED_FIXED = (
    "import tensorflow as tf\n\n"
    "x = tf.random.normal([1, 3, 32, 32])          # meant as (N, C, H, W)\n"
    "x = tf.transpose(x, [0, 2, 3, 1])             # -> (1, 32, 32, 3): NHWC\n"
    "y = tf.nn.avg_pool(x, ksize=2, strides=2, padding='VALID')\n"
    "print(y.shape)                                # -> (1, 16, 16, 3)\n"
    "y = tf.transpose(y, [0, 3, 1, 2])             # back to NCHW: (1, 3, 16, 16)\n"
)


# -- URL ------------------------------------------------------------------------------------------
def read_url(query: dict[str, str]) -> tuple[dict, list[Message]]:
    """Widget values from the link and a warning for each value not used."""
    readers = {name: lambda raw, name=name: {name: parse_choice(raw, CHOICES[name])}
               for name in URL_NAMES}
    updates, warnings = read_values(query, readers, lambda name: repr(DEFAULTS[name]))
    return {**DEFAULTS, **updates}, warnings


# -- formulas -------------------------------------------------------------------------------------
def _torch_latex(symbol: str, plan: fw.AxisPlan, ceil: bool) -> str:
    left, right = (r"\lceil", r"\rceil") if ceil else (r"\lfloor", r"\rfloor")
    numerator = plan.n + 2 * plan.pad_lo - plan.dilation * (plan.kernel - 1) - 1
    rounded = -(-numerator // plan.stride) if ceil else numerator // plan.stride
    clip = " - 1" if rounded + 1 != plan.out else ""
    return (rf"{symbol}_{{\text{{out}}}} &= {left} \tfrac{{{symbol} + 2p - d(k-1) - 1}}{{s}} "
            rf"{right} + 1 \\ &= {left} \tfrac{{{plan.n} + {2 * plan.pad_lo} - "
            rf"{plan.dilation * (plan.kernel - 1)} - 1}}{{{plan.stride}}} {right} + 1{clip}"
            rf" = {plan.out}")


def _same_latex(symbol: str, plan: fw.AxisPlan) -> str:
    total = plan.pad_lo + plan.pad_hi
    return (rf"{symbol}_{{\text{{out}}}} &= \lceil \tfrac{{{symbol}}}{{s}} \rceil = "
            rf"\lceil \tfrac{{{plan.n}}}{{{plan.stride}}} \rceil = {plan.out} \\ "
            rf"p_{{{symbol}}} &= \max((\,{plan.out} - 1)\cdot {plan.stride} + {plan.span} - "
            rf"{plan.n},\ 0) = {total}")


def _valid_latex(symbol: str, plan: fw.AxisPlan) -> str:
    return (rf"{symbol}_{{\text{{out}}}} &= \lceil \tfrac{{{symbol} - d(k-1)}}{{s}} \rceil = "
            rf"\lceil \tfrac{{{plan.n} - {plan.span - 1}}}{{{plan.stride}}} \rceil = {plan.out}")


# -- panels ---------------------------------------------------------------------------------------
def _panel_padding(panel: str, params) -> tuple[tuple[int, int] | str, bool]:
    """The padding and ceil mode a panel shows: PyTorch keeps the user's numbers (0 when the
    user chose a TensorFlow padding), TensorFlow has no ceil mode."""
    if panel == "pytorch":
        numeric = params.padding if not isinstance(params.padding, str) else (0, 0)
        return numeric, params.ceil_mode if not isinstance(params.padding, str) else False
    return panel, False


def _panel_title(panel: str, padding, ceil: bool) -> str:
    if panel == "pytorch":
        flags = f"`padding={codegen._pair(padding)}`" + (", `ceil_mode=True`" if ceil else "")
        return f"**PyTorch** {flags}"
    return f"**TensorFlow** `padding='{panel.upper()}'`"


def _is_current(panel: str, params) -> bool:
    if isinstance(params.padding, str):
        return panel == params.padding
    return panel == "pytorch"


def _window_shapes(geometry: pc.Geometry, color: str, rows: int, cols: int,
                   dash: str | None = None) -> list[dict]:
    path = fg.window_path(geometry.row_taps[rows], geometry.col_taps[cols])
    return fg.marker_shapes(path, color=color, width=3, dash=dash, casing="#ffffff")


def placement_figure(plane: np.ndarray | None, geometry: pc.Geometry,
                     pads: tuple[tuple[int, int], tuple[int, int]], padding_label: str,
                     dropped: pc.Geometry | None = None) -> go.Figure:
    """The input grid with the padding a framework adds, its first window (red), its last (blue)
    and, dashed, the last window ceil mode would add (``dropped``)."""
    height, width = geometry.in_hw
    reach = (dropped or geometry).pad
    (top, bottom), (left, right) = reach
    fig = go.Figure()
    if plane is not None:
        fig.add_trace(fg.value_heatmap(plane, show_text=max(plane.shape) <= fg.TEXT_MAX_SIDE))
        fig.update_layout(coloraxis={"colorscale": pf.profile().colorscale, "showscale": False})
    shapes, traces = fg.padding_decorations(
        (height, width), reach, (pads[0][0], pads[1][0]), (pads[0][1], pads[1][1]),
        padding_label)
    if plane is None:
        shapes.append(fg.path_shape(fg.rect_path(0, 0, height, width), color="#555", width=1,
                                    fill="#f3f3f3", layer="below"))
    for trace in traces:
        fig.add_trace(trace)
    out_h, out_w = geometry.out_hw
    shapes.extend(_window_shapes(geometry, fg.WINDOW_COLOR, 0, 0))
    if (out_h, out_w) != (1, 1):
        shapes.extend(_window_shapes(geometry, LAST_COLOR, out_h - 1, out_w - 1))
    if dropped is not None:
        shapes.extend(_window_shapes(dropped, DROPPED_COLOR, dropped.out_hw[0] - 1,
                                     dropped.out_hw[1] - 1, dash="dash"))
    fig.update_layout(shapes=shapes)
    x_range = (-left - 0.2, width + right + 0.2)
    y_range = (-top - 0.2, height + bottom + 0.2)
    span = max(x_range[1] - x_range[0], 1)
    cell_px = int(np.clip(PANEL_PX / span, 1, pf.profile().cell_px_max))
    fg.grid_layout(fig, x_range, y_range, cell_px=cell_px, colorbar=False,
                   margin={"t": 8, "r": 8})
    return fig


def _padding_label(kind: str) -> str:
    value = pc.kind_spec(kind).padding_value
    return "" if value is None else fg.format_value(value)


def _panel(panel: str, fm, params, plane) -> None:
    padding, ceil = _panel_padding(panel, params)
    st.markdown(_panel_title(panel, padding, ceil))
    if _is_current(panel, params):
        st.caption(t("lesson_shapes.placement.current"))
    height, width = fm.data.shape[-2:]
    try:
        plans = [fw.axis_plan(n, params.kernel_size[a], params.stride[a],
                              padding if isinstance(padding, str) else padding[a],
                              params.dilation[a], ceil, where=("height", "width")[a])
                 for a, n in enumerate((height, width))]
        geometry = engine.geometry((height, width), {**params.geometry_kwargs(),
                                                     "padding": padding, "ceil_mode": ceil})
    except pc.PoolingError as error:
        st.warning(t("lesson_shapes.placement.refused", message=engine_message(error)))
        return
    if panel == "pytorch":
        lines = [_torch_latex(s, plan, ceil) for s, plan in zip("HW", plans, strict=True)]
    elif panel == "same":
        lines = [_same_latex(s, plan) for s, plan in zip("HW", plans, strict=True)]
    else:
        lines = [_valid_latex(s, plan) for s, plan in zip("HW", plans, strict=True)]
    st.latex(r"\small\begin{aligned}" + r" \\[4pt] ".join(lines) + r"\end{aligned}")
    rows, cols = plans
    st.caption(t("lesson_shapes.placement.pads", top=rows.pad_lo, bottom=rows.pad_hi,
                 left=cols.pad_lo, right=cols.pad_hi, out_h=rows.out, out_w=cols.out))
    dropped = None
    if panel == "pytorch" and not ceil and any(
            fw.floor_drops_window(n, params.kernel_size[a], params.stride[a], padding[a],
                                  params.dilation[a]) for a, n in enumerate((height, width))):
        dropped = engine.geometry((height, width), {**params.geometry_kwargs(),
                                                    "padding": padding, "ceil_mode": True})
        st.caption(t("lesson_shapes.placement.dropped"))
    if panel == "pytorch" and ceil and (rows.overhang or cols.overhang):
        st.caption(t("lesson_shapes.placement.overhang", rows=rows.overhang, cols=cols.overhang))
    if panel == "same" and (rows.pad_lo != rows.pad_hi or cols.pad_lo != cols.pad_hi):
        st.caption(t("lesson_shapes.placement.odd_cell"))
    pads = ((rows.pad_lo, rows.pad_hi), (cols.pad_lo, cols.pad_hi))
    figure = placement_figure(plane, geometry, pads, _padding_label(params.kind), dropped)
    st.plotly_chart(figure, width="content", key=f"shapes_figure_{panel}",
                    config={"displayModeBar": False})


def placement_section(fm, params) -> None:
    """PyTorch, TensorFlow 'SAME' and 'VALID' side by side for the same input."""
    st.header(t("lesson_shapes.placement.heading"))
    st.caption(t("lesson_shapes.placement.legend"))
    plane = fm.data[0] if max(fm.data.shape[-2:]) <= HEATMAP_MAX_SIDE else None
    for panel, column in zip(PANELS, st.columns(len(PANELS)), strict=True):
        with column, engine.view_guard(f"shapes_{panel}"):
            _panel(panel, fm, params, plane)


# -- averages -------------------------------------------------------------------------------------
def _formula_line(label: str, plane, out_index, kwargs) -> None:
    explanation = engine.explain(plane, out_index[0], out_index[1], kwargs)
    st.markdown(f"{label}: `{explanation.formula}`")
    if explanation.divisor_reason == "overhang":
        st.caption(t("lesson_shapes.averages.overhang"))


def averages_section(fm, params) -> None:
    """The divisors of the corner windows: count_include_pad both ways and TensorFlow's."""
    if params.kind != "avg":
        return
    st.header(t("lesson_shapes.averages.heading"))
    st.caption(t("lesson_shapes.averages.intro"))
    plane = np.ascontiguousarray(fm.data[0])
    base = {**params.kwargs(), "divisor_override": None}
    numeric = base["padding"] if not isinstance(base["padding"], str) else (0, 0)
    ceil = params.ceil_mode if not isinstance(params.padding, str) else False
    torch_kwargs = {**base, "padding": numeric, "ceil_mode": ceil}
    same_kwargs = {**base, "padding": "same", "ceil_mode": False}
    with engine.view_guard("shapes_averages"):
        corners = []
        for name, kwargs in (("torch", torch_kwargs), ("same", same_kwargs)):
            out_h, out_w = engine.geometry(plane.shape, {
                key: kwargs[key] for key in params.geometry_kwargs()}).out_hw
            corners.append((name, kwargs, ((0, 0), (out_h - 1, out_w - 1))))
        for name, kwargs, indices in corners:
            for index in indices:
                if name == "torch":
                    for counting in (True, False):
                        label = t("lesson_shapes.averages.torch",
                                  value="True" if counting else "False")
                        _formula_line(label, plane, index,
                                      {**kwargs, "count_include_pad": counting})
                else:
                    _formula_line(t("lesson_shapes.averages.tf"), plane, index, kwargs)
        if numeric == (0, 0) and not ceil:
            st.caption(t("lesson_shapes.averages.no_padding"))


# -- code -----------------------------------------------------------------------------------------
def _style_radio(key: str, label_key: str) -> str:
    st.session_state.setdefault(key, DEFAULTS[key])
    return st.radio(t(label_key), CHOICES[key], key=key, horizontal=True,
                    format_func=labeller(f"lesson_shapes.code_styles.{key}."),
                    on_change=LINK.forget, persist_state="session")


def _method_note(recipe: fw.Recipe, kind: str) -> None:
    if recipe.method == "none":
        st.info(t(f"lesson_shapes.none.{recipe.reason}", kind=kind_name(kind)))
    else:
        st.caption(t(f"lesson_shapes.method.{recipe.framework}.{recipe.method}"))


def code_section(fm, params) -> None:
    """A PyTorch and a TensorFlow program that reproduce the current view."""
    st.header(t("lesson_shapes.code_heading"))
    st.caption(t("lesson_shapes.code_intro", side=codegen.LITERAL_MAX_SIDE))
    kwargs = params.kwargs()
    programs = (
        (fw.TORCH, "**PyTorch** (NCHW)", "shapes_torch", "lesson_shapes.torch_style",
         codegen.torch_code, None),
        (fw.TF, "**TensorFlow / Keras** (NHWC)", "shapes_tf", "lesson_shapes.tf_style",
         codegen.tf_code, "lesson_shapes.tf_check"),
    )
    for column, (framework, heading, key, style_label, write, note) in zip(
            st.columns(len(programs)), programs, strict=True):
        with column, engine.view_guard(f"{key}_code"):
            st.markdown(heading)
            style = _style_radio(key, style_label)
            recipe = fw.recipe(framework, fm.data.shape[-2:], **kwargs)
            _method_note(recipe, params.kind)
            code = write(fm.data, recipe, style)
            if code is not None:
                st.code(code, language="python", wrap_lines=True)
                if note is not None:
                    st.caption(t(note))


# -- the seed's example ---------------------------------------------------------------------------
def seed_example() -> None:
    """The seed article's TensorFlow line, the shape it really gives, and why."""
    with st.expander(t("lesson_shapes.seed.heading")):
        st.code(SEED_CODE, language="python", wrap_lines=True)
        got = fw.nhwc_output_shape((1, 3, 32, 32), 2, 2, "VALID")
        meant = fw.nchw_output_shape((1, 3, 32, 32), 2, 2)
        st.markdown(t("lesson_shapes.seed.why", got=str(got), meant=str(meant)))
        st.code(SEED_FIXED, language="python", wrap_lines=True)


def shapes_view(fm, params) -> None:
    """The whole page."""
    warnings = LINK.read(read_url)
    LINK.show(warnings)
    placement_section(fm, params)
    averages_section(fm, params)
    code_section(fm, params)
    seed_example()
    LINK.write({name: st.session_state.get(name, DEFAULTS[name]) for name in URL_NAMES})
