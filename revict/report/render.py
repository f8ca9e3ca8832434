"""``render_report``: a released result -> one self-contained, offline HTML file."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from html import escape
from pathlib import Path
from typing import Any

import plotly.offline

from revict._core.errors import DisclosureError
from revict._core.io import write_text_atomic
from revict.disclosure import Released
from revict.report import charts, sections
from revict.report.hidden import hidden_population
from revict.report.html import page, section
from revict.report.i18n import Lang, t
from revict.report.sections import Ctx
from revict.report.spec import ReportSpec

BUILDERS: dict[str, Callable[[Ctx], str]] = {
    "headline": sections.headline,
    "cohort_flow": sections.cohort_flow,
    "descriptives": sections.descriptives,
    "cumulative_incidence": charts.cumulative_incidence,
    "offences": charts.offences,
    "hazard_ratios": charts.hazard_ratios,
    "recurrence": charts.recurrence,
    "perpetrators": charts.perpetrators,
    "hidden_population": hidden_population,
}


def render_html(
    released: Released, spec: ReportSpec, *, lang: Lang | None = None, provenance: Mapping[str, Any] | None = None
) -> str:
    """Build the report's HTML text (see :func:`render_report`)."""
    if not isinstance(released, Released):
        raise DisclosureError(
            "a report can only be made from a Released object",
            hint="Pass the results through revict.disclosure.apply_disclosure first.",
        )
    lang = lang or spec.lang
    ctx = Ctx(data=released.data(), spec=spec, lang=lang)
    body, toc = [], []
    for name in spec.section_list:
        title = t(name, lang)
        content = sections.method(ctx, dict(provenance or {})) if name == "method" else BUILDERS[name](ctx)
        body.append(section(f"s-{name.replace('_', '-')}", title, content))
        toc.append((f"s-{name.replace('_', '-')}", title))
    title = spec.title.nl if lang == "nl" else spec.title.en
    cohort = ctx.data.get("cohort") or {}
    subtitle = ctx.tr(
        f"Cohort “{cohort.get('name', '')}”. Interactive report; works without internet.",
        f"Cohort „{cohort.get('name', '')}”. Interactief rapport; werkt zonder internet.",
    )
    banner = t("synthetic", lang) if released.is_synthetic else ""
    stamp = dt.date.today().isoformat()
    footer = escape(
        ctx.tr(
            f"Made with revict on {stamp}. Disclosure control applied; see “Method and provenance”.",
            f"Gemaakt met revict op {stamp}. Geheimhoudingscontrole toegepast; zie „Methode en herkomst”.",
        )
    )
    return page(
        title=title,
        lang=lang,
        body="".join(body),
        banner=banner,
        toc=toc,
        subtitle=subtitle,
        plotlyjs=plotly.offline.get_plotlyjs(),
        footer=footer,
    )


def render_report(
    released: Released,
    spec: ReportSpec,
    out: str | Path,
    *,
    lang: Lang | None = None,
    provenance: Mapping[str, Any] | None = None,
) -> Path:
    """Write one self-contained offline HTML report of disclosure-controlled results.

    Parameters
    ----------
    released : Released
        From :func:`revict.disclosure.apply_disclosure` (the only accepted input).
    spec : ReportSpec
        Sections, groupings, horizon and title.
    out : str or Path
        The HTML file to write (atomically).
    lang : {"en", "nl"}, optional
        Language of every label and number format (default: ``spec.lang``).
    provenance : mapping, optional
        Extra facts for the method section (e.g. file names), shown as given.

    Returns
    -------
    Path
        The report file. plotly.js is embedded once; no request leaves the page.
    """
    return write_text_atomic(out, render_html(released, spec, lang=lang, provenance=provenance))
