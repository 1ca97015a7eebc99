"""The "Share this view" box under the input panel: the link of the view as it is now.

:func:`pooling_ui.panels.inputs.input_panel` keeps a place for it (:data:`SHARE_SLOT`) and draws
it once; the entry point draws it again after the parameter panel, so that the link shown has
this run's parameters too. Notes under the link say what it cannot carry (an uploaded photo,
a drawing bigger than a link's grid).

The link and its copy button are a small piece of our own HTML (:func:`share_html`), not an
``st.code`` block: the code block made every load of the Explorer evaluate Streamlit's syntax
highlighter (Prism with every language, about a quarter of a warm load's main-thread time) to show
one line of plain text. The link is user data (a typed grid's cells are in it), so it enters the
HTML only through :func:`html.escape`, and the script reads it back from the element's text; the
script's own source is the same for every link. Its styles are in
:func:`share_box_css`.
"""

from __future__ import annotations

import html

import streamlit as st

from pooling_ui.base import urlstate
from pooling_ui.base.i18n import t, t_plain

SHARE_SLOT = "in_share_slot"
SHARE_BOX_CHARS = 400  # longer links get a box of SHARE_BOX_PX that scrolls
SHARE_BOX_PX = 220
# The class names of the box's parts, which the script and the style sheet find them by.
BOX_CLASS = "pl-share"
LINK_CLASS = "pl-share-link"
BUTTON_CLASS = "pl-share-copy"
STATUS_CLASS = "pl-share-status"
SCROLLS_CLASS = "pl-share-scrolls"
COPIED_MS = 2500  # how long "Copied" stays next to the button

# One listener for the whole page, on the document, put there by the first box's script: the box
# is drawn twice a run and again whenever its link changes (st.html then replaces its content and
# runs its script anew), and a listener on the document serves every copy of the button without
# being added twice. The link is read from the box's text, never written into this source.
# ``navigator.clipboard`` exists only in a secure context (https, localhost); a class opening the
# app at a LAN address over plain http gets the older execCommand("copy") on a selected textarea.
_COPY_SCRIPT = (
    "<script>(() => {"
    "if (window.poolingLabShareCopy) { return; }"
    "window.poolingLabShareCopy = true;"
    "const byHand = text => {"
    " const area = document.createElement('textarea');"
    " area.value = text; area.setAttribute('readonly', '');"
    " area.style.cssText = 'position:fixed;top:0;left:0;width:1px;height:1px;opacity:0;';"
    " const back = document.activeElement;"
    " document.body.appendChild(area); area.select(); area.setSelectionRange(0, text.length);"
    " let done = false; try { done = document.execCommand('copy'); } catch (e) { done = false; }"
    " area.remove(); if (back && back.focus) { back.focus({preventScroll: true}); }"
    " return done; };"
    "document.addEventListener('click', event => {"
    f" const button = event.target.closest && event.target.closest('button.{BUTTON_CLASS}');"
    " if (!button) { return; }"
    f" const box = button.closest('.{BOX_CLASS}');"
    f" const text = box.querySelector('.{LINK_CLASS}').textContent;"
    f" const status = box.querySelector('.{STATUS_CLASS}');"
    " const say = done => {"
    "  status.textContent = done ? button.dataset.textCopied : button.dataset.textFailed;"
    "  clearTimeout(status.poolingLabTimer);"
    f"  status.poolingLabTimer = setTimeout(() => {{ status.textContent = ''; }}, {COPIED_MS}); }};"
    " if (navigator.clipboard && navigator.clipboard.writeText) {"
    "  navigator.clipboard.writeText(text).then(() => say(true), () => say(byHand(text)));"
    " } else { say(byHand(text)); }"
    "});"
    "})();</script>"
)


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


def share_html(link: str, lang: str | None = None) -> str:
    """The box's HTML: ``link`` as selectable text, a copy button and a live region for "Copied".

    ``link`` goes in only through :func:`html.escape`, as a text node; the button's words are
    the catalogue's, in ``lang`` (default: the session's). A link longer than
    :data:`SHARE_BOX_CHARS` scrolls in a box of :data:`SHARE_BOX_PX`, which is then a named,
    focusable region so that a keyboard can scroll it too.

    Examples
    --------
    >>> box = share_html('?grid=1,2"><img src=x onerror=alert(1)>', "en")
    >>> '<img' in box, '&quot;&gt;&lt;img src=x onerror=alert(1)&gt;' in box
    (False, True)
    """
    def say(key: str) -> str:
        return html.escape(t_plain(f"links.{key}", lang))

    scrolls = len(link) > SHARE_BOX_CHARS
    region = (f' class="{LINK_CLASS} {SCROLLS_CLASS}" role="region" tabindex="0"'
              f' aria-label="{say("share_link_label")}" style="max-height: {SHARE_BOX_PX}px"'
              if scrolls else f' class="{LINK_CLASS}"')
    return (f'<div class="{BOX_CLASS}">'
            f'<div{region} translate="no">{html.escape(link)}</div>'
            f'<div class="pl-share-bar"><button type="button" class="{BUTTON_CLASS}"'
            f' data-text-copied="{say("share_copied")}"'
            f' data-text-failed="{say("share_copy_failed")}">{say("share_copy")}</button>'
            f'<span class="{STATUS_CLASS}" role="status" aria-live="polite"></span></div>'
            f"</div>{_COPY_SCRIPT}")


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
        # a grid's link can run to thousands of characters: it scrolls rather than fill the
        # sidebar (share_html)
        st.html(share_html(share_link()), unsafe_allow_javascript=True)
        st.caption(t("links.share_hint"))
        if not st.context.url:
            st.caption(t("links.share_no_address"))
        for note in _share_notes(source, fm):
            st.caption(note)


def share_box_css() -> str:
    """CSS of the Share box's link and copy button (:func:`share_html`).

    Every colour is the theme's text colour (``currentColor``, inherited) over the sidebar's own
    background, which stays visible through the box: the text and the button's label and border
    have the contrast of the sidebar's text in either theme and in projector mode. The button is
    always visible (no hover needed), and a keyboard focus is drawn around it and around the
    scrolling box of a long link.
    """
    focus = "outline: 2px solid currentColor; outline-offset: 2px;"
    return (
        f".{BOX_CLASS} {{ color: inherit; }}"
        f".{LINK_CLASS} {{ font-family: 'Source Code Pro', monospace; font-size: 0.875rem;"
        " line-height: 1.5; white-space: pre-wrap; overflow-wrap: anywhere; user-select: text;"
        " padding: 0.5rem 0.75rem; border-radius: 0.5rem;"
        " border: 1px solid color-mix(in srgb, currentColor 40%, transparent);"
        " background: transparent; }"
        f".{SCROLLS_CLASS} {{ overflow-y: auto; }}"
        f".{LINK_CLASS}:focus-visible {{ {focus} }}"
        ".pl-share-bar { display: flex; align-items: center; gap: 0.75rem;"
        " margin-top: 0.5rem; }"
        f".{BUTTON_CLASS} {{ font: inherit; font-size: 0.875rem; color: inherit;"
        " background: transparent; border: 1px solid currentColor; border-radius: 0.5rem;"
        " padding: 0.25rem 0.75rem; min-height: 2.25rem; cursor: pointer; }"
        f".{BUTTON_CLASS}:hover {{ text-decoration: underline; }}"
        f".{BUTTON_CLASS}:focus-visible {{ {focus} }}"
        f".{STATUS_CLASS} {{ font-size: 0.875rem; }}"
    )
