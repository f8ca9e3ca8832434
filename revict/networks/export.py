"""GraphML and GEXF exports of the offender–victim graph (for Gephi; researcher-only).

Both formats allow only scalar attribute values (string, integer, float, boolean), so
every attribute is sanitised: dates become ISO strings, tuples and lists become
``;``-joined strings, numpy scalars Python scalars, and missing values (None, NaN) are
left out. The files are written atomically (temporary file, then rename).
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from revict._core.io import atomic_path

if TYPE_CHECKING:
    import networkx as nx

    from revict.networks.graph import OffenderNetwork

#: Attribute names GEXF reserves; renamed with a trailing underscore.
_RESERVED = {"id", "label", "start", "end", "pid", "viz", "source", "target", "weight"}


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


def _clean(attrs: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in attrs.items():
        v = sanitise_value(value)
        if v is not None:
            out[f"{key}_" if key in _RESERVED else str(key)] = v
    return out


def sanitised_graph(g: nx.Graph) -> nx.Graph:
    """Return a copy of ``g`` whose node, edge and graph attributes are all scalar and non-missing."""
    import networkx as nx

    h = nx.Graph()
    h.graph.update(_clean(dict(g.graph)))
    h.add_nodes_from((n, _clean(d)) for n, d in g.nodes(data=True))
    h.add_edges_from((u, v, _clean(d)) for u, v, d in g.edges(data=True))
    return h


def export_graphml(net: OffenderNetwork | nx.Graph, path: str | Path) -> Path:
    """Write the network as GraphML (atomically) and return the path.

    Parameters
    ----------
    net : OffenderNetwork or networkx.Graph
        The network (its lazily built bipartite graph is used).
    path : str or Path
        Target file, e.g. ``out/network.graphml``.
    """
    import networkx as nx

    g = sanitised_graph(net if isinstance(net, nx.Graph) else net.graph)
    with atomic_path(path) as tmp:
        nx.write_graphml(g, tmp, encoding="utf-8", prettyprint=True, named_key_ids=True)
    return Path(path)


def export_gexf(net: OffenderNetwork | nx.Graph, path: str | Path) -> Path:
    """Write the network as GEXF 1.2 (atomically) and return the path.

    Parameters
    ----------
    net : OffenderNetwork or networkx.Graph
        The network (its lazily built bipartite graph is used).
    path : str or Path
        Target file, e.g. ``out/network.gexf``.
    """
    import networkx as nx

    g = sanitised_graph(net if isinstance(net, nx.Graph) else net.graph)
    with atomic_path(path) as tmp:
        nx.write_gexf(g, tmp, encoding="utf-8", prettyprint=True, version="1.2draft")
    return Path(path)
