"""Policy report: one self-contained offline HTML file of disclosure-controlled results.

``render_report(released, spec, out, lang=...)`` takes a :class:`revict.disclosure.Released`
(the only road in) and a :class:`ReportSpec` (``reports/*.yaml``) and writes a page with
plotly charts (plotly.js embedded once, no network), Dutch or English labels, a text
description and a CSV download for every chart, and the disclosure rules applied.
"""

from revict.report.render import render_html, render_report
from revict.report.spec import ALL_SECTIONS, ReportSpec, Title, load_report_spec

__all__ = ["ALL_SECTIONS", "ReportSpec", "Title", "load_report_spec", "render_html", "render_report"]
