"""Properties: the SQL recurring-perpetrator rules agree with a plain-Python reading of the rules."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from revict.contract import load_schema
from revict.load import load_sources
from revict.networks import build_offender_network
from tests.networks.netdata import oid, pid, write_sources

PERSONS = ["PA", "PB", "PC", ""]  # "" = unlinked victim
DATES = ["2015-01-01", "2015-01-02", "2015-06-01", "2016-01-01"]
OFFENDERS = ["O1", "O2", "O3", "O4"]

events = st.lists(st.tuples(st.sampled_from(PERSONS), st.sampled_from(DATES)), max_size=5)


def _reference(regs, vics, links):
    """The issue's rules, read literally, on lists of (event, person, date) and (event, offender)."""
    ev = {e: (p, d) for e, p, d, _ in regs + vics}
    index = {}
    for _, p, d, _ in regs:
        if p:
            index[p] = min(index.get(p, d), d)
    per: dict[str, dict[str, set[str]]] = {}
    returning = set()
    for e, o in set(links):
        if e not in ev or not ev[e][0]:
            continue
        per.setdefault(o, {}).setdefault(ev[e][0], set()).add(e)
    for o, victims in per.items():
        for p, evs in victims.items():
            idx = index.get(p)
            at_index = any(e.startswith("R_") and ev[e][1] == idx for e in evs)
            later = any(e.startswith("V_") and idx is not None and ev[e][1] > idx for e in evs)
            if at_index and later:
                returning.add(o)
    kinds = {}
    for o, victims in per.items():
        serial = len(victims) >= 2
        if serial or o in returning or any(len(evs) >= 2 for evs in victims.values()):
            kinds[oid(o)] = (
                ("both" if o in returning else "serial") if serial else ("returning" if o in returning else "repeat")
            )
    return kinds


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(regs=events, vics=events, data=st.data())
def test_sql_rules_equal_the_plain_reading(regs, vics, data):
    """For random small registers the recurring table equals the rules applied in plain Python."""
    regs = [(f"R_{i}", p, d, "sexual") for i, (p, d) in enumerate(regs)]
    vics = [(f"V_{i}", p, d, "violence") for i, (p, d) in enumerate(vics)]
    names = [e for e, _, _, _ in regs + vics] + ["V_missing"]
    links = data.draw(st.lists(st.tuples(st.sampled_from(names), st.sampled_from(OFFENDERS)), min_size=1, max_size=12))
    with tempfile.TemporaryDirectory() as tmp:
        src = load_sources(load_schema(), write_sources(Path(tmp), regs, vics, links))
        rec = build_offender_network(src, all_data=True).recurring()
        src.con.close()
    assert dict(zip(rec["offender_id"], rec["kind"], strict=True)) == _reference(regs, vics, links)
    assert pid("PA") not in rec.to_string()
