"""Report sections with charts: curves with a grouping selector, crimes, hazard ratios, MCF, perpetrators."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

import plotly.graph_objects as go

from revict.report.figures import (
    MIN_POINTS,
    distribution_figure,
    forest_figure,
    grouped_figure,
    offences_figure,
    step_series,
)
from revict.report.html import base_layout, chart, csv_data_uri, selector, table
from revict.report.i18n import fmt_ci, fmt_num, fmt_pct, grouping_label, level_label, t
from revict.report.palette import NEUTRAL
from revict.report.sections import Ctx, group_order, na, yearly

CSV_CURVE = ["grouping", "level", "time_years", "estimate", "lower", "upper"]


def _groupings(ctx: Ctx, available: dict[str, Any]) -> list[str]:
    order = ["all", *[g for g in ctx.spec.groupings if g in available]]
    return [g for g in order if available.get(g)]


def _ordered(ctx: Ctx, groups: dict[str, dict[str, Any]], g: str) -> dict[str, Any]:
    """Return a grouping's curves, largest group first."""
    order = group_order(ctx, g)
    levels = groups.get(g, {})
    return {lv: levels[lv] for lv in [*order, *sorted(set(levels) - set(order))] if lv in levels}


def _describe_ci(ctx: Ctx, g: str) -> str:
    h = ctx.spec.horizon_years
    parts = []
    for lv in group_order(ctx, g):
        r = yearly(ctx, g, lv, h)
        if r is not None:
            parts.append(
                f"{level_label(g, lv, ctx.lang)} {fmt_pct(r['estimate'], ctx.lang)} "
                f"({t('ci_short', ctx.lang)} {fmt_ci(r['ci_lower'], r['ci_upper'], ctx.lang)})"
            )
    by = (
        ctx.tr("for the whole cohort", "voor het hele cohort")
        if g == "all"
        else ctx.tr(f"by {grouping_label(g, 'en').lower()}", f"naar {grouping_label(g, 'nl').lower()}")
    )
    lead = ctx.tr(
        f"Line chart of the cumulative percentage of people who became a victim again, {by}, from "
        f"registration up to {h} years. The shaded band is the 95% confidence interval. After {h} years: ",
        f"Lijngrafiek van het cumulatieve percentage mensen dat opnieuw slachtoffer werd, {by}, vanaf "
        f"registratie tot {h} jaar. De gekleurde band is het 95%-betrouwbaarheidsinterval. Na {h} jaar: ",
    )
    tail = "; ".join(parts) if parts else ctx.tr("not shown (too few people).", "niet getoond (te weinig personen).")
    km = ((ctx.data.get("first_event") or {}).get("km") or {}).get(g, {})
    undrawn = [
        level_label(g, lv, ctx.lang)
        for lv in group_order(ctx, g)
        if len((km.get(lv) or {}).get("time") or []) < MIN_POINTS
    ]
    if undrawn:
        tail += ctx.tr(
            f". Too few events to draw a line for: {', '.join(undrawn)}",
            f". Te weinig gebeurtenissen voor een lijn bij: {', '.join(undrawn)}",
        )
    return lead + tail + "."


def _at_risk_tables(ctx: Ctx, groupings: list[str], sel_id: str) -> str:
    ci = (ctx.data.get("first_event") or {}).get("cumulative_incidence") or {}
    out = []
    for gi, g in enumerate(groupings):
        levels = group_order(ctx, g)
        years = sorted({int(y) for lv in levels for y in ci[g][lv]})
        rows = [
            [level_label(g, lv, ctx.lang), *[ci[g][lv].get(str(y), {}).get("at_risk", "–") for y in years]]
            for lv in levels
        ]
        header = [t("group", ctx.lang), *[f"{t('year', ctx.lang)} {y}" for y in years]]
        hidden = "" if gi == 0 else " hidden"
        out.append(
            f'<div data-switch="{sel_id}" data-grouping="{escape(g)}"{hidden}>'
            + table(header, rows, ctx.lang, caption=t("at_risk", ctx.lang), cls="atrisk")
            + "</div>"
        )
    return "".join(out)


def cumulative_incidence(ctx: Ctx) -> str:
    """1 − KM per group with CI bands and a selector, numbers at risk, and the competing-risk version."""
    fe = ctx.data.get("first_event") or {}
    km = fe.get("km") or {}
    groupings = _groupings(ctx, km)
    if not groupings:
        return na(ctx)
    h = float(ctx.spec.horizon_years)
    ordered = {g: _ordered(ctx, km, g) for g in groupings}
    fig, rows = grouped_figure(
        ordered,
        groupings,
        lambda c: step_series(c, "surv", "lower", "upper", initial=0.0, flip=True),
        lang=ctx.lang,
        y_title=t("cum_pct", ctx.lang),
        hover_value=t("cum_pct", ctx.lang),
        horizon=h,
    )
    fig.update_layout(
        base_layout(ctx.lang, xaxis=fig.layout.xaxis.to_plotly_json(), yaxis=fig.layout.yaxis.to_plotly_json())
    )
    sel = "sel-ci"
    how = ctx.tr(
        "How to read this: each line starts at 0% at registration and rises each time people in that group "
        "become a victim again. The higher the line, the more people were victimised again; the steeper, the "
        "faster. Lines stop where too few people are still followed.",
        "Zo leest u dit: elke lijn begint bij 0% op het moment van registratie en stijgt telkens als mensen in "
        "die groep opnieuw slachtoffer worden. Hoe hoger de lijn, hoe meer mensen opnieuw slachtoffer werden; "
        "hoe steiler, hoe sneller. Lijnen stoppen waar te weinig mensen nog gevolgd worden.",
    )
    main = chart(
        fig,
        fig_id="fig-ci",
        title=t("cum_pct", ctx.lang),
        description=[(g, _describe_ci(ctx, g)) for g in groupings],
        switch=sel,
        csv_uri=csv_data_uri(CSV_CURVE, rows, ctx.lang),
        csv_name="cumulative-incidence",
        lang=ctx.lang,
    )
    cr_html, cr_id = _competing(ctx, groupings, h)
    targets = ["fig-ci", *([cr_id] if cr_id else [])]
    options = [(g, grouping_label(g, ctx.lang)) for g in groupings]
    return (
        f"<p>{escape(how)}</p>"
        + selector(sel, t("show_by", ctx.lang), options, targets)
        + f'<div class="pair"><div>{main}</div><div>{cr_html}</div></div>'
        + _at_risk_tables(ctx, groupings, sel)
    )


def _competing(ctx: Ctx, groupings: list[str], h: float) -> tuple[str, str | None]:
    cr = (ctx.data.get("first_event") or {}).get("competing_risks") or {}
    outcome = {g: {lv: v["outcome"] for lv, v in _ordered(ctx, cr, g).items() if "outcome" in v} for g in groupings}
    if not any(outcome.values()):
        return na(ctx), None
    death_all = (cr.get("all", {}).get("all") or {}).get("death")

    def add_death(fig: go.Figure, g: str, visible: bool) -> None:
        if g == "all" and death_all:
            x, y, _, _ = step_series(death_all, "cif", "lower", "upper", initial=0.0)
            fig.add_trace(
                go.Scatter(
                    x=x,
                    y=y,
                    mode="lines",
                    name=t("died", ctx.lang),
                    line={"color": NEUTRAL, "dash": "dot", "width": 2, "shape": "hv"},
                    visible=visible,
                    meta={"grouping": g},
                    hovertemplate=f"{t('died', ctx.lang)}<br>{t('year', ctx.lang)} %{{x:.1f}}: "
                    "%{y:.1%}<extra></extra>",
                )
            )

    fig, rows = grouped_figure(
        outcome,
        groupings,
        lambda c: step_series(c, "cif", "lower", "upper", initial=0.0),
        lang=ctx.lang,
        y_title=t("cum_pct", ctx.lang),
        hover_value=t("cum_pct", ctx.lang),
        horizon=h,
        extra=add_death,
    )
    fig.update_layout(
        base_layout(ctx.lang, xaxis=fig.layout.xaxis.to_plotly_json(), yaxis=fig.layout.yaxis.to_plotly_json())
    )
    desc = ctx.tr(
        "The same question, but counting people who died first as not re-victimised (Aalen–Johansen cumulative "
        "incidence with death as a competing risk). The dotted grey line (whole cohort) shows the share who "
        "died before becoming a victim again.",
        "Dezelfde vraag, maar mensen die eerst overleden tellen als niet opnieuw slachtoffer (Aalen–Johansen, "
        "met overlijden als concurrerend risico). De grijze stippellijn (hele cohort) toont het aandeel dat "
        "overleed voordat het opnieuw slachtoffer werd.",
    )
    html = chart(
        fig,
        fig_id="fig-cr",
        title=t("cif_pct", ctx.lang),
        description=desc,
        csv_uri=csv_data_uri(CSV_CURVE, rows, ctx.lang),
        csv_name="competing-risks",
        lang=ctx.lang,
    )
    return html, "fig-cr"


def offences(ctx: Ctx) -> str:
    """Offence categories of re-victimisations per year since registration."""
    rows = (ctx.data.get("recurrent") or {}).get("offence_by_year") or []
    if not rows:
        return na(ctx)
    fig, csv_rows, hidden = offences_figure(rows, ctx.lang)
    fig.update_layout(
        base_layout(
            ctx.lang,
            xaxis=fig.layout.xaxis.to_plotly_json(),
            yaxis=fig.layout.yaxis.to_plotly_json(),
            barmode="stack",
            legend={"traceorder": "normal"},
        )
    )
    totals: dict[str, int] = {}
    for r in rows:
        if isinstance(r.get("n_events"), int):
            totals[r["category"]] = totals.get(r["category"], 0) + r["n_events"]
    top = sorted(totals.items(), key=lambda kv: -kv[1])[:3]
    top_txt = ", ".join(f"{level_label('category', c, ctx.lang).lower()} ({fmt_num(n, ctx.lang)})" for c, n in top)
    desc = ctx.tr(
        f"Stacked bar chart of the crimes people became a victim of after registration, per year since "
        f"registration. Most frequent overall: {top_txt}.",
        f"Gestapeld staafdiagram van de misdrijven waarvan mensen na registratie slachtoffer werden, per "
        f"jaar sinds registratie. Meest voorkomend: {top_txt}.",
    )
    note = t("suppressed_note", ctx.lang, m=ctx.min_label[1:]) if hidden else ""
    return chart(
        fig,
        fig_id="fig-offences",
        title=t("offences_fig", ctx.lang),
        description=desc,
        note=note,
        csv_uri=csv_data_uri(["year_since_index", "category", "n_events", "n_persons"], csv_rows, ctx.lang),
        csv_name="offences-by-year",
        lang=ctx.lang,
    )


def hazard_ratios(ctx: Ctx) -> str:
    """Forest plot of the Cox model's hazard ratios with plain-language labels."""
    cox = (ctx.data.get("first_event") or {}).get("cox") or {}
    terms = cox.get("terms") or []
    if not terms:
        return na(ctx)
    fig, csv_rows, sentences = forest_figure(terms, cox.get("reference_levels") or {}, ctx.lang)
    fig.update_layout(
        base_layout(
            ctx.lang,
            xaxis=fig.layout.xaxis.to_plotly_json(),
            yaxis=fig.layout.yaxis.to_plotly_json(),
            height=fig.layout.height,
            margin={"l": 20, "r": 20, "t": 20, "b": 60},
        )
    )
    how = ctx.tr(
        "Each square compares the pace at which a group becomes a victim again with a comparison group, taking "
        "the other characteristics into account (Cox model). Right of the dashed line (1) means faster, left "
        "means slower; the whisker is the 95% confidence interval — if it crosses the line, the difference may "
        "be chance.",
        "Elk vierkantje vergelijkt het tempo waarin een groep opnieuw slachtoffer wordt met een "
        "vergelijkingsgroep, rekening houdend met de andere kenmerken (Cox-model). Rechts van de stippellijn (1) "
        "betekent sneller, links langzamer; de snor is het 95%-betrouwbaarheidsinterval — kruist die de lijn, "
        "dan kan het verschil toeval zijn.",
    )
    desc = "; ".join(sentences) + "."
    return (
        f"<p>{escape(how)}</p>"
        + chart(
            fig,
            fig_id="fig-forest",
            title=t("forest_fig", ctx.lang),
            description=desc,
            csv_uri=csv_data_uri(["term", "hr", "ci_lower", "ci_upper", "p"], csv_rows, ctx.lang),
            csv_name="hazard-ratios",
            lang=ctx.lang,
        )
        + _concordance_note(ctx, cox)
    )


def _concordance_note(ctx: Ctx, cox: Mapping[str, Any]) -> str:
    """One plain sentence on how well the model tells two people apart (Harrell's C with its 95% CI)."""
    c, se = cox.get("concordance"), cox.get("concordance_se")
    if not isinstance(c, int | float):
        return ""
    ci = ""
    if isinstance(se, int | float):
        lo, hi = max(0.0, c - 1.959964 * se), min(1.0, c + 1.959964 * se)
        ci = ctx.tr(f" (95% CI {fmt_ci(lo, hi, ctx.lang)})", f" (95%-BI {fmt_ci(lo, hi, ctx.lang)})")
    text = ctx.tr(
        f"Group differences say little about one person. Of two people, the model picks the one who becomes a "
        f"victim again sooner in {fmt_pct(c, ctx.lang)} of the pairs that can be compared{ci}; 50% would be a "
        "coin toss. Use these figures to see where risk gathers, not to predict who will be victimised.",
        f"Verschillen tussen groepen zeggen weinig over één persoon. Van twee mensen wijst het model in "
        f"{fmt_pct(c, ctx.lang)} van de vergelijkbare paren degene aan die eerder opnieuw slachtoffer wordt{ci}; "
        "50% zou kop of munt zijn. Gebruik deze cijfers om te zien waar risico zich ophoopt, niet om te voorspellen "
        "wie slachtoffer wordt.",
    )
    return f'<p class="note">{escape(text)}</p>'


def recurrence(ctx: Ctx) -> str:
    """Mean cumulative number of victimisations per person, per group, with a selector."""
    mcf = (ctx.data.get("recurrent") or {}).get("mcf") or {}
    groupings = _groupings(ctx, mcf)
    if not groupings:
        return na(ctx)
    ordered = {g: _ordered(ctx, mcf, g) for g in groupings}
    fig, rows = grouped_figure(
        ordered,
        groupings,
        lambda c: step_series(c, "mcf", "lower", "upper", initial=0.0),
        lang=ctx.lang,
        y_title=t("mcf_axis", ctx.lang),
        hover_value=t("mcf_axis", ctx.lang),
        horizon=float(ctx.spec.horizon_years),
        y_format=".2f",
    )
    fig.update_layout(
        base_layout(ctx.lang, xaxis=fig.layout.xaxis.to_plotly_json(), yaxis=fig.layout.yaxis.to_plotly_json())
    )
    last = rows[-1] if rows else None
    all_rows = [r for r in rows if r[0] == "all"]
    end = all_rows[-1][3] if all_rows else (last[3] if last else None)
    desc = ctx.tr(
        "Line chart of the average number of times a person became a victim again, counting every "
        "victimisation (not only the first), from registration onwards. "
        + (
            f"After the follow-up shown, the whole cohort averaged {fmt_num(end, 'en', 2)} victimisations per person."
            if end is not None
            else ""
        ),
        "Lijngrafiek van het gemiddelde aantal keer dat iemand opnieuw slachtoffer werd, waarbij elke keer telt "
        "(niet alleen de eerste), vanaf registratie. "
        + (
            f"Aan het eind van de getoonde follow-up was dat voor het hele cohort gemiddeld {fmt_num(end, 'nl', 2)} "
            "keer per persoon."
            if end is not None
            else ""
        ),
    )
    sel = "sel-mcf"
    how = ctx.tr(
        "How to read this: the first charts count only whether someone became a victim again. This one counts "
        "every time: a value of 0.5 at year 2 means that, on average, people had been victimised again half a "
        "time each within two years — some never, some several times.",
        "Zo leest u dit: de eerdere grafieken tellen alleen óf iemand opnieuw slachtoffer werd. Deze telt elke "
        "keer: een waarde van 0,5 bij jaar 2 betekent dat mensen binnen twee jaar gemiddeld een halve keer "
        "opnieuw slachtoffer werden — sommigen nooit, sommigen meerdere keren.",
    )
    return (
        f"<p>{escape(how)}</p>"
        + selector(sel, t("show_by", ctx.lang), [(g, grouping_label(g, ctx.lang)) for g in groupings], ["fig-mcf"])
        + chart(
            fig,
            fig_id="fig-mcf",
            title=t("mcf_axis", ctx.lang),
            description=desc,
            csv_uri=csv_data_uri(["grouping", "level", "time_years", "mcf", "lower", "upper"], rows, ctx.lang),
            csv_name="mean-cumulative-victimisations",
            lang=ctx.lang,
        )
    )


#: network distributions drawn as bar charts: key -> (x label, y label, figure id, description kind,
#: CSV columns, CSV name, colour or None for the first palette colour)
_DISTRIBUTIONS: dict[str, tuple[str, str, str, str, list[str], str, str | None]] = {
    "victims_per_offender": (
        "victims_per_offender",
        "n_offenders",
        "fig-vpo",
        "vpo",
        ["victims", "n_offenders"],
        "victims-per-perpetrator",
        None,
    ),
    "component_sizes": (
        "component_size",
        "n_components",
        "fig-components",
        "comp",
        ["size", "n_groups"],
        "group-sizes",
        "#BD5300",
    ),
}


def _distribution_chart(
    ctx: Ctx,
    dist: Any,
    x_key: str,
    y_key: str,
    fig_id: str,
    kind: str,
    csv_cols: list[str],
    csv_name: str,
    colour: str | None,
) -> str:
    """One released distribution as a bar chart with its description and CSV download."""
    extra = {"colour": colour} if colour else {}
    fig, csv_rows = distribution_figure(
        dist, x_title=t(x_key, ctx.lang), y_title=t(y_key, ctx.lang), lang=ctx.lang, **extra
    )
    fig.update_layout(
        base_layout(
            ctx.lang, xaxis=fig.layout.xaxis.to_plotly_json(), yaxis=fig.layout.yaxis.to_plotly_json(), height=360
        )
    )
    return chart(
        fig,
        fig_id=fig_id,
        title=t(x_key, ctx.lang),
        description=_dist_desc(ctx, dist, kind),
        csv_uri=csv_data_uri(csv_cols, csv_rows, ctx.lang),
        csv_name=csv_name,
        lang=ctx.lang,
    )


def perpetrators(ctx: Ctx) -> str:
    """Show recurring perpetrators by kind, victims per perpetrator, group sizes — aggregates only."""
    net = ctx.data.get("network")
    if not net:
        return na(ctx)
    kinds = net.get("by_kind") or {}
    names = {
        "serial": ctx.tr("Serial: several victims", "Serieel: meerdere slachtoffers"),
        "returning": ctx.tr(
            "Returning: the same victim again, after the registration",
            "Terugkerend: hetzelfde slachtoffer opnieuw, na de registratie",
        ),
        "both": ctx.tr("Both serial and returning", "Zowel serieel als terugkerend"),
        "repeat": ctx.tr(
            "Repeat: the same victim more than once (not returning)",
            "Herhaald: hetzelfde slachtoffer vaker (niet terugkerend)",
        ),
    }
    rows = [
        [
            ctx.tr("Perpetrators linked to the cohort's victims", "Daders gekoppeld aan slachtoffers in het cohort"),
            net.get("offenders", "–"),
        ],
        [ctx.tr("… of whom recurring", "… van wie terugkerend of herhaald"), net.get("recurring", "–")],
        *[[f"– {names[k]}", kinds[k]] for k in ("serial", "returning", "both", "repeat") if k in kinds],
    ]
    share = net.get("recurring_share")
    lead = ""
    if isinstance(share, float):
        pct = fmt_pct(share, ctx.lang, _dec(share))
        lead = ctx.tr(
            f"{pct} of perpetrators come back: to other victims or to the same victim.",
            f"{pct} van de daders komt terug: bij andere slachtoffers of bij hetzelfde slachtoffer.",
        )
    ip = net.get("index_perpetrator")
    if ip:
        d = _dec(ip["share"])
        pct = fmt_pct(ip["share"], ctx.lang, d)
        ci = f"{t('ci_short', ctx.lang)} {fmt_ci(ip.get('lower'), ip.get('upper'), ctx.lang, d)}"
        lead += " " + ctx.tr(
            f"In {pct} ({ci}) of re-victimisations, a perpetrator of the original registration was involved again.",
            f"Bij {pct} ({ci}) van de nieuwe keren slachtofferschap was een dader van de oorspronkelijke registratie "
            "opnieuw betrokken.",
        )
    ttr = net.get("time_to_return")
    if isinstance(ttr, dict) and isinstance(ttr.get("median_months"), int):
        med, q25, q75 = ttr["median_months"], ttr["lower_quartile_months"], ttr["upper_quartile_months"]
        lead += " " + ctx.tr(
            f"When a perpetrator of the registration came back to the same victim, half did so within {med} "
            f"months of the registration (a quarter within {q25}, three quarters within {q75} months).",
            f"Als een dader van de registratie terugkwam bij hetzelfde slachtoffer, gebeurde dat bij de helft binnen "
            f"{med} maanden na de registratie (een kwart binnen {q25}, driekwart binnen {q75} maanden).",
        )
    parts = [
        f'<p class="lead">{escape(lead.strip())}</p>' if lead.strip() else "",
        table([ctx.tr("Perpetrators", "Daders"), ctx.tr("Number", "Aantal")], rows, ctx.lang),
    ]
    for key, (x_key, y_key, fig_id, kind, csv_cols, csv_name, colour) in _DISTRIBUTIONS.items():
        if net.get(key):
            parts.append(_distribution_chart(ctx, net[key], x_key, y_key, fig_id, kind, csv_cols, csv_name, colour))
    only = ctx.tr(
        "Only totals are shown: no names, no network drawings, and the largest group or the perpetrator "
        "with most victims is never published.",
        "Alleen totalen: geen namen, geen netwerktekeningen, en de grootste groep of de dader met de meeste "
        "slachtoffers wordt nooit gepubliceerd.",
    )
    parts.append(f'<p class="note">{escape(only)}</p>')
    return "".join(parts)


def _dec(p: float) -> int:
    """One decimal for small percentages (under 10%), none otherwise."""
    return 1 if p < 0.1 else 0


def _dist_desc(ctx: Ctx, dist: dict[str, Any], kind: str) -> str:
    pairs = ", ".join(f"{lb}: {fmt_num(c, ctx.lang)}" for lb, c in zip(dist["labels"], dist["counts"], strict=True))
    if kind == "vpo":
        return ctx.tr(
            f"Bar chart: number of perpetrators by how many victims they have ({pairs}).",
            f"Staafdiagram: aantal daders naar hun aantal slachtoffers ({pairs}).",
        )
    return ctx.tr(
        f"Bar chart: number of connected groups of victims and perpetrators, by size ({pairs}).",
        f"Staafdiagram: aantal verbonden groepen van slachtoffers en daders, naar grootte ({pairs}).",
    )
