"""Gradients: the backward pass of pooling — where the upstream gradient goes in the input."""

import streamlit as st

from pooling_ui import badge, gradients, view_output
from pooling_ui.inputs import input_panel
from pooling_ui.params import parameter_panel
from pooling_ui.views_text import STRINGS as SHARED

STRINGS = {
    "title": "Pooling Lab — Gradients",
    "intro": (
        "Training sends a gradient back through every pooling layer. Choose the upstream "
        "gradient dL/dy, then click an output cell to see which input cells its gradient reaches."
    ),
}

st.title(STRINGS["title"])
st.caption(STRINGS["intro"])
fm = input_panel()
params = parameter_panel(fm)
if fm is None:
    st.info(SHARED["no_input"])
    st.stop()
if params is None:
    view_output.input_only_view(fm)
    st.stop()
badge.feature_map_badge(fm, params)
gradients.gradients_view(fm, params, key_prefix="grad")
