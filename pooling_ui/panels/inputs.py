"""The input panel: a preset, a drawing, a typed grid or an uploaded image, shared by every page.

:func:`input_panel` draws the panel in the sidebar and returns a :class:`FeatureMap` (or None
while nothing usable exists yet). Its state lives in ``st.session_state`` under keys starting with
``in_``. The app draws the panel in its entry point, before the page, so that its widgets are the
same widgets on every page and keep their values when the page changes.

Session-state keys (set them in AppTest before ``run()`` to drive the panel):

* ``in_source``: ``"preset"``, ``"draw"``, ``"type"`` or ``"upload"``.
* Preset: ``in_preset`` (a key of :data:`pooling_ui.data.presets.PRESETS`), ``in_size`` (grid side
  of the sizable presets), ``in_seed`` (random preset), ``in_rgb`` (photo in colour).
* Draw: ``in_draw_grid`` (grid side, one of :data:`GRID_SIZES`), ``in_brush`` (brush width in
  canvas pixels). The canvas is the component keyed :func:`canvas_key` (``"in_canvas_0"`` until
  Clear is pressed, then ``"in_canvas_1"``, …). Its state is
  ``{"drawing": {"raw": <fabric json>, "data": "data:image/png;base64,…"}, "backgroundFit": None}``:
  setting that key to a PNG data URL of a :data:`CANVAS_SIDE` × :data:`CANVAS_SIDE` RGBA image (or
  a multiple of it, as a high-resolution screen sends) is exactly what a browser stroke sends (see
  :func:`canvas_state_for`).
* Type: ``in_type_rows`` and ``in_type_cols`` (grid size), ``in_type_cells`` (the grid as a list of
  rows of strings), and the ``st.data_editor`` keyed ``in_type_editor``, whose state is Streamlit's
  ``{"edited_rows": {row: {"<column>": "text"}}, "added_rows": [], "deleted_rows": []}`` with
  columns named ``"0"``, ``"1"``, … and rows numbered from 0, as ``x[row, col]`` in the
  explanations. Cells hold text: numbers, ``nan``, ``inf``, ``-inf``. The typed grid is drawn in
  the main area (under an expander at the top of the page), where up to 8 columns fit without
  scrolling sideways; the sidebar says where it is.
* Upload: the ``st.file_uploader`` keyed ``in_upload`` and ``in_rgb`` (colour or grayscale).

URL: ``input=<preset key>`` (plus ``input_size`` and ``input_seed`` for the presets that take
them) is read once per session and written while a preset is shown; an unknown value gives an
``st.warning`` and the default preset. A typed grid, and a drawing sampled to at most
:data:`LINK_GRID_MAX` × :data:`LINK_GRID_MAX`, go in the link as ``input=grid&grid=<numbers>``
(:func:`pooling_ui.base.urlstate.format_grid`: rows ``1,3;2,4`` or, when long, ``z:<compressed>``).
Such a link opens as a *typed* grid holding exactly those float32 values: a drawing's strokes are
not in the link, only its numbers. A bad ``grid`` gives an ``st.warning`` naming what is wrong
and the default preset. An uploaded photo is never put in a link (the link then names no input).

Class photo: in a live class, ``in_class_photo`` holds a :class:`FeatureMap` (source
``"class"``) that the class lends the panel — the photo the teacher shared, set by
:mod:`pooling_ui.classroom` (:func:`class_photo_map`). While it is there the panel shows it in
place of the source choice, with a button that gives the session its own input back (the other
inputs keep their values meanwhile). It is never written in the link.

Share box: :func:`input_panel` keeps a place under the panel (in session state as
``in_share_slot`` for this run) and draws the "Share this view" expander there, with the full
link in an ``st.code`` block (whose copy button is the "copy link" control);
:func:`pooling_ui.panels.share.share_box` draws it again with the query string as it is at the end
of the run, once the parameter panel has written its values.
"""

from __future__ import annotations

import base64
import io
import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import streamlit as st
from PIL import Image, ImageDraw

from pooling_ui.base import urlstate
from pooling_ui.base.caching import cache_data
from pooling_ui.base.i18n import Message, join_markdown, labeller, render, t
from pooling_ui.base.linkstate import Link
from pooling_ui.base.urlstate import UrlValueError
from pooling_ui.data import images, presets
from pooling_ui.data.images import ImageLoadError
from pooling_ui.panels.share import SHARE_SLOT, share_box

SOURCES = ("preset", "draw", "type", "upload")
GRID_SIZES = (8, 12, 16, 20, 24, 28, 32, 48, 64)
CANVAS_SIDE = 240  # the sidebar's content is 240 px wide at Streamlit's default sidebar width
# The canvas's toolbar appears above the canvas (2.65rem) while the pointer is over it: leave room
# so that it does not hide the text above.
TOOLBAR_ROOM_PX = 30
TYPE_MAX = 32
# Pixel widths of the typed grid's columns: room for "-0.125" or "-inf"; 8 columns fit the page.
TYPE_COLUMN_PX = 64
TYPE_INDEX_PX = 40
TYPE_CONTROLS_PX = 240
SEED_MAX = 2**31 - 1
URL_NAMES = ("input", "input_size", "input_seed", "grid")
LINK = Link("in", URL_NAMES)
GRID_INPUT = "grid"  # input=grid: the numbers are in the link's grid=…
LINK_GRID_MAX = urlstate.GRID_MAX
LINKED_SOURCES = ("type", "draw")
CLASS_PHOTO = "in_class_photo"  # a FeatureMap lent by the live class (see the module docstring)
CLASS_PREFIX = "class:"  # a class photo's FeatureMap.key: "class:<photo id>"

@dataclass(frozen=True, eq=False)
class FeatureMap:
    """The input every page pools.

    Attributes
    ----------
    data : numpy.ndarray
        float32, ``(C, H, W)``; ``C`` is 1, or 3 for an RGB photo.
    source : str
        ``"preset"``, ``"draw"``, ``"type"``, ``"upload"``, or ``"class"`` (a photo shared
        with the live class).
    label : Message or str
        What to call it, worded when shown (:attr:`name`): e.g. "worked 4×4", or a file's name.
    is_photo : bool
        Show as an image, not as a grid of numbers.
    channel_names : tuple of str
        ``("gray",)`` or ``("R", "G", "B")``.
    key : str
        Changes exactly when the data changes: a cheap cache key for the pages (hashing a
        12-megapixel array on every rerun would not be).
    notes : tuple of Message
        What was done to produce the data (e.g. how an image was converted), for a caption.
    """

    data: np.ndarray
    source: str
    label: Message | str
    is_photo: bool
    channel_names: tuple[str, ...]
    key: str = ""
    notes: tuple[Message, ...] = ()

    @property
    def name(self) -> str:
        """The input's name in the session's language."""
        return render(self.label)

    @property
    def shape(self) -> tuple[int, int, int]:
        return tuple(int(n) for n in self.data.shape)

    @cached_property
    def value_summary(self) -> tuple[float | None, bool]:
        """``(smallest finite value or None, whether every value is finite)``, computed once."""
        finite = np.isfinite(self.data)
        all_finite = bool(finite.all())
        values = self.data if all_finite else self.data[finite]
        smallest = float(values.min()) if values.size else None
        return smallest, all_finite


def _channel_names(data: np.ndarray) -> tuple[str, ...]:
    return ("R", "G", "B") if data.shape[0] == 3 else ("gray",)


def _make(data, source, label, is_photo, key, notes=()) -> FeatureMap:
    array = np.ascontiguousarray(data, dtype=np.float32)
    array.setflags(write=False)  # shared by every page and cached: nobody may change it in place
    return FeatureMap(array, source, label, is_photo, _channel_names(array), key, tuple(notes))


# -- URL ------------------------------------------------------------------------------------------
def read_url(query: dict[str, str]) -> tuple[dict, list[Message]]:
    """Session values for ``input=…`` (and its size/seed), with a warning for each bad value."""
    state: dict = {}
    warnings: list[Message] = []
    default = presets.DEFAULT_PRESET
    if "input" not in query:
        return state, warnings
    raw = query["input"]
    key = str(raw).strip().lower()
    if key == GRID_INPUT:
        return _read_grid(query.get("grid"), default)
    if key not in presets.PRESETS:
        warnings.append(Message("input.url_bad_input", {
            "raw": raw, "known": ", ".join(presets.PRESETS), "default": default}))
        return state, warnings
    state.update(in_source="preset", in_preset=key)
    extras = (
        ("input_size", "in_size", lambda text: urlstate.parse_int(text, *presets.SIZE_RANGE),
         presets.DEFAULT_SIZE),
        ("input_seed", "in_seed", lambda text: urlstate.parse_int(text, 0, SEED_MAX),
         0),
    )
    for name, state_key, parse, fallback in extras:
        if name in query:
            try:
                state[state_key] = parse(query[name])
            except UrlValueError as error:
                warnings.append(Message("input.url_bad_extra", {
                    "name": name, "raw": query[name], "reason": error.message,
                    "default": fallback}))
    return state, warnings


def _shown_text(raw, limit: int = 60) -> str:
    """A link's value as quoted in a warning: a long one cut, so the warning stays readable."""
    text = str(raw)
    return text if len(text) <= limit else text[:limit] + "…"


def _read_grid(raw, default: str) -> tuple[dict, list[Message]]:
    """``input=grid``: the link's numbers as the typed grid (text written exactly)."""
    if raw is None:
        return {}, [Message("links.url_grid_missing", {"default": default})]
    try:
        grid = urlstate.parse_grid(raw)
    except UrlValueError as error:
        return {}, [Message("links.url_bad_grid", {
            "raw": _shown_text(raw), "reason": error.message, "default": default})]
    rows, cols = grid.shape
    cells = [[urlstate.format_number(value) for value in row] for row in grid]
    return {"in_source": "type", "in_type_rows": rows, "in_type_cols": cols,
            "in_type_cells": cells}, []


def link_grid(fm: FeatureMap | None) -> str | None:
    """The ``grid=`` value for ``fm``: its numbers when typed or drawn (at most 32×32), else None.

    Remembered per input (its :attr:`FeatureMap.key`), so an unchanged grid is not written out
    again on every rerun.
    """
    if fm is None or fm.source not in LINKED_SOURCES or fm.data.shape[0] != 1:
        return None
    if max(fm.data.shape[1:]) > LINK_GRID_MAX:
        return None
    memo = st.session_state.get("in_link_memo")
    if memo is not None and memo[0] == fm.key:
        return memo[1]
    value = urlstate.format_grid(fm.data[0])
    st.session_state["in_link_memo"] = (fm.key, value)
    return value


def _url_values(fm: FeatureMap | None) -> dict[str, str]:
    if st.session_state.get("in_source") in LINKED_SOURCES:
        grid = link_grid(fm)
        return {} if grid is None else {"input": GRID_INPUT, "grid": grid}
    if st.session_state.get("in_source") != "preset":
        return {}
    key = st.session_state.get("in_preset", presets.DEFAULT_PRESET)
    values = {"input": key}
    preset = presets.PRESETS[key]
    if preset.sizable:
        values["input_size"] = str(st.session_state.get("in_size", presets.DEFAULT_SIZE))
    if preset.seeded:
        values["input_seed"] = str(st.session_state.get("in_seed", 0))
    return values


# -- presets --------------------------------------------------------------------------------------
@cache_data(16)
def _preset_data(key: str, size: int, seed: int, mode: str) -> np.ndarray:
    return presets.make_preset(key, size=size, seed=seed, mode=mode)


def _colour_toggle() -> str:
    rgb = st.toggle(t("input.rgb"), key=LINK.seed("in_rgb", False), help=t("input.rgb_help"),
                    on_change=LINK.forget, persist_state="session")
    return "rgb" if rgb else "gray"


def _preset_input() -> FeatureMap:
    if st.session_state.get("in_preset") not in presets.PRESETS:
        st.session_state["in_preset"] = presets.DEFAULT_PRESET
    key = st.selectbox(
        t("input.preset"), list(presets.PRESETS), key="in_preset", persist_state="session",
        format_func=labeller("presets.", ".label"), on_change=LINK.forget,
    )
    preset = presets.PRESETS[key]
    st.caption(t(f"presets.{key}.description"))
    size, seed, mode = presets.DEFAULT_SIZE, 0, "gray"
    if preset.sizable:
        size = st.slider(t("input.size"), *presets.SIZE_RANGE,
                         key=LINK.seed("in_size", presets.DEFAULT_SIZE), persist_state="session",
                         on_change=LINK.forget)
    if preset.seeded:
        seed = st.number_input(t("input.seed"), 0, SEED_MAX, key=LINK.seed("in_seed", 0),
                               on_change=LINK.forget, persist_state="session")
    if preset.is_photo:
        mode = _colour_toggle()
    data = _preset_data(key, int(size), int(seed), mode)
    label = Message(f"presets.{key}.label")
    if preset.seeded:
        label = Message("input.name_seeded", {"label": label, "size": size, "seed": seed})
    elif preset.sizable:
        label = Message("input.name_sized", {"label": label, "size": size})
    return _make(data, "preset", label, preset.is_photo, f"preset:{key}:{size}:{seed}:{mode}")


# -- drawing --------------------------------------------------------------------------------------
def canvas_key() -> str:
    """The key of the canvas now on screen (it changes when Clear is pressed)."""
    return f"in_canvas_{st.session_state.get('in_canvas_clears', 0)}"


def canvas_state_for(rgba: np.ndarray, objects: list | None = None) -> dict:
    """The component state a browser sends after drawing ``rgba`` (uint8 ``(H, W, 4)``).

    For tests and for restoring a drawing; the shape of the dict is streamlit-drawable-canvas
    0.13's.
    """
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(rgba, dtype=np.uint8), "RGBA").save(buffer, format="PNG")
    url = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
    raw = {"objects": list(objects or [{"type": "path"}]), "background": ""}
    return {"drawing": {"raw": raw, "data": url}, "backgroundFit": None}


def ink_from_rgba(rgba: np.ndarray) -> np.ndarray:
    """Ink amount 0..255 of each canvas pixel: opacity times darkness.

    Works for strokes on a transparent canvas (ink = opacity) and on an opaque white one
    (ink = darkness).

    Examples
    --------
    >>> pixels = np.array([[[0, 0, 0, 255], [255, 255, 255, 255], [0, 0, 0, 0]]], dtype=np.uint8)
    >>> ink_from_rgba(pixels).tolist()   # black, white, transparent
    [[255.0, 0.0, 0.0]]
    """
    values = np.asarray(rgba, dtype=np.float32)
    opacity = values[..., 3] / np.float32(255.0)
    darkness = np.float32(255.0) - values[..., :3].mean(axis=-1)
    return opacity * darkness


def sample_to_grid(ink: np.ndarray, side: int) -> np.ndarray:
    """Mean ink over a ``side × side`` grid of blocks, rounded to whole numbers.

    Block edges are spread evenly (blocks differ by at most one pixel when ``side`` does not
    divide the canvas). Rounding keeps the numbers in the cells readable.

    Examples
    --------
    >>> ink = np.zeros((4, 4), dtype=np.float32); ink[:2, :2] = 255
    >>> sample_to_grid(ink, 2).tolist()
    [[255.0, 0.0], [0.0, 0.0]]
    """
    height, width = ink.shape
    rows = np.linspace(0, height, side + 1).round().astype(int)
    cols = np.linspace(0, width, side + 1).round().astype(int)
    sums = np.add.reduceat(np.add.reduceat(ink.astype(np.float64), rows[:-1], axis=0),
                           cols[:-1], axis=1)
    counts = np.diff(rows)[:, None] * np.diff(cols)[None, :]
    return np.rint(sums / counts).astype(np.float32)


@cache_data(8)
def _guide_image(side: int) -> bytes:
    """The canvas background: faint lines of the sampling grid (not part of the drawing)."""
    image = Image.new("RGB", (CANVAS_SIDE, CANVAS_SIDE), "white")
    draw = ImageDraw.Draw(image)
    for edge in np.linspace(0, CANVAS_SIDE, side + 1).round().astype(int)[1:-1]:
        draw.line((edge, 0, edge, CANVAS_SIDE), fill=(232, 232, 242))
        draw.line((0, edge, CANVAS_SIDE, edge), fill=(232, 232, 242))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _clear_drawing() -> None:
    st.session_state["in_canvas_clears"] = st.session_state.get("in_canvas_clears", 0) + 1
    st.session_state.pop("in_draw_store", None)


def _draw_input() -> FeatureMap:
    from streamlit_drawable_canvas import st_canvas

    if st.session_state.get("in_draw_grid") not in GRID_SIZES:
        st.session_state["in_draw_grid"] = 16
    side = st.select_slider(t("input.grid"), GRID_SIZES, key="in_draw_grid",
                            format_func=lambda n: f"{n}×{n}", persist_state="session")
    brush = st.slider(t("input.brush"), 2, 60, key=LINK.seed("in_brush", 20),
                      persist_state="session")
    st.caption(t("input.draw_hint"))
    st.space(TOOLBAR_ROOM_PX)
    key = canvas_key()
    store = st.session_state.get("in_draw_store") or {}
    mine = store.get("key") == key
    result = st_canvas(
        stroke_width=int(brush), stroke_color="#000000", background_image=_guide_image(side),
        height=CANVAS_SIDE, width=CANVAS_SIDE, drawing_mode="freedraw", key=key,
        return_image_data=True, initial_drawing=store.get("initial") if mine else None,
    )
    st.button(t("input.clear"), key="in_draw_clear", on_click=_clear_drawing)
    rgba = result.image_data
    if rgba is not None:
        ink = ink_from_rgba(rgba)
        st.session_state["in_draw_store"] = {
            "key": key, "ink": ink, "json": result.json_data, "initial": store.get("initial"),
        }
    elif mine and store.get("ink") is not None:
        # A canvas that sends nothing although we hold its drawing was just mounted again (another
        # source was chosen in between): keep the stored ink, and load the strokes back into the
        # canvas once.
        ink = store["ink"]
        if store.get("json") is not None and store.get("initial") != store["json"]:
            store["initial"] = store["json"]
            st.rerun()
    else:
        ink = np.zeros((CANVAS_SIDE, CANVAS_SIDE), dtype=np.float32)
    grid = sample_to_grid(ink, int(side))
    if not grid.any():
        st.info(t("input.draw_empty"))
    digest = images.bytes_digest(grid.tobytes())
    return _make(grid[None], "draw", Message("input.name_drawing", {"size": side}), False,
                 f"draw:{digest}")


# -- typed grid -----------------------------------------------------------------------------------
def parse_cell(text) -> float | None:
    """A typed cell as a number: decimals, ``nan``, ``inf``, ``-inf`` (also ``∞``, ``−``).

    Returns None when it is not a number.

    Examples
    --------
    >>> [parse_cell(t) for t in ["3", " -2.5 ", "−1", "1e3", "-inf", "∞", "x", ""]]
    [3.0, -2.5, -1.0, 1000.0, -inf, inf, None, None]
    >>> math.isnan(parse_cell("NaN"))
    True
    """
    if text is None:
        return None
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return float(text)
    value = str(text).strip().replace("−", "-").replace("∞", "inf").replace(" ", "")
    if not value or "_" in value:
        return None
    try:
        return float(value)
    except ValueError:
        return None


def parse_grid(cells) -> tuple[np.ndarray, list[tuple[int, int, str]]]:
    """Rows of typed text → float32 grid, and the ``(row, col, text)`` cells that were not numbers
    (used as 0).

    Examples
    --------
    >>> grid, bad = parse_grid([["1", "nan"], ["-inf", "two"]])
    >>> grid.tolist()[1], bad
    ([-inf, 0.0], [(1, 1, 'two')])
    """
    rows = [list(row) for row in cells]
    grid = np.zeros((len(rows), len(rows[0]) if rows else 0), dtype=np.float32)
    problems = []
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            value = parse_cell(text)
            if value is None:
                problems.append((r, c, "" if text is None else str(text)))
                value = 0.0
            grid[r, c] = value
    return grid, problems


def format_cell(value: float) -> str:
    """How a number is written into the grid: ``3``, ``2.5``, ``nan``, ``inf``, ``-inf``."""
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return f"{value:g}"


def _resized(cells: list[list[str]], rows: int, cols: int) -> list[list[str]]:
    """``cells`` cropped or padded with "0" to ``rows × cols``."""
    out = []
    for r in range(rows):
        source = cells[r] if r < len(cells) else []
        out.append([str(source[c]) if c < len(source) else "0" for c in range(cols)])
    return out


def _type_input(main_area) -> FeatureMap:
    """The typed grid, drawn in ``main_area`` (the sidebar is too narrow for its columns)."""
    import pandas as pd

    default_cells = [[format_cell(v) for v in row] for row in presets.WORKED_4X4]
    st.caption(t("input.type_where"))
    with main_area, st.expander(t("input.type_heading"), expanded=True, icon=":material/edit:"):
        # the grid with its size controls beside it (under it, when the page is too narrow)
        row = st.container(horizontal=True, gap="large")
        grid_column = row.container(width="content")
        with row.container(width=TYPE_CONTROLS_PX):
            rows = int(st.number_input(t("input.rows"), 1, TYPE_MAX,
                                       key=LINK.seed("in_type_rows", len(default_cells)),
                                       persist_state="session"))
            cols = int(st.number_input(t("input.cols"), 1, TYPE_MAX,
                                       key=LINK.seed("in_type_cols", len(default_cells[0])),
                                       persist_state="session"))
            st.caption(t("input.type_hint"))
        cells = st.session_state.get("in_type_cells") or default_cells
        if len(cells) != rows or any(len(row) != cols for row in cells):
            cells = _resized(cells, rows, cols)
        st.session_state["in_type_cells"] = cells
        # Counted from 0 like x[row,col] in the explanations: the index shows the row numbers.
        columns = [str(c) for c in range(cols)]
        frame = pd.DataFrame(cells, columns=columns, dtype="string")
        with grid_column:
            edited = st.data_editor(
                frame, key="in_type_editor", num_rows="fixed", hide_index=False, width="content",
                column_config={
                    "_index": st.column_config.Column(width=TYPE_INDEX_PX),
                    **{name: st.column_config.TextColumn(name, width=TYPE_COLUMN_PX)
                       for name in columns},
                },
            )
        text = [["" if pd.isna(v) else str(v) for v in row] for row in edited.to_numpy().tolist()]
        # keep the edits in our own state: the editor's is lost when the grid's size changes or
        # another source is chosen
        st.session_state["in_type_cells"] = text
        grid, problems = parse_grid(text)
        for r, c, bad in problems:
            st.warning(t("input.type_bad_cell", row=r, col=c, text=bad))
    digest = images.bytes_digest(grid.tobytes())
    return _make(grid[None], "type", Message("input.name_typed", {"rows": rows, "cols": cols}),
                 False, f"type:{digest}")


# -- upload ---------------------------------------------------------------------------------------
def _decoded_feature_map(data: bytes, name: str, mode: str) -> FeatureMap:
    """Decode (cached) and wrap an upload; remembered per session so a rerun costs nothing."""
    digest = images.bytes_digest(data)
    memo = st.session_state.get("in_upload_memo")
    if memo is not None and memo[0] == (digest, mode, name):
        return memo[1]
    with st.spinner(t("images.decoding")):
        decoded = images.load_image_cached(data, mode)
    fm = _make(decoded.data, "upload", name, True, f"upload:{digest}:{mode}", decoded.notes)
    st.session_state["in_upload_memo"] = ((digest, mode, name), fm)
    return fm


def _upload_input() -> FeatureMap | None:
    mode = _colour_toggle()
    uploaded = st.file_uploader(
        t("input.upload"), type=list(images.UPLOAD_EXTENSIONS), key="in_upload",
        help=t("images.accepted", megapixels=images.MAX_PIXELS // 1_000_000),
    )
    if uploaded is not None:
        data, name = uploaded.getvalue(), uploaded.name
    elif st.session_state.get("in_upload_file"):
        data, name = st.session_state["in_upload_file"]
        st.caption(t("input.upload_earlier", name=name))
    else:
        st.info(t("input.upload_prompt"))
        return None
    try:
        fm = _decoded_feature_map(data, name, mode)
    except ImageLoadError as error:
        st.error(t("input.upload_error", name=name, message=error.message.text()))
        return None
    # the uploader forgets its file while another source is chosen; keep the bytes (in memory)
    st.session_state["in_upload_file"] = (data, name)
    if fm.notes:
        st.caption(t("input.notes", notes=join_markdown(
            t("input.notes_separator"), (note.text() for note in fm.notes))))
    return fm


# -- a class photo --------------------------------------------------------------------------------
def class_photo_map(photo_id: str, name: str, data: np.ndarray) -> FeatureMap:
    """The :class:`FeatureMap` of photo ``photo_id`` shared with the live class (``name``: the
    file's name, shown as text; ``data``: float32 ``(C, H, W)``)."""
    label = (Message("input.name_class_photo", {"name": name}) if name
             else Message("input.name_class_photo_unnamed"))
    return _make(data, "class", label, True, CLASS_PREFIX + photo_id)


def class_photo_id(fm: FeatureMap | None) -> str | None:
    """The id of the class photo ``fm`` is, or None when it is none."""
    if fm is None or fm.source != "class" or not fm.key.startswith(CLASS_PREFIX):
        return None
    return fm.key[len(CLASS_PREFIX):]


def _own_input_again() -> None:
    st.session_state.pop(CLASS_PHOTO, None)


def _class_photo_input(fm: FeatureMap) -> FeatureMap:
    _, height, width = fm.shape
    st.info(t("input.class_photo", photo=fm.name, h=height, w=width), icon=":material/co_present:")
    st.button(t("input.class_photo_leave"), key="in_class_photo_leave", on_click=_own_input_again,
              help=t("input.class_photo_leave_help"))
    return fm


# -- the panel ------------------------------------------------------------------------------------
_BUILDERS = {
    "preset": _preset_input,
    "draw": _draw_input,
    "upload": _upload_input,
}


def input_panel() -> FeatureMap | None:
    """Draw the input panel in the sidebar and return the current feature map.

    Returns
    -------
    FeatureMap or None
        None only while nothing usable exists (e.g. the Upload tab before any good file, with no
        earlier input to keep). A bad upload shows an ``st.error`` and returns the previous input.
    """
    # Room at the top of the main area for what does not fit the sidebar (the typed grid).
    main_area = st.container()
    warnings = LINK.read(read_url)
    with st.sidebar:
        st.header(t("input.title"))
        LINK.show(warnings)
        if st.session_state.get("in_source") not in SOURCES:
            st.session_state["in_source"] = "preset"
        lent = st.session_state.get(CLASS_PHOTO)
        if isinstance(lent, FeatureMap):
            source, fm = "class", _class_photo_input(lent)
        else:
            source = st.radio(
                t("input.source"), SOURCES, key="in_source", horizontal=True,
                persist_state="session", format_func=labeller("input.sources."),
                on_change=LINK.forget,
            )
            fm = _type_input(main_area) if source == "type" else _BUILDERS[source]()
        if fm is None:
            fm = st.session_state.get("in_last_good")
            if fm is not None:
                st.caption(t("input.kept_previous", name=fm.name))
        else:
            st.session_state["in_last_good"] = fm
        # under the input panel; filled now and again by share_box() once the parameters are in
        # the link too
        st.session_state[SHARE_SLOT] = st.empty()
    shown = fm if source in LINKED_SOURCES else None
    LINK.write(_url_values(shown))
    # a class photo is not in the link, as an uploaded one is not: the share box says so
    st.session_state["in_share_source"] = ("upload" if source == "class" else source), shown
    share_box()
    return fm
