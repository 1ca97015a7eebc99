"""CSS that keeps two of our controls readable and usable on a phone (no hover, 390 px wide).

Streamlit draws both elements; these rules only change how they show, never what they say:

* The Share box's link is an ``st.code`` block, whose "Copy to clipboard" button Streamlit
  hides (``opacity: 0; visibility: hidden``) until the pointer is over the block. A touch screen
  has no hover, so the button the box's hint points at never appeared: :func:`share_box_css`
  shows it always, and every code block's on a device that cannot hover.
* ``st.badge`` keeps its text on one line and cuts it with "…": on a phone the cross-check badge
  read "forward 0,…" and the backward difference was lost. :func:`badge_css` lets it wrap.

Both go into the one style sheet a run (:func:`pooling_ui.panels.display.page_css`). The
selectors use Streamlit's ``data-testid`` attributes and its ``stMarkdownBadge`` class, which
are part of what its own tests rely on, rather than its generated ``st-emotion-cache-…`` names,
which change with every release.
"""

from __future__ import annotations

# A code block's toolbar: its direct child that holds the copy button.
CODE_COPY_TOOLBAR = '[data-testid="stCode"] > div:has([data-testid="stElementToolbarButton"])'
# The only st.code in the sidebar is the Share box's link (pooling_ui.panels.share.share_box).
SHARE_COPY_TOOLBAR = f'[data-testid="stSidebar"] {CODE_COPY_TOOLBAR}'
# Three parts, so that the rule outweighs Streamlit's own (two) whichever comes first.
BADGE = '[data-testid="stMain"] [data-testid="stMarkdownContainer"] .stMarkdownBadge'
_SHOWN = "opacity: 1; visibility: visible; pointer-events: auto;"


def share_box_css() -> str:
    """CSS that shows the Share box's copy button without hover, and every code block's on a
    device that cannot hover (a phone or a tablet).

    The Share box's button shows always, on every screen: its hint tells people to use it. Other
    code blocks keep Streamlit's hover behaviour where there is a mouse.
    """
    return (f"{SHARE_COPY_TOOLBAR} {{ {_SHOWN} }}\n"
            f"@media (hover: none) {{ {CODE_COPY_TOOLBAR} {{ {_SHOWN} }} }}")


def badge_css() -> str:
    """CSS that lets a badge's text wrap onto more lines instead of ending in "…"."""
    return (f"{BADGE} {{ white-space: normal; overflow-wrap: anywhere; "
            "text-overflow: clip; max-width: 100%; }")


