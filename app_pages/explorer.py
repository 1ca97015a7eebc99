"""Explorer: watch the window slide, see the pooled output and where the gradient goes."""

import streamlit as st

from pooling_ui.base.i18n import t
from pooling_ui.page import current
from pooling_ui.tools import animation, badge, gradients
from pooling_ui.tools import output as view_output

fm, params = current()
badge.feature_map_badge(fm, params)
animation.animation_view(fm, params)
view_output.output_view(fm, params)
# Drawn only while open: a page load then has one figure less to build, send and draw.
backward = st.expander(t("pages.explorer.gradients"), expanded=False, key="explorer_grad_open",
                       on_change="rerun")
if backward.open:
    with backward:
        gradients.gradients_view(fm, params, key_prefix="explorer_grad", photo_mask=False)
