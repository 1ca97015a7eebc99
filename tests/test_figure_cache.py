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


# -- the sliding window's figure, built as a plain dict ---------------------------------------
#
# The reference is the figure as it was built before: plotly's validated objects added trace by
# trace, laid out by grid_layout (itself checked above against plotly's own updates), turned into
# a dict by plotly, then validated again as cached_figure did — what Streamlit sent.

def _reference_animation(x2d, y2d, geometry, region, *, winners=None, padding=0,
                         padded_value="", start_step=0, max_width_px=None, decimals=None) -> dict:
    from pooling_ui.base import profile as pf
    from pooling_ui.base.i18n import t
    from pooling_ui.figures import sliding as sl
    from pooling_ui.figures.player import play_buttons, step_slider

    geometry = fg.drawn_geometry(geometry, padding)
    height, width = geometry.in_hw
    out_h, out_w = geometry.out_hw
    reach_left = geometry.pad[1][0]
    pad_lo, pad_hi = fg.declared_padding(padding, geometry)
    painter = sl.Painter(geometry, y2d, region, winners)
    out_x = painter.out_x
    steps = region.steps()
    start_step = int(np.clip(start_step, 0, len(steps) - 1))
    value_range = fg.finite_range(x2d, y2d)
    fig = go.Figure()
    fig.add_trace(fg.value_heatmap(x2d, name="x", value_range=value_range, decimals=decimals))
    padding_shapes, padding_traces = fg.padding_decorations(
        (height, width), geometry.pad, pad_lo, pad_hi, padded_value,
        read=fg.read_lines(geometry))
    fig.add_traces(padding_traces)
    fig.add_trace(fg.value_heatmap(y2d, x_offset=out_x, name="y", value_range=value_range,
                                   decimals=decimals))
    fig.update_layout(coloraxis={"colorscale": pf.profile().colorscale, "cmin": value_range[0],
                                 "cmax": value_range[1]})
    first = painter.paths(*steps[start_step])
    window = fg.marker_shapes(first[1], color=fg.WINDOW_COLOR, fill=fg.WINDOW_TINT)
    winner = fg.marker_shapes(first[2], color=fg.WINNER_COLOR, width=4) \
        if winners is not None else []
    shapes = [fg.path_shape(first[0], color=fg.TRANSPARENT, width=0, fill=fg.MASK_COLOR),
              window[0], *winner[:1], window[1], *winner[1:]]
    shapes.extend(padding_shapes)
    shapes.append(fg.path_shape(fg.rect_path(0, 0, height, width), color=fg.FRAME_COLOR,
                                width=1.5))
    shapes.append(fg.path_shape(fg.rect_path(0, 0, out_h, out_w, x_offset=out_x),
                                color=fg.FRAME_COLOR, width=1.5))
    if region.size < out_h * out_w:
        shapes.append(fg.path_shape(
            fg.rect_path(region.row0, region.col0, region.row1, region.col1, x_offset=out_x),
            color="#333", width=2, dash="dash"))
    cell_px, x_range, y_range = sl.figure_extent(geometry, max_width_px)
    annotations = [
        {**fg.label_annotation(painter.caption(*steps[start_step]), out_x + out_w,
                               sl.caption_y(geometry), size=sl.CAPTION_FONT_PX, anchor="right"),
         "yanchor": "top", "yshift": -4},
        fg.label_annotation(t("animation.input_label", h=height, w=width), -reach_left, 1,
                            yref="paper"),
        fg.label_annotation(t("animation.output_label", h=out_h, w=out_w), out_x, 1,
                            yref="paper"),
    ]
    fig.update_layout(shapes=shapes, annotations=annotations, updatemenus=[play_buttons()],
                      sliders=[step_slider(len(steps), start_step)])
    fg.grid_layout(fig, x_range, y_range, cell_px=cell_px,
                   margin={"b": pf.font_px(sl.CONTROLS_PX)}, min_width_px=sl.min_width_px(),
                   text_tints=[fg.WINDOW_TINT])
    built = fig.to_dict()
    # what cached_figure sent: the traces and layout validated again, the frames as made
    sent = go.Figure(data=built["data"], layout=built["layout"]).to_dict()
    sent["frames"] = [painter.frame(step, row, col) for step, (row, col) in enumerate(steps)]
    return sent


def _animation_cases():
    import pooling_core as pc
    from pooling_ui.figures import sliding as sl

    rng = np.random.default_rng(18)
    worked = np.array([[1, 3, 2, 1], [4, 6, 5, 0], [3, 1, 2, 2], [0, 8, 1, 7]], np.float32)
    with_gaps = rng.normal(size=(8, 8)).astype(np.float32)
    with_gaps[1, 2], with_gaps[5, 6] = np.nan, -np.inf
    photo = rng.integers(0, 256, size=(16, 16)).astype(np.float32)
    inputs = {"worked": worked, "random8": rng.normal(size=(8, 8)).astype(np.float32),
              "gaps8": with_gaps, "random16": rng.normal(size=(16, 16)).astype(np.float32),
              "photo16": photo, "random64": rng.normal(size=(64, 64)).astype(np.float32),
              "wide5x9": rng.normal(size=(5, 9)).astype(np.float32)}
    settings = [
        {"kind": "max", "kernel_size": 2, "stride": 2},
        {"kind": "max", "kernel_size": 3, "stride": 2, "padding": 1},
        {"kind": "avg", "kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True},
        {"kind": "avg", "kernel_size": 3, "stride": 1, "padding": 1, "count_include_pad": False},
        {"kind": "min", "kernel_size": 2, "stride": 1, "dilation": 2},
        {"kind": "max", "kernel_size": 3, "stride": 2, "padding": "same"},
        {"kind": "lp", "kernel_size": 2, "stride": 2, "p": 3.0},
        {"kind": "max", "kernel_size": (3, 2), "stride": (2, 1), "padding": (1, 0),
         "dilation": (1, 2), "ceil_mode": True},
    ]
    for name, x in inputs.items():
        for index, setting in enumerate(settings):
            if name in {"random64", "photo16"} and index not in {0, 1, 5}:
                continue  # the big inputs: a few settings (each figure takes a while)
            kind = setting["kind"]
            params = {key: value for key, value in setting.items() if key != "kind"}
            geo_params = {key: params[key] for key in ("kernel_size", "stride", "padding",
                                                       "dilation", "ceil_mode") if key in params}
            geometry = pc.window_geometry(x.shape, **geo_params)
            winners = None
            if kind in {"max", "min"}:
                y, winners = pc.pool2d(x, kind=kind, return_indices=True, **params)
            else:
                y = pc.pool2d(x, kind=kind, **params)
            y = np.asarray(y)
            rows, cols = sl.region_shape(geometry.out_hw, sl.frame_cap(geometry, y, winners))
            out_h, out_w = geometry.out_hw
            row0, col0 = (out_h - rows) // 2, (out_w - cols) // 2
            region = sl.Region(row0, row0 + rows, col0, col0 + cols)
            padding = params.get("padding", 0)
            label = sl.pad_label(kind, params.get("count_include_pad", True), padding)
            decimals = 0 if name == "photo16" else None
            yield (f"{name}-{index}", x, y, geometry, region,
                   {"winners": winners, "padding": padding, "padded_value": label,
                    "start_step": 3 * index, "decimals": decimals})


@pytest.mark.parametrize("display", ["normal", "projector"])
def test_the_animation_built_as_a_dict_sends_what_plotlys_objects_sent(display, monkeypatch):
    import plotly.io as pio

    from pooling_ui.base import profile as pf
    from pooling_ui.figures import sliding as sl

    monkeypatch.setattr(pf, "is_projector", lambda: display == "projector")
    count = 0
    for label, x, y, geometry, region, kwargs in _animation_cases():
        reference = _reference_animation(x, y, geometry, region, **kwargs)
        ours = sl.build_animation_figure(x, y, geometry, region, **kwargs)
        # what Streamlit sends for the cached figure: plotly.io.to_json of its to_dict()
        shared = caching._figure(f"test-anim-{display}-{label}", lambda o=ours: o, (), {})
        sent = shared.to_dict()
        assert pio.to_json(sent, validate=False) == pio.to_json(reference, validate=False), label
        # a copy (the step-by-step play's) validates it and holds the same traces and layout
        copy = go.Figure(shared).to_dict()
        assert copy["data"] == go.Figure(reference).to_dict()["data"], label
        assert copy["layout"] == go.Figure(reference).to_dict()["layout"], label
        count += 1
    assert count >= 40


def test_the_playing_figure_copies_and_moves_as_before():
    import pooling_core as pc
    from pooling_ui.figures import sliding as sl

    x = np.array([[1, 3, 2, 1], [4, 6, 5, 0], [3, 1, 2, 2], [0, 8, 1, 7]], np.float32)
    geometry = pc.window_geometry(x.shape, 2, 2, 1)
    y, winners = pc.pool2d(x, kind="max", kernel_size=2, stride=2, padding=1,
                           return_indices=True)
    region = sl.Region(0, 3, 0, 3)
    reference = _reference_animation(x, y, geometry, region, winners=winners, padding=1,
                                     padded_value="−∞")
    reference.pop("frames")
    reference["layout"].pop("sliders")
    reference["layout"].pop("updatemenus")
    shared = caching._figure("test-playing-4x4", sl.playing_figure,
                             (x, y, geometry, region), {"winners": winners, "padding": 1,
                                                         "padded_value": "−∞"})
    painter = sl.Painter(geometry, y, region, winners)
    moved = sl.figure_at_step(shared, painter, 1, 2).to_dict()
    # the hand-worked step (1, 2): window rows 1…2 and columns 3…4 (the right padding), its
    # output cell at x 7 + 2 = 9, caption y[1,2] = max(x[1,3], x[2,3], padding) = max(0, 2) = 2
    assert moved["layout"]["shapes"][1]["path"] == "M3,1H5V3H3ZM9,1H10V2H9Z"
    assert moved["layout"]["annotations"][0]["text"] == "y[1,2] = 2"
    # everything else as the old figure had it
    expected = go.Figure(reference)
    for shape, path in zip(expected.layout.shapes, painter.paths(1, 2), strict=False):
        shape.path = path
    expected.layout.annotations[0].text = painter.caption(1, 2)
    assert moved == expected.to_dict()


# -- the Explorer's input/output pair, built as a plain dict -----------------------------------

def _reference_pair(data, output, channel_names=("gray",)) -> dict:
    """The pair figure as it was built before (plotly's objects), as cached_figure sent it."""
    from pooling_ui.base import profile as pf
    from pooling_ui.base.i18n import t
    from pooling_ui.panels.common import channel_name

    channels, height, width = data.shape
    out_h, out_w = output.shape[-2:]
    value_range = fg.finite_range(data, output)
    out_x = width + fg.GAP_COLUMNS
    rows = max(height, out_h)
    cell_px = fg.fit_cell_px(out_x + out_w, channels * (rows + 1),
                             side_px=8 + pf.profile().colorbar_px)
    label_rows = fg.rows_for_px(pf.profile().label_row_px, cell_px)
    row_step = rows + label_rows
    fig = go.Figure()
    annotations, shapes = [], []
    for channel in range(channels):
        y0 = channel * row_step
        fig.add_trace(fg.value_heatmap(data[channel], y_offset=y0, value_range=value_range,
                                       name="x"))
        fig.add_trace(fg.value_heatmap(output[channel], x_offset=out_x, y_offset=y0,
                                       value_range=value_range, name="y"))
        suffix = f"  ({channel_name(channel_names[channel])})" if channels > 1 else ""
        annotations.append(fg.label_annotation(
            f"{t('output.input_title')}{suffix}: {height}×{width}", 0, y0))
        annotations.append(fg.label_annotation(
            f"{t('output.output_title')}{suffix}: {out_h}×{out_w}", out_x, y0))
        shapes.append(fg.path_shape(fg.rect_path(0, 0, height, width, y_offset=y0),
                                    color=fg.FRAME_COLOR, width=1.5))
        shapes.append(fg.path_shape(fg.rect_path(0, 0, out_h, out_w, x_offset=out_x,
                                                 y_offset=y0), color=fg.FRAME_COLOR, width=1.5))
    fig.update_layout(coloraxis={"colorscale": pf.profile().colorscale, "cmin": value_range[0],
                                 "cmax": value_range[1]},
                      annotations=annotations, shapes=shapes)
    fg.grid_layout(fig, (0, out_x + out_w), (-label_rows, channels * row_step - label_rows),
                   cell_px=cell_px, margin={"t": 4})
    return fig.to_dict()


@pytest.mark.parametrize("display", ["normal", "projector"])
def test_the_pair_built_as_a_dict_sends_what_plotlys_objects_sent(display, monkeypatch):
    import plotly.io as pio

    import pooling_core as pc
    from pooling_ui.base import profile as pf
    from pooling_ui.tools import output as view_output

    monkeypatch.setattr(pf, "is_projector", lambda: display == "projector")
    rng = np.random.default_rng(181)
    gaps = rng.normal(size=(3, 7, 9)).astype(np.float32)
    gaps[0, 1, 1], gaps[2, 3, 4] = np.nan, np.inf
    inputs = [np.array([[[1, 3, 2, 1], [4, 6, 5, 0], [3, 1, 2, 2], [0, 8, 1, 7]]], np.float32),
              rng.normal(size=(1, 8, 8)).astype(np.float32),
              rng.normal(size=(1, 16, 16)).astype(np.float32),
              rng.normal(size=(1, 64, 64)).astype(np.float32),
              rng.integers(0, 256, size=(3, 12, 12)).astype(np.float32), gaps]
    settings = [("max", {"kernel_size": 2, "stride": 2}),
                ("avg", {"kernel_size": 3, "stride": 1, "padding": 1}),
                ("min", {"kernel_size": 2, "stride": 1, "dilation": 2, "ceil_mode": True}),
                ("lp", {"kernel_size": 2, "stride": 2, "p": 3.0}),
                ("max", {"kernel_size": 3, "stride": 2, "padding": "same"})]
    for index, data in enumerate(inputs):
        names = ("R", "G", "B") if data.shape[0] == 3 else ("gray",)
        for kind, params in settings:
            output = np.asarray(pc.pool2d(data, kind=kind, **params))
            reference = _reference_pair(data, output, names)
            ours = view_output.grid_pair_figure(data, output, names)
            shared = caching._figure(f"test-pair-{display}-{index}-{kind}-{params}",
                                     lambda o=ours: o, (), {})
            sent, expected = (pio.to_json(spec, validate=False)
                              for spec in (shared.to_dict(), reference))
            assert sent == expected, (index, kind)  # the same JSON, byte for byte
            assert go.Figure(shared).to_dict() == go.Figure(reference).to_dict()
