"""GraphML and GEXF exports read back with networkx equal the sanitised graph."""

from __future__ import annotations

import datetime as dt

import networkx as nx
import numpy as np
import pytest
from netdata import oid, pid

from revict.networks import build_offender_network, export_gexf, export_graphml, sanitise_value
from revict.networks.export import sanitised_graph


@pytest.fixture
def net(hand_sources):
    return build_offender_network(hand_sources, all_data=True)


def _same(a: nx.Graph, b: nx.Graph) -> None:
    assert set(a.nodes()) == set(b.nodes())
    assert {frozenset(e) for e in a.edges()} == {frozenset(e) for e in b.edges()}
    for n, d in a.nodes(data=True):
        got = {k: v for k, v in b.nodes[n].items() if k != "label"}
        assert got == d, n
    for u, v, d in a.edges(data=True):
        got = {k: x for k, x in b.edges[u, v].items() if k != "id"}
        assert got == d, (u, v)


def test_graphml_round_trip(net, tmp_path):
    """A GraphML export read back has the same nodes, edges and (sanitised) attributes."""
    path = export_graphml(net, tmp_path / "network.graphml")
    back = nx.read_graphml(path)
    _same(sanitised_graph(net.graph), back)
    e = back.edges["o:" + oid("O8"), "v:" + pid("PC")]
    assert e["event_dates"] == "2016-05-01;2017-01-01"
    assert e["n_events"] == 2
    assert back.nodes["o:" + oid("O8")]["is_recurring"] is True


def test_gexf_round_trip(net, tmp_path):
    """A GEXF export read back has the same nodes, edges and (sanitised) attributes."""
    path = export_gexf(net, tmp_path / "network.gexf")
    back = nx.read_gexf(path)
    _same(sanitised_graph(net.graph), back)
    assert back.nodes["v:" + pid("PA")]["index_date"] == "2015-01-10"


def test_missing_values_are_left_out_and_reserved_names_renamed():
    """None and NaN attributes are dropped, and GEXF-reserved names get a trailing underscore."""
    g = nx.Graph()
    g.add_node("a", label="x", start=dt.date(2020, 1, 2), missing=None, nan=float("nan"), n=np.int64(3))
    h = sanitised_graph(g)
    assert h.nodes["a"] == {"label_": "x", "start_": "2020-01-02", "n": 3}
    assert type(h.nodes["a"]["n"]) is int


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.date(2015, 3, 1), "2015-03-01"),
        (("a", dt.date(2015, 3, 1)), "a;2015-03-01"),
        ({"b", "a"}, "a;b"),
        (np.float64(1.5), 1.5),
        (float("inf"), None),
        (True, True),
        (None, None),
    ],
)
def test_sanitise_value(value, expected):
    """Attribute values become strings, numbers or booleans that GraphML and GEXF allow."""
    assert sanitise_value(value) == expected


def test_failed_export_leaves_the_target_untouched(net, tmp_path, monkeypatch):
    """When writing fails the previous export stays as it was and no temporary file is left."""
    out = tmp_path / "out"
    out.mkdir()
    target = out / "network.graphml"
    target.write_text("previous", encoding="utf-8")

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(nx, "write_graphml", boom)
    with pytest.raises(OSError, match="disk full"):
        export_graphml(net, target)
    assert target.read_text(encoding="utf-8") == "previous"
    assert [p.name for p in out.iterdir()] == ["network.graphml"]
