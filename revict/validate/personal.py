"""Personal data that must not be in a pseudonymised extract.

Every text cell is scanned: free-text and unexpected columns in full, coded and
typed columns where a value is not a valid code or does not parse, and key
(pseudonym) columns. One combined regular expression picks candidate cells in a
single scan of each column; only those candidates are classified (BSN 11-check,
IBAN mod-97, ...). All in DuckDB.

Key columns get special care for citizen service numbers: some environments use
9-digit numeric pseudonyms, and a random 9-digit number passes the 11-check about
1 time in 11. So when 9-digit values are the column's usual format, the share
passing the 11-check is judged against 1/11 (flagged only when clearly above);
otherwise each value that passes is a finding.
"""

from __future__ import annotations

import functools
import math
import re
from functools import partial
from typing import Any

from revict.contract.models import ColumnType, SourceSpec
from revict.validate._sql import Cond, Ctx, Planned, mask_examples, pct, ql, safe_column_name, typed, val

_B0 = r"(?:^|[^0-9A-Za-z])"
_B1 = r"(?:$|[^0-9A-Za-z])"
EMAIL = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
PHONE_CORE = (
    r"(?:(?:\+31|0031|0)[ -]?(?:\(0\))?[ -]?[1-9](?:[ -]?[0-9]){8}"
    r"|(?:\+|00)[1-9][0-9]{0,2}[ -]?[0-9](?:[ -]?[0-9]){6,11})"
)
IBAN_CORE = r"[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11,30}"
POSTCODE_CORE = r"[1-9][0-9]{3} ?[A-Z]{2}"
BSN_CORE = r"(?:[0-9]{9}|[0-9]{4}[. ][0-9]{2}[. ][0-9]{3})"
DATE_CORE = r"(?:(?:19|20)[0-9]{2}-[0-9]{1,2}-[0-9]{1,2}|[0-9]{1,2}[-/.][0-9]{1,2}[-/.](?:19|20)[0-9]{2})"
# in free text: bounded by non-alphanumerics
PHONE = _B0 + PHONE_CORE + _B1
IBAN = _B0 + "(" + IBAN_CORE + ")" + _B1
POSTCODE = _B0 + POSTCODE_CORE + _B1
BSN_TOKEN = _B0 + BSN_CORE + _B1
_BSN_CAPTURE = _B0 + "(" + BSN_CORE + ")" + _B1
FULL_DATE = _B0 + DATE_CORE + _B1
#: A pattern-conforming key is personal data only when the WHOLE value is.
KEY_PII = f"{PHONE_CORE}|{IBAN_CORE}|{POSTCODE_CORE}|{BSN_CORE}"
_BIRTH_NAME = re.compile(r"birth|dob|geboort", re.IGNORECASE)

#: IBAN length by country (ISO 13616 registry, the SEPA countries and common others).
IBAN_LENGTHS = {
    "AD": 24,
    "AE": 23,
    "AT": 20,
    "BA": 20,
    "BE": 16,
    "BG": 22,
    "CH": 21,
    "CY": 28,
    "CZ": 24,
    "DE": 22,
    "DK": 18,
    "EE": 20,
    "ES": 24,
    "FI": 18,
    "FR": 27,
    "GB": 22,
    "GI": 23,
    "GR": 27,
    "HR": 21,
    "HU": 28,
    "IE": 22,
    "IS": 26,
    "IT": 27,
    "LI": 21,
    "LT": 20,
    "LU": 20,
    "LV": 21,
    "MC": 27,
    "MD": 24,
    "ME": 22,
    "MK": 19,
    "MT": 31,
    "NL": 18,
    "NO": 15,
    "PL": 28,
    "PT": 25,
    "RO": 24,
    "RS": 22,
    "SE": 24,
    "SI": 19,
    "SK": 24,
    "SM": 27,
    "TR": 26,
    "UA": 29,
    "AL": 28,
    "AZ": 28,
    "BH": 22,
    "BR": 29,
    "GE": 22,
    "IL": 23,
    "JO": 30,
    "KW": 30,
    "KZ": 20,
    "LB": 28,
    "MA": 28,
    "MU": 30,
    "NG": 18,
    "PK": 24,
    "QA": 29,
    "SA": 24,
    "TN": 24,
    "VG": 24,
    "XK": 20,
}


@functools.cache
def python_pii_pattern() -> re.Pattern[str]:
    """Return one Python regular expression matching any kind of personal data in free text."""
    return re.compile("|".join([EMAIL, PHONE, IBAN, POSTCODE, BSN_TOKEN, FULL_DATE]))


#: Kinds of personal data, in report order.
KINDS = ("bsn", "email", "phone", "iban", "postcode", "birth_date")

_MACROS = (
    """CREATE OR REPLACE TEMP MACRO _rv_bsn_ok(x) AS (
        (9*ascii(substr(x,1,1)) + 8*ascii(substr(x,2,1)) + 7*ascii(substr(x,3,1)) + 6*ascii(substr(x,4,1))
         + 5*ascii(substr(x,5,1)) + 4*ascii(substr(x,6,1)) + 3*ascii(substr(x,7,1))
         + 2*ascii(substr(x,8,1)) - ascii(substr(x,9,1)) - 43*48) % 11 = 0 AND x <> '000000000')""",
    f"""CREATE OR REPLACE TEMP MACRO _rv_has_bsn(v) AS (
        len(list_filter(regexp_extract_all(v, '{_BSN_CAPTURE}', 1),
            lambda t: _rv_bsn_ok(regexp_replace(t, '[. ]', '', 'g')))) > 0)""",
    # TRY_CAST: DuckDB may evaluate the lambda on values the IBAN pattern would have excluded
    """CREATE OR REPLACE TEMP MACRO _rv_mod97(s) AS (
        list_reduce(string_split(array_to_string(list_transform(string_split(substr(s,5) || substr(s,1,4), ''),
            lambda c: CASE WHEN c BETWEEN 'A' AND 'Z' THEN (ascii(c)-55)::VARCHAR ELSE c END), ''), ''),
            lambda acc, x: ((TRY_CAST(acc AS INT) * 10 + TRY_CAST(x AS INT)) % 97)::VARCHAR)::INT = 1)""",
)


def install_macros(ctx: Ctx) -> None:
    """Create the SQL macros (BSN 11-check, IBAN mod-97) on the connection."""
    for sql in _MACROS:
        ctx.con.execute(sql)
    lengths = " ".join(f"WHEN {ql(k)} THEN {v}" for k, v in IBAN_LENGTHS.items())
    ctx.con.execute(
        f"""CREATE OR REPLACE TEMP MACRO _rv_iban_ok(m) AS (
            m IS NOT NULL AND len(replace(m, ' ', '')) = (CASE substr(m, 1, 2) {lengths} ELSE -1 END)
            AND _rv_mod97(replace(m, ' ', '')))"""
    )


def _is_birth_scope(spec: SourceSpec, column: str) -> bool:
    """Full dates are personal data here: a birth-like column, or any column of the persons source."""
    ctype = spec.columns[column].type if column in spec.columns else None
    if ctype is ColumnType.DATE:
        return False
    return bool(_BIRTH_NAME.search(column)) or "birth_year" in spec.columns


def _scope(ctx: Ctx, spec: SourceSpec, column: str) -> str:
    """Return SQL selecting the cells of ``column`` to scan (valid codes and parsed values are safe)."""
    v = val(column)
    cs = spec.columns.get(column)
    if cs is None or cs.type in (ColumnType.STRING, ColumnType.PSEUDONYM):
        return f"{v} IS NOT NULL"
    if cs.type is ColumnType.ENUM and cs.values:
        return f"{v} IS NOT NULL AND {v} NOT IN ({', '.join(ql(x) for x in cs.values)})"
    return f"{v} IS NOT NULL AND {typed(column, cs.type)} IS NULL"


def _is_key(spec: SourceSpec, col: str) -> bool:
    return col in spec.columns and spec.columns[col].type is ColumnType.PSEUDONYM


def _candidate_sql(ctx: Ctx, spec: SourceSpec, col: str, v: str) -> str:
    """Return SQL that is true for a cell that may hold personal data (checked in detail afterwards)."""
    combined = "|".join([EMAIL, PHONE, IBAN, POSTCODE, BSN_TOKEN] + ([FULL_DATE] if _is_birth_scope(spec, col) else []))
    if _is_key(spec, col):
        return (
            f"CASE WHEN {v} IS NULL THEN false WHEN regexp_matches({v}, {ql(ctx.schema.pseudonym_pattern)}) "
            f"THEN contains({v}, '@') OR ((ascii({v}) BETWEEN 48 AND 57 OR ascii({v}) BETWEEN 65 AND 90 "
            f"OR ascii({v}) = 43) AND regexp_full_match({v}, {ql(KEY_PII)})) "
            f"ELSE regexp_matches({v}, {ql(combined)}) END"
        )
    return f"CASE WHEN {_scope(ctx, spec, col)} THEN regexp_matches({v}, {ql(combined)}) ELSE false END"


def candidate_plans(ctx: Ctx, name: str, spec: SourceSpec) -> list[Planned]:
    """Row-pass plans counting candidate cells per column (and filled key cells for the BSN share)."""
    cands = ctx.state.setdefault("pii_candidates", {})
    filled = ctx.state.setdefault("filled", {})
    plans = []
    for col in ctx.present(name):
        v = val(col)

        def keep(failed: int, ex: list[Any], total: int, col: str = col) -> None:
            cands[(name, col)] = failed

        plans.append(Planned(Cond(f"pii_cand:{col}", _candidate_sql(ctx, spec, col, v)), keep))
        if _is_key(spec, col):

            def keep_filled(failed: int, ex: list[Any], total: int, col: str = col) -> None:
                filled[(name, col)] = failed

            plans.append(Planned(Cond(f"filled:{col}", f"{v} IS NOT NULL"), keep_filled))
    return plans


def _candidates_sql(ctx: Ctx, name: str, spec: SourceSpec, cols: list[str]) -> str:
    parts = []
    pattern = ql(ctx.schema.pseudonym_pattern)
    for col in cols:
        birth = _is_birth_scope(spec, col)
        mode = f"CASE WHEN regexp_matches(v, {pattern}) THEN 'key' ELSE 'text' END" if _is_key(spec, col) else "'text'"
        parts.append(
            f"SELECT {ql(col)} AS col, {mode} AS mode, {'true' if birth else 'false'} AS birth, _row, v "
            f"FROM (SELECT _row, {val(col)} AS v, {_candidate_sql(ctx, spec, col, val(col))} AS cand "
            f"FROM raw_{name}) WHERE cand"
        )
    return " UNION ALL ".join(parts)


_KIND_SQL = {
    "email": f"CASE WHEN mode = 'key' THEN regexp_full_match(v, {ql(EMAIL)}) ELSE regexp_matches(v, {ql(EMAIL)}) END",
    "phone": f"CASE WHEN mode = 'key' THEN regexp_full_match(v, {ql(PHONE_CORE)}) "
    f"ELSE regexp_matches(v, {ql(PHONE)}) END",
    "iban": f"CASE WHEN mode = 'key' THEN regexp_full_match(v, {ql(IBAN_CORE)}) AND _rv_iban_ok(v) "
    f"ELSE _rv_iban_ok(NULLIF(regexp_extract(v, {ql(IBAN)}, 1), '')) END",
    "postcode": f"CASE WHEN mode = 'key' THEN regexp_full_match(v, {ql(POSTCODE_CORE)}) "
    f"ELSE regexp_matches(v, {ql(POSTCODE)}) END",
    "birth_date": f"birth AND mode = 'text' AND regexp_matches(v, {ql(FULL_DATE)})",
    # BSN in text (each value) and in key columns (judged by share, below)
    "bsn": "mode = 'text' AND _rv_has_bsn(v)",
    "bsn_key": f"mode = 'key' AND regexp_full_match(v, {ql(BSN_CORE)}) AND _rv_has_bsn(v)",
    "nine_key": f"mode = 'key' AND regexp_full_match(v, {ql(BSN_CORE)})",
}


def check_personal_data(ctx: Ctx) -> None:
    """Scan every column of every source for personal data (one candidate scan per source)."""
    install_macros(ctx)
    for name, spec in ctx.loaded():
        ctx.guarded("personal-data", name, partial(_personal_one, ctx, name, spec))


def _personal_one(ctx: Ctx, name: str, spec: SourceSpec) -> None:
    n = ctx.rows(name)
    cols = ctx.present(name)
    cands = ctx.state.get("pii_candidates", {})
    with_cands = [c for c in cols if cands.get((name, c), 1)]
    found: dict[str, list[tuple[str, int, list[dict[str, object]]]]] = {k: [] for k in KINDS}
    if with_cands:
        ctx.con.execute(f"CREATE OR REPLACE TEMP TABLE _rv_pii AS {_candidates_sql(ctx, name, spec, with_cands)}")
        aggs = []
        for cond in _KIND_SQL.values():
            aggs.append(f"count_if({cond})")
            aggs.append(f"arg_min({{'r': _row, 'v': NULL::VARCHAR}}, _row, 5) FILTER (WHERE {cond})")
        rows = ctx.con.execute(f"SELECT col, {', '.join(aggs)} FROM _rv_pii GROUP BY col ORDER BY col").fetchall()
        ctx.con.execute("DROP TABLE _rv_pii")
        filled = ctx.state.get("filled", {})
        for r in rows:
            res = {k: (int(r[1 + 2 * i] or 0), r[2 + 2 * i] or []) for i, k in enumerate(_KIND_SQL)}
            for k in KINDS:
                failed, ex = res[k]
                if k == "bsn":
                    failed, ex = _merge_key_bsn(res, failed, ex, filled.get((name, r[0]), 0))
                if failed:
                    found[k].append((r[0], failed, ex))
    for k in KINDS:
        for col, failed, ex in found[k]:
            ctx.add(
                f"pii_{k}",
                name,
                safe_column_name(col),
                failed_rows=failed,
                total_rows=n,
                message=f"{_LABEL[k]} in {failed:,} of {n:,} rows ({pct(failed, n)})",
                examples=mask_examples(ex, kind=k),
            )
        if not found[k]:
            ctx.add(
                f"pii_{k}",
                name,
                None,
                failed_rows=0,
                total_rows=n,
                message=f"no {_LABEL[k]} in {len(cols)} scanned column(s)",
            )


_LABEL = {
    "bsn": "citizen service numbers (BSN)",
    "email": "e-mail addresses",
    "phone": "telephone numbers",
    "iban": "IBAN bank account numbers",
    "postcode": "Dutch postcodes",
    "birth_date": "full dates (of birth) where only a birth year is allowed",
}


def bsn_share_suspicious(n_nine: int, n_pass: int) -> bool:
    """Return True when clearly more 9-digit keys pass the 11-check than the 1 in 11 expected by chance.

    Flags when ``n_pass`` exceeds ``n_nine / 11`` by more than four binomial standard
    deviations plus one (so a handful of values is never judged on chance alone).
    """
    if n_nine == 0:
        return False
    expected = n_nine / 11
    sd = math.sqrt(n_nine * (1 / 11) * (10 / 11))
    return n_pass > expected + 4 * sd + 1


def _merge_key_bsn(
    res: dict[str, tuple[int, list[dict[str, object]]]], failed: int, ex: list[dict[str, object]], filled: int
) -> tuple[int, list[dict[str, object]]]:
    """Add key-column BSN hits: each when 9-digit keys are a minority, else only a suspicious share."""
    n_nine, _ = res["nine_key"]
    n_pass, ex_key = res["bsn_key"]
    if n_pass == 0:
        return failed, ex
    usual_format = n_nine * 2 > filled
    if usual_format and not bsn_share_suspicious(n_nine, n_pass):
        return failed, ex
    merged = sorted(list(ex) + list(ex_key), key=lambda p: int(p["r"]))[:5]  # type: ignore[call-overload]
    return failed + n_pass, merged
