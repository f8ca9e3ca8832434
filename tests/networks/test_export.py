"""GraphML and GEXF exports read back with networkx equal the sanitised graph."""

from __future__ import annotations

import datetime as dt

import networkx as nx
import numpy as np
import pytest

from revict.networks import build_offender_network, export_gexf, export_graphml, sanitise_value
from revict.networks.export import sanitised_graph
from tests.networks.netdata import oid, pid


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
    """When writing fails half-way the previous export stays as it was and no temporary file is left."""
    from revict.networks import export

    out = tmp_path / "out"
    out.mkdir()
    target = out / "network.graphml"
    target.write_text("previous", encoding="utf-8")

    def boom(fh, *args):
        fh.write("<graphml>")
        raise OSError("disk full")

    monkeypatch.setattr(export, "_graphml", boom)
    with pytest.raises(OSError, match="disk full"):
        export_graphml(net, target)
    assert target.read_text(encoding="utf-8") == "previous"
    assert [p.name for p in out.iterdir()] == ["network.graphml"]


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_streamed_export_has_the_declared_attribute_types(net, tmp_path, fmt):
    """Counts read back as int, flags as bool and dates as ISO strings, from both formats."""
    path = (export_graphml if fmt == "graphml" else export_gexf)(net, tmp_path / f"n.{fmt}")
    back = nx.read_graphml(path) if fmt == "graphml" else nx.read_gexf(path)
    node = back.nodes["o:" + oid("O1")]
    assert type(node["n_events"]) is int
    assert type(node["is_recurring"]) is bool
    assert node["kind"] == "returning"
    edge = back.edges["o:" + oid("O1"), "v:" + pid("PA")]
    assert type(edge["first_year"]) is int
    assert edge["first_date"] == "2015-01-10"
    assert edge["event_types"] == "registration;victimisation"


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_any_networkx_graph_round_trips_with_awkward_text(tmp_path, fmt):
    """A plain networkx graph with XML-special and non-ASCII text, mixed numbers and lists round-trips."""
    g = nx.Graph(name="x")
    g.add_node("a<&>\"'", note="5 < 6 & \"quoted\" 'x' é", n=1, f=2.5)
    g.add_node("b", note="plain", n=2.0, f=3, tags=["p", "q"])
    g.add_edge("a<&>\"'", "b", w=1, ok=False)
    path = (export_graphml if fmt == "graphml" else export_gexf)(g, tmp_path / f"g.{fmt}")
    back = nx.read_graphml(path) if fmt == "graphml" else nx.read_gexf(path)
    _same(sanitised_graph(g), back)
    assert back.nodes["b"]["n"] == 2.0
    assert type(back.nodes["a<&>\"'"]["n"]) is float  # int and float in one attribute widen to float
    assert back.edges["a<&>\"'", "b"]["ok"] is False
