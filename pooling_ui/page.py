"""What every page shares, drawn once by the entry point: language, navigation, heading, panels.

``app.py`` calls :func:`run`. It draws the language switch, the navigation, the current page's
heading and the input and parameter panels, then runs the page. The panels live in the entry
point (Streamlit's pattern for widgets shared by pages): they are then the same widgets on every
page, so their values survive a change of page with no copying between pages. A page script gets
the input and the parameters from :func:`current`.

When there is no usable input, or the parameters are invalid (the parameter panel has already
said why), the page is not run: the input is shown unpooled instead, so a page's own code always
gets both.
"""

from __future__ import annotations

import streamlit as st

from pooling_ui.base.i18n import language_switch, t
from pooling_ui.classroom import live_sync
from pooling_ui.panels import display
from pooling_ui.panels.inputs import FeatureMap, input_panel
from pooling_ui.panels.params import PoolParams, parameter_panel
from pooling_ui.panels.share import share_box
from pooling_ui.tools import output as view_output

# Page scripts live in app_pages/, not pages/: with a pages/ folder beside the entry point,
# Streamlit runs a page's script *without* the entry point while no session has yet opened the
# app's root URL since the server started (its old multipage mode), so a shared link to
# /gradients would open without the panels.
PAGES_DIR = "app_pages"
# Material icons, not emoji: Streamlit ships their font, while a classroom machine may have no
# emoji font and would show empty boxes.
PAGES = (
    ("explorer", ":material/search:"),
    ("gradients", ":material/undo:"),
    ("compare", ":material/compare:"),
    ("shapes", ":material/straighten:"),
    ("conv", ":material/layers:"),
    ("shift", ":material/swap_horiz:"),
    ("pool1d", ":material/graphic_eq:"),
    ("quiz", ":material/quiz:"),
    ("live", ":material/co_present:"),
)
# The navigation's sections (a catalogue key ``nav_sections.<name>`` each) and their pages.
SECTIONS = {
    "tools": ("explorer", "gradients", "compare"),
    "lessons": ("shapes", "conv", "shift", "pool1d"),
    "classroom": ("quiz", "live"),
}
# Pages that bring their own input and controls (a signal is not a 2-D feature map): the shared
# input and parameter panels are not drawn for them, and they do not call :func:`current`.
OWN_PANELS = frozenset({"pool1d", "quiz"})
# Pages that run without a usable input or valid parameters: the live class's page (joining,
# answering and the teacher's results do not need them; asking about the view says so).
RUNS_WITHOUT_VIEW = frozenset({"live"})
CURRENT_KEY = "page_current"


def run() -> None:
    """The whole app: shared parts, then the page the URL names."""
    try:
        _run()
    finally:
        # the live class's timer last: its ticks cannot start before the page has this run
        live_sync.after_page()


def _run() -> None:
    language_switch()
    display.display_switch()
    pages = {
        name: st.Page(f"{PAGES_DIR}/{name}.py", title=t(f"pages.{name}.nav"), icon=icon,
                      url_path=name, default=index == 0)
        for index, (name, icon) in enumerate(PAGES)
    }
    chosen = st.navigation({t(f"nav_sections.{section}"): [pages[name] for name in names]
                            for section, names in SECTIONS.items()})
    name = next(name for name, page in pages.items() if page is chosen)
    # After the navigation, so the title can name the page: each page has its own browser title
    # (WCAG 2.4.2). A title set here is the document's; without one the browser would show the
    # page's bare navigation name (no app name), and with one set before the navigation every
    # page would have the same.
    st.set_page_config(page_title=page_title(name), layout="wide",
                       initial_sidebar_state=display.sidebar_state())
    st.title(t(f"pages.{name}.title"))
    st.caption(t(f"pages.{name}.intro"))
    # a live class: follow the teacher's view (before the panels read the link), or publish it
    live_sync.before_panels(name, pages)
    if name in OWN_PANELS:
        live_sync.publish_view(name)
        chosen.run()
        return
    fm = input_panel()
    params = parameter_panel(fm)
    share_box()  # after both panels: the link it shows has this run's values
    live_sync.publish_view(name)
    if name in RUNS_WITHOUT_VIEW:
        st.session_state[CURRENT_KEY] = (fm, params)
        chosen.run()
        return
    if fm is None:
        st.info(t("app.no_input"))
        return  # not st.stop(): it would refuse the live class's timer drawn after the page
    if params is None:
        view_output.input_only_view(fm)
        return
    st.session_state[CURRENT_KEY] = (fm, params)
    chosen.run()


def page_title(name: str, lang: str | None = None) -> str:
    """The browser's title of page ``name``: its navigation name, then the app's short name.

    Examples
    --------
    >>> page_title("explorer", "en"), page_title("explorer", "zh")
    ('Explorer · Pooling Lab', '探索 · 池化实验室')
    """
    return t("app.page_title", lang, page=t(f"pages.{name}.nav", lang),
             app=t("app.short_name", lang))


def current() -> tuple[FeatureMap, PoolParams]:
    """The input and the parameters of this run, for a page script (either may be None on a page
    of :data:`RUNS_WITHOUT_VIEW`)."""
    return st.session_state[CURRENT_KEY]
