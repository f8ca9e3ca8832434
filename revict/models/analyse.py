"""``analyse``: every first-event and recurrent-event estimate of a cohort, as results.json.

The sections (see ``docs/models.md``): ``cohort``, ``first_event`` (cumulative
incidence at years 1-7, KM and competing-risk curves, Cox with R's ``cox.zph``,
log-rank, RMST), ``recurrent`` (MCF, contributors, offences by year, Andersen–Gill,
PWP), ``prediction`` (from :mod:`revict.models.prediction` when available), ``meta``
and ``warnings``. Every number is JSON-safe: an estimate that cannot be made is
``null`` and a warning says which and why.
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from revict._core.errors import RevictError, RevictWarning, SpecError
from revict._core.io import atomic_path
from revict._core.results import update_results
from revict._core.versions import package_versions
from revict.cohort.tables import CohortTables
from revict.models import _sections as sec
from revict.models._util import check_conf_type, warn, z_value

SOFTWARE = ("revict", "numpy", "pandas", "scipy", "lifelines", "scikit-survival", "scikit-learn", "duckdb")
SECTIONS = ("cohort", "first_event", "recurrent", "prediction", "meta", "warnings")


@dataclass
class AnalysisResult:
    """Everything :func:`analyse` estimated.

    Attributes
    ----------
    cohort, first_event, recurrent, meta : dict
        JSON-safe sections of results.json.
    prediction : dict or None
    warnings : list of str
        Every estimate that is missing or unreliable, and why.
    tables : dict of str to DataFrame
        The tables behind every figure (written to ``out_dir/tables``).
    """

    cohort: dict[str, Any]
    first_event: dict[str, Any]
    recurrent: dict[str, Any]
    prediction: dict[str, Any] | None
    meta: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return the results.json sections."""
        return {
            "cohort": self.cohort,
            "first_event": self.first_event,
            "recurrent": self.recurrent,
            "prediction": self.prediction,
            "meta": self.meta,
            "warnings": list(self.warnings),
        }

    def summary(self) -> pd.DataFrame:
        """Cumulative incidence (1 - KM) of the whole cohort at years 1..7 with CI and at risk."""
        rows = self.first_event["cumulative_incidence"].get(sec.ALL, {}).get(sec.ALL, [])
        return pd.DataFrame(rows)

    def _repr_html_(self) -> str:
        return str(self.summary().to_html(index=False))

    def write(self, out_dir: str | Path) -> Path:
        """Write the sections into ``out_dir/results.json`` and tables to ``out_dir/tables``.

        Each table is written as Parquet and CSV, atomically. Returns the results.json path.
        """
        out = Path(out_dir)
        tdir = out / "tables"
        tdir.mkdir(parents=True, exist_ok=True)
        for name, df in self.tables.items():
            with atomic_path(tdir / f"{name}.parquet") as tmp:
                df.to_parquet(tmp, index=False)
            with atomic_path(tdir / f"{name}.csv") as tmp:
                df.to_csv(tmp, index=False)
        path = out
        for name, data in self.to_dict().items():
            path = update_results(out, name, data)
        return path


def analyse(
    tables: CohortTables,
    *,
    conf_level: float = 0.95,
    conf_type: str = "log",
    seed: int = 20211207,
    prediction: bool = True,
    covariates: Sequence[str] | None = None,
    cox_strata: str | None = None,
) -> AnalysisResult:
    """Fit every model of the study on a cohort's tables.

    Parameters
    ----------
    tables : CohortTables
        From :func:`revict.cohort.build_cohort`.
    conf_level : float
        Confidence level of every interval.
    conf_type : {"log", "log-log", "plain"}
        Transform of KM / cumulative-incidence intervals (``log`` = R's survfit default).
    seed : int
        Seed of the risk-prediction split (the models here are deterministic).
    prediction : bool
        Run :func:`revict.models.prediction.compare_risk_models` when it is installed.
    covariates : sequence of str, optional
        Cox / Andersen–Gill / PWP covariates (default: the cohort file's ``covariates``).
    cox_strata : str, optional
        Stratify the first-event Cox model by this covariate (R: ``+ strata(x)``).

    Returns
    -------
    AnalysisResult
        Warnings (:class:`revict.RevictWarning`) are emitted and listed in ``.warnings``.
    """
    check_conf_type(conf_type)
    z_value(conf_level)
    spec = tables.spec
    covs = list(covariates if covariates is not None else spec.covariates)
    if cox_strata is not None and cox_strata not in tables.first_event.columns:
        raise SpecError(
            f"cox_strata {cox_strata!r} is not a column of the cohort's person table",
            hint="Use one of the cohort covariates, e.g. exploitation_form.",
        )
    covs = [c for c in covs if c != cox_strata]
    msgs: list[str] = []
    frames: sec.Tables = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RevictWarning)
        cohort = sec.cohort_section(tables, frames)
        first = sec.first_event_curves(
            tables.first_event, spec, conf_type=conf_type, conf_level=conf_level, tables=frames, msgs=msgs
        )
        first["logrank"] = sec.logrank_section(tables.first_event, spec, frames, msgs)
        first["cox"] = sec.cox_section(
            tables.first_event,
            spec,
            covariates=covs,
            strata=cox_strata,
            conf_level=conf_level,
            tables=frames,
            msgs=msgs,
        )
        recurrent = sec.recurrent_section(
            tables, spec, covariates=covs, conf_level=conf_level, conf_type=conf_type, tables=frames, msgs=msgs
        )
        pred = _prediction(tables, covs, seed, msgs) if prediction else None
    _reemit(caught, msgs)
    msgs = list(dict.fromkeys(msgs))
    meta = {
        "software": package_versions(SOFTWARE),
        "seeds": {"analysis": seed, "prediction": seed if prediction else None},
        "cohort_sha256": tables.cohort_sha256,
        "data_fingerprints": tables.fingerprints,
        "conf_level": conf_level,
        "conf_type": conf_type,
        "covariates": covs,
        "cox_strata": cox_strata,
        "year_days": "year k = day floor(365.25 k)",
        "r_equivalents": {
            "km": "survfit(Surv(time, status == 1) ~ group, conf.type = conf_type)",
            "competing_risks": "cmprsk::cuminc(time, status, cencode = 0)",
            "cox": "coxph(Surv(time, status == 1) ~ covariates, ties = 'efron'); cox.zph(fit)",
            "logrank": "survdiff(Surv(time, status == 1) ~ covariate)",
            "rmst": "summary(survfit(...), rmean = tau)",
            "mcf": "survfit(Surv(start, stop, event) ~ group, id = person_id)",
        },
    }
    return AnalysisResult(
        cohort=cohort,
        first_event=first,
        recurrent=recurrent,
        prediction=pred,
        meta=meta,
        warnings=msgs,
        tables={k: pd.concat(v, ignore_index=True) for k, v in frames.items()},
    )


def _prediction(tables: CohortTables, covs: list[str], seed: int, msgs: list[str]) -> dict[str, Any] | None:
    try:
        mod = importlib.import_module("revict.models.prediction")
    except ImportError as exc:
        warn(f"prediction: not run, revict.models.prediction could not be imported ({type(exc).__name__}).", msgs)
        return None
    try:
        res = mod.compare_risk_models(
            tables.first_event, covariates=covs, reference_levels=dict(tables.spec.reference_levels), seed=seed
        )
        out: dict[str, Any] = res.to_dict()
        return out
    except RevictError as exc:
        warn(f"prediction: not run ({exc.message}).", msgs)
        return None


def _reemit(caught: list[warnings.WarningMessage], msgs: list[str]) -> None:
    for w in caught:
        text = str(w.message)
        known = any(m == text or m.endswith(": " + text) for m in msgs)  # sections prefix their messages
        if issubclass(w.category, RevictWarning) and not known:
            msgs.append(text)
    for w in caught:
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
