"""Compare: two or more kinds of pooling side by side on the same input and parameters."""

from pooling_ui.page import current
from pooling_ui.tools import compare

fm, params = current()
compare.compare_view(fm, params)
