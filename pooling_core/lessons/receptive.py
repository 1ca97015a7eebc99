"""Receptive fields of a stack of sliding-window layers (convolutions and poolings).

Every layer of the stack is a :class:`Layer`: a kernel, a stride, the padding before the first
cell and a dilation, per axis (height, width). Output ``o`` of a layer reads input positions
``o·s − p + i·d`` for ``i = 0 .. k−1``, so a range ``lo..hi`` of its output reads the range
``lo·s − p .. hi·s − p + d·(k−1)`` of its input. Going back from one cell of the last layer to
the input gives the region the cell sees; its size is

    r = 1 + Σ_l (k_eff_l − 1) · ∏_{i<l} s_i,   k_eff = d·(k − 1) + 1,

and moving one cell in the last output moves the region by the *jump* ``∏_l s_l``. Layers that
act cell by cell (ReLU) are ``Layer(1)`` and change nothing. The region may reach into the
padding (below 0 or past the end): it is reported as is; :func:`clip` gives the part inside.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import PoolingError
from ..params import as_pair

Pair = tuple[int, int]


@dataclass(frozen=True)
class Layer:
    """One sliding-window layer; ints are used for both axes.

    Examples
    --------
    >>> Layer(3, stride=2).kernel, Layer((3, 1)).effective_kernel
    ((3, 3), (3, 1))
    """

    kernel: int | Pair
    stride: int | Pair = 1
    padding: int | Pair = 0
    dilation: int | Pair = 1

    def __post_init__(self):
        # checked once here, so every later computation has pairs of valid ints
        for name, minimum in (("kernel", 1), ("stride", 1), ("padding", 0), ("dilation", 1)):
            try:
                pair = as_pair(getattr(self, name), name, minimum)
            except PoolingError as error:
                if error.code == "stride_too_small":  # its hint is about pooling's stride=None
                    raise PoolingError("too_small", **error.fields) from None
                raise
            object.__setattr__(self, name, pair)

    @property
    def effective_kernel(self) -> Pair:
        """``d·(k − 1) + 1`` per axis: the span of the kernel with its holes."""
        return tuple(d * (k - 1) + 1 for k, d in zip(self.kernel, self.dilation, strict=True))


@dataclass(frozen=True)
class ReceptiveField:
    """Where one output cell of a stack looks.

    Attributes
    ----------
    size : (int, int)
        r per axis (height, width).
    jump : (int, int)
        ``∏ stride`` per axis: the distance in the input between neighbouring output cells.
    terms : list of ((int, int), (int, int))
        Per layer and axis, ``(k_eff − 1, ∏_{i<l} s_i)``: the summands of the size formula.
    regions : list of ((int, int), (int, int))
        Per map, from the input (index 0) to the last output (the cell itself), the
        ``((top, bottom), (left, right))`` range (inclusive) the cell depends on, in that map's
        coordinates; it may extend into padding (below 0 or past the map's end).
    """

    size: Pair
    jump: Pair
    terms: list
    regions: list

    @property
    def input_region(self) -> tuple[Pair, Pair]:
        return self.regions[0]


def receptive_field(layers, cell=(0, 0)) -> ReceptiveField:
    """The receptive field of output ``cell = (row, col)`` of the last of ``layers``.

    Parameters
    ----------
    layers : sequence of Layer
        From the input onwards; an empty stack is the identity (r = 1).
    cell : (int, int)
        An output position of the last layer (not checked against any map size).

    Returns
    -------
    ReceptiveField

    Examples
    --------
    Two 3×3 convolutions with stride 1 see 5×5; the first output cell sees rows 0..4:

    >>> rf = receptive_field([Layer(3), Layer(3)])
    >>> rf.size, rf.jump, rf.input_region
    ((5, 5), (1, 1), ((0, 4), (0, 4)))

    With padding 1 the first cell's region starts in the padding:

    >>> receptive_field([Layer(3, padding=1), Layer(2, stride=2)], cell=(0, 2)).input_region
    ((-1, 2), (3, 6))
    """
    layers = list(layers)
    for layer in layers:
        if not isinstance(layer, Layer):
            raise PoolingError("receptive_not_layer", value=layer)
    cell = as_pair(cell, "cell", 0)
    sizes, jumps, terms = [1, 1], [1, 1], []
    for layer in layers:
        layer_terms = []
        for axis in range(2):
            layer_terms.append((layer.effective_kernel[axis] - 1, jumps[axis]))
            sizes[axis] += (layer.effective_kernel[axis] - 1) * jumps[axis]
            jumps[axis] *= layer.stride[axis]
        terms.append(tuple(layer_terms))

    region = [(cell[0], cell[0]), (cell[1], cell[1])]
    regions = [tuple(region)]
    for layer in reversed(layers):
        for axis in range(2):
            lo, hi = region[axis]
            s, p = layer.stride[axis], layer.padding[axis]
            region[axis] = (lo * s - p, hi * s - p + layer.effective_kernel[axis] - 1)
        regions.append(tuple(region))
    return ReceptiveField(tuple(sizes), tuple(jumps), terms, regions[::-1])


def clip(region: tuple[Pair, Pair], shape: Pair) -> tuple[Pair, Pair] | None:
    """The part of ``region`` inside a map of ``shape = (H, W)``; None when nothing is inside.

    Examples
    --------
    >>> clip(((-1, 3), (2, 9)), (4, 6))
    ((0, 3), (2, 5))
    >>> clip(((-3, -1), (0, 0)), (4, 6)) is None
    True
    """
    clipped = []
    for (lo, hi), n in zip(region, shape, strict=True):
        lo, hi = max(lo, 0), min(hi, n - 1)
        if lo > hi:
            return None
        clipped.append((lo, hi))
    return tuple(clipped)
