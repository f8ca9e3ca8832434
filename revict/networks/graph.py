"""The offender–victim network: perpetrator links resolved to their events, in DuckDB.

:func:`build_offender_network` joins ``perpetrator_links`` to ``victim_registrations``
and ``victimisations`` and keeps, on the sources' DuckDB connection, three temporary
tables (their names in :attr:`OffenderNetwork.tables`):

``all``
    every distinct link (offender_id, event_type, event_id) with the event's
    person_id (NULL = unlinked victim), event_date and category (exploitation form
    of a registration, offence category of a victimisation); unresolved links
    (no such event) have NULL event columns and ``is_resolved = false``.
``index``
    one row per person with an index date and follow-up (days): the cohort, or with
    ``all_data=True`` every linked person's first registration up to ``data_end``.
``links``
    the links in scope, to linked victims only: by default events of cohort persons
    from the index date through the end of their follow-up; with ``all_data=True``
    every link to a linked person. Adds ``index_date``, ``day`` (days since index,
    NULL without an index) and ``is_index_registration``.

Victim nodes are linked persons (``v:`` + person_id), offender nodes offender_ids
(``o:`` + offender_id): the two share a key space, so a person who is both victim and
offender is two nodes of the bipartite graph. The networkx graph is built lazily.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd

from revict._core.errors import SourceError

if TYPE_CHECKING:
    import networkx as nx

    from revict.cohort.tables import CohortTables
    from revict.load.loader import Sources

logger = logging.getLogger("revict")

_COUNTER = itertools.count(1)
REQUIRED_SOURCES: tuple[str, ...] = ("perpetrator_links", "victim_registrations", "victimisations")
VICTIM_PREFIX = "v:"
OFFENDER_PREFIX = "o:"

_ALL_SQL = """
CREATE OR REPLACE TEMP TABLE {t} AS
WITH pl AS (
    SELECT DISTINCT event_type, event_id, offender_id
    FROM perpetrator_links
    WHERE event_type IS NOT NULL AND event_id IS NOT NULL AND offender_id IS NOT NULL
), ev AS (
    SELECT 'registration' AS event_type, registration_id AS event_id, any_value(person_id) AS person_id,
           min(registration_date) AS event_date, any_value(exploitation_form) AS category
    FROM victim_registrations WHERE registration_id IS NOT NULL GROUP BY registration_id
    UNION ALL
    SELECT 'victimisation', incident_id, any_value(person_id), min(incident_date), any_value(offence_category)
    FROM victimisations WHERE incident_id IS NOT NULL GROUP BY incident_id
)
SELECT pl.offender_id, pl.event_type, pl.event_id, ev.person_id, ev.event_date, ev.category,
       ev.event_id IS NOT NULL AS is_resolved
FROM pl LEFT JOIN ev ON ev.event_type = pl.event_type AND ev.event_id = pl.event_id
"""

_INDEX_ALL_SQL = """
CREATE OR REPLACE TEMP TABLE {t} AS
SELECT person_id, min(registration_date) AS index_date,
       date_diff('day', min(registration_date), DATE '{data_end}') AS follow_up_end
FROM victim_registrations
WHERE person_id IS NOT NULL AND registration_date IS NOT NULL
GROUP BY person_id
"""

_INDEX_COHORT_SQL = """
CREATE OR REPLACE TEMP TABLE {t} AS
SELECT CAST(person_id AS VARCHAR) AS person_id, min(CAST(index_date AS DATE)) AS index_date,
       min(CAST(follow_up_end AS BIGINT)) AS follow_up_end
FROM {view}
WHERE person_id IS NOT NULL AND index_date IS NOT NULL AND follow_up_end IS NOT NULL
GROUP BY 1
"""

_LINKS_COHORT_SQL = """
CREATE OR REPLACE TEMP TABLE {t} AS
SELECT a.offender_id, a.event_type, a.event_id, a.person_id, a.event_date, a.category, i.index_date,
       date_diff('day', i.index_date, a.event_date) AS day,
       (a.event_type = 'registration' AND a.event_date = i.index_date) AS is_index_registration
FROM {all} a JOIN {index} i ON i.person_id = a.person_id
WHERE a.event_date >= i.index_date AND date_diff('day', i.index_date, a.event_date) <= i.follow_up_end
"""

_LINKS_ALL_SQL = """
CREATE OR REPLACE TEMP TABLE {t} AS
SELECT a.offender_id, a.event_type, a.event_id, a.person_id, a.event_date, a.category, i.index_date,
       date_diff('day', i.index_date, a.event_date) AS day,
       coalesce(a.event_type = 'registration' AND a.event_date = i.index_date, false) AS is_index_registration
FROM {all} a LEFT JOIN {index} i ON i.person_id = a.person_id
WHERE a.person_id IS NOT NULL
"""

#: Recurring perpetrators (issue 7): >= 2 distinct victims, or >= 2 distinct events of one
#: victim. ``returning``: linked to a person's index registration and again to a later
#: victimisation of that person. Links to unlinked victims are not in ``links``.
RECURRING_SQL = """
WITH pair AS (
    SELECT offender_id, person_id, count(DISTINCT (event_type, event_id)) AS n_events
    FROM {links} GROUP BY offender_id, person_id
), ret AS (
    SELECT DISTINCT i.offender_id
    FROM {links} i JOIN {links} l ON l.offender_id = i.offender_id AND l.person_id = i.person_id
    WHERE i.is_index_registration AND l.event_type = 'victimisation' AND l.event_date > i.index_date
), off AS (
    SELECT offender_id, count(*) AS victims, sum(n_events) AS events, max(n_events) AS max_events_per_victim
    FROM pair GROUP BY offender_id
)
SELECT off.offender_id, off.victims::BIGINT AS victims, off.events::BIGINT AS events,
       CASE WHEN off.victims >= 2 AND ret.offender_id IS NOT NULL THEN 'both'
            WHEN off.victims >= 2 THEN 'serial'
            WHEN ret.offender_id IS NOT NULL THEN 'returning'
            ELSE 'repeat' END AS kind
FROM off LEFT JOIN ret ON ret.offender_id = off.offender_id
WHERE off.victims >= 2 OR off.max_events_per_victim >= 2
ORDER BY victims DESC, events DESC, off.offender_id
"""

#: Co-offending projection: two offenders are adjacent when linked to the same event.
PROJECTION_SQL = """
SELECT a.offender_id AS source, b.offender_id AS target, count(*)::BIGINT AS shared_events
FROM {links} a JOIN {links} b
  ON a.event_type = b.event_type AND a.event_id = b.event_id AND a.offender_id < b.offender_id
GROUP BY a.offender_id, b.offender_id
ORDER BY source, target
"""

EDGES_SQL = """
SELECT offender_id, person_id, count(*)::BIGINT AS n_events,
       min(event_date) AS first_date, max(event_date) AS last_date, year(min(event_date)) AS first_year,
       bool_or(is_index_registration) AS has_index_registration,
       list(event_id ORDER BY event_date, event_type, event_id) AS event_ids,
       list(event_date ORDER BY event_date, event_type, event_id) AS event_dates,
       list(event_type ORDER BY event_date, event_type, event_id) AS event_types,
       list(category ORDER BY event_date, event_type, event_id) AS categories
FROM {links}
GROUP BY offender_id, person_id
ORDER BY offender_id, person_id
"""


@dataclass
class OffenderNetwork:
    """The offender–victim network of one scope, held in DuckDB.

    Attributes
    ----------
    con : duckdb.DuckDBPyConnection
        The sources' connection, holding the network's temporary tables.
    tables : dict of str to str
        Names of the ``all``, ``index`` and ``links`` tables (see the module docstring).
    scope : {"cohort", "all"}
        Cohort victims and their follow-up, or the whole data.
    link_counts : dict of str to int
        Accounting of the perpetrator links: ``n_links`` (distinct), ``n_links_unresolved``
        (no such event), ``n_links_unlinked_victim`` (event without a linked person; make no
        one recurring), ``n_links_in_scope``.
    min_cell : int
        Minimum cell size of the cohort (used for released aggregates).
    data_end : datetime.date
        End of the data window.
    """

    con: duckdb.DuckDBPyConnection
    tables: dict[str, str]
    scope: str
    link_counts: dict[str, int]
    min_cell: int = 10
    data_end: Any = None
    _graph: nx.Graph | None = field(default=None, init=False, repr=False)

    @property
    def links(self) -> str:
        """Name of the in-scope links table."""
        return self.tables["links"]

    def sql(self, template: str, **params: Any) -> duckdb.DuckDBPyConnection:
        """Run a SQL template with ``{links}``, ``{all}`` and ``{index}`` filled in; fetch from the result."""
        return self.con.execute(template.format(**self.tables, **params))

    def edges(self) -> pd.DataFrame:
        """One row per offender–victim pair with its events (dates, types, categories)."""
        return self.sql(EDGES_SQL).df()

    def recurring(self) -> pd.DataFrame:
        """Recurring perpetrators: offender_id, victims, events, kind (SQL, sorted)."""
        return self.sql(RECURRING_SQL).df()

    def projection(self) -> pd.DataFrame:
        """Co-offending edge list: source, target (offender_id, source < target), shared_events."""
        return self.sql(PROJECTION_SQL).df()

    def counts(self) -> dict[str, int]:
        """Victims, offenders, offender–victim pairs and events in scope."""
        row = self.sql(
            "SELECT count(DISTINCT person_id), count(DISTINCT offender_id), "
            "count(DISTINCT (offender_id, person_id)), count(DISTINCT (event_type, event_id)), count(*) "
            "FROM {links}"
        ).fetchall()[0]
        keys = ("n_victims", "n_offenders", "n_edges", "n_events", "n_links")
        return {k: int(v) for k, v in zip(keys, row, strict=True)}

    @property
    def graph(self) -> nx.Graph:
        """The bipartite networkx graph (built on first use; see :func:`to_networkx`)."""
        if self._graph is None:
            self._graph = to_networkx(self)
        return self._graph

    def drop(self) -> None:
        """Drop the network's temporary tables from the connection."""
        for name in self.tables.values():
            self.con.execute(f"DROP TABLE IF EXISTS {name}")


def _check_sources(sources: Sources) -> None:
    missing = [s for s in REQUIRED_SOURCES if s not in sources]
    if missing:
        raise SourceError(
            f"the network needs the sources {', '.join(missing)}, which were not loaded",
            hint="Put the extracts in the data folder (see the linkage schema) and load them again.",
        )


def _register_cohort(con: duckdb.DuckDBPyConnection, cohort: CohortTables, view: str) -> None:
    fe = cohort.first_event
    need = ("person_id", "index_date", "follow_up_end")
    lacking = [c for c in need if c not in fe.columns]
    if lacking:
        raise SourceError(
            f"the cohort's first_event table lacks the column(s) {', '.join(lacking)}",
            hint="Build the cohort with revict.cohort.builder.build_cohort.",
        )
    frame = fe.loc[:, list(need)].copy()
    frame["index_date"] = pd.to_datetime(frame["index_date"]).dt.date
    con.register(view, frame)


def _link_counts(con: duckdb.DuckDBPyConnection, tables: dict[str, str]) -> dict[str, int]:
    row = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE NOT is_resolved), "
        f"count(*) FILTER (WHERE is_resolved AND person_id IS NULL) FROM {tables['all']}"
    ).fetchall()[0]
    scoped = con.execute(f"SELECT count(*) FROM {tables['links']}").fetchall()[0]
    return {
        "n_links": int(row[0]),
        "n_links_unresolved": int(row[1]),
        "n_links_unlinked_victim": int(row[2]),
        "n_links_in_scope": int(scoped[0]),
    }


def build_offender_network(
    sources: Sources, cohort: CohortTables | None = None, *, all_data: bool = False
) -> OffenderNetwork:
    """Build the bipartite offender–victim network from the loaded sources.

    Parameters
    ----------
    sources : Sources
        From :func:`revict.load.load_sources`; needs ``perpetrator_links``,
        ``victim_registrations`` and ``victimisations``.
    cohort : CohortTables, optional
        Restrict to the cohort's victims, from their index date through the end of
        their follow-up (``first_event.follow_up_end`` days). Required unless ``all_data``.
    all_data : bool, default False
        Take every link to a linked victim in the data; the index of a person is then
        their first registration and follow-up runs to ``data_end``.

    Returns
    -------
    OffenderNetwork

    Raises
    ------
    SourceError
        A needed source is missing, or neither a cohort nor ``all_data`` was given.

    Examples
    --------
    >>> import tempfile
    >>> from revict.contract import load_schema
    >>> from revict.load import load_sources
    >>> from revict.synth import synthesize
    >>> d = tempfile.mkdtemp()
    >>> _ = synthesize(d, victims=300, seed=1)
    >>> net = build_offender_network(load_sources(load_schema(), d), all_data=True)
    >>> net.counts()["n_offenders"] > 0
    True
    """
    _check_sources(sources)
    if cohort is None and not all_data:
        raise SourceError(
            "the network needs a cohort, or all_data=True for the whole data",
            hint="Pass the CohortTables from build_cohort, or use --all on the command line.",
        )
    con = sources.con
    n = next(_COUNTER)
    tables = {"all": f"_net{n}_all", "index": f"_net{n}_index", "links": f"_net{n}_links"}
    con.execute(_ALL_SQL.format(t=tables["all"]))
    min_cell = 10
    if all_data:
        con.execute(_INDEX_ALL_SQL.format(t=tables["index"], data_end=sources.schema.data_end.isoformat()))
        con.execute(_LINKS_ALL_SQL.format(t=tables["links"], **tables))
        scope = "all"
        if cohort is not None:
            min_cell = cohort.spec.min_cell
    else:
        assert cohort is not None
        view = f"_net{n}_cohort_df"
        _register_cohort(con, cohort, view)
        con.execute(_INDEX_COHORT_SQL.format(t=tables["index"], view=view))
        con.unregister(view)
        con.execute(_LINKS_COHORT_SQL.format(t=tables["links"], **tables))
        scope = "cohort"
        min_cell = cohort.spec.min_cell
    counts = _link_counts(con, tables)
    logger.info("network built: scope=%s, %d links in scope", scope, counts["n_links_in_scope"])
    return OffenderNetwork(
        con=con,
        tables=tables,
        scope=scope,
        link_counts=counts,
        min_cell=min_cell,
        data_end=sources.schema.data_end,
    )


_VICTIMS_SQL = """
SELECT person_id, count(DISTINCT (event_type, event_id))::BIGINT AS n_events,
       count(DISTINCT offender_id)::BIGINT AS n_offenders, min(index_date) AS index_date,
       year(min(event_date)) AS first_year
FROM {links} GROUP BY person_id ORDER BY person_id
"""

_OFFENDERS_SQL = (
    """
SELECT l.offender_id, count(DISTINCT (l.event_type, l.event_id))::BIGINT AS n_events,
       count(DISTINCT l.person_id)::BIGINT AS n_victims, year(min(l.event_date)) AS first_year,
       coalesce(any_value(r.kind), 'none') AS kind
FROM {links} l LEFT JOIN ("""
    + RECURRING_SQL
    + """) r ON r.offender_id = l.offender_id
GROUP BY l.offender_id ORDER BY l.offender_id
"""
)

#: (victim person_ids, offender_ids) to keep when streaming nodes and edges.
Keep = tuple[Collection[str], Collection[str]]

#: Rows fetched at a time while building the networkx graph (bounds the memory beside the graph).
FETCH_ROWS = 50_000


def _fetch(
    net: OffenderNetwork, template: str, keep: Keep | None = None, cols: tuple[str, ...] = ()
) -> Iterator[tuple[Any, ...]]:
    """Yield result rows of a query in chunks (DuckDB returns dates as datetime.date).

    With ``keep`` (victim ids, offender ids) only rows whose ``cols`` (person_id /
    offender_id) are kept are returned, sorted by ``cols``; the aggregates are still over
    the whole network. Consume the rows before running another query on the connection.
    """
    if keep is None:
        cur = net.sql(template)
    else:
        victims, offenders = (pd.DataFrame({"id": pd.array(list(ids), dtype="string")}) for ids in keep)
        net.con.register("_net_keep_v", victims)
        net.con.register("_net_keep_o", offenders)
        inner = template.format(**net.tables)
        table = {"person_id": "_net_keep_v", "offender_id": "_net_keep_o"}
        where = " AND ".join(f"{c} IN (SELECT id FROM {table[c]})" for c in cols)
        cur = net.con.execute(f"SELECT * FROM ({inner}) WHERE {where} ORDER BY {', '.join(cols)}")
    while rows := cur.fetchmany(FETCH_ROWS):
        yield from rows
    if keep is not None:
        net.con.unregister("_net_keep_v")
        net.con.unregister("_net_keep_o")


#: Attribute types of the nodes and edges :func:`iter_nodes` / :func:`iter_edges` yield,
#: after sanitising for GraphML/GEXF (dates and tuples become strings).
NODE_ATTR_TYPES: dict[str, type] = {
    "role": str,
    "bipartite": int,
    "pseudonym": str,
    "n_events": int,
    "n_offenders": int,
    "index_date": str,
    "first_year": int,
    "n_victims": int,
    "kind": str,
    "is_recurring": bool,
}
EDGE_ATTR_TYPES: dict[str, type] = {
    "n_events": int,
    "first_date": str,
    "last_date": str,
    "first_year": int,
    "has_index_registration": bool,
    "event_ids": str,
    "event_dates": str,
    "event_types": str,
    "categories": str,
}


def iter_nodes(
    net: OffenderNetwork, pool: dict[Any, Any] | None = None, *, keep: Keep | None = None
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield ``(node, attributes)`` of every victim, then every offender, in sorted order.

    Victim nodes ``"v:<person_id>"`` carry role ``"victim"``, ``bipartite=0``, pseudonym,
    n_events, n_offenders, index_date, first_year; offender nodes ``"o:<offender_id>"``
    role ``"offender"``, ``bipartite=1``, pseudonym, n_events, n_victims, kind
    (``serial``/``returning``/``both``/``repeat``/``none``), is_recurring, first_year.
    Rows are fetched in chunks, so memory stays bounded. ``keep`` (victim ids, offender
    ids) restricts the nodes yielded; their attributes still describe the whole network.
    """
    share = (pool if pool is not None else {}).setdefault  # one object per distinct value: saves memory
    for person, n_events, n_offenders, index_date, first_year in _fetch(net, _VICTIMS_SQL, keep, ("person_id",)):
        yield (
            VICTIM_PREFIX + person,
            {
                "role": "victim",
                "bipartite": 0,
                "pseudonym": person,
                "n_events": n_events,
                "n_offenders": n_offenders,
                "index_date": share(index_date, index_date),
                "first_year": share(first_year, first_year),
            },
        )
    for offender, n_events, n_victims, first_year, kind in _fetch(net, _OFFENDERS_SQL, keep, ("offender_id",)):
        yield (
            OFFENDER_PREFIX + offender,
            {
                "role": "offender",
                "bipartite": 1,
                "pseudonym": offender,
                "n_events": n_events,
                "n_victims": n_victims,
                "kind": share(kind, kind),
                "is_recurring": kind != "none",
                "first_year": share(first_year, first_year),
            },
        )


def iter_edges(
    net: OffenderNetwork, pool: dict[Any, Any] | None = None, *, keep: Keep | None = None
) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Yield ``(offender node, victim node, attributes)`` per pair, in sorted order.

    Attributes: n_events, first_date, last_date, first_year, has_index_registration and
    the tuples event_ids, event_dates, event_types, categories (one entry per event).
    ``keep`` (victim ids, offender ids) keeps the edges between kept nodes.
    """
    share = (pool if pool is not None else {}).setdefault
    for row in _fetch(net, EDGES_SQL, keep, ("offender_id", "person_id")):
        offender, person, n_events, first, last, first_year, has_index, ids, dates, types, cats = row
        yield (
            OFFENDER_PREFIX + offender,
            VICTIM_PREFIX + person,
            {
                "n_events": n_events,
                "first_date": share(first, first),
                "last_date": share(last, last),
                "first_year": share(first_year, first_year),
                "has_index_registration": bool(has_index),
                "event_ids": tuple(ids),
                "event_dates": tuple(share(d, d) for d in dates),
                "event_types": tuple(share(t, t) for t in types),
                "categories": tuple(share(c, c) for c in cats),
            },
        )


def to_networkx(net: OffenderNetwork) -> nx.Graph:
    """Build the bipartite networkx graph from :func:`iter_nodes` and :func:`iter_edges`.

    Nodes and edges are added in sorted order; see those functions for the attributes.
    """
    import networkx as nx

    g = nx.Graph(scope=net.scope)
    pool: dict[Any, Any] = {}
    g.add_nodes_from(iter_nodes(net, pool))
    g.add_edges_from(iter_edges(net, pool))
    return g
