"""CSS that keeps our controls readable and usable on a phone (no hover, 390 px wide).

Streamlit draws the first two; these rules only change how they show, never what they say:

* A code block's "Copy to clipboard" button Streamlit hides (``opacity: 0; visibility:
  hidden``) until the pointer is over the block. A touch screen has no hover, so the button never
  appeared there: :func:`code_copy_css` shows every code block's on a device that cannot hover.
* ``st.badge`` keeps its text on one line and cuts it with "…": on a phone the cross-check badge
  read "forward 0,…" and the backward difference was lost. :func:`badge_css` lets it wrap.

The Share box's link and copy button are our own HTML, styled by the box's own module
(:func:`pooling_ui.panels.share.share_box_css`). All go into the one style sheet a run
(:func:`pooling_ui.panels.display.page_css`). The selectors use Streamlit's ``data-testid``
attributes and its ``stMarkdownBadge`` class, which are part of what its own tests rely on,
rather than its generated ``st-emotion-cache-…`` names, which change with every release.
"""

from __future__ import annotations

# A code block's toolbar: its direct child that holds the copy button.
CODE_COPY_TOOLBAR = '[data-testid="stCode"] > div:has([data-testid="stElementToolbarButton"])'
# Three parts, so that the rule outweighs Streamlit's own (two) whichever comes first.
BADGE = '[data-testid="stMain"] [data-testid="stMarkdownContainer"] .stMarkdownBadge'
_SHOWN = "opacity: 1; visibility: visible; pointer-events: auto;"


def code_copy_css() -> str:
    """CSS that shows every code block's copy button on a device that cannot hover (a phone or a
    tablet); where there is a mouse, code blocks keep Streamlit's hover behaviour."""
    return f"@media (hover: none) {{ {CODE_COPY_TOOLBAR} {{ {_SHOWN} }} }}"


def badge_css() -> str:
    """CSS that lets a badge's text wrap onto more lines instead of ending in "…"."""
    return (f"{BADGE} {{ white-space: normal; overflow-wrap: anywhere; "
            "text-overflow: clip; max-width: 100%; }")


