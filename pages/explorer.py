"""Explorer: watch the window slide, see the pooled output and where the gradient goes."""

import streamlit as st

from pooling_ui import animation, badge, gradients, view_output
from pooling_ui.page import page_start

STRINGS = {
    "title": "Pooling Lab — Explorer",
    "intro": (
        "Pick an input and the pooling parameters in the sidebar. Press Play under the figure "
        "to watch the window slide over the input and fill in the output, one cell per step."
    ),
    "gradients": "Backward pass: where the gradient goes",
}

fm, params = page_start(STRINGS["title"], STRINGS["intro"])
badge.feature_map_badge(fm, params)
animation.animation_view(fm, params)
view_output.output_view(fm, params)
with st.expander(STRINGS["gradients"], expanded=False):
    gradients.gradients_view(fm, params, key_prefix="explorer_grad", photo_mask=False)
