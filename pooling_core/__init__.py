"""pooling_core: pooling in NumPy that agrees with PyTorch, forward and backward.

>>> import numpy as np, pooling_core as pc
>>> pc.pool2d(np.arange(16).reshape(4, 4), "max", kernel_size=2)
array([[ 5.,  7.],
       [13., 15.]], dtype=float32)
"""

from .adaptive import adaptive_pool2d, adaptive_pool2d_backward
from .errors import PoolingError
from .explain import Explanation, Geometry, explain, window_geometry
from .kinds import gaussian_weights
from .params import output_size
from .pool import KIND_OPTIONS, KINDS, pool1d, pool1d_backward, pool2d, pool2d_backward

__all__ = [
    "KINDS",
    "KIND_OPTIONS",
    "Explanation",
    "Geometry",
    "PoolingError",
    "adaptive_pool2d",
    "adaptive_pool2d_backward",
    "explain",
    "gaussian_weights",
    "output_size",
    "pool1d",
    "pool1d_backward",
    "pool2d",
    "pool2d_backward",
    "window_geometry",
]
