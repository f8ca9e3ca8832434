"""Benchmark of the offender-victim network at about 1M offender-victim edges.

Data: numpy-generated registers (Parquet) with ~1.05M perpetrator links on ~0.75M events of
300k persons; offenders are mostly one-off, some drawn from an active pool, a few serial
(Zipf weights) and some return to the victim of their registration. Each step runs in a
fresh process (``bench._util.measure``: wall time and peak RSS).

Target (issue 7): the graph (DuckDB tables), the recurring-perpetrator table and the
component / community measures in at most 60 s and under 4 GiB.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from bench._util import TMP, measure, write_results

N_PERSONS = 300_000
N_VICTIMISATIONS = 450_000
BETWEENNESS_K = 16
SEED = 20211207
START = dt.date(2008, 1, 1)
DAYS = (dt.date(2023, 12, 31) - START).days


def _ids(prefix: str, idx: np.ndarray) -> pa.Array:
    return pa.array(np.char.add(prefix, np.char.zfill(idx.astype(str), 10)))


def _dates(days: np.ndarray) -> pa.Array:
    return pa.array(np.datetime64(START.isoformat()) + days.astype("timedelta64[D]")).cast(pa.string())


def _offenders(rng: np.random.Generator, n_slots: int) -> np.ndarray:
    """Offender code per link slot: one-off (new), active pool, or serial (Zipf)."""
    u = rng.random(n_slots)
    codes = 1_000_000 + np.arange(n_slots)  # one-off offenders
    pool = u < 0.25
    codes[pool] = rng.integers(0, 100_000, pool.sum())
    serial = u > 0.995
    w = 1.0 / np.arange(1, 2001) ** 1.1
    codes[serial] = 500_000 + rng.choice(2000, serial.sum(), p=w / w.sum())
    return codes


def make_data(folder: Path, seed: int = SEED) -> dict[str, int]:
    """Write persons, registrations, victimisations and ~1.05M perpetrator links as Parquet."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    persons = np.arange(N_PERSONS)
    pq.write_table(
        pa.table(
            {
                "person_id": _ids("per-b", persons),
                "birth_year": pa.array(rng.integers(1950, 2005, N_PERSONS)),
                "sex": pa.array(rng.choice(["F", "M"], N_PERSONS)),
            }
        ),
        folder / "persons.parquet",
    )
    reg_person = np.concatenate([persons, rng.choice(N_PERSONS, N_PERSONS // 20)])
    reg_day = rng.integers(0, DAYS - 400, len(reg_person))
    first_day = np.full(N_PERSONS, DAYS)
    np.minimum.at(first_day, reg_person, reg_day)
    reg_linked = rng.random(len(reg_person)) > 0.05
    pq.write_table(
        pa.table(
            {
                "registration_id": _ids("reg-b", np.arange(len(reg_person))),
                "person_id": pa.array(
                    np.where(reg_linked, np.char.add("per-b", np.char.zfill(reg_person.astype(str), 10)), None)
                ),
                "registration_date": _dates(reg_day),
                "exploitation_form": pa.array(rng.choice(["sexual", "labour", "criminal"], len(reg_person))),
            }
        ),
        folder / "victim_registrations.parquet",
    )
    vic_person = rng.choice(N_PERSONS, N_VICTIMISATIONS)
    vic_day = np.minimum(first_day[vic_person] + rng.integers(-200, 2557, N_VICTIMISATIONS), DAYS)
    vic_day = np.maximum(vic_day, 0)
    vic_linked = rng.random(N_VICTIMISATIONS) > 0.05
    pq.write_table(
        pa.table(
            {
                "incident_id": _ids("inc-b", np.arange(N_VICTIMISATIONS)),
                "person_id": pa.array(
                    np.where(vic_linked, np.char.add("per-b", np.char.zfill(vic_person.astype(str), 10)), None)
                ),
                "incident_date": _dates(vic_day),
                "offence_category": pa.array(
                    rng.choice(["violence", "threat", "sexual", "property"], N_VICTIMISATIONS)
                ),
            }
        ),
        folder / "victimisations.parquet",
    )
    n_events = len(reg_person) + N_VICTIMISATIONS
    per_event = rng.choice([0, 1, 2, 3], n_events, p=[0.1, 0.5, 0.3, 0.1])
    event = np.repeat(np.arange(n_events), per_event)
    off = _offenders(rng, len(event))
    # returning: a victimisation takes the offender of its person's first registration
    reg_off = np.full(N_PERSONS, -1)
    is_reg = event < len(reg_person)
    reg_off[reg_person[event[is_reg]]] = off[is_reg]
    vic_slot = np.flatnonzero(~is_reg)
    back = vic_slot[rng.random(len(vic_slot)) < 0.05]
    cand = reg_off[vic_person[event[back] - len(reg_person)]]
    off[back[cand >= 0]] = cand[cand >= 0]
    is_reg_event = event < len(reg_person)
    event_id = np.where(
        is_reg_event,
        np.char.add("reg-b", np.char.zfill(event.astype(str), 10)),
        np.char.add("inc-b", np.char.zfill((event - len(reg_person)).astype(str), 10)),
    )
    pq.write_table(
        pa.table(
            {
                "event_id": pa.array(event_id),
                "event_type": pa.array(np.where(is_reg_event, "registration", "victimisation")),
                "offender_id": _ids("off-b", off),
            }
        ),
        folder / "perpetrator_links.parquet",
    )
    return {
        "persons": N_PERSONS,
        "registrations": len(reg_person),
        "victimisations": N_VICTIMISATIONS,
        "perpetrator_links": len(event),
    }


def run_core(folder: str, backend: str) -> dict[str, Any]:
    """Load, build the network and compute every measure (betweenness sampled with small k)."""
    from revict.contract import load_schema
    from revict.load import load_sources
    from revict.networks import build_offender_network, network_measures

    t0 = time.perf_counter()
    sources = load_sources(load_schema(), folder)
    t_load = time.perf_counter() - t0
    t0 = time.perf_counter()
    net = build_offender_network(sources, all_data=True)
    t_build = time.perf_counter() - t0
    res = network_measures(net, backend=backend, betweenness_sample=BETWEENNESS_K)  # type: ignore[arg-type]
    t = {"load": t_load, "build_network": t_build, **res.timings_s}
    required = (
        "load",
        "build_network",
        "recurring",
        "components",
        "projection",
        "co_offending_graph",
        "co_offending_k_core",
        "co_offending_communities",
    )
    co = res.co_offending
    off = res.offenders
    digests = {
        "community": hashlib.sha256(off["community"].to_numpy().tobytes()).hexdigest(),
        "k_core": hashlib.sha256(off["core_number"].to_numpy().tobytes()).hexdigest(),
        "betweenness": hashlib.sha256(np.round(off["betweenness"].to_numpy(), 6).tobytes()).hexdigest(),
    }
    return {
        "digests": digests,
        "backend": backend,
        "timings_s": {k: round(v, 2) for k, v in t.items()},
        "required_s": round(sum(t[k] for k in required), 2),
        "required_steps": list(required),
        "all_measures_s": round(sum(t.values()), 2),
        "counts": res.counts,
        "links": res.links,
        "n_recurring": res.n_recurring,
        "recurring_by_kind": res.by_kind(),
        "components": res.components,
        "co_offending": {
            "n_offenders": co["n_offenders"],
            "n_edges": co["n_edges"],
            "communities": co["communities"]["n"],
            "modularity": round(co["communities"]["modularity"], 4),
            "max_core": co["k_core"]["max_core"],
            "largest_component": co["components"]["largest"],
            "betweenness": co["betweenness"],
        },
    }


def run_graph(folder: str) -> dict[str, Any]:
    """Build the lazily made networkx bipartite graph with all attributes (exports, HTML)."""
    from revict.contract import load_schema
    from revict.load import load_sources
    from revict.networks import build_offender_network

    net = build_offender_network(load_sources(load_schema(), folder), all_data=True)
    t0 = time.perf_counter()
    g = net.graph
    return {
        "networkx_graph_s": round(time.perf_counter() - t0, 2),
        "nodes": g.number_of_nodes(),
        "edges": g.number_of_edges(),
    }


def run_export(folder: str) -> dict[str, Any]:
    """Stream the GraphML export from DuckDB (no networkx graph)."""
    from revict.contract import load_schema
    from revict.load import load_sources
    from revict.networks import build_offender_network, export_graphml

    net = build_offender_network(load_sources(load_schema(), folder), all_data=True)
    target = Path(folder) / "network.graphml"
    t0 = time.perf_counter()
    export_graphml(net, target)
    return {"graphml_s": round(time.perf_counter() - t0, 2), "graphml_mib": round(target.stat().st_size / 2**20, 1)}


def run_html(folder: str) -> dict[str, Any]:
    """Write the researcher page (15 ego networks, 15 small components) from the 1M network."""
    from revict.contract import load_schema
    from revict.load import load_sources
    from revict.networks import build_offender_network, igraph_available, network_measures, write_network_html

    net = build_offender_network(load_sources(load_schema(), folder), all_data=True)
    res = network_measures(net, backend="igraph" if igraph_available() else "networkx", betweenness_sample=4)
    target = Path(folder) / "network.html"
    t0 = time.perf_counter()
    write_network_html(net, res, target)
    return {"html_s": round(time.perf_counter() - t0, 2), "html_mib": round(target.stat().st_size / 2**20, 1)}


def main() -> Path:
    from revict.networks import igraph_available

    folder = TMP / "networks_1m"
    if folder.exists():
        shutil.rmtree(folder)
    t0 = time.perf_counter()
    rows = make_data(folder)
    gen_s = round(time.perf_counter() - t0, 1)
    figures: dict[str, Any] = {"data": {**rows, "generate_s": gen_s, "seed": SEED}}
    runs = {"networkx": measure(run_core, str(folder), "networkx")}
    if igraph_available():
        runs["igraph"] = measure(run_core, str(folder), "igraph")
    figures["runs"] = runs
    if "igraph" in runs:
        a, b = runs["networkx"].pop("digests"), runs["igraph"].pop("digests")
        figures["identical_across_backends"] = {k: a[k] == b[k] for k in a}
    figures["networkx_bipartite_graph"] = measure(run_graph, str(folder))
    figures["graphml_export_streamed"] = measure(run_export, str(folder))
    figures["html_view"] = measure(run_html, str(folder))
    target = {"max_s": 60, "max_mem_mib": 4096}
    figures["target"] = target
    figures["meets_target"] = {
        b: r["required_s"] <= target["max_s"] and r["peak_mem_mib"] < target["max_mem_mib"] for b, r in runs.items()
    }
    figures["notes"] = [
        "required_s = load + build (DuckDB tables: links, edges) + recurring table (SQL) + components "
        "(scipy.sparse.csgraph on the bipartite graph) + co-offending projection (SQL) + k-core + Louvain",
        "components are computed with scipy.sparse.csgraph rather than networkx: networkx would first need the "
        "full bipartite graph with attributes (see networkx_bipartite_graph for its cost)",
        f"betweenness: exact in projection components <= 2000 nodes, sampled with k={BETWEENNESS_K} sources "
        "beyond (each sampled source is one breadth-first search of its component, so cost grows with k times "
        "the component's edges); it is outside required_s and reported as co_offending_betweenness",
        "igraph: k-core and betweenness are identical to networkx (see identical_across_backends); Louvain "
        "(multilevel) is a different implementation, reproducible for a seed but its partition may differ",
        "communities: two-offender components are one community each (Louvain always joins a pair); Louvain "
        "runs on the other components with the resolution scaled by their weight share (same objective)",
        "networkx_bipartite_graph: the full networkx graph with every attribute, built lazily only when "
        "net.graph is asked for; no measure, export or view needs it",
        "graphml_export_streamed: GraphML written straight from DuckDB in chunks (GEXF likewise)",
        "html_view: views built from their own nodes (SQL ego networks, scipy components); html_s is the page "
        "only, the process's peak memory includes loading and measuring the network",
    ]
    shutil.rmtree(folder, ignore_errors=True)
    return write_results("networks", figures)


if __name__ == "__main__":
    print(main())
