"""The catalogue of validation checks: stable id, category, severity, description, hint.

Categories follow the data-quality framework of Kahn et al. (2016) as used by the
OHDSI Data Quality Dashboard: *conformance* (values and relations follow the
contract), *completeness* (what should be there is there) and *plausibility*
(values are believable: uniqueness, atemporal and temporal plausibility).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from revict._core.errors import Severity


class Category(StrEnum):
    """Data-quality category of a check (OHDSI Data Quality Dashboard)."""

    CONFORMANCE = "conformance"
    COMPLETENESS = "completeness"
    PLAUSIBILITY = "plausibility"


@dataclass(frozen=True)
class CheckDef:
    """The fixed part of a check: what it tests and how to fix a failure."""

    id: str
    category: Category
    severity: Severity
    description: str
    hint: str


_C, _P, _M = Category.CONFORMANCE, Category.PLAUSIBILITY, Category.COMPLETENESS
_E, _W = Severity.ERROR, Severity.WARNING

_DEFS = (
    # --- files and columns -------------------------------------------------------------------
    CheckDef(
        "file_missing",
        _M,
        _E,
        "The extract of a source is in the data folder.",
        "Put the extract in the data folder under the file name the schema gives, or fix `file:`.",
    ),
    CheckDef(
        "file_unreadable",
        _C,
        _E,
        "The extract can be read as UTF-8 CSV with a header, or as Parquet.",
        "Re-export the table as UTF-8 CSV with one header row (or Parquet), complete and untruncated.",
    ),
    CheckDef(
        "column_missing",
        _M,
        _E,
        "Every required column is in the header.",
        "Add the column to the extract, or correct its name in the header.",
    ),
    CheckDef(
        "column_unexpected",
        _C,
        _W,
        "No column outside the schema (they may carry personal data).",
        "Drop the column from the extract, or declare it in the schema if it is meant to be there.",
    ),
    # --- values -------------------------------------------------------------------------------
    CheckDef(
        "type_invalid",
        _C,
        _E,
        "Values parse as the declared type (ISO dates, integers, numbers, booleans).",
        "Fix the export format: dates as YYYY-MM-DD, numbers without thousands separators, booleans as true/false.",
    ),
    CheckDef(
        "enum_invalid",
        _C,
        _E,
        "Values of a coded column are among the allowed codes.",
        "Recode the values to the codes listed in the schema (mind case and spelling).",
    ),
    CheckDef(
        "pseudonym_format",
        _C,
        _E,
        "Identifiers match the schema's pseudonym pattern.",
        "Pseudonymise the column with the agreed procedure; identifiers must match `pseudonym_pattern`.",
    ),
    CheckDef(
        "value_missing",
        _M,
        _E,
        "Required columns have a value in every row.",
        "Fill the column in the extract, or drop the rows that cannot be completed.",
    ),
    CheckDef(
        "value_out_of_range",
        _P,
        _E,
        "Numbers lie within the bounds the schema sets.",
        "Correct the values, or fix the bounds (`min`/`max`) in the schema.",
    ),
    CheckDef(
        "date_outside_window",
        _P,
        _E,
        "Event dates lie inside the data window (data_start to data_end).",
        "Check the extract's date filter, or data_start/data_end in the schema.",
    ),
    CheckDef(
        "date_after_data_end",
        _P,
        _W,
        "Other dates do not lie after the end of the data window.",
        "Check the extract's reference date and data_end in the schema.",
    ),
    # --- keys ---------------------------------------------------------------------------------
    CheckDef(
        "key_not_unique",
        _P,
        _E,
        "Primary keys and unique columns hold each value once.",
        "Remove duplicated records or fix the key generation in the extract.",
    ),
    CheckDef(
        "row_duplicate",
        _P,
        _W,
        "No row is an exact copy of another row.",
        "Remove the duplicated rows (often an extract that was appended twice).",
    ),
    CheckDef(
        "fk_unresolved",
        _C,
        _E,
        "Filled-in foreign keys resolve to the table they reference.",
        "Re-extract with the same population, or check that both tables were pseudonymised with the same key.",
    ),
    CheckDef(
        "key_domain_mismatch",
        _C,
        _E,
        "Foreign keys of a source share the key domain of the table they reference (most of them resolve).",
        "Ask the trusted third party to pseudonymise all sources with the same key and key version.",
    ),
    CheckDef(
        "event_wrong_table",
        _C,
        _E,
        "An event id is found in the table its event type names.",
        "Correct event_type for these rows, or the event id.",
    ),
    # --- linkage ------------------------------------------------------------------------------
    CheckDef(
        "unlinked_share",
        _M,
        _W,
        "The share of records linked to a person meets linkage.min_link_rate.",
        "Investigate why records did not link (see the link-rate breakdown); re-run the linkage if a key step failed.",
    ),
    CheckDef(
        "link_rate_selective",
        _M,
        _W,
        "Link rates do not differ sharply between years, forms or reporters (selective linkage biases analyses).",
        "Ask the linkage provider why these groups link less; report it as a limitation.",
    ),
    CheckDef(
        "link_method_inconsistent",
        _C,
        _E,
        "link_method agrees with the key: `none` exactly when person_id is empty.",
        "Correct link_method or person_id for these rows in the linkage output.",
    ),
    CheckDef(
        "link_score_low",
        _P,
        _W,
        "Probabilistic links score at least linkage.probabilistic_min_score.",
        "Review the low-scoring links or raise the threshold in the linkage; sensitivity-analyse them.",
    ),
    CheckDef(
        "link_score_missing",
        _M,
        _W,
        "Probabilistic links carry a link score.",
        "Export link_score for probabilistic links.",
    ),
    CheckDef(
        "attribute_conflict",
        _P,
        _E,
        "Attributes that must agree for one person do agree (linkage.agree_across_sources).",
        "Check the linkage for these persons: conflicting attributes point to two people under one key.",
    ),
    CheckDef(
        "records_per_person_excess",
        _P,
        _W,
        "No person has an implausible number of records (linkage.max_records_per_person).",
        "Check these keys: a default or placeholder pseudonym, or several people merged under one key.",
    ),
    CheckDef(
        "person_split_hint",
        _P,
        _W,
        "No signs of one person split over two keys (same birth year and sex, events on the same dates).",
        "Review these pairs with the linkage provider; they may be one person with two pseudonyms.",
    ),
    # --- time ---------------------------------------------------------------------------------
    CheckDef(
        "event_before_birth",
        _P,
        _E,
        "No event happens before the person's birth year.",
        "Check the linkage of these records (wrong person) and the birth year.",
    ),
    CheckDef(
        "event_after_death",
        _P,
        _E,
        "No event happens after the person's death date.",
        "Check the linkage of these records: events after death point to a wrong link or a merged key.",
    ),
    CheckDef(
        "event_after_emigration",
        _P,
        _W,
        "Events after emigration are rare (they may be a return).",
        "Verify re-immigration in the population register; otherwise check the links.",
    ),
    CheckDef(
        "age_implausible",
        _P,
        _W,
        "Age at the event lies within plausibility.min/max_age_at_event.",
        "Check birth year and link of these records.",
    ),
    # --- personal data ------------------------------------------------------------------------
    CheckDef(
        "pii_bsn",
        _C,
        _E,
        "No citizen service numbers (BSN, 9 digits passing the 11-check).",
        "Remove or pseudonymise the column; BSNs must never be in a research extract.",
    ),
    CheckDef("pii_email", _C, _E, "No e-mail addresses.", "Remove the column or scrub free text."),
    CheckDef(
        "pii_phone", _C, _E, "No telephone numbers (Dutch or international).", "Remove the column or scrub free text."
    ),
    CheckDef(
        "pii_iban",
        _C,
        _E,
        "No bank account numbers (IBAN passing the mod-97 check).",
        "Remove the column or scrub free text.",
    ),
    CheckDef(
        "pii_postcode",
        _C,
        _E,
        "No Dutch postcodes (4 digits and 2 letters).",
        "Remove the column or coarsen to region.",
    ),
    CheckDef(
        "pii_birth_date",
        _C,
        _E,
        "No full dates of birth where only a birth year is allowed.",
        "Reduce dates of birth to the year before export.",
    ),
    # --- pseudonym hygiene --------------------------------------------------------------------
    CheckDef(
        "pseudonym_mixed_formats",
        _C,
        _W,
        "A pseudonym column uses one format (not two key versions).",
        "Ask the trusted third party which key version made each format; re-pseudonymise with one.",
    ),
    CheckDef(
        "pseudonym_unkeyed_hash",
        _C,
        _E,
        "Pseudonyms are not unkeyed hashes (MD5/SHA-1/SHA-256) of citizen service numbers (--deep).",
        "Pseudonymise with a keyed function (HMAC with a secret key held by a trusted third party).",
    ),
    CheckDef(
        "check_crashed",
        _C,
        _E,
        "A check could not run on this source.",
        "Report this to the revict maintainers with the check id; the data itself is not shown.",
    ),
)

#: Every check, by id.
CATALOGUE: dict[str, CheckDef] = {d.id: d for d in _DEFS}

#: Loader problem codes reported under the ``file_unreadable`` check.
UNREADABLE_CODES = ("file_unreadable", "file_ragged", "file_encoding", "file_empty", "file_header")

for _code in UNREADABLE_CODES:
    CATALOGUE.setdefault(
        _code, CheckDef(_code, _C, _E, CATALOGUE["file_unreadable"].description, CATALOGUE["file_unreadable"].hint)
    )
