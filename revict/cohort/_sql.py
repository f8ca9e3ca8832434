"""SQL fragments of the cohort builder (DuckDB dialect).

Every value rendered into SQL here comes from the cohort or schema file (dates,
day counts, level names), never from the data; text is quoted with :func:`lit`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from revict.cohort.spec import COVARIATE_LEVELS, CohortSpec


def lit(value: str | int | dt.date) -> str:
    """Render a spec value as a SQL literal."""
    if isinstance(value, dt.date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, int):
        return str(int(value))
    return "'" + str(value).replace("'", "''") + "'"


def in_list(values: Iterable[str]) -> str:
    """Render ``('a', 'b')`` for an ``IN`` clause."""
    return "(" + ", ".join(lit(v) for v in values) + ")"


def level_expr(column: str, covariate: str) -> str:
    """Map a text column to a covariate level; missing or unparseable -> ``unknown``."""
    levels = [lv for lv in COVARIATE_LEVELS[covariate] if lv != "unknown"]
    return f"CASE WHEN {column} IN {in_list(levels)} THEN {column} ELSE 'unknown' END"


def age_group_expr(age: str, spec: CohortSpec) -> str:
    """CASE expression: age in years -> the cohort's age-group label (``unknown`` if missing)."""
    bounds, labels = spec.age_groups, spec.age_group_labels
    whens = " ".join(
        f"WHEN {age} >= {int(lo)} THEN {lit(label)}" for lo, label in reversed(list(zip(bounds, labels, strict=True)))
    )
    return f"CASE WHEN {age} IS NULL THEN 'unknown' {whens} ELSE 'unknown' END"


def follow_up_end_expr(spec: CohortSpec, data_end: dt.date, *, death_ends: bool) -> str:
    """Days from index to the end of follow-up: the earliest of the ends that apply."""
    ends = [str(int(spec.follow_up_days))]
    if death_ends:
        ends.append("death_date - index_date")
    if "emigration" in spec.censor_at:
        ends.append("emigration_date - index_date")
    if "data_end" in spec.censor_at:
        ends.append(f"{lit(data_end)} - index_date")
    return f"least({', '.join(ends)})"


def first_registration_sql(table: str) -> str:
    """Each linked person's first dated registration (ties: smallest registration_id)."""
    return f"""
CREATE TEMP TABLE {table} AS
SELECT person_id, registration_date AS index_date, exploitation_form, reporter, cross_border
FROM victim_registrations
WHERE person_id IS NOT NULL AND registration_date IS NOT NULL
QUALIFY row_number() OVER (
    PARTITION BY person_id
    ORDER BY registration_date, registration_id NULLS LAST, exploitation_form NULLS LAST,
             reporter NULLS LAST, cross_border NULLS LAST, _row
) = 1
"""


def window_persons_sql(table: str, first: str, spec: CohortSpec, data_end: dt.date, *, death_ends: bool) -> str:
    """Persons whose index date lies in the entry window, joined to their persons row."""
    fue = follow_up_end_expr(spec, data_end, death_ends=death_ends)
    death_is_end = f"(death_date IS NOT NULL AND death_date - index_date = {fue})" if death_ends else "FALSE"
    return f"""
CREATE TEMP TABLE {table} AS
WITH p AS (
    SELECT person_id, birth_year, sex, origin, death_date, emigration_date
    FROM persons
    WHERE person_id IS NOT NULL
    QUALIFY row_number() OVER (
        PARTITION BY person_id
        ORDER BY birth_year NULLS LAST, sex NULLS LAST, origin NULLS LAST, death_date NULLS LAST,
                 emigration_date NULLS LAST, _row
    ) = 1
), j AS (
    SELECT f.*, p.person_id IS NOT NULL AS in_persons,
           p.birth_year, p.sex, p.origin, p.death_date, p.emigration_date
    FROM {first} f LEFT JOIN p ON f.person_id = p.person_id
    WHERE f.index_date BETWEEN {lit(spec.entry_window.start)} AND {lit(spec.entry_window.end)}
)
SELECT *, {fue} AS follow_up_end, {death_is_end} AS is_death_end,
       (coalesce(death_date <= index_date, FALSE) OR coalesce(emigration_date <= index_date, FALSE)
        OR {fue} <= 0) AS no_time_at_risk
FROM j
"""


def candidates_sql(table: str, persons: str, spec: CohortSpec) -> str:
    """Persons with time at risk, with their covariates at index.

    ``pk`` is an integer key in ``person_id`` order, so later joins and sorts run on
    integers and ordering by ``pk`` is ordering by ``person_id``.
    """
    age = "(CASE WHEN year(index_date) - birth_year >= 0 THEN year(index_date) - birth_year END)"
    return f"""
CREATE TEMP TABLE {table} AS
SELECT (row_number() OVER (ORDER BY person_id))::INTEGER AS pk, person_id, index_date,
       year(index_date)::BIGINT AS index_year, follow_up_end::BIGINT AS follow_up_end, is_death_end,
       {level_expr("exploitation_form", "exploitation_form")} AS exploitation_form,
       {level_expr("sex", "sex")} AS sex,
       {age_group_expr(age, spec)} AS age_group,
       {level_expr("origin", "origin")} AS origin,
       {level_expr("reporter", "reporter")} AS reporter,
       CASE WHEN cross_border THEN 'yes' WHEN NOT cross_border THEN 'no' ELSE 'unknown' END AS cross_border,
       {age}::BIGINT AS age_at_index,
       {age} < 18 AS is_minor
FROM {persons}
WHERE in_persons AND NOT no_time_at_risk
"""


def events_sql(
    table: str,
    cand: str,
    spec: CohortSpec,
    categories: tuple[str, ...] | None,
    known: tuple[str, ...] | None = None,
) -> str:
    """Victimisations of candidates: the 365 days before index, and counted outcome events.

    ``counted`` marks outcome events: category in the outcome set, ``day > max(0,
    blackout_days)`` and ``day <= follow_up_end`` (the censoring day counts). Rows
    with an empty person_id or an unparseable date drop out through the join and
    the day filter (no filter on the view itself: pushing one into the typed view
    makes DuckDB evaluate its casts twice). A category outside ``known`` (the
    schema's enum) or missing becomes ``unknown``; it counts only when the outcome
    is ``any``.
    """
    min_day = max(0, int(spec.blackout_days))
    cat_ok = "TRUE" if categories is None else f"offence_category IN {in_list(categories)}"
    cat = "v.offence_category"
    category = (
        f"CASE WHEN {cat} IN {in_list(known)} THEN {cat} ELSE 'unknown' END" if known else f"coalesce({cat}, 'unknown')"
    )
    return f"""
CREATE TEMP TABLE {table} AS
WITH v AS (
    SELECT c.pk, (v.incident_date - c.index_date)::INTEGER AS day,
           {category} AS offence_category, c.follow_up_end
    FROM (SELECT person_id, incident_date, offence_category FROM victimisations) v
    JOIN {cand} c ON v.person_id = c.person_id
)
SELECT pk, day, offence_category, (day > {min_day} AND {cat_ok}) AS counted
FROM v
WHERE day BETWEEN -365 AND follow_up_end AND (day < 0 OR (day > {min_day} AND {cat_ok}))
"""


def cohort_sql(table: str, cand: str, events: str) -> str:
    """Candidates with prior victimisation counts (any category, days -365 to -1)."""
    return f"""
CREATE TEMP TABLE {table} AS
SELECT c.*, coalesce(p.n, 0)::BIGINT AS prior_victimisations_365d,
       CASE WHEN coalesce(p.n, 0) > 0 THEN 'any' ELSE 'none' END AS prior_victimisation
FROM {cand} c LEFT JOIN (
    SELECT pk, count(*) AS n FROM {events} WHERE day < 0 GROUP BY pk
) p ON c.pk = p.pk
"""


def first_event_sql(final: str, events: str, competing_death: bool) -> str:
    """One row per person: time, status and covariates."""
    death_status = "WHEN c.is_death_end THEN 2 " if competing_death else ""
    return f"""
SELECT c.pk, c.person_id, c.index_date, c.index_year,
       coalesce(e.first_day, c.follow_up_end)::BIGINT AS time,
       (CASE WHEN e.first_day IS NOT NULL THEN 1 {death_status}ELSE 0 END)::BIGINT AS status,
       c.exploitation_form, c.sex, c.age_group, c.origin, c.reporter, c.cross_border,
       c.prior_victimisation, c.prior_victimisations_365d, c.age_at_index, c.is_minor, c.follow_up_end
FROM {final} c LEFT JOIN (
    SELECT pk, min(day) AS first_day FROM {events} WHERE counted GROUP BY pk
) e ON c.pk = e.pk
ORDER BY c.pk
"""


def event_days_sql(events: str) -> str:
    """Distinct outcome-event days per person key, sorted (same-day events count once)."""
    return f"SELECT pk, day FROM {events} WHERE counted GROUP BY pk, day ORDER BY pk, day"


def outcome_events_sql(final: str | None, events: str) -> str:
    """Every counted outcome incident during follow-up (same-day incidents each listed), by ``pk``.

    ``final`` is the cohort to keep, or None when every candidate is in the cohort.
    """
    semi = f"SEMI JOIN {final} f ON e.pk = f.pk" if final else ""
    return f"""
SELECT e.pk, e.day, e.offence_category
FROM {events} e {semi}
WHERE e.counted
ORDER BY e.pk, e.day, e.offence_category
"""
