"""Gradients: the backward pass of pooling — where the upstream gradient goes in the input."""

from pooling_ui import badge, gradients
from pooling_ui.page import page_start

STRINGS = {
    "title": "Pooling Lab — Gradients",
    "intro": (
        "Training sends a gradient back through every pooling layer. Choose the upstream "
        "gradient dL/dy, then click an output cell to see which input cells its gradient reaches."
    ),
}

fm, params = page_start(STRINGS["title"], STRINGS["intro"])
badge.feature_map_badge(fm, params)
gradients.gradients_view(fm, params, key_prefix="grad")
