"""Co-offending measures and the two backends (networkx, optional igraph)."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from revict._core.errors import SpecError
from revict.networks import co_offending_measures, igraph_available

needs_igraph = pytest.mark.skipif(not igraph_available(), reason="optional igraph accelerator not installed")


def _proj(edges: list[tuple[str, str]], weights: list[int] | None = None) -> pd.DataFrame:
    rows = sorted((min(a, b), max(a, b)) for a, b in edges)
    return pd.DataFrame(
        {
            "source": [a for a, _ in rows],
            "target": [b for _, b in rows],
            "shared_events": weights if weights is not None else [1] * len(rows),
        }
    )


def _two_cliques() -> pd.DataFrame:
    a = [f"offender-a{i}" for i in range(5)]
    b = [f"offender-b{i}" for i in range(5)]
    edges = [*itertools.combinations(a, 2), *itertools.combinations(b, 2), (a[0], b[0])]
    return _proj(edges)


def _random_projection(rng: np.random.Generator, n: int, m: int) -> pd.DataFrame:
    pairs = {tuple(sorted(rng.choice(n, 2, replace=False))) for _ in range(m)}
    return _proj([(f"offender-{a:04d}", f"offender-{b:04d}") for a, b in pairs])


def test_two_cliques_split_into_two_communities():
    """Two 5-cliques joined by one edge form two Louvain communities of five."""
    summary, off = co_offending_measures(_two_cliques(), seed=1)
    assert summary["communities"]["n"] == 2
    groups = off.groupby("community")["offender_id"].apply(lambda s: {x[9] for x in s})
    assert sorted(map(sorted, groups)) == [["a"], ["b"]]
    assert summary["k_core"]["max_core"] == 4


def test_shuffled_edge_rows_give_the_same_communities():
    """Louvain on sorted nodes gives the same communities whatever the order of the edge rows."""
    rng = np.random.default_rng(11)
    proj = _random_projection(rng, 60, 120)
    _, a = co_offending_measures(proj, seed=5)
    _, b = co_offending_measures(proj.sample(frac=1.0, random_state=3).reset_index(drop=True), seed=5)
    assert a["community"].tolist() == b["community"].tolist()


def test_large_component_betweenness_is_sampled_and_stated():
    """Above exact_limit betweenness is sampled with k sources, and k and the seed are stated."""
    rng = np.random.default_rng(2)
    proj = _random_projection(rng, 80, 300)
    summary, off = co_offending_measures(proj, seed=9, betweenness_sample=20, exact_limit=10)
    info = summary["betweenness"]
    assert info["k"] == 20
    assert info["seed"] == 9
    assert info["method"].startswith("sampled")
    assert info["large_components"][0]["k"] == 20
    exact_summary, exact = co_offending_measures(proj, seed=9, betweenness_sample=None, exact_limit=10)
    assert exact_summary["betweenness"]["method"] == "exact"
    # the sampled estimate tracks the exact values
    assert np.corrcoef(off["betweenness"], exact["betweenness"])[0, 1] > 0.8


def test_unknown_backend_is_refused():
    """An unknown backend name is a SpecError naming the choices."""
    with pytest.raises(SpecError, match="networkx or igraph"):
        co_offending_measures(_two_cliques(), seed=1, backend="graphtool")  # type: ignore[arg-type]


def test_empty_projection_has_no_communities():
    """Without co-offending there are no nodes, communities or cores."""
    summary, off = co_offending_measures(_proj([]), seed=1)
    assert off.empty
    assert summary["communities"]["n"] == 0
    assert summary["k_core"]["max_core"] == 0


@needs_igraph
def test_igraph_gives_identical_core_and_exact_betweenness():
    """igraph's k-core and exact betweenness equal networkx's."""
    proj = _random_projection(np.random.default_rng(4), 70, 150)
    _, nx_off = co_offending_measures(proj, seed=1, backend="networkx")
    _, ig_off = co_offending_measures(proj, seed=1, backend="igraph")
    assert nx_off["core_number"].tolist() == ig_off["core_number"].tolist()
    np.testing.assert_allclose(nx_off["betweenness"], ig_off["betweenness"], atol=1e-9)


@needs_igraph
def test_igraph_sampled_betweenness_equals_networkx_for_a_seed():
    """With the same seed igraph samples the same sources as networkx, so the estimates are equal."""
    proj = _random_projection(np.random.default_rng(8), 90, 250)
    kw = {"seed": 13, "betweenness_sample": 15, "exact_limit": 10}
    _, nx_off = co_offending_measures(proj, backend="networkx", **kw)
    _, ig_off = co_offending_measures(proj, backend="igraph", **kw)
    np.testing.assert_allclose(nx_off["betweenness"], ig_off["betweenness"], atol=1e-9)


@needs_igraph
def test_igraph_communities_are_reproducible_and_agree_on_clear_structure():
    """igraph's multilevel is reproducible for a seed and finds the same two cliques as networkx."""
    s1, a = co_offending_measures(_two_cliques(), seed=3, backend="igraph")
    _, b = co_offending_measures(_two_cliques(), seed=3, backend="igraph")
    _, n = co_offending_measures(_two_cliques(), seed=3, backend="networkx")
    assert a["community"].tolist() == b["community"].tolist() == n["community"].tolist()
    assert s1["communities"]["backend"] == "igraph"
    assert "differ" in s1["communities"]["cross_backend"]


def test_betweenness_over_many_small_components_equals_networkx_on_the_whole_graph():
    """Batching small components for exact betweenness gives networkx's values on the whole graph."""
    import networkx as nx

    rng = np.random.default_rng(21)
    edges, base = [], 0
    for _ in range(300):
        size = int(rng.integers(3, 9))
        perm = rng.permutation(size) + base
        edges += [(perm[i], perm[i + 1]) for i in range(size - 1)]  # a path ...
        edges += [(perm[0], perm[-1])] if rng.random() < 0.3 else []  # ... or a cycle
        base += size
    names = {i: f"offender-{i:05d}" for i in range(base)}
    proj = _proj([(names[a], names[b]) for a, b in edges])
    _, off = co_offending_measures(proj, seed=1)
    g = nx.Graph([(names[a], names[b]) for a, b in edges])
    expected = nx.betweenness_centrality(g, normalized=False)
    got = dict(zip(off["offender_id"], off["betweenness"], strict=True))
    assert got == {k: pytest.approx(v) for k, v in expected.items()}


def test_pairs_are_one_community_and_modularity_is_of_the_whole_graph():
    """Each two-offender component is one community, and the modularity is networkx's on the whole projection."""
    import networkx as nx

    cliques = _two_cliques()
    pairs = _proj([(f"offender-p{i}x", f"offender-p{i}y") for i in range(6)])
    proj = pd.concat([cliques, pairs], ignore_index=True)
    summary, off = co_offending_measures(proj, seed=2)
    comm = dict(zip(off["offender_id"], off["community"], strict=True))
    for i in range(6):
        assert comm[f"offender-p{i}x"] == comm[f"offender-p{i}y"]
    assert len(set(comm.values())) == 2 + 6
    g = nx.Graph()
    g.add_weighted_edges_from(proj.itertuples(index=False, name=None))
    parts = off.groupby("community")["offender_id"].apply(set).tolist()
    assert summary["communities"]["modularity"] == pytest.approx(nx.community.modularity(g, parts))
