"""Pooling Lab: page configuration and navigation. Each page's script lives in ``pages/``."""

import streamlit as st

from pooling_ui.views_text import STRINGS

st.set_page_config(page_title=STRINGS["app_title"], layout="wide")

navigation = st.navigation([
    st.Page("pages/explorer.py", title=STRINGS["page_explorer"], icon="🔍", default=True),
    st.Page("pages/gradients.py", title=STRINGS["page_gradients"], icon="↩️"),
    st.Page("pages/compare.py", title=STRINGS["page_compare"], icon="⚖️"),
])
navigation.run()
