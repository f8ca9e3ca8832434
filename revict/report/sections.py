"""Report sections without curves: headline, cohort flow, descriptive table, method and provenance."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Any

from revict.report.html import csv_data_uri, table
from revict.report.i18n import Lang, fmt_ci, fmt_num, fmt_pct, grouping_label, level_label, step_label, t
from revict.report.spec import ReportSpec


@dataclass(frozen=True)
class Ctx:
    """What every section builder needs."""

    data: dict[str, Any]
    spec: ReportSpec
    lang: Lang

    @property
    def min_label(self) -> str:
        """The suppression marker, e.g. ``<10``."""
        return f"<{self.data['disclosure']['rules']['min_cell']}"

    def tr(self, en: str, nl: str) -> str:
        """Pick the text of the report's language."""
        return nl if self.lang == "nl" else en


def na(ctx: Ctx) -> str:
    """Return the 'not available' paragraph."""
    return f'<p class="na">{escape(t("not_available", ctx.lang))}</p>'


def yearly(ctx: Ctx, grouping: str, level: str, year: int) -> dict[str, Any] | None:
    """Released cumulative incidence of a group at a whole year (``None`` when not shown)."""
    ci = (ctx.data.get("first_event") or {}).get("cumulative_incidence") or {}
    row = ci.get(grouping, {}).get(level, {}).get(str(year))
    if not isinstance(row, dict) or row.get("estimate") is None:
        return None
    return row


def group_order(ctx: Ctx, grouping: str) -> list[str]:
    """Levels of a grouping, largest first (by the released number at the start of follow-up)."""
    ci = ((ctx.data.get("first_event") or {}).get("cumulative_incidence") or {}).get(grouping, {})

    def size(lv: str) -> int:
        first: Any = ci[lv].get("1") or next(iter(ci[lv].values()), {})
        n = first.get("at_risk") if isinstance(first, dict) else None
        return n if isinstance(n, int) else 0

    return sorted(ci, key=lambda lv: (-size(lv), lv))


def in_ten(p: float, ctx: Ctx) -> str:
    """'About 5 in 10' in plain words."""
    pct = int(p * 100 + 0.5)  # the percentage as shown
    k = int(pct / 10 + 0.5)  # half up: 45% reads "about 5 in 10"
    if k == 0:
        return ctx.tr("Fewer than 1 in 10", "Minder dan 1 op de 10")
    if k >= 10:
        return ctx.tr("Almost all", "Bijna alle")
    return ctx.tr(f"About {k} in 10", f"Ongeveer {k} op de 10")


_CATEGORY_WORDS = {
    "violence": ("violence", "geweld"),
    "sexual": ("a sexual offence", "een zedendelict"),
    "threat": ("threats", "bedreiging"),
    "exploitation": ("exploitation", "uitbuiting"),
    "property": ("a property crime", "een vermogensdelict"),
    "other": ("another crime", "een ander misdrijf"),
}


def _outcome_words(ctx: Ctx) -> str:
    outcome = str((ctx.data["meta"].get("design") or {}).get("outcome", "any"))
    if outcome == "any":
        return ctx.tr("a crime registered by the police", "een misdrijf dat de politie registreerde")
    if outcome == "serious":
        return ctx.tr("a serious crime", "een ernstig misdrijf")
    cats = [c.strip() for c in outcome.split(",") if c.strip() in _CATEGORY_WORDS]
    if not cats:
        return ctx.tr("a crime registered by the police", "een misdrijf dat de politie registreerde")
    words = [ctx.tr(*_CATEGORY_WORDS[c]) for c in cats]
    joined = words[0] if len(words) == 1 else ", ".join(words[:-1]) + ctx.tr(" or ", " of ") + words[-1]
    return ctx.tr(f"a crime of this kind: {joined}", f"een misdrijf van deze soort: {joined}")


def _outcome_label(ctx: Ctx, outcome: str) -> str:
    """Return the cohort's outcome in words for the method section."""
    if outcome == "any":
        return ctx.tr("any police-registered victimisation", "elk door de politie geregistreerd slachtofferschap")
    if outcome == "serious":
        return ctx.tr(
            "serious crimes (violence, sexual offences, threats, exploitation)",
            "ernstige misdrijven (geweld, zedendelicten, bedreiging, uitbuiting)",
        )
    return _outcome_words(ctx)


def headline(ctx: Ctx) -> str:
    """Seven-year percentage with CI, a plain sentence, for the whole cohort and the largest groups."""
    h = ctx.spec.horizon_years
    row = yearly(ctx, "all", "all", h)
    if row is None:
        return na(ctx)
    est = row["estimate"]
    sentence = ctx.tr(
        f"{in_ten(est, ctx)} people registered as victims of human trafficking were again the victim of "
        f"{_outcome_words(ctx)} within {h} years.",
        f"{in_ten(est, ctx)} mensen die als slachtoffer van mensenhandel zijn geregistreerd, werden binnen {h} jaar "
        f"opnieuw slachtoffer van {_outcome_words(ctx)}.",
    )
    n = (ctx.data.get("cohort") or {}).get("n")
    cards = [
        _card(
            fmt_pct(est, ctx.lang),
            ctx.tr(f"victim again within {h} years", f"binnen {h} jaar opnieuw slachtoffer"),
            f"{t('ci_short', ctx.lang)} {fmt_ci(row['ci_lower'], row['ci_upper'], ctx.lang)}"
            + (ctx.tr(f" · {fmt_num(n, 'en')} people", f" · {fmt_num(n, 'nl')} personen") if n else ""),
        )
    ]
    g = ctx.spec.headline_grouping
    for lv in group_order(ctx, g)[: ctx.spec.headline_groups]:
        r = yearly(ctx, g, lv, h)
        if r is None:
            continue
        cards.append(
            _card(
                fmt_pct(r["estimate"], ctx.lang),
                level_label(g, lv, ctx.lang),
                f"{t('ci_short', ctx.lang)} {fmt_ci(r['ci_lower'], r['ci_upper'], ctx.lang)}",
            )
        )
    explain = ctx.tr(
        "The percentage counts everyone registered in the study period and follows them for up to "
        f"{h} years; people who died, emigrated or could not be followed that long are taken into account "
        "(Kaplan–Meier). The range after “95% CI” is where the true value most likely lies.",
        "Het percentage telt iedereen die in de onderzoeksperiode is geregistreerd en volgt hen tot "
        f"{h} jaar; met mensen die overleden, emigreerden of niet zo lang gevolgd konden worden is rekening "
        "gehouden (Kaplan–Meier). Het bereik na „95%-BI” is waar de werkelijke waarde waarschijnlijk ligt.",
    )
    steps = [(y, yearly(ctx, "all", "all", y)) for y in (1, 3, 5) if y < h]
    pace = ", ".join(
        ctx.tr(
            f"after {y} year{'s' if y > 1 else ''} {fmt_pct(r['estimate'], 'en')}",
            f"na {y} jaar {fmt_pct(r['estimate'], 'nl')}",
        )
        for y, r in steps
        if r is not None
    )
    pace_html = ""
    if pace:
        pace_html = (
            "<p>"
            + escape(
                ctx.tr("How it builds up: ", "Zo loopt het op: ")
                + pace
                + ctx.tr(f", after {h} years ", f", na {h} jaar ")
                + fmt_pct(est, ctx.lang)
                + "."
            )
            + "</p>"
        )
    return (
        f'<p class="lead"><strong>{escape(sentence)}</strong></p>{pace_html}<div class="kpi">{"".join(cards)}</div>'
        f'<p class="note">{escape(explain)}</p>'
    )


def _card(big: str, label: str, sub: str) -> str:
    return (
        f'<div class="card"><div class="big">{escape(big)}</div><div class="label">{escape(label)}</div>'
        f'<div class="sentence">{escape(sub)}</div></div>'
    )


def cohort_flow(ctx: Ctx) -> str:
    """Show the attrition steps as a vertical flow diagram with counts."""
    steps = (ctx.data.get("cohort") or {}).get("attrition") or []
    if not steps:
        return na(ctx)
    items = []
    rows = []
    last = len(steps) - 1
    for i, s in enumerate(steps):
        label = step_label(s["step"], s.get("description", ""), ctx.lang)
        rows.append([s["step"], label, s["n_removed"], s["n_remaining"]])
        if 0 < i and s["n_removed"] != 0:
            n_txt = fmt_num(s["n_removed"], ctx.lang)
            items.append(
                f'<li class="arrow">{escape(label)}: {escape(n_txt)} {escape(ctx.tr("left out", "weggelaten"))}</li>'
            )
        if i in (0, last):
            n_txt = fmt_num(s["n_remaining"], ctx.lang)
            items.append(f'<li class="step"><span class="n">{escape(n_txt)}</span> {escape(label)}</li>')
    uri = csv_data_uri(["step", "description", "n_removed", "n_remaining"], rows, ctx.lang)
    intro = ctx.tr(
        "How the people studied were selected from the register. Each arrow says how many were left out, and why.",
        "Hoe de onderzochte personen uit het register zijn geselecteerd. Bij elke pijl staat hoeveel er "
        "zijn weggelaten, en waarom.",
    )
    return (
        f'<p>{escape(intro)}</p><ol class="flow" aria-label="{escape(t("cohort_flow", ctx.lang))}">'
        f'{"".join(items)}</ol><a class="download" download="cohort-flow.csv" href="{uri}">'
        f"{escape(t('download', ctx.lang))}</a>"
    )


def descriptives(ctx: Ctx) -> str:
    """Persons by exploitation form and sex, age group, origin, reporter, earlier victimisation."""
    desc = (ctx.data.get("cohort") or {}).get("descriptives")
    if not desc or not desc.get("rows"):
        return na(ctx)
    by = desc.get("by", "exploitation_form")
    order = _level_order(by, desc["columns"])
    columns = [desc["columns"][j] for j in order]
    cols = [level_label(by, c, ctx.lang) for c in columns]
    header = [t("group", ctx.lang), *cols, t("total", ctx.lang)]
    rows: list[list[Any]] = []
    csv_rows: list[list[Any]] = []
    blocks: dict[str, list[dict[str, Any]]] = {}
    for r in desc["rows"]:
        blocks.setdefault(r["covariate"], []).append(r)
    for cov, block in blocks.items():
        rows.append([grouping_label(cov, ctx.lang), *([""] * (len(cols) + 1))])
        levels = [r["level"] for r in block]
        for i in _level_order(cov, levels):
            r = block[i]
            counts = [r["counts"][j] for j in order]
            rows.append([level_label(cov, r["level"], ctx.lang), *counts, r["total"]])
            csv_rows.append([cov, r["level"], *counts, r["total"]])
    col_totals = list(desc.get("column_totals", []))
    col_totals = [*(col_totals[j] for j in order if j < len(col_totals)), *col_totals[len(order) :]]
    rows.append([t("total", ctx.lang), *col_totals])
    csv_rows.append(["total", "", *col_totals])
    caption = ctx.tr(
        "Number of people by characteristic and form of exploitation",
        "Aantal personen naar kenmerk en vorm van uitbuiting",
    )
    html_table = table(header, rows, ctx.lang, caption=caption)
    for cov in blocks:  # covariate header rows span the table
        label = escape(grouping_label(cov, ctx.lang))
        empty = '<td class="num"></td>' * (len(cols) + 1)
        html_table = html_table.replace(
            f'<tr><th scope="row">{label}</th>{empty}</tr>',
            f'<tr class="block"><th scope="rowgroup" colspan="{len(cols) + 2}">{label}</th></tr>',
            1,
        )
    uri = csv_data_uri(["covariate", "level", *columns, "total"], csv_rows, ctx.lang)
    note = t("suppressed_note", ctx.lang, m=ctx.min_label[1:])
    return (
        f'{html_table}<p class="note">{escape(note)}</p>'
        f'<a class="download" download="cohort-by-exploitation-form.csv" href="{uri}">'
        f"{escape(t('download', ctx.lang))}</a>"
    )


def _level_order(covariate: str, levels: list[str]) -> list[int]:
    """Return the indices of ``levels`` in their natural order (the cohort file's level order; ages by lower bound)."""
    from revict.cohort.spec import COVARIATE_LEVELS

    known = list(COVARIATE_LEVELS.get(covariate, ()))

    def key(i: int) -> tuple[int, float, str]:
        lv = levels[i]
        if lv in known:
            return (0, known.index(lv), lv)
        if lv == "unknown":
            return (2, 0, lv)
        digits = "".join(ch if ch.isdigit() else " " for ch in lv).split()
        return (1, float(digits[0]) if digits else 0.0, lv)

    return sorted(range(len(levels)), key=key)


RULE_LABELS: dict[str, tuple[str, str]] = {
    "min_cell": ("Smallest number shown", "Kleinste getoonde aantal"),
    "rounding": ("Rounding of numbers (base)", "Afronding van aantallen (basis)"),
    "min_at_risk": ("Curves stop below this many followed", "Curves stoppen onder zoveel gevolgden"),
    "min_events_per_step": ("Fewest events per step of a curve", "Minste gebeurtenissen per stap van een curve"),
    "dominance_n": ("Dominance rule: number of largest contributors", "Dominantieregel: aantal grootste bijdragers"),
    "dominance_pct": (
        "Dominance rule: their largest allowed share (%)",
        "Dominantieregel: hun grootste toegestane aandeel (%)",
    ),
    "p_ratio_pct": ("p-ratio rule (%)", "p-ratioregel (%)"),
    "top_code": ("Highest classes merged, maxima never shown", "Hoogste klassen samengevoegd, maxima nooit getoond"),
    "suppress_zeros": ("Zeros treated as small numbers", "Nullen behandeld als kleine aantallen"),
}


def _rule_value(ctx: Ctx, key: str, value: Any, min_cell: int) -> str:
    if isinstance(value, bool):
        return ctx.tr("yes", "ja") if value else ctx.tr("no", "nee")
    if value is None:
        return ctx.tr("none", "geen") if key == "rounding" else fmt_num(min_cell, ctx.lang)
    return fmt_num(value, ctx.lang, 0 if float(value).is_integer() else 1)


def method(ctx: Ctx, provenance: dict[str, Any]) -> str:
    """Cohort, schema, fingerprints, versions, disclosure rules and every suppression."""
    meta = ctx.data.get("meta") or {}
    design = meta.get("design") or {}
    facts: list[tuple[str, str]] = []
    for key, (en, nl) in {
        "cohort_name": ("Cohort", "Cohort"),
        "cohort_file": ("Cohort file", "Cohortbestand"),
        "description": ("Definition", "Definitie"),
        "entry_window": ("Study period (registration)", "Onderzoeksperiode (registratie)"),
        "follow_up_days": ("Follow-up (days)", "Follow-up (dagen)"),
        "outcome": ("Outcome", "Uitkomst"),
        "schema_file": ("Data contract", "Datacontract"),
        "data_window": ("Data window", "Dataperiode"),
    }.items():
        if design.get(key) not in (None, ""):
            value = _outcome_label(ctx, str(design[key])) if key == "outcome" else str(design[key])
            facts.append((ctx.tr(en, nl), value))
    if meta.get("cohort_sha256"):
        facts.append((ctx.tr("Cohort file SHA-256", "SHA-256 cohortbestand"), str(meta["cohort_sha256"])))
    for src, fp in sorted((meta.get("fingerprints") or {}).items()):
        if isinstance(fp, dict):
            facts.append(
                (
                    ctx.tr(f"Data: {src}", f"Data: {src}"),
                    f"{fmt_num(fp.get('rows'), ctx.lang)} rows · SHA-256 {fp.get('sha256', '')}"
                    if ctx.lang == "en"
                    else f"{fmt_num(fp.get('rows'), ctx.lang)} rijen · SHA-256 {fp.get('sha256', '')}",
                )
            )
    versions = meta.get("versions") or {}
    if versions:
        facts.append((ctx.tr("Software", "Software"), ", ".join(f"{k} {v}" for k, v in sorted(versions.items()))))
    for k, v in provenance.items():
        facts.append((k, str(v)))
    dl = "".join(f"<dt>{escape(a)}</dt><dd>{escape(b)}</dd>" for a, b in facts)
    rules = ctx.data["disclosure"]["rules"]
    rule_rows = [
        [ctx.tr(*RULE_LABELS[k]) if k in RULE_LABELS else k, _rule_value(ctx, k, v, rules["min_cell"])]
        for k, v in rules.items()
    ]
    sup = ctx.data["disclosure"]["suppressions"]
    sup_rows = [[s["what"], s["rule"], s["reason"]] for s in sup]
    uri = csv_data_uri(["what", "rule", "reason"], sup_rows, ctx.lang)
    summary = ctx.tr(
        f"Everything withheld or changed ({len(sup)})", f"Alles wat is weggelaten of aangepast ({len(sup)})"
    )
    explain = ctx.tr(
        "Before anything is shown, disclosure control is applied so that no person can be recognised: counts "
        f"below {rules['min_cell']} are shown as “{ctx.min_label}” (and other counts hidden where they would "
        "give them away), curves stop where fewer people are still followed, steps in curves are pooled until "
        "each holds enough events, averages dominated by a few people are withheld, and the largest values are "
        "never published. Everything withheld is listed below.",
        "Voordat iets wordt getoond, is geheimhoudingscontrole toegepast zodat niemand herkenbaar is: aantallen "
        f"onder {rules['min_cell']} staan er als „{ctx.min_label}” (en andere aantallen zijn verborgen waar ze die "
        "zouden verraden), curves stoppen waar te weinig mensen nog gevolgd worden, stappen in curves zijn "
        "samengevoegd tot elk genoeg gebeurtenissen bevat, gemiddelden die door enkelen bepaald worden zijn "
        "weggelaten, en de grootste waarden worden nooit gepubliceerd. Alles wat is weggelaten staat hieronder.",
    )
    warnings = ctx.data.get("warnings") or []
    warn_html = ""
    if warnings:
        warn_html = (
            f"<h3>{escape(ctx.tr('Notes from the analysis', 'Opmerkingen bij de analyse'))}</h3><ul>"
            + "".join(f"<li>{escape(w)}</li>" for w in warnings)
            + "</ul>"
        )
    return (
        f'<dl class="facts">{dl}</dl>{warn_html}<h3>{escape(ctx.tr("Disclosure control", "Geheimhoudingscontrole"))}'
        f"</h3><p>{escape(explain)}</p>"
        + table([t("setting", ctx.lang), t("value", ctx.lang)], rule_rows, ctx.lang)
        + f"<details><summary>{escape(summary)}"
        f"</summary>{table([t('what', ctx.lang), t('rule', ctx.lang), t('reason', ctx.lang)], sup_rows, ctx.lang)}"
        f'</details><a class="download" download="suppressions.csv" href="{uri}">{escape(t("download", ctx.lang))}</a>'
    )
