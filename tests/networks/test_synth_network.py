"""On synthetic registers the network finds the planted serial and returning perpetrators."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from revict.contract import load_schema
from revict.load import load_sources
from revict.networks import build_offender_network, network_measures, released_aggregates


@pytest.fixture(scope="module")
def synth_dir(tmp_path_factory) -> Path:
    from revict.synth import synthesize

    out = tmp_path_factory.mktemp("net_synth")
    synthesize(out, victims=3000, seed=20211207)
    return out


@pytest.fixture(scope="module")
def all_net(synth_dir):
    return build_offender_network(load_sources(load_schema(), synth_dir), all_data=True)


def _resolved_links(folder: Path) -> pd.DataFrame:
    """Perpetrator links joined to their events with pandas (independent of the SQL)."""
    links = pd.read_csv(folder / "perpetrator_links.csv", dtype=str).drop_duplicates()
    regs = pd.read_csv(folder / "victim_registrations.csv", dtype=str, keep_default_na=False)
    vics = pd.read_csv(folder / "victimisations.csv", dtype=str, keep_default_na=False)
    ev = pd.concat(
        [
            pd.DataFrame(
                {
                    "event_type": "registration",
                    "event_id": regs["registration_id"],
                    "person_id": regs["person_id"],
                    "date": regs["registration_date"],
                }
            ),
            pd.DataFrame(
                {
                    "event_type": "victimisation",
                    "event_id": vics["incident_id"],
                    "person_id": vics["person_id"],
                    "date": vics["incident_date"],
                }
            ),
        ]
    )
    m = links.merge(ev, on=["event_type", "event_id"], how="inner")
    m = m[m["person_id"] != ""].copy()
    m["date"] = pd.to_datetime(m["date"])
    m["event"] = m["event_type"] + ":" + m["event_id"]
    return m


def _recurring(m: pd.DataFrame) -> set[str]:
    victims = m.groupby("offender_id")["person_id"].nunique()
    per_pair = m.groupby(["offender_id", "person_id"])["event"].nunique()
    return set(victims[victims >= 2].index) | set(per_pair[per_pair >= 2].index.get_level_values(0))


def test_recurring_set_equals_the_set_from_the_planted_links(all_net, synth_dir):
    """The SQL recurring set equals the one computed with pandas from the written links."""
    rec = all_net.recurring()
    expected = _recurring(_resolved_links(synth_dir))
    assert len(expected) > 50
    assert set(rec["offender_id"]) == expected


def test_every_planted_serial_perpetrator_is_found(all_net, synth_dir):
    """Each planted serial perpetrator is classified serial (or both)."""
    truth = json.loads((synth_dir / "truth.json").read_text(encoding="utf-8"))["offenders"]
    rec = all_net.recurring()
    serial = set(rec.loc[rec["kind"].isin(["serial", "both"]), "offender_id"])
    assert truth["serial"]
    assert set(truth["serial"]) <= serial


def test_returning_perpetrators_equal_the_planted_ones(all_net, synth_dir):
    """The returning (and both) perpetrators are exactly the planted returning perpetrators."""
    truth = json.loads((synth_dir / "truth.json").read_text(encoding="utf-8"))["offenders"]
    rec = all_net.recurring()
    assert set(rec.loc[rec["kind"].isin(["returning", "both"]), "offender_id"]) == set(truth["returning"])


def test_cohort_network_matches_pandas_within_follow_up(synth_dir):
    """With the shipped cohort, the recurring set equals pandas' on cohort events within follow-up."""
    from revict.cohort import build_cohort, load_cohort

    repo = Path(__file__).resolve().parents[2]
    sources = load_sources(load_schema(), synth_dir)
    cohort = build_cohort(sources, load_cohort(repo / "cohorts" / "nr-seven-year.yaml"))
    net = build_offender_network(sources, cohort)
    fe = cohort.first_event[["person_id", "index_date", "follow_up_end"]].copy()
    fe["index_date"] = pd.to_datetime(fe["index_date"])
    m = _resolved_links(synth_dir).merge(fe, on="person_id")
    days = (m["date"] - m["index_date"]).dt.days
    m = m[(days >= 0) & (days <= m["follow_up_end"])]
    assert set(net.recurring()["offender_id"]) == _recurring(m)
    res = network_measures(net)
    assert 0 < res.revictimisation["n_with_index_perpetrator"] < res.revictimisation["n_revictimisations"]
    text = json.dumps(released_aggregates(res, min_cell=cohort.spec.min_cell))
    assert "-syn" not in text  # no synthetic pseudonym (canary) in the released aggregates
