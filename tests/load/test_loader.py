"""Loading extracts into DuckDB: typed views, Parquet, and a clear error for each kind of bad input."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pytest

from revict import SourceError
from revict.contract import load_schema
from revict.load import load_sources

SCHEMA = load_schema()

GOOD = {
    "persons": "person_id,birth_year,sex,origin,death_date,emigration_date\n"
    "per-aaaaaaaa01,1990,F,NL,,\nper-aaaaaaaa02,1985,M,non-EU,2019-05-01,\n",
    "victim_registrations": "registration_id,person_id,registration_date,exploitation_form,cross_border,reporter,"
    "link_method,link_score\nreg-aaaaaaaa01,per-aaaaaaaa01,2013-02-03,sexual,false,police,deterministic,1\n"
    "reg-aaaaaaaa02,,2014-02-03,labour,true,shelter,none,\n",
    "victimisations": "incident_id,person_id,incident_date,offence_category,link_method,link_score\n"
    "inc-aaaaaaaa01,per-aaaaaaaa01,2015-06-07,violence,probabilistic,0.93\n",
    "perpetrator_links": "event_id,event_type,offender_id\nreg-aaaaaaaa01,registration,off-aaaaaaaa01\n",
}


def write(folder: Path, **override: str | bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in {**GOOD, **override}.items():
        target = folder / f"{name}.csv"
        if isinstance(text, bytes):
            target.write_bytes(text)
        else:
            target.write_text(text, encoding="utf-8")
    return folder


def codes(folder: Path) -> dict[str, str]:
    return {p.source: p.code for p in load_sources(SCHEMA, folder, strict=False).problems}


def test_good_data_load_with_declared_types(tmp_path: Path) -> None:
    """Declared types are applied: dates, booleans, floats, and NULL for empty cells."""
    src = load_sources(SCHEMA, write(tmp_path))
    row = src.con.execute(
        "SELECT registration_date, cross_border, link_score, person_id FROM victim_registrations ORDER BY _row"
    ).fetchall()
    assert str(row[0][0]) == "2013-02-03"
    assert row[0][1] is False
    assert row[0][2] == 1.0
    assert row[1][3] is None
    assert row[1][1] is True
    types = dict(src.con.execute("SELECT column_name, column_type FROM (DESCRIBE victim_registrations)").fetchall())
    assert types["registration_date"] == "DATE"
    assert types["link_score"] == "DOUBLE"
    assert src.info["persons"].rows == 2
    assert src.problems == []


def test_unparseable_cell_becomes_null_in_the_typed_view(tmp_path: Path) -> None:
    """A date that does not parse is NULL in the typed view and kept as text in the raw table."""
    bad = GOOD["victimisations"].replace("2015-06-07", "07-06-2015")
    src = load_sources(SCHEMA, write(tmp_path, victimisations=bad), keep_raw=True)
    assert src.con.execute("SELECT incident_date FROM victimisations").fetchone() == (None,)
    assert src.con.execute("SELECT incident_date IS NOT NULL FROM raw_victimisations").fetchone() == (True,)


def test_missing_optional_column_is_a_typed_null(tmp_path: Path) -> None:
    """A declared optional column absent from the file is still there, as NULLs of its type."""
    persons = "person_id,birth_year,sex\nper-aaaaaaaa01,1990,F\nper-aaaaaaaa02,1985,M\n"
    src = load_sources(SCHEMA, write(tmp_path, persons=persons))
    assert src.con.execute("SELECT count(death_date) FROM persons").fetchone() == (0,)


def test_parquet_is_read_like_csv(tmp_path: Path) -> None:
    """A Parquet extract loads to the same typed values as its CSV."""
    csv_dir = write(tmp_path / "csv")
    pq_dir = tmp_path / "pq"
    pq_dir.mkdir()
    con = duckdb.connect()
    for name in GOOD:
        con.execute(
            f"COPY (SELECT * FROM read_csv('{csv_dir / name}.csv', all_varchar=true)) TO '{pq_dir / name}.parquet'"
        )
    a = load_sources(SCHEMA, csv_dir).con.execute("SELECT * FROM victimisations").fetchall()
    b = load_sources(SCHEMA, pq_dir)
    assert b.info["victimisations"].format == "parquet"
    assert b.con.execute("SELECT * FROM victimisations").fetchall() == a


def test_missing_file(tmp_path: Path) -> None:
    """A missing required file is named with the file names looked for."""
    folder = write(tmp_path)
    (folder / "victimisations.csv").unlink()
    with pytest.raises(SourceError, match=r"no file victimisations\.csv or victimisations\.parquet"):
        load_sources(SCHEMA, folder)


def test_missing_folder(tmp_path: Path) -> None:
    """A data folder that does not exist is a SourceError, not a traceback."""
    with pytest.raises(SourceError, match="does not exist"):
        load_sources(SCHEMA, tmp_path / "nope")


def test_ragged_csv_names_the_line(tmp_path: Path) -> None:
    """A row with an extra field is reported with its line number."""
    bad = GOOD["persons"] + "per-aaaaaaaa03,1970,F,NL,,,surplus\n"
    with pytest.raises(SourceError) as exc:
        load_sources(SCHEMA, write(tmp_path, persons=bad))
    assert exc.value.problems[0].code == "file_ragged"
    assert "line 4" in exc.value.message
    assert "surplus" not in str(exc.value)


def test_wrong_encoding_names_the_line(tmp_path: Path) -> None:
    """Latin-1 bytes are reported as not UTF-8, with the line, never echoed."""
    bad = (GOOD["persons"] + "per-aaaaaaaa03,1970,F,NL,,\n").replace("per-aaaaaaaa03", "per-\xe9\xe9aaaaaa3")
    folder = write(tmp_path, persons=bad.encode("latin-1"))
    with pytest.raises(SourceError) as exc:
        load_sources(SCHEMA, folder)
    assert exc.value.problems[0].code == "file_encoding"
    assert "line 4" in exc.value.message


def test_utf16_is_rejected(tmp_path: Path) -> None:
    """A UTF-16 export is recognised as such."""
    folder = write(tmp_path, persons=GOOD["persons"].encode("utf-16"))
    assert codes(folder)["persons"] == "file_encoding"


def test_empty_file(tmp_path: Path) -> None:
    """An empty file says it is empty."""
    assert codes(write(tmp_path, perpetrator_links=""))["perpetrator_links"] == "file_empty"


def test_duplicate_header(tmp_path: Path) -> None:
    """A header naming a column twice is a header problem at line 1."""
    bad = "event_id,event_type,event_type\nreg-aaaaaaaa01,registration,registration\n"
    assert codes(write(tmp_path, perpetrator_links=bad))["perpetrator_links"] == "file_header"


def test_truncated_parquet(tmp_path: Path) -> None:
    """A Parquet file that is not Parquet is unreadable, not a crash."""
    folder = write(tmp_path)
    (folder / "perpetrator_links.csv").unlink()
    (folder / "perpetrator_links.parquet").write_bytes(b"PAR1 truncated")
    assert codes(folder)["perpetrator_links"] == "file_unreadable"


def test_missing_required_column(tmp_path: Path) -> None:
    """A required column missing from the header is named."""
    bad = "person_id,birth_year\nper-aaaaaaaa01,1990\n"
    with pytest.raises(SourceError, match="required column sex is not in the header"):
        load_sources(SCHEMA, write(tmp_path, persons=bad))


def test_inputs_are_never_modified(tmp_path: Path) -> None:
    """Loading leaves every input file byte-identical."""
    folder = write(tmp_path)
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    src = load_sources(SCHEMA, folder)
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    assert before == after
    assert src.info["persons"].sha256 == before["persons.csv"]


def test_non_strict_collects_every_problem(tmp_path: Path) -> None:
    """With strict=False every source's problem is collected before anything fails."""
    folder = write(tmp_path, persons="", perpetrator_links="event_id\nx\n")
    found = codes(folder)
    assert found == {"persons": "file_empty", "perpetrator_links": "column_missing"}


def test_typed_tables_without_raw_copy_hold_the_same_values(tmp_path: Path) -> None:
    """Strict loading casts once into typed tables, with the same values as the typed views."""
    folder = write(tmp_path)
    a = load_sources(SCHEMA, folder)
    b = load_sources(SCHEMA, folder, strict=False)
    for name in GOOD:
        q = f"SELECT * FROM {name} ORDER BY _row"
        assert a.con.execute(q).fetchall() == b.con.execute(q).fetchall()
    kinds = dict(a.con.execute("SELECT table_name, table_type FROM information_schema.tables").fetchall())
    assert kinds["persons"] == "BASE TABLE"
    assert "raw_persons" not in kinds
    assert (
        dict(b.con.execute("SELECT table_name, table_type FROM information_schema.tables").fetchall())["persons"]
        == "VIEW"
    )
