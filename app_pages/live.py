"""Live class: the teacher leads, every student's screen follows, the class answers, the teacher
sees which misconceptions explain the wrong answers."""

from pooling_ui.classroom import live
from pooling_ui.page import current

live.live_page(*current())
