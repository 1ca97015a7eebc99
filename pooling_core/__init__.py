"""pooling_core: pooling in NumPy that agrees with PyTorch, forward and backward.

>>> import numpy as np, pooling_core as pc
>>> pc.pool2d(np.arange(16).reshape(4, 4), "max", kernel_size=2)
array([[ 5.,  7.],
       [13., 15.]], dtype=float32)
"""

from .adaptive import adaptive_pool2d, adaptive_pool2d_backward
from .errors import AXES, MESSAGES, PoolingError
from .explain import Explanation, Geometry, explain, window_geometry
from .kinds import Kind, Option, gaussian_weights
from .kinds import fmt as format_number
from .lessons.blur import (
    aligned_change,
    binomial_filter,
    blur_pool2d,
    max_blur_pool2d,
    shift2d,
    shift_change,
)
from .lessons.conv import FILTERS, conv1d, conv2d, relu
from .lessons.receptive import Layer, ReceptiveField, receptive_field
from .params import output_size
from .pool import (
    KIND_OPTIONS,
    KINDS,
    kind_spec,
    kinds_where,
    pool1d,
    pool1d_backward,
    pool2d,
    pool2d_backward,
)

__all__ = [
    "AXES",
    "FILTERS",
    "KINDS",
    "KIND_OPTIONS",
    "MESSAGES",
    "Explanation",
    "Geometry",
    "Kind",
    "Layer",
    "Option",
    "PoolingError",
    "ReceptiveField",
    "adaptive_pool2d",
    "adaptive_pool2d_backward",
    "aligned_change",
    "binomial_filter",
    "blur_pool2d",
    "conv1d",
    "conv2d",
    "explain",
    "format_number",
    "gaussian_weights",
    "kind_spec",
    "kinds_where",
    "max_blur_pool2d",
    "output_size",
    "pool1d",
    "pool1d_backward",
    "pool2d",
    "pool2d_backward",
    "receptive_field",
    "relu",
    "shift2d",
    "shift_change",
    "window_geometry",
]
