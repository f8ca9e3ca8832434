"""Offender–victim networks: recurring and returning perpetrators, co-offending structure.

The flow::

    sources (+ cohort) --build_offender_network--> OffenderNetwork (DuckDB tables, lazy networkx graph)
        --network_measures--> NetworkResult (.to_dict() -> results.json "network", researcher-only)
        --released_aggregates--> dict (no ids, small counts suppressed) -> network_aggregates.json

``export_graphml`` / ``export_gexf`` write the graph for Gephi; ``write_network_html``
writes the researcher's offline interactive view (stamped NOT FOR RELEASE).
"""

from revict.networks.coffending import co_offending_measures, igraph_available
from revict.networks.export import export_gexf, export_graphml, sanitise_value
from revict.networks.graph import OffenderNetwork, build_offender_network, to_networkx
from revict.networks.html import write_network_html
from revict.networks.measures import RECURRING_RULE, NetworkResult, network_measures, wilson_interval
from revict.networks.released import released_aggregates

__all__ = [
    "RECURRING_RULE",
    "NetworkResult",
    "OffenderNetwork",
    "build_offender_network",
    "co_offending_measures",
    "export_gexf",
    "export_graphml",
    "igraph_available",
    "network_measures",
    "released_aggregates",
    "sanitise_value",
    "to_networkx",
    "wilson_interval",
    "write_network_html",
]
