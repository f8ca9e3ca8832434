"""The disclosure-control settings: one pydantic model, every rule a setting.

Defaults are those of the output checkers used in secure research environments
(threshold 10, dominance 2/90 %, p-ratio 10 %).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from revict._core.model import RevictModel


class DisclosureRules(RevictModel):
    """Settings of statistical disclosure control applied before anything enters a report.

    Attributes
    ----------
    min_cell : int
        Smallest count of persons (or events) that may be shown; smaller counts are
        shown as ``"<min_cell"`` and protected by secondary suppression.
    rounding : {None, 5, 10}
        Round every released count to this base (never below ``min_cell``).
    min_at_risk : int or None
        Cut a curve where fewer than this many are at risk (default ``min_cell``).
    min_events_per_step : int or None
        Pool consecutive curve steps until each shown step has at least this many
        events (default ``min_cell``).
    dominance_n, dominance_pct : int, float
        An average over persons is suppressed when its ``dominance_n`` largest
        contributors make up ``dominance_pct`` % or more of the total.
    p_ratio_pct : float
        An average over persons is suppressed when the total minus the two largest
        contributors is less than ``p_ratio_pct`` % of the largest one (the second
        largest could then estimate the largest too closely).
    top_code : bool
        Collapse the upper tail of a distribution into one ``"≥ k"`` class holding at
        least ``min_cell`` units; maxima are never published either way.
    suppress_zeros : bool
        Treat a zero count as a small count (shown as ``"<min_cell"``).
    """

    min_cell: Annotated[int, Field(ge=1, description="Smallest count that may be shown.")] = 10
    rounding: Literal[5, 10] | None = Field(default=None, description="Round released counts to base 5 or 10.")
    min_at_risk: Annotated[int, Field(ge=1)] | None = Field(
        default=None, description="Cut curves where fewer are at risk (default: min_cell)."
    )
    min_events_per_step: Annotated[int, Field(ge=1)] | None = Field(
        default=None, description="Pool curve steps until each has this many events (default: min_cell)."
    )
    dominance_n: Annotated[int, Field(ge=1)] = 2
    dominance_pct: Annotated[float, Field(gt=0, le=100)] = 90.0
    p_ratio_pct: Annotated[float, Field(ge=0, le=100)] = 10.0
    top_code: bool = True
    suppress_zeros: bool = True

    @property
    def at_risk_threshold(self) -> int:
        """Fewest at risk for a curve point to be shown."""
        return self.min_at_risk if self.min_at_risk is not None else self.min_cell

    @property
    def events_threshold(self) -> int:
        """Fewest events a shown curve step must hold."""
        return self.min_events_per_step if self.min_events_per_step is not None else self.min_cell

    @property
    def suppressed_label(self) -> str:
        """How a suppressed count is shown, e.g. ``"<10"``."""
        return f"<{self.min_cell}"
