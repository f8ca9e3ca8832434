"""Capture histories from victim_registrations.reporter, per period and stratum (DuckDB SQL)."""

from __future__ import annotations

from pathlib import Path

import pytest

from revict import SpecError
from revict.cohort.spec import CohortSpec
from revict.contract import load_schema
from revict.hidden import capture_histories
from revict.hidden.histories import parse_list_map
from revict.load import load_sources

PERSONS = """person_id,birth_year,sex,origin
person0001,1990,F,NL
person0002,2000,M,EU
person0003,1985,F,non-EU
person0004,1970,F,
person0005,1995,M,NL
"""
REGS = """registration_id,person_id,registration_date,exploitation_form,reporter
register001,person0001,2015-03-01,sexual,police
register002,person0001,2015-06-01,sexual,shelter
register003,person0002,2015-02-01,labour,labour_inspectorate
register004,person0002,2016-01-10,labour,police
register005,person0003,2016-05-05,sexual,care_coordinator
register006,person0004,2015-07-07,criminal,police
register007,person0004,2015-08-08,criminal,police
register008,,2015-01-01,sexual,police
register009,person0005,2016-02-02,other,
register010,person0005,2016-03-03,other,border_police
"""


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory):
    d = tmp_path_factory.mktemp("mse_data")
    (d / "persons.csv").write_text(PERSONS, encoding="utf-8")
    (d / "victim_registrations.csv").write_text(REGS, encoding="utf-8")
    (d / "victimisations.csv").write_text("incident_id,person_id,incident_date,offence_category\n", encoding="utf-8")
    (d / "perpetrator_links.csv").write_text("event_id,event_type,offender_id\n", encoding="utf-8")
    return load_sources(load_schema(), d)


def _as_dict(table) -> dict[str, int]:
    return {
        "".join(n for n, on in zip(table.lists, h, strict=True) if on): int(c)
        for h, c in zip(table.histories, table.counts, strict=True)
    }


def test_one_table_for_the_whole_window(sources) -> None:
    """Each linked person is counted once with every organisation that reported them."""
    hist = capture_histories(sources)
    assert hist.lists == ("P", "K", "I", "R", "O", "Z")
    assert list(hist.tables) == [("all",)]
    assert _as_dict(hist.tables[("all",)]) == {"PO": 1, "PI": 1, "R": 1, "P": 1, "K": 1}
    assert hist.excluded == {"unlinked": 1, "no_reporter": 1, "unmapped_reporter": 0, "outside_window": 0}


def test_one_table_per_year(sources) -> None:
    """Per year, only that year's registrations make a person's history."""
    hist = capture_histories(sources, period="year")
    assert _as_dict(hist.tables[("2015",)]) == {"PO": 1, "I": 1, "P": 1}
    assert _as_dict(hist.tables[("2016",)]) == {"P": 1, "R": 1, "K": 1}
    assert hist.pooled().n_observed == 6


def test_list_mapping_merges_organisations(sources) -> None:
    """Mapping shelter and care coordinator onto one list merges their captures."""
    lmap = parse_list_map("police=P,border_police=K,labour_inspectorate=I,care_coordinator=C,shelter=C,other=Z")
    hist = capture_histories(sources, list_map=lmap)
    assert hist.lists == ("P", "K", "I", "C", "Z")
    assert _as_dict(hist.tables[("all",)]) == {"PC": 1, "PI": 1, "C": 1, "P": 1, "K": 1}


def test_strata_by_minor_and_sex(sources) -> None:
    """Strata split persons by age at first registration in the period and by sex."""
    hist = capture_histories(sources, strata=["minor", "sex"])
    assert hist.by == ("period", "minor", "sex")
    assert {k: t.n_observed for k, t in hist.tables.items()} == {
        ("all", "adult", "F"): 3,
        ("all", "adult", "M"): 1,
        ("all", "minor", "M"): 1,
    }


def test_cohort_window_and_restriction(sources) -> None:
    """A cohort's entry window bounds the registrations and its restrict keeps only matching persons."""
    spec = CohortSpec(name="w", entry_window={"start": "2015-01-01", "end": "2015-12-31"}, restrict={"sex": ("F",)})
    hist = capture_histories(sources, spec)
    assert _as_dict(hist.tables[("all",)]) == {"PO": 1, "P": 1}
    assert hist.excluded["outside_window"] == 4


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"period": "month"}, "period"),
        ({"strata": ["shoe_size"]}, "unknown stratum"),
        ({"list_map": {"police": "P"}}, "fewer than two lists"),
    ],
)
def test_bad_arguments_are_spec_errors(sources, kwargs: dict, match: str) -> None:
    """Unsupported periods, strata or a one-list mapping are clear SpecErrors."""
    with pytest.raises(SpecError, match=match):
        capture_histories(sources, **kwargs)


def test_bad_list_mapping_text() -> None:
    """A mapping entry without '=' or with an unknown reporter is rejected with a hint."""
    with pytest.raises(SpecError, match="not reporter=LIST"):
        parse_list_map("police")
    with pytest.raises(SpecError, match="unknown reporter"):
        parse_list_map("postman=Q")


def test_synthetic_registers_recover_planted_total(synth_small: Path) -> None:
    """On synthetic registers the 95% profile interval of the stepwise estimate covers the planted total."""
    import json

    from revict.hidden import estimate_population

    truth = json.loads((synth_small / "truth.json").read_text(encoding="utf-8"))["hidden_population"]
    hist = capture_histories(load_sources(load_schema(), synth_small))
    res = estimate_population(hist.pooled())
    assert hist.pooled().n_observed == truth["registered_linked"]
    assert res.ci.lower <= truth["true_total_linkable"] <= res.ci.upper
