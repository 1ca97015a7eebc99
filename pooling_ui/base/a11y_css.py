"""CSS that keeps our controls readable and usable on a phone (no hover, 390 px wide).

Streamlit draws the first two; these rules only change how they show, never what they say:

* A code block's "Copy to clipboard" button Streamlit hides (``opacity: 0; visibility:
  hidden``) until the pointer is over the block. A touch screen has no hover, so the button never
  appeared there: :func:`code_copy_css` shows every code block's on a device that cannot hover.
* ``st.badge`` keeps its text on one line and cuts it with "…": on a phone the cross-check badge
  read "forward 0,…" and the backward difference was lost. :func:`badge_css` lets it wrap.

The Share box's link and copy button are our own HTML
(:func:`pooling_ui.panels.share.share_html`); :func:`share_box_css` draws them. All three go
into the one style sheet a run (:func:`pooling_ui.panels.display.page_css`). The
selectors use Streamlit's ``data-testid`` attributes and its ``stMarkdownBadge`` class, which
are part of what its own tests rely on, rather than its generated ``st-emotion-cache-…`` names,
which change with every release.
"""

from __future__ import annotations

from pooling_ui.panels import share

# A code block's toolbar: its direct child that holds the copy button.
CODE_COPY_TOOLBAR = '[data-testid="stCode"] > div:has([data-testid="stElementToolbarButton"])'
# Three parts, so that the rule outweighs Streamlit's own (two) whichever comes first.
BADGE = '[data-testid="stMain"] [data-testid="stMarkdownContainer"] .stMarkdownBadge'
_SHOWN = "opacity: 1; visibility: visible; pointer-events: auto;"


def code_copy_css() -> str:
    """CSS that shows every code block's copy button on a device that cannot hover (a phone or a
    tablet); where there is a mouse, code blocks keep Streamlit's hover behaviour."""
    return f"@media (hover: none) {{ {CODE_COPY_TOOLBAR} {{ {_SHOWN} }} }}"


def share_box_css() -> str:
    """CSS of the Share box's link and copy button (:mod:`pooling_ui.panels.share`).

    Every colour is the theme's text colour (``currentColor``, inherited) over the sidebar's own
    background, which stays visible through the box: the text and the button's label and border
    have the contrast of the sidebar's text in either theme and in projector mode. The button is
    always visible (no hover needed), and a keyboard focus is drawn around it and around the
    scrolling box of a long link.
    """
    focus = "outline: 2px solid currentColor; outline-offset: 2px;"
    return (
        f".{share.BOX_CLASS} {{ color: inherit; }}"
        f".{share.LINK_CLASS} {{ font-family: 'Source Code Pro', monospace; font-size: 0.875rem;"
        " line-height: 1.5; white-space: pre-wrap; overflow-wrap: anywhere; user-select: text;"
        " padding: 0.5rem 0.75rem; border-radius: 0.5rem;"
        " border: 1px solid color-mix(in srgb, currentColor 40%, transparent);"
        " background: transparent; }"
        f".{share.SCROLLS_CLASS} {{ overflow-y: auto; }}"
        f".{share.LINK_CLASS}:focus-visible {{ {focus} }}"
        ".pl-share-bar { display: flex; align-items: center; gap: 0.75rem;"
        " margin-top: 0.5rem; }"
        f".{share.BUTTON_CLASS} {{ font: inherit; font-size: 0.875rem; color: inherit;"
        " background: transparent; border: 1px solid currentColor; border-radius: 0.5rem;"
        " padding: 0.25rem 0.75rem; min-height: 2.25rem; cursor: pointer; }"
        f".{share.BUTTON_CLASS}:hover {{ text-decoration: underline; }}"
        f".{share.BUTTON_CLASS}:focus-visible {{ {focus} }}"
        f".{share.STATUS_CLASS} {{ font-size: 0.875rem; }}"
    )


def badge_css() -> str:
    """CSS that lets a badge's text wrap onto more lines instead of ending in "…"."""
    return (f"{BADGE} {{ white-space: normal; overflow-wrap: anywhere; "
            "text-overflow: clip; max-width: 100%; }")


