"""Conv → ReLU → pool: one or two CNN stages on the shared input, and a cell's receptive field."""

from pooling_ui.lessons import conv as lesson_conv
from pooling_ui.page import current

fm, params = current()
lesson_conv.lesson_view(fm, params)
