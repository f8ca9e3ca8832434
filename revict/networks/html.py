"""The researcher's offline network view: one HTML page, plotly.js inline once, NOT FOR RELEASE.

Views are the ego networks of recurring perpetrators (radius 2, cut to radius 1 and then
to ``max_nodes`` when larger) and the small components (3 to ``max_nodes`` nodes; the
largest -- giant -- component is never drawn). Layouts are precomputed in Python with a
bounded spring layout (``iterations`` fixed, at most ``max_nodes`` nodes per view), so the
cost is bounded by ``max_views * max_nodes**2 * iterations``. In the page a selector
picks the view, another the colouring (role or Louvain community within the view), and a
year slider shows the structure as it was through that year. Hover shows a shortened
pseudonym, role and counts. Every view carries the NOT FOR RELEASE stamp.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from revict._core.io import write_text_atomic
from revict._core.masking import short_pseudonym

if TYPE_CHECKING:
    import networkx as nx

    from revict.networks.graph import OffenderNetwork
    from revict.networks.measures import NetworkResult

STAMP = "NOT FOR RELEASE"


_EGO_SQL = """
WITH v1 AS (SELECT DISTINCT person_id FROM {links} WHERE offender_id = ?)
SELECT 'v' AS side, person_id AS id FROM v1
UNION ALL
SELECT DISTINCT 'o', offender_id FROM {links} WHERE person_id IN (SELECT person_id FROM v1)
ORDER BY side, id
"""


def _ego(net: OffenderNetwork, offender: str, max_nodes: int) -> tuple[list[str], list[str], str]:
    """Victims and offenders of the ego network (radius 2, else 1, else cut), from SQL."""
    rows = net.con.execute(_EGO_SQL.format(**net.tables), [offender]).fetchall()
    victims = [r[1] for r in rows if r[0] == "v"]
    offenders = [r[1] for r in rows if r[0] == "o"]
    if len(victims) + len(offenders) <= max_nodes:
        return victims, offenders, "radius 2"
    if len(victims) + 1 <= max_nodes:
        return victims, [offender], "radius 1"
    return victims[: max_nodes - 1], [offender], f"radius 1, first {max_nodes - 1} victims"


def _small_components(net: OffenderNetwork, max_nodes: int, max_components: int) -> list[tuple[list[str], list[str]]]:
    """Victims and offenders of the largest components of 3 to max_nodes nodes, never the largest one."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    from revict.networks.measures import CODES_SQL

    arr = net.sql(CODES_SQL).fetchnumpy()
    vc, oc = (np.asarray(arr[k], dtype=np.int64) for k in ("vc", "oc"))
    if len(vc) == 0:
        return []
    victims = [r[0] for r in net.sql("SELECT DISTINCT person_id FROM {links} ORDER BY person_id").fetchall()]
    offenders = [r[0] for r in net.sql("SELECT DISTINCT offender_id FROM {links} ORDER BY offender_id").fetchall()]
    nv, n = len(victims), len(victims) + len(offenders)
    mat = coo_matrix((np.ones(len(vc), dtype=np.int8), (vc, nv + oc)), shape=(n, n))
    _, labels = connected_components(mat, directed=False)
    sizes = np.bincount(labels)
    candidates = np.flatnonzero((sizes >= 3) & (sizes <= max_nodes))
    candidates = candidates[candidates != int(np.argmax(sizes))]  # never the largest (giant) component
    chosen = candidates[np.argsort(-sizes[candidates], kind="stable")][:max_components]
    out = []
    for c in chosen:
        members = np.flatnonzero(labels == c)
        out.append(([victims[i] for i in members if i < nv], [offenders[i - nv] for i in members if i >= nv]))
    return out


def _view_graphs(
    net: OffenderNetwork,
    result: NetworkResult,
    *,
    egos: Sequence[str],
    max_nodes: int,
    max_egos: int,
    max_components: int,
) -> list[tuple[str, nx.Graph]]:
    """Build each view as a small networkx graph from its own nodes only (never the whole graph)."""
    import networkx as nx

    from revict.networks.graph import OFFENDER_PREFIX, VICTIM_PREFIX, iter_edges, iter_nodes

    rec = result.recurring.set_index("offender_id")
    chosen = [*egos, *(o for o in rec.index if o not in set(egos))][: max_egos + len(egos)]
    specs: list[tuple[str, list[str], list[str]]] = []
    for off in chosen:
        victims, offenders, how = _ego(net, str(off), max_nodes)
        if victims:
            kind, n_victims = rec["kind"].get(off, "none"), rec["victims"].get(off, len(victims))
            label = f"{short_pseudonym(str(off))} ({kind}, {n_victims} victims; {how})"
            specs.append((f"ego network {len(specs) + 1}: {label}", victims, offenders))
    for i, (victims, offenders) in enumerate(_small_components(net, max_nodes, max_components), start=1):
        specs.append((f"component {i}: {len(victims) + len(offenders)} nodes", victims, offenders))
    keep = ({v for _, vs, _ in specs for v in vs}, {o for _, _, os in specs for o in os})
    g = nx.Graph()
    g.add_nodes_from(iter_nodes(net, keep=keep))
    g.add_edges_from(iter_edges(net, keep=keep))
    return [
        (title, g.subgraph([VICTIM_PREFIX + v for v in vs] + [OFFENDER_PREFIX + o for o in os]))
        for title, vs, os in specs
    ]


def _hover(d: dict[str, Any], degree: int) -> str:
    role = d.get("role", "")
    text = f"{short_pseudonym(str(d.get('pseudonym', '')))}<br>{role}"
    if role == "offender":
        kind = d.get("kind", "none")
        text += f" ({kind})" if kind != "none" else ""
        text += f"<br>victims: {d.get('n_victims', 0)}"
    else:
        text += f"<br>offenders: {d.get('n_offenders', 0)}"
    return text + f"<br>events: {d.get('n_events', 0)}<br>degree: {degree}"


def _layout_view(h: nx.Graph, *, seed: int, iterations: int) -> dict[str, Any]:
    import networkx as nx

    k = nx.Graph()
    k.add_nodes_from(sorted(h.nodes()))
    k.add_edges_from(sorted(tuple(sorted(e)) for e in h.edges()))
    pos = nx.spring_layout(k, seed=seed, iterations=iterations)
    parts = nx.community.louvain_communities(k, seed=seed) if k.number_of_edges() else [set(k)]
    community = {n: i for i, p in enumerate(sorted(parts, key=lambda p: (-len(p), min(p)))) for n in p}
    nodes = []
    for n in k.nodes():
        d = h.nodes[n]
        deg = int(d.get("n_victims", d.get("n_offenders", 0)))  # degree in the whole network
        nodes.append(
            {
                "x": round(float(pos[n][0]), 4),
                "y": round(float(pos[n][1]), 4),
                "role": d.get("role", ""),
                "deg": deg,
                "year": d.get("first_year"),
                "c": community[n],
                "t": _hover(d, deg),
            }
        )
    index = {n: i for i, n in enumerate(k.nodes())}
    edges = [[index[u], index[v], h.edges[u, v].get("first_year")] for u, v in k.edges()]
    return {"nodes": nodes, "edges": edges}


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{stamp}: offender-victim network (researcher view)</title>
<style>
body {{ font-family: sans-serif; margin: 0; }}
#stamp {{ position: sticky; top: 0; z-index: 10; background: #b00020; color: #fff; font-weight: bold;
          text-align: center; padding: 6px; letter-spacing: 0.1em; }}
#controls {{ padding: 8px 12px; display: flex; gap: 16px; align-items: center; flex-wrap: wrap; }}
#fig {{ width: 100%; height: 80vh; }}
</style></head>
<body>
<div id="stamp">{stamp} &mdash; researcher view with shortened pseudonyms; never part of a policy report</div>
<div id="controls">
<label>View <select id="view"></select></label>
<label>Colour by <select id="colour"><option value="role">role</option>
<option value="community">community (Louvain, within view)</option></select></label>
<label>Through year <input type="range" id="year" step="1"> <span id="yearlabel"></span></label>
</div>
<div id="fig"></div>
<script>{plotlyjs}</script>
<script>
const DATA = {data};
const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
  "#bcbd22", "#17becf"];
const view = document.getElementById("view"), colour = document.getElementById("colour");
const year = document.getElementById("year"), yearlabel = document.getElementById("yearlabel");
DATA.views.forEach((v, i) => {{ const o = document.createElement("option"); o.value = i; o.text = v.title;
  view.appendChild(o); }});
year.min = DATA.year_min; year.max = DATA.year_max; year.value = DATA.year_max;
function shown(y) {{ return y === null || y <= Number(year.value); }}
function render() {{
  yearlabel.textContent = year.value;
  const v = DATA.views[Number(view.value)] || {{nodes: [], edges: []}};
  const ex = [], ey = [];
  v.edges.forEach(e => {{ if (shown(e[2])) {{ const a = v.nodes[e[0]], b = v.nodes[e[1]];
    ex.push(a.x, b.x, null); ey.push(a.y, b.y, null); }} }});
  const traces = [{{x: ex, y: ey, mode: "lines", type: "scatter", hoverinfo: "skip", name: "links",
    line: {{width: 0.7, color: "#999"}}}}];
  ["victim", "offender"].forEach(role => {{
    const ns = v.nodes.filter(n => n.role === role && shown(n.year));
    const marker = {{size: ns.map(n => 6 + 3 * Math.sqrt(n.deg)), symbol: role === "offender" ? "diamond" : "circle",
      line: {{width: 0.5, color: "#333"}}}};
    if (colour.value === "community") {{ marker.color = ns.map(n => PALETTE[n.c % PALETTE.length]); }}
    else {{ marker.color = role === "offender" ? "#d95f02" : "#1b9e77"; }}
    traces.push({{x: ns.map(n => n.x), y: ns.map(n => n.y), text: ns.map(n => n.t), mode: "markers",
      type: "scatter", hovertemplate: "%{{text}}<extra></extra>", name: role, marker: marker}});
  }});
  const layout = {{title: {{text: "{stamp}: " + (v.title || "no view")}}, showlegend: true, hovermode: "closest",
    xaxis: {{visible: false}}, yaxis: {{visible: false, scaleanchor: "x"}}, margin: {{t: 60}},
    annotations: [{{text: "{stamp}", xref: "paper", yref: "paper", x: 0.5, y: 0.5, showarrow: false,
      font: {{size: 48, color: "rgba(176,0,32,0.15)"}}}}]}};
  Plotly.react("fig", traces, layout, {{displaylogo: false, responsive: true}});
}}
[view, colour, year].forEach(el => el.addEventListener("input", render));
render();
</script>
</body></html>
"""


def write_network_html(
    net: OffenderNetwork,
    result: NetworkResult,
    path: str | Path,
    *,
    seed: int = 20211207,
    egos: Sequence[str] = (),
    max_nodes: int = 500,
    max_egos: int = 15,
    max_components: int = 15,
    iterations: int = 50,
) -> Path:
    """Write the researcher's offline interactive network page (NOT FOR RELEASE).

    Parameters
    ----------
    net : OffenderNetwork
        The network (its bipartite graph is built if needed).
    result : NetworkResult
        Its measures; recurring perpetrators (most victims first) give the ego views.
    path : str or Path
        HTML file to write (atomically).
    seed : int, default 20211207
        Seed of the layouts and of the within-view communities.
    egos : sequence of str, optional
        Offender ids whose ego networks come first.
    max_nodes : int, default 500
        Largest view; larger components and the largest (giant) component are never drawn.
    max_egos, max_components : int, default 15
        Number of ego networks and of small components offered in the selector.
    iterations : int, default 50
        Spring-layout iterations (bounds the layout cost).

    Returns
    -------
    Path
    """
    from plotly.offline import get_plotlyjs

    views = []
    years: list[int] = []
    for title, h in _view_graphs(
        net, result, egos=egos, max_nodes=max_nodes, max_egos=max_egos, max_components=max_components
    ):
        v = _layout_view(h, seed=seed, iterations=iterations)
        years += [n["year"] for n in v["nodes"] if n["year"] is not None]
        views.append({"title": title, **v})
    data = {"views": views, "year_min": min(years, default=0), "year_max": max(years, default=0)}
    payload = json.dumps(data, separators=(",", ":"), allow_nan=False, ensure_ascii=False).replace("</", "<\\/")
    html = _PAGE.format(stamp=STAMP, plotlyjs=get_plotlyjs(), data=payload)
    return write_text_atomic(path, html)
