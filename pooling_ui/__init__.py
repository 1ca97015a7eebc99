"""Streamlit widgets, figures and image loading for Pooling Lab — no pooling maths here.

Every pooled number comes from :mod:`pooling_core`. The modules of this package draw panels
(:mod:`pooling_ui.panels.inputs`, :mod:`pooling_ui.panels.params`), decode uploads
(:mod:`pooling_ui.data.images`), make example inputs (:mod:`pooling_ui.data.presets`) and build
the figures the pages show.
"""
