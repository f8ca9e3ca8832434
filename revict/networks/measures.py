"""Measures of the offender–victim network: recurring perpetrators, returning, components, years.

Every count is a SQL query on the network's DuckDB tables; connected components use
``scipy.sparse.csgraph`` on integer node codes (linear time, no networkx graph needed),
and the co-offending measures come from :mod:`revict.networks.coffending`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from revict._core.results import NOT_FOR_RELEASE
from revict.networks.coffending import Backend, _Clock, co_offending_measures
from revict.networks.graph import RECURRING_SQL, OffenderNetwork

RECURRING_RULE = (
    "recurring: linked to events of >= 2 distinct linked victims, or to >= 2 distinct events of the "
    "same victim; links to events of unlinked victims make no one recurring. kind: serial (>= 2 "
    "victims), returning (linked to a person's index registration and again to a later victimisation "
    "of that person), both, or repeat (>= 2 events of one victim, not returning)"
)
KINDS: tuple[str, ...] = ("serial", "returning", "both", "repeat")


def wilson_interval(x: int, n: int, conf_level: float = 0.95) -> tuple[float | None, float | None]:
    """Wilson score interval of a binomial proportion ``x / n``.

    Equivalent to R ``prop.test(x, n, correct = FALSE)$conf.int`` and statsmodels
    ``proportion_confint(x, n, method="wilson")``.

    Examples
    --------
    >>> [round(v, 4) for v in wilson_interval(3, 10)]
    [0.1078, 0.6032]
    """
    if n <= 0:
        return None, None
    from scipy.stats import norm

    z = float(norm.ppf(0.5 + conf_level / 2))
    p = x / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


_REVICT_SQL = """
WITH rv AS (
    SELECT v.incident_id, v.person_id
    FROM (SELECT incident_id, any_value(person_id) AS person_id, min(incident_date) AS incident_date
          FROM victimisations WHERE incident_id IS NOT NULL GROUP BY incident_id) v
    JOIN {index} i ON i.person_id = v.person_id
    WHERE v.incident_date > i.index_date AND date_diff('day', i.index_date, v.incident_date) <= i.follow_up_end
), idxp AS (
    SELECT DISTINCT offender_id, person_id FROM {links} WHERE is_index_registration
), vl AS (
    SELECT event_id, offender_id, person_id FROM {links} WHERE event_type = 'victimisation'
), hit AS (
    SELECT DISTINCT vl.event_id FROM vl JOIN idxp ON idxp.offender_id = vl.offender_id
                                              AND idxp.person_id = vl.person_id
)
SELECT count(*) AS n_revictimisations,
       count(*) FILTER (WHERE rv.incident_id IN (SELECT event_id FROM vl)) AS n_with_perpetrator,
       count(*) FILTER (WHERE rv.incident_id IN (SELECT event_id FROM hit)) AS n_with_index_perpetrator,
       count(DISTINCT rv.person_id) AS n_persons
FROM rv
"""

_RETURN_TIME_SQL = """
SELECT i.offender_id, i.person_id, min(date_diff('day', i.index_date, l.event_date)) AS days
FROM (SELECT DISTINCT offender_id, person_id, index_date FROM {links} WHERE is_index_registration) i
JOIN {links} l ON l.offender_id = i.offender_id AND l.person_id = i.person_id
WHERE l.event_type = 'victimisation' AND l.event_date > i.index_date
GROUP BY i.offender_id, i.person_id
"""

_UNLINKED_SQL = """
WITH u AS (
    SELECT offender_id, count(DISTINCT (event_type, event_id)) AS n_unlinked
    FROM {all} WHERE is_resolved AND person_id IS NULL GROUP BY offender_id
), s AS (
    SELECT offender_id, count(DISTINCT person_id) AS victims FROM {links} GROUP BY offender_id
), r AS ({recurring})
SELECT count(s.offender_id) AS n_network_offenders_with_unlinked_links,
       coalesce(sum(u.n_unlinked) FILTER (WHERE s.offender_id IS NOT NULL), 0) AS n_links_unlinked_by_network_offenders,
       count(*) FILTER (WHERE s.offender_id IS NOT NULL AND r.offender_id IS NULL
                        AND s.victims + u.n_unlinked >= 2) AS n_offenders_recurring_if_unlinked_counted,
       count(*) FILTER (WHERE s.offender_id IS NULL) AS n_offenders_only_unlinked
FROM u LEFT JOIN s ON s.offender_id = u.offender_id LEFT JOIN r ON r.offender_id = u.offender_id
"""

CODES_SQL = """
WITH v AS (SELECT person_id, row_number() OVER (ORDER BY person_id) - 1 AS code
           FROM (SELECT DISTINCT person_id FROM {links})),
     o AS (SELECT offender_id, row_number() OVER (ORDER BY offender_id) - 1 AS code
           FROM (SELECT DISTINCT offender_id FROM {links})),
     p AS (SELECT DISTINCT offender_id, person_id, year(event_date) AS year FROM {links})
SELECT v.code AS vc, o.code AS oc, coalesce(p.year, -1) AS year
FROM p JOIN v ON v.person_id = p.person_id JOIN o ON o.offender_id = p.offender_id
"""

_YEARLY_SQL = """
WITH pair AS (
    SELECT year(event_date) AS year, offender_id, person_id, count(DISTINCT (event_type, event_id)) AS n
    FROM {links} WHERE event_date IS NOT NULL GROUP BY ALL
), off AS (
    SELECT year, offender_id, count(*) AS victims, max(n) AS mx FROM pair GROUP BY ALL
), rec AS (
    SELECT year, count(*) AS offenders, count(*) FILTER (WHERE victims >= 2 OR mx >= 2) AS recurring
    FROM off GROUP BY year
), pv AS (
    SELECT year, count(DISTINCT person_id) AS victims, count(*) AS edges FROM pair GROUP BY year
), ev AS (
    SELECT year(event_date) AS year, count(DISTINCT (event_type, event_id)) AS events
    FROM {links} WHERE event_date IS NOT NULL GROUP BY ALL
)
SELECT rec.year, rec.offenders, pv.victims, pv.edges, ev.events, rec.recurring
FROM rec JOIN pv ON pv.year = rec.year JOIN ev ON ev.year = rec.year ORDER BY rec.year
"""


def _largest(a: np.ndarray, b: np.ndarray) -> int:
    """Nodes in the largest component of the edges (a, b); nodes relabelled to the ones present."""
    if len(a) == 0:
        return 0
    present, inverse = np.unique(np.concatenate([a, b]), return_inverse=True)
    n = len(present)
    mat = coo_matrix((np.ones(len(a), dtype=np.int8), (inverse[: len(a)], inverse[len(a) :])), shape=(n, n))
    _, labels = connected_components(mat, directed=False)
    return int(np.bincount(labels).max())


def _components(net: OffenderNetwork) -> tuple[dict[str, Any], pd.DataFrame, dict[str, np.ndarray]]:
    arr = net.sql(CODES_SQL).fetchnumpy()
    vc, oc, year = (np.asarray(arr[k], dtype=np.int64) for k in ("vc", "oc", "year"))
    nv = int(vc.max()) + 1 if len(vc) else 0
    no = int(oc.max()) + 1 if len(oc) else 0
    pairs = np.unique(np.column_stack([vc, oc]), axis=0) if len(vc) else np.zeros((0, 2), dtype=np.int64)
    n = nv + no
    if n == 0:
        return {"n": 0, "largest": None}, pd.DataFrame({"size": [], "n_components": []}), {}
    mat = coo_matrix((np.ones(len(pairs), dtype=np.int8), (pairs[:, 0], nv + pairs[:, 1])), shape=(n, n))
    n_comp, labels = connected_components(mat, directed=False)
    sizes = np.bincount(labels)
    big = int(np.argmax(sizes))
    size_counts = np.bincount(sizes)
    dist = pd.DataFrame({"size": np.flatnonzero(size_counts), "n_components": size_counts[size_counts > 0]})
    summary = {
        "n": int(n_comp),
        "largest": {
            "n_nodes": int(sizes[big]),
            "n_victims": int((labels[:nv] == big).sum()),
            "n_offenders": int((labels[nv:] == big).sum()),
            "share_of_nodes": float(sizes[big] / n),
        },
        "method": "scipy.sparse.csgraph.connected_components on the bipartite graph",
    }
    return summary, dist, {"vc": vc, "oc": oc + nv, "year": year, "n": np.array([n])}


def _snapshots(net: OffenderNetwork, codes: dict[str, np.ndarray]) -> pd.DataFrame:
    yearly = net.sql(_YEARLY_SQL).df()
    if yearly.empty:
        return pd.DataFrame(
            columns=[
                "year",
                "offenders",
                "victims",
                "edges",
                "events",
                "recurring",
                "largest_component",
                "largest_component_cumulative",
            ]
        )
    largest, cumulative = [], []
    for y in yearly["year"].astype(int):
        this = codes["year"] == y
        upto = (codes["year"] <= y) & (codes["year"] >= 0)
        largest.append(_largest(codes["vc"][this], codes["oc"][this]))
        cumulative.append(_largest(codes["vc"][upto], codes["oc"][upto]))
    out = yearly.astype(dict.fromkeys(("year", "offenders", "victims", "edges", "events", "recurring"), "int64"))
    out["largest_component"] = largest
    out["largest_component_cumulative"] = cumulative
    return out


def _quantiles(days: pd.Series) -> dict[str, Any]:
    if days.empty:
        return {"n_pairs": 0, "min": None, "q25": None, "median": None, "q75": None, "max": None}
    q = np.quantile(days.to_numpy(float), [0.25, 0.5, 0.75])
    return {
        "n_pairs": int(len(days)),
        "min": int(days.min()),
        "q25": float(q[0]),
        "median": float(q[1]),
        "q75": float(q[2]),
        "max": int(days.max()),
    }


def _unlinked(net: OffenderNetwork) -> dict[str, int]:
    row = net.sql(_UNLINKED_SQL, recurring=RECURRING_SQL.format(**net.tables)).fetchall()[0]
    keys = (
        "n_network_offenders_with_unlinked_links",
        "n_links_unlinked_by_network_offenders",
        "n_offenders_recurring_if_unlinked_counted",
        "n_offenders_only_unlinked",
    )
    return dict(zip(keys, (int(v) for v in row), strict=True))


def _revictimisation(net: OffenderNetwork, conf_level: float) -> dict[str, Any]:
    row = net.sql(_REVICT_SQL).fetchall()[0]
    n, n_perp, x, n_persons = (int(v) for v in row)
    lower, upper = wilson_interval(x, n, conf_level)
    return {
        "definition": "victimisations of the cohort's persons after the index date within follow-up; "
        "hit = a perpetrator of the person's index registration is linked to it",
        "n_revictimisations": n,
        "n_persons": n_persons,
        "n_with_perpetrator": n_perp,
        "n_with_index_perpetrator": x,
        "share": x / n if n else None,
        "lower": lower,
        "upper": upper,
        "conf_level": conf_level,
        "ci_method": "wilson",
        "share_of_those_with_perpetrator": x / n_perp if n_perp else None,
    }


@dataclass
class NetworkResult:
    """Measures of one offender–victim network (researcher-only; not for release).

    Attributes
    ----------
    scope : str
        ``cohort`` or ``all``.
    parameters : dict
        seed, backend, betweenness_sample, exact_limit, conf_level.
    counts, links, unlinked : dict
        Nodes/edges/events in scope; accounting of perpetrator links; links to unlinked victims.
    recurring : DataFrame
        offender_id, victims, events, kind (``serial``/``returning``/``both``/``repeat``).
    victims_per_offender : DataFrame
        victims, n_offenders.
    revictimisation : dict
        Share of re-victimisations with a perpetrator of the index registration (Wilson CI).
    time_to_return : dict
        Days from index to a returning perpetrator's next victimisation, per (offender, victim).
    components : dict ; component_sizes : DataFrame (size, n_components)
    co_offending : dict ; offenders : DataFrame (per-offender co-offending measures)
    snapshots : DataFrame
        Per year: offenders, victims, edges, events, recurring, largest_component (that
        year's events), largest_component_cumulative (events through that year).
    timings_s : dict
        Seconds per step (not in ``to_dict``: results are reproducible byte for byte).
    """

    scope: str
    parameters: dict[str, Any]
    counts: dict[str, int]
    links: dict[str, int]
    unlinked: dict[str, int]
    recurring: pd.DataFrame
    victims_per_offender: pd.DataFrame
    revictimisation: dict[str, Any]
    time_to_return: dict[str, Any]
    components: dict[str, Any]
    component_sizes: pd.DataFrame
    co_offending: dict[str, Any]
    offenders: pd.DataFrame
    snapshots: pd.DataFrame
    min_cell: int = 10
    timings_s: dict[str, float] = field(default_factory=dict)

    @property
    def n_recurring(self) -> int:
        """Number of recurring perpetrators."""
        return len(self.recurring)

    @property
    def share_recurring(self) -> float | None:
        """Recurring perpetrators as a share of all offenders in scope."""
        n = self.counts["n_offenders"]
        return self.n_recurring / n if n else None

    def by_kind(self) -> dict[str, int]:
        """Count recurring perpetrators of each kind."""
        vc = self.recurring["kind"].value_counts()
        return {k: int(vc.get(k, 0)) for k in KINDS}

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict for the ``network`` section of results.json (holds pseudonyms)."""
        top = self.offenders.sort_values(["betweenness", "offender_id"], ascending=[False, True]).head(20)
        co = {
            **self.co_offending,
            "top_betweenness": _records(
                top[["offender_id", "co_degree", "betweenness", "betweenness_norm", "core_number", "community"]]
            ),
        }
        data = {
            "release_status": NOT_FOR_RELEASE,
            "scope": self.scope,
            "parameters": self.parameters,
            "counts": self.counts,
            "links": self.links,
            "unlinked_victims": self.unlinked,
            "recurring": {
                "rule": RECURRING_RULE,
                "n": self.n_recurring,
                "share": self.share_recurring,
                "by_kind": self.by_kind(),
            },
            "recurring_perpetrators": _records(self.recurring[["offender_id", "victims", "events", "kind"]]),
            "victims_per_offender": _records(self.victims_per_offender),
            "revictimisation_index_perpetrator": self.revictimisation,
            "time_to_returning_event_days": self.time_to_return,
            "components": {**self.components, "size_distribution": _records(self.component_sizes)},
            "co_offending": co,
            "yearly_snapshots": _records(self.snapshots),
        }
        out: dict[str, Any] = json_safe(data)
        return out

    def summary(self) -> pd.DataFrame:
        """Return the headline measures as a two-column DataFrame (measure, value)."""
        rv = self.revictimisation
        big = self.components.get("largest") or {}
        rows = [
            ("scope", self.scope),
            ("victims", self.counts["n_victims"]),
            ("offenders", self.counts["n_offenders"]),
            ("offender-victim pairs", self.counts["n_edges"]),
            ("events", self.counts["n_events"]),
            ("recurring perpetrators", self.n_recurring),
            ("share recurring", self.share_recurring),
            *((f"recurring: {k}", v) for k, v in self.by_kind().items()),
            ("links to unlinked victims in the data (not counted)", self.links["n_links_unlinked_victim"]),
            ("re-victimisations", rv["n_revictimisations"]),
            ("re-victimisations with an index perpetrator", rv["n_with_index_perpetrator"]),
            ("share with an index perpetrator (95% CI)", _fmt_share(rv["share"], rv["lower"], rv["upper"])),
            ("median days to a returning perpetrator's next event", self.time_to_return["median"]),
            ("components", self.components.get("n")),
            ("largest component (nodes)", big.get("n_nodes")),
            ("co-offending edges", self.co_offending["n_edges"]),
            ("communities", self.co_offending["communities"]["n"]),
            ("modularity", self.co_offending["communities"]["modularity"]),
            ("max k-core", self.co_offending["k_core"]["max_core"]),
        ]
        return pd.DataFrame(rows, columns=["measure", "value"])

    def _repr_html_(self) -> str:
        return f"<p><b>{NOT_FOR_RELEASE}</b></p>" + self.summary().to_html(index=False)


def _fmt_share(share: float | None, lower: float | None, upper: float | None) -> str:
    if share is None or lower is None or upper is None:
        return "n/a"
    return f"{share:.3f} ({lower:.3f}-{upper:.3f})"


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return [dict(zip(df.columns, row, strict=True)) for row in df.itertuples(index=False, name=None)]


def json_safe(obj: Any) -> Any:
    """Convert numpy scalars, dates and NaN (to None) recursively into JSON-safe values."""
    if isinstance(obj, dict):
        return {str(k): json_safe(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [json_safe(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if obj is None or isinstance(obj, bool | int | str):
        return obj
    if hasattr(obj, "isoformat"):
        return obj.isoformat()
    if pd.isna(obj):
        return None
    return str(obj)


def network_measures(
    net: OffenderNetwork,
    *,
    seed: int = 20211207,
    betweenness_sample: int | None = 256,
    exact_limit: int = 2000,
    backend: Backend = "networkx",
    conf_level: float = 0.95,
) -> NetworkResult:
    """Compute every measure of the network (see :class:`NetworkResult`).

    Parameters
    ----------
    net : OffenderNetwork
        From :func:`revict.networks.build_offender_network`.
    seed : int, default 20211207
        Seed of Louvain and the betweenness sample; stated in the output.
    betweenness_sample : int or None, default 256
        Sampled source nodes for betweenness in components above ``exact_limit`` nodes.
    exact_limit : int, default 2000
        Components up to this size get exact betweenness.
    backend : {"networkx", "igraph"}
        Library for k-core, betweenness and communities (igraph is optional).
    conf_level : float, default 0.95
        Confidence level of the Wilson interval.

    Returns
    -------
    NetworkResult
    """
    t: dict[str, float] = {}
    clock = _Clock(t)
    with clock("recurring"):
        recurring = net.recurring()
    with clock("sql_measures"):
        counts = net.counts()
        vpo = net.sql(
            "SELECT victims::BIGINT AS victims, count(*)::BIGINT AS n_offenders FROM "
            "(SELECT offender_id, count(DISTINCT person_id) AS victims FROM {links} GROUP BY 1) "
            "GROUP BY 1 ORDER BY 1"
        ).df()
        unlinked = _unlinked(net)
        revict = _revictimisation(net, conf_level)
        ttr = _quantiles(net.sql(_RETURN_TIME_SQL).df()["days"])
    with clock("components"):
        comp, sizes, codes = _components(net)
    with clock("snapshots"):
        snaps = _snapshots(net, codes if codes else {"n": np.array([0])})
    with clock("projection"):
        proj = net.projection()
    co_t: dict[str, float] = {}
    co, offenders = co_offending_measures(
        proj,
        seed=seed,
        backend=backend,
        betweenness_sample=betweenness_sample,
        exact_limit=exact_limit,
        timings=co_t,
    )
    t.update({f"co_offending_{k}": v for k, v in co_t.items()})
    co["n_isolated_offenders"] = counts["n_offenders"] - co["n_offenders"]
    params = {
        "seed": seed,
        "backend": backend,
        "betweenness_sample": betweenness_sample,
        "exact_limit": exact_limit,
        "conf_level": conf_level,
    }
    return NetworkResult(
        scope=net.scope,
        parameters=params,
        counts=counts,
        links=dict(net.link_counts),
        unlinked=unlinked,
        recurring=recurring,
        victims_per_offender=vpo,
        revictimisation=revict,
        time_to_return=ttr,
        components=comp,
        component_sizes=sizes,
        co_offending=co,
        offenders=offenders,
        snapshots=snaps,
        min_cell=net.min_cell,
        timings_s=t,
    )
