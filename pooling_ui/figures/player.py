"""The play buttons and the step slider under an animated plotly figure.

The Explorer's animation and the 1-D lesson's stretch animation use the same controls, worded
through the catalogue (``animation.*``), so they look and behave alike.
"""

from __future__ import annotations

from pooling_ui.base import profile as pf
from pooling_ui.base.i18n import t

# A slider step's animate options, as short as they can be: one per step must fit the budget.
# With mode "immediate" a step interrupts any queued frame, so no durations are needed.
SCRUB_OPTIONS = {"mode": "immediate", "frame": {"redraw": False}}
# Milliseconds per step for the in-figure speed buttons.
SPEEDS_MS = {"slow": 1200, "normal": 500, "fast": 150}
# The buttons' row starts BUTTONS_TOP_PX below the plot, the slider's row SLIDER_TOP_PX below.
BUTTONS_TOP_PX = 10
SLIDER_TOP_PX = 52


def _animate_args(duration_ms: int) -> dict:
    return {"frame": {"duration": duration_ms, "redraw": False}, "fromcurrent": True,
            "transition": {"duration": 0}, "mode": "immediate"}


def play_buttons() -> dict:
    buttons = [
        {"label": t("animation.play"), "method": "animate",
         "args": [None, _animate_args(SPEEDS_MS["normal"])]},
        {"label": t("animation.slow"), "method": "animate",
         "args": [None, _animate_args(SPEEDS_MS["slow"])]},
        {"label": t("animation.fast"), "method": "animate",
         "args": [None, _animate_args(SPEEDS_MS["fast"])]},
        {"label": t("animation.pause"), "method": "animate",
         "args": [[None], {"frame": {"duration": 0, "redraw": False}, "mode": "immediate",
                           "transition": {"duration": 0}}]},
    ]
    return {"type": "buttons", "direction": "left", "showactive": False, "buttons": buttons,
            "x": 0, "y": 0, "xanchor": "left", "yanchor": "top",
            "pad": {"t": pf.font_px(BUTTONS_TOP_PX)}, "font": {"size": pf.ui_font_px()}}


def step_slider(count: int, active: int) -> dict:
    steps = [{"method": "animate", "label": str(step + 1), "args": [[str(step)], SCRUB_OPTIONS]}
             for step in range(count)]
    return {"active": active, "steps": steps, "x": 0, "len": 1, "y": 0, "xanchor": "left",
            "yanchor": "top", "pad": {"t": pf.font_px(SLIDER_TOP_PX), "l": 4, "r": 12},
            "font": {"size": pf.small_font_px()},
            "currentvalue": {"prefix": t("animation.step_prefix"),
                             "suffix": t("animation.step_suffix"), "xanchor": "left",
                             "font": {"size": pf.ui_font_px()}},
            "transition": {"duration": 0}}
