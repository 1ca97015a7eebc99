"""The display profile of a session: normal, or projector mode for a classroom's 1024×768 beamer.

Projector mode is what a room full of people reading one projected screen needs: the sidebar
collapsed when a page opens, text about 1.35× larger, a main area with narrow margins, and
figures planned for that screen (the sizes, fonts and colours of
:data:`pooling_ui.base.profile.PROJECTOR`: a 960-px page, bigger cells, numbers of at least 18 px,
thicker outlines, clearly hatched padding, the Cividis colour scale).

State and link:

* ``display_projector`` (session state, the sidebar toggle's key): ``True`` in projector mode;
* ``?projector=1`` in a link turns it on for the session the link opens (read once per session,
  any of the usual true/false words; a value that is neither gives an ``st.warning`` and normal
  mode). While it is on, the link carries ``projector=1``; off, the name is left out;
* ``display_url_read`` / ``display_url_warnings``: :class:`pooling_ui.base.linkstate.Link`'s
  bookkeeping.

Figures read the profile while they are built (:func:`pooling_ui.base.profile.profile`), so a
figure cache must include :func:`profile_name` in its key.
"""

from __future__ import annotations

import streamlit as st

from pooling_ui.base import a11y_css, urlstate
from pooling_ui.base import profile as pf
from pooling_ui.base.i18n import SCRIPT_MARK, Message, t
from pooling_ui.base.linkstate import Link
from pooling_ui.base.profile import STATE_KEY, is_projector
from pooling_ui.panels import share

URL_NAME = "projector"
LINK = Link("display", (URL_NAME,))


def read_url(query: dict[str, str]) -> tuple[dict, list[Message]]:
    """The toggle's state from a link's ``{name: text}``, and a warning for a bad value.

    Examples
    --------
    >>> read_url({"projector": "1"}), read_url({})
    (({'display_projector': True}, []), ({}, []))
    >>> read_url({"projector": "beamer"})[1][0].key
    'display.url_bad'
    """
    if URL_NAME not in query:
        return {}, []
    raw = query[URL_NAME]
    try:
        return {STATE_KEY: urlstate.parse_bool(raw)}, []
    except urlstate.UrlValueError as error:
        return {STATE_KEY: False}, [Message("display.url_bad",
                                            {"raw": raw, "reason": error.message})]


def sidebar_state() -> str:
    """``initial_sidebar_state`` of the page: collapsed on a projector, Streamlit's own rule
    (open on a wide window) otherwise."""
    return "collapsed" if is_projector() else "auto"


def display_switch() -> bool:
    """The "Projector mode" toggle in the sidebar, the link kept in step with it, and the app's
    style sheet (:func:`page_css`: projector mode's rules when it is on); returns whether it
    is on."""
    warnings = LINK.read(read_url)
    st.session_state.setdefault(STATE_KEY, False)
    with st.sidebar:
        st.toggle(t("display.projector"), key=STATE_KEY, help=t("display.projector_help"),
                  on_change=LINK.forget)
        LINK.show(warnings)
    on = is_projector()
    LINK.write({URL_NAME: "1"} if on else {})
    # One style sheet a run, in either mode (a style-only st.html takes no room on the page).
    st.html(f"<style>{page_css(on)}</style>")
    return on


# How much of the text's colour a caption keeps. Streamlit fades captions to 60 % (an opacity),
# 3.9:1 against the white page and 3.8:1 against the sidebar: under WCAG AA's 4.5:1 for text.
# 75 % gives 6.1:1 and 5.9:1 with the light theme's text colour (#2f2d2b) and still reads as
# secondary; an opacity, not a colour, so the dark theme's captions stay light on dark.
CAPTION_OPACITY = 0.75


def page_css(projector: bool) -> str:
    """The app's style sheet, one a run: readable captions, copy buttons and a badge that work on
    a phone (:mod:`pooling_ui.base.a11y_css`), and projector mode's rules when it is on."""
    return (caption_css() + a11y_css.code_copy_css() + share.share_box_css()
            + a11y_css.badge_css()
            + SIDEBAR_FORMULA_CSS + (projector_css() if projector else ""))


# KaTeX lets a display formula scroll sideways when it is a pixel or two too wide — and always in
# a collapsed sidebar (projector mode starts with one), whose width is 0: a scrolling region a
# keyboard cannot reach. The sidebar's formula is sized to fit its width (and in projector mode
# kept at its normal size, below), so it needs no scrolling there.
SIDEBAR_FORMULA_CSS = '[data-testid="stSidebar"] .katex-display { overflow: visible; }'



def caption_css() -> str:
    """Captions at :data:`CAPTION_OPACITY` instead of Streamlit's fainter 60 %, and no room
    taken by the element of the app's own scripts (:func:`pooling_ui.i18n.language_script`).

    The ``.stApp`` prefix outranks Streamlit's own rule for the same element, whatever order
    the two style sheets come in.
    """
    return (f'.stApp [data-testid="stCaptionContainer"] {{ opacity: {CAPTION_OPACITY:g}; }}'
            '[data-testid="stElementContainer"]:has(> [data-testid="stHtml"]'
            f" > script[{SCRIPT_MARK}]) {{ display: none; }}")


def projector_css() -> str:
    """Larger text everywhere, captions in full contrast, and a main area as wide as a 1024-px
    screen allows (after :func:`caption_css`, which it overrides for captions).

    Streamlit sizes its text and spacing in ``rem``, so a larger root font scales every widget
    at once. Its wide layout pads the main area by ``5rem`` a side — 108 px at that root size —
    so the padding is set in pixels instead, to what :data:`pooling_ui.base.profile.PROJECTOR`'s
    page width assumes. Captions are drawn in the text's own colour (not faded: a projector
    fades them enough), whatever the theme: Streamlit fades them with an opacity, not a colour.
    """
    side = pf.PROJECTOR_SIDE_PADDING_PX
    return (
        f"html {{ font-size: {16 * pf.PROJECTOR_FONT_SCALE:g}px; }}"
        '[data-testid="stMainBlockContainer"] {'
        f" padding-left: {side}px; padding-right: {side}px; padding-top: 4rem;"
        " max-width: none; }"
        '.stApp [data-testid="stCaptionContainer"] { opacity: 1; }'
        # The sidebar keeps its width while the text grows: its output-size formula keeps its
        # normal size there (KaTeX draws at 1.21em), so it still fits when the sidebar opens.
        '[data-testid="stSidebar"] .katex-display > .katex'
        f" {{ font-size: {1.21 / pf.PROJECTOR_FONT_SCALE:.3f}em; }}"
    )
