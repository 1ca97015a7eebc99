"""The "Conv → ReLU → pool" lesson: one or two stages of a CNN and an output cell's receptive field.

The input is the shared feature map: one plane of it (a grid's only channel; for an RGB photo
the luma ``0.299 R + 0.587 G + 0.114 B`` or one channel). A photo whose longer side exceeds
:data:`LESSON_MAX_SIDE` is first shrunk by an ``f × f`` average pooling (``f`` the smallest
integer that brings it within), said on screen, so that a 12-megapixel photo costs the lesson
what a 384-pixel one does and the receptive field stays big enough to see.

Each stage is a 3×3 filter (:data:`pooling_core.FILTERS`, or typed), convolution with stride 1
(and zero padding 1 when "keep the size" is on), ReLU (a toggle shared by both stages) and the
sidebar's pooling (``params.kwargs()``). The second stage is on by default. Every intermediate
map is shown with its shape (heatmaps with numbers while small, images when big), and the
receptive field of a chosen cell of the last map (:func:`pooling_core.receptive_field`) is drawn
on each map, with ``r`` worked out in the formula.

Session-state keys (all start with ``conv_``): ``conv_channel`` (``"luma"`` or a channel name,
RGB inputs only), ``conv_filter``/``conv_filter2`` (a key of ``pc.FILTERS`` or ``"typed"``),
``conv_typed``/``conv_typed2`` (the typed 3×3 text), ``conv_relu``, ``conv_pad``,
``conv_second`` (the second stage), ``conv_cell_row``/``conv_cell_col`` (the picked cell of
the last map), ``conv_map_last`` (the last map's figure: a click picks a cell).

URL names: ``conv_filter``, ``conv_filter2`` (a filter's name, or typed rows ``1,0,-1;2,0,-2;
1,0,-1``), ``conv_relu``, ``conv_pad`` (``true``/``false``), ``conv_stages`` (``1`` or ``2``),
``conv_cell`` (``row,col``), ``conv_channel`` (``luma``, ``R``, ``G``, ``B``). A bad value
gives an ``st.warning`` and the default.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import streamlit as st

import pooling_core as pc
from pooling_ui.base import engine, urlstate
from pooling_ui.base import profile as pf
from pooling_ui.base.caching import cache_data, cache_resource, cached_figure
from pooling_ui.base.i18n import Message, engine_message, labeller, t
from pooling_ui.base.linkstate import Link
from pooling_ui.base.urlstate import UrlValueError
from pooling_ui.data.images import rgb_to_gray, to_display_uint8
from pooling_ui.figures import grids as fg
from pooling_ui.figures.pictures import outline_pixels
from pooling_ui.panels.common import clicked_cell, shape_text
from pooling_ui.panels.params import formula_for_map

LESSON_MAX_SIDE = 384
# Maps up to this side are heatmaps (numbers printed while they fit); bigger ones are images.
HEATMAP_MAX_SIDE = 64
# The last map is a clickable heatmap up to this side, a photo's too (one marker a cell).
PICK_MAX_SIDE = 96
# Session state: the key of the input the picked cell was placed for; and the size of
# the first pooling's input the sidebar's formula was drawn for.
CELL_FOR_KEY = "conv_cell_for"
FORMULA_FOR_KEY = "conv_formula_for"
FILTER_CHOICES = (*pc.FILTERS, "typed")
FILTER_SIZE = 3
MAP_PX = 300
IMAGE_PX = 240
REGION_COLOR = fg.WINDOW_COLOR
CELL_COLOR = fg.WINNER_COLOR
# The region's frame on a big map's grey picture (no casing there: it is not drawn over cells).
PICTURE_REGION_COLOR = fg.RED
DEFAULTS = {
    "conv_channel": "luma",
    "conv_filter": "sobel_x",
    "conv_filter2": "gaussian",
    "conv_typed": "1 0 -1\n2 0 -2\n1 0 -1",
    "conv_typed2": "0 1 0\n1 -4 1\n0 1 0",
    "conv_relu": True,
    "conv_pad": True,
    "conv_second": True,
    "conv_cell_row": 0,
    "conv_cell_col": 0,
}
URL_NAMES = ("conv_filter", "conv_filter2", "conv_relu", "conv_pad", "conv_stages", "conv_cell",
             "conv_channel")
LINK = Link("conv", URL_NAMES, DEFAULTS)
CELL_MAX = 100_000


# -- typed filters ----------------------------------------------------------------------------
class FilterTextError(ValueError):
    """A typed filter that is not 3 rows of 3 numbers; :attr:`message` says where."""

    def __init__(self, key: str, **fields):
        self.message = Message(f"lesson_conv.{key}", fields)
        super().__init__(self.message.text("en"))


def parse_filter_text(text: str) -> np.ndarray:
    """3 rows of 3 numbers (rows on lines or split by ``;``, numbers by spaces or commas).

    Examples
    --------
    >>> parse_filter_text("1 0 -1\\n2, 0, -2; 1 0 -1")[1].tolist()
    [2.0, 0.0, -2.0]
    >>> parse_filter_text("1 0 x\\n0 0 0\\n0 0 0")
    Traceback (most recent call last):
    ...
    pooling_ui.lessons.conv.FilterTextError: row 1, column 3: 'x' is not a number
    """
    lines = [line for line in str(text).replace(";", "\n").splitlines() if line.strip()]
    if len(lines) != FILTER_SIZE:
        raise FilterTextError("typed_rows", n=FILTER_SIZE, rows=len(lines))
    rows = []
    for row, line in enumerate(lines, start=1):
        cells = line.replace(",", " ").split()
        if len(cells) != FILTER_SIZE:
            raise FilterTextError("typed_cols", n=FILTER_SIZE, row=row, cols=len(cells))
        values = []
        for col, cell in enumerate(cells, start=1):
            try:
                value = float(cell)
            except ValueError:
                raise FilterTextError("typed_cell", row=row, col=col, text=cell) from None
            if not np.isfinite(value):
                raise FilterTextError("typed_cell", row=row, col=col, text=cell)
            values.append(value)
        rows.append(values)
    return np.array(rows, dtype=np.float64)


def format_filter(weights: np.ndarray) -> str:
    """Rows ``1,0,-1;2,0,-2;1,0,-1`` for the URL (the inverse of :func:`parse_filter_text`)."""
    return ";".join(",".join(f"{value:g}" for value in row) for row in weights)


# -- the link ----------------------------------------------------------------------------------
def _read_filter(number: str):
    def read(text):
        value = str(text).strip()
        if value.lower() in pc.FILTERS:
            return {f"conv_filter{number}": value.lower()}
        try:
            weights = parse_filter_text(value)
        except FilterTextError as error:
            raise UrlValueError("not_choice", choices=", ".join(pc.FILTERS),
                                text=value) from error
        return {f"conv_filter{number}": "typed",
                f"conv_typed{number}": "\n".join(" ".join(f"{v:g}" for v in row)
                                                 for row in weights)}
    return read


def _read_stages(text):
    return {"conv_second": urlstate.parse_int(text, 1, 2) == 2}


def _read_cell(text):
    row, col = urlstate.parse_pair(text, 0, CELL_MAX)
    return {"conv_cell_row": row, "conv_cell_col": col}


def _read_channel(text):
    return {"conv_channel": urlstate.parse_choice(text, ("luma", "r", "g", "b")).upper()
            .replace("LUMA", "luma")}


_URL_READERS = {
    "conv_filter": (_read_filter(""), lambda: DEFAULTS["conv_filter"]),
    "conv_filter2": (_read_filter("2"), lambda: DEFAULTS["conv_filter2"]),
    "conv_relu": (lambda text: {"conv_relu": urlstate.parse_bool(text)}, lambda: "true"),
    "conv_pad": (lambda text: {"conv_pad": urlstate.parse_bool(text)}, lambda: "true"),
    "conv_stages": (_read_stages, lambda: "2"),
    "conv_cell": (_read_cell, lambda: "0,0"),
    "conv_channel": (_read_channel, lambda: "luma"),
}


def read_url(query: dict[str, str]) -> tuple[dict, list[Message]]:
    """Session-state values from the link, and a warning for each value not used."""
    return urlstate.read_values(
        query, {name: reader for name, (reader, _) in _URL_READERS.items()},
        lambda name: _URL_READERS[name][1]())


def url_values(state) -> dict[str, str]:
    """The query-string values that reproduce the lesson's widgets."""
    values = {}
    for number in ("", "2"):
        choice = state.get(f"conv_filter{number}", DEFAULTS[f"conv_filter{number}"])
        if choice == "typed":
            try:
                choice = format_filter(parse_filter_text(state.get(f"conv_typed{number}", "")))
            except FilterTextError:
                continue  # a half-typed filter is not put in the link
        values[f"conv_filter{number}"] = choice
    values["conv_relu"] = urlstate.format_bool(bool(state.get("conv_relu", True)))
    values["conv_pad"] = urlstate.format_bool(bool(state.get("conv_pad", True)))
    values["conv_stages"] = "2" if state.get("conv_second", True) else "1"
    row, col = int(state.get("conv_cell_row", 0)), int(state.get("conv_cell_col", 0))
    values["conv_cell"] = f"{row},{col}"
    if "conv_channel" in state and state["conv_channel"] != "luma":
        values["conv_channel"] = state["conv_channel"]
    return values


# -- the computation (all of it in pooling_core) -------------------------------------------------
@dataclass(frozen=True)
class Lesson:
    """The maps of one run and the stack that made them.

    ``maps`` are ``(kind, stage, values)`` with kind ``"input"``, ``"conv"``, ``"relu"`` or
    ``"pool"``; ``region_index`` gives for each map its entry in the receptive field's regions.
    ``failed`` is ``(stage, PoolingError)`` when a stage could not be computed.
    """

    maps: tuple
    region_index: tuple
    layers: tuple
    failed: tuple | None


@cache_resource(8)
def _photo_plane(data_key: str, _data: np.ndarray, channel: int | None, factor: int):
    plane = rgb_to_gray(_data)[0] if channel is None else _data[channel]
    if factor > 1:
        plane = pc.pool2d(plane, "avg", factor)
    plane = np.ascontiguousarray(plane, dtype=np.float32)
    plane.setflags(write=False)
    return plane


def shrink_factor(hw: tuple[int, int], is_photo: bool) -> int:
    """``f`` of the ``f × f`` average pooling that brings a photo's longer side within
    :data:`LESSON_MAX_SIDE` (1: used as it is).

    Examples
    --------
    >>> shrink_factor((3000, 4000), True), shrink_factor((256, 256), True)
    (11, 1)
    """
    if not is_photo:
        return 1
    return max(1, -(-max(hw) // LESSON_MAX_SIDE))


def lesson_plane(fm, channel: str) -> tuple[np.ndarray, int]:
    """The plane the lesson works on, and the shrink factor applied to it."""
    data = fm.data
    index = None if data.shape[0] == 1 or channel == "luma" else fm.channel_names.index(channel)
    if data.shape[0] == 1:
        index = 0
    factor = shrink_factor(data.shape[-2:], fm.is_photo)
    if fm.key:
        return _photo_plane(fm.key, data, index, factor), factor
    plane = rgb_to_gray(data)[0] if index is None else data[index]
    if factor > 1:
        plane = pc.pool2d(plane, "avg", factor)
    return np.ascontiguousarray(plane, dtype=np.float32), factor


@cache_data(16)
def run_lesson(plane: np.ndarray, filters: tuple, relu: bool, conv_padding: int,
               pool_kwargs: dict) -> Lesson:
    """Every map of the stages; stops at the first stage the engine refuses."""
    maps = [("input", 0, plane)]
    region_index = [0]
    layers = []
    failed = None
    current = plane
    for stage, weights in enumerate(filters, start=1):
        try:
            conv = pc.conv2d(current, np.asarray(weights), padding=conv_padding)
            rectified = pc.relu(conv) if relu else conv
            pooled = pc.pool2d(rectified, **pool_kwargs)
            geometry = pc.window_geometry(rectified.shape, **_geometry_kwargs(pool_kwargs))
        except pc.PoolingError as error:
            failed = (stage, error)
            break
        layers.append(pc.Layer(FILTER_SIZE, 1, conv_padding, 1))
        maps.append(("conv", stage, conv))
        region_index.append(len(layers))
        if relu:
            maps.append(("relu", stage, rectified))
            region_index.append(len(layers))
        # the padding before the first cell, as the engine placed the first window
        pad_lo = (-int(geometry.row_taps[0][0]), -int(geometry.col_taps[0][0]))
        layers.append(pc.Layer(pool_kwargs["kernel_size"], pool_kwargs["stride"], pad_lo,
                               pool_kwargs["dilation"]))
        maps.append(("pool", stage, pooled))
        region_index.append(len(layers))
        current = pooled
    return Lesson(tuple(maps), tuple(region_index), tuple(layers), failed)


def _geometry_kwargs(pool_kwargs: dict) -> dict:
    names = ("kernel_size", "stride", "padding", "dilation", "ceil_mode")
    return {name: pool_kwargs[name] for name in names if name in pool_kwargs}


# -- figures -----------------------------------------------------------------------------------
def map_title(kind: str, stage: int, shape) -> str:
    return t(f"lesson_conv.maps.{kind}", stage=stage, shape=shape_text(shape))


def map_figure(values: np.ndarray, title: str, region, cell=None, pickable: bool = False,
               max_px: int = MAP_PX) -> go.Figure:
    """A heatmap of one map, its receptive-field region (dashed where it lies in padding) and,
    on the last map, the picked cell and a transparent scatter to click a cell with."""
    height, width = values.shape
    (top, bottom), (left, right) = region
    fig = go.Figure(fg.value_heatmap(values, name="map"))
    shapes = [fg.path_shape(fg.rect_path(0, 0, height, width), color=fg.FRAME_COLOR, width=1.5)]
    inside = pc.lessons.receptive.clip(region, (height, width))
    outside = (top, bottom, left, right) != (
        (inside[0][0], inside[0][1], inside[1][0], inside[1][1]) if inside else ())
    if outside:
        shapes.extend(fg.marker_shapes(fg.rect_path(top, left, bottom + 1, right + 1),
                                       color=REGION_COLOR, width=2, dash="dot"))
    if inside:
        (r0, r1), (c0, c1) = inside
        shapes.extend(fg.marker_shapes(fg.rect_path(r0, c0, r1 + 1, c1 + 1), color=REGION_COLOR,
                                       width=3))
    if cell is not None:
        shapes.extend(fg.marker_shapes(fg.rect_path(cell[0], cell[1], cell[0] + 1, cell[1] + 1),
                                       color=CELL_COLOR, width=3))
    fig.update_layout(
        shapes=shapes, annotations=[fg.label_annotation(title, min(0, left), 1, yref="paper")],
        coloraxis={"colorscale": pf.profile().colorscale}, clickmode="event+select", dragmode=False,
    )
    x_range = (min(0, left), max(width, right + 1))
    y_range = (min(0, top), max(height, bottom + 1))
    cell_px = fg.grid_layout(fig, x_range, y_range, max_width_px=max_px, colorbar=False,
                             min_width_px=min(max_px, 160))
    if pickable:
        fig.add_trace(fg.pick_trace(height, width, cell_px, t("lesson_conv.pick_hover") + " "))
    return fig


def map_picture(values: np.ndarray, region, cell=None) -> np.ndarray:
    """An RGB picture of a big map (grey levels over its own range) with the region's part
    inside the map outlined, and the picked cell: frames round them, so that the cells stay in
    sight, thicker on a bigger map (it is shrunk to fit its column)."""
    gray = to_display_uint8(values, value_range=fg.finite_range(values), step=1).pixels
    rgb = np.repeat(gray[..., None], 3, axis=2)
    thickness = max(1, round(max(values.shape) / 150))
    inside = pc.lessons.receptive.clip(region, values.shape)
    if inside:
        (top, bottom), (left, right) = inside
        rgb = outline_pixels(rgb, (top, left, bottom + 1, right + 1), colour=PICTURE_REGION_COLOR,
                             width=thickness, inside=False)
    if cell is not None:
        rgb = outline_pixels(rgb, (cell[0], cell[1], cell[0] + 1, cell[1] + 1),
                             colour=CELL_COLOR, width=thickness, inside=False)
    return rgb


def matrix_latex(weights: np.ndarray) -> str:
    """A filter as a LaTeX matrix, its numbers rounded to three significant digits."""
    rows = [" & ".join(f"{value:.3g}" for value in row) for row in np.asarray(weights)]
    return r"\begin{bmatrix}" + r" \\ ".join(rows) + r"\end{bmatrix}"


def receptive_latex(rf: pc.ReceptiveField, layers, axis: int, symbol: str) -> str:
    """``r`` and the jump along one axis, the formula with this stack's numbers."""
    terms = [rf"{k_minus_one}\cdot{jump}" for k_minus_one, jump in
             (layer_terms[axis] for layer_terms in rf.terms)]
    strides = r" \cdot ".join(str(layer.stride[axis]) for layer in layers) or "1"
    sum_text = " + ".join(["1", *terms])
    sub = f"_{{{symbol}}}" if symbol else ""
    return (rf"r{sub} &= 1 + \sum_{{l}} (k^{{\mathrm{{eff}}}}_l - 1)\prod_{{i<l}} s_i"
            rf" = {sum_text} = {rf.size[axis]} \\ "
            rf"J{sub} &= \prod_l s_l = {strides} = {rf.jump[axis]}")


# -- the Streamlit view ------------------------------------------------------------------------
def _filter_widget(number: str, stage: int) -> np.ndarray | None:
    """The filter of one stage: a classic one, or typed (None, with a message, when the typed
    text is not 3 rows of 3 numbers; the text stays as typed)."""
    choice = st.selectbox(t("lesson_conv.filter", stage=stage), FILTER_CHOICES,
                          key=LINK.seed(f"conv_filter{number}"), persist_state="session",
                          format_func=labeller("lesson_conv.filters."),
                          on_change=LINK.forget)
    if choice == "typed":
        text = st.text_area(t("lesson_conv.typed", n=FILTER_SIZE),
                            key=LINK.seed(f"conv_typed{number}"), persist_state="session",
                            height=100, on_change=LINK.forget,
                            help=t("lesson_conv.typed_help"))
        try:
            weights = parse_filter_text(text)
        except FilterTextError as error:
            st.error(t("lesson_conv.typed_bad", stage=stage, reason=error.message.text()))
            return None
    else:
        weights = pc.FILTERS[choice]
        st.caption(t(f"lesson_conv.filter_notes.{choice}"))
    st.latex(matrix_latex(weights))
    return weights


def _controls(fm) -> tuple[list, bool, bool, str]:
    first, second, common = st.columns(3, gap="medium")
    with common:
        relu = st.toggle(t("lesson_conv.relu"), key=LINK.seed("conv_relu"), persist_state="session",
                         on_change=LINK.forget, help=t("lesson_conv.relu_help"))
        pad = st.toggle(t("lesson_conv.pad"), key=LINK.seed("conv_pad"), persist_state="session",
                        on_change=LINK.forget, help=t("lesson_conv.pad_help"))
        channel = "luma"
        if fm.data.shape[0] > 1:
            options = ("luma", *fm.channel_names)
            if st.session_state.get("conv_channel") not in options:
                st.session_state["conv_channel"] = "luma"
            channel = st.radio(t("lesson_conv.channel"), options, key=LINK.seed("conv_channel"),
                               persist_state="session", on_change=LINK.forget,
                               format_func=labeller("lesson_conv.channels."), horizontal=True)
    with first:
        st.markdown(f"**{t('lesson_conv.stage', stage=1)}**")
        filters = [_filter_widget("", 1)]
    with second:
        on = st.toggle(t("lesson_conv.second"), key=LINK.seed("conv_second"),
                       persist_state="session", on_change=LINK.forget)
        if on:
            filters.append(_filter_widget("2", 2))
    usable = []
    for weights in filters:
        if weights is None:
            break
        usable.append(tuple(map(tuple, np.asarray(weights, dtype=np.float64))))
    return usable, relu, pad, channel


def _pick_callback(out_w: int) -> None:
    """Turn a click on a cell of the last map into the picked row and column."""
    cell = clicked_cell(st.session_state.get("conv_map_last"), out_w)
    if cell is not None:
        st.session_state["conv_cell_row"], st.session_state["conv_cell_col"] = cell
        LINK.forget()


def _cell_input(label: str, size: int, key: str) -> int:
    """A number box for an index in ``[0, size)``, its stored value kept in range (the middle
    of the map when there is none: a field there lies on the picture, not off its corner)."""
    st.session_state[key] = int(np.clip(st.session_state.get(key, size // 2), 0, size - 1))
    return int(st.number_input(label, 0, max(size - 1, 0), step=1, key=key,
                               persist_state="session", on_change=LINK.forget))


def lesson_view(fm, params) -> None:
    """The whole lesson page below its heading."""
    warnings = LINK.read(read_url)
    LINK.show(warnings)
    _sidebar_formula(fm, params)
    _lesson_fragment(fm, params)


def first_pool_input(fm) -> tuple[tuple[int, int], int]:
    """The size of the map the first pooling works on (the convolution of the lesson's plane:
    as big with padding, 2 smaller without) and the photo's shrink factor."""
    plane, factor = lesson_plane(fm, st.session_state.get("conv_channel", "luma")
                                 if fm.data.shape[0] > 1 else "luma")
    shrink = 0 if st.session_state.get("conv_pad", DEFAULTS["conv_pad"]) else FILTER_SIZE - 1
    return (plane.shape[0] - shrink, plane.shape[1] - shrink), factor


def _sidebar_formula(fm, params) -> None:
    """The sidebar's output-size formula, about the map this page pools first."""
    if fm is None or params is None:
        return
    in_hw, factor = first_pool_input(fm)
    st.session_state[FORMULA_FOR_KEY] = in_hw
    if in_hw == tuple(fm.data.shape[-2:]):
        return
    height, width = fm.data.shape[-2:]
    note = (t("lesson_conv.formula_shrunk", h=height, w=width, f=factor, map_h=in_hw[0],
              map_w=in_hw[1]) if factor > 1 else
            t("lesson_conv.formula_conv", map_h=in_hw[0], map_w=in_hw[1]))
    formula_for_map(params, in_hw, note)


@st.fragment
def _lesson_fragment(fm, params) -> None:
    with engine.view_guard("conv lesson"):
        filters, relu, pad, channel = _controls(fm)
        plane, factor = lesson_plane(fm, channel)
        if st.session_state.get(FORMULA_FOR_KEY) not in (None, first_pool_input(fm)[0]):
            st.rerun()  # the whole page: the sidebar's formula is about another size now
        if factor > 1:
            height, width = fm.data.shape[-2:]
            st.info(t("lesson_conv.shrunk", h=height, w=width, f=factor,
                      small_h=plane.shape[0], small_w=plane.shape[1]))
        lesson = run_lesson(plane, tuple(filters), relu, 1 if pad else 0, params.kwargs())
        _maps_and_field(fm, lesson, factor)
    LINK.write(url_values(st.session_state))


def _maps_and_field(fm, lesson: Lesson, factor: int) -> None:
    if lesson.failed:
        stage, error = lesson.failed
        st.error(t("lesson_conv.stage_failed", stage=stage, message=engine_message(error)))
    last_values = lesson.maps[-1][2]
    out_h, out_w = last_values.shape
    big = fm.is_photo or max(lesson.maps[0][2].shape) > HEATMAP_MAX_SIDE
    placed_for = fm.key
    if st.session_state.get(CELL_FOR_KEY, placed_for) != placed_for:
        # another input: the cell goes back to the middle of its last map (a stage turned on or
        # off keeps the cell the user picked)
        st.session_state["conv_cell_row"], st.session_state["conv_cell_col"] = \
            out_h // 2, out_w // 2
    st.session_state[CELL_FOR_KEY] = placed_for
    st.header(t("lesson_conv.maps_heading"))
    picker, _ = st.columns([2, 3])
    with picker:
        st.markdown(t("lesson_conv.pick", shape=shape_text((out_h, out_w))))
        row_column, col_column = st.columns(2)
        with row_column:
            row = _cell_input(t("lesson_conv.pick_row"), out_h, "conv_cell_row")
        with col_column:
            col = _cell_input(t("lesson_conv.pick_col"), out_w, "conv_cell_col")
    rf = pc.receptive_field(lesson.layers, (row, col))
    stages = [[]]
    for index, (kind, stage, values) in enumerate(lesson.maps):
        if stage >= len(stages):
            stages.append([])
        stages[stage].append((index, kind, values))
    last = len(lesson.maps) - 1
    for stage, entries in enumerate(stages):
        if stage:
            st.markdown(f"**{t('lesson_conv.stage', stage=stage)}**")
        container = st.container(horizontal=True, gap="medium")
        for index, kind, values in entries:
            region = rf.regions[lesson.region_index[index]]
            title = map_title(kind, stage, values.shape)
            cell = (row, col) if index == last else None
            pickable = index == last and max(values.shape) <= PICK_MAX_SIDE
            with container:
                if not pickable and (big or max(values.shape) > HEATMAP_MAX_SIDE):
                    st.image(map_picture(values, region, cell), caption=title,
                             width=IMAGE_PX if index else IMAGE_PX + 120)
                else:
                    figure = cached_figure(map_figure, values, title, region, cell,
                                           index == last, MAP_PX if index else MAP_PX + 120)
                    if index == last:
                        st.plotly_chart(figure, width="content", key="conv_map_last",
                                        on_select=lambda: _pick_callback(out_w),
                                        selection_mode="points",
                                        config={"displayModeBar": False})
                    else:
                        st.plotly_chart(figure, width="content", key=f"conv_map_{index}",
                                        config={"displayModeBar": False})
    if len(lesson.maps) > 1 and max(last_values.shape) <= PICK_MAX_SIDE:
        st.caption(t("lesson_conv.click_hint"))
    _field_text(rf, lesson.layers, lesson.maps[0][2].shape, (row, col), factor)


def _field_text(rf: pc.ReceptiveField, layers, in_hw, cell, factor: int) -> None:
    st.header(t("lesson_conv.field_heading"))
    (top, bottom), (left, right) = rf.input_region
    st.markdown(t("lesson_conv.field", row=cell[0], col=cell[1], top=top, bottom=bottom,
                  left=left, right=right, r_h=rf.size[0], r_w=rf.size[1]))
    same_axes = all(layer.kernel[0] == layer.kernel[1] and layer.stride[0] == layer.stride[1]
                    and layer.dilation[0] == layer.dilation[1] for layer in layers)
    lines = [receptive_latex(rf, layers, 0, "")] if same_axes else [
        receptive_latex(rf, layers, 0, "H"), receptive_latex(rf, layers, 1, "W")]
    st.latex(r"\begin{aligned}" + r" \\[6pt] ".join(lines) + r"\end{aligned}")
    st.caption(t("lesson_conv.field_legend"))
    inside = pc.lessons.receptive.clip(rf.input_region, in_hw)
    if inside != rf.input_region:
        st.caption(t("lesson_conv.field_padding"))
    if factor > 1:
        st.caption(t("lesson_conv.field_photo", f=factor, r_h=rf.size[0] * factor,
                     r_w=rf.size[1] * factor))
