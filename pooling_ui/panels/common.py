"""Small pieces several views share: which plane a view works on, names of kinds and channels.

No pooling here: a view picks a channel (and, for a photo, a small crop) of the input it is
given, and words what it shows through the catalogue.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from pooling_ui.base.i18n import labeller, t
from pooling_ui.figures.pictures import feature_map_busiest

# A photo is too big to watch cell by cell: the animation and the gradient picture work on a
# crop of this many cells a side.
PHOTO_CROP = 16
# Session state ``<prefix>_crop_for``: the key of the photo a view's crop sliders were set for.
CROP_FOR = "_crop_for"
# Session state: (feature map key, crop) of the animation crop last outlined on the photo.
DRAWN_CROP_KEY = "output_crop_drawn"
# The animation's widgets are keyed with this prefix; its crop is read back by animated_crop.
ANIMATION_PREFIX = "anim"


def kind_name(kind: str) -> str:
    """A kind's name for people, in the session's language."""
    return t(f"kinds.{kind}.name")


def channel_name(name: str) -> str:
    """``"gray"``, ``"R"``, ``"G"`` or ``"B"`` in the session's language."""
    return t(f"views.channels.{name}")


def position_slider(label: str, maximum: int, key: str, default: int) -> int:
    """A slider for a start position in ``[0, maximum]`` (none needed when there is no room)."""
    if maximum <= 0:
        return 0
    return int(st.slider(label, 0, maximum, min(default, maximum), key=key,
                         persist_state="session"))


def pick_plane(fm, key_prefix: str, photo_note_key: str) -> np.ndarray:
    """The one plane a view works on: a channel chosen here, and for a photo a
    :data:`PHOTO_CROP`-sided crop of it (its position chosen here too, ``photo_note_key`` saying
    what the view does with it). Widgets are keyed ``<key_prefix>_channel`` and
    ``<key_prefix>_crop_row``/``_crop_col``."""
    data = fm.data
    channel = 0
    if data.shape[0] > 1:
        channel = int(st.radio(t("views.channel"), range(data.shape[0]),
                               format_func=labeller("views.channels.", names=fm.channel_names),
                               horizontal=True, key=f"{key_prefix}_channel",
                               help=t("views.channel_help"), persist_state="session") or 0)
    plane = data[min(channel, data.shape[0] - 1)]
    if not fm.is_photo:
        return plane
    height, width = plane.shape
    st.caption(t(photo_note_key, size=PHOTO_CROP))
    busy_top, busy_left = feature_map_busiest(fm, PHOTO_CROP)
    if st.session_state.get(f"{key_prefix}{CROP_FOR}") != fm.key:
        # a new photo opens on its busiest crop, not where the last one's crop was
        st.session_state[f"{key_prefix}_crop_row"] = busy_top
        st.session_state[f"{key_prefix}_crop_col"] = busy_left
        st.session_state[f"{key_prefix}{CROP_FOR}"] = fm.key
    top_column, left_column = st.columns(2)
    with top_column:
        top = position_slider(t("views.crop_row"), height - PHOTO_CROP, f"{key_prefix}_crop_row",
                              busy_top)
    with left_column:
        left = position_slider(t("views.crop_col"), width - PHOTO_CROP, f"{key_prefix}_crop_col",
                               busy_left)
    return np.ascontiguousarray(plane[top:top + PHOTO_CROP, left:left + PHOTO_CROP])


def photo_crop(fm, key_prefix: str) -> tuple[int, int, int, int]:
    """``(row0, col0, row1, col1)`` of the crop :func:`pick_plane` (keyed ``key_prefix``) works
    on: where its sliders were left for this photo, else the photo's busiest crop (where
    :func:`pick_plane` opens)."""
    height, width = fm.data.shape[-2:]
    if st.session_state.get(f"{key_prefix}{CROP_FOR}") == fm.key:
        top = int(st.session_state.get(f"{key_prefix}_crop_row", 0) or 0)
        left = int(st.session_state.get(f"{key_prefix}_crop_col", 0) or 0)
    else:
        top, left = feature_map_busiest(fm, PHOTO_CROP)
    top = int(np.clip(top, 0, max(height - PHOTO_CROP, 0)))
    left = int(np.clip(left, 0, max(width - PHOTO_CROP, 0)))
    return top, left, min(top + PHOTO_CROP, height), min(left + PHOTO_CROP, width)


def clicked_cell(event, out_w: int) -> tuple[int, int] | None:
    """The ``(row, col)`` a click on a grid figure picked, from ``st.plotly_chart``'s selection
    event: the cell's ``customdata`` when the clicked marker carries it, else the marker's index
    in row-major order over ``out_w`` columns; None when the event picked nothing.

    Examples
    --------
    >>> clicked_cell({"selection": {"points": [{"customdata": [2, 3]}]}}, 5)
    (2, 3)
    >>> clicked_cell({"selection": {"points": [{"point_index": 7}]}}, 5), clicked_cell(None, 5)
    ((1, 2), None)
    """
    try:
        points = event["selection"]["points"]
    except (KeyError, TypeError):
        return None
    for point in points:
        data = point.get("customdata")
        if isinstance(data, (list, tuple)) and len(data) == 2:
            return int(data[0]), int(data[1])
        if "point_index" in point:
            return divmod(int(point["point_index"]), max(out_w, 1))
    return None


def shape_text(shape: tuple[int, ...]) -> str:
    """``3×224×224`` for a shape."""
    return "×".join(str(int(n)) for n in shape)


def animated_crop(fm) -> tuple[int, int, int, int]:
    """``(row0, col0, row1, col1)`` of the photo crop the animation works on, as
    :func:`pick_plane`'s sliders (keyed :data:`ANIMATION_PREFIX`) left it."""
    return photo_crop(fm, ANIMATION_PREFIX)


def crop_outline_is_stale(fm) -> bool:
    """Whether the crop outlined on the photo (last drawn by the output view's photo views) is no
    longer the animation's: the animation's fragment then reruns the page to move it."""
    drawn = st.session_state.get(DRAWN_CROP_KEY)
    crop = animated_crop(fm)
    stale = drawn is not None and drawn[0] == fm.key and drawn[1] != crop
    if stale:
        # marked as drawn now: the page's rerun draws it, and must not rerun again
        st.session_state[DRAWN_CROP_KEY] = (fm.key, crop)
    return stale
