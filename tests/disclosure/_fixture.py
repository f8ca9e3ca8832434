"""A realistic, hand-made results.json (as `revict analyse` + `revict network` write it) for tests.

Persons are simulated with numpy; Kaplan–Meier, Aalen–Johansen and MCF tables are computed
here with textbook formulas (not the models package) so disclosure and report tests do not
depend on the stages being written in parallel.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

FORMS = {"sexual": 0.55, "labour": 0.25, "criminal": 0.14, "other": 0.04, "unknown": 0.02}
SEXES = {"F": 0.7, "M": 0.29, "U": 0.01}
AGES = {"0-17": 0.15, "18-24": 0.3, "25-34": 0.3, "35-49": 0.18, "50+": 0.07}
ORIGINS = {"NL": 0.35, "EU": 0.3, "non-EU": 0.3, "unknown": 0.05}
HORIZON = 2557
Z = 1.959963984540054


def _draw(rng: np.random.Generator, probs: dict[str, float], n: int) -> np.ndarray:
    keys = list(probs)
    p = np.array([probs[k] for k in keys])
    return np.array(keys)[rng.choice(len(keys), size=n, p=p / p.sum())]


def km_table(time: np.ndarray, event: np.ndarray) -> dict[str, list[Any]]:
    """R-style summary(survfit) table with log-transformed CI, one row per distinct time."""
    times, inv = np.unique(time, return_inverse=True)
    d = np.bincount(inv, weights=(event == 1)).astype(int)
    c = np.bincount(inv, weights=(event != 1)).astype(int)
    removed = d + c
    n_risk = len(time) - np.concatenate([[0], np.cumsum(removed)[:-1]])
    s = np.cumprod(1 - d / n_risk)
    with np.errstate(divide="ignore", invalid="ignore"):
        g = np.cumsum(np.where(n_risk > d, d / (n_risk * (n_risk - d)), 0.0))
    se = np.sqrt(g)
    lower = np.clip(s * np.exp(-Z * se), 0, 1)
    upper = np.clip(s * np.exp(Z * se), 0, 1)
    return {
        "time": times.astype(float).tolist(),
        "n_risk": n_risk.tolist(),
        "n_event": d.tolist(),
        "n_censor": c.tolist(),
        "surv": s.tolist(),
        "lower": lower.tolist(),
        "upper": upper.tolist(),
    }


def cif_table(time: np.ndarray, status: np.ndarray) -> dict[str, Any]:
    """Aalen–Johansen cumulative incidence of cause 1 (outcome) and 2 (death), delta-method-ish CI."""
    times, inv = np.unique(time, return_inverse=True)
    d1 = np.bincount(inv, weights=(status == 1)).astype(int)
    d2 = np.bincount(inv, weights=(status == 2)).astype(int)
    removed = np.bincount(inv).astype(int)
    n_risk = len(time) - np.concatenate([[0], np.cumsum(removed)[:-1]])
    s = np.cumprod(1 - (d1 + d2) / n_risk)
    s_prev = np.concatenate([[1.0], s[:-1]])
    out: dict[str, Any] = {"time": times.astype(float).tolist(), "n_risk": n_risk.tolist()}
    for name, d in (("outcome", d1), ("death", d2)):
        cif = np.cumsum(s_prev * d / n_risk)
        se = np.sqrt(np.cumsum(d / n_risk**2)) * np.maximum(s_prev, 0.05)
        out[name] = {
            "n_event": d.tolist(),
            "cif": cif.tolist(),
            "lower": np.clip(cif - Z * se, 0, 1).tolist(),
            "upper": np.clip(cif + Z * se, 0, 1).tolist(),
        }
    return out


def mcf_table(stop: np.ndarray, n_events_at: list[np.ndarray]) -> dict[str, list[Any]]:
    """Nelson–Aalen type MCF: at each event time, events / persons still followed."""
    all_ev = np.concatenate(n_events_at) if n_events_at else np.array([])
    times = np.unique(all_ev)
    d = np.array([(all_ev == t).sum() for t in times])
    n_risk = np.array([(stop >= t).sum() for t in times])
    mcf = np.cumsum(d / n_risk)
    se = np.sqrt(np.cumsum(d / n_risk**2))
    return {
        "time": times.astype(float).tolist(),
        "mcf": mcf.tolist(),
        "lower": np.maximum(mcf - Z * se, 0).tolist(),
        "upper": (mcf + Z * se).tolist(),
        "n_risk": n_risk.tolist(),
    }


def _yearly(km: dict[str, list[Any]]) -> dict[str, dict[str, float | int]]:
    t = np.array(km["time"])
    out = {}
    for y in range(1, 8):
        cut = y * 365.25
        idx = np.searchsorted(t, cut, side="right") - 1
        s, lo, hi = (1.0, 1.0, 1.0) if idx < 0 else (km["surv"][idx], km["lower"][idx], km["upper"][idx])
        at_risk = int(np.array(km["n_risk"])[t >= cut][0]) if (t >= cut).any() else 0
        out[str(y)] = {"estimate": 1 - s, "ci_lower": 1 - hi, "ci_upper": 1 - lo, "at_risk": at_risk}
    return out


def _persons(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    form = _draw(rng, FORMS, n)
    sex = _draw(rng, SEXES, n)
    age = _draw(rng, AGES, n)
    origin = _draw(rng, ORIGINS, n)
    hr = np.exp(
        np.where(form == "labour", -0.3, 0)
        + np.where(form == "criminal", 0.25, 0)
        + np.where(age == "0-17", 0.4, 0)
        + np.where(sex == "M", -0.2, 0)
    )
    susceptible = rng.random(n) < 0.552
    t_event = np.where(susceptible, rng.exponential(365.25 / 0.338 / hr), np.inf)
    t_death = rng.exponential(365.25 * 150, n)
    t_cens = rng.uniform(4 * 365.25, HORIZON + 3000, n)
    end = np.minimum.reduce([t_death, t_cens, np.full(n, float(HORIZON))])
    time = np.ceil(np.minimum(t_event, end)).astype(int)
    status = np.where(t_event <= end, 1, np.where(t_death <= end, 2, 0))
    follow = np.ceil(end).astype(int)
    # recurrent events: a Poisson process with a frailty, over each person's follow-up
    frailty = rng.gamma(0.5, 2.0, n) * susceptible
    n_ev = rng.poisson(frailty * hr * 0.3 * follow / 365.25)
    events = [np.sort(np.ceil(rng.uniform(1, max(f, 2), k))) for k, f in zip(n_ev, follow, strict=True)]
    return {
        "form": form,
        "sex": sex,
        "age_group": age,
        "origin": origin,
        "time": time,
        "status": status,
        "follow": follow,
        "events": events,
        "n_ev": n_ev,
    }


GROUPINGS = {"exploitation_form": "form", "sex": "sex", "age_group": "age_group", "origin": "origin"}


def make_results(n: int = 1500, seed: int = 7) -> dict[str, Any]:
    """A results.json dict with every section the report uses (plus researcher-only parts)."""
    rng = np.random.default_rng(seed)
    p = _persons(rng, n)
    km: dict[str, Any] = {"all": {"all": km_table(p["time"], p["status"])}}
    cr: dict[str, Any] = {"all": {"all": cif_table(p["time"], p["status"])}}
    mcf: dict[str, Any] = {"all": {"all": mcf_table(p["follow"], p["events"])}}
    for g, col in GROUPINGS.items():
        km[g], cr[g], mcf[g] = {}, {}, {}
        for lv in np.unique(p[col]):
            m = p[col] == lv
            km[g][str(lv)] = km_table(p["time"][m], p["status"][m])
            cr[g][str(lv)] = cif_table(p["time"][m], p["status"][m])
            mcf[g][str(lv)] = mcf_table(p["follow"][m], [e for e, k in zip(p["events"], m, strict=True) if k])
    ci = {g: {lv: _yearly(tab) for lv, tab in levels.items()} for g, levels in km.items()}
    n_ev = np.sort(p["n_ev"])[::-1]
    desc_cols = list(FORMS)
    desc: dict[str, Any] = {"by": "exploitation_form"}
    for g, col in (("sex", "sex"), ("age_group", "age_group"), ("origin", "origin")):
        desc[g] = {
            str(lv): {f: int(((p[col] == lv) & (p["form"] == f)).sum()) for f in desc_cols} for lv in np.unique(p[col])
        }
    terms = [
        {"term": "exploitation_form=labour", "log_hr": -0.29, "se": 0.09},
        {"term": "exploitation_form=criminal", "log_hr": 0.22, "se": 0.11},
        {"term": "exploitation_form=other", "log_hr": 0.1, "se": 0.3},
        {"term": "exploitation_form=unknown", "log_hr": 0.4, "se": 0.6},
        {"term": "sex=M", "log_hr": -0.18, "se": 0.08},
        {"term": "sex=U", "log_hr": 0.05, "se": 0.7},
        {"term": "age_group=0-17", "log_hr": 0.41, "se": 0.1},
        {"term": "age_group=25-34", "log_hr": 0.02, "se": 0.09},
        {"term": "origin=EU", "log_hr": 0.03, "se": 0.09},
    ]
    for t in terms:
        b, se = t["log_hr"], t["se"]
        z = b / se
        t.update(
            hr=math.exp(b),
            ci_lower=math.exp(b - Z * se),
            ci_upper=math.exp(b + Z * se),
            p=math.erfc(abs(z) / math.sqrt(2)),
        )
    cats = ["violence", "threat", "exploitation", "sexual", "property", "other"]
    offence_rows = []
    for y in range(1, 8):
        for i, c in enumerate(cats):
            k = int(rng.poisson(max(1, 120 / y / (i + 1))))
            offence_rows.append(
                {"year_since_index": y, "category": c, "n_events": k, "n_persons": max(1, int(k * 0.8))}
            )
    pseud = [f"o{i:04d}-syn{rng.integers(0, 16**12):012x}" for i in range(5)]
    return {
        "release_status": "NOT FOR RELEASE",
        "meta": {
            "versions": {"revict": "0.1.0", "lifelines": "0.30.0"},
            "seeds": {"split": 1},
            "cohort_sha256": "ab" * 32,
            "synthetic": True,
            "fingerprints": {"persons": {"path": "/data/persons.csv", "rows": n, "sha256": "cd" * 32}},
        },
        "cohort": {
            "name": "nr-seven-year",
            "n": n,
            "events": int((p["status"] == 1).sum()),
            "attrition": [
                {
                    "step": "registrations",
                    "description": "all victim registrations",
                    "n_removed": 0,
                    "n_remaining": n + 340,
                },
                {"step": "linked", "description": "linked to a person", "n_removed": 213, "n_remaining": n + 127},
                {
                    "step": "first",
                    "description": "first registration per person",
                    "n_removed": 120,
                    "n_remaining": n + 7,
                },
                {
                    "step": "entry_window",
                    "description": "index date in the entry window",
                    "n_removed": 7,
                    "n_remaining": n,
                },
            ],
            "descriptives": desc,
        },
        "first_event": {
            "km": km,
            "cumulative_incidence": ci,
            "competing_risks": cr,
            "cox": {
                "terms": terms,
                "concordance": 0.58,
                "concordance_se": 0.011,
                "ph_test": {"global": {"chisq": 8.1, "df": 9, "p": 0.52}},
            },
            "logrank": {"exploitation_form": {"chisq": 21.3, "df": 4, "p": 0.0003}},
        },
        "recurrent": {
            "mcf": mcf,
            "mcf_contributors": {
                "n_persons": n,
                "total_events": int(n_ev.sum()),
                "top1": int(n_ev[0]),
                "top2": int(n_ev[1]),
            },
            "offence_by_year": offence_rows,
            "andersen_gill": {"terms": [dict(t) for t in terms[:3]]},
        },
        "network": {
            "recurring_perpetrators": [{"offender_id": o, "victims": 3, "events": 4, "kind": "serial"} for o in pseud],
            "index_date_example": "2014-03-02",
        },
        "network_aggregates": {  # as revict.networks.released_aggregates writes it, plus maxima to drop
            "release_note": "aggregates",
            "scope": "cohort",
            "min_cell": 10,
            "offenders": 900,
            "victims": 1400,
            "recurring": {
                "n": 140,
                "share": 0.156,
                "by_kind": {"serial": 80, "returning": 30, "both": 22, "repeat": 8},
                "links_to_unlinked_victims_not_counted": 12,
            },
            "victims_per_offender": {"1": 760, "2": 95, "3-4": 30, "5-9": 11, "10+": 4},
            "revictimisation_index_perpetrator": {
                "n_revictimisations": 640,
                "n_with_index_perpetrator": 52,
                "share": 0.081,
                "lower": 0.062,
                "upper": 0.104,
                "ci_method": "wilson",
            },
            "time_to_returning_event_days": {"n_pairs": 30, "q25": 200, "median": 500, "q75": 1100},
            "components": {
                "n": 576,
                "size_distribution": {"2": 400, "3-4": 160, "5-9": 12, "10-49": 3, "50+": 1},
                "largest_component": 57,
            },
            "yearly": [
                {"year": 2012 + i, "offenders": 100 + 20 * i, "victims": 150 + 30 * i, "recurring": 5 + 4 * i}
                for i in range(5)
            ],
            "max_victims": 14,
            "mean_victims_per_offender": 1.24,
            "victims_contributors": {"total": 1116, "top1": 14, "top2": 11},
            "suppressed": [],
            "has_suppressed": False,
        },
        "warnings": [{"code": "no_events", "message": "exploitation_form=unknown: few events; HR imprecise"}],
    }


#: a 4-list overlap table (lists = reporting organisations) for the hidden-population section
HIDDEN_LISTS = ("P", "I", "R", "O")
HIDDEN_REPORTERS = {"P": ["police"], "I": ["labour_inspectorate"], "R": ["care_coordinator"], "O": ["shelter"]}
HIDDEN_COUNTS = {
    (1, 0, 0, 0): 812,
    (0, 1, 0, 0): 143,
    (0, 0, 1, 0): 388,
    (0, 0, 0, 1): 167,
    (1, 1, 0, 0): 41,
    (1, 0, 1, 0): 139,
    (1, 0, 0, 1): 36,
    (0, 1, 1, 0): 12,
    (0, 1, 0, 1): 7,
    (0, 0, 1, 1): 58,
    (1, 1, 1, 0): 6,
    (1, 0, 1, 1): 17,
    (1, 1, 0, 1): 2,
    (0, 1, 1, 1): 3,
    (1, 1, 1, 1): 1,
}


def make_hidden_section(counts: dict[tuple[int, ...], int] | None = None) -> dict[str, Any]:
    """results.json's ``hidden_population`` as `revict run` writes it, from a real estimate of a small table."""
    from revict.hidden import OverlapTable, estimate_population, estimate_stratified

    counts = HIDDEN_COUNTS if counts is None else counts
    table = OverlapTable(
        HIDDEN_LISTS, np.array(list(counts), dtype=np.int8), np.array(list(counts.values())), "fixture"
    )
    result = estimate_population(table, rule="stepwise", threshold=0.02)
    # two strata (women and girls: 60% of every cell, rounded; men and boys: the rest), estimated for real
    female = {h: round(0.6 * n) for h, n in counts.items()}
    strata = {
        ("all", level): OverlapTable(
            HIDDEN_LISTS, np.array(list(part), dtype=np.int8), np.array(list(part.values())), f"sex={level}"
        )
        for level, part in (("F", female), ("M", {h: n - female[h] for h, n in counts.items()}))
    }
    stratified = estimate_stratified(strata, by=("period", "sex"), pooled=False)
    return {
        "status": "estimated",
        **result.to_dict(),
        "list_reporters": {k: v for k, v in HIDDEN_REPORTERS.items() if k in result.table.lists},
        "capture_histories": {"lists": list(HIDDEN_LISTS), "excluded_registrations": {"unlinked": 4}},
        "stratified": stratified.to_dict(),
    }
