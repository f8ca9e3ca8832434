"""A self-contained, offline HTML page of a validation report (no scripts, no external assets).

Everything written into the page is escaped; values in it were masked when the checks
were made.
"""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path
from typing import TYPE_CHECKING, Any

from revict._core.io import write_text_atomic

if TYPE_CHECKING:
    from revict.validate.report import Check, ValidationReport

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:1200px;color:#222;
padding:0 1rem;line-height:1.4}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ccc}
.verdict{font-size:1.15rem;padding:.7rem 1rem;border-radius:6px;font-weight:600}
.ok{background:#e6f4ea;color:#1e4620}.bad{background:#fce8e6;color:#8c1d18}
table{border-collapse:collapse;width:100%;font-size:.9rem;margin:.5rem 0}
th,td{border:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums}
.error{color:#b3261e;font-weight:600}.warning{color:#8a5a00;font-weight:600}.passed{color:#1e6b2e}
code{font-size:.85rem}details{margin:.2rem 0}small{color:#555}
"""


def _e(x: Any) -> str:
    return html.escape("" if x is None else str(x), quote=True)


def _status(c: Check) -> str:
    if c.passed:
        return '<span class="passed">skipped</span>' if c.skipped else '<span class="passed">passed</span>'
    return f'<span class="{_e(c.severity)}">{_e(c.severity)}</span>'


def _check_row(c: Check) -> str:
    ex = ""
    if c.examples:
        items = "".join(f"<li>row {e.row}: <code>{_e(e.value)}</code></li>" for e in c.examples)
        ex = f"<details><summary>{len(c.examples)} example(s)</summary><ul>{items}</ul></details>"
    hint = f"<br><small>How to fix: {_e(c.hint)}</small>" if not c.passed else ""
    return (
        f"<tr><td>{_status(c)}</td><td><code>{_e(c.id)}</code><br><small>{_e(c.category)}</small></td>"
        f"<td>{_e(c.source)}</td><td>{_e(c.column or '')}</td>"
        f'<td class="num">{c.failed_rows:,}</td><td class="num">{c.total_rows:,}</td>'
        f"<td>{_e(c.message)}<br><small>{_e(c.description)}</small>{hint}{ex}</td></tr>"
    )


def _checks_table(checks: tuple[Check, ...]) -> str:
    head = (
        "<tr><th>status</th><th>check</th><th>source</th><th>column</th><th>failed</th><th>of</th><th>finding</th></tr>"
    )
    return f"<table>{head}{''.join(_check_row(c) for c in checks)}</table>"


def _files_table(files: dict[str, dict[str, Any]]) -> str:
    rows = "".join(
        f"<tr><td>{_e(s)}</td><td>{_e(f.get('path'))}</td><td class='num'>{int(f.get('rows', 0)):,}</td>"
        f"<td><code>{_e(f.get('sha256'))}</code></td></tr>"
        for s, f in files.items()
    )
    return f"<table><tr><th>source</th><th>file</th><th>rows</th><th>SHA-256</th></tr>{rows}</table>"


def _link_tables(diag: dict[str, Any]) -> str:
    out = []
    for source, entries in diag.get("link_rates", {}).items():
        rows = "".join(
            f"<tr><td>{_e(e['by'])}</td><td>{_e(e['group'])}</td><td class='num'>{e['records']:,}</td>"
            f"<td class='num'>{e['linked']:,}</td><td class='num'>{e['empty_key']:,}</td>"
            f"<td class='num'>{e['key_not_found']:,}</td>"
            f"<td class='num'>{'' if e['link_rate'] is None else format(e['link_rate'], '.1%')}</td></tr>"
            for e in entries
        )
        out.append(
            f"<h3>{_e(source)}</h3><table><tr><th>by</th><th>group</th><th>records</th><th>linked</th>"
            f"<th>empty key</th><th>key not found</th><th>link rate</th></tr>{rows}</table>"
        )
    return "".join(out) or "<p>No linked sources.</p>"


def render_html(report: ValidationReport, *, standalone: bool = True) -> str:
    """Return the report as HTML (a full page, or a fragment for notebooks)."""
    cls = "ok" if report.valid else "bad"
    failed = report.failed()
    passed = tuple(c for c in report.checks if c.passed)
    body = (
        f"<h1>Validation report: schema <code>{_e(report.schema)}</code></h1>"
        f'<p class="verdict {cls}">{_e(report.verdict())}</p>'
        f"<p><small>Made {_e(dt.datetime.now().strftime('%Y-%m-%d %H:%M'))} by revict validate"
        f"{' --deep' if report.deep else ''}. Example values are masked (first and last character, or the "
        "kind of personal data only); row numbers count data rows from 1.</small></p>"
        f"<h2>Files</h2>{_files_table(report.files)}"
        f"<h2>Failed checks ({len(failed)})</h2>{_checks_table(failed) if failed else '<p>None.</p>'}"
        f"<h2>Link rates</h2>{_link_tables(report.diagnostics)}"
        f"<h2>Passed checks ({len(passed)})</h2>{_checks_table(passed)}"
    )
    if not standalone:
        return f"<div>{body}</div>"
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>revict validation: {_e(report.schema)}</title><style>{_CSS}</style></head>"
        f"<body>{body}</body></html>\n"
    )


def write_report_html(report: ValidationReport, path: str | Path) -> Path:
    """Write the standalone page atomically and return the path."""
    return write_text_atomic(path, render_html(report))
