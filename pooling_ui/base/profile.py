"""Screen profiles: how big and how contrasted figures are drawn, normal or on a projector.

A :class:`Profile` per kind of screen: :data:`NORMAL` (a 1400-px window with the sidebar open)
or :data:`PROJECTOR` (a 1024×768 projector, sidebar collapsed, large fonts, high contrast). A
session is in projector mode while ``display_projector`` (:data:`STATE_KEY`, the sidebar toggle
of :mod:`pooling_ui.panels.display`) is true; :func:`profile` reads it at run time, so a figure is
sized for the session that builds it, and a figure cache includes :func:`profile_name` in its key
(:mod:`pooling_ui.base.caching`). Code reads a size or colour of the session's screen as
``profile().page_px``, never from a constant taken at import time, which would be the normal
profile's in projector mode too. Other sizes are given in normal-profile pixels and scaled by
:func:`font_px` and :func:`line_px`, so a caller that says ``width=3`` gets a thicker line on a
projector.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

STATE_KEY = "display_projector"


def is_projector() -> bool:
    """Whether this session is in projector mode (False outside a Streamlit run)."""
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    if get_script_run_ctx(suppress_warning=True) is None:
        return False
    return bool(st.session_state.get(STATE_KEY, False))


def profile_name() -> str:
    """``"projector"`` or ``"normal"``: the name of :func:`pooling_ui.figures.grids.profile`."""
    return "projector" if is_projector() else "normal"



@dataclass(frozen=True)
class Profile:
    """How big and how contrasted figures are drawn: one per kind of screen.

    ``page_px`` is the width figures are planned for (they are sent at exactly their content's
    size, ``st.plotly_chart(width="content")``, so cells come out square and as big as planned;
    on a narrower window Streamlit shrinks a figure to its column, numbers included). Numbers in
    cells are sized by plotly to fit the cell, at most ``cell_font_share`` of the cell (between
    ``cell_font_min_px`` and ``cell_font_max_px``); one that would come out under
    ``cell_font_min_px`` is not printed (hovering still shows it). ``font_scale`` and
    ``line_scale`` multiply every other text size and line width. ``colorbar_px`` is the room
    right of a figure for its colour bar and tick labels, ``label_row_px`` the height of a row of
    labels above a grid, ``colorscale`` the sequential colour scale of values.
    """

    name: str
    page_px: int
    plot_height_max_px: int
    cell_px_max: int
    cell_font_min_px: int
    cell_font_max_px: int
    cell_font_share: float
    font_scale: float
    line_scale: float
    cell_gap_px: int
    colorbar_px: int
    label_row_px: int
    colorscale: str
    pad_color: str
    pad_line_color: str
    hatch_color: str
    pad_text_color: str


# The projector: a 1024-px-wide screen, the sidebar collapsed, the main area's padding set by
# pooling_ui.panels.display to PROJECTOR_SIDE_PADDING_PX a side, and room kept for a classic 16-px
# scrollbar (Windows, most Linux desktops): 1024 − 16 − 2 × 24 = 960 px for figures.
PROJECTOR_VIEWPORT_PX = 1024
PROJECTOR_SCROLLBAR_PX = 16
PROJECTOR_SIDE_PADDING_PX = 24
PROJECTOR_FONT_SCALE = 1.35

NORMAL = Profile(
    name="normal",
    # on a 1400-px-wide window with the sidebar open
    page_px=940,
    plot_height_max_px=600,
    # big enough to read numbers from the back of a classroom, small enough that a 64×64 grid
    # fits a screen
    cell_px_max=56,
    # a 6-pixel number helps nobody
    cell_font_min_px=10,
    cell_font_max_px=30,
    cell_font_share=0.46,
    font_scale=1.0,
    line_scale=1.0,
    cell_gap_px=1,
    colorbar_px=76,
    label_row_px=26,
    colorscale="Viridis",
    pad_color="#c9c9c9",
    pad_line_color="#9a9a9a",
    hatch_color="#b0b0b0",
    pad_text_color="#333333",
)
PROJECTOR = Profile(
    name="projector",
    page_px=PROJECTOR_VIEWPORT_PX - PROJECTOR_SCROLLBAR_PX - 2 * PROJECTOR_SIDE_PADDING_PX,
    # a 768-px screen less the browser's bar, the app's header and the figure's controls
    plot_height_max_px=500,
    cell_px_max=84,
    # 18 px reads from the back of a room on a projected 1024×768 picture
    cell_font_min_px=18,
    cell_font_max_px=40,
    cell_font_share=0.5,
    font_scale=PROJECTOR_FONT_SCALE,
    line_scale=1.6,
    # white borders between cells that survive a projector's blur
    cell_gap_px=2,
    colorbar_px=96,
    label_row_px=36,
    # Cividis: lightness rises steadily end to end and it stays distinct for colour-blind
    # viewers; a washed-out projector keeps its order of light and dark.
    colorscale="Cividis",
    pad_color="#b8b8b8",
    pad_line_color="#505050",
    # dark enough to see from the back, light enough not to cross out the "0" or "−∞" written
    # in each padding cell
    hatch_color="#747474",
    pad_text_color="#000000",
)
PROFILES = {NORMAL.name: NORMAL, PROJECTOR.name: PROJECTOR}

# Text that is not a cell's number (labels, buttons, colour bar), in the normal profile.
UI_FONT_PX = 13
SMALL_FONT_PX = 12


def profile() -> Profile:
    """The display profile of this session (:data:`NORMAL` outside a Streamlit run)."""
    return PROJECTOR if is_projector() else NORMAL


def font_px(size: float) -> int:
    """A text size given in normal-profile pixels, in this session's profile.

    Examples
    --------
    >>> font_px(13), font_px(15)
    (13, 15)
    """
    return round(size * profile().font_scale)


def line_px(width: float) -> float:
    """A line width given in normal-profile pixels, in this session's profile."""
    return round(width * profile().line_scale, 2)


def ui_font_px() -> int:
    """Labels, buttons and hover texts."""
    return font_px(UI_FONT_PX)


def small_font_px() -> int:
    """Tick labels and the slider's step numbers."""
    return font_px(SMALL_FONT_PX)
