"""shapes lesson page (work in progress)."""

from pooling_ui.page import current

fm, params = current()
