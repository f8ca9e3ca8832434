"""Small shared helpers: normal quantiles, confidence transforms, JSON safety, warnings."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from revict._core.errors import RevictWarning, SpecError

#: Days per year used for "at 1 ... 7 years" (as revict.synth's truth: year y = day floor(365.25 y)).
YEAR_DAYS = 365.25
CONF_TYPES = ("log", "log-log", "plain")


class ModelWarning(RevictWarning):
    """An estimate could not be made (or is unreliable); the output says which and why."""


def year_days(year: int) -> int:
    """Last day counted at ``year`` years, ``floor(365.25 year)``: 1 -> 365, 7 -> 2556."""
    return math.floor(year * YEAR_DAYS)


def z_value(conf_level: float) -> float:
    """Two-sided normal quantile for ``conf_level``."""
    if not 0 < conf_level < 1:
        raise SpecError(f"conf_level must be between 0 and 1, got {conf_level}", hint="Use e.g. 0.95.")
    return float(stats.norm.ppf(1 - (1 - conf_level) / 2))


def check_conf_type(conf_type: str) -> str:
    """Validate a confidence-interval transform name."""
    if conf_type not in CONF_TYPES:
        raise SpecError(
            f"conf_type must be one of {', '.join(CONF_TYPES)}, got {conf_type!r}",
            hint="Use 'log' (R's survfit default) or 'log-log'.",
        )
    return conf_type


def surv_ci(
    surv: NDArray[np.float64], se_log: NDArray[np.float64], z: float, conf_type: str
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Pointwise CI of a survival probability as R's survfit (``se_log`` = se of log S).

    ``log``: ``S exp(-/+ z se)``, upper capped at 1; ``log-log``:
    ``exp(-exp(log(-log S) -/+ z se / log S))``; ``plain``: ``S -/+ z S se``. NaN where
    undefined (S = 0, or S = 1 for log-log), as R's NA.
    """
    s = np.asarray(surv, float)
    se = np.asarray(se_log, float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if conf_type == "log":
            lo, up = s * np.exp(-z * se), np.minimum(s * np.exp(z * se), 1.0)
            bad = s <= 0
        elif conf_type == "log-log":
            ll = np.log(-np.log(s))
            dd = z * se / np.log(s)
            lo, up = np.exp(-np.exp(ll - dd)), np.exp(-np.exp(ll + dd))
            bad = (s <= 0) | (s >= 1)
        else:
            lo, up = np.maximum(s - z * s * se, 0.0), np.minimum(s + z * s * se, 1.0)
            bad = np.zeros(s.shape, bool)
    bad = bad | ~np.isfinite(se)
    lo = np.where(bad, np.nan, lo)
    up = np.where(bad, np.nan, up)
    if conf_type == "log":  # R: S = 1 with se = 0 gives (1, 1)
        lo = np.where((s >= 1) & (se == 0), 1.0, lo)
        up = np.where((s >= 1) & (se == 0), 1.0, up)
    return lo, up


def prob_ci(
    p: NDArray[np.float64], se: NDArray[np.float64], z: float, conf_type: str
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """CI of an increasing probability (a cumulative incidence) from its standard error.

    ``log``: ``F exp(-/+ z se / F)`` (R's survfit for multi-state curves);
    ``log-log``: ``F ^ exp(-/+ z se / (F log F))``; ``plain``: ``F -/+ z se``.
    """
    p = np.asarray(p, float)
    se = np.asarray(se, float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if conf_type == "log":
            lo, up = p * np.exp(-z * se / p), np.minimum(p * np.exp(z * se / p), 1.0)
        elif conf_type == "log-log":
            k = z * se / (p * np.log(p))
            lo, up = p ** np.exp(k), p ** np.exp(-k)
        else:
            lo, up = p - z * se, p + z * se
    lo = np.clip(lo, 0.0, 1.0)
    up = np.clip(up, 0.0, 1.0)
    zero = p <= 0
    return np.where(zero, 0.0, lo), np.where(zero, 0.0, up)


def num(x: Any) -> float | None:
    """Return a JSON-safe float: ``None`` for NaN/inf/None."""
    if x is None:
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def num_list(a: Any) -> list[float | None]:
    """Return a JSON-safe list of floats (NaN and infinities become ``None``)."""
    arr = np.asarray(a, dtype=float)
    out: list[float | None] = arr.tolist()
    if not np.all(np.isfinite(arr)):
        out = [v if v is not None and math.isfinite(v) else None for v in out]
    return out


def int_list(a: Any) -> list[int]:
    """Return a list of Python ints."""
    return [int(v) for v in np.asarray(a).tolist()]


def warn(message: str, sink: list[str] | None = None) -> None:
    """Emit a :class:`ModelWarning` and record its text in ``sink``."""
    if sink is not None:
        sink.append(message)
    warnings.warn(message, ModelWarning, stacklevel=3)


def _small_integer_range(*arrays: NDArray[Any]) -> tuple[int, int] | None:
    """``(lo, hi)`` if every array holds integral values in a range small enough for a lookup table."""
    lo, hi = None, None
    for a in arrays:
        if a.size == 0:
            continue
        if a.dtype.kind == "f" and not np.array_equal(a, np.floor(a)):
            return None
        if a.dtype.kind not in "fiu":
            return None
        amin, amax = float(a.min()), float(a.max())
        if not (math.isfinite(amin) and math.isfinite(amax)):
            return None
        lo = amin if lo is None else min(lo, amin)
        hi = amax if hi is None else max(hi, amax)
    if lo is None or hi is None or hi - lo > 50_000_000:
        return None
    return int(lo), int(hi)


def unique_inverse(values: NDArray[Any]) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """``np.unique(values, return_inverse=True)`` in O(n) for integral values (e.g. days)."""
    v = np.asarray(values)
    rng = _small_integer_range(v)
    if rng is None:
        ut, inv = np.unique(v.astype(float), return_inverse=True)
        return ut, inv.astype(np.int64)
    lo, hi = rng
    off = (v - lo).astype(np.int64)
    present = np.bincount(off, minlength=hi - lo + 1) > 0
    rank = np.cumsum(present) - 1
    return (np.flatnonzero(present) + lo).astype(float), rank[off].astype(np.int64)


def sorted_position(grid: NDArray[np.float64], q: NDArray[Any], side: str) -> NDArray[np.int64]:
    """``np.searchsorted(grid, q, side)`` in O(n) when grid and queries are integral days."""
    q = np.asarray(q)
    rng = _small_integer_range(grid, q)
    if rng is None or len(q) < 10_000:
        pos = np.searchsorted(grid, q, side="right" if side == "right" else "left")
        return np.asarray(pos, dtype=np.int64)
    lo, hi = rng
    size = hi - lo + 2
    cnt = np.bincount((grid - lo).astype(np.int64), minlength=size)
    le = np.cumsum(cnt)  # number of grid values <= lo + k
    k = (q - lo).astype(np.int64)
    if side == "right":
        return np.asarray(le[k], np.int64)
    lt = np.concatenate([[0], le[:-1]])
    return np.asarray(lt[k], np.int64)
