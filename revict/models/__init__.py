"""Survival models of re-victimisation, verified against R's ``survival`` and ``cmprsk``.

First event: :func:`kaplan_meier`, :func:`aalen_johansen`, :func:`logrank_test`,
:func:`cox_ph` (with R's ``cox.zph``), :func:`rmst`. Recurrent events:
:func:`mean_cumulative_function`, :func:`andersen_gill`, :func:`pwp_gap_time`.
Everything at once on a cohort: :func:`analyse` -> :class:`AnalysisResult`.
"""

from revict.models.analyse import AnalysisResult, analyse
from revict.models.competing import AalenJohansen, AJResult, aalen_johansen
from revict.models.cox import CoxPH, CoxResult, cox_ph
from revict.models.km import KaplanMeier, KMResult, RMSTResult, kaplan_meier, rmst
from revict.models.logrank import LogRankResult, logrank_test
from revict.models.recurrent import MCFResult, andersen_gill, mean_cumulative_function, pwp_gap_time

__all__ = [
    "AJResult",
    "AnalysisResult",
    "AalenJohansen",
    "CoxPH",
    "CoxResult",
    "KMResult",
    "KaplanMeier",
    "LogRankResult",
    "MCFResult",
    "RMSTResult",
    "aalen_johansen",
    "analyse",
    "andersen_gill",
    "cox_ph",
    "kaplan_meier",
    "logrank_test",
    "mean_cumulative_function",
    "pwp_gap_time",
    "rmst",
]
