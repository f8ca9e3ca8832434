"""GraphML and GEXF exports of the offender–victim graph (for Gephi; researcher-only).

Both formats allow only scalar attribute values (string, integer, float, boolean), so
every attribute is sanitised: dates become ISO strings, tuples and lists become
``;``-joined strings, numpy scalars Python scalars, and missing values (None, NaN) are
left out. The XML is streamed: from an :class:`OffenderNetwork` the nodes and edges come
from DuckDB in chunks (:func:`revict.networks.graph.iter_nodes`), so an export never
needs the networkx graph nor an XML tree in memory. Files are written atomically.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from xml.sax.saxutils import quoteattr

import numpy as np

from revict._core.io import atomic_path
from revict.networks.graph import EDGE_ATTR_TYPES, NODE_ATTR_TYPES, iter_edges, iter_nodes

if TYPE_CHECKING:
    import networkx as nx

    from revict.networks.graph import OffenderNetwork

#: Attribute names GEXF reserves; renamed with a trailing underscore.
_RESERVED = {"id", "label", "start", "end", "pid", "viz", "source", "target", "weight"}
_GRAPHML_TYPES = {bool: "boolean", int: "long", float: "double", str: "string"}
_GEXF_TYPES = {bool: "boolean", int: "long", float: "double", str: "string"}

Nodes = Callable[[], Iterable[tuple[Any, dict[str, Any]]]]
Edges = Callable[[], Iterable[tuple[Any, Any, dict[str, Any]]]]


def sanitise_value(value: Any) -> str | int | float | bool | None:
    """Return a GraphML/GEXF-safe scalar, or None to leave the attribute out.

    Examples
    --------
    >>> sanitise_value(dt.date(2015, 3, 1))
    '2015-03-01'
    >>> sanitise_value(("a", dt.date(2015, 3, 1)))
    'a;2015-03-01'
    >>> sanitise_value(float("nan")) is None
    True
    """
    if value is None:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset | np.ndarray):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else list(value)
        return ";".join("" if v is None else str(sanitise_value(v)) for v in items)
    return str(value)


def _name(key: Any) -> str:
    return f"{key}_" if key in _RESERVED else str(key)


def _clean(attrs: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in attrs.items():
        v = sanitise_value(value)
        if v is not None:
            out[_name(key)] = v
    return out


def sanitised_graph(g: nx.Graph) -> nx.Graph:
    """Return a copy of ``g`` whose node, edge and graph attributes are all scalar and non-missing."""
    import networkx as nx

    h = nx.Graph()
    h.graph.update(_clean(dict(g.graph)))
    h.add_nodes_from((n, _clean(d)) for n, d in g.nodes(data=True))
    h.add_edges_from((u, v, _clean(d)) for u, v, d in g.edges(data=True))
    return h


def _widen(a: type, b: type) -> type:
    if a is b:
        return a
    if {a, b} <= {int, float}:
        return float
    return str


def _infer(items: Iterable[dict[str, Any]]) -> dict[str, type]:
    types: dict[str, type] = {}
    for attrs in items:
        for k, v in _clean(attrs).items():
            t = type(v)
            types[k] = _widen(types[k], t) if k in types else t
    return types


def _source(net: OffenderNetwork | nx.Graph) -> tuple[dict[str, Any], dict[str, type], dict[str, type], Nodes, Edges]:
    """Graph attributes, node and edge attribute types, and node/edge iterables of ``net``."""
    import networkx as nx

    if isinstance(net, nx.Graph):
        g = net
        return (
            _clean(dict(g.graph)),
            _infer(d for _, d in g.nodes(data=True)),
            _infer(d for _, _, d in g.edges(data=True)),
            lambda: g.nodes(data=True),
            lambda: g.edges(data=True),
        )
    network = net
    nodes = {_name(k): t for k, t in NODE_ATTR_TYPES.items()}
    edges = {_name(k): t for k, t in EDGE_ATTR_TYPES.items()}
    return {"scope": network.scope}, nodes, edges, lambda: iter_nodes(network), lambda: iter_edges(network)


def _text(value: Any, kind: type) -> str:
    if kind is bool:
        return "true" if value else "false"
    return str(value)


def _graphml(
    fh: IO[str], graph: dict[str, Any], ntypes: dict[str, type], etypes: dict[str, type], nodes: Nodes, edges: Edges
) -> None:
    gtypes = {k: type(v) for k, v in graph.items()}
    fh.write(
        '<?xml version="1.0" encoding="utf-8"?>\n<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation='
        '"http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n'
    )
    for scope, types in (("graph", gtypes), ("node", ntypes), ("edge", etypes)):
        for k, t in types.items():
            fh.write(
                f'  <key id={quoteattr(f"{scope}_{k}")} for="{scope}" attr.name={quoteattr(k)} '
                f'attr.type="{_GRAPHML_TYPES[t]}"/>\n'
            )
    fh.write('  <graph edgedefault="undirected">\n')
    for k, v in graph.items():
        fh.write(f"    <data key={quoteattr(f'graph_{k}')}>{_esc(_text(v, gtypes[k]))}</data>\n")
    for node, attrs in nodes():
        fh.write(f"    <node id={quoteattr(str(node))}>")
        for k, v in _clean(attrs).items():
            fh.write(f"<data key={quoteattr(f'node_{k}')}>{_esc(_text(v, ntypes[k]))}</data>")
        fh.write("</node>\n")
    for u, v, attrs in edges():
        fh.write(f"    <edge source={quoteattr(str(u))} target={quoteattr(str(v))}>")
        for k, x in _clean(attrs).items():
            fh.write(f"<data key={quoteattr(f'edge_{k}')}>{_esc(_text(x, etypes[k]))}</data>")
        fh.write("</edge>\n")
    fh.write("  </graph>\n</graphml>\n")


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _gexf_values(attrs: dict[str, Any], ids: dict[str, int], types: dict[str, type]) -> Iterator[str]:
    clean = _clean(attrs)
    if clean:
        yield "<attvalues>"
        for k, v in clean.items():
            yield f'<attvalue for="{ids[k]}" value={quoteattr(_text(v, types[k]))}/>'
        yield "</attvalues>"


def _gexf(
    fh: IO[str], graph: dict[str, Any], ntypes: dict[str, type], etypes: dict[str, type], nodes: Nodes, edges: Edges
) -> None:
    fh.write(
        '<?xml version="1.0" encoding="utf-8"?>\n<gexf xmlns="http://www.gexf.net/1.2draft" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation='
        '"http://www.gexf.net/1.2draft http://www.gexf.net/1.2draft/gexf.xsd" version="1.2">\n'
    )
    desc = ", ".join(f"{k}={v}" for k, v in graph.items())
    fh.write(f"  <meta><creator>revict</creator><description>{_esc(desc)}</description></meta>\n")
    fh.write('  <graph defaultedgetype="undirected" mode="static">\n')
    ids: dict[str, dict[str, int]] = {}
    for cls, types in (("node", ntypes), ("edge", etypes)):
        ids[cls] = {k: i for i, k in enumerate(types)}
        fh.write(f'    <attributes class="{cls}" mode="static">\n')
        for k, t in types.items():
            fh.write(f'      <attribute id="{ids[cls][k]}" title={quoteattr(k)} type="{_GEXF_TYPES[t]}"/>\n')
        fh.write("    </attributes>\n")
    fh.write("    <nodes>\n")
    for node, attrs in nodes():
        fh.write(f"      <node id={quoteattr(str(node))} label={quoteattr(str(node))}>")
        fh.write("".join(_gexf_values(attrs, ids["node"], ntypes)))
        fh.write("</node>\n")
    fh.write("    </nodes>\n    <edges>\n")
    for i, (u, v, attrs) in enumerate(edges()):
        fh.write(f'      <edge id="{i}" source={quoteattr(str(u))} target={quoteattr(str(v))}>')
        fh.write("".join(_gexf_values(attrs, ids["edge"], etypes)))
        fh.write("</edge>\n")
    fh.write("    </edges>\n  </graph>\n</gexf>\n")


def _export(net: OffenderNetwork | nx.Graph, path: str | Path, writer: Callable[..., None]) -> Path:
    graph, ntypes, etypes, nodes, edges = _source(net)
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8", buffering=1 << 20) as fh:
        writer(fh, graph, ntypes, etypes, nodes, edges)
    return Path(path)


def export_graphml(net: OffenderNetwork | nx.Graph, path: str | Path) -> Path:
    """Write the network as GraphML (streamed, atomically) and return the path.

    Parameters
    ----------
    net : OffenderNetwork or networkx.Graph
        The network (nodes and edges streamed from DuckDB), or any networkx graph.
    path : str or Path
        Target file, e.g. ``out/network.graphml``.
    """
    return _export(net, path, _graphml)


def export_gexf(net: OffenderNetwork | nx.Graph, path: str | Path) -> Path:
    """Write the network as GEXF 1.2 (streamed, atomically) and return the path.

    Parameters
    ----------
    net : OffenderNetwork or networkx.Graph
        The network (nodes and edges streamed from DuckDB), or any networkx graph.
    path : str or Path
        Target file, e.g. ``out/network.gexf``.
    """
    return _export(net, path, _gexf)
