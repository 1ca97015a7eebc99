"""Compare: two or more kinds of pooling side by side on the same input and parameters."""

import streamlit as st

from pooling_ui import compare, view_output
from pooling_ui.inputs import input_panel
from pooling_ui.params import parameter_panel
from pooling_ui.views_text import STRINGS as SHARED

STRINGS = {
    "title": "Pooling Lab — Compare",
    "intro": (
        "The same input and the same window, pooled in different ways. The kind chosen in the "
        "sidebar sets the options of that kind; the others use their defaults."
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
compare.compare_view(fm, params)
