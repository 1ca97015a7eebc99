"""1-D pooling: a time series, audio, and max-over-time pooling of a sentence."""

from pooling_ui.lessons.pool1d import pool1d_page

pool1d_page()
