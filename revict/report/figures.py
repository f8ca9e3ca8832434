"""Plotly figures of released results: grouped step curves, stacked bars, forest plot, distributions.

Every figure reads only a :class:`~revict.disclosure.Released` payload. Curves are drawn as
steps from time 0 to where the release stops showing them (``shown_until``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import plotly.graph_objects as go

from revict.report.i18n import Lang, fmt_ci, fmt_num, level_label, t
from revict.report.palette import COLOURS, NEUTRAL, rgba, style_for

DAYS_PER_YEAR = 365.25
#: fewest pooled steps for a group's curve to be drawn (fewer reads as noise)
MIN_POINTS = 3
#: a fixed colour per offence category (serious crimes first), the same in every report
CATEGORY_COLOURS: dict[str, str] = {
    "violence": COLOURS[0],
    "threat": COLOURS[1],
    "exploitation": COLOURS[2],
    "sexual": COLOURS[3],
    "property": COLOURS[4],
    "other": NEUTRAL,
}
Series = tuple[list[float], list[float | None], list[float | None], list[float | None]]


def step_series(curve: Mapping[str, Any], key: str, lo: str, hi: str, *, initial: float, flip: bool = False) -> Series:
    """``(x in years, y, lower, upper)`` of a released step curve, starting at time 0.

    With ``flip`` the curve is ``1 - value`` (survival -> cumulative incidence, limits swapped);
    ``initial`` is the (output) value at time 0.
    """

    def tr(v: Any) -> float | None:
        if v is None:
            return None
        return round(1 - float(v) if flip else float(v), 5)

    times = [round(float(x) / DAYS_PER_YEAR, 4) for x in curve.get("time", [])]
    ys = [tr(v) for v in curve.get(key, [])]
    los = [tr(v) for v in curve.get(hi if flip else lo, [])]
    his = [tr(v) for v in curve.get(lo if flip else hi, [])]
    until = round(float(curve.get("shown_until") or 0) / DAYS_PER_YEAR, 4)
    until = max(until, times[-1] if times else 0.0)
    x = [0.0, *times, until]
    y = [initial, *ys, ys[-1] if ys else initial]
    lower = [initial, *los, los[-1] if los else initial]
    upper = [initial, *his, his[-1] if his else initial]
    return x, y, lower, upper


def add_band_and_line(
    fig: go.Figure,
    s: Series,
    *,
    name: str,
    colour: str,
    dash: str,
    grouping: str,
    visible: bool,
    hover: str,
    legend: bool = True,
    band: bool = True,
) -> None:
    """Add a confidence band (filled between the limits) and the estimate as a line.

    The points are the pooled steps of the released curve (each holds at least ``min_cell``
    events), joined by straight lines: between two points the estimator lies between their
    values, and a flat-then-jump drawing would suggest nothing happened in between.
    """
    x, y, lo, hi = s
    ymax = max((v for v in hi if v is not None), default=0.0)
    meta = {"grouping": grouping, "ymax": ymax}
    if band:
        fig.add_trace(
            go.Scatter(
                x=x,
                y=lo,
                mode="lines",
                line={"width": 0},
                hoverinfo="skip",
                showlegend=False,
                visible=visible,
                meta=meta,
                legendgroup=name,
            )
        )
        fig.add_trace(
            go.Scatter(
                x=x,
                y=hi,
                mode="lines",
                line={"width": 0},
                fill="tonexty",
                fillcolor=rgba(colour, 0.14),
                hoverinfo="skip",
                showlegend=False,
                visible=visible,
                meta=meta,
                legendgroup=name,
            )
        )
    custom = [[a, b] for a, b in zip(lo, hi, strict=True)]
    fig.add_trace(
        go.Scatter(
            x=x,
            y=y,
            mode="lines",
            name=name,
            line={"color": colour, "dash": dash, "width": 2.6},
            customdata=custom,
            hovertemplate=hover,
            visible=visible,
            meta=meta,
            legendgroup=name,
            showlegend=legend,
        )
    )


def grouped_figure(
    groups: Mapping[str, Mapping[str, Any]],
    order: Sequence[str],
    series: Callable[[Mapping[str, Any]], Series | None],
    *,
    lang: Lang,
    y_title: str,
    hover_value: str,
    horizon: float,
    extra: Callable[[go.Figure, str, bool], None] | None = None,
    y_format: str = ".0%",
) -> tuple[go.Figure, list[list[Any]]]:
    """One figure holding every grouping's curves; only the first grouping visible.

    Returns the figure and the CSV rows of everything it can show.
    """
    fig = go.Figure()
    rows: list[list[Any]] = []
    y_max = 0.0
    for gi, g in enumerate(order):
        visible = gi == 0
        for li, (lv, curve) in enumerate(groups.get(g, {}).items()):
            s = series(curve)
            if s is None or len(s[0]) < MIN_POINTS + 2:  # too few pooled steps to draw a meaningful line
                continue
            name = level_label(g, lv, lang)
            colour, dash = style_for(li, lv) if g != "all" else (NEUTRAL, "solid")
            hover = (
                f"<b>{name}</b><br>{t('year', lang)} %{{x:.1f}}<br>{hover_value}: %{{y:{y_format}}}"
                f"<br>{t('ci_short', lang)} %{{customdata[0]:{y_format}}}–%{{customdata[1]:{y_format}}}"
                "<extra></extra>"
            )
            add_band_and_line(fig, s, name=name, colour=colour, dash=dash, grouping=g, visible=visible, hover=hover)
            if visible:
                y_max = max(y_max, *(v for v in s[3] if v is not None))
            rows += [[g, lv, round(x, 4), y, lo, hi] for x, y, lo, hi in zip(*s, strict=True)]
        if extra is not None:
            extra(fig, g, visible)
    fig.update_layout(
        xaxis={"title": {"text": t("years_since", lang)}, "range": [0, horizon], "dtick": 1},
        yaxis={
            "title": {"text": y_title},
            "tickformat": y_format,
            "rangemode": "tozero",
            "range": [0, max(0.05, y_max * 1.08)],
        },
    )
    return fig, rows


def offences_figure(rows: Sequence[Mapping[str, Any]], lang: Lang) -> tuple[go.Figure, list[list[Any]], int]:
    """Stacked bars: re-victimisations per year since registration, by type of crime.

    Returns the figure, the CSV rows (suppressed cells as ``<10``) and the number of hidden cells.
    """
    present = list(dict.fromkeys(str(r.get("category")) for r in rows))
    cats = [c for c in CATEGORY_COLOURS if c in present] + [c for c in present if c not in CATEGORY_COLOURS]
    fig = go.Figure()
    csv_rows: list[list[Any]] = []
    hidden = 0
    for ci, cat in enumerate(cats):
        xs, ys = [], []
        for r in rows:
            if str(r.get("category")) != cat:
                continue
            n = r.get("n_events")
            csv_rows.append([r.get("year_since_index"), cat, n, r.get("n_persons")])
            if isinstance(n, int):
                xs.append(r.get("year_since_index"))
                ys.append(n)
            else:
                hidden += 1
        label = level_label("category", cat, lang)
        fig.add_trace(
            go.Bar(
                x=xs,
                y=ys,
                name=label,
                marker={"color": CATEGORY_COLOURS.get(cat, COLOURS[ci % 7]), "line": {"color": "#FFFFFF", "width": 1}},
                hovertemplate=f"<b>{label}</b><br>{t('year_since', lang)} %{{x}}<br>"
                f"{t('n_events', lang)}: %{{y:,}}<extra></extra>",
            )
        )
    fig.update_layout(
        barmode="stack",
        xaxis={"title": {"text": t("year_since", lang)}, "dtick": 1},
        yaxis={"title": {"text": t("n_events", lang)}, "tickformat": ",d"},
    )
    return fig, csv_rows, hidden


def forest_figure(
    terms: Sequence[Mapping[str, Any]],
    references: Mapping[str, str],
    lang: Lang,
) -> tuple[go.Figure, list[list[Any]], list[str]]:
    """Hazard ratios with 95% CI on a log axis, labelled in plain language.

    Returns the figure, the CSV rows and one plain sentence per term.
    """
    labels: list[str] = []
    hr: list[float] = []
    lo: list[float] = []
    hi: list[float] = []
    texts: list[str] = []
    csv_rows: list[list[Any]] = []
    sentences: list[str] = []
    for term in terms:
        cov, _, level = str(term["term"]).partition("=")
        vals = [term.get("hr"), term.get("ci_lower"), term.get("ci_upper")]
        if not all(isinstance(v, int | float) for v in vals):
            continue
        h, a, b = (float(v or 0.0) for v in vals)
        ref = references.get(cov)
        lab = level_label(cov, level, lang)
        ref_label = level_label(cov, ref, lang) if ref else ""
        if cov == "age_group" and ref_label.startswith("Aged "):
            ref_label = ref_label.removeprefix("Aged ") + " year-olds"
        elif cov != "origin":
            ref_label = ref_label[:1].lower() + ref_label[1:]
        label = f"{lab} ({t('vs', lang)} {ref_label})" if ref else lab
        change = (h - 1) * 100
        word = t("higher", lang) if h >= 1 else t("lower", lang)
        sentence = (
            f"{label}: {fmt_num(abs(change), lang)}% {word} "
            f"(HR {fmt_num(h, lang, 2)}, {t('ci_short', lang)} {fmt_ci(a, b, lang, 2, pct=False)})"
        )
        labels.append(label)
        hr.append(h)
        lo.append(h - a)
        hi.append(b - h)
        texts.append(sentence)
        sentences.append(sentence)
        csv_rows.append([term["term"], h, a, b, term.get("p")])
    fig = go.Figure(
        go.Scatter(
            x=hr,
            y=labels,
            mode="markers",
            marker={"color": "#0072B2", "size": 11, "symbol": "square"},
            error_x={
                "type": "data",
                "symmetric": False,
                "array": hi,
                "arrayminus": lo,
                "color": "#0072B2",
                "thickness": 2.2,
                "width": 6,
            },
            text=texts,
            hovertemplate="%{text}<extra></extra>",
            showlegend=False,
        )
    )
    fig.add_vline(x=1, line={"color": NEUTRAL, "dash": "dash", "width": 1.5})
    span = (
        min([*(h - a for h, a in zip(hr, lo, strict=True)), 0.8]),
        max([*(h + b for h, b in zip(hr, hi, strict=True)), 1.25]),
    )
    ticks = [
        v
        for v in (0.1, 0.2, 0.25, 0.33, 0.5, 0.67, 0.75, 1, 1.5, 2, 3, 4, 5, 10)
        if span[0] * 0.9 <= v <= span[1] * 1.1
    ]
    fig.update_layout(
        xaxis={
            "type": "log",
            "title": {"text": t("hr_axis", lang)},
            "tickvals": ticks,
            "ticktext": [fmt_num(v, lang, 2 if v < 1 else (1 if v % 1 else 0)) for v in ticks],
        },
        yaxis={"autorange": "reversed", "automargin": True},
        height=max(260, 60 + 44 * len(labels)),
        margin={"l": 20},
    )
    return fig, csv_rows, sentences


def distribution_figure(
    dist: Mapping[str, Any], *, x_title: str, y_title: str, lang: Lang, colour: str = "#0072B2"
) -> tuple[go.Figure, list[list[Any]]]:
    """Bars of a top-coded distribution (suppressed classes listed but not drawn)."""
    labels = [str(x).replace("-", "–") for x in dist.get("labels", [])]
    counts = list(dist.get("counts", []))
    xs = [lb for lb, c in zip(labels, counts, strict=True) if isinstance(c, int)]
    ys = [c for c in counts if isinstance(c, int)]
    fig = go.Figure(
        go.Bar(
            x=xs,
            y=ys,
            text=ys,
            texttemplate="%{y:,}",
            textposition="outside",
            cliponaxis=False,
            marker={"color": colour},
            showlegend=False,
            hovertemplate=f"{x_title}: %{{x}}<br>{y_title}: %{{y:,}}<extra></extra>",
        )
    )
    fig.update_layout(
        xaxis={"title": {"text": x_title}, "type": "category"},
        yaxis={"title": {"text": y_title}, "tickformat": ",d"},
        height=360,
    )
    return fig, [[lb, c] for lb, c in zip(labels, counts, strict=True)]


def fmt_pct_csv(v: float | None) -> float | None:
    """Round a proportion for CSV output."""
    return None if v is None else round(float(v), 6)


__all__ = [
    "add_band_and_line",
    "distribution_figure",
    "forest_figure",
    "fmt_pct_csv",
    "grouped_figure",
    "offences_figure",
    "step_series",
]
