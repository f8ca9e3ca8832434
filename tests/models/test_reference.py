"""revict.models against R: every case in tests/reference/reference.json (no R needed)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from revict.models import (
    aalen_johansen,
    andersen_gill,
    cox_ph,
    kaplan_meier,
    logrank_test,
    mean_cumulative_function,
    pwp_gap_time,
    rmst,
)
from revict.models._design import concordance
from revict.models.cox import CoxPH

REF_DIR = Path(__file__).resolve().parents[1] / "reference"
REFERENCE = json.loads((REF_DIR / "reference.json").read_text(encoding="utf-8"))
CASES = {c["id"]: c for c in REFERENCE["cases"]}


def _data(case: dict[str, Any]) -> pd.DataFrame:
    return pd.read_csv(REF_DIR / "data" / f"{case['data']}.csv")


def _close(ours: Any, theirs: Any, tol: float, what: str) -> None:
    a = np.atleast_1d(np.asarray(ours, dtype=float))
    b = np.array([np.nan if v is None else v for v in np.atleast_1d(theirs)], dtype=float)
    assert a.shape == b.shape, f"{what}: shape {a.shape} vs R {b.shape}"
    assert np.array_equal(np.isnan(a), np.isnan(b)), f"{what}: NA pattern differs from R"
    ok = ~np.isnan(a)
    diff = np.max(np.abs(a[ok] - b[ok]), initial=0.0)
    assert diff <= tol, f"{what}: max |ours - R| = {diff:.3g} > {tol}"


def _tol(case: dict[str, Any], key: str) -> float:
    t = case["tolerance"]
    return float(t.get(key, t.get("default")))


def _check_km(case: dict[str, Any]) -> None:
    df, v, a = _data(case), case["values"], case["args"]
    groups = [df] if "group" not in a else [g for _, g in df.groupby(a["group"], sort=True)]
    fits = [kaplan_meier(g["time"], g["status"] == 1, conf_type=a["conf_type"]) for g in groups]
    for key in ("time", "n_risk", "n_event", "n_censor", "surv", "std_err", "lower", "upper"):
        _close(np.concatenate([getattr(f, key) for f in fits]), v[key], _tol(case, key), key)


def _check_logrank(case: dict[str, Any]) -> None:
    df, v = _data(case), case["values"]
    res = logrank_test(df["time"], df["status"] == 1, df[case["args"]["group"]])
    order = [res.groups.index(g) for g in v["groups"]]
    tol = _tol(case, "chisq")
    _close(res.chisq, v["chisq"], tol, "chisq")
    _close(res.p, v["p"], tol, "p")
    _close(res.expected[order], v["expected"], tol, "expected")
    _close(res.observed[order], v["observed"], tol, "observed")
    assert res.df == v["df"]


def _cox_args(case: dict[str, Any]) -> dict[str, Any]:
    a = case["args"]
    return {
        "covariates": a.get("order") or a["numeric"],
        "reference_levels": a["reference"] or None,
        "levels": a.get("levels") or None,
        "strata": a.get("strata"),
        "weights": a.get("weights"),
    }


def _check_cox(case: dict[str, Any]) -> None:
    df, v = _data(case), case["values"]
    res = cox_ph(df, **_cox_args(case))
    assert list(res.terms["term"]) == v["terms"]
    _close(res.terms["log_hr"], v["coef"], _tol(case, "coef"), "coef")
    _close(res.terms["se"], v["se"], _tol(case, "se"), "se")
    _close(res.loglik, v["loglik"], _tol(case, "loglik"), "loglik")
    if "concordance" in case["tolerance"]:
        _close(res.concordance, v["concordance"], _tol(case, "concordance"), "concordance")
    assert (res.n, res.n_events) == (v["n"], v["n_events"])


def _check_concordance(case: dict[str, Any]) -> None:
    """C, its SE and the weighted pair counts of ``coxph(...)$concordance``, to a relative tolerance."""
    df, v = _data(case), case["values"]
    model = CoxPH(**_cox_args(case), ph_test=False).fit(df)
    res = model.result_
    for ours, key, tol_key in (
        (res.concordance, "concordance", "concordance"),
        (res.concordance_se, "concordance_se", "concordance_se"),
    ):
        assert ours is not None
        _close(ours, v[key], _tol(case, tol_key) * abs(v[key]), key)
    eta = model.design_.x @ res.terms["log_hr"].to_numpy()
    a = case["args"]
    strata = df[a["strata"]].to_numpy() if "strata" in a else None
    w = df[a["weights"]].to_numpy(dtype=float) if "weights" in a else None
    counts = concordance(df["time"].to_numpy(float), df["status"].to_numpy() == 1, eta, strata, weights=w)
    for key in ("concordant", "discordant", "tied_risk"):
        _close(counts[key], v[key], _tol(case, "counts") * max(abs(v[key]), 1.0), key)


def _check_zph(case: dict[str, Any]) -> None:
    df, v = _data(case), case["values"]
    ph = cox_ph(df, **_cox_args(case)).ph_test
    assert ph is not None
    assert list(ph["term"]) == v["terms"]
    for key in ("chisq", "df", "p"):
        _close(ph[key], v[key], _tol(case, key), key)


def _check_robust(case: dict[str, Any]) -> None:
    df, v = _data(case), case["values"]
    cov = case["args"]["covariates"]
    if case["kind"] == "ag":
        res = andersen_gill(df, covariates=cov, id_col="id")
    elif case["kind"] == "pwp_gap":
        res = pwp_gap_time(df, covariates=cov, id_col="id", episode_col="enum")
    else:
        res = (
            CoxPH(covariates=cov, strata="enum", cluster="id", ph_test=False, with_concordance=False)
            .fit(df, duration_col="stop", event_col="event", start_col="start")
            .result_
        )
    assert list(res.terms["term"]) == v["terms"]
    for key, col in (("coef", "log_hr"), ("se", "se"), ("robust_se", "robust_se")):
        _close(res.terms[col], v[key], _tol(case, key), key)
    _close(res.loglik, v["loglik"], _tol(case, "loglik"), "loglik")


def _check_mcf(case: dict[str, Any]) -> None:
    df, v = _data(case), case["values"]
    res = mean_cumulative_function(df["start"], df["stop"], df["event"] == 1, df["id"])
    for key in ("time", "n_risk", "n_event", "mcf", "std_err"):
        _close(getattr(res, key), v[key], _tol(case, key), key)


def _check_aj(case: dict[str, Any]) -> None:
    df, v = _data(case), case["values"]
    res = aalen_johansen(df["etime"], df["event"])
    tol = _tol(case, "cif")
    _close(res.time, v["time"], tol, "time")
    _close(res.n_risk, v["n_risk"], tol, "n_risk")
    _close(res.surv, v["surv"], tol, "surv")
    for k in (1, 2):
        _close(res.curves[k].cif, v[f"cif_{k}"], tol, f"survfit pstate cause {k}")
        at = res.at(k, v["cuminc_time"])
        _close(at["cif"], v[f"cuminc_est_{k}"], tol, f"cuminc est {k}")
        _close(at["std_err"] ** 2, v[f"cuminc_var_{k}"], tol, f"cuminc var {k}")


def _check_rmst(case: dict[str, Any]) -> None:
    df, v, a = _data(case), case["values"], case["args"]
    out = [rmst(kaplan_meier(g["time"], g["status"] == 1), a["tau"]) for _, g in df.groupby(a["group"], sort=True)]
    _close([o.rmst for o in out], v["rmean"], _tol(case, "rmean"), "rmean")
    _close([o.se for o in out], v["se"], _tol(case, "se"), "se(rmean)")


CHECKS = {
    "km": _check_km,
    "logrank": _check_logrank,
    "cox": _check_cox,
    "zph": _check_zph,
    "concordance": _check_concordance,
    "ag": _check_robust,
    "pwp_gap": _check_robust,
    "pwp_total": _check_robust,
    "mcf": _check_mcf,
    "aj": _check_aj,
    "rmst": _check_rmst,
}


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_matches_r(case_id: str) -> None:
    """Each estimate equals R's value for the same data within the case's stated tolerance."""
    case = CASES[case_id]
    CHECKS[case["kind"]](case)


def test_every_reference_kind_is_checked() -> None:
    """Every kind of case in reference.json has a check, so no R value is silently skipped."""
    assert {c["kind"] for c in REFERENCE["cases"]} <= set(CHECKS)
