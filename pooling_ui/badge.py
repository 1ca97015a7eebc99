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

LOGGER = logging.getLogger(__name__)
ICONS = {True: ":material/check_circle:", False: ":material/error:"}

STRINGS = {
    # "largest", not "max": next to a view of max pooling, "max |Δ|" reads like the kind.
    "ok": "matches PyTorch {version} on {device} — largest |Δ|: forward {forward}, "
          "backward {backward}",
    "bad": "differs from PyTorch {version} on {device} — largest |Δ|: forward {forward}, "
           "backward {backward}",
    "help": (
        "The same input and parameters were pooled by PyTorch {version} ({kind}), forward and "
        "backward (with a random upstream gradient), and compared with this app's engine. "
        "Checked on {region}. Agreement rule: {tolerance}.{exact}{note}"
    ),
    "exact": " Every number is bit-for-bit identical.",
    "no_torch": (
        "Cross-check with PyTorch is off: PyTorch is not installed here. Every number on the "
        "page still comes from the app's engine, which the test suite checks against PyTorch."
    ),
    "unavailable": "Cross-check with PyTorch could not run for these settings ({reason}).",
}


@dataclass(frozen=True)
class BadgeText:
    """What the badge says: ``ok`` (True, False, or None for a neutral note), a line, a tooltip."""

    ok: bool | None
    label: str
    help: str = ""


def _number(value: float) -> str:
    if value is None or not np.isfinite(value):
        return "n/a"
    return "0" if value == 0 else f"{value:.2g}"


def badge_text(result) -> BadgeText:
    """The badge for a :class:`pooling_core.crosscheck.CompareResult`."""
    version = str(result.torch_version).split("+")[0]  # "2.13.0+cpu": the device is said apart
    fields = {"version": version, "device": result.device,
              "forward": _number(result.max_abs_diff_forward),
              "backward": _number(result.max_abs_diff_backward)}
    label = STRINGS["ok" if result.ok else "bad"].format(**fields)
    note = f" {result.note}" if getattr(result, "note", "") else ""
    help_text = STRINGS["help"].format(version=result.torch_version, kind=result.kind,
                                       region=result.region, tolerance=result.tolerance,
                                       exact=STRINGS["exact"] if result.exact else "", note=note)
    return BadgeText(bool(result.ok), label, help_text)


def _run_compare(x: np.ndarray, kwargs: dict) -> BadgeText:
    try:
        from pooling_core import crosscheck
    except ImportError:
        return BadgeText(None, STRINGS["no_torch"])
    try:
        result = crosscheck.compare(x, **kwargs)
    except ImportError:
        return BadgeText(None, STRINGS["no_torch"])
    except Exception as error:  # the badge is a bonus: it must never break the page
        LOGGER.warning("cross-check failed: %s", error)
        return BadgeText(None, STRINGS["unavailable"].format(reason=error))
    return badge_text(result)


@st.cache_data(max_entries=64, show_spinner=False)
def _checked_by_key(data_key: str, _x: np.ndarray, kwargs: dict) -> BadgeText:
    return _run_compare(_x, kwargs)


@st.cache_data(max_entries=64, show_spinner=False)
def _checked(x: np.ndarray, kwargs: dict) -> BadgeText:
    return _run_compare(x, kwargs)


def crosscheck_badge(x: np.ndarray, kwargs: dict, data_key: str = "") -> BadgeText:
    """Show the badge for pooling ``x`` with ``kwargs``.

    ``data_key``, when given, identifies ``x`` for the cache (so a big array is not hashed);
    otherwise ``x`` itself is hashed. Returns what was shown.
    """
    text = _checked_by_key(data_key, x, kwargs) if data_key else _checked(x, kwargs)
    if text.ok is None:
        st.caption(text.label)
    else:
        st.badge(text.label, icon=ICONS[text.ok], color="green" if text.ok else "red",
                 help=text.help or None)
    return text


def feature_map_badge(fm, params) -> BadgeText:
    """The badge for the whole feature map (the engine crops big photos to a centre region)."""
    return crosscheck_badge(fm.data, params.kwargs(), fm.key)
