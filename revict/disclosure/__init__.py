"""Statistical disclosure control: the only road from results into a report.

``apply_disclosure(results, rules) -> Released`` suppresses small counts (with secondary
suppression against published totals), cuts curves where few are at risk, pools steps
with few events, rounds where asked, checks averages over persons for dominance and
p-ratio, top-codes distributions and drops maxima, and refuses anything that looks like
a pseudonym or an individual's date. Every suppression is listed in the result.
"""

from revict.disclosure.apply import Released, apply_disclosure
from revict.disclosure.cells import Line, Suppression, control_table, dominance_check, round_count, secondary_suppress
from revict.disclosure.curves import control_curve, value_at
from revict.disclosure.rules import DisclosureRules
from revict.disclosure.scan import find_identifiers

__all__ = [
    "DisclosureRules",
    "Line",
    "Released",
    "Suppression",
    "apply_disclosure",
    "control_curve",
    "control_table",
    "dominance_check",
    "find_identifiers",
    "round_count",
    "secondary_suppress",
    "value_at",
]
