"""Gradients: the backward pass of pooling — where the upstream gradient goes in the input."""

from pooling_ui.page import current
from pooling_ui.tools import badge, gradients

fm, params = current()
badge.feature_map_badge(fm, params)
gradients.gradients_view(fm, params, key_prefix="grad")
