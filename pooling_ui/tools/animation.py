"""The Explorer's sliding window: the animated figure (:mod:`pooling_ui.figures.sliding`), keyboard
controls beside it (Previous / Play step by step / Next), the arithmetic of the step shown (also
announced politely to screen readers), the step's grids as tables, and the GIF export.

The worked arithmetic comes from :func:`pooling_core.explain`. Nothing is computed here.
"""

from __future__ import annotations

import html
import time

import numpy as np
import streamlit as st

from pooling_ui.base import engine
from pooling_ui.base import profile as pf
from pooling_ui.base.caching import cached_figure
from pooling_ui.base.i18n import t, t_plain
from pooling_ui.base.timers import every
from pooling_ui.figures import grids as fg
from pooling_ui.figures import tables
from pooling_ui.figures.grids import declared_padding
from pooling_ui.figures.sliding import (
    COLUMN_GAP_PX,
    SIDE_BY_SIDE_MIN_CELL_PX,
    Painter,
    Region,
    build_animation_figure,
    column_px,
    figure_at_step,
    figure_extent,
    figure_width_px,
    frame_cap,
    pad_label,
    playing_figure,
    region_shape,
)
from pooling_ui.panels.common import (
    ANIMATION_PREFIX,
    animated_crop,
    crop_outline_is_stale,
    pick_plane,
    position_slider,
)
from pooling_ui.tools import export

# -- the Streamlit view ----------


def animation_view(fm, params) -> None:
    """The animation and, beside it, the arithmetic of a chosen step (a fragment: its widgets
    rerun only this part of the page)."""
    st.header(t("animation.heading"))
    _animation_fragment(fm, params)


# Keyboard controls: Previous / Play-Pause / Next are Streamlit buttons (focusable, operable
# with Enter and Space). "Play step by step" reruns only the step's view, once every TICK_S
# seconds, through a nested fragment with ``run_every``; plotly's own Play keeps running in the
# browser at no server cost for those who use a mouse.
ANIM_FRAGMENT_KEY = "anim_view"
STEP_KEY = "anim_step"
PLAYING_KEY = "anim_playing"
# (time.monotonic() when the step was ANCHOR's step, that step): the step shown while playing is
# worked out from the time elapsed, so a late or an extra rerun never speeds the animation up.
ANCHOR_KEY = "anim_play_anchor"
TICK_S = 1.5
# A visually hidden box a screen reader still reads (the usual "sr-only" rules).
SR_ONLY = ("position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;"
           "clip:rect(0,0,0,0);white-space:nowrap;border:0")


@st.fragment(key=ANIM_FRAGMENT_KEY)
def _animation_fragment(fm, params) -> None:
    with engine.view_guard("animation"):
        plane = pick_plane(fm, ANIMATION_PREFIX, "animation.photo_note")
        if fm.is_photo and crop_outline_is_stale(fm):
            st.rerun()  # the whole page: the output view outlines the crop on the photo
        kwargs = params.kwargs()
        # the padding drawn on all four sides it was declared, read or not (and the extents,
        # tables and GIF sized for it): pictures only, the windows are the engine's
        geometry = fg.drawn_geometry(engine.geometry(plane.shape, params.geometry_kwargs()),
                                     params.padding)
        y2d, winners = engine.pool_with_indices(plane, kwargs)
        region = _pick_region(geometry.out_hw, frame_cap(geometry, y2d, winners))
        # Two fragments (one ticking, one still) so that pausing drops the ticking one, and
        # Streamlit stops its timer: a paused animation costs no server run at all.
        if st.session_state.get(PLAYING_KEY) and _play_is_stale(region.size):
            st.session_state[PLAYING_KEY] = False  # left playing on another page: stopped
        views = (fm, params, plane, geometry, y2d, winners, region)
        if st.session_state.get(PLAYING_KEY):
            every(TICK_S, _playing_view, *views)
        else:
            _still_view(*views)


def _playing_view(*args) -> None:
    _step_view(*args, playing=True)


@st.fragment
def _still_view(*args) -> None:
    _step_view(*args, playing=False)


def current_step(count: int) -> int:
    """The step shown: the step box's, or while playing the anchor's plus the ticks since."""
    step = int(st.session_state.get(STEP_KEY) or 0)
    anchor = st.session_state.get(ANCHOR_KEY)
    if st.session_state.get(PLAYING_KEY) and anchor is not None:
        started, first = anchor
        step = int(first) + int((time.monotonic() - started) // TICK_S)
    return int(np.clip(step, 0, max(count - 1, 0)))


def _play_is_stale(count: int) -> bool:
    """Whether playing began longer ago than playing to the end takes (the page was left while
    it played): coming back must not find it jumped to the last step."""
    anchor = st.session_state.get(ANCHOR_KEY)
    if anchor is None:
        return True
    started, first = anchor
    return time.monotonic() - started > (count - int(first) + 2) * TICK_S


def _rerun_view() -> None:
    """From a control's callback: rerun the animation's fragment (which chooses whether the
    step view ticks), not only the step view the control is in."""
    st.rerun(ANIM_FRAGMENT_KEY)


def _move(delta: int, count: int) -> None:
    """Previous / Next: one step back or on; stops playing."""
    step = current_step(count)
    st.session_state[STEP_KEY] = int(np.clip(step + delta, 0, count - 1))
    if st.session_state.pop(PLAYING_KEY, False):
        _rerun_view()


def _toggle_play(count: int) -> None:
    step = current_step(count)
    if st.session_state.get(PLAYING_KEY):
        st.session_state[PLAYING_KEY] = False
        st.session_state[STEP_KEY] = step
    else:
        step = 0 if step >= count - 1 else step  # at the end, play again from the start
        st.session_state[STEP_KEY] = step
        st.session_state[ANCHOR_KEY] = (time.monotonic(), step)
        st.session_state[PLAYING_KEY] = True
    _rerun_view()


def _step_chosen() -> None:
    """A step picked in the box while playing: play on from there."""
    if st.session_state.get(PLAYING_KEY):
        st.session_state[ANCHOR_KEY] = (time.monotonic(), int(st.session_state[STEP_KEY] or 0))


def _step_controls(count: int, step: int, playing: bool) -> None:
    """Previous, Play/Pause and Next: buttons a keyboard reaches with Tab and presses with
    Enter or Space (the figure's own controls are drawn in SVG, which it cannot reach)."""
    row = st.container(horizontal=True, gap="small", key="anim_controls")
    row.button(t("keyboard.previous"), key="anim_prev", icon=":material/skip_previous:",
               disabled=step <= 0, on_click=_move, args=(-1, count))
    row.button(t("keyboard.pause") if playing else t("keyboard.play"), key="anim_play",
               icon=":material/pause:" if playing else ":material/play_arrow:",
               disabled=count <= 1, on_click=_toggle_play, args=(count,))
    row.button(t("keyboard.next"), key="anim_next", icon=":material/skip_next:",
               disabled=step >= count - 1, on_click=_move, args=(1, count))
    if playing:
        st.caption(t("keyboard.playing", seconds=f"{TICK_S:g}"))


def _step_view(fm, params, plane, geometry, y2d, winners, region, *, playing: bool) -> None:
    """The figure, the controls, the step box, the step's arithmetic (said aloud to a screen
    reader when it changes) and the numbers as a table, all at one step."""
    with engine.view_guard("animation"):
        kwargs = params.kwargs()
        steps = region.steps()
        step = current_step(len(steps))
        if playing and step >= len(steps) - 1:
            st.session_state[PLAYING_KEY] = False  # the last step: stop (and stop the timer)
            st.session_state[STEP_KEY] = step
            st.rerun()
        st.session_state[STEP_KEY] = step
        labels = [t("animation.explain_step_label", step=i + 1, row=r, col=c)
                  for i, (r, c) in enumerate(steps)]
        padded_value = pad_label(params.kind, params.count_include_pad, params.padding)
        decimals = fg.rounding_for(plane, fm.is_photo)
        # The arithmetic goes beside the figure while the cells stay big enough to read from
        # the back of a room; otherwise the figure takes the page's width and it goes underneath.
        beside_px = column_px()
        cell_px, x_range, _ = figure_extent(geometry, beside_px)
        if cell_px >= pf.font_px(SIDE_BY_SIDE_MIN_CELL_PX):
            figure_px = figure_width_px(cell_px, x_range) + COLUMN_GAP_PX
            figure_column, explain_column = st.columns(
                [figure_px, pf.profile().page_px - figure_px], gap="medium")
            max_width_px = beside_px
        else:
            figure_column, explain_column = st.container(), st.container()
            max_width_px = pf.profile().page_px
        with explain_column:
            st.markdown(f"**{t('animation.explain_heading')}**")
            _step_controls(len(steps), step, playing)
            chosen = st.selectbox(t("animation.explain_step"), range(len(steps)),
                                  format_func=labels.__getitem__, key=STEP_KEY,
                                  on_change=_step_chosen, persist_state="session")
            st.caption(t("animation.explain_note"))
            chosen = int(np.clip(chosen or 0, 0, len(steps) - 1))
            row, col = steps[chosen]
            explanation = explanation_panel(plane, row, col, kwargs, padded_value)
            announce(t_plain("keyboard.step_status", step=chosen + 1, total=len(steps),
                       formula=explanation.formula))
        what = export_what(fm, region, geometry.out_hw)
        with figure_column:
            if playing:
                figure = figure_at_step(cached_figure(
                    playing_figure, plane, y2d, geometry, region, winners=winners,
                    padding=params.padding, padded_value=padded_value,
                    max_width_px=max_width_px, decimals=decimals,
                ), Painter(geometry, y2d, region, winners), row, col)
            else:
                figure = cached_figure(
                    build_animation_figure, plane, y2d, geometry, region, winners=winners,
                    padding=params.padding,
                    padded_value=padded_value, start_step=chosen, max_width_px=max_width_px,
                    decimals=decimals,
                )
            st.plotly_chart(figure, width="content", key="anim_figure",
                            config=export.figure_config(fm, params, what))
            st.caption(t("animation.legend"))
            if decimals == 0:
                st.caption(t("animation.rounded"))
            export.gif_button(fm, params, what, plane, y2d, geometry, region, winners=winners,
                              padding=params.padding, padded_value=padded_value,
                              decimals=decimals)
        box = tables.table_expander("anim_table_open")
        if box:
            with box:
                step_tables(fm, plane, y2d, geometry, params.padding, (row, col), chosen,
                            padded_value)


def announce(text: str) -> None:
    """``text`` in a polite live region: a screen reader says it when it changes, without
    interrupting; it is not drawn (the same words are on the page, above)."""
    st.html(f'<div role="status" aria-live="polite" aria-atomic="true" '
            f'style="{SR_ONLY}">{html.escape(text)}</div>')


def step_tables(fm, plane: np.ndarray, y2d: np.ndarray, geometry, padding,
                cell: tuple[int, int], step: int, padded_value: str) -> None:
    """The animated plane (with the padding its windows reach) and its output as tables: the
    window's cells and the output cell of the step marked."""
    height, width = plane.shape
    out_h, out_w = geometry.out_hw
    (top, bottom), (left, right) = geometry.pad
    row, col = cell
    window = geometry.cells(row, col)
    window_rows = [r for r, _ in window]
    window_cols = [c for _, c in window]
    rows = tables.bounded(height, (min(window_rows), max(window_rows)), -top, height + bottom)
    cols = tables.bounded(width, (min(window_cols), max(window_cols)), -left, width + right)
    if fm.is_photo:
        crop_top, crop_left, _, _ = animated_crop(fm)
        st.caption(t("grid_table.photo_crop", size=height, row=crop_top, col=crop_left))
    tables.show_table(
        tables.grid_table(plane, rows, cols, window=window,
                          padded=declared_padding(padding, geometry),
                          padding_value=padded_value),
        t("grid_table.anim_input", h=height, w=width, step=step + 1))
    note = tables.crop_note(rows, cols, (height + top + bottom, width + left + right),
                            (height, width))
    if note:
        st.caption(note)
    out_rows, out_cols = tables.bounded(out_h, (row, row)), tables.bounded(out_w, (col, col))
    tables.show_table(
        tables.grid_table(y2d, out_rows, out_cols, window=[(row, col)], window_mark="current"),
        t("grid_table.anim_output", h=out_h, w=out_w, step=step + 1))
    note = tables.crop_note(out_rows, out_cols, (out_h, out_w), (out_h, out_w))
    if note:
        st.caption(note)


def export_what(fm, region: Region, out_hw: tuple[int, int]) -> str:
    """What an exported animation shows, for its file name: the photo crop and the channel
    it is of, the region of a big output."""
    parts = []
    if fm.is_photo:
        top, left, _, _ = animated_crop(fm)
        parts.append(f"crop-r{top}-c{left}")
    if fm.data.shape[0] > 1:
        channel = int(st.session_state.get("anim_channel", 0) or 0)
        parts.append(fm.channel_names[min(channel, len(fm.channel_names) - 1)])
    if region.size < out_hw[0] * out_hw[1]:
        parts.append(f"rows{region.row0}-{region.row1 - 1}-cols{region.col0}-{region.col1 - 1}")
    return "-".join([*parts, "animation"])


def _pick_region(out_hw: tuple[int, int], cap: int) -> Region:
    out_h, out_w = out_hw
    rows, cols = region_shape(out_hw, cap)
    if rows * cols == out_h * out_w:
        return Region(0, out_h, 0, out_w)
    st.info(t("animation.region_note", total=out_h * out_w, cap=cap, rows=rows, cols=cols))
    left_col, right_col = st.columns(2)
    with left_col:
        row0 = position_slider(t("animation.region_row"), out_h - rows, "anim_region_row", 0)
    with right_col:
        col0 = position_slider(t("animation.region_col"), out_w - cols, "anim_region_col", 0)
    return Region(row0, row0 + rows, col0, col0 + cols)


def explanation_panel(plane: np.ndarray, row: int, col: int, kwargs: dict,
                      padded_value: str = ""):
    """The worked arithmetic of output ``y[row, col]``, with the real numbers, from the engine
    (returned too: its formula is said aloud to a screen reader).

    ``padded_value`` is what a padding cell counts as (``−∞``, ``0``; empty: not counted).
    """
    explanation = engine.explain(plane, row, col, kwargs)
    # st.text, not st.code: the code block's syntax highlighter alone costs the browser ~180 ms
    # on every page load (benchmarks/page_load.py), and a formula has nothing to highlight
    st.text(explanation.formula)
    reason = explanation.divisor_reason
    if explanation.divisor is not None and reason is not None:
        st.markdown(t(f"animation.divisor.{reason}", d=fg.format_value(explanation.divisor)))
    if explanation.winner is not None:
        st.markdown(t("animation.winner", row=explanation.winner[0], col=explanation.winner[1]))
    padded = padded_value or t("animation.not_counted")
    lines = [
        t("animation.cell_padding", row=r, col=c, value=padded) if value is None
        else f"x[{r},{c}] = {fg.format_value(value)}"
        for (r, c), value in zip(explanation.cells, explanation.values, strict=True)
    ]
    with st.expander(t("animation.cells_heading"), expanded=len(lines) <= 9):
        st.text("\n".join(lines))
    return explanation
