"""Draw one chunk of true, caught victims: covariates, life events and victimisations.

Everything is vectorised over the victims of a chunk; days are integers counted from
1970-01-01 (Arrow ``date32``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from revict.synth import _calibration as cal
from revict.synth._model import DAYS_PER_YEAR, Baseline, CaptureModel, linear_predictor

_EPOCH = dt.date(1970, 1, 1)


def day_number(d: dt.date) -> int:
    """Days since 1970-01-01."""
    return (d - _EPOCH).days


def _jan1(year: np.ndarray) -> np.ndarray:
    years = (np.asarray(year, dtype=np.int64) - 1970).astype("datetime64[Y]")
    return years.astype("datetime64[D]").astype(np.int64)


@dataclass(frozen=True)
class Window:
    """Data window as day numbers."""

    start: int
    end: int


@dataclass
class Victims:
    """Covariates and life events of the victims of one chunk (local index ``v``)."""

    linked: np.ndarray
    year: np.ndarray
    index_day: np.ndarray
    sex: np.ndarray
    form: np.ndarray
    is_minor: np.ndarray
    birth_year: np.ndarray
    origin: np.ndarray
    origin_missing: np.ndarray
    history: np.ndarray
    death_day: np.ndarray
    emig_day: np.ndarray
    end_day: np.ndarray
    eta: np.ndarray

    @property
    def n(self) -> int:
        """Number of victims."""
        return int(self.year.shape[0])


def _categorical_rows(rng: np.random.Generator, table: np.ndarray, row: np.ndarray) -> np.ndarray:
    """One categorical draw per element, from row ``row[i]`` of a probability table."""
    cum = np.cumsum(table, axis=1)
    cum[:, -1] = 1.0
    u = np.asarray(rng.random(row.shape[0]))
    return np.asarray((u[:, None] >= cum[row]).sum(axis=1))


def _ages(rng: np.random.Generator, is_minor: np.ndarray) -> np.ndarray:
    """Age at index (years): minors 10-17 skewed to older teens; adults skewed young."""
    n = is_minor.shape[0]
    minor_w = np.array([1, 1, 2, 3, 5, 7, 9, 10], dtype=float)
    minor_age = 10 + rng.choice(8, size=n, p=minor_w / minor_w.sum())
    adult_age = np.minimum(18 + np.floor(rng.gamma(1.6, 7.5, size=n)), 69).astype(np.int64)
    return np.where(is_minor, minor_age, adult_age)


def draw_victims(
    rng: np.random.Generator, n_link: int, n_unlinked: int, window: Window, capture: CaptureModel
) -> Victims:
    """Draw the victims of one chunk: the first ``n_link`` are linkable persons."""
    n = n_link + n_unlinked
    years = np.array(sorted(cal.REGISTERED_PER_YEAR), dtype=np.int64)
    w = np.array([cal.REGISTERED_PER_YEAR[y] for y in years], dtype=float)
    year = years[rng.choice(years.size, size=n, p=w / w.sum())]
    start = _jan1(year)
    index_day = start + np.floor(rng.random(n) * (_jan1(year + 1) - start)).astype(np.int64)
    index_day = np.minimum(index_day, window.end)
    sex = rng.choice(len(cal.SEXES), size=n, p=np.array(cal.SEX_P))
    form = _categorical_rows(rng, np.array([cal.FORM_P_BY_SEX[s] for s in cal.SEXES]), sex)
    minor_p = np.array([cal.MINOR_SHARE[int(y)] for y in years])
    is_minor = rng.random(n) < minor_p[year - years[0]]
    birth_year = year - _ages(rng, is_minor)
    origin = rng.choice(len(cal.ORIGINS), size=n, p=np.array(cal.ORIGIN_P))
    origin_missing = rng.random(n) < cal.ORIGIN_MISSING
    history = 1 + rng.choice(63, size=n, p=capture.conditional_caught())
    death_rate = cal.DEATH_RATE_PER_YEAR / DAYS_PER_YEAR
    death_day = index_day + np.ceil(rng.standard_exponential(n) / death_rate).astype(np.int64)
    emig_rates = np.array([-np.log1p(-cal.EMIGRATION_7Y[o]) / (7 * DAYS_PER_YEAR) for o in cal.ORIGINS])
    emig_day = index_day + np.ceil(rng.standard_exponential(n) / emig_rates[origin]).astype(np.int64)
    end_day = np.minimum(np.minimum(death_day, emig_day) - 1, window.end)
    return Victims(
        linked=np.arange(n) < n_link,
        year=year,
        index_day=index_day,
        sex=sex,
        form=form,
        is_minor=is_minor,
        birth_year=birth_year,
        origin=origin,
        origin_missing=origin_missing,
        history=history,
        death_day=death_day,
        emig_day=emig_day,
        end_day=end_day,
        eta=linear_predictor(form, sex, is_minor),
    )


@dataclass
class Events:
    """Victimisations of one chunk.

    ``kind``: 0 background, 1 in the 365 days before index, 2 first after index, 3 later.
    """

    victim: np.ndarray
    day: np.ndarray
    kind: np.ndarray


def _poisson_in_interval(
    rng: np.random.Generator, lo: np.ndarray, length: np.ndarray, rate_per_day: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Homogeneous Poisson process on integer days ``lo .. lo+length-1`` per victim."""
    length = np.maximum(length, 0)
    count = rng.poisson(rate_per_day * length)
    victim = np.repeat(np.arange(lo.shape[0]), count)
    day = lo[victim] + np.floor(rng.random(victim.shape[0]) * length[victim]).astype(np.int64)
    return victim, day


def draw_events(rng: np.random.Generator, vic: Victims, window: Window, baseline: Baseline) -> Events:
    """Victimisations before and after the index registration.

    The first after the index follows the planted Weibull proportional-hazards model
    (day >= 1 after index); later ones a Poisson process with gamma frailty; all stop
    the day before death or emigration and at data end.
    """
    first_day = vic.index_day + baseline.draw_days(vic.eta, rng)
    has_first = first_day <= vic.end_day
    frailty = rng.gamma(1.0 / cal.FRAILTY_VARIANCE, cal.FRAILTY_VARIANCE, size=vic.n)
    rec_rate = cal.RECURRENT_RATE_PER_YEAR / DAYS_PER_YEAR * frailty * np.exp(vic.eta)
    rec_len = np.where(has_first, vic.end_day - first_day, 0)
    rv, rd = _poisson_in_interval(rng, first_day + 1, rec_len, rec_rate)
    earliest = np.maximum(window.start, _jan1(vic.birth_year + 1))
    last_year_lo = np.maximum(earliest, vic.index_day - 365)
    av, ad = _poisson_in_interval(
        rng, earliest, vic.index_day - 365 - earliest, np.full(vic.n, cal.PRIOR_RATE_PER_YEAR / DAYS_PER_YEAR)
    )
    bv, bd = _poisson_in_interval(
        rng, last_year_lo, vic.index_day - last_year_lo, np.full(vic.n, cal.PRIOR_RATE_LAST_YEAR / DAYS_PER_YEAR)
    )
    fv = np.flatnonzero(has_first)
    victim = np.concatenate([av, bv, fv, rv])
    day = np.concatenate([ad, bd, first_day[fv], rd])
    kind = np.concatenate([np.zeros(av.size), np.ones(bv.size), np.full(fv.size, 2), np.full(rv.size, 3)])
    order = np.lexsort((kind, day, victim))
    return Events(victim[order], day[order], kind[order].astype(np.int8))


@dataclass
class Registrations:
    """Registrations of one chunk.

    ``kind``: 0 index, 1 same episode by another organisation, 2 re-registration.
    """

    victim: np.ndarray
    day: np.ndarray
    reporter: np.ndarray
    form: np.ndarray
    kind: np.ndarray


def _episode_registrations(rng: np.random.Generator, vic: Victims, window: Window) -> Registrations:
    """One registration per list in each victim's capture history."""
    k = len(cal.LISTS)
    bits = (vic.history[:, None] >> np.arange(k - 1, -1, -1)[None, :]) & 1
    victim, reporter = np.nonzero(bits)
    count = bits.sum(axis=1)
    rank = np.arange(victim.size) - np.repeat(np.cumsum(count) - count, count)
    first_pick = np.floor(rng.random(vic.n) * count).astype(np.int64)
    is_index = rank == first_pick[victim]
    delay = 1 + np.floor(rng.exponential(cal.SECOND_LIST_DELAY_MEAN_DAYS, size=victim.size)).astype(np.int64)
    # later registrations of the same episode: before death and emigration, not after data end
    later = np.maximum(np.minimum(vic.index_day[victim] + delay, vic.end_day[victim]), vic.index_day[victim])
    day = np.where(is_index, vic.index_day[victim], later)
    form = vic.form[victim].copy()
    unknown = (day > vic.index_day[victim]) & (rng.random(victim.size) < cal.SECOND_LIST_UNKNOWN_FORM)
    form[unknown] = cal.FORMS.index("unknown")
    return Registrations(victim, day, reporter, form, np.where(is_index, 0, 1).astype(np.int8))


def draw_registrations(rng: np.random.Generator, vic: Victims, window: Window) -> Registrations:
    """Registrations: the capture episode plus some re-registrations years later."""
    ep = _episode_registrations(rng, vic, window)
    lo, hi = cal.REREGISTRATION_DAYS
    again = rng.random(vic.n) < cal.REREGISTRATION_SHARE
    again_day = vic.index_day + rng.integers(lo, hi, size=vic.n)
    again &= again_day <= np.minimum(vic.end_day, window.end)
    rv = np.flatnonzero(again)
    lw = np.array(cal.LIST_WEIGHTS)
    r_reporter = rng.choice(len(cal.LISTS), size=rv.size, p=lw / lw.sum())
    new_form = _categorical_rows(rng, np.array([cal.FORM_P_BY_SEX[s] for s in cal.SEXES]), vic.sex[rv])
    r_form = np.where(rng.random(rv.size) < 0.6, vic.form[rv], new_form)
    victim = np.concatenate([ep.victim, rv])
    day = np.concatenate([ep.day, again_day[rv]])
    kind = np.concatenate([ep.kind, np.full(rv.size, 2, dtype=np.int8)])
    order = np.lexsort((kind, day, victim))
    return Registrations(
        victim[order],
        day[order],
        np.concatenate([ep.reporter, r_reporter])[order],
        np.concatenate([ep.form, r_form])[order],
        kind[order],
    )
