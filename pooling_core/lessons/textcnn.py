"""Max-over-time pooling of a sentence (TextCNN), and where a 1-D pooling's windows are centred.

The maths of the 1-D lesson (:mod:`pooling_ui.lessons.pool1d`), built on the engine's public
functions (:func:`pooling_core.pool1d`, :func:`pooling_core.conv1d`, :func:`pooling_core.relu`,
:func:`pooling_core.output_size`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..lessons.conv import conv1d, relu
from ..params import output_size
from ..pool import pool1d


def window_centres(length: int, kernel_size: int, stride: int, padding: int = 0,
                   dilation: int = 1, ceil_mode: bool = False) -> np.ndarray:
    """Where each output of a 1-D pooling sits on the input's axis: its window's middle.

    Window ``j`` covers input positions ``j·stride − padding + i·dilation`` for ``i`` in
    ``0..kernel_size−1`` (padding positions are outside ``0..L−1``); the count of windows is
    :func:`pooling_core.output_size`'s.

    Examples
    --------
    >>> window_centres(6, 2, 2)
    array([0.5, 2.5, 4.5])
    >>> window_centres(5, 3, 2, padding=1)
    array([0., 2., 4.])
    """
    count = output_size(length, kernel_size, stride, padding, dilation, ceil_mode)
    return np.arange(count) * stride - padding + dilation * (kernel_size - 1) / 2


@dataclass(frozen=True)
class FilterResult:
    """One filter of the sentence: its width, the ReLU'd feature map, its max and where."""

    width: int
    feature_map: np.ndarray
    value: float
    start: int


def max_over_time(vectors: np.ndarray, filters) -> list[FilterResult]:
    """TextCNN's layer: per filter, ``relu(conv1d(vectors, weight, bias))`` and its maximum over
    every position, :func:`pooling_core.pool1d` with ``kernel_size = L_out`` (one window).

    Parameters
    ----------
    vectors : ndarray, shape (dim, L)
        The sentence, one column per word.
    filters : list of (weight (1, dim, width), bias)
    """
    results = []
    for weight, bias in filters:
        feature_map = relu(conv1d(vectors, weight, bias=bias))
        length = feature_map.shape[-1]
        value, index = pool1d(feature_map, "max", kernel_size=length, return_indices=True)
        results.append(FilterResult(int(weight.shape[-1]), feature_map[0],
                                    float(value[0, 0]), int(index[0, 0])))
    return results
