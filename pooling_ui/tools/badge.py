"""The cross-check badge: does the current view agree with PyTorch?

It runs :func:`pooling_core.crosscheck.compare` (forward and backward against PyTorch) on the
current input and parameters, caches the answer, and shows one line such as
"matches PyTorch 2.13.0 on cpu — largest |Δ|: forward 0, backward 0" beside a tick (a Material
icon, which needs no emoji font). Without PyTorch, or when the comparison cannot run, a neutral
note replaces it and nothing else on the page changes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import streamlit as st

from pooling_ui.base.caching import cache_data
from pooling_ui.base.i18n import t

LOGGER = logging.getLogger(__name__)
ICONS = {True: ":material/check_circle:", False: ":material/error:"}


@dataclass(frozen=True)
class BadgeText:
    """What the badge says: ``ok`` (True, False, or None for a neutral note), a line, a tooltip."""

    ok: bool | None
    label: str
    help: str = ""


def _number(value: float) -> str:
    if value is None or not np.isfinite(value):
        return "—"
    return "0" if value == 0 else f"{value:.2g}"


def badge_text(result) -> BadgeText:
    """The badge for the outcome of :func:`_run_compare`: a
    :class:`pooling_core.crosscheck.CompareResult`, or a reason it could not run."""
    if isinstance(result, Unavailable):
        if result.reason is None:
            return BadgeText(None, t("badge.no_torch"))
        return BadgeText(None, t("badge.unavailable", reason=result.reason))
    version = str(result.torch_version).split("+")[0]  # "2.13.0+cpu": the device is said apart
    fields = {"version": version, "device": result.device,
              "forward": _number(result.max_abs_diff_forward),
              "backward": _number(result.max_abs_diff_backward)}
    label = t("badge.ok" if result.ok else "badge.bad", **fields)
    if result.crop_hw is None:
        region = t("badge.region_whole")
    else:
        region = t("badge.region_crop", h=result.crop_hw[0], w=result.crop_hw[1],
                   height=result.input_hw[0], width=result.input_hw[1])
    help_text = t("badge.help", version=result.torch_version, kind=result.kind, region=region,
                  tolerance=result.tolerance)
    if result.exact:
        help_text += " " + t("badge.exact")
    if result.note:
        help_text += " " + t("badge.note", note=result.note)
    return BadgeText(bool(result.ok), label, help_text)


@dataclass(frozen=True)
class Unavailable:
    """The comparison did not run: PyTorch is missing (``reason`` None) or failed (why)."""

    reason: str | None = None


def _run_compare(x: np.ndarray, kwargs: dict):
    try:
        from pooling_core import crosscheck
    except ImportError:
        return Unavailable()
    try:
        return crosscheck.compare(x, **kwargs)
    except ImportError:
        return Unavailable()
    except Exception as error:  # the badge is a bonus: it must never break the page
        LOGGER.warning("cross-check failed: %s", error)
        return Unavailable(f"{type(error).__name__}: {error}")


# Cached: the outcome, not its words, so that every language reads the same entry.
@cache_data(64)
def _checked_by_key(data_key: str, _x: np.ndarray, kwargs: dict):
    return _run_compare(_x, kwargs)


@cache_data(64)
def _checked(x: np.ndarray, kwargs: dict):
    return _run_compare(x, kwargs)


def crosscheck_badge(x: np.ndarray, kwargs: dict, data_key: str = "") -> BadgeText:
    """Show the badge for pooling ``x`` with ``kwargs``.

    ``data_key``, when given, identifies ``x`` for the cache (so a big array is not hashed);
    otherwise ``x`` itself is hashed. Returns what was shown.
    """
    text = badge_text(_checked_by_key(data_key, x, kwargs) if data_key else _checked(x, kwargs))
    if text.ok is None:
        st.caption(text.label)
    else:
        st.badge(text.label, icon=ICONS[text.ok], color="green" if text.ok else "red",
                 help=text.help or None)
    return text


def feature_map_badge(fm, params) -> BadgeText:
    """The badge for the whole feature map (the engine crops big photos to a centre region)."""
    return crosscheck_badge(fm.data, params.kwargs(), fm.key)
