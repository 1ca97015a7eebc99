"""The cheaper ways of building and sending figures give exactly what plotly's own would.

References: plotly's own validated objects and its ``update_xaxes``/``update_yaxes``/
``update_layout`` applied one by one (written out here), never the code under test.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest
from plotly.subplots import make_subplots

from pooling_ui.base import caching
from pooling_ui.figures import grids as fg


def _heatmap_figure(subplots: bool) -> go.Figure:
    z = np.arange(12, dtype=float).reshape(3, 4)
    if subplots:
        fig = make_subplots(rows=1, cols=2)
        fig.add_trace(fg.value_heatmap(z), row=1, col=1)
        fig.add_trace(fg.value_heatmap(z, x_offset=6), row=1, col=2)
    else:
        fig = go.Figure([fg.value_heatmap(z), fg.value_heatmap(z.T, x_offset=6)])
    fig.update_layout(shapes=[fg.path_shape(fg.rect_path(0, 0, 3, 4), color="#222")],
                      annotations=[fg.label_annotation("x", 0, 0)],
                      coloraxis={"colorscale": "Viridis", "cmin": 0, "cmax": 11})
    return fig


def _laid_out_by_plotly_updates(fig: go.Figure, x_range, y_range, cell_px: int,
                                colorbar: bool) -> None:
    """What grid_layout did before it replaced the layout once: plotly's updates, one by one."""
    look = fg.profile()
    margin = {"l": 8, "r": look.colorbar_px if colorbar else 8, "t": look.label_row_px, "b": 8}
    axis = {"showgrid": False, "zeroline": False, "visible": False, "constrain": "domain",
            "fixedrange": True}
    fig.update_xaxes(range=list(x_range), **axis)
    fig.update_yaxes(range=[y_range[1], y_range[0]], scaleanchor="x", scaleratio=1, **axis)
    fig.update_layout(
        width=round((x_range[1] - x_range[0]) * cell_px) + margin["l"] + margin["r"],
        height=round((y_range[1] - y_range[0]) * cell_px) + margin["t"] + margin["b"],
        autosize=False, margin={**margin, "pad": 0, "autoexpand": False},
        plot_bgcolor="white", showlegend=False, font={"size": fg.cell_font_cap(cell_px)},
        hoverlabel={"font": {"size": fg.ui_font_px()}})
    if colorbar:
        fig.update_layout(coloraxis_colorbar={
            "thickness": fg.font_px(12), "x": 1, "xanchor": "left", "xpad": 8, "len": 1,
            "lenmode": "fraction", "y": 0.5, "yanchor": "middle",
            "tickfont": {"size": fg.small_font_px()}})
    else:
        fig.update_layout(coloraxis_showscale=False)
    fg.fit_cell_texts(fig, cell_px)
    fg.colour_cell_texts(fig, (), cell_px)


@pytest.mark.parametrize("subplots", [False, True])
@pytest.mark.parametrize("colorbar", [True, False])
def test_grid_layout_lays_out_as_plotlys_own_updates(subplots, colorbar):
    ours, reference = _heatmap_figure(subplots), _heatmap_figure(subplots)
    fg.grid_layout(ours, (0, 10), (-1, 3), cell_px=30, colorbar=colorbar)
    _laid_out_by_plotly_updates(reference, (0, 10), (-1, 3), 30, colorbar)
    assert ours.to_dict() == reference.to_dict()


def test_a_shared_figure_sends_what_plotly_would_and_keeps_it():
    built = _heatmap_figure(False)
    expected = go.Figure(built).to_dict()  # plotly's own, from a copy made before sharing
    shared = caching._figure(f"test-shared-figure-{id(built)}", lambda: built, (), {})
    assert isinstance(shared, go.Figure)
    assert shared.to_dict() == expected
    assert shared.to_dict() is shared.to_dict()  # made once, then the same object
    # a copy to change (as the animation's step-by-step play makes) is an ordinary figure
    copy = go.Figure(shared)
    copy.layout.annotations[0].text = "changed"
    assert shared.to_dict()["layout"]["annotations"][0]["text"] == "x"


def test_a_figure_dict_with_plain_frames_is_sent_as_plotly_would_validate_it():
    figure = _heatmap_figure(False)
    spec = figure.to_dict()
    spec["frames"] = [{"name": str(step), "layout": {
        "shapes": [{"path": fg.rect_path(0, step, 1, step + 1)}],
        "annotations": [{"text": f"y[0,{step}] = {step}"}]}} for step in range(3)]
    shared = caching._figure(f"test-dict-frames-{id(spec)}", lambda: spec, (), {})
    assert shared.to_dict() == go.Figure(spec).to_dict()
    # what a copy takes (the traces and the layout) is there too
    assert go.Figure(shared).to_dict()["layout"] == go.Figure(spec).to_dict()["layout"]
