"""The "Share this view" box under the input panel: the link of the view as it is now.

:func:`pooling_ui.panels.inputs.input_panel` keeps a place for it (:data:`SHARE_SLOT`) and draws
it once; the entry point draws it again after the parameter panel, so that the link shown has
this run's parameters too. Notes under the link say what it cannot carry (an uploaded photo,
a drawing bigger than a link's grid).
"""

from __future__ import annotations

import streamlit as st

from pooling_ui.base import urlstate
from pooling_ui.base.i18n import t

SHARE_SLOT = "in_share_slot"
SHARE_BOX_CHARS = 400  # longer links get a box of SHARE_BOX_PX that scrolls
SHARE_BOX_PX = 220


def share_link() -> str:
    """The full link of this view: the page's address and the query string as it is now."""
    params = st.query_params
    return urlstate.full_url(st.context.url, {name: params.get_all(name) for name in params})


def _share_notes(source: str, fm) -> list[str]:
    if source == "upload":
        return [t("links.share_photo")]
    if source == "type":
        return [t("links.share_typed")]
    if source == "draw":
        if fm is not None and max(fm.data.shape[1:]) > urlstate.GRID_MAX:
            return [t("links.share_drawn_too_big", limit=urlstate.GRID_MAX)]
        return [t("links.share_drawn")]
    return []


def share_box() -> None:
    """Draw (or draw again) the "Share this view" box in its place under the input panel.

    The entry point should call it after the parameter panel, so that the link shown has the
    parameters of this run; :func:`input_panel` draws it once already, with the query string as
    it is then.
    """
    slot = st.session_state.get(SHARE_SLOT)
    if slot is None:
        return
    source, fm = st.session_state.get("in_share_source", ("preset", None))
    with slot.container(), st.expander(t("links.share_title"), icon=":material/share:"):
        link = share_link()
        # a grid's link can run to thousands of characters: scroll it rather than fill the sidebar
        height = "content" if len(link) <= SHARE_BOX_CHARS else SHARE_BOX_PX
        st.code(link, language=None, wrap_lines=True, height=height)
        st.caption(t("links.share_hint"))
        if not st.context.url:
            st.caption(t("links.share_no_address"))
        for note in _share_notes(source, fm):
            st.caption(note)
