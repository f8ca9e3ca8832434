"""Hand-worked cases for build_cohort: every rule on a register of a few persons."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from revict.cohort import STEP_ORDER, EmptyCohortError, build_cohort
from revict.cohort.tables import ATTRITION_COLUMNS, FIRST_EVENT_COLUMNS, RECURRENT_COLUMNS
from tests.cohort.cohort_factory import d, person, pid, reg, sources_from, spec, vic


def row(tables, n: int) -> pd.Series:
    fe = tables.first_event
    hit = fe[fe["person_id"] == pid(n)]
    assert len(hit) == 1
    return hit.iloc[0]


def intervals(tables, n: int) -> list[tuple[int, int, int, int]]:
    r = tables.recurrent
    r = r[r["person_id"] == pid(n)]
    return [(int(a), int(b), int(e), int(k)) for a, b, e, k in zip(r.start, r.stop, r.event, r.episode, strict=True)]


def removed(tables) -> dict[str, int]:
    return dict(zip(tables.attrition["step"], tables.attrition["n_removed"], strict=True))


def test_columns_are_those_documented(tmp_path: Path) -> None:
    """The tables carry exactly the columns tables.py documents, and attrition lists every step in order."""
    t = build_cohort(sources_from(tmp_path, [person(1)], [reg("1", 1, d(0))], [vic(1, d(3))]), spec())
    assert tuple(t.first_event.columns) == FIRST_EVENT_COLUMNS
    assert tuple(t.recurrent.columns) == RECURRENT_COLUMNS
    assert tuple(t.attrition.columns) == ATTRITION_COLUMNS
    assert tuple(t.attrition["step"]) == STEP_ORDER
    assert list(t.outcome_events.columns) == ["person_id", "day", "offence_category"]


def test_person_registered_twice_enters_once_at_first_registration(tmp_path: Path) -> None:
    """A person registered twice enters once, indexed at the earlier registration with its exploitation form."""
    src = sources_from(
        tmp_path,
        [person(1)],
        [reg("2", 1, d(40), form="sexual"), reg("1", 1, d(0), form="labour", reporter="shelter")],
        [vic(1, d(10))],
    )
    t = build_cohort(src, spec())
    r = row(t, 1)
    assert t.n == 1
    assert str(r.index_date.date()) == d(0)
    assert (r.exploitation_form, r.reporter) == ("labour", "shelter")
    assert (r.time, r.status) == (10, 1)
    assert removed(t)["not_first_registration"] == 1


def test_same_day_registrations_take_smallest_registration_id(tmp_path: Path) -> None:
    """Two registrations on the index day: the one with the smallest registration_id gives the covariates."""
    src = sources_from(
        tmp_path,
        [person(1)],
        [
            reg("9", 1, d(0), form="criminal", cross_border="true"),
            reg("3", 1, d(0), form="labour", cross_border="false"),
        ],
    )
    r = row(build_cohort(src, spec()), 1)
    assert (r.exploitation_form, r.cross_border) == ("labour", "no")


def test_unlinked_records_are_counted_and_ignored(tmp_path: Path) -> None:
    """Unlinked registrations are removed at step 'unlinked'; unlinked victimisations never count."""
    src = sources_from(
        tmp_path,
        [person(1)],
        [reg("1", 1, d(0)), reg("2", None, d(0)), reg("3", None, d(5))],
        [vic(None, d(10)), vic(None, d(20))],
    )
    t = build_cohort(src, spec())
    assert removed(t)["unlinked"] == 2
    assert t.attrition.iloc[0]["n_remaining"] == 3
    assert row(t, 1).status == 0
    assert t.outcome_events.empty


def test_registration_without_valid_date_is_skipped(tmp_path: Path) -> None:
    """A linked registration whose date does not parse is removed; the person's dated registration indexes."""
    src = sources_from(tmp_path, [person(1)], [reg("1", 1, "2013-13-45"), reg("2", 1, d(0))])
    t = build_cohort(src, spec())
    assert removed(t)["registration_date_missing"] == 1
    assert str(row(t, 1).index_date.date()) == d(0)


def test_emigration_before_first_event_censors(tmp_path: Path) -> None:
    """Emigration before the first event censors at the emigration day; the later event is not counted."""
    src = sources_from(tmp_path, [person(1, emig=d(100))], [reg("1", 1, d(0))], [vic(1, d(200))])
    t = build_cohort(src, spec())
    r = row(t, 1)
    assert (r.time, r.status, r.follow_up_end) == (100, 0, 100)
    assert intervals(t, 1) == [(0, 100, 0, 1)]
    assert t.outcome_events.empty


def test_emigration_ignored_when_not_in_censor_at(tmp_path: Path) -> None:
    """Without 'emigration' in censor_at, emigration does not end follow-up."""
    src = sources_from(tmp_path, [person(1, emig=d(100))], [reg("1", 1, d(0))], [vic(1, d(200))])
    r = row(build_cohort(src, spec(censor_at=["death", "data_end"])), 1)
    assert (r.time, r.status) == (200, 1)


def test_death_is_a_competing_event(tmp_path: Path) -> None:
    """Death before any outcome ends follow-up with status 2 when death is a competing risk."""
    src = sources_from(tmp_path, [person(1, death=d(50))], [reg("1", 1, d(0))], [vic(1, d(60))])
    t = build_cohort(src, spec())
    r = row(t, 1)
    assert (r.time, r.status, r.follow_up_end) == (50, 2, 50)
    assert intervals(t, 1) == [(0, 50, 0, 1)]


def test_death_censors_without_competing_risks(tmp_path: Path) -> None:
    """With competing_risks empty, death censors (status 0)."""
    src = sources_from(tmp_path, [person(1, death=d(50))], [reg("1", 1, d(0))])
    r = row(build_cohort(src, spec(competing_risks=[])), 1)
    assert (r.time, r.status) == (50, 0)


def test_death_and_event_on_same_day_event_counts(tmp_path: Path) -> None:
    """An outcome on the day of death counts as the event (status 1), not as the competing death."""
    src = sources_from(tmp_path, [person(1, death=d(50))], [reg("1", 1, d(0))], [vic(1, d(50))])
    t = build_cohort(src, spec())
    r = row(t, 1)
    assert (r.time, r.status) == (50, 1)
    assert intervals(t, 1) == [(0, 50, 1, 1)]


def test_event_on_index_day_does_not_count(tmp_path: Path) -> None:
    """A victimisation on the index date is neither outcome nor prior victimisation."""
    src = sources_from(tmp_path, [person(1)], [reg("1", 1, d(0))], [vic(1, d(0)), vic(1, d(7))])
    r = row(build_cohort(src, spec()), 1)
    assert (r.time, r.status, r.prior_victimisations_365d) == (7, 1, 0)


def test_horizon_cuts_follow_up_and_event_on_censoring_day_counts(tmp_path: Path) -> None:
    """The horizon censors at follow_up_days; an event exactly on that day counts, one day later does not."""
    src = sources_from(
        tmp_path,
        [person(1), person(2)],
        [reg("1", 1, d(0)), reg("2", 2, d(0))],
        [vic(1, d(365)), vic(2, d(366))],
    )
    t = build_cohort(src, spec(follow_up_days=365))
    assert (row(t, 1).time, row(t, 1).status) == (365, 1)
    assert (row(t, 2).time, row(t, 2).status, row(t, 2).follow_up_end) == (365, 0, 365)
    assert intervals(t, 1) == [(0, 365, 1, 1)]
    assert intervals(t, 2) == [(0, 365, 0, 1)]


def test_blackout_excludes_events_up_to_and_including_its_last_day(tmp_path: Path) -> None:
    """With blackout_days=30 an event on day 30 does not count and one on day 31 does."""
    src = sources_from(
        tmp_path,
        [person(1), person(2)],
        [reg("1", 1, d(0)), reg("2", 2, d(0))],
        [vic(1, d(30)), vic(2, d(31))],
    )
    t = build_cohort(src, spec(blackout_days=30))
    assert (row(t, 1).time, row(t, 1).status) == (2557, 0)
    assert (row(t, 2).time, row(t, 2).status) == (31, 1)
    assert intervals(t, 1) == [(0, 2557, 0, 1)]


def test_data_end_censors_and_event_on_data_end_counts(tmp_path: Path) -> None:
    """Follow-up ends at the schema's data_end; an event on data_end counts."""
    src = sources_from(
        tmp_path,
        [person(1), person(2)],
        [reg("1", 1, "2016-06-01"), reg("2", 2, "2016-06-01")],
        [vic(1, "2016-12-31"), vic(2, "2017-01-01")],
        data_end="2016-12-31",
    )
    t = build_cohort(src, spec())
    assert (row(t, 1).time, row(t, 1).status) == (213, 1)
    assert (row(t, 2).time, row(t, 2).status, row(t, 2).follow_up_end) == (213, 0, 213)


def test_entry_window_uses_first_registration(tmp_path: Path) -> None:
    """A person first registered before the window stays out even with a later registration inside it."""
    src = sources_from(
        tmp_path,
        [person(1), person(2), person(3)],
        [reg("1", 1, "2011-12-31"), reg("2", 1, "2013-01-01"), reg("3", 2, "2012-01-01"), reg("4", 3, "2017-01-01")],
    )
    t = build_cohort(src, spec())
    assert list(t.first_event["person_id"]) == [pid(2)]
    assert removed(t)["index_outside_entry_window"] == 2


def test_person_missing_and_died_before_index_are_removed(tmp_path: Path) -> None:
    """Persons absent from persons, or dead/emigrated on or before index, are removed at their own steps."""
    src = sources_from(
        tmp_path,
        [person(1), person(2, death=d(-3)), person(3, emig=d(0)), person(4, death=d(1))],
        [reg("1", 1, d(0)), reg("2", 2, d(0)), reg("3", 3, d(0)), reg("4", 4, d(0)), reg("5", 5, d(0))],
    )
    t = build_cohort(src, spec())
    assert sorted(t.first_event["person_id"]) == [pid(1), pid(4)]
    assert removed(t)["person_missing"] == 1
    assert removed(t)["died_or_emigrated_before_index"] == 2


def test_restrict_and_exclude_unknown(tmp_path: Path) -> None:
    """restrict keeps only the listed levels; exclude_unknown drops unknown levels, else they are kept as unknown."""
    persons = [person(1), person(2, origin=""), person(3), person(4, origin="")]
    regs = [
        reg("1", 1, d(0), form="labour"),
        reg("2", 2, d(0), form="labour"),
        reg("3", 3, d(0), form="sexual"),
        reg("4", 4, d(0), form="labour"),
    ]
    t = build_cohort(sources_from(tmp_path / "a", persons, regs), spec(restrict={"exploitation_form": ["labour"]}))
    assert sorted(t.first_event["person_id"]) == [pid(1), pid(2), pid(4)]
    assert removed(t)["restricted:exploitation_form"] == 1
    assert set(t.first_event["origin"]) == {"NL", "unknown"}
    t2 = build_cohort(
        sources_from(tmp_path / "b", persons, regs),
        spec(restrict={"exploitation_form": ["labour"]}, exclude_unknown=["origin"]),
    )
    assert list(t2.first_event["person_id"]) == [pid(1)]
    assert removed(t2)["missing_covariates"] == 2


def test_prior_victimisations_count_the_365_days_before_index(tmp_path: Path) -> None:
    """Victimisations on days -365..-1 of any category count as prior; day -366 and day 0 do not."""
    src = sources_from(
        tmp_path,
        [person(1), person(2)],
        [reg("1", 1, d(0)), reg("2", 2, d(0))],
        [vic(1, d(-366)), vic(1, d(-365), cat="property"), vic(1, d(-1), cat="other"), vic(1, d(0)), vic(2, d(-366))],
    )
    t = build_cohort(src, spec())
    assert (row(t, 1).prior_victimisations_365d, row(t, 1).prior_victimisation) == (2, "any")
    assert (row(t, 2).prior_victimisations_365d, row(t, 2).prior_victimisation) == (0, "none")
    assert t.first_event["status"].tolist() == [0, 0]


def test_outcome_categories_select_events(tmp_path: Path) -> None:
    """With outcome 'serious', a property crime does not count but a later threat does."""
    src = sources_from(
        tmp_path, [person(1)], [reg("1", 1, d(0))], [vic(1, d(5), cat="property"), vic(1, d(9), cat="threat")]
    )
    t = build_cohort(src, spec(outcome={"categories": "serious"}))
    assert (row(t, 1).time, row(t, 1).status) == (9, 1)
    assert t.outcome_events["offence_category"].tolist() == ["threat"]
    t_any = build_cohort(src, spec())
    assert row(t_any, 1).time == 5


def test_recurrent_same_day_events_collapse(tmp_path: Path) -> None:
    """Two events on one day make one recurrent event; intervals tile (0, follow_up_end] with episodes 1..k+1."""
    src = sources_from(
        tmp_path,
        [person(1, emig=d(400))],
        [reg("1", 1, d(0))],
        [vic(1, d(10)), vic(1, d(10), cat="sexual"), vic(1, d(20)), vic(1, d(500))],
    )
    t = build_cohort(src, spec())
    assert intervals(t, 1) == [(0, 10, 1, 1), (10, 20, 1, 2), (20, 400, 0, 3)]
    assert t.recurrent["gap_time"].tolist() == [10, 10, 380]
    assert t.outcome_events[["day", "offence_category"]].values.tolist() == [
        [10, "sexual"],
        [10, "violence"],
        [20, "violence"],
    ]


def test_last_event_on_censoring_day_leaves_no_empty_interval(tmp_path: Path) -> None:
    """When the last event falls on the end of follow-up, no zero-length censored interval follows."""
    src = sources_from(tmp_path, [person(1, emig=d(30))], [reg("1", 1, d(0))], [vic(1, d(5)), vic(1, d(30))])
    assert intervals(build_cohort(src, spec()), 1) == [(0, 5, 1, 1), (5, 30, 1, 2)]


def test_age_group_minor_and_unknown_levels(tmp_path: Path) -> None:
    """Age = index year - birth year gives age_group and is_minor; missing or invalid values become unknown."""
    src = sources_from(
        tmp_path,
        [
            person(1, birth_year=1997),
            person(2, birth_year=1996, sex="X"),
            person(3, birth_year="", origin="Mars"),
            person(4, birth_year=1950),
        ],
        [
            reg("1", 1, d(0), cross_border="true"),
            reg("2", 2, d(0), form="nonsense"),
            reg("3", 3, d(0), reporter=""),
            reg("4", 4, d(0)),
        ],
    )
    t = build_cohort(src, spec())
    assert (row(t, 1).age_at_index, row(t, 1).age_group, row(t, 1).is_minor, row(t, 1).cross_border) == (
        17,
        "0-17",
        True,
        "yes",
    )
    r2 = row(t, 2)
    assert (r2.age_group, r2.is_minor, r2.sex, r2.exploitation_form) == ("18-24", False, "unknown", "unknown")
    r3 = row(t, 3)
    assert (r3.age_group, r3.origin, r3.reporter, r3.cross_border) == ("unknown", "unknown", "unknown", "unknown")
    assert pd.isna(r3.age_at_index)
    assert pd.isna(r3.is_minor)
    assert row(t, 4).age_group == "50+"


def test_empty_cohort_names_the_step(tmp_path: Path) -> None:
    """A cohort that selects nobody raises EmptyCohortError naming the step that removed everyone."""
    src = sources_from(tmp_path, [person(1)], [reg("1", 1, "2019-05-01")])
    with pytest.raises(EmptyCohortError, match="index_outside_entry_window") as info:
        build_cohort(src, spec())
    assert info.value.step == "index_outside_entry_window"
    assert "entry_window" in info.value.hint
    assert info.value.attrition["n_remaining"].iloc[-1] == 0
    assert pid(1) not in str(info.value)


def test_empty_cohort_by_restriction(tmp_path: Path) -> None:
    """A restriction that matches nobody names the restrict step."""
    src = sources_from(tmp_path, [person(1)], [reg("1", 1, d(0), form="sexual")])
    with pytest.raises(EmptyCohortError, match="restricted:exploitation_form"):
        build_cohort(src, spec(restrict={"exploitation_form": ["labour"]}))


def test_temporary_tables_are_dropped(tmp_path: Path) -> None:
    """Building twice on one connection leaves no helper tables behind and gives the same tables."""
    src = sources_from(tmp_path, [person(1)], [reg("1", 1, d(0))], [vic(1, d(4))])
    before = set(src.con.execute("SELECT table_name FROM duckdb_tables()").fetchall())
    a = build_cohort(src, spec())
    b = build_cohort(src, spec())
    assert set(src.con.execute("SELECT table_name FROM duckdb_tables()").fetchall()) == before
    pd.testing.assert_frame_equal(a.first_event, b.first_event)


def test_death_tied_with_horizon_or_emigration_is_the_competing_event(tmp_path: Path) -> None:
    """Death on the horizon day, or on the emigration day, ends follow-up as the competing event (status 2)."""
    src = sources_from(
        tmp_path,
        [person(1, death=d(365)), person(2, death=d(100), emig=d(100))],
        [reg("1", 1, d(0)), reg("2", 2, d(0))],
    )
    t = build_cohort(src, spec(follow_up_days=365))
    assert (row(t, 1).time, row(t, 1).status) == (365, 2)
    assert (row(t, 2).time, row(t, 2).status) == (100, 2)


def test_death_as_competing_risk_ends_follow_up_without_censor_at(tmp_path: Path) -> None:
    """Death listed only under competing_risks still ends follow-up, with status 2; listed nowhere, it is ignored."""
    src = sources_from(tmp_path, [person(1, death=d(60))], [reg("1", 1, d(0))], [vic(1, d(90))])
    r = row(build_cohort(src, spec(censor_at=["emigration", "data_end"])), 1)
    assert (r.time, r.status) == (60, 2)
    r2 = row(build_cohort(src, spec(censor_at=["emigration", "data_end"], competing_risks=[])), 1)
    assert (r2.time, r2.status) == (90, 1)


def test_unknown_or_missing_category_counts_only_for_any(tmp_path: Path) -> None:
    """A victimisation with a missing or undeclared category counts (as `unknown`) only when the outcome is any."""
    src = sources_from(tmp_path, [person(1)], [reg("1", 1, d(0))], [vic(1, d(3), cat=""), vic(1, d(5), cat="robbery")])
    t = build_cohort(src, spec())
    assert (row(t, 1).time, row(t, 1).status) == (3, 1)
    assert t.outcome_events["offence_category"].tolist() == ["unknown", "unknown"]
    t2 = build_cohort(src, spec(outcome={"categories": "serious"}))
    assert row(t2, 1).status == 0
    assert t2.outcome_events.empty
