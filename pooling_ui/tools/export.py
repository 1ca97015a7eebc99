"""Files to take away for slides: the sliding window as an animated GIF, arrays as CSV and NPY,
figures as PNG, under names that say what they hold.

Nothing is built on an ordinary run. Every download button gets a *callable* (Streamlit's
deferred download): the bytes are made only when the button is clicked, on a thread of their own,
and the click does not rerun the page (``on_click="ignore"``). The GIF is cached by the values it
is drawn from, so a second click, or a second student with the same settings, costs nothing.

The GIF is drawn with Pillow from the same pieces as the plotly animation of
:mod:`pooling_ui.figures.sliding`: the input with its padding drawn around it, the output beside it
at the same scale, and per step (in the animation's order, over the animation's region) the
window and its output cell outlined in :data:`pooling_ui.figures.grids.WINDOW_COLOR`, the winning
cell in :data:`pooling_ui.figures.grids.WINNER_COLOR` and the outputs still to come hidden. Numbers
are printed in the cells while the grid is small, in Pillow's own font (no system font needed). The
frames have no words, so a GIF is the same in every language.

PNG is plotly's own client-side export: :func:`png_config` turns on the camera button of a
figure's mode bar with a file name from :func:`file_name`.

File names: ``pooling-<kind>-k<kh>x<kw>-s<sh>x<sw>-p<ph>x<pw>[-d..][-ceil]-<input>-<what>.<ext>``,
e.g. ``pooling-max-k2x2-s2x2-p0x0-worked4x4-animation.gif``.
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath

import numpy as np
import streamlit as st
from PIL import Image, ImageDraw, ImageFont
from plotly.colors import sequential as plotly_sequential

from pooling_ui.base import profile as pf
from pooling_ui.base.caching import cache_data
from pooling_ui.base.i18n import render, t
from pooling_ui.data import presets
from pooling_ui.figures import grids as fg

# -- file names -----------------------------------------------------------------------------------
_NOT_NAME = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    """``text`` as a file-name part: lower-case ASCII letters and digits joined by ``-``.

    Examples
    --------
    >>> slug("Worked 4×4"), slug("Gradient ramp 16×16, seed 3"), slug("照片")
    ('worked-4x4', 'gradient-ramp-16x16-seed-3', '')
    """
    return _NOT_NAME.sub("-", text.lower().replace("×", "x")).strip("-")


def _pair(values) -> str:
    if isinstance(values, (int, np.integer)):
        values = (values, values)
    return "x".join(str(int(v)) for v in values)


def params_slug(params) -> str:
    """What a pooling is, for a file name: kind, kernel, stride, padding (and dilation, ceil).

    Examples
    --------
    >>> from pooling_ui.panels.params import PoolParams
    >>> params_slug(PoolParams(kind="avg", kernel_size=(3, 3), stride=(1, 1), padding=(1, 1)))
    'avg-k3x3-s1x1-p1x1'
    >>> params_slug(PoolParams(padding="same", dilation=(2, 2), ceil_mode=True))
    'max-k2x2-s2x2-psame-d2x2-ceil'
    """
    padding = params.padding
    parts = [params.kind, f"k{_pair(params.kernel_size)}", f"s{_pair(params.stride)}",
             f"p{padding}" if isinstance(padding, str) else f"p{_pair(padding)}"]
    if tuple(params.dilation) != (1, 1):
        parts.append(f"d{_pair(params.dilation)}")
    if params.ceil_mode:
        parts.append("ceil")
    if params.divisor_override is not None:
        parts.append(f"div{int(params.divisor_override)}")
    return "-".join(parts)


def input_slug(fm) -> str:
    """What the input is, for a file name: the preset's URL name (with its size and seed), the
    uploaded file's stem, or the input's English name (``drawing-16x16``)."""
    if fm.source == "preset" and fm.key.startswith("preset:"):
        _, key, size, seed, mode = (fm.key.split(":") + ["", "", "", ""])[:5]
        preset = presets.PRESETS.get(key)
        if preset is not None:
            parts = [key]
            if preset.sizable:
                parts.append(f"{size}x{size}")
            if preset.seeded:
                parts.append(f"seed{seed}")
            if preset.is_photo and mode:
                parts.append(slug(mode))
            return "-".join(parts)
    if fm.source == "upload":
        return slug(PurePath(str(fm.label)).stem) or "upload"
    return slug(render(fm.label, "en")) or fm.source


def file_name(fm, params, what: str, extension: str) -> str:
    """``pooling-<params>-<input>-<what>.<extension>``."""
    return f"pooling-{params_slug(params)}-{input_slug(fm)}-{slug(what)}.{extension}"


# -- arrays ---------------------------------------------------------------------------------------
# CSV is text: a 12-megapixel photo would be hundreds of megabytes. Bigger arrays get NPY only.
CSV_MAX_VALUES = 1_000_000


def _csv_format(array: np.ndarray) -> str:
    # enough digits to read every value back exactly: 9 for float32, 17 for float64
    return "%.9g" if array.dtype.itemsize <= 4 else "%.17g"


def csv_bytes(array: np.ndarray, channel_names: tuple[str, ...] = ()) -> bytes:
    """A ``(H, W)`` or ``(C, H, W)`` array as CSV, one grid row per line, every value exact.

    Channels follow each other, each headed by a ``# channel <name>`` comment line, so that
    ``np.loadtxt(..., delimiter=",")`` reads back ``(C·H, W)``.

    Examples
    --------
    >>> csv_bytes(np.array([[1.5, 2], [1 / 3, -np.inf]], np.float32)).decode().splitlines()
    ['1.5,2', '0.333333343,-inf']
    """
    values = np.asarray(array)
    if values.ndim == 2:
        values = values[None]
    values = values.astype(np.float64 if values.dtype.itemsize > 4 else np.float32, copy=False)
    buffer = io.StringIO()
    for index, plane in enumerate(values):
        if values.shape[0] > 1:
            name = channel_names[index] if index < len(channel_names) else str(index)
            buffer.write(f"# channel {name}\n")
        np.savetxt(buffer, plane, delimiter=",", fmt=_csv_format(plane))
    return buffer.getvalue().encode()


def npy_bytes(array: np.ndarray) -> bytes:
    """The array as a ``.npy`` file (``np.load`` gives it back, dtype and shape included)."""
    buffer = io.BytesIO()
    np.save(buffer, np.asarray(array), allow_pickle=False)
    return buffer.getvalue()


# -- the GIF --------------------------------------------------------------------------------------
# Milliseconds per frame: the animation's "normal" speed.
GIF_FRAME_MS = 500
# Pixels: the most the picture may take, the smallest and largest cell, the margin around it.
GIF_MAX_WIDTH_PX = 760
GIF_MAX_HEIGHT_PX = 480
GIF_CELL_PX = (6, 56)
GIF_MARGIN_PX = 8
GIF_CAPTION_PX = 28
OUTLINE_PX = 3
# Numbers go in the cells while the padded input is at most this many cells on a side (the
# figures' own limit) and they fit the cells at a readable size (gif_texts_fit).
GIF_TEXT_MAX_SIDE = 24
GIF_TEXT_MIN_CELL_PX = 20
GIF_TEXT_MIN_FONT_PX = 10

# One palette for every frame: the colour scale's levels, then the fixed colours.
LEVELS = 200
# A GIF is a file, not a screen: it takes the normal profile's colours whatever the display.
_FIXED = {
    "white": "#ffffff", "black": "#000000", "pad": pf.NORMAL.pad_color,
    "overhang": fg.OVERHANG_COLOR, "window": fg.WINDOW_COLOR, "winner": fg.WINNER_COLOR,
    "mask": fg.MASK_COLOR, "frame": fg.FRAME_COLOR, "hatch": pf.NORMAL.hatch_color,
    "text": pf.NORMAL.pad_text_color,
    "window_casing": fg.CASING[fg.WINDOW_COLOR], "winner_casing": fg.CASING[fg.WINNER_COLOR],
}
INDEX = {name: LEVELS + offset for offset, name in enumerate(_FIXED)}


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(v) for v in fg.parse_colour(colour)[:3])


@functools.cache
def _palette() -> tuple[np.ndarray, list[int]]:
    """``(levels × 3 uint8, flat 768-entry palette)``: the Viridis scale as plotly interpolates
    it (linearly in RGB between its stops), then :data:`_FIXED`."""
    stops = np.array([_rgb(colour) for colour in plotly_sequential.Viridis], dtype=np.float64)
    where = np.linspace(0, 1, len(stops))
    level = np.linspace(0, 1, LEVELS)
    levels = np.stack([np.interp(level, where, stops[:, channel]) for channel in range(3)], 1)
    levels = np.rint(levels).astype(np.uint8)
    fixed = np.array([_rgb(colour) for colour in _FIXED.values()], dtype=np.uint8)
    table = np.zeros((256, 3), dtype=np.uint8)
    table[:LEVELS] = levels
    table[LEVELS:LEVELS + len(fixed)] = fixed
    return levels, table.reshape(-1).tolist()


def _level_indices(grid: np.ndarray, value_range: tuple[float, float]) -> np.ndarray:
    """Palette index of each cell's colour (NaN: white, a gap, as in the heatmaps)."""
    values = fg.colour_values(grid, value_range).astype(np.float64)
    lo, hi = value_range
    share = (values - lo) / (hi - lo) if hi > lo else np.zeros_like(values)
    with np.errstate(invalid="ignore"):
        index = np.rint(np.clip(share, 0, 1) * (LEVELS - 1))
    return np.where(np.isnan(values), INDEX["white"], np.nan_to_num(index)).astype(np.int64)


def gif_number(value: float, decimals: int | None = None) -> str:
    """A cell's number as the figures print it (rounded as they round it), in the characters
    Pillow's font has.

    Examples
    --------
    >>> gif_number(-2.5), gif_number(-float("inf")), gif_number(1 / 3), gif_number(14.7, 0)
    ('-2.5', '-inf', '0.3333', '15')
    """
    text = fg.cell_texts(np.array([[value]]), decimals)[0][0]
    return text.replace("−", "-").replace("∞", "inf")


@functools.cache
def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size)


def _fitting_font(texts, cell_px: int):
    """The largest font (up to the figures' share of a cell) in which every text fits."""
    longest = max(texts, key=len, default="0")
    size = int(np.clip(cell_px * pf.NORMAL.cell_font_share, 8, pf.NORMAL.cell_font_max_px))
    while size > 8 and _font(size).getlength(longest) > cell_px - 4:
        size -= 1
    return _font(size)


@dataclass(frozen=True)
class GifLayout:
    """Where cells fall in the GIF's pixels.

    Input cell ``(r, c)`` (padding included: ``r`` or ``c`` may be negative or past the edge)
    covers pixels ``[x, x + cell_px) × [y, y + cell_px)`` with ``(x, y) = input_px(r, c)``;
    output cell ``(r, c)`` likewise at ``output_px(r, c)``.
    """

    cell_px: int
    reach_top: int
    reach_left: int
    out_x: int  # the output's first column, in cells of the input's coordinates
    size: tuple[int, int]  # (width, height) in pixels

    def input_px(self, row: int, col: int) -> tuple[int, int]:
        return (GIF_MARGIN_PX + (col + self.reach_left) * self.cell_px,
                GIF_MARGIN_PX + (row + self.reach_top) * self.cell_px)

    def output_px(self, row: int, col: int) -> tuple[int, int]:
        return self.input_px(row, self.out_x + col)

    def box(self, corner: tuple[int, int], rows: int = 1, cols: int = 1) -> tuple[int, ...]:
        """Pillow's inclusive box of ``rows × cols`` cells from pixel ``corner``."""
        x, y = corner
        return x, y, x + cols * self.cell_px - 1, y + rows * self.cell_px - 1


def gif_layout(geometry) -> GifLayout:
    """The pixel layout of the GIF for ``geometry``: the padded input, a gap, the output."""
    height, width = geometry.in_hw
    out_h, out_w = geometry.out_hw
    (top, bottom), (left, right) = geometry.pad
    out_x = width + right + fg.GAP_COLUMNS
    span_x = left + out_x + out_w
    span_y = max(top + height + bottom, top + out_h)
    room_x = GIF_MAX_WIDTH_PX - 2 * GIF_MARGIN_PX
    room_y = GIF_MAX_HEIGHT_PX - 2 * GIF_MARGIN_PX - GIF_CAPTION_PX
    cell_px = int(np.clip(min(room_x / span_x, room_y / span_y), *GIF_CELL_PX))
    size = (span_x * cell_px + 2 * GIF_MARGIN_PX,
            span_y * cell_px + 2 * GIF_MARGIN_PX + GIF_CAPTION_PX)
    return GifLayout(cell_px, top, left, out_x, size)


def _draw_grid(draw: ImageDraw.ImageDraw, layout: GifLayout, grid: np.ndarray,
               corner: Callable[[int, int], tuple[int, int]], value_range, show_text: bool,
               decimals: int | None = None):
    levels, _ = _palette()
    indices = _level_indices(grid, value_range)
    gap = 1 if show_text else 0
    texts = [[gif_number(v, decimals) for v in row] for row in grid] if show_text else None
    font = _fitting_font([text for row in texts for text in row], layout.cell_px) if texts else None
    for r in range(grid.shape[0]):
        for c in range(grid.shape[1]):
            x0, y0, x1, y1 = layout.box(corner(r, c))
            draw.rectangle((x0 + gap, y0 + gap, x1 - gap, y1 - gap), fill=int(indices[r, c]))
            if texts is None:
                continue
            index = int(indices[r, c])
            # black or white, whichever contrasts more with the cell (as the figures do)
            cell = levels[index] if index < LEVELS else _rgb(_FIXED["white"])
            dark = fg.text_colours(np.asarray(cell, dtype=np.float64)) == fg.TEXT_DARK
            draw.text(((x0 + x1 + 1) / 2, (y0 + y1 + 1) / 2), texts[r][c], anchor="mm",
                      font=font, fill=INDEX["black"] if dark else INDEX["white"])


def gif_texts_fit(texts, cell_px: int) -> bool:
    """Whether numbers can be printed in cells of ``cell_px``: the cells are at least
    :data:`GIF_TEXT_MIN_CELL_PX` and the longest text fits them at
    :data:`GIF_TEXT_MIN_FONT_PX` or more (how many cells there are does not matter: the
    layout has already sized them)."""
    if cell_px < GIF_TEXT_MIN_CELL_PX:
        return False
    longest = max(texts, key=len, default="0")
    return _font(GIF_TEXT_MIN_FONT_PX).getlength(longest) <= cell_px - 4


def _base_picture(x2d, y2d, geometry, region, padding, padded_value: str,
                  layout: GifLayout, decimals: int | None = None) -> Image.Image:
    """Everything that does not move: the grids, the padding, the outlines of the grids."""
    height, width = geometry.in_hw
    out_h, out_w = geometry.out_hw
    (top, bottom), (left, right) = geometry.pad
    picture = Image.new("P", layout.size, INDEX["white"])
    picture.putpalette(_palette()[1])
    draw = ImageDraw.Draw(picture)
    pad_lo, pad_hi = fg.declared_padding(padding, geometry)
    small = max(top + height + bottom, left + width + right) <= GIF_TEXT_MAX_SIDE
    texts = [gif_number(v, decimals) for v in (*np.ravel(x2d), *np.ravel(y2d))] if small else []
    show_text = small and gif_texts_fit(texts, layout.cell_px)
    pad_font = _fitting_font([gif_number_label(padded_value)], layout.cell_px)
    for r in range(-top, height + bottom):
        for c in range(-left, width + right):
            if 0 <= r < height and 0 <= c < width:
                continue
            declared = -pad_lo[0] <= r < height + pad_hi[0] and -pad_lo[1] <= c < width + pad_hi[1]
            box = layout.box(layout.input_px(r, c))
            draw.rectangle(box, fill=INDEX["pad" if declared else "overhang"],
                           outline=INDEX["hatch"])
            if declared and show_text and padded_value:
                draw.text(((box[0] + box[2] + 1) / 2, (box[1] + box[3] + 1) / 2),
                          gif_number_label(padded_value), anchor="mm", font=pad_font,
                          fill=INDEX["text"])
    value_range = fg.finite_range(x2d, y2d)
    _draw_grid(draw, layout, x2d, layout.input_px, value_range, show_text, decimals)
    _draw_grid(draw, layout, y2d, layout.output_px, value_range, show_text, decimals)
    draw.rectangle(layout.box(layout.input_px(0, 0), height, width), outline=INDEX["frame"])
    draw.rectangle(layout.box(layout.output_px(0, 0), out_h, out_w), outline=INDEX["frame"])
    if region.size < out_h * out_w:
        draw.rectangle(layout.box(layout.output_px(region.row0, region.col0),
                                  region.row1 - region.row0, region.col1 - region.col0),
                       outline=INDEX["text"], width=2)
    return picture


def gif_number_label(label: str) -> str:
    """A padding cell's label (``−∞``, ``0``) in the font's characters."""
    return label.replace("−", "-").replace("∞", "inf")


def _frame(base: Image.Image, layout: GifLayout, geometry, y2d, region, winners,
           step: int, row: int, col: int) -> Image.Image:
    picture = base.copy()
    draw = ImageDraw.Draw(picture)
    # outputs still to come, hidden as in the animation
    if col + 1 < region.col1:
        draw.rectangle(layout.box(layout.output_px(row, col + 1), 1, region.col1 - col - 1),
                       fill=INDEX["mask"])
    if row + 1 < region.row1:
        draw.rectangle(layout.box(layout.output_px(row + 1, region.col0), region.row1 - row - 1,
                                  region.col1 - region.col0), fill=INDEX["mask"])
    rows, cols = geometry.row_taps[row], geometry.col_taps[col]
    if winners is not None:
        win_row, win_col = divmod(int(winners[row, col]), geometry.in_hw[1])
        x0, y0, x1, y1 = layout.box(layout.input_px(win_row, win_col))
        # inside the cell, so that the window's outline around it stays visible; cased in black
        # on both sides (the amber alone fades into light cells)
        draw.rectangle((x0 + OUTLINE_PX - 1, y0 + OUTLINE_PX - 1, x1 - OUTLINE_PX + 1,
                        y1 - OUTLINE_PX + 1), outline=INDEX["winner_casing"],
                       width=OUTLINE_PX + 2)
        draw.rectangle((x0 + OUTLINE_PX, y0 + OUTLINE_PX, x1 - OUTLINE_PX, y1 - OUTLINE_PX),
                       outline=INDEX["winner"], width=OUTLINE_PX)
    solid = np.all(np.diff(rows) == 1) and np.all(np.diff(cols) == 1)
    if solid:
        boxes = [layout.box(layout.input_px(int(rows[0]), int(cols[0])), len(rows), len(cols))]
    else:  # dilated: the sampled cells only, so the gaps between them stay visible
        boxes = [layout.box(layout.input_px(int(r), int(c))) for r in rows for c in cols]
    boxes.append(layout.box(layout.output_px(row, col)))
    for x0, y0, x1, y1 in boxes:  # the casing: a pixel of white on either side of the red
        draw.rectangle((x0 - 1, y0 - 1, x1 + 1, y1 + 1), outline=INDEX["window_casing"],
                       width=OUTLINE_PX + 2)
    for box in boxes:
        draw.rectangle(box, outline=INDEX["window"], width=OUTLINE_PX)
    x, y = layout.output_px(geometry.out_hw[0], 0)
    caption = f"y[{row},{col}] = {gif_number(y2d[row, col])}   ({step + 1}/{region.size})"
    draw.text((x, y + 6), caption, font=_font(15), fill=INDEX["black"])
    return picture


def animation_frames(x2d: np.ndarray, y2d: np.ndarray, geometry, region, *,
                     winners: np.ndarray | None = None, padding=0,
                     padded_value: str = "", decimals: int | None = None) -> list[Image.Image]:
    """One palette image per step of ``region`` (row by row, as the animation steps); numbers
    rounded to ``decimals`` as the figure rounds them."""
    layout = gif_layout(geometry)
    base = _base_picture(x2d, y2d, geometry, region, padding, padded_value, layout, decimals)
    return [_frame(base, layout, geometry, y2d, region, winners, step, row, col)
            for step, (row, col) in enumerate(region.steps())]


@cache_data(16)
def animation_gif(x2d: np.ndarray, y2d: np.ndarray, geometry, region, *,
                  winners: np.ndarray | None = None, padding=0, padded_value: str = "",
                  frame_ms: int = GIF_FRAME_MS, decimals: int | None = None) -> bytes:
    """The animation as an animated GIF: one frame per step, ``frame_ms`` each, looping."""
    frames = animation_frames(x2d, y2d, geometry, region, winners=winners, padding=padding,
                              padded_value=padded_value, decimals=decimals)
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=frame_ms,
                   loop=0, disposal=1)
    return buffer.getvalue()


# -- widgets --------------------------------------------------------------------------------------
def figure_config(fm, params, what: str) -> dict:
    """:func:`png_config` for a figure of ``what``, named like every other export."""
    return png_config(file_name(fm, params, what, "png").removesuffix(".png"))


def png_config(name: str) -> dict:
    """``st.plotly_chart`` config with only the mode bar's "download as PNG" button, at twice
    the figure's size (sharp on a projector), saved as ``name`` (without ``.png``)."""
    return {"displaylogo": False, "modeBarButtons": [["toImage"]],
            "toImageButtonOptions": {"format": "png", "filename": name, "scale": 2}}


def download(label: str, build: Callable[[], bytes], name: str, mime: str, key: str) -> None:
    """A download button whose bytes are made only when it is clicked (no rerun either)."""
    st.download_button(label, data=build, file_name=name, mime=mime, key=key,
                       on_click="ignore", icon=":material/download:")


def gif_button(fm, params, what: str, x2d, y2d, geometry, region, *, winners, padding,
               padded_value: str, key: str = "anim_gif", decimals: int | None = None) -> None:
    """The "animation as GIF" download button (the GIF is drawn when it is clicked)."""
    name = file_name(fm, params, what, "gif")
    download(t("export.gif", steps=region.size, seconds=GIF_FRAME_MS / 1000),
             lambda: animation_gif(x2d, y2d, geometry, region, winners=winners, padding=padding,
                                   padded_value=padded_value, decimals=decimals),
             name, "image/gif", key)


def array_buttons(fm, params, arrays: dict[str, np.ndarray], key_prefix: str) -> None:
    """CSV and NPY download buttons for each named array (``input``, ``output``), in one row."""
    row = st.container(horizontal=True, gap="small")
    too_big = False
    for what, array in arrays.items():
        with row:
            if array.size <= CSV_MAX_VALUES:
                download(t(f"export.{what}_csv"),
                         functools.partial(csv_bytes, array, fm.channel_names),
                         file_name(fm, params, what, "csv"), "text/csv",
                         f"{key_prefix}_{what}_csv")
            else:
                too_big = True
            download(t(f"export.{what}_npy"), functools.partial(npy_bytes, array),
                     file_name(fm, params, what, "npy"), "application/octet-stream",
                     f"{key_prefix}_{what}_npy")
    if too_big:
        st.caption(t("export.csv_too_big", n=f"{CSV_MAX_VALUES:,}"))
