"""Builders of the results.json sections of :func:`revict.models.analyse` (and their tables)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from revict.cohort.spec import CohortSpec
from revict.models._util import YEAR_DAYS, num, warn
from revict.models.competing import aalen_johansen
from revict.models.cox import CoxPH
from revict.models.km import kaplan_meier, rmst
from revict.models.logrank import logrank_test
from revict.models.recurrent import andersen_gill, mean_cumulative_function, pwp_gap_time

Tables = dict[str, list[pd.DataFrame]]
ALL = "all"
DESCRIPTIVE_COVARIATES: tuple[str, ...] = (
    "sex",
    "age_group",
    "origin",
    "reporter",
    "cross_border",
    "prior_victimisation",
)


def groupings(df: pd.DataFrame, spec: CohortSpec) -> list[tuple[str, str, np.ndarray]]:
    """List ``(grouping, level, row mask)``: the whole cohort and each level of each strata covariate."""
    out = [(ALL, ALL, np.ones(len(df), bool))]
    for cov in spec.strata_covariates:
        if cov not in df.columns:
            continue
        vals = df[cov].astype(str).to_numpy()
        present = set(vals.tolist())
        order = [lv for lv in spec.levels(cov) if lv in present] + sorted(present - set(spec.levels(cov)))
        out.extend((cov, lv, vals == lv) for lv in order)
    return out


def _frame(grouping: str, level: str, data: dict[str, Any] | pd.DataFrame) -> pd.DataFrame:
    f = pd.DataFrame(data)
    f.insert(0, "level", level)
    f.insert(0, "grouping", grouping)
    return f


def descriptives(fe: pd.DataFrame, tables: Tables) -> dict[str, Any]:
    """Persons by exploitation form x each covariate level."""
    out: dict[str, Any] = {}
    if "exploitation_form" not in fe.columns:
        return out
    for cov in DESCRIPTIVE_COVARIATES:
        if cov not in fe.columns:
            continue
        g = fe.groupby(["exploitation_form", fe[cov].astype(str)], observed=True).size().reset_index(name="n")
        g.columns = ["exploitation_form", "level", "n"]
        out[cov] = [
            {"exploitation_form": str(f), "level": str(lv), "n": int(k)}
            for f, lv, k in zip(g["exploitation_form"], g["level"], g["n"].to_numpy(int), strict=True)
        ]
        tables.setdefault("descriptives", []).append(g.assign(covariate=cov))
    return out


def first_event_curves(
    fe: pd.DataFrame, spec: CohortSpec, *, conf_type: str, conf_level: float, tables: Tables, msgs: list[str]
) -> dict[str, Any]:
    """KM, 1 - S at years 1..7, Aalen–Johansen (death competing) and RMST per grouping and level."""
    time = fe["time"].to_numpy(float)
    status = fe["status"].to_numpy()
    tau = float(min(spec.follow_up_days, int(np.ceil(7 * YEAR_DAYS))))
    ci: dict[str, dict[str, Any]] = {}
    km_out: dict[str, dict[str, Any]] = {}
    cr: dict[str, dict[str, Any]] = {}
    rm: dict[str, dict[str, Any]] = {}
    for grouping, level, mask in groupings(fe, spec):
        if not mask.any():
            continue
        km = kaplan_meier(time[mask], status[mask] == 1, conf_type=conf_type, conf_level=conf_level)
        yearly = km.cumulative_incidence()
        ci.setdefault(grouping, {})[level] = yearly
        curve = km.to_dict()
        km_out.setdefault(grouping, {})[level] = curve
        tables.setdefault("km", []).append(_frame(grouping, level, curve))
        tables.setdefault("cumulative_incidence", []).append(_frame(grouping, level, pd.DataFrame(yearly)))
        aj = aalen_johansen(
            time[mask],
            np.where(status[mask] > 2, 0, status[mask]),
            conf_type=conf_type,
            conf_level=conf_level,
            causes=(1, 2),
        )
        cr_level = aj.to_dict({1: "outcome", 2: "death"})
        cr_level["yearly"] = {"outcome": aj.yearly(1), "death": aj.yearly(2)}
        cr.setdefault(grouping, {})[level] = cr_level
        tables.setdefault("competing_risks", []).append(
            _frame(
                grouping,
                level,
                {
                    "time": aj.time,
                    "n_risk": aj.n_risk,
                    "cif_outcome": aj.curves[1].cif,
                    "lower_outcome": aj.curves[1].lower,
                    "upper_outcome": aj.curves[1].upper,
                    "cif_death": aj.curves[2].cif,
                    "lower_death": aj.curves[2].lower,
                    "upper_death": aj.curves[2].upper,
                },
            )
        )
        r = rmst(km, tau, conf_level=conf_level).to_dict()
        rm.setdefault(grouping, {})[level] = r
        tables.setdefault("rmst", []).append(_frame(grouping, level, {k: [v] for k, v in r.items()}))
    if int((status == 1).sum()) == 0:
        warn("The cohort has no outcome events: cumulative incidence is 0 throughout and no model can be fitted.", msgs)
    return {"cumulative_incidence": ci, "km": km_out, "competing_risks": cr, "rmst": {"tau_days": tau, "groups": rm}}


def logrank_section(fe: pd.DataFrame, spec: CohortSpec, tables: Tables, msgs: list[str]) -> dict[str, Any]:
    """Log-rank test across the levels of each strata covariate."""
    out: dict[str, Any] = {}
    time = fe["time"].to_numpy(float)
    event = fe["status"].to_numpy() == 1
    for cov in spec.strata_covariates:
        if cov not in fe.columns:
            continue
        groups = fe[cov].astype(str).to_numpy()
        if len(set(groups.tolist())) < 2:
            warn(f"Log-rank test for {cov} not computed: only one level is present.", msgs)
            out[cov] = None
            continue
        res = logrank_test(time, event, groups)
        if res.df < 1 or not np.isfinite(res.chisq):
            warn(f"Log-rank test for {cov} not computed: fewer than two levels have expected events (no events).", msgs)
            out[cov] = None
            continue
        out[cov] = res.to_dict()
        tables.setdefault("logrank", []).append(
            res.summary().assign(covariate=cov, chisq=res.chisq, df=res.df, p=res.p)
        )
    return out


def cox_section(
    fe: pd.DataFrame,
    spec: CohortSpec,
    *,
    covariates: Sequence[str],
    strata: str | None,
    conf_level: float,
    tables: Tables,
    msgs: list[str],
) -> dict[str, Any]:
    """First-event Cox model (Efron) with cox.zph and concordance."""
    covs = [c for c in covariates if c in fe.columns]
    levels = category_levels(fe, spec, covs)
    model = CoxPH(
        covariates=covs,
        reference_levels={str(k): v for k, v in spec.reference_levels.items()},
        levels=levels,
        strata=strata,
        conf_level=conf_level,
    )
    res = model.fit(fe, duration_col="time", event_col="status", event_value=1).result_
    msgs.extend(f"first_event.cox: {m}" for m in res.warnings)
    out = res.to_dict()
    out["covariates"] = covs
    out["strata"] = strata
    out["reference_levels"] = {c: model.design_.levels[c][0] for c in model.design_.levels}
    tables["cox_terms"] = [res.terms]
    if res.ph_test is not None:
        tables["ph_test"] = [res.ph_test]
    return out


def category_levels(fe: pd.DataFrame, spec: CohortSpec, covs: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """Level order (from the cohort spec) of the categorical covariates among ``covs``."""
    out = {}
    for c in covs:
        if c in fe.columns and not pd.api.types.is_numeric_dtype(fe[c]) and not pd.api.types.is_bool_dtype(fe[c]):
            try:
                out[c] = spec.levels(c)
            except KeyError:
                continue
    return out


def recurrent_section(
    tables_in: Any,
    spec: CohortSpec,
    *,
    covariates: Sequence[str],
    conf_level: float,
    conf_type: str,
    tables: Tables,
    msgs: list[str],
) -> dict[str, Any]:
    """MCF per group, contributors, offence by year, Andersen–Gill and PWP gap time."""
    fe: pd.DataFrame = tables_in.first_event
    rec: pd.DataFrame = tables_in.recurrent
    out: dict[str, Any] = {"mcf": {}, "mcf_contributors": {}}
    pid_codes, pid_labels = pd.factorize(rec["person_id"])
    events_per_person = np.bincount(pid_codes, rec["event"].to_numpy(float), minlength=len(pid_labels))
    person_events = pd.Series(events_per_person, index=pid_labels)
    row_of_person = pd.Series(np.arange(len(fe)), index=fe["person_id"].to_numpy())
    rec_person_row = row_of_person.reindex(rec["person_id"].to_numpy()).to_numpy()
    for grouping, level, mask in groupings(fe, spec):
        in_group = np.zeros(len(rec), bool)
        ok = ~np.isnan(rec_person_row)
        in_group[ok] = mask[rec_person_row[ok].astype(int)]
        if not in_group.any():
            continue
        sub = rec.loc[in_group]
        m = mean_cumulative_function(
            sub["start"], sub["stop"], sub["event"] == 1, sub["person_id"], conf_level=conf_level, conf_type=conf_type
        )
        curve = {
            k: v
            for k, v in m.to_dict().items()
            if k in ("time", "mcf", "lower", "upper", "n_risk", "n_event", "std_err")
        }
        out["mcf"].setdefault(grouping, {})[level] = curve
        tables.setdefault("mcf", []).append(_frame(grouping, level, curve))
        counts = person_events.reindex(fe["person_id"].to_numpy()[mask]).fillna(0).to_numpy()
        top = np.sort(counts)[::-1]
        out["mcf_contributors"].setdefault(grouping, {})[level] = {
            "n_persons": int(mask.sum()),
            "total_events": int(counts.sum()),
            "top1": int(top[0]) if len(top) else 0,
            "top2": int(top[1]) if len(top) > 1 else 0,
        }
    out["offence_by_year"] = offence_by_year(tables_in.outcome_events, tables)
    covs = [c for c in covariates if c in fe.columns]
    levels = category_levels(fe, spec, covs)
    refs: dict[str, str] = {str(k): v for k, v in spec.reference_levels.items()}
    for name in ("andersen_gill", "pwp"):
        if name == "andersen_gill":
            res = andersen_gill(rec, fe, covariates=covs, reference_levels=refs, levels=levels, conf_level=conf_level)
        else:
            res = pwp_gap_time(
                rec, fe, covariates=covs, reference_levels=refs, levels=levels, conf_level=conf_level, max_episode=5
            )
        msgs.extend(f"recurrent.{name}: {m}" for m in res.warnings)
        d = res.to_dict()
        out[name] = {
            "terms": d["terms"],
            "n_intervals": d["n"],
            "n_events": d["n_events"],
            "loglik": d["loglik"],
            "converged": d["converged"],
            "warnings": d["warnings"],
            "model": (
                "coxph(Surv(start, stop, event) ~ ..., cluster = person_id)"
                if name == "andersen_gill"
                else "coxph(Surv(stop - start, event) ~ ... + strata(pmin(episode, 5)), cluster = person_id)"
            ),
        }
        tables[f"{name}_terms"] = [res.terms]
    return out


def offence_by_year(events: pd.DataFrame | None, tables: Tables) -> list[dict[str, Any]]:
    """Outcome events per year since index and offence category."""
    if events is None or len(events) == 0:
        return []
    year = (np.floor((events["day"].to_numpy(float) - 1) / YEAR_DAYS) + 1).astype(int)
    df = pd.DataFrame(
        {
            "year_since_index": np.maximum(year, 1),
            "category": events["offence_category"].astype(str),
            "person_id": events["person_id"],
        }
    )
    g = (
        df.groupby(["year_since_index", "category"])
        .agg(n_events=("person_id", "size"), n_persons=("person_id", "nunique"))
        .reset_index()
    )
    tables["offence_by_year"] = [g]
    return [
        {"year_since_index": int(y), "category": str(c), "n_events": int(ne), "n_persons": int(npers)}
        for y, c, ne, npers in zip(
            g["year_since_index"].to_numpy(int),
            g["category"],
            g["n_events"].to_numpy(int),
            g["n_persons"].to_numpy(int),
            strict=True,
        )
    ]


def cohort_section(tables_in: Any, tables: Tables) -> dict[str, Any]:
    """Name, size, events, attrition and descriptives."""
    fe = tables_in.first_event
    att = tables_in.attrition
    status = fe["status"].to_numpy()
    return {
        "name": tables_in.spec.name,
        "n": int(len(fe)),
        "events": int((status == 1).sum()),
        "deaths": int((status == 2).sum()),
        "censored": int((status == 0).sum()),
        "follow_up_days": int(tables_in.spec.follow_up_days),
        "median_follow_up_days": num(np.median(fe["follow_up_end"])) if "follow_up_end" in fe and len(fe) else None,
        "attrition": [
            {k: (v if isinstance(v, str) else int(v)) for k, v in r.items()} for r in att.to_dict(orient="records")
        ]
        if att is not None
        else [],
        "descriptives": descriptives(fe, tables),
    }
