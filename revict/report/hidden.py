"""Report section "How many victims do we not see?": the multiple systems estimate and its sensitivity.

Reads only the released ``hidden_population`` section (see ``revict.disclosure._hidden``):
every number there is already rounded; candidate models come without fit statistics.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

import plotly.graph_objects as go

from revict.report.html import base_layout, chart, csv_data_uri, table
from revict.report.i18n import Lang, fmt_ci, fmt_num, grouping_label, level_label, t
from revict.report.palette import COLOURS, NEUTRAL
from revict.report.sections import Ctx, na

#: most candidate models drawn in the sensitivity chart (the text gives the range over all)
MAX_SHOWN = 10
CHOSEN_COLOUR = COLOURS[1]  # darkened vermillion, 4.5:1 on white
OTHER_COLOUR = COLOURS[0]
CSV_HEADER = ["model", "two_list_terms", "estimate", "lower", "upper", "chosen_by"]

RULE_WORDS: dict[str, tuple[str, str]] = {
    "stepwise": ("step by step", "stap voor stap"),
    "aic": ("best by AIC", "beste volgens AIC"),
    "bic": ("best by BIC", "beste volgens BIC"),
    "main": ("organisations independent", "organisaties onafhankelijk"),
}


#: short organisation names for the chart's axis labels (full names in the text description)
SHORT: dict[str, tuple[str, str]] = {
    "police": ("Police", "Politie"),
    "border_police": ("KMar", "KMar"),
    "labour_inspectorate": ("Labour insp.", "Arbeidsinsp."),
    "care_coordinator": ("Care coord.", "Zorgcoörd."),
    "shelter": ("Shelter", "Opvang"),
    "other": ("Other", "Overig"),
}


def _org(letter: str, reporters: Mapping[str, Sequence[str]], lang: Lang, short: bool = False) -> str:
    """Plain name of a list (organisation), e.g. ``P`` -> ``Police``; merged lists joined by '/'."""
    names = reporters.get(letter) or []
    if not names:
        return letter
    if short:
        return "/".join(SHORT[r][lang == "nl"] if r in SHORT else level_label("reporter", r, lang) for r in names)
    return "/".join(level_label("reporter", r, lang) for r in names)


def pair_words(term: str, reporters: Mapping[str, Sequence[str]], lang: Lang, short: bool = False) -> str:
    """Put a two-list term in words, e.g. ``P:R`` -> ``Police & Care coordinator``."""
    a, _, b = term.partition(":")
    return f"{_org(a, reporters, lang, short)} & {_org(b, reporters, lang, short)}"


def _terms_words(c: Mapping[str, Any], reporters: Mapping[str, Sequence[str]], lang: Lang, short: bool = False) -> str:
    terms = c.get("terms") or []
    if not terms:
        return "geen (alle organisaties onafhankelijk)" if lang == "nl" else "none (all organisations independent)"
    return "; ".join(pair_words(x, reporters, lang, short) for x in terms)


def _shown(cands: list[dict[str, Any]], chosen_rule: str) -> list[dict[str, Any]]:
    """Models to draw: those chosen by a rule, main effects, the lowest and highest, then spread between."""
    ok = [c for c in cands if isinstance(c.get("estimate"), int | float)]
    if not ok:
        return []
    by_est = sorted(ok, key=lambda c: c["estimate"])
    keep: list[dict[str, Any]] = []

    def add(c: dict[str, Any]) -> None:
        if c not in keep and len(keep) < MAX_SHOWN:
            keep.append(c)

    for c in ok:
        if chosen_rule in c.get("chosen_by", []):
            add(c)
    for c in ok:
        if c.get("chosen_by") or not c.get("terms"):
            add(c)
    add(by_est[0])
    add(by_est[-1])
    rest = [c for c in by_est if c not in keep]
    room = MAX_SHOWN - len(keep)
    if rest and room > 0:
        step = len(rest) / room
        for i in range(min(room, len(rest))):
            add(rest[int(i * step + step / 2) if step > 1 else i])
    return sorted(keep, key=lambda c: c["estimate"])


def _role(c: Mapping[str, Any], chosen_rule: str, lo: float | None, hi: float | None, lang: Lang) -> str:
    by = [r for r in c.get("chosen_by", []) if r in RULE_WORDS]
    words = [RULE_WORDS[r][1 if lang == "nl" else 0] for r in by if r != chosen_rule]
    if chosen_rule in by:
        head = "Gekozen model" if lang == "nl" else "Chosen model"
        return head + (
            f" (ook {', '.join(words)})" if lang == "nl" and words else f" (also {', '.join(words)})" if words else ""
        )
    if words:
        return words[0][:1].upper() + words[0][1:] + (f", {', '.join(words[1:])}" if words[1:] else "")
    if c["estimate"] == lo:
        return "Laagste schatting" if lang == "nl" else "Lowest estimate"
    if c["estimate"] == hi:
        return "Hoogste schatting" if lang == "nl" else "Highest estimate"
    return "Ander model" if lang == "nl" else "Other model"


def _wrap(text: str, width: int = 56) -> str:
    """Break a long label into lines for the chart's axis (plotly ``<br>``)."""
    out, line = [], ""
    for part in text.split("; "):
        cand = f"{line}; {part}" if line else part
        if line and len(cand) > width:
            out.append(line + ";")
            line = part
        else:
            line = cand
    out.append(line)
    return "<br>".join(escape(x) for x in out)


def sensitivity_figure(
    hp: Mapping[str, Any], lang: Lang
) -> tuple[go.Figure, list[list[Any]], list[str], list[dict[str, Any]]]:
    """Estimate and interval per candidate model, the chosen one highlighted; the registered number as a line.

    Returns the figure, the CSV rows, one sentence per model drawn, and the models drawn.
    """
    rule = str((hp.get("rule") or {}).get("name", ""))
    reporters = hp.get("list_reporters") or {}
    sens = hp.get("sensitivity") or {}
    lo, hi = sens.get("min_estimate"), sens.get("max_estimate")
    shown = _shown(list(hp.get("candidates") or []), rule)
    traces: dict[bool, dict[str, list[Any]]] = {
        flag: {"x": [], "y": [], "minus": [], "plus": [], "text": []} for flag in (True, False)
    }
    csv_rows: list[list[Any]] = []
    sentences: list[str] = []
    labels: list[str] = []
    n_lines = 0
    for i, c in enumerate(shown):
        chosen = rule in c.get("chosen_by", [])
        role = _role(c, rule, lo, hi, lang)
        terms = _terms_words(c, reporters, lang)
        label = f"<b>{escape(role)}</b>" if chosen else escape(role)
        pairs = _terms_words(c, reporters, lang, short=True)
        wrapped = (
            _wrap(("paren: " if lang == "nl" else "pairs: ") + pairs)
            if c.get("terms")
            else ("geen paren" if lang == "nl" else "no pairs")
        )
        n_lines += 1 + wrapped.count("<br>") + 1
        label = f"{label}<br>{wrapped}"
        label += "\u200b" * i  # equal labels stay separate categories
        labels.append(label)
        est, a, b = c["estimate"], c.get("lower"), c.get("upper")
        if chosen and hp.get("ci"):  # the reported interval (bootstrap or profile), as in the text
            a, b = hp["ci"].get("lower"), hp["ci"].get("upper")
        if a is not None and b is not None:
            interval = f"{fmt_num(a, lang)}–{fmt_num(b, lang)}"
        elif a is not None:
            interval = f"{fmt_num(a, lang)}–" + ("geen bovengrens" if lang == "nl" else "no upper limit")
        else:
            interval = "geen interval" if lang == "nl" else "no interval"
        sentence = f"{role}: {fmt_num(est, lang)} ({t('ci_short', lang)} {interval})"
        sentences.append(f"{sentence}; {('samenhang' if lang == 'nl' else 'dependence')}: {terms}")
        tr = traces[chosen]
        tr["x"].append(est)
        tr["y"].append(label)
        tr["minus"].append(est - a if a is not None else 0)
        tr["plus"].append(b - est if b is not None else 0)
        tr["text"].append(escape(sentence))
        csv_rows.append(
            [c.get("model", ""), " + ".join(c.get("terms") or []), est, a, b, " ".join(c.get("chosen_by", []))]
        )
    fig = go.Figure()
    for chosen, tr in ((False, traces[False]), (True, traces[True])):
        if not tr["x"]:
            continue
        colour = CHOSEN_COLOUR if chosen else OTHER_COLOUR
        fig.add_trace(
            go.Scatter(
                x=tr["x"],
                y=tr["y"],
                mode="markers",
                name=t("hidden_chosen", lang) if chosen else t("hidden_other", lang),
                marker={"color": colour, "size": 14 if chosen else 10, "symbol": "diamond" if chosen else "circle"},
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": tr["plus"],
                    "arrayminus": tr["minus"],
                    "color": colour,
                    "thickness": 3 if chosen else 2,
                    "width": 6,
                },
                text=tr["text"],
                hovertemplate="%{text}<extra></extra>",
            )
        )
    n_obs = hp.get("n_observed")
    uppers = [c.get("upper") or c["estimate"] for c in shown]
    x_max = max([*uppers, n_obs if isinstance(n_obs, int) else 0, 1]) * 1.08
    if isinstance(n_obs, int):
        fig.add_trace(
            go.Scatter(
                x=[n_obs, n_obs],
                y=[labels[0], labels[-1]] if labels else [0, 1],
                mode="lines",
                name=t("hidden_registered", lang) + f" ({fmt_num(n_obs, lang)})",
                line={"color": NEUTRAL, "dash": "dash", "width": 2},
                hoverinfo="skip",
            )
        )
    fig.update_layout(
        xaxis={
            "title": {"text": t("hidden_axis", lang)},
            "range": [0, x_max],
            "tickformat": ",d",
            "rangemode": "tozero",
        },
        yaxis={"automargin": True, "type": "category", "categoryorder": "array", "categoryarray": labels},
        height=max(320, 130 + 21 * n_lines + 16 * len(shown)),
    )
    return fig, csv_rows, sentences, shown


def _years(ctx: Ctx) -> str:
    window = str((ctx.data["meta"].get("design") or {}).get("entry_window", ""))
    years = re.findall(r"\b((?:19|20)\d{2})-\d{2}-\d{2}\b", window)
    if len(years) == 2:
        return years[0] if years[0] == years[1] else f"{years[0]}–{years[1]}"
    return ""


def _in_ten_unseen(share: float, ctx: Ctx) -> str:
    k = int(share * 10 + 0.5)
    if k >= 10:
        return ctx.tr("almost all", "bijna alle")
    if k == 0:
        return ctx.tr("fewer than 1 in 10", "minder dan 1 op de 10")
    return ctx.tr(f"about {k} in 10", f"ongeveer {k} op de 10")


def _card(big: str, label: str, sub: str) -> str:
    return (
        f'<div class="card"><div class="big">{escape(big)}</div><div class="label">{escape(label)}</div>'
        f'<div class="sentence">{escape(sub)}</div></div>'
    )


def _caveats(ctx: Ctx) -> str:
    items = [
        ctx.tr(
            "Everyone could have been found (a closed population). "
            "The estimate assumes that, during the period, the same people "
            "could be registered by every organisation: people who arrived, left or died in between are not "
            "modelled, so a long period stretches this assumption.",
            "Iedereen had gevonden kunnen worden (een gesloten populatie). "
            "De schatting neemt aan dat in de periode dezelfde mensen door "
            "elke organisatie geregistreerd konden worden: mensen die in de tussentijd kwamen, vertrokken of "
            "overleden zijn niet meegenomen, en een lange periode rekt die aanname op.",
        ),
        ctx.tr(
            "No mistakes in the register (no false positives, perfect linkage). "
            "Everyone registered is assumed to be a real victim, and the same "
            "person is assumed to be recognised at every organisation: missed links make the estimate too high, "
            "wrong links too low.",
            "Geen fouten in het register (geen vals-positieven, perfecte koppeling). "
            "Iedereen die geregistreerd is, wordt als echt slachtoffer gezien, en "
            "dezelfde persoon wordt bij elke organisatie herkend: gemiste koppelingen maken de schatting te "
            "hoog, verkeerde te laag.",
        ),
        ctx.tr(
            "Organisations that work together are only partly accounted for (list dependence): "
            "the model allows for the pairs of "
            "organisations listed with the chosen model, nothing more. Other ties between organisations, and "
            "victims who are harder to see than others, can bias the estimate — often making it too low.",
            "Organisaties die samenwerken zijn maar deels meegenomen (lijstafhankelijkheid): "
            "het model houdt rekening met de paren "
            "organisaties die bij het gekozen model staan, niet meer. Andere banden tussen organisaties, en "
            "slachtoffers die moeilijker te zien zijn dan anderen, kunnen de schatting vertekenen — vaak naar "
            "beneden.",
        ),
        ctx.tr(
            "The number depends heavily on the model. The chart shows how much; quote the range, not a single number.",
            "Het getal hangt sterk af van het model. De grafiek laat zien hoeveel; noem het bereik, niet één getal.",
        ),
    ]
    head = ctx.tr("What this estimate assumes", "Wat deze schatting aanneemt")
    return f'<h3>{escape(head)}</h3><ul class="caveats">' + "".join(f"<li>{escape(x)}</li>" for x in items) + "</ul>"


def _failed(ctx: Ctx, hp: Mapping[str, Any]) -> str:
    if hp.get("status") == "withheld":
        text = ctx.tr(
            f"Too few people were registered (fewer than {ctx.min_label[1:]}) to estimate how many were not seen; "
            "nothing is shown.",
            f"Er waren te weinig mensen geregistreerd (minder dan {ctx.min_label[1:]}) om te schatten hoeveel er "
            "niet gezien zijn; er wordt niets getoond.",
        )
        return f'<p class="na">{escape(text)}</p>'
    text = ctx.tr(
        "No estimate could be made from these registrations: the overlap between the organisations does not "
        "allow one (the estimate does not exist or cannot be identified), or too little is known about who "
        "reported whom.",
        "Uit deze registraties kon geen schatting worden gemaakt: de overlap tussen de organisaties laat dat niet "
        "toe (de schatting bestaat niet of is niet te bepalen), of er is te weinig bekend over wie wie meldde.",
    )
    reason = hp.get("message")
    extra = f'<p class="note">{escape(ctx.tr("Reason given by the analysis: ", "Reden volgens de analyse: "))}' + (
        f"{escape(reason)}</p>" if reason else ""
    )
    return f'<p class="na">{escape(text)}</p>' + (extra if reason else "") + _caveats(ctx)


def _stratum_label(key: Mapping[str, str], lang: Lang) -> str:
    """Plain name of a stratum, e.g. ``{"period": "2014", "sex": "F"}`` -> ``2014 · Women and girls``."""
    parts = []
    for grouping, level in key.items():
        if grouping == "period":
            if level != "all":
                parts.append(level)
        else:
            parts.append(level_label(grouping, level, lang))
    return " · ".join(parts) or ("All" if lang == "en" else "Alle")


def _strata_table(ctx: Ctx, strat: Mapping[str, Any]) -> str:
    """Estimates by group (each estimated on its own; their sum beside the overall estimate)."""
    rows = []
    for x in strat.get("strata") or []:
        ci = x.get("ci") or {}
        rows.append(
            [
                _stratum_label(x.get("key") or {}, ctx.lang),
                x.get("n_observed"),
                x.get("estimate"),
                fmt_ci(ci.get("lower"), ci.get("upper"), ctx.lang, pct=False),
            ]
        )
    if not rows:
        return ""
    by = [b for b in strat.get("by") or [] if b != "period"]
    names = ", ".join(grouping_label(b, ctx.lang).lower() for b in by) or ctx.tr("year", "jaar")
    total = strat.get("total")
    intro = ctx.tr(
        f"By group ({names}): each group is estimated on its own, so the groups can differ in how visible they are. "
        f"Added up they come to {fmt_num(total, 'en')}; a difference from the overall estimate shows how much "
        "the answer depends on this choice.",
        f"Per groep ({names}): elke groep is apart geschat, zodat groepen kunnen verschillen in hoe zichtbaar ze "
        f"zijn. Opgeteld komen ze op {fmt_num(total, 'nl')}; een verschil met de totale schatting laat zien hoeveel "
        "het antwoord van deze keuze afhangt.",
    )
    header = [
        ctx.tr("Group", "Groep"),
        ctx.tr("Registered", "Geregistreerd"),
        ctx.tr("Estimated", "Geschat"),
        ctx.tr("95% interval", "95%-interval"),
    ]
    n_failed = strat.get("n_failed") or 0
    failed = (
        ctx.tr(
            f" For {n_failed} group(s) no estimate could be made; they are not in the sum.",
            f" Voor {n_failed} groep(en) kon geen schatting worden gemaakt; die zitten niet in de som.",
        )
        if n_failed
        else ""
    )
    return (
        f"<h3>{escape(ctx.tr('Estimates by group', 'Schattingen per groep'))}</h3><p>{escape(intro + failed)}</p>"
        + table(header, rows, ctx.lang)
    )


def hidden_population(ctx: Ctx) -> str:
    """Show the estimate, its interval and ratio to the registered number, the model-sensitivity chart, caveats."""
    hp = ctx.data.get("hidden_population")
    if not isinstance(hp, dict):
        return na(ctx)
    if hp.get("status") != "estimated" or not isinstance(hp.get("estimate"), int | float):
        return _failed(ctx, hp)
    lang = ctx.lang
    est, n_obs = hp["estimate"], hp["n_observed"]
    ci = hp.get("ci") or {}
    lo_ci, hi_ci = ci.get("lower"), ci.get("upper")
    upper_txt = fmt_num(hi_ci, lang) if hi_ci is not None else ctx.tr("no upper limit", "geen bovengrens")
    ci_txt = f"{fmt_num(lo_ci, lang)}–{upper_txt}" if lo_ci is not None else "–"
    ratio = hp.get("ratio_to_observed") or (est / n_obs)
    dark = hp.get("dark_figure") or max(est - n_obs, 0)
    years = _years(ctx)
    when = ctx.tr(f" in {years}", f" in {years}") if years else ""
    lead = ctx.tr(
        f"An estimated {fmt_num(est, 'en')} people were victims of human trafficking{when} "
        f"(95% interval {ci_txt}), while {fmt_num(n_obs, 'en')} were registered by at least one organisation: "
        f"about {fmt_num(ratio, 'en', 1)} times the registered number. So {_in_ten_unseen(dark / est, ctx)} "
        "victims were not seen by any organisation.",
        f"Naar schatting waren {fmt_num(est, 'nl')} mensen slachtoffer van mensenhandel{when} "
        f"(95%-interval {ci_txt}), terwijl {fmt_num(n_obs, 'nl')} door ten minste één organisatie zijn "
        f"geregistreerd: ongeveer {fmt_num(ratio, 'nl', 1)} keer het geregistreerde aantal. Dus "
        f"{_in_ten_unseen(dark / est, ctx)} slachtoffers werden door geen enkele organisatie gezien.",
    )
    cards = [
        _card(
            fmt_num(est, lang),
            ctx.tr("victims, estimated", "slachtoffers, geschat"),
            ctx.tr(f"95% interval {ci_txt}", f"95%-interval {ci_txt}"),
        ),
        _card(
            fmt_num(n_obs, lang),
            ctx.tr("registered by at least one organisation", "geregistreerd door ten minste één organisatie"),
            ctx.tr(f"{fmt_num(dark, 'en')} not seen", f"{fmt_num(dark, 'nl')} niet gezien"),
        ),
        _card(
            "×" + fmt_num(ratio, lang, 1),
            ctx.tr(
                "estimate compared with the registered number", "schatting vergeleken met het geregistreerde aantal"
            ),
            ctx.tr("1 means everyone was registered", "1 betekent dat iedereen geregistreerd was"),
        ),
    ]
    how = ctx.tr(
        "How this is estimated: each organisation that reports victims (police, labour inspectorate, care "
        "coordinators, shelters …) is treated as a separate list. How often the same person appears on several "
        "lists tells how many appear on none — if lists overlapped a lot, few victims would be missing. This is "
        "multiple systems estimation, the method behind the official Dutch estimates.",
        "Zo is dit geschat: elke organisatie die slachtoffers meldt (politie, arbeidsinspectie, zorgcoördinatoren, "
        "opvang …) geldt als een aparte lijst. Hoe vaak dezelfde persoon op meerdere lijsten staat, zegt hoeveel "
        "mensen op geen enkele lijst staan — als de lijsten sterk overlappen, ontbreken er weinig slachtoffers. "
        "Dit heet multiple systems estimation, de methode achter de officiële Nederlandse schattingen.",
    )
    fig, csv_rows, sentences, shown = sensitivity_figure(hp, lang)
    fig.update_layout(
        base_layout(
            lang,
            xaxis=fig.layout.xaxis.to_plotly_json(),
            yaxis=fig.layout.yaxis.to_plotly_json(),
            height=fig.layout.height,
            margin={"l": 20, "r": 30, "t": 40, "b": 60},
        )
    )
    sens = hp.get("sensitivity") or {}
    n_models = len([c for c in hp.get("candidates") or [] if c.get("estimate") is not None])
    s_lo, s_hi = sens.get("min_estimate"), sens.get("max_estimate")
    rng = ctx.tr(
        f"The {n_models} models considered give between {fmt_num(s_lo, 'en')} and {fmt_num(s_hi, 'en')} victims; "
        f"the chart shows {len(shown)} of them: the chosen one (highlighted), those other rules would choose, the "
        "lowest and the highest. Each line is the model's 95% interval; the dashed line is the registered number.",
        f"De {n_models} bekeken modellen geven tussen {fmt_num(s_lo, 'nl')} en {fmt_num(s_hi, 'nl')} "
        f"slachtoffers; de grafiek toont er {len(shown)}: het gekozen model (gemarkeerd), de modellen die andere "
        "regels zouden kiezen, het laagste en het hoogste. Elke lijn is het 95%-interval van het model; de "
        "stippellijn is het geregistreerde aantal.",
    )
    strong = isinstance(sens.get("ratio_max_min"), int | float) and sens["ratio_max_min"] >= 1.5
    if strong:
        rng += ctx.tr(
            " The models disagree a lot: treat the estimate as an order of magnitude.",
            " De modellen lopen ver uiteen: zie de schatting als een orde van grootte.",
        )
    threshold = (hp.get("rule") or {}).get("threshold")
    rule_txt = ctx.tr(
        "The chosen model adds pairs of organisations that share more (or fewer) victims than chance would give, "
        "one at a time, while the evidence is strong"
        + (f" (p < {fmt_num(threshold, 'en', 2)})" if isinstance(threshold, float) else "")
        + ". The chosen model's interval is the one reported above; the other models' are approximate (log-normal)."
        + f" Numbers in this section are rounded to {hp.get('rounding', 10)}.",
        "Het gekozen model voegt paren organisaties toe die meer (of minder) slachtoffers delen dan toeval zou "
        "geven, één voor één, zolang het bewijs sterk is"
        + (f" (p < {fmt_num(threshold, 'nl', 2)})" if isinstance(threshold, float) else "")
        + ". Het interval van het gekozen model is het interval hierboven; die van de andere modellen zijn "
        "benaderingen (log-normaal)." + f" Getallen in deze paragraaf zijn afgerond op {hp.get('rounding', 10)}.",
    )
    desc = ctx.tr(
        "Chart of the estimated number of victims under each model shown, with 95% intervals: ",
        "Grafiek van het geschatte aantal slachtoffers onder elk getoond model, met 95%-intervallen: ",
    ) + ". ".join(sentences)
    if isinstance(n_obs, int):
        desc += ctx.tr(f". Registered: {fmt_num(n_obs, 'en')}.", f". Geregistreerd: {fmt_num(n_obs, 'nl')}.")
    figure = chart(
        fig,
        fig_id="fig-hidden",
        title=t("hidden_fig", lang),
        description=desc,
        note=rule_txt,
        csv_uri=csv_data_uri(CSV_HEADER, csv_rows, lang),
        csv_name="hidden-population-models",
        lang=lang,
    )
    return (
        f'<p class="lead"><strong>{escape(lead)}</strong></p><div class="kpi">{"".join(cards)}</div>'
        f"<p>{escape(how)}</p><p>{escape(rng)}</p>{figure}"
        f"{_strata_table(ctx, hp['stratified']) if isinstance(hp.get('stratified'), dict) else ''}{_caveats(ctx)}"
    )
