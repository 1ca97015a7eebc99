"""Gradients: the backward pass of pooling — where the upstream gradient goes in the input."""

from pooling_ui import badge, gradients
from pooling_ui.page import current

fm, params = current()
badge.feature_map_badge(fm, params)
gradients.gradients_view(fm, params, key_prefix="grad")
