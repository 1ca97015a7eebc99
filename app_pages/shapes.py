"""Shapes & code: output sizes, each framework's windows, and code that reproduces the view."""

from pooling_ui.lessons.shapes import shapes_view
from pooling_ui.page import current

fm, params = current()
shapes_view(fm, params)
