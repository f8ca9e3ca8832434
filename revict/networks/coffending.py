"""Measures of the co-offending projection: degree, betweenness, k-core, Louvain communities.

The projection's edge list comes from DuckDB (:data:`revict.networks.graph.PROJECTION_SQL`);
here it is turned into integer node codes in sorted offender-id order, so the same data
give the same graph, node order and -- for a fixed seed -- the same communities.

Two backends compute the same measures:

``networkx`` (default)
    ``core_number``, ``betweenness_centrality`` and ``community.louvain_communities``.
``igraph`` (optional accelerator, ``pip install revict[igraph]``)
    ``coreness``, ``betweenness`` and ``community_multilevel``. k-core and betweenness
    are identical to networkx (the betweenness sample is drawn the way networkx draws
    it). Louvain is a different implementation: reproducible for a seed, but its
    partition may differ from networkx's (both are local optima of modularity).

Betweenness is exact (Brandes) for components of at most ``exact_limit`` nodes; in a
larger component it is estimated from ``k`` source nodes sampled with the seed and
scaled up as networkx does (Brandes & Pich 2007; about ``n / k``). Values are unnormalised (pair counts);
``betweenness_norm`` divides by ``(n - 1)(n - 2) / 2`` of the whole projection.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Iterator
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from revict._core.errors import SpecError

Backend = Literal["networkx", "igraph"]

CROSS_BACKEND_NOTE = (
    "k-core and betweenness are identical between backends; Louvain (networkx "
    "louvain_communities) and igraph community_multilevel are different implementations: "
    "each is reproducible for a given seed, but their partitions may differ"
)


def igraph_available() -> bool:
    """Return True when the optional igraph accelerator can be imported."""
    try:
        import igraph  # noqa: F401
    except ImportError:
        return False
    return True


def _check_backend(backend: str) -> None:
    if backend not in ("networkx", "igraph"):
        raise SpecError(f"unknown network backend {backend!r}", hint="Use networkx or igraph.")
    if backend == "igraph" and not igraph_available():
        raise SpecError(
            "the igraph backend was asked for but igraph is not installed",
            hint="Install the optional extra: pip install 'revict[igraph]', or use --backend networkx.",
        )


def _codes(proj: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    names = np.unique(np.concatenate([proj["source"].to_numpy(str), proj["target"].to_numpy(str)]))
    src = np.searchsorted(names, proj["source"].to_numpy(str))
    tgt = np.searchsorted(names, proj["target"].to_numpy(str))
    w = proj["shared_events"].to_numpy(np.int64)
    lo, hi = np.minimum(src, tgt), np.maximum(src, tgt)
    order = np.lexsort((hi, lo))  # edges in sorted order: the graph does not depend on row order
    return names, lo[order], hi[order], w[order]


def _components(n: int, src: np.ndarray, tgt: np.ndarray) -> np.ndarray:
    mat = coo_matrix((np.ones(len(src), dtype=np.int8), (src, tgt)), shape=(n, n))
    _, labels = connected_components(mat, directed=False)
    return np.asarray(labels)


def _communities(
    be: _NxBackend | _IgBackend, comp: np.ndarray, src: np.ndarray, w: np.ndarray, *, seed: int, resolution: float
) -> tuple[list[list[int]], float]:
    """Louvain communities and the modularity of the whole projection.

    A two-node component is one community: Louvain always joins the pair (the gain
    ``w/m - resolution * w**2 / (2 m**2)`` is positive). Louvain runs on the other
    components with the resolution times their share of the total weight, which keeps
    the whole graph's modularity as the objective; this saves most of the time on
    registers where many offenders co-offend once.
    """
    n = len(comp)
    if n == 0:
        return [], 0.0
    sizes = np.bincount(comp)
    is_pair = sizes[comp] == 2
    order = np.flatnonzero(is_pair)
    order = order[np.argsort(comp[order], kind="stable")]
    parts = [sorted(order[i : i + 2].tolist()) for i in range(0, len(order), 2)]
    rest = np.flatnonzero(~is_pair).tolist()
    if rest:
        share = float(w[~is_pair[src]].sum()) / float(w.sum())
        parts += be.communities(rest, seed, resolution * share)
    return parts, be.modularity(parts, resolution)


def _label_partition(parts: list[list[int]], n: int) -> np.ndarray:
    """Community labels 0, 1, ... by decreasing size, ties by smallest node."""
    order = sorted(parts, key=lambda p: (-len(p), min(p)))
    labels = np.empty(n, dtype=np.int64)
    for i, part in enumerate(order):
        labels[list(part)] = i
    return labels


def _sample(nodes: list[int], k: int, seed: int) -> list[int]:
    """Draw the k source nodes that networkx betweenness_centrality(k=k, seed=seed) draws."""
    return random.Random(seed).sample(nodes, k)


class _NxBackend:
    def __init__(self, n: int, src: np.ndarray, tgt: np.ndarray, w: np.ndarray) -> None:
        import networkx as nx

        self.nx = nx
        g = nx.Graph()
        g.add_nodes_from(range(n))
        g.add_weighted_edges_from(zip(src.tolist(), tgt.tolist(), w.tolist(), strict=True))
        self.g = g

    def coreness(self) -> np.ndarray:
        core = self.nx.core_number(self.g)
        return np.array([core[i] for i in range(self.g.number_of_nodes())], dtype=np.int64)

    def communities(self, nodes: list[int], seed: int, resolution: float) -> list[list[int]]:
        sub = self.nx.Graph()
        sub.add_nodes_from(nodes)  # sorted: Louvain depends on node order
        sub.add_edges_from(self.g.subgraph(nodes).edges(data=True))
        parts = self.nx.community.louvain_communities(sub, weight="weight", resolution=resolution, seed=seed)
        return [sorted(p) for p in parts]

    def modularity(self, parts: list[list[int]], resolution: float) -> float:
        return float(self.nx.community.modularity(self.g, parts, weight="weight", resolution=resolution))

    def betweenness(self, nodes: list[int], k: int | None, seed: int) -> dict[int, float]:
        sub = self.nx.Graph()
        sub.add_nodes_from(nodes)  # sorted: the k sampled sources depend on node order
        sub.add_edges_from(self.g.subgraph(nodes).edges())
        if k is None:
            return dict(self.nx.betweenness_centrality(sub, normalized=False))
        return dict(self.nx.betweenness_centrality(sub, k=k, normalized=False, seed=seed))


class _IgBackend:
    def __init__(self, n: int, src: np.ndarray, tgt: np.ndarray, w: np.ndarray) -> None:
        import igraph as ig

        self.ig = ig
        self.g = ig.Graph(n=n, edges=np.column_stack([src, tgt]).tolist(), edge_attrs={"weight": w.tolist()})

    def coreness(self) -> np.ndarray:
        return np.asarray(self.g.coreness(), dtype=np.int64)

    def communities(self, nodes: list[int], seed: int, resolution: float) -> list[list[int]]:
        sub = self.g.induced_subgraph(nodes)  # vertex i of sub is nodes[i] (nodes sorted)
        self.ig.set_random_number_generator(random.Random(seed))
        try:
            cl = sub.community_multilevel(weights="weight", resolution=resolution)
        finally:
            self.ig.set_random_number_generator(random)
        groups: dict[int, list[int]] = {}
        for i, c in enumerate(cl.membership):
            groups.setdefault(c, []).append(nodes[i])
        return list(groups.values())

    def modularity(self, parts: list[list[int]], resolution: float) -> float:
        membership = [0] * self.g.vcount()
        for c, part in enumerate(parts):
            for node in part:
                membership[node] = c
        return float(self.g.modularity(membership, weights="weight", resolution=resolution))

    def betweenness(self, nodes: list[int], k: int | None, seed: int) -> dict[int, float]:
        sub = self.g.induced_subgraph(nodes)  # keeps the (sorted) order of ``nodes``
        if k is None:
            values = sub.betweenness(directed=False)
        else:
            # networkx's estimator (endpoints excluded): sources scaled by (n-1)/(k-1), others by (n-1)/k
            local = {node: i for i, node in enumerate(nodes)}
            sources = {local[s] for s in _sample(nodes, k, seed)}
            raw = sub.betweenness(directed=False, sources=sorted(sources))
            n1 = len(nodes) - 1
            values = [v * n1 / (k - 1 if i in sources else k) for i, v in enumerate(raw)]
        return dict(zip(nodes, values, strict=True))


#: Nodes per batch of small components in one exact betweenness call. networkx's Brandes
#: initialises per-source dicts over the whole graph (cost n per source), so one call on
#: all small components would be quadratic; batches keep it at ``n * BATCH_NODES``.
BATCH_NODES = 256


def _exact_batches(comp: np.ndarray, sizes: np.ndarray, exact_limit: int) -> Iterator[list[int]]:
    """Sorted node lists of whole components (3 to exact_limit nodes), about BATCH_NODES each."""
    keep = (sizes[comp] > 2) & (sizes[comp] <= exact_limit)
    nodes = np.flatnonzero(keep)
    nodes = nodes[np.argsort(comp[nodes], kind="stable")]  # grouped by component, ascending within
    if len(nodes) == 0:
        return
    starts = np.flatnonzero(np.r_[True, comp[nodes][1:] != comp[nodes][:-1]])
    bounds = [*starts.tolist(), len(nodes)]
    batch_start = 0
    for i in range(1, len(bounds)):
        end = bounds[i]
        if end - batch_start >= BATCH_NODES or end == len(nodes):
            yield sorted(int(x) for x in nodes[batch_start:end])
            batch_start = end


def _betweenness(
    be: _NxBackend | _IgBackend, comp: np.ndarray, *, sample: int | None, exact_limit: int, seed: int
) -> tuple[np.ndarray, dict[str, Any]]:
    n = len(comp)
    out = np.zeros(n, dtype=float)
    sizes = np.bincount(comp) if n else np.zeros(0, dtype=np.int64)
    for batch in _exact_batches(comp, sizes, exact_limit):
        for node, v in be.betweenness(batch, None, seed).items():
            out[node] = v
    sampled: list[dict[str, int]] = []
    for c in np.flatnonzero(sizes > exact_limit):
        nodes = [int(i) for i in np.flatnonzero(comp == c)]
        k = None if sample is None or sample >= len(nodes) else int(sample)
        for node, v in be.betweenness(nodes, k, seed).items():
            out[node] = v
        sampled.append({"component_nodes": len(nodes), "k": len(nodes) if k is None else k})
    is_sampled = any(s["k"] < s["component_nodes"] for s in sampled)
    info = {
        "method": "sampled (Brandes-Pich) in large components, exact elsewhere" if is_sampled else "exact",
        "exact_limit": exact_limit,
        "k": int(sample) if is_sampled and sample is not None else None,
        "seed": seed,
        "large_components": sampled,
        "normalisation": "betweenness: unnormalised pair counts; betweenness_norm: / ((n-1)(n-2)/2)",
    }
    return out, info


class _Clock:
    """Record the seconds of named steps into a dict (when one is given)."""

    def __init__(self, into: dict[str, float] | None) -> None:
        self.into = into

    @contextlib.contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        t0 = time.perf_counter()
        yield
        if self.into is not None:
            self.into[name] = time.perf_counter() - t0


def _distribution(values: np.ndarray, name: str) -> list[dict[str, int]]:
    if len(values) == 0:
        return []
    counts = np.bincount(values)
    return [{name: int(v), "n_offenders": int(c)} for v, c in enumerate(counts) if c > 0]


def co_offending_measures(
    proj: pd.DataFrame,
    *,
    seed: int,
    backend: Backend = "networkx",
    betweenness_sample: int | None = 256,
    exact_limit: int = 2000,
    resolution: float = 1.0,
    timings: dict[str, float] | None = None,
) -> tuple[dict[str, Any], pd.DataFrame]:
    """Degree, betweenness, k-core and Louvain communities of the co-offending projection.

    Parameters
    ----------
    proj : DataFrame
        Edge list with columns source, target (offender ids), shared_events (weight).
    seed : int
        Seed of Louvain and of the betweenness sample.
    backend : {"networkx", "igraph"}
        Library computing k-core, betweenness and communities.
    betweenness_sample : int or None, default 256
        Source nodes sampled in components larger than ``exact_limit``; None = exact.
    exact_limit : int, default 2000
        Largest component size whose betweenness is computed exactly.
    resolution : float, default 1.0
        Louvain resolution.
    timings : dict, optional
        Filled with seconds per step (graph, k_core, communities, betweenness).

    Returns
    -------
    summary : dict
        JSON-safe description of every measure, with method, seed and sample size.
    offenders : DataFrame
        One row per offender with a co-offender: offender_id, co_degree, co_weight,
        betweenness, betweenness_norm, core_number, community, co_component.
    """
    _check_backend(backend)
    if betweenness_sample is not None and betweenness_sample < 2:
        raise SpecError(
            "betweenness_sample must be at least 2 (or None for exact betweenness)",
            hint="Use a sample of a few hundred source nodes, e.g. 256.",
        )
    names, src, tgt, w = _codes(proj)
    n = len(names)
    clock = _Clock(timings)
    with clock("graph"):
        be: _NxBackend | _IgBackend = (_NxBackend if backend == "networkx" else _IgBackend)(n, src, tgt, w)
    degree = np.bincount(np.concatenate([src, tgt]), minlength=n).astype(np.int64)
    weight = np.bincount(np.concatenate([src, tgt]), weights=np.concatenate([w, w]), minlength=n)
    comp = _components(n, src, tgt)
    with clock("k_core"):
        core = be.coreness() if n else np.zeros(0, dtype=np.int64)
    with clock("communities"):
        parts, q = _communities(be, comp, src, w, seed=seed, resolution=resolution)
    community = _label_partition(parts, n)
    with clock("betweenness"):
        btw, btw_info = _betweenness(be, comp, sample=betweenness_sample, exact_limit=exact_limit, seed=seed)
    norm = (n - 1) * (n - 2) / 2
    offenders = pd.DataFrame(
        {
            "offender_id": names.astype(object),
            "co_degree": degree,
            "co_weight": weight.astype(np.int64),
            "betweenness": btw,
            "betweenness_norm": btw / norm if norm > 0 else np.zeros(n),
            "core_number": core,
            "community": community,
            "co_component": comp,
        }
    )
    comm_sizes = np.bincount(community) if n else np.zeros(0, dtype=np.int64)
    comp_sizes = np.bincount(comp) if n else np.zeros(0, dtype=np.int64)
    summary: dict[str, Any] = {
        "n_offenders": n,
        "n_edges": len(proj),
        "degree": {
            "mean": float(degree.mean()) if n else None,
            "max": int(degree.max()) if n else None,
            "distribution": _distribution(degree, "degree"),
        },
        "components": {"n": int(len(comp_sizes)), "largest": int(comp_sizes.max()) if n else 0},
        "betweenness": btw_info,
        "k_core": {"max_core": int(core.max()) if n else 0, "distribution": _distribution(core, "core")},
        "communities": {
            "algorithm": "louvain" if backend == "networkx" else "multilevel (Louvain)",
            "backend": backend,
            "seed": seed,
            "resolution": resolution,
            "weight": "shared_events",
            "node_order": "sorted by offender_id",
            "pairs": "a two-node component is one community (Louvain always joins it); Louvain runs on the "
            "other components with the resolution scaled by their share of the weight (same objective)",
            "n": int(len(comm_sizes)),
            "modularity": q,
            "largest": int(comm_sizes.max()) if n else 0,
            "size_distribution": [
                {"size": int(s), "n_communities": int(c)} for s, c in enumerate(np.bincount(comm_sizes)) if c > 0
            ]
            if n
            else [],
            "cross_backend": CROSS_BACKEND_NOTE,
        },
    }
    return summary, offenders
