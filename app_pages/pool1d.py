"""1-D pooling: a time series, audio, and max-over-time pooling of a sentence."""

from pooling_ui.lesson_pool1d import pool1d_page

pool1d_page()
