"""HTML building blocks: escaping, the chart frame with download link and description, tables, page."""

from __future__ import annotations

import base64
import csv
import io
from collections.abc import Sequence
from html import escape
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio

from revict.report.i18n import Lang, fmt_num, separators, t
from revict.report.palette import TEXT

PLOT_CONFIG = {
    "displaylogo": False,
    "responsive": True,
    "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"],
}


def base_layout(lang: Lang, **kw: Any) -> dict[str, Any]:
    """Plain, readable layout: no template, language separators, legend on top."""
    layout: dict[str, Any] = {
        "template": "none",
        "separators": separators(lang),
        "paper_bgcolor": "#FFFFFF",
        "plot_bgcolor": "#FFFFFF",
        "font": {
            "family": "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif",
            "size": 14,
            "color": TEXT,
        },
        "margin": {"l": 70, "r": 20, "t": 30, "b": 60},
        "height": 440,
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, "font": {"size": 13}},
        "hoverlabel": {"bgcolor": "#FFFFFF", "font": {"color": TEXT, "size": 13}},
        "xaxis": {"gridcolor": "#E6E6E6", "linecolor": "#767676", "zeroline": False, "ticks": "outside"},
        "yaxis": {"gridcolor": "#E6E6E6", "linecolor": "#767676", "zeroline": False, "ticks": "outside"},
    }
    for key, value in kw.items():
        if isinstance(value, dict) and isinstance(layout.get(key), dict):
            layout[key] = {**layout[key], **value}
        else:
            layout[key] = value
    return layout


def csv_data_uri(header: Sequence[str], rows: Sequence[Sequence[Any]], lang: Lang) -> str:
    """Return a ``data:`` URI holding a CSV (``;`` and decimal comma in Dutch, for spreadsheet programs)."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";" if lang == "nl" else ",", lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_cell(v, lang) for v in row])
    payload = base64.b64encode(("\ufeff" + buf.getvalue()).encode("utf-8")).decode("ascii")
    return "data:text/csv;charset=utf-8;base64," + payload


def _csv_cell(v: Any, lang: Lang) -> Any:
    if isinstance(v, float):
        text = f"{v:.6g}"
        return text.replace(".", ",") if lang == "nl" else text
    return "" if v is None else v


def chart(
    fig: go.Figure,
    *,
    fig_id: str,
    title: str,
    description: str | Sequence[tuple[str, str]],
    csv_uri: str,
    csv_name: str,
    lang: Lang,
    note: str = "",
    switch: str = "",
) -> str:
    """Wrap a chart in a ``<figure>``: title, the plot, a text description, a download link.

    ``description`` is a text, or ``(grouping, text)`` pairs shown one at a time by the
    selector ``switch`` (the first visible initially).
    """
    plot = pio.to_html(fig, full_html=False, include_plotlyjs=False, div_id=fig_id, config=PLOT_CONFIG, validate=False)
    extra = f'<p class="note">{escape(note)}</p>' if note else ""
    return (
        f'<figure class="chart" aria-labelledby="{fig_id}-title" aria-describedby="{fig_id}-desc">'
        f'<figcaption id="{fig_id}-title">{escape(title)}</figcaption>'
        f'<div class="plot" data-chart="{fig_id}">{plot}</div>'
        f'<div class="desc" id="{fig_id}-desc" aria-live="polite">{_desc(description, switch)}</div>{extra}'
        f'<a class="download" download="{escape(csv_name)}.csv" href="{csv_uri}">{escape(t("download", lang))}</a>'
        "</figure>"
    )


def _desc(description: str | Sequence[tuple[str, str]], switch: str) -> str:
    if isinstance(description, str):
        return f"<p>{escape(description)}</p>"
    return "".join(
        f'<p data-switch="{switch}" data-grouping="{escape(g)}"{"" if i == 0 else " hidden"}>{escape(text)}</p>'
        for i, (g, text) in enumerate(description)
    )


def table(
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    lang: Lang,
    *,
    caption: str = "",
    first_col_header: bool = True,
    cls: str = "",
) -> str:
    """Return an accessible HTML table (caption, ``th scope``), numbers right-aligned in the language's format."""
    head = "".join(f'<th scope="col">{escape(str(h))}</th>' for h in header)
    body = []
    for row in rows:
        cells = []
        for j, v in enumerate(row):
            if j == 0 and first_col_header:
                cells.append(f'<th scope="row">{escape(str(v))}</th>')
            elif isinstance(v, int | float) and not isinstance(v, bool):
                cells.append(f'<td class="num">{escape(fmt_num(v, lang))}</td>')
            else:
                cells.append(f'<td class="num">{escape(str(v))}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    cap = f"<caption>{escape(caption)}</caption>" if caption else ""
    return (
        f'<div class="table-wrap" tabindex="0" role="region" aria-label="{escape(caption or header[0])}">'
        f'<table class="{cls}">{cap}<thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>'
    )


def section(sec_id: str, title: str, body: str) -> str:
    """Return a report section with a heading that the table of contents links to."""
    return (
        f'<section id="{sec_id}" aria-labelledby="{sec_id}-h"><h2 id="{sec_id}-h">{escape(title)}</h2>{body}</section>'
    )


def selector(sel_id: str, label: str, options: Sequence[tuple[str, str]], targets: Sequence[str]) -> str:
    """Return a keyboard-reachable ``<select>`` that switches the grouping of the target charts."""
    opts = "".join(f'<option value="{escape(v)}">{escape(lb)}</option>' for v, lb in options)
    return (
        f'<div class="selector"><label for="{sel_id}">{escape(label)}</label> '
        f'<select id="{sel_id}" data-figs="{" ".join(targets)}">{opts}</select></div>'
    )


CSS = """
:root{--text:#1A1A1A;--muted:#4D4D4D;--line:#D0D0D0;--accent:#0072B2;--bg:#FFFFFF;--soft:#F4F6F8}
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;color:var(--text);
background:var(--bg);line-height:1.5;font-size:17px}
header.top{padding:24px 32px 8px;border-bottom:1px solid var(--line)}
header.top h1{margin:0 0 4px;font-size:1.7rem;line-height:1.25}
header.top p{margin:0;color:var(--muted)}
.banner{background:#7A1F00;color:#FFFFFF;padding:10px 32px;font-weight:700;letter-spacing:.02em}
nav.toc{padding:8px 32px;border-bottom:1px solid var(--line);background:var(--soft)}
nav.toc ol{margin:0;padding:0;list-style:none;display:flex;flex-wrap:wrap;gap:4px 18px}
nav.toc a{color:var(--accent)}
main{max-width:1180px;margin:0 auto;padding:8px 32px 48px}
section{padding:18px 0 26px;border-bottom:1px solid var(--line)}
h2{font-size:1.35rem;margin:8px 0 10px}
a{color:var(--accent)}
a:focus,select:focus,[tabindex]:focus{outline:3px solid #BD5300;outline-offset:2px}
.lead{font-size:1.15rem;max-width:60em}
.kpi{display:flex;flex-wrap:wrap;gap:16px;margin:12px 0}
.kpi .card{border:1px solid var(--line);border-radius:8px;padding:14px 18px;min-width:220px;flex:1;
background:var(--soft)}
.kpi .big{font-size:2.4rem;font-weight:700;color:var(--text);line-height:1.1}
.kpi .label{color:var(--muted);font-size:.95rem}
.kpi .sentence{font-size:1.05rem;margin-top:6px}
figure.chart{margin:10px 0 18px;padding:0}
figure.chart figcaption{font-weight:700;font-size:1.05rem;margin-bottom:4px}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:20px}
@media (max-width:1000px){.pair{grid-template-columns:1fr}}
.desc{color:var(--text);font-size:.95rem;max-width:70em;margin:6px 0}
.desc p{margin:0}
.note{color:var(--muted);font-size:.9rem;margin:4px 0}
.download{display:inline-block;font-size:.92rem;margin-top:2px}
.selector{margin:6px 0 10px;font-size:1rem}
.selector select{font-size:1rem;padding:4px 8px;border:1px solid #767676;border-radius:4px;background:#FFFFFF;
color:var(--text)}
.table-wrap{overflow-x:auto;margin:8px 0 14px}
table{border-collapse:collapse;font-size:.95rem}
caption{text-align:left;font-weight:600;padding:4px 0;color:var(--text)}
th,td{padding:4px 10px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
td.num{text-align:right;font-variant-numeric:tabular-nums}
thead th{border-bottom:2px solid #767676}
tbody th{font-weight:500}
tr.block th{background:var(--soft);font-weight:700}
ol.flow{list-style:none;padding:0;margin:10px 0;max-width:760px}
ol.flow li.step{border:2px solid var(--accent);border-radius:8px;padding:8px 14px;background:#FFFFFF}
ol.flow li.step .n{font-size:1.3rem;font-weight:700}
ol.flow li.arrow{padding:4px 0 4px 28px;color:var(--muted);font-size:.95rem}
ol.flow li.arrow::before{content:'↓ ';font-size:1.2rem;color:var(--text)}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px}
dl.facts dt{font-weight:600}
dl.facts dd{margin:0;overflow-wrap:anywhere}
.na{color:var(--muted);font-style:italic}
footer{max-width:1180px;margin:0 auto;padding:12px 32px 40px;color:var(--muted);font-size:.9rem}
"""

JS = """
(function(){
  function apply(sel){
    var g = sel.value;
    (sel.getAttribute('data-figs')||'').split(' ').forEach(function(id){
      var gd = document.getElementById(id);
      if(!gd || !gd.data){return;}
      var vis = gd.data.map(function(tr){return !!(tr.meta && tr.meta.grouping === g);});
      var ymax = 0;
      gd.data.forEach(function(tr, i){ if(vis[i] && tr.meta && tr.meta.ymax > ymax){ ymax = tr.meta.ymax; } });
      Plotly.restyle(gd, {visible: vis});
      if(ymax > 0){ Plotly.relayout(gd, {'yaxis.range': [0, ymax * 1.08]}); }
    });
    document.querySelectorAll('[data-switch="'+sel.id+'"]').forEach(function(el){
      el.hidden = el.getAttribute('data-grouping') !== g;
    });
  }
  document.querySelectorAll('select[data-figs]').forEach(function(sel){
    sel.addEventListener('change', function(){apply(sel);});
  });
})();
"""


def page(
    *,
    title: str,
    lang: Lang,
    body: str,
    banner: str,
    toc: Sequence[tuple[str, str]],
    subtitle: str,
    plotlyjs: str,
    footer: str,
) -> str:
    """Assemble the whole document: plotly.js inlined exactly once, in the head; nothing loaded from elsewhere."""
    items = "".join(f'<li><a href="#{sid}">{escape(label)}</a></li>' for sid, label in toc)
    ban = f'<div class="banner" role="note">{escape(banner)}</div>' if banner else ""
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'unsafe-inline' "
        "'unsafe-eval'; style-src 'unsafe-inline'; img-src data: blob:; font-src data:; connect-src 'none'\">"
        f"<title>{escape(title)}</title><style>{CSS}</style>"
        f'<script type="text/javascript">{plotlyjs}</script></head><body>'
        f'{ban}<header class="top"><h1>{escape(title)}</h1><p>{escape(subtitle)}</p></header>'
        f'<nav class="toc" aria-label="{escape(t("contents", lang))}"><ol>{items}</ol></nav>'
        f'<main id="main">{body}</main><footer>{footer}</footer>'
        f'<script type="text/javascript">{JS}</script></body></html>'
    )
