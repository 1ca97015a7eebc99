"""Small pieces several views share: which plane a view works on, names of kinds and channels.

No pooling here: a view picks a channel (and, for a photo, a small crop) of the input it is
given, and words what it shows through the catalogue.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from pooling_ui.base.i18n import labeller, t

# A photo is too big to watch cell by cell: the animation and the gradient picture work on a
# crop of this many cells a side.
PHOTO_CROP = 16


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
    top_column, left_column = st.columns(2)
    with top_column:
        top = position_slider(t("views.crop_row"), height - PHOTO_CROP, f"{key_prefix}_crop_row",
                              height // 2)
    with left_column:
        left = position_slider(t("views.crop_col"), width - PHOTO_CROP, f"{key_prefix}_crop_col",
                               width // 2)
    return np.ascontiguousarray(plane[top:top + PHOTO_CROP, left:left + PHOTO_CROP])


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
