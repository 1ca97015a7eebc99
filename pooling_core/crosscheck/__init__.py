"""Check pooling_core against PyTorch: ``reference_*`` functions, ``compare``, a command line.

The reference functions compute every kind of pooling with PyTorch and return NumPy arrays
(``references`` says how: PyTorch's own functions where it has the operation, PyTorch
primitives following ``docs/SEMANTICS.md`` where it does not).

The package imports PyTorch only when a function needs it, so ``pooling_core`` stays NumPy-only
(importing ``pooling_core.crosscheck`` does not load torch either). Its modules:

* ``references`` — the ``reference_*`` functions, the window geometry they share and the
  PyTorch building blocks;
* ``tolerance`` — the comparison rules (``agreement``, ``Rule``, ``Tolerance``, ``tolerance_for``,
  ``RTOL``), also used by the tests;
* ``compare`` — ``check_case`` (one call, forward, indices and backward) and ``compare`` (the
  app's "matches PyTorch" badge);
* ``suite`` — the randomized suite and its command line.

The window geometry in ``references`` is worked out here again, per axis, on purpose: an oracle
must not share the code it checks, so a mistake in :mod:`pooling_core.windows` cannot hide in
both.

Command line::

    python -m pooling_core.crosscheck [--device auto|cpu|cuda] [--cases N] [--seed S]

runs a randomized agreement suite of every kind and parameter family and prints one table row per
family: cases, max |Δ| forward and backward, how many cases were bit-exact, the tolerance used and
the device. It exits with status 1 when any case disagrees.
"""

from .compare import MAX_COMPARE_SIDE, CaseCheck, CompareResult, check_case, compare
from .references import (
    TORCH_MISSING,
    AxisGeometry,
    axis_geometry,
    compute_dtype,
    default_weights,
    geometry,
    geometry_from_params,
    has_padding_only_window,
    reference_adaptive_pool2d,
    reference_adaptive_pool2d_backward,
    reference_pool1d,
    reference_pool1d_backward,
    reference_pool2d,
    reference_pool2d_backward,
)
from .suite import (
    FAMILIES,
    FINITE,
    SPECIAL_VALUES,
    TIE_VALUES,
    Family,
    FamilyTally,
    main,
    random_values,
    run_suite,
)
from .tolerance import (
    CUDA_RTOL,
    LP_FORWARD_ULP,
    RTOL,
    TOLERANCE_LEGEND,
    Agreement,
    Rule,
    Tolerance,
    agreement,
    tolerance_for,
)

__all__ = [
    "CUDA_RTOL",
    "FAMILIES",
    "FINITE",
    "LP_FORWARD_ULP",
    "MAX_COMPARE_SIDE",
    "RTOL",
    "SPECIAL_VALUES",
    "TIE_VALUES",
    "TOLERANCE_LEGEND",
    "TORCH_MISSING",
    "Agreement",
    "AxisGeometry",
    "CaseCheck",
    "CompareResult",
    "Family",
    "FamilyTally",
    "Rule",
    "Tolerance",
    "agreement",
    "axis_geometry",
    "check_case",
    "compare",
    "compute_dtype",
    "default_weights",
    "geometry",
    "geometry_from_params",
    "has_padding_only_window",
    "main",
    "random_values",
    "reference_adaptive_pool2d",
    "reference_adaptive_pool2d_backward",
    "reference_pool1d",
    "reference_pool1d_backward",
    "reference_pool2d",
    "reference_pool2d_backward",
    "run_suite",
    "tolerance_for",
]
