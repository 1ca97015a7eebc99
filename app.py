"""Pooling Lab: ``streamlit run app.py``. The pages are in ``app_pages/``; what they share (the
language, the navigation, the input and parameter panels) is drawn by :mod:`pooling_ui.page`."""

from pooling_ui import page

page.run()
