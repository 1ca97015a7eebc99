"""The teacher shares the uploaded photo on screen with the live class — only on a press.

A photo is never in a link (:mod:`pooling_ui.classroom.live_sync`), so a class does not follow
a teacher's upload by itself. On the teacher's Live class page, while the input is an uploaded
photo, :func:`share_section` says what would be shared and offers "Share this photo with the
class". Pressing it reduces the picture the app pools to at most
:data:`~pooling_ui.data.shared_photos.PHOTO_SIDE` pixels a side, 8 bits a value
(:func:`pooling_ui.data.shared_photos.reduce_photo`), writes it as a PNG with no metadata, stores
it with the class (:meth:`pooling_live.Store.share_photo`: the teacher key only, at most
:data:`pooling_live.PHOTO_MAX_BYTES`) and makes it the teacher's own input too, decoded from the
same bytes the students read: teacher and class pool the same numbers. The teacher's view then
names the photo and following students show it. The photo is deleted when the class ends or
expires.

Session-state keys: the share button ``live_photo_share``; the photo itself is the input panel's
:data:`pooling_ui.panels.inputs.CLASS_PHOTO`.
"""

from __future__ import annotations

import streamlit as st

import pooling_live as pl
from pooling_ui.base.i18n import t
from pooling_ui.classroom import live_sync as ls
from pooling_ui.data import shared_photos
from pooling_ui.panels import inputs

SHARE_KEY = "live_photo_share"


def _share(fm: inputs.FeatureMap, code: str, teacher_key: str) -> None:
    """The button's callback (before the run, so that this run's view already names the photo)."""
    png = shared_photos.encode_png(shared_photos.reduce_photo(fm.data))
    name = fm.label if isinstance(fm.label, str) else ""  # an upload's label is its file name
    try:
        photo_id = ls.store().share_photo(code, teacher_key, png, name)
    except pl.LiveError as error:
        st.session_state[ls.ERROR] = ls.error_message(error)
        return
    # what the students will decode, byte for byte
    st.session_state[inputs.CLASS_PHOTO] = inputs.class_photo_map(
        photo_id, name, shared_photos.decode_png(png))


def share_section(fm: inputs.FeatureMap | None, code: str, teacher_key: str) -> None:
    """The teacher page's box: what sharing the uploaded photo on screen sends, and the button;
    or which photo the class is shown; or how to share one."""
    with st.container(border=True):
        st.subheader(t("live.photo.heading"))
        if fm is not None and fm.source == "class":
            _, height, width = fm.shape
            st.success(t("live.photo.shown", photo=fm.name, h=height, w=width),
                       icon=":material/co_present:")
            st.caption(t("live.photo.another"))
            return
        if fm is None or fm.source != "upload":
            st.caption(t("live.photo.how"))
            return
        height, width = shared_photos.reduced_shape(*fm.shape[1:])
        colour = t("live.photo.rgb") if fm.shape[0] == 3 else t("live.photo.gray")
        st.markdown(t("live.photo.what", name=fm.name, h=height, w=width, colour=colour,
                      side=shared_photos.PHOTO_SIDE, limit=f"{pl.PHOTO_MAX_BYTES:,}"))
        st.button(t("live.photo.share"), key=SHARE_KEY, icon=":material/ios_share:",
                  type="primary", on_click=_share, args=(fm, code, teacher_key))
