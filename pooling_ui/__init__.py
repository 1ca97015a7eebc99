"""Streamlit widgets, figures and file loading for Pooling Lab — no pooling maths here.

Every pooled number comes from :mod:`pooling_core`. The package is in layers, each importing only
those below it: :mod:`pooling_ui.page` (the entry point's shell) → the three page groups
:mod:`~pooling_ui.tools`, :mod:`~pooling_ui.lessons`, :mod:`~pooling_ui.classroom` (never each
other) → :mod:`~pooling_ui.panels` → :mod:`~pooling_ui.figures` → :mod:`~pooling_ui.data` →
:mod:`~pooling_ui.base`. ``make lint`` checks it (import-linter; contracts in pyproject.toml).
"""
