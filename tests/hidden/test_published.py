"""Published multiple-systems estimates reproduced to the digits printed, with the same rule."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from revict.hidden import estimate_population, read_overlap_table

REF = json.loads((Path(__file__).with_name("reference_mse.json")).read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", REF["cases"], ids=[c["id"] for c in REF["cases"]])
def test_published_estimate(case: dict, mse_dir: Path) -> None:
    """The estimate and chosen two-list terms match the published ones to the printed digits."""
    res = estimate_population(
        read_overlap_table(mse_dir / case["file"]), rule=case["rule"], threshold=case["threshold"], profile=False
    )
    assert round(res.estimate, case["digits"]) == pytest.approx(case["estimate"], abs=1e-9)
    assert list(res.chosen.terms) == case["terms"]


def test_new_orleans_main_effects_interval(mse_dir: Path) -> None:
    """The main-effects log-normal 95% interval for New Orleans is the published (644, 1,618)."""
    case = next(c for c in REF["cases"] if c["id"] == "new_orleans_8_main")
    res = estimate_population(read_overlap_table(mse_dir / case["file"]), rule="main", profile=False)
    ci = res.ci
    assert ci.method == "wald_log"
    assert math.floor(ci.lower) == case["wald_lower_floor"]
    assert round(ci.upper) == case["wald_upper_round"]


def test_korea_fit_statistics_match_r(mse_dir: Path) -> None:
    """Korea's stepwise model has R glm's deviance and SparseMSE's AIC and BIC."""
    case = next(c for c in REF["cases"] if c["id"] == "korea_stepwise")
    res = estimate_population(read_overlap_table(mse_dir / case["file"]), profile=False)
    assert res.chosen.deviance == pytest.approx(case["deviance"], abs=1e-5)
    assert res.chosen.aic == pytest.approx(case["aic"], abs=1e-4)
    assert res.chosen.bic == pytest.approx(case["bic"], abs=1e-3)


def test_uk_home_office_range(mse_dir: Path) -> None:
    """UK 2013 (5 lists, PF and NCA merged), stepwise p = 0.02, lies in the Home Office's 10,000-13,000."""
    uk = REF["uk_home_office"]
    res = estimate_population(read_overlap_table(mse_dir / uk["file"]), rule=uk["rule"], threshold=uk["threshold"])
    assert uk["lower"] <= res.estimate <= uk["upper"]
    assert res.ci.lower < res.estimate < res.ci.upper


def test_netherlands_model_sensitivity(mse_dir: Path) -> None:
    """On the Dutch 6-list table main effects and stepwise interactions differ about twofold, and we say so."""
    nl = REF["netherlands"]
    res = estimate_population(read_overlap_table(mse_dir / nl["file"]), profile=False)
    est = {r: v["estimate"] for r, v in res.selections.items()}
    assert round(est["main"]) == nl["main"]
    assert round(est["stepwise"]) == nl["stepwise"]
    assert 1.8 < est["stepwise"] / est["main"] < 2.4
    assert sorted(res.chosen.neg_inf_terms) == nl["neg_inf_terms"]
    assert any("depends strongly on the model" in w for w in res.warnings)
    lo, hi = res.sensitivity_range()
    assert lo <= est["main"]
    assert hi >= est["stepwise"]
