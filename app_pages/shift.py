"""Shift invariance: move the input by less than a stride and compare max, average and
anti-aliased pooling (BlurPool, MaxBlurPool)."""

from pooling_ui.lessons import shift as lesson_shift
from pooling_ui.page import current

fm, params = current()
lesson_shift.shift_view(fm, params)
