"""What every page does first: its heading, the shared input and parameter panels."""

from __future__ import annotations

import streamlit as st

from pooling_ui import view_output
from pooling_ui.inputs import FeatureMap, input_panel
from pooling_ui.params import PoolParams, parameter_panel
from pooling_ui.views_text import STRINGS as SHARED


def page_start(title: str, intro: str) -> tuple[FeatureMap, PoolParams]:
    """Draw the heading and both sidebar panels; return the input and the parameters.

    When there is no usable input, or the parameters are invalid (the parameter panel has already
    said why), the page shows what it can and stops here, so a page's own code always gets both.
    """
    st.title(title)
    st.caption(intro)
    fm = input_panel()
    params = parameter_panel(fm)
    if fm is None:
        st.info(SHARED["no_input"])
        st.stop()
    if params is None:
        view_output.input_only_view(fm)
        st.stop()
    return fm, params
