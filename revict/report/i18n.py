"""Dutch and English labels for everything in a report, and number formatting per language."""

from __future__ import annotations

from typing import Literal

Lang = Literal["en", "nl"]

LEVELS: dict[str, dict[str, tuple[str, str]]] = {
    "all": {"all": ("Whole cohort", "Hele cohort")},
    "minor": {
        "minor": ("Under 18", "Minderjarig"),
        "adult": ("18 and older", "Meerderjarig"),
        "unknown": ("Age unknown", "Leeftijd onbekend"),
    },
    "exploitation_form": {
        "sexual": ("Sexual exploitation", "Seksuele uitbuiting"),
        "labour": ("Labour exploitation", "Arbeidsuitbuiting"),
        "criminal": ("Criminal exploitation", "Criminele uitbuiting"),
        "other": ("Other exploitation", "Overige uitbuiting"),
        "unknown": ("Form unknown", "Vorm onbekend"),
    },
    "sex": {
        "F": ("Women and girls", "Vrouwen en meisjes"),
        "M": ("Men and boys", "Mannen en jongens"),
        "U": ("Sex unknown", "Geslacht onbekend"),
    },
    "origin": {
        "NL": ("Dutch", "Nederlands"),
        "EU": ("Other EU", "Overige EU"),
        "non-EU": ("Outside the EU", "Buiten de EU"),
        "unknown": ("Origin unknown", "Herkomst onbekend"),
    },
    "reporter": {
        "police": ("Police", "Politie"),
        "border_police": ("Border police (KMar)", "Koninklijke Marechaussee"),
        "labour_inspectorate": ("Labour inspectorate", "Arbeidsinspectie"),
        "care_coordinator": ("Care coordinator", "Zorgcoördinator"),
        "shelter": ("Shelter", "Opvang"),
        "other": ("Other reporter", "Andere melder"),
        "unknown": ("Reporter unknown", "Melder onbekend"),
    },
    "cross_border": {
        "yes": ("Cross-border", "Grensoverschrijdend"),
        "no": ("Domestic", "Binnenlands"),
        "unknown": ("Unknown", "Onbekend"),
    },
    "prior_victimisation": {
        "none": ("No earlier victimisation", "Niet eerder slachtoffer"),
        "any": ("Victimised in the year before", "Slachtoffer in het jaar ervoor"),
    },
    "category": {
        "violence": ("Violence", "Geweld"),
        "sexual": ("Sexual offence", "Zedendelict"),
        "threat": ("Threat", "Bedreiging"),
        "exploitation": ("Exploitation", "Uitbuiting"),
        "property": ("Property crime", "Vermogensdelict"),
        "other": ("Other crime", "Overig delict"),
    },
}

GROUPINGS: dict[str, tuple[str, str]] = {
    "all": ("Whole cohort", "Hele cohort"),
    "exploitation_form": ("Form of exploitation", "Vorm van uitbuiting"),
    "sex": ("Sex", "Geslacht"),
    "age_group": ("Age at registration", "Leeftijd bij registratie"),
    "origin": ("Origin", "Herkomst"),
    "reporter": ("Reporting organisation", "Melder"),
    "cross_border": ("Cross-border", "Grensoverschrijdend"),
    "prior_victimisation": ("Earlier victimisation", "Eerder slachtofferschap"),
    "minor": ("Under 18 or not", "Minderjarig of niet"),
}

TEXT: dict[str, tuple[str, str]] = {
    "title": (
        "Repeat victimisation of registered victims of human trafficking",
        "Herhaald slachtofferschap van geregistreerde slachtoffers van mensenhandel",
    ),
    "synthetic": (
        "SYNTHETIC DATA — these figures are made up for testing and describe no real person.",
        "SYNTHETISCHE DATA — deze cijfers zijn verzonnen om te testen en beschrijven geen echte persoon.",
    ),
    "contents": ("Contents", "Inhoud"),
    "headline": ("Key figure", "Kerncijfer"),
    "cohort_flow": ("Who is in the cohort", "Wie zitten in het cohort"),
    "descriptives": ("The cohort by form of exploitation", "Het cohort naar vorm van uitbuiting"),
    "cumulative_incidence": (
        "How many become a victim again, and how fast",
        "Hoeveel worden opnieuw slachtoffer, en hoe snel",
    ),
    "offences": ("Which crimes follow", "Welke misdrijven volgen"),
    "hazard_ratios": ("Who is most at risk", "Wie lopen het meeste risico"),
    "recurrence": ("Repeat victimisation over time", "Herhaald slachtofferschap in de tijd"),
    "perpetrators": ("Perpetrators who come back", "Daders die terugkomen"),
    "hidden_population": ("How many victims do we not see?", "Hoeveel slachtoffers zien we niet?"),
    "method": ("Method and provenance", "Methode en herkomst"),
    "not_available": (
        "Not available: this part of the analysis is missing from the results, or was withheld by disclosure control.",
        "Niet beschikbaar: dit deel van de analyse ontbreekt in de resultaten, of is "
        "weggelaten door de geheimhoudingscontrole.",
    ),
    "download": ("Download data (CSV)", "Download gegevens (CSV)"),
    "years_since": ("Years since registration as a victim", "Jaren sinds registratie als slachtoffer"),
    "year": ("Year", "Jaar"),
    "cum_pct": ("Victim again (cumulative %)", "Opnieuw slachtoffer (cumulatief %)"),
    "cif_pct": ("Victim again, accounting for deaths (%)", "Opnieuw slachtoffer, rekening houdend met overlijden (%)"),
    "died": ("Died before becoming a victim again", "Overleden voordat opnieuw slachtoffer"),
    "ci95": ("95% confidence interval", "95%-betrouwbaarheidsinterval"),
    "ci_short": ("95% CI", "95%-BI"),
    "show_by": ("Show by", "Toon naar"),
    "at_risk": (
        "Number still followed (at risk) after each whole year since registration",
        "Aantal nog gevolgd (at risk) na elk heel jaar sinds registratie",
    ),
    "group": ("Group", "Groep"),
    "total": ("Total", "Totaal"),
    "events": ("events", "gebeurtenissen"),
    "persons": ("persons", "personen"),
    "offence": ("Type of crime", "Soort misdrijf"),
    "n_events": ("Number of victimisations", "Aantal keer slachtoffer"),
    "year_since": ("Year since registration", "Jaar sinds registratie"),
    "hr_axis": (
        "Hazard ratio (1 = same pace as the comparison group)",
        "Hazard ratio (1 = zelfde tempo als de vergelijkingsgroep)",
    ),
    "vs": ("compared with", "vergeleken met"),
    "higher": ("higher rate", "hoger tempo"),
    "lower": ("lower rate", "lager tempo"),
    "mcf_axis": ("Times a victim again (average per person)", "Keer opnieuw slachtoffer (gemiddeld per persoon)"),
    "victims_per_offender": ("Victims per perpetrator", "Slachtoffers per dader"),
    "n_offenders": ("Number of perpetrators", "Aantal daders"),
    "component_size": (
        "People in a connected group (victims and perpetrators)",
        "Personen in een verbonden groep (slachtoffers en daders)",
    ),
    "n_components": ("Number of groups", "Aantal groepen"),
    "suppressed_note": (
        "Numbers below {m} are shown as “<{m}”; “x” marks a number hidden so that a small one "
        "cannot be worked out from the totals. Neither is drawn in a chart.",
        "Aantallen onder {m} staan er als „<{m}”; „x” is een aantal dat verborgen is zodat een "
        "klein aantal niet uit de totalen valt af te leiden. Geen van beide wordt getekend.",
    ),
    "offences_fig": (
        "Crimes people became a victim of after registration, per year",
        "Misdrijven waarvan mensen na registratie slachtoffer werden, per jaar",
    ),
    "forest_fig": (
        "Hazard ratios with 95% confidence intervals (Cox model)",
        "Hazard ratio’s met 95%-betrouwbaarheidsintervallen (Cox-model)",
    ),
    "mcf_short": ("Times a victim again (average per person)", "Keer opnieuw slachtoffer (gemiddeld per persoon)"),
    "hidden_fig": (
        "Estimated number of victims under different models, with 95% intervals",
        "Geschat aantal slachtoffers onder verschillende modellen, met 95%-intervallen",
    ),
    "hidden_axis": (
        "Estimated number of victims (registered and not seen)",
        "Geschat aantal slachtoffers (geregistreerd en niet gezien)",
    ),
    "hidden_chosen": ("Chosen model", "Gekozen model"),
    "hidden_other": ("Other models", "Andere modellen"),
    "hidden_registered": ("Registered", "Geregistreerd"),
    "rule": ("Rule", "Regel"),
    "what": ("What", "Wat"),
    "reason": ("Reason", "Reden"),
    "setting": ("Setting", "Instelling"),
    "value": ("Value", "Waarde"),
}


def t(key: str, lang: Lang, **fmt: object) -> str:
    """Look up a label in the report's language."""
    en, nl = TEXT[key]
    text = nl if lang == "nl" else en
    return text.format(**fmt) if fmt else text


def level_label(grouping: str, level: str, lang: Lang) -> str:
    """Plain-language name of a covariate level, e.g. ``labour`` -> ``Labour exploitation``."""
    pair = LEVELS.get(grouping, {}).get(level)
    if pair:
        return pair[1] if lang == "nl" else pair[0]
    if grouping == "age_group":
        if level == "unknown":
            return "Leeftijd onbekend" if lang == "nl" else "Age unknown"
        if level.endswith("+"):
            return f"{level[:-1]} jaar en ouder" if lang == "nl" else f"{level[:-1]} and older"
        return f"{level.replace('-', '–')} jaar" if lang == "nl" else f"Aged {level.replace('-', '–')}"
    return level


def grouping_label(grouping: str, lang: Lang) -> str:
    """Plain-language name of a grouping (covariate)."""
    en, nl = GROUPINGS.get(grouping, (grouping, grouping))
    return nl if lang == "nl" else en


def fmt_num(x: float | int | str | None, lang: Lang, decimals: int = 0) -> str:
    """Format a number with the language's separators (nl: ``1.234,5``; en: ``1,234.5``).

    Examples
    --------
    >>> fmt_num(1234.5, "nl", 1)
    '1.234,5'
    >>> fmt_num(1234.5, "en", 1)
    '1,234.5'
    >>> fmt_num("<10", "nl")
    '<10'
    """
    if x is None:
        return "–"
    if isinstance(x, str):
        return x
    text = f"{x:,.{decimals}f}"
    if lang == "nl":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def fmt_pct(p: float | None, lang: Lang, decimals: int = 0) -> str:
    """Format a proportion as a percentage, e.g. ``0.483`` -> ``48%`` / ``48,3%``."""
    return "–" if p is None else fmt_num(100 * p, lang, decimals) + "%"


def fmt_ci(lo: float | None, hi: float | None, lang: Lang, decimals: int = 0, pct: bool = True) -> str:
    """Format a confidence interval, e.g. ``46–50%`` (percentages) or ``0,62–0,90``."""
    if lo is None or hi is None:
        return "–"
    if pct:
        return f"{fmt_num(100 * lo, lang, decimals)}–{fmt_num(100 * hi, lang, decimals)}%"
    return f"{fmt_num(lo, lang, decimals)}–{fmt_num(hi, lang, decimals)}"


def separators(lang: Lang) -> str:
    """Return plotly's ``layout.separators`` (decimal, then thousands) for the language."""
    return ",." if lang == "nl" else ".,"


STEPS: dict[str, tuple[str, str]] = {
    "registrations_read": ("Victim registrations in the register", "Registraties van slachtoffers in het register"),
    "unlinked": ("Not linked to a person", "Niet gekoppeld aan een persoon"),
    "registration_date_missing": ("No valid registration date", "Geen geldige registratiedatum"),
    "not_first_registration": (
        "Later registrations of the same person (the first one counts)",
        "Latere registraties van dezelfde persoon (de eerste telt)",
    ),
    "index_outside_entry_window": (
        "First registration outside the study period",
        "Eerste registratie buiten de onderzoeksperiode",
    ),
    "person_missing": ("Person not in the population register", "Persoon niet in de basisregistratie"),
    "died_or_emigrated_before_index": (
        "Died or emigrated before registration",
        "Overleden of geëmigreerd vóór registratie",
    ),
    "restricted": ("Outside the groups studied", "Buiten de onderzochte groepen"),
    "missing_covariates": ("Missing characteristics", "Ontbrekende kenmerken"),
    "final_cohort": ("People in the cohort", "Personen in het cohort"),
}


def step_label(step: str, description: str, lang: Lang) -> str:
    """Plain-language name of an attrition step (the builder's description when unknown)."""
    pair = STEPS.get(step)
    if pair:
        return pair[1] if lang == "nl" else pair[0]
    return description or step
