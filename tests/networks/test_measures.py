"""Network measures on the hand-built graph, each against a hand-computed answer."""

from __future__ import annotations

import json

import pytest
from statsmodels.stats.proportion import proportion_confint

from revict.networks import build_offender_network, network_measures, wilson_interval
from tests.networks.netdata import oid


@pytest.fixture
def result(hand_sources):
    return network_measures(build_offender_network(hand_sources, all_data=True))


def test_share_and_kinds_of_recurring_perpetrators(result):
    """Six of eleven offenders recur: two serial, one returning, one both, two repeat."""
    assert result.n_recurring == 6
    assert result.share_recurring == pytest.approx(6 / 11)
    assert result.by_kind() == {"serial": 2, "returning": 1, "both": 1, "repeat": 2}


def test_victims_per_offender_distribution(result):
    """Eight offenders have one victim, two have two and one has three."""
    vpo = result.victims_per_offender
    assert dict(zip(vpo["victims"], vpo["n_offenders"], strict=True)) == {1: 8, 2: 2, 3: 1}


def test_unlinked_victim_links_are_reported_apart(result):
    """One network offender would recur if unlinked victims counted; one offender has only unlinked links."""
    assert result.unlinked == {
        "n_network_offenders_with_unlinked_links": 1,
        "n_links_unlinked_by_network_offenders": 1,
        "n_offenders_recurring_if_unlinked_counted": 1,
        "n_offenders_only_unlinked": 1,
    }


def test_share_of_revictimisations_with_an_index_perpetrator(result):
    """Two of four re-victimisations after index carry a perpetrator of the index registration (Wilson CI)."""
    rv = result.revictimisation
    assert (rv["n_revictimisations"], rv["n_with_perpetrator"], rv["n_with_index_perpetrator"]) == (4, 4, 2)
    assert rv["n_persons"] == 2
    assert rv["share"] == 0.5
    lo, hi = proportion_confint(2, 4, alpha=0.05, method="wilson")
    assert (rv["lower"], rv["upper"]) == pytest.approx((lo, hi), abs=1e-9)


def test_cohort_revictimisation_share_respects_follow_up(hand_sources, hand_cohort):
    """In the cohort only two re-victimisations fall within follow-up, one with an index perpetrator."""
    res = network_measures(build_offender_network(hand_sources, hand_cohort))
    rv = res.revictimisation
    assert (rv["n_revictimisations"], rv["n_with_index_perpetrator"]) == (2, 1)
    assert res.scope == "cohort"


@pytest.mark.parametrize(("x", "n"), [(0, 5), (1, 1), (3, 10), (17, 40), (500, 1000), (999, 1000)])
def test_wilson_interval_matches_statsmodels(x, n):
    """The Wilson interval equals statsmodels' proportion_confint(method='wilson')."""
    assert wilson_interval(x, n) == pytest.approx(proportion_confint(x, n, method="wilson"), abs=1e-12)


def test_wilson_interval_of_nothing_is_missing():
    """With no trials the interval is (None, None)."""
    assert wilson_interval(0, 0) == (None, None)


def test_time_from_index_to_returning_perpetrators_next_event(result):
    """Returns come 142 and 245 days after the index, so the median is 193.5 days."""
    ttr = result.time_to_return
    assert ttr == {"n_pairs": 2, "min": 142, "q25": 167.75, "median": 193.5, "q75": 219.25, "max": 245}


def test_connected_components(result):
    """The bipartite graph has a 13-node component (4 victims, 9 offenders) and a 3-node one."""
    comp = result.components
    assert comp["n"] == 2
    assert comp["largest"] == {"n_nodes": 13, "n_victims": 4, "n_offenders": 9, "share_of_nodes": 13 / 16}
    sizes = result.component_sizes
    assert dict(zip(sizes["size"], sizes["n_components"], strict=True)) == {3: 1, 13: 1}


def test_co_offending_degree_betweenness_and_k_core(result):
    """The co-offending projection has the hand-computed degrees, exact betweenness and core numbers."""
    off = result.offenders.set_index("offender_id")
    co = result.co_offending
    assert (co["n_offenders"], co["n_edges"], co["n_isolated_offenders"]) == (10, 9, 1)
    assert off["co_degree"].to_dict() == {
        oid(o): d
        for o, d in [
            ("O1", 2),
            ("O2", 3),
            ("O3", 2),
            ("O4", 2),
            ("O5", 1),
            ("O6", 3),
            ("O7", 1),
            ("O8", 2),
            ("O12", 1),
            ("O13", 1),
        ]
    }
    expected_btw = {"O1": 10, "O2": 12, "O3": 0, "O4": 6, "O5": 0, "O6": 10, "O7": 0, "O8": 6, "O12": 0, "O13": 0}
    assert off["betweenness"].to_dict() == {oid(o): pytest.approx(v) for o, v in expected_btw.items()}
    assert off.loc[oid("O2"), "betweenness_norm"] == pytest.approx(12 / 36)
    assert co["betweenness"]["method"] == "exact"
    core = off["core_number"].to_dict()
    assert {o for o, c in core.items() if c == 2} == {oid("O2"), oid("O3"), oid("O6")}
    assert co["k_core"]["max_core"] == 2


def test_communities_are_a_seeded_partition(hand_sources):
    """Louvain communities partition the offenders, and the same seed gives the same communities."""
    net = build_offender_network(hand_sources, all_data=True)
    a = network_measures(net, seed=3)
    b = network_measures(net, seed=3)
    assert a.offenders["community"].tolist() == b.offenders["community"].tolist()
    comms = a.co_offending["communities"]
    assert comms["seed"] == 3
    assert sum(r["size"] * r["n_communities"] for r in comms["size_distribution"]) == 10
    # O12 and O13 form their own component, so their own community
    off = a.offenders.set_index("offender_id")["community"]
    assert off[oid("O12")] == off[oid("O13")]
    assert (off == off[oid("O12")]).sum() == 2


def test_yearly_snapshots(result):
    """Per year: offenders, victims, edges, events, recurring and largest component (that year, cumulative)."""
    snaps = [tuple(r) for r in result.snapshots.itertuples(index=False)]
    assert snaps == [
        (2015, 6, 2, 7, 4, 3, 8, 8),
        (2016, 5, 3, 6, 4, 1, 6, 11),
        (2017, 2, 2, 2, 2, 0, 2, 13),
        (2019, 2, 1, 2, 1, 0, 3, 13),
    ]


def test_to_dict_is_json_safe_and_holds_the_recurring_table(result):
    """to_dict serialises without NaN and lists recurring perpetrators with victims, events and kind."""
    d = result.to_dict()
    text = json.dumps(d, allow_nan=False)
    assert "NOT FOR RELEASE" in text
    assert d["recurring_perpetrators"][0] == {"offender_id": oid("O7"), "victims": 3, "events": 3, "kind": "serial"}
    assert d["parameters"]["seed"] == 20211207
    assert d["co_offending"]["betweenness"]["seed"] == 20211207
    assert len(d["yearly_snapshots"]) == 4


def test_summary_lists_the_headline_measures(result):
    """The summary is a two-column table with the recurring count and the share with its CI."""
    s = result.summary().set_index("measure")["value"]
    assert s["recurring perpetrators"] == 6
    assert s["share with an index perpetrator (95% CI)"].startswith("0.500 (")
    assert "NOT FOR RELEASE" in result._repr_html_()


def test_empty_network_gives_empty_measures(tmp_path):
    """A data set without any link to a linked victim yields zero counts, not an error."""
    from revict.contract import load_schema
    from revict.load import load_sources
    from tests.networks.netdata import write_sources

    src = load_sources(
        load_schema(),
        write_sources(
            tmp_path,
            [("R_U1", "", "2015-01-01", "sexual")],
            [("V_A1", "PA", "2015-02-01", "violence")],
            [("R_U1", "O1")],
        ),
    )
    res = network_measures(build_offender_network(src, all_data=True))
    assert res.n_recurring == 0
    assert res.share_recurring is None
    assert res.components["n"] == 0
    assert res.snapshots.empty
    json.dumps(res.to_dict(), allow_nan=False)
