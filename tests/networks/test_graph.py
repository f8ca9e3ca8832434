"""The offender-victim network and the recurring-perpetrator rules on a hand-built graph."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from revict._core.errors import SourceError
from revict.contract import load_schema
from revict.load import load_sources
from revict.networks import build_offender_network
from tests.networks.netdata import eid, make_cohort, oid, pid, write_sources


def _kinds(net) -> dict[str, str]:
    rec = net.recurring()
    return dict(zip(rec["offender_id"], rec["kind"], strict=True))


def test_link_accounting_counts_unresolved_unlinked_and_duplicates(hand_sources):
    """Distinct links are counted once, and unresolved and unlinked-victim links are counted apart."""
    net = build_offender_network(hand_sources, all_data=True)
    assert net.link_counts == {
        "n_links": 22,
        "n_links_unresolved": 1,
        "n_links_unlinked_victim": 2,
        "n_links_in_scope": 19,
    }
    assert net.counts() == {"n_victims": 5, "n_offenders": 11, "n_edges": 15, "n_events": 11, "n_links": 19}


def test_recurring_table_has_the_hand_computed_kinds_and_order(hand_sources):
    """The recurring table lists exactly the hand-computed offenders, most victims first, with their kinds."""
    rec = build_offender_network(hand_sources, all_data=True).recurring()
    assert list(rec.columns) == ["offender_id", "victims", "events", "kind"]
    expected = [
        (oid("O7"), 3, 3, "serial"),
        (oid("O8"), 2, 3, "both"),
        (oid("O2"), 2, 2, "serial"),
        (oid("O1"), 1, 2, "returning"),
        (oid("O4"), 1, 2, "repeat"),
        (oid("O6"), 1, 2, "repeat"),
    ]
    assert [tuple(r) for r in rec.itertuples(index=False)] == expected


def test_same_event_twice_does_not_make_an_offender_recurring(hand_sources):
    """An offender linked twice to one event of one victim is not recurring."""
    assert oid("O3") not in _kinds(build_offender_network(hand_sources, all_data=True))


def test_two_events_of_the_same_victim_on_one_day_make_an_offender_recurring(hand_sources):
    """Two distinct events of the same victim on the same day count, but not as returning."""
    assert _kinds(build_offender_network(hand_sources, all_data=True))[oid("O6")] == "repeat"


def test_links_to_unlinked_victims_make_no_one_recurring(tmp_path):
    """An offender of one linked and two unlinked events is not recurring; the links are counted apart."""
    regs = [
        ("R_A1", "PA", "2015-01-10", "sexual"),
        ("R_U1", "", "2015-02-01", "sexual"),
        ("R_U2", "", "2015-03-01", "sexual"),
    ]
    vics = [("V_U3", "", "2015-04-01", "violence")]
    links = [("R_A1", "O1"), ("R_U1", "O1"), ("R_U2", "O1"), ("V_U3", "O2"), ("R_U1", "O2")]
    src = load_sources(load_schema(), write_sources(tmp_path, regs, vics, links))
    net = build_offender_network(src, all_data=True)
    assert net.recurring().empty
    assert net.link_counts["n_links_unlinked_victim"] == 4
    assert net.counts()["n_offenders"] == 1


def test_returning_needs_a_later_victimisation_after_the_index_registration(tmp_path):
    """A later victimisation returns the index perpetrator; a later registration of the same victim does not."""
    regs = [
        ("R_A1", "PA", "2015-01-10", "sexual"),
        ("R_A2", "PA", "2016-01-10", "sexual"),
        ("R_B1", "PB", "2015-01-10", "sexual"),
    ]
    vics = [("V_B1", "PB", "2015-01-11", "violence")]
    links = [("R_A1", "O1"), ("R_A2", "O1"), ("R_B1", "O2"), ("V_B1", "O2")]
    src = load_sources(load_schema(), write_sources(tmp_path, regs, vics, links))
    assert _kinds(build_offender_network(src, all_data=True)) == {oid("O1"): "repeat", oid("O2"): "returning"}


def test_cohort_scope_keeps_cohort_victims_within_follow_up(hand_sources, hand_cohort):
    """With a cohort, only its victims' events from index through follow-up are in the network."""
    net = build_offender_network(hand_sources, hand_cohort)
    assert net.scope == "cohort"
    assert net.link_counts["n_links_in_scope"] == 12
    assert _kinds(net) == {oid("O1"): "returning", oid("O2"): "serial", oid("O6"): "repeat", oid("O8"): "serial"}


def test_cohort_follow_up_end_bounds_the_returning_event(hand_sources):
    """A return after the person's follow-up ends is not in the network."""
    short = make_cohort([("PA", "2015-01-10", 100)])  # V_A1 is on day 142
    net = build_offender_network(hand_sources, short)
    assert net.recurring().empty
    assert net.counts()["n_events"] == 1


def test_network_needs_a_cohort_or_all_data(hand_sources):
    """Without a cohort and without all_data the network refuses with a hint."""
    with pytest.raises(SourceError, match="cohort"):
        build_offender_network(hand_sources)


def test_missing_source_is_a_clear_error(hand_sources):
    """A network without perpetrator links names the missing source."""
    info = {k: v for k, v in hand_sources.info.items() if k != "perpetrator_links"}
    with pytest.raises(SourceError, match="perpetrator_links"):
        build_offender_network(dataclasses.replace(hand_sources, info=info), all_data=True)


def test_cohort_without_index_date_is_a_clear_error(hand_sources, hand_cohort):
    """A cohort table lacking index_date is refused, naming the column."""
    bad = dataclasses.replace(hand_cohort, first_event=hand_cohort.first_event.drop(columns="index_date"))
    with pytest.raises(SourceError, match="index_date"):
        build_offender_network(hand_sources, bad)


def test_networkx_graph_is_bipartite_with_event_attributes(hand_sources):
    """The lazily built graph has victim and offender nodes and edges carrying their events."""
    net = build_offender_network(hand_sources, all_data=True)
    g = net.graph
    assert net.graph is g
    roles = {d["role"] for _, d in g.nodes(data=True)}
    assert roles == {"victim", "offender"}
    assert all(g.nodes[u]["bipartite"] != g.nodes[v]["bipartite"] for u, v in g.edges())
    assert (g.number_of_nodes(), g.number_of_edges()) == (16, 15)
    e = g.edges["o:" + oid("O8"), "v:" + pid("PC")]
    assert e["n_events"] == 2
    assert e["event_ids"] == (eid("R_C1"), eid("V_C2"))
    assert e["event_dates"] == (dt.date(2016, 5, 1), dt.date(2017, 1, 1))
    assert e["event_types"] == ("registration", "victimisation")
    assert e["categories"] == ("sexual", "threat")
    assert e["has_index_registration"] is True
    assert g.nodes["o:" + oid("O8")]["kind"] == "both"
    assert g.nodes["o:" + oid("O3")]["is_recurring"] is False
    assert g.nodes["v:" + pid("PA")]["index_date"] == dt.date(2015, 1, 10)


def test_shuffled_input_rows_give_the_same_network(tmp_path):
    """Shuffling the rows of every source changes neither the recurring table nor the edges."""
    from tests.networks.netdata import LINKS, REGISTRATIONS, VICTIMISATIONS

    a = build_offender_network(load_sources(load_schema(), write_sources(tmp_path / "a")), all_data=True)
    b_src = write_sources(tmp_path / "b", REGISTRATIONS[::-1], VICTIMISATIONS[::-1], LINKS[::-1])
    b = build_offender_network(load_sources(load_schema(), b_src), all_data=True)
    assert a.recurring().equals(b.recurring())
    assert a.edges().drop(columns=["event_ids"]).equals(b.edges().drop(columns=["event_ids"]))


def test_streaming_a_subset_keeps_whole_network_attributes(hand_sources):
    """Nodes and edges streamed for a subset carry counts of the whole network, and only kept edges."""
    from revict.networks.graph import iter_edges, iter_nodes

    net = build_offender_network(hand_sources, all_data=True)
    keep = ({pid("PA")}, {oid("O1"), oid("O7")})
    nodes = dict(iter_nodes(net, keep=keep))
    assert set(nodes) == {"v:" + pid("PA"), "o:" + oid("O1"), "o:" + oid("O7")}
    assert nodes["v:" + pid("PA")]["n_offenders"] == 4
    assert nodes["o:" + oid("O7")]["n_victims"] == 3
    edges = [(u, v) for u, v, _ in iter_edges(net, keep=keep)]
    assert edges == [("o:" + oid("O1"), "v:" + pid("PA")), ("o:" + oid("O7"), "v:" + pid("PA"))]
