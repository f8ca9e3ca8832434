"""apply_disclosure on a realistic results.json: every rule, identifiers, idempotence."""

import copy
import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from revict._core.errors import DisclosureError
from revict.disclosure import DisclosureRules, Released, apply_disclosure, find_identifiers

PSEUDONYM = re.compile(r"-syn[0-9a-f]{12}")
ISO_DATE = re.compile(r"\b(19|20)\d{2}-\d{2}-\d{2}\b")


@pytest.fixture(scope="module")
def released(results) -> Released:
    return apply_disclosure(results, DisclosureRules())


def _counts(obj, path="$"):
    """Every released count: values of keys that hold counts."""
    keys = {
        "n",
        "events",
        "n_removed",
        "n_remaining",
        "at_risk",
        "n_event",
        "n_events",
        "n_persons",
        "counts",
        "offenders",
        "victims",
        "recurring",
        "not_recurring",
        "serial",
        "returning",
        "both",
        "repeat",
        "components",
        "column_totals",
        "total",
        "n_revictimisations",
        "n_with_index_perpetrator",
    }
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k in keys:
                yield from ((f"{path}.{k}", x) for x in (v if isinstance(v, list) else [v]))
            else:
                yield from _counts(v, f"{path}.{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _counts(v, f"{path}[{i}]")


def test_every_released_count_is_at_least_threshold_or_suppressed(released):
    """Each count in the release is >= 10, the string '<10', or 'x' (hidden to protect a small one)."""
    bad = [(p, v) for p, v in _counts(released.data()) if not (v in ("<10", "x") or (isinstance(v, int) and v >= 10))]
    assert all(p.endswith(".n_removed") and v == 0 for p, v in bad)  # only structural zeros of the flow


def test_no_pseudonym_or_individual_date_is_released(released, results):
    """The researcher-only network section and its pseudonyms and dates never reach the release."""
    assert PSEUDONYM.search(json.dumps(results))  # the fixture does hold them
    text = released.payload
    assert not PSEUDONYM.search(text)
    assert not ISO_DATE.search(text)
    assert "recurring_perpetrators" not in text
    assert "offender_id" not in text
    assert find_identifiers(released.data()) == []


def test_maxima_are_never_published(released):
    """Largest component and most victims of one offender are dropped and listed as suppressed."""
    net = released.data()["network"]
    text = json.dumps(net)
    assert "largest_component" not in text
    assert "max_victims" not in text
    assert net["component_sizes"]["labels"][-1].startswith("≥")
    assert net["victims_per_offender"]["labels"][-1].startswith("≥")
    rules = {(s.what, s.rule) for s in released.suppressions}
    assert ("network.largest_component", "never_published") in rules
    assert ("network.component_sizes (top classes)", "top_code") in rules


def test_small_kind_of_recurring_perpetrator_gets_a_partner(released):
    """A kind with fewer than 10 perpetrators is hidden together with another so the total cannot reveal it."""
    net = released.data()["network"]
    kinds = net["by_kind"]
    assert kinds["repeat"] == "<10"
    assert "x" in kinds.values()  # the partner is marked as hidden, not as small
    assert sum(isinstance(v, str) for v in kinds.values()) >= 2
    assert isinstance(net["offenders"], int)


def test_share_with_small_numerator_is_withheld(results):
    """The index-perpetrator share is withheld when fewer than 10 re-victimisations have one."""
    res = copy.deepcopy(results)
    res["network_aggregates"]["revictimisation_index_perpetrator"]["n_with_index_perpetrator"] = 6
    net = apply_disclosure(res).data()["network"]
    assert net["index_perpetrator"] is None


def test_time_to_return_is_released_in_whole_months(released):
    """Quartiles of days (200, 500, 1100 over 30 pairs) are released as whole months, never as days."""
    ttr = released.data()["network"]["time_to_return"]
    assert ttr == {"n_pairs": 30, "lower_quartile_months": 7, "median_months": 16, "upper_quartile_months": 36}


@pytest.mark.parametrize("n_pairs", [1, 9])
def test_time_to_return_over_few_pairs_is_withheld(results, n_pairs):
    """Fewer than min_cell returning pairs: no quartiles, and the suppression is listed."""
    res = copy.deepcopy(results)
    res["network_aggregates"]["time_to_returning_event_days"]["n_pairs"] = n_pairs
    rel = apply_disclosure(res)
    assert rel.data()["network"]["time_to_return"] is None
    assert any(s.what == "network.time_to_return" and s.rule == "min_cell" for s in rel.suppressions)


def test_mcf_dominated_by_two_persons_is_suppressed(results):
    """When two persons hold 90% of the events behind the MCF, no MCF curve is released."""
    res = copy.deepcopy(results)
    total = res["recurrent"]["mcf_contributors"]["total_events"]
    res["recurrent"]["mcf_contributors"].update(top1=int(total * 0.6), top2=int(total * 0.35))
    rel = apply_disclosure(res)
    assert rel.data()["recurrent"]["mcf"] == {}
    assert any(s.rule == "dominance" and s.what.startswith("recurrent.mcf") for s in rel.suppressions)


def test_mean_victims_per_offender_passes_dominance_or_is_withheld(results):
    """A mean over offenders is withheld when two offenders dominate the total."""
    res = copy.deepcopy(results)
    res["network_aggregates"]["victims_contributors"] = {"total": 100, "top1": 50, "top2": 45}
    net = apply_disclosure(res).data()["network"]
    assert "mean_victims_per_offender" not in net


def test_logrank_releases_only_test_statistics(results):
    """Per-group observed and expected counts of a log-rank test are not released."""
    res = copy.deepcopy(results)
    res["first_event"]["logrank"]["sex"] = {
        "groups": ["F", "M", "U"],
        "n": [900, 597, 3],
        "observed": [400.0, 200.0, 2.0],
        "expected": [380.0, 215.0, 7.0],
        "chisq": 4.2,
        "df": 2,
        "p": 0.12,
    }
    lr = apply_disclosure(res).data()["first_event"]["logrank"]
    assert lr["sex"] == {"chisq": 4.2, "df": 2, "p": 0.12}


def test_warnings_with_numbers_or_dates_are_withheld(results):
    """A warning quoting a count or a date is not released; a plain one is."""
    res = copy.deepcopy(results)
    res["warnings"] = ["origin=EU: 3 events only", "index on 2014-02-03", "sex=U: HR imprecise"]
    rel = apply_disclosure(res)
    assert rel.data()["warnings"] == ["sex=U: HR imprecise"]
    assert sum(s.what == "warnings" for s in rel.suppressions) == 2


def test_hazard_ratio_of_small_group_is_suppressed(released):
    """A Cox term for a level with fewer than 10 persons or events is not released."""
    terms = {t["term"] for t in released.data()["first_event"]["cox"]["terms"]}
    assert "sex=U" not in terms
    assert "exploitation_form=labour" in terms


def test_yearly_estimates_come_from_the_released_curve(released):
    """The 7-year estimate equals 1 - S read off the released (pooled, cut) KM curve."""
    d = released.data()["first_event"]
    curve = d["km"]["all"]["all"]
    seven = d["cumulative_incidence"]["all"]["all"]["7"]
    idx = max(i for i, t in enumerate(curve["time"]) if t <= 7 * 365.25)
    assert seven["estimate"] == pytest.approx(1 - curve["surv"][idx])
    assert seven["ci_lower"] <= seven["estimate"] <= seven["ci_upper"]


def test_at_risk_numbers_are_protected_against_the_cohort_total(released):
    """Within a grouping and year, a hidden number at risk is never the only hidden one."""
    ci = released.data()["first_event"]["cumulative_incidence"]
    for g, levels in ci.items():
        if g == "all":
            continue
        for y in ci["all"]["all"]:
            hidden = sum(isinstance(levels[lv][y]["at_risk"], str) for lv in levels)
            total_hidden = isinstance(ci["all"]["all"][y]["at_risk"], str)
            assert hidden + total_hidden != 1


def test_every_suppression_is_listed_with_rule_and_reason(released):
    """The release lists each suppression with what, rule and reason, and names no value."""
    sup = released.suppressions
    assert {s.rule for s in sup} >= {"min_cell", "secondary", "pooled", "top_code", "never_published", "dominance"}
    assert all(s.what and s.reason for s in sup)


def test_small_cohort_blocks_the_release(results):
    """A cohort smaller than min_cell raises DisclosureError (exit code 3)."""
    res = copy.deepcopy(results)
    res["cohort"]["n"] = 7
    with pytest.raises(DisclosureError) as exc:
        apply_disclosure(res)
    assert exc.value.exit_code == 3


def test_identifier_smuggled_into_a_released_field_blocks_the_release(results):
    """A pseudonym in a field that is released (a level name) stops the release."""
    res = copy.deepcopy(results)
    res["first_event"]["km"]["origin"]["p0001-syn0123456789ab"] = res["first_event"]["km"]["origin"]["NL"]
    with pytest.raises(DisclosureError, match="pseudonym-like"):
        apply_disclosure(res)


def test_missing_sections_give_a_partial_release(results):
    """Results without recurrent and network sections still release the rest, listing what is missing."""
    res = {k: v for k, v in results.items() if k not in ("recurrent", "network", "network_aggregates")}
    rel = apply_disclosure(res)
    assert rel.data()["recurrent"] is None
    assert rel.data()["network"] is None
    assert any(s.what == "recurrent" and s.rule == "unverifiable" for s in rel.suppressions)


def test_release_is_immutable(released):
    """Changing the data returned by a release does not change the release."""
    d = released.data()
    d["cohort"]["n"] = 1
    assert released.data()["cohort"]["n"] != 1


@pytest.mark.parametrize("rounding", [None, 5, 10])
def test_applying_twice_equals_applying_once(results, rounding):
    """apply_disclosure is idempotent for every rounding setting."""
    rules = DisclosureRules(rounding=rounding)
    once = apply_disclosure(results, rules)
    twice = apply_disclosure(once.data(), rules)
    assert twice == once


def test_rounding_applies_to_every_released_count(results):
    """With rounding base 5 every shown count is a multiple of 5."""
    rel = apply_disclosure(results, DisclosureRules(rounding=5))
    vals = [v for _, v in _counts(rel.data()) if isinstance(v, int)]
    assert vals
    assert all(v % 5 == 0 for v in vals)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    min_cell=st.integers(2, 30),
    rounding=st.sampled_from([None, 5, 10]),
    n=st.integers(60, 400),
    seed=st.integers(0, 10_000),
)
def test_idempotent_and_safe_on_random_cohorts(min_cell, rounding, n, seed):
    """For random cohorts and settings: twice equals once, and every count is >= min_cell or suppressed."""
    import revict_results_fixture as fx

    res = fx.make_results(n=n, seed=seed)
    rules = DisclosureRules(min_cell=min_cell, rounding=rounding)
    once = apply_disclosure(res, rules)
    assert apply_disclosure(once.data(), rules) == once
    label = f"<{min_cell}"
    bad = [(p, v) for p, v in _counts(once.data()) if not (v in (label, "x") or (isinstance(v, int) and v >= min_cell))]
    assert all(p.endswith(".n_removed") and v == 0 for p, v in bad)
    for g in once.data()["first_event"]["km"].values():
        for curve in g.values():
            assert all(e >= min_cell for e in curve["n_event"])
