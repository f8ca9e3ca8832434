"""Multiple systems estimation: how many victims are not seen by any organisation.

Flow::

    victim_registrations.reporter --capture_histories--> OverlapTable(s)
    list-overlap CSV --------------read_overlap_table--> OverlapTable
    OverlapTable --estimate_population--> MSEResult (.to_dict() -> results.json "hidden_population")
    CaptureHistories --estimate_stratified--> StratifiedMSEResult (strata add up)
    Sources + cohort's hidden: block --estimate_from_registers--> RegisterEstimate (the CLI's path)

Poisson log-linear models over capture histories (statsmodels GLM), two-list
interactions chosen stepwise (SparseMSE rule, p < 0.02) or by AIC/BIC, with the
existence and identifiability checks of Chan, Silverman & Vincent (2021).
"""

from revict.hidden.candidates import CandidateModel, evaluate_model
from revict.hidden.estimate import CAVEATS, MSEResult, estimate_population
from revict.hidden.histories import DEFAULT_LIST_MAP, CaptureHistories, capture_histories
from revict.hidden.intervals import Interval
from revict.hidden.registers import RegisterEstimate, estimate_from_registers
from revict.hidden.stratified import StratifiedMSEResult, estimate_stratified
from revict.hidden.table import OverlapTable, read_overlap_table, table_from_frame

__all__ = [
    "CAVEATS",
    "DEFAULT_LIST_MAP",
    "CandidateModel",
    "CaptureHistories",
    "Interval",
    "MSEResult",
    "OverlapTable",
    "RegisterEstimate",
    "StratifiedMSEResult",
    "capture_histories",
    "estimate_from_registers",
    "estimate_population",
    "estimate_stratified",
    "evaluate_model",
    "read_overlap_table",
    "table_from_frame",
]
