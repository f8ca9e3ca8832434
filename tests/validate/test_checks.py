"""Every check: passes on the clean fixture, fails with the exact count on a corrupted copy."""

from __future__ import annotations

import hashlib

import pytest

from revict.contract import load_schema
from revict.contract.models import LinkageSchema
from revict.validate import CATALOGUE
from revict.validate.catalogue import UNREADABLE_CODES
from tests.validate.vdata import N, clean_tables, find, one, pid, run, write_tables

# (check id, source, column) that must be present and passed on the clean fixture
PASSING = [
    ("file_missing", "persons", None),
    ("file_unreadable", "victimisations", None),
    ("column_missing", "persons", None),
    ("column_unexpected", "victimisations", None),
    ("type_invalid", "persons", "birth_year"),
    ("type_invalid", "victimisations", "incident_date"),
    ("type_invalid", "victim_registrations", "cross_border"),
    ("type_invalid", "victimisations", "link_score"),
    ("enum_invalid", "persons", "sex"),
    ("pseudonym_format", "perpetrator_links", "offender_id"),
    ("value_missing", "victimisations", "incident_id"),
    ("value_out_of_range", "persons", "birth_year"),
    ("date_outside_window", "victim_registrations", "registration_date"),
    ("date_after_data_end", "persons", "death_date"),
    ("key_not_unique", "persons", "person_id"),
    ("row_duplicate", "perpetrator_links", None),
    ("fk_unresolved", "victimisations", "person_id"),
    ("key_domain_mismatch", "victim_registrations", "person_id"),
    ("event_wrong_table", "perpetrator_links", "event_id"),
    ("unlinked_share", "victimisations", "person_id"),
    ("link_rate_selective", "victimisations", "person_id"),
    ("link_method_inconsistent", "victimisations", "link_method"),
    ("link_score_low", "victimisations", "link_score"),
    ("link_score_missing", "victimisations", "link_score"),
    ("records_per_person_excess", "victimisations", "person_id"),
    ("person_split_hint", "persons", None),
    ("event_before_birth", "victimisations", "incident_date"),
    ("event_after_death", "victimisations", "incident_date"),
    ("event_after_emigration", "victim_registrations", "registration_date"),
    ("age_implausible", "victimisations", "incident_date"),
    ("pii_bsn", "persons", None),
    ("pii_email", "victimisations", None),
    ("pii_phone", "victim_registrations", None),
    ("pii_iban", "perpetrator_links", None),
    ("pii_postcode", "persons", None),
    ("pii_birth_date", "persons", None),
    ("pseudonym_mixed_formats", "perpetrator_links", "event_id"),
    ("pseudonym_unkeyed_hash", "persons", None),
]


@pytest.fixture(scope="module")
def clean_report(tmp_path_factory: pytest.TempPathFactory):
    return run(write_tables(tmp_path_factory.mktemp("clean"), clean_tables()))


def test_clean_fixture_is_valid_without_warnings(clean_report) -> None:
    """The clean fixture passes every check, errors and warnings alike."""
    assert clean_report.valid
    assert [(c.id, c.source, c.column) for c in clean_report.failed()] == []
    assert clean_report.exit_code == 0


@pytest.mark.parametrize(("check_id", "source", "column"), PASSING)
def test_check_passes_on_clean_data(clean_report, check_id: str, source: str, column: str | None) -> None:
    """Each check is reported on clean data as passed, with zero failed rows."""
    c = one(clean_report, check_id, source, column)
    assert c.passed
    assert c.failed_rows == 0
    assert c.examples == ()


def test_passing_list_covers_the_catalogue() -> None:
    """Every check in the catalogue has a passing case above (except crash and loader variants)."""
    covered = {p[0] for p in PASSING} | {"attribute_conflict", "check_crashed"}
    assert set(CATALOGUE) - set(UNREADABLE_CODES) - covered == set()


# ------------------------------------------------------------------ structure


def test_file_missing(tables, validate_tables) -> None:
    """A required extract that is not in the folder is one error."""
    del tables["victimisations"]
    r = validate_tables(tables)
    c = one(r, "file_missing", "victimisations")
    assert (c.failed_rows, c.severity) == (1, "error")
    assert not r.valid
    assert r.exit_code == 1


def test_file_unreadable_encoding(tables, validate_tables, tmp_path) -> None:
    """A Latin-1 extract is reported as an encoding problem."""
    folder = tmp_path / "enc"
    tables["persons"][3]["origin"] = "Curaçao"
    write_tables(folder, tables)
    p = folder / "persons.csv"
    p.write_bytes(p.read_text(encoding="utf-8").encode("latin-1"))
    r = run(folder)
    assert one(r, "file_encoding", "persons").failed_rows == 1
    assert not find(r, "type_invalid", "persons")


def test_column_missing(tables, validate_tables) -> None:
    """Dropping a required column fails column_missing for that column, all rows."""
    for row in tables["persons"]:
        del row["sex"]
    c = one(validate_tables(tables), "column_missing", "persons", "sex")
    assert c.failed_rows == N


def test_column_unexpected_is_a_warning(tables, validate_tables) -> None:
    """An extra column is a warning only; the data stay valid."""
    for row in tables["persons"]:
        row["notes"] = "ok"
    r = validate_tables(tables)
    c = one(r, "column_unexpected", "persons", "notes")
    assert (c.failed_rows, c.severity) == (N, "warning")
    assert r.valid


def test_type_invalid(tables, validate_tables) -> None:
    """Unparseable dates, integers, booleans and numbers are counted per column."""
    tables["victimisations"][0]["incident_date"] = "31-12-2015"
    tables["victimisations"][1]["incident_date"] = "2015-02-30"
    tables["persons"][2]["birth_year"] = "19x5"
    tables["victim_registrations"][4]["cross_border"] = "yes"
    tables["victimisations"][5]["link_score"] = "0,9"
    r = validate_tables(tables)
    assert one(r, "type_invalid", "victimisations", "incident_date").failed_rows == 2
    assert one(r, "type_invalid", "persons", "birth_year").failed_rows == 1
    assert one(r, "type_invalid", "victim_registrations", "cross_border").failed_rows == 1
    c = one(r, "type_invalid", "victimisations", "link_score")
    assert c.failed_rows == 1
    assert [e.row for e in c.examples] == [6]


def test_enum_invalid(tables, validate_tables) -> None:
    """Codes outside the list (also by case) are counted."""
    tables["persons"][0]["sex"] = "f"
    tables["persons"][1]["sex"] = "X"
    tables["persons"][2]["origin"] = "Mars"
    r = validate_tables(tables)
    assert one(r, "enum_invalid", "persons", "sex").failed_rows == 2
    assert one(r, "enum_invalid", "persons", "origin").failed_rows == 1


def test_pseudonym_format(tables, validate_tables) -> None:
    """Identifiers that break the pseudonym pattern are counted, masked."""
    tables["perpetrator_links"][0]["offender_id"] = "short"
    tables["perpetrator_links"][1]["offender_id"] = "has space inside"
    c = one(validate_tables(tables), "pseudonym_format", "perpetrator_links", "offender_id")
    assert c.failed_rows == 2
    assert [e.value for e in c.examples] == ["s***t", "h**************e"]


def test_value_missing(tables, validate_tables) -> None:
    """Empty required cells (also whitespace only) are counted."""
    tables["victimisations"][0]["offence_category"] = ""
    tables["victimisations"][1]["offence_category"] = "  "
    c = one(validate_tables(tables), "value_missing", "victimisations", "offence_category")
    assert c.failed_rows == 2
    assert [e.row for e in c.examples] == [1, 2]


def test_value_out_of_range(tables, validate_tables) -> None:
    """Birth years outside 1900..data end year and scores outside [0, 1] are counted."""
    tables["persons"][0]["birth_year"] = "1899"
    tables["persons"][1]["birth_year"] = "2030"
    tables["victimisations"][0]["link_score"] = "1.2"
    r = validate_tables(tables)
    assert one(r, "value_out_of_range", "persons", "birth_year").failed_rows == 2
    assert one(r, "value_out_of_range", "victimisations", "link_score").failed_rows == 1


def test_date_outside_window(tables, validate_tables) -> None:
    """Event dates before data_start or after data_end are errors."""
    tables["victim_registrations"][0]["registration_date"] = "2007-12-31"
    tables["victim_registrations"][1]["registration_date"] = "2024-01-01"
    c = one(validate_tables(tables), "date_outside_window", "victim_registrations", "registration_date")
    assert c.failed_rows == 2


def test_date_after_data_end(tables, validate_tables) -> None:
    """A death date after the data window is a warning."""
    tables["persons"][0]["death_date"] = "2025-01-01"
    r = validate_tables(tables)
    c = one(r, "date_after_data_end", "persons", "death_date")
    assert (c.failed_rows, c.severity) == (1, "warning")


# ------------------------------------------------------------------ keys


def test_key_not_unique(tables, validate_tables) -> None:
    """Rows sharing a primary key are all counted."""
    tables["victimisations"][1]["incident_id"] = tables["victimisations"][0]["incident_id"]
    tables["victimisations"][2]["incident_id"] = tables["victimisations"][0]["incident_id"]
    c = one(validate_tables(tables), "key_not_unique", "victimisations", "incident_id")
    assert c.failed_rows == 3
    assert [e.row for e in c.examples] == [1, 2, 3]


def test_row_duplicate(tables, validate_tables) -> None:
    """Exact copies beyond the first are counted (in a table without a primary key)."""
    links = tables["perpetrator_links"]
    links += [dict(links[0]), dict(links[0]), dict(links[5])]
    c = one(validate_tables(tables), "row_duplicate", "perpetrator_links")
    assert c.failed_rows == 3
    assert [e.row for e in c.examples] == [31, 32, 33]


def test_fk_unresolved(tables, validate_tables) -> None:
    """Filled-in keys not in persons are counted apart from empty keys."""
    tables["victimisations"][0]["person_id"] = "per-zzzzzzzz1"
    tables["victimisations"][1]["person_id"] = "per-zzzzzzzz2"
    tables["victimisations"][2]["person_id"] = ""
    tables["victimisations"][2]["link_method"] = "none"
    r = validate_tables(tables)
    c = one(r, "fk_unresolved", "victimisations", "person_id")
    assert (c.failed_rows, c.total_rows) == (2, 2 * N - 1)
    assert one(r, "key_domain_mismatch", "victimisations", "person_id").passed


def test_key_domain_mismatch_is_one_finding(tables, validate_tables) -> None:
    """When almost no key resolves, one key-domain finding replaces the per-key errors."""
    for row in tables["victimisations"]:
        row["person_id"] = "per-q" + row["person_id"][5:]
    r = validate_tables(tables)
    c = one(r, "key_domain_mismatch", "victimisations", "person_id")
    assert c.failed_rows == 2 * N
    assert "key domains do not match" in c.message
    assert find(r, "fk_unresolved", "victimisations") == []


def test_event_wrong_table(tables, validate_tables) -> None:
    """An event id found only in the other table than its event_type names is counted."""
    tables["perpetrator_links"][0]["event_type"] = "victimisation"
    tables["perpetrator_links"][10]["event_type"] = "registration"
    r = validate_tables(tables)
    assert one(r, "event_wrong_table", "perpetrator_links", "event_id").failed_rows == 2


# ------------------------------------------------------------------ linkage


def test_unlinked_share_and_selective_linkage(tables, validate_tables) -> None:
    """Unlinking all 2012 violence records drops the link rate below 80% and shows as selective."""
    for row in tables["victimisations"][:N]:
        row["person_id"], row["link_method"], row["link_score"] = "", "none", ""
    r = validate_tables(tables)
    u = one(r, "unlinked_share", "victimisations", "person_id")
    assert (u.failed_rows, u.total_rows, u.severity) == (N, 2 * N, "warning")
    s = one(r, "link_rate_selective", "victimisations", "person_id")
    assert s.failed_rows == N
    assert "2012" in s.message
    assert "violence" in s.message
    rates = {(e["by"], e["group"]): e["link_rate"] for e in r.diagnostics["link_rates"]["victimisations"]}
    assert rates[("all", "all")] == 0.5
    assert rates[("offence_category", "property")] == 1.0
    assert r.valid


def test_link_method_inconsistent(tables, validate_tables) -> None:
    """`none` with a key, and a link method without a key, are both counted."""
    tables["victimisations"][0]["link_method"] = "none"
    tables["victimisations"][1]["person_id"] = ""
    c = one(validate_tables(tables), "link_method_inconsistent", "victimisations", "link_method")
    assert c.failed_rows == 2


def test_link_score_low_and_missing(tables, validate_tables) -> None:
    """Probabilistic links below the threshold or without a score are counted (warnings)."""
    tables["victimisations"][0]["link_score"] = "0.5"
    tables["victimisations"][5]["link_score"] = "0.89"
    tables["victimisations"][10]["link_score"] = ""
    r = validate_tables(tables)
    low = one(r, "link_score_low", "victimisations", "link_score")
    assert (low.failed_rows, low.total_rows) == (2, 8)
    assert one(r, "link_score_missing", "victimisations", "link_score").failed_rows == 1
    assert r.valid


def _schema_agreeing_on_sex() -> LinkageSchema:
    data = load_schema().model_dump(mode="json")
    regs = data["sources"]["victim_registrations"]
    regs["columns"]["sex"] = {"type": "enum", "values": ["F", "M", "U"]}
    data["linkage"]["agree_across_sources"] = ["persons.sex", "victim_registrations.sex"]
    return LinkageSchema.model_validate(data)


def test_attribute_conflict(tables, validate_tables) -> None:
    """A person whose sex differs between sources is counted once."""
    schema = _schema_agreeing_on_sex()
    for i, row in enumerate(tables["victim_registrations"]):
        row["sex"] = "FM"[i % 2]
    clean = validate_tables(tables, schema)
    assert one(clean, "attribute_conflict", "persons", "sex").passed
    tables["victim_registrations"][3]["sex"] = "F"
    tables["victim_registrations"][4]["sex"] = "M"
    c = one(validate_tables(tables, schema), "attribute_conflict", "persons", "sex")
    assert (c.failed_rows, c.total_rows) == (2, N)
    assert [e.row for e in c.examples] == [4, 5]


def test_records_per_person_excess(tables, validate_tables) -> None:
    """A key with more records than max_records_per_person has all its rows counted."""
    data = load_schema().model_dump(mode="json")
    data["linkage"]["max_records_per_person"] = 3
    schema = LinkageSchema.model_validate(data)
    for row in tables["victimisations"][1:4]:
        row["person_id"] = pid(0)
    c = one(validate_tables(tables, schema), "records_per_person_excess", "victimisations", "person_id")
    assert c.failed_rows == 5


def test_person_split_hint(tables, validate_tables) -> None:
    """Two keys with the same birth year and sex and two shared event dates are one hint."""
    p = tables["persons"]
    p[2]["birth_year"] = p[0]["birth_year"]
    v = tables["victimisations"]
    v[2]["incident_date"], v[N + 2]["incident_date"] = v[0]["incident_date"], v[N]["incident_date"]
    r = validate_tables(tables)
    c = one(r, "person_split_hint", "persons")
    assert (c.failed_rows, c.severity) == (1, "warning")
    assert [e.row for e in c.examples] == [1]


# ------------------------------------------------------------------ time


def test_event_before_birth_and_age(tables, validate_tables) -> None:
    """An event before the birth year is an error; an age above the maximum a warning."""
    tables["persons"][0]["birth_year"] = "2013"
    tables["persons"][1]["birth_year"] = "1905"
    r = validate_tables(tables)
    assert one(r, "event_before_birth", "victimisations", "incident_date").failed_rows == 1
    assert one(r, "event_before_birth", "victim_registrations", "registration_date").failed_rows == 1
    age = one(r, "age_implausible", "victimisations", "incident_date")
    assert (age.failed_rows, age.severity) == (2, "warning")


def test_event_after_death_and_emigration(tables, validate_tables) -> None:
    """Events after death are errors; after emigration warnings."""
    tables["persons"][0]["death_date"] = "2013-01-01"
    tables["persons"][1]["emigration_date"] = "2011-01-01"
    r = validate_tables(tables)
    d = one(r, "event_after_death", "victimisations", "incident_date")
    assert (d.failed_rows, d.severity) == (1, "error")
    e = one(r, "event_after_emigration", "victimisations", "incident_date")
    assert (e.failed_rows, e.severity) == (2, "warning")
    assert one(r, "event_after_emigration", "victim_registrations", "registration_date").passed


# ------------------------------------------------------------------ personal data


def test_personal_data_in_free_text(tables, validate_tables) -> None:
    """Each kind of personal data in an unexpected text column is counted and fully masked."""
    notes = [
        "bsn 111222333 noted",  # passes the 11-check
        "bsn 123456789 noted",  # fails the 11-check: not a BSN
        "mail jan.jansen@example.nl",
        "call 06-12345678",
        "call +44 20 7946 0958",
        "iban NL91ABNA0417164300",
        "iban NL91ABNA0417164301",  # fails mod-97
        "lives at 1234 AB",
        "born 12-05-1990",
    ]
    for i, row in enumerate(tables["persons"]):
        row["notes"] = notes[i] if i < len(notes) else ""
    r = validate_tables(tables)
    counts = {
        k: one(r, f"pii_{k}", "persons", "notes").failed_rows
        for k in ("bsn", "email", "phone", "iban", "postcode", "birth_date")
    }
    assert counts == {"bsn": 1, "email": 1, "phone": 2, "iban": 1, "postcode": 1, "birth_date": 1}
    assert one(r, "pii_email", "persons", "notes").examples[0].value == "<email>"
    assert not r.valid


def test_full_date_in_birth_year(tables, validate_tables) -> None:
    """A full date in the birth-year column is a type error and a date-of-birth finding."""
    tables["persons"][0]["birth_year"] = "1985-04-12"
    r = validate_tables(tables)
    assert one(r, "pii_birth_date", "persons", "birth_year").failed_rows == 1
    assert one(r, "type_invalid", "persons", "birth_year").failed_rows == 1


def test_bsn_in_a_key_column_minority(tables, validate_tables) -> None:
    """A few BSNs among ordinary pseudonyms are each an error."""
    tables["perpetrator_links"][0]["offender_id"] = "111222333"
    tables["perpetrator_links"][1]["offender_id"] = "123456782"
    tables["perpetrator_links"][2]["offender_id"] = "123456789"  # fails the 11-check
    c = one(validate_tables(tables), "pii_bsn", "perpetrator_links", "offender_id")
    assert c.failed_rows == 2


def _nine_digit(n_pass: int, n_total: int) -> list[str]:
    """``n_total`` 9-digit numbers of which exactly ``n_pass`` pass the 11-check."""
    from revict.validate.personal import bsn_share_suspicious  # noqa: F401

    out, passing, failing = [], 0, 0
    x = 200000000
    while len(out) < n_total:
        x += 7919
        s = str(x)
        ok = sum(int(d) * w for d, w in zip(s, (9, 8, 7, 6, 5, 4, 3, 2, -1), strict=True)) % 11 == 0
        if ok and passing < n_pass:
            out.append(s)
            passing += 1
        elif not ok and failing < n_total - n_pass:
            out.append(s)
            failing += 1
    return out


def test_bsn_share_in_numeric_key_column(tables, validate_tables) -> None:
    """With 9-digit numeric pseudonyms, a chance share passing the 11-check is fine; all passing is not."""

    def offenders(ids: list[str]) -> None:
        for row, x in zip(tables["perpetrator_links"], ids, strict=True):
            row["offender_id"] = x

    offenders(_nine_digit(3, 30))  # 10%: about the 1 in 11 expected by chance
    assert one(validate_tables(tables), "pii_bsn", "perpetrator_links").passed
    offenders(_nine_digit(30, 30))
    c = one(validate_tables(tables), "pii_bsn", "perpetrator_links", "offender_id")
    assert c.failed_rows == 30


# ------------------------------------------------------------------ pseudonym hygiene


def test_pseudonym_mixed_formats(tables, validate_tables) -> None:
    """Two key versions in one column (hex digests and prefixed ids) are a warning with the minority count."""
    for i, row in enumerate(tables["victimisations"][:6]):
        row["person_id"] = hashlib.sha256(f"k2-{i}".encode()).hexdigest()
    r = validate_tables(tables)
    c = one(r, "pseudonym_mixed_formats", "victimisations", "person_id")
    assert (c.failed_rows, c.total_rows, c.severity) == (6, 2 * N, "warning")


def test_event_id_formats_compared_within_event_type(clean_report) -> None:
    """event_id mixes registration and incident ids by design; that is not a mixed format."""
    assert one(clean_report, "pseudonym_mixed_formats", "perpetrator_links", "event_id").passed


def test_unkeyed_hash_reversed_by_enumeration(tables, validate_tables, monkeypatch) -> None:
    """MD5 and SHA-256 digests of valid BSNs are reversed by enumeration (prefix range shortened)."""
    import revict.validate.pseudonyms as ps

    monkeypatch.setattr(ps, "BSN_PREFIXES", 10_000)
    bsns = ["000000019", "000012342"]  # prefixes 00000001 and 00001234; check digits computed below
    for b in list(bsns):
        s = sum(int(d) * w for d, w in zip(b[:8], range(9, 1, -1), strict=True)) % 11
        bsns[bsns.index(b)] = b[:8] + str(s)
    tables["perpetrator_links"][0]["offender_id"] = hashlib.md5(bsns[0].encode()).hexdigest()
    tables["perpetrator_links"][1]["offender_id"] = hashlib.sha256(bsns[1].encode()).hexdigest()
    tables["perpetrator_links"][2]["offender_id"] = hashlib.md5(b"not-a-bsn").hexdigest()
    r = validate_tables(tables, deep=True)
    c = one(r, "pseudonym_unkeyed_hash", "perpetrator_links", "offender_id")
    assert c.failed_rows == 2
    assert {e.value for e in c.examples} == {"<bsn-hash>"}
    assert not r.valid
    shallow = validate_tables(tables)
    s = one(shallow, "pseudonym_unkeyed_hash", "perpetrator_links")
    assert s.passed
    assert s.skipped
    assert "--deep" in s.message


def test_deep_without_hex_pseudonyms_skips_enumeration(tables, validate_tables, monkeypatch) -> None:
    """With no hex-digest pseudonyms the deep check passes without enumerating."""
    import revict.validate.pseudonyms as ps

    def boom(*a, **k):
        raise AssertionError("enumeration must not run")

    monkeypatch.setattr(ps, "_enumerate", boom)
    r = validate_tables(tables, deep=True)
    c = one(r, "pseudonym_unkeyed_hash", "persons")
    assert c.passed
    assert not c.skipped
    assert "no enumeration" in c.message


def test_check_crash_is_reported_not_raised(tables, validate_tables, monkeypatch) -> None:
    """An engine error inside a check group becomes a check_crashed finding without the error text."""
    import duckdb

    import revict.validate._sql as vsql
    import revict.validate.keys as keys

    monkeypatch.setattr(vsql, "RAISE_ON_CRASH", False)

    def broken(*a, **k):
        raise duckdb.ConversionException("Could not convert string 'per-secret-value' to INT32")

    monkeypatch.setattr(keys, "_unique", broken)
    r = validate_tables(tables)
    crashed = find(r, "check_crashed", "persons")
    assert len(crashed) == 1
    assert "secret" not in crashed[0].message
    assert not r.valid


def test_hex_pseudonyms_after_a_dash_are_not_phone_numbers(tables, validate_tables) -> None:
    """A pseudonym like reg-001234567890 (digits after a prefix) is not taken for a telephone number."""
    for i, row in enumerate(tables["victim_registrations"]):
        row["registration_id"] = f"reg-00{i + 1:010d}"
    tables["perpetrator_links"] = [r for r in tables["perpetrator_links"] if r["event_type"] == "victimisation"]
    r = validate_tables(tables)
    assert one(r, "pii_phone", "victim_registrations").passed
    assert one(r, "pii_bsn", "victim_registrations").passed


def test_whole_value_phone_in_a_key_column_is_found(tables, validate_tables) -> None:
    """A key column holding a bare mobile number is personal data even though it fits the pattern."""
    tables["perpetrator_links"][3]["offender_id"] = "0612345678"
    c = one(validate_tables(tables), "pii_phone", "perpetrator_links", "offender_id")
    assert c.failed_rows == 1
    assert c.examples[0].value == "<phone>"


@pytest.mark.slow
def test_unkeyed_sha256_reversed_over_the_full_range(tables, validate_tables) -> None:
    """The full enumeration (all valid BSNs) reverses a SHA-256 digest of a high number."""
    bsn = "999999990"
    assert sum(int(d) * w for d, w in zip(bsn, (9, 8, 7, 6, 5, 4, 3, 2, -1), strict=True)) % 11 == 0
    tables["perpetrator_links"][0]["offender_id"] = hashlib.sha256(bsn.encode()).hexdigest()
    c = one(validate_tables(tables, deep=True), "pseudonym_unkeyed_hash", "perpetrator_links", "offender_id")
    assert c.failed_rows == 1


@pytest.mark.parametrize(
    ("damage", "code"),
    [
        (lambda b: b + b"per-extra0001x,1990,F,NL,,,surplus\n", "file_ragged"),
        (lambda b: b"", "file_empty"),
        (lambda b: b.replace(b"sex,origin", b"sex,sex", 1), "file_header"),
        (lambda b: b.decode().encode("utf-16"), "file_encoding"),
    ],
)
def test_unreadable_files_are_one_error_each(tables, tmp_path, damage, code) -> None:
    """A ragged, empty, badly headed or UTF-16 extract is one error naming the problem; other sources still run."""
    folder = write_tables(tmp_path / code, tables)
    p = folder / "persons.csv"
    p.write_bytes(damage(p.read_bytes()))
    r = run(folder)
    c = one(r, code, "persons")
    assert (c.failed_rows, c.severity) == (1, "error")
    assert find(r, "file_unreadable", "persons") == [] or code == "file_unreadable"
    assert one(r, "key_not_unique", "victimisations", "incident_id").passed
