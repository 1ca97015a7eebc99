"""Compare: two or more kinds of pooling side by side on the same input and parameters."""

from pooling_ui import compare
from pooling_ui.page import page_start

STRINGS = {
    "title": "Pooling Lab — Compare",
    "intro": (
        "The same input and the same window, pooled in different ways. The kind chosen in the "
        "sidebar sets the options of that kind; the others use their defaults."
    ),
}

fm, params = page_start(STRINGS["title"], STRINGS["intro"])
compare.compare_view(fm, params)
