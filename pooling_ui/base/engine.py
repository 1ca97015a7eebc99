"""The views' only door to :mod:`pooling_core`: cached calls, and the errors they may raise.

Nothing here computes pooling. Each function calls the engine with the parameters the user chose
(``PoolParams.kwargs()``) and caches the result with ``st.cache_data`` (pure functions of arrays),
so that a rerun which changes nothing about the pooling costs nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import streamlit as st

import pooling_core as pc
from pooling_ui.base.caching import cache_data, cache_resource
from pooling_ui.base.i18n import engine_message, t

LOGGER = logging.getLogger(__name__)

CACHE_ENTRIES = 32


def split_kwargs(kwargs: dict) -> tuple[str, dict]:
    """``(kind, the other keyword arguments)`` of a ``PoolParams.kwargs()`` dict."""
    rest = dict(kwargs)
    kind = rest.pop("kind", "max")
    return kind, rest


@cache_data(CACHE_ENTRIES)
def pool(x: np.ndarray, kwargs: dict) -> np.ndarray:
    """``pc.pool2d(x, **kwargs)``, cached (``x`` is hashed: for small arrays)."""
    return pc.pool2d(x, **kwargs)


# Whole feature maps can be photos of tens of megabytes: their results are kept as shared,
# read-only arrays (st.cache_resource) rather than pickled copies (st.cache_data), whose copy on
# every rerun would cost more than the pooling itself.
BIG_CACHE_ENTRIES = 8


def _read_only(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)
    return array


@cache_resource(BIG_CACHE_ENTRIES)
def _pool_by_key(data_key: str, _x: np.ndarray, kwargs: dict) -> np.ndarray:
    return _read_only(pc.pool2d(_x, **kwargs))


@cache_resource(BIG_CACHE_ENTRIES)
def _backward_by_key(data_key: str, _x: np.ndarray, _grad: np.ndarray, kwargs: dict) -> np.ndarray:
    return _read_only(pc.pool2d_backward(_x, _grad, **kwargs))


def pool_feature_map(fm, kwargs: dict) -> np.ndarray:
    """The whole feature map pooled at full resolution, cached by the map's key.

    ``fm.key`` changes exactly when the data does, so a 12-megapixel photo is not hashed on
    every rerun (maps without a key are hashed).
    """
    if getattr(fm, "key", ""):
        return _pool_by_key(fm.key, fm.data, kwargs)
    return pool(fm.data, kwargs)


def backward_feature_map(fm, grad_output: np.ndarray, grad_key: str, kwargs: dict) -> np.ndarray:
    """``dL/dx`` of the whole feature map for an upstream gradient described by ``grad_key``."""
    if getattr(fm, "key", ""):
        return _backward_by_key(f"{fm.key}|{grad_key}", fm.data, grad_output, kwargs)
    return backward(fm.data, grad_output, kwargs)


@cache_data(CACHE_ENTRIES)
def pool_with_indices(x: np.ndarray, kwargs: dict) -> tuple[np.ndarray, np.ndarray | None]:
    """Output and, for the kinds with indices, the flat index ``h*W + w`` of each window's
    winning cell."""
    if pc.kind_spec(kwargs.get("kind", "max")).has_indices:
        return pc.pool2d(x, return_indices=True, **kwargs)
    return pc.pool2d(x, **kwargs), None


@cache_data(CACHE_ENTRIES)
def backward(x: np.ndarray, grad_output: np.ndarray, kwargs: dict) -> np.ndarray:
    """``pc.pool2d_backward(x, grad_output, **kwargs)``, cached."""
    return pc.pool2d_backward(x, grad_output, **kwargs)


@cache_data(CACHE_ENTRIES)
def geometry(in_hw: tuple[int, int], geometry_kwargs: dict) -> pc.Geometry:
    """``pc.window_geometry(in_hw, **geometry_kwargs)``, cached."""
    return pc.window_geometry(tuple(int(n) for n in in_hw), **geometry_kwargs)


@cache_data(256)
def explain(x2d: np.ndarray, out_row: int, out_col: int, kwargs: dict) -> pc.Explanation:
    """``pc.explain(x2d, out_row, out_col, **kwargs)``, cached."""
    return pc.explain(x2d, int(out_row), int(out_col), **kwargs)


def kwargs_for_kind(params, kind: str) -> dict:
    """The user's parameters with another ``kind``: its own options, its defaults otherwise.

    ``divisor_override`` is dropped for kinds that do not take it (the engine would refuse it),
    so that comparing max with an overridden average still works.
    """
    base = dict(params.kwargs())
    current = base.pop("kind", params.kind)
    for option in pc.KIND_OPTIONS.get(current, {}):
        base.pop(option, None)
    if not pc.kind_spec(kind).takes_divisor:
        base.pop("divisor_override", None)
    options = dict(params.options) if kind == current else {}
    return {"kind": kind, **base, **options}


@contextmanager
def view_guard(where: str = "") -> Iterator[None]:
    """Show an engine refusal (or an unexpected failure) as a message; keep the page alive.

    A :class:`pooling_core.PoolingError` is the engine saying the settings do not make sense
    for this view (e.g. stochastic pooling of negative values); its message is written for people
    and is shown as it is. Anything else is a bug: it is logged with its traceback for us, and
    the user gets a plain sentence instead of a traceback.
    """
    try:
        yield
    except pc.PoolingError as error:
        st.error(t("views.engine_error", message=engine_message(error)))
    except Exception as error:  # a view must never take the page down with a traceback
        LOGGER.exception("view %s failed", where)
        st.error(t("views.internal_error", error=f"{type(error).__name__}: {error}"))
