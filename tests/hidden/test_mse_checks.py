"""Existence and identifiability checks of Chan, Silverman & Vincent (2021) on sparse tables."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import statsmodels.api as sm

from revict.hidden import estimate_population, read_overlap_table
from revict.hidden.candidates import fit_candidate
from revict.hidden.fit import (
    NOT_EXIST,
    NOT_IDENTIFIABLE,
    OK,
    _lp_exists,
    build_design,
    check_all_models,
    check_ident,
    count_triples,
    poisson_irls,
    space,
)
from revict.hidden.select import fit_model

AB, AC, BC = 0, 1, 2  # pair indices for three lists


@pytest.fixture(scope="module")
def artificial(mse_dir: Path):
    t = read_overlap_table(mse_dir / "mse_artificial_3lists.csv")
    return t, space(3), t.full_counts()


def test_artificial_all_two_list_terms_not_identifiable(artificial) -> None:
    """With every two-list term, Artificial_3 is not identifiable (checkident code 2, as in the paper)."""
    _, sp, y = artificial
    assert check_ident(sp, y, (AB, AC, BC)) == NOT_IDENTIFIABLE
    assert count_triples(artificial[0].histories, artificial[0].counts) == 0


def test_artificial_ab_estimate_does_not_exist(artificial) -> None:
    """With only A:B, the extended MLE of Artificial_3 does not exist (code 1)."""
    _, sp, y = artificial
    assert check_ident(sp, y, (AB,)) == NOT_EXIST


def test_artificial_ac_bc_passes(artificial) -> None:
    """With A:C and B:C (both empty overlaps, at minus infinity) both checks pass (code 0)."""
    _, sp, y = artificial
    assert check_ident(sp, y, (AC, BC)) == OK
    fm = fit_model(sp, y, (AC, BC))
    assert fm.empty_pairs == (AC, BC)
    assert np.isfinite(fm.total)


def test_artificial_check_all_models(artificial) -> None:
    """checkallmodels finds exactly the models containing A:B without both A:C and B:C."""
    _, sp, y = artificial
    assert sorted(check_all_models(sp, y)) == [(AB,), (AB, AC), (AB, BC)]


def test_western_every_model_exists(mse_dir: Path) -> None:
    """For the Western data the extended MLE exists for every model (as the paper reports)."""
    t = read_overlap_table(mse_dir / "mse_us_western_5lists.csv")
    assert check_all_models(space(5), t.full_counts()) == []


def test_nonexistent_candidate_is_reported_with_a_message(artificial) -> None:
    """A candidate whose estimate does not exist carries that status and a plain message, no number."""
    t, sp, y = artificial
    cand = fit_candidate(sp, y, t.lists, (AB,))
    assert cand.status == "estimate_does_not_exist"
    assert cand.total is None
    assert "does not exist" in cand.message


def test_artificial_estimate_only_uses_valid_models(artificial) -> None:
    """Estimation on Artificial_3 lists rejected models and never chooses one that fails the checks."""
    t, _, _ = artificial
    res = estimate_population(t, rule="aic", profile=False)
    assert res.chosen.status == "ok"
    reasons = {r["model"]: r["reason"] for r in res.rejected_models}
    assert reasons["main + A:B"] == "estimate does not exist"
    assert any(c.status == "not_identifiable" for c in res.candidates) or "main + A:B + A:C + B:C" in reasons


def test_fast_existence_check_agrees_with_linear_programme() -> None:
    """The fit-based shortcut decides existence exactly as the linear programme on random sparse tables."""
    rng = np.random.default_rng(11)
    sp = space(4)
    disagreements = 0
    for _ in range(40):
        y = rng.poisson(rng.choice([0.3, 2.0, 20.0], size=sp.n_cells))
        if y.sum() == 0:
            continue
        for model in [(0,), (0, 5), (1, 2, 3), (0, 1, 2, 3, 4, 5)]:
            code = check_ident(sp, y, model)
            d = build_design(sp, y, model)
            if code & NOT_IDENTIFIABLE:
                continue
            disagreements += (code == OK) != _lp_exists(d.X, d.y)
    assert disagreements == 0


def test_irls_matches_statsmodels(mse_dir: Path) -> None:
    """The numpy IRLS used in searches gives statsmodels GLM's coefficients and deviance."""
    t = read_overlap_table(mse_dir / "mse_us_western_5lists.csv")
    sp = space(5)
    d = build_design(sp, t.full_counts(), (3, 7))
    ours = poisson_irls(d.X, d.y)
    ref = sm.GLM(d.y, d.X, family=sm.families.Poisson()).fit(tol=1e-12)
    np.testing.assert_allclose(ours.beta, ref.params, rtol=1e-7, atol=1e-8)
    assert ours.deviance == pytest.approx(ref.deviance, rel=1e-8)
    np.testing.assert_allclose(np.sqrt(np.diag(ours.cov)), ref.bse, rtol=1e-6)


def test_evaluate_fixed_models_by_name(artificial) -> None:
    """Fixed models named by their terms get the three statuses of the paper's Table 3."""
    from revict.hidden import evaluate_model

    t, _, _ = artificial
    assert evaluate_model(t, ["A:B", "A:C", "B:C"]).status == "not_identifiable"
    assert evaluate_model(t, ["A:B"]).status == "estimate_does_not_exist"
    ok = evaluate_model(t, ["C:A", "B:C"])
    assert ok.status == "ok"
    assert ok.neg_inf_terms == ("A:C", "B:C")


def test_evaluate_unknown_term_is_spec_error(artificial) -> None:
    """A term naming a list that does not exist is a SpecError with the list names as hint."""
    from revict import SpecError
    from revict.hidden import evaluate_model

    with pytest.raises(SpecError, match="unknown two-list term"):
        evaluate_model(artificial[0], ["A:Q"])
