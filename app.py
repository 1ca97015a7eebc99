"""Pooling Lab: page configuration and navigation. Each page's script lives in ``pages/``."""

import streamlit as st

from pooling_ui.views_text import STRINGS

st.set_page_config(page_title=STRINGS["app_title"], layout="wide")

# Material icons, not emoji: Streamlit ships their font, while a classroom machine may have no
# emoji font and would show empty boxes.
navigation = st.navigation([
    st.Page("pages/explorer.py", title=STRINGS["page_explorer"], icon=":material/search:",
            default=True),
    st.Page("pages/gradients.py", title=STRINGS["page_gradients"], icon=":material/undo:"),
    st.Page("pages/compare.py", title=STRINGS["page_compare"], icon=":material/compare:"),
])
navigation.run()
