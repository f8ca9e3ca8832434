"""Tests of ``revict.synth.synthesize``: determinism, contract conformance, calibration, truth."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from revict import SpecError
from revict.contract import load_schema
from revict.load import load_sources
from revict.synth import CANARY_PATTERN, SOURCES, synthesize

N = 3000


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("synth")
    return synthesize(out, victims=N, seed=11)


@pytest.fixture(scope="module")
def con(made):
    sources = load_sources(load_schema(), made.truth_path.parent, keep_raw=True)
    assert sources.problems == []
    return sources.con


def _one(con, sql: str):
    return con.execute(sql).fetchone()


def _file_bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_same_seed_gives_same_bytes(tmp_path: Path) -> None:
    """Two runs with the same seed write byte-identical files, truth included."""
    a = synthesize(tmp_path / "a", victims=400, seed=5)
    b = synthesize(tmp_path / "b", victims=400, seed=5)
    assert _file_bytes(a.truth_path.parent) == _file_bytes(b.truth_path.parent)
    assert len(_file_bytes(a.truth_path.parent)) == 5


def test_same_seed_gives_same_parquet_bytes(tmp_path: Path) -> None:
    """Parquet output is byte-identical for the same seed as well."""
    a = synthesize(tmp_path / "a", victims=300, seed=5, fmt="parquet")
    b = synthesize(tmp_path / "b", victims=300, seed=5, fmt="parquet")
    assert _file_bytes(a.truth_path.parent) == _file_bytes(b.truth_path.parent)
    assert all(p.suffix == ".parquet" for p in a.paths.values())


def test_different_seed_gives_different_data(tmp_path: Path) -> None:
    """A different seed gives different persons and pseudonyms."""
    a = synthesize(tmp_path / "a", victims=300, seed=5)
    b = synthesize(tmp_path / "b", victims=300, seed=6)
    pa_ = a.paths["persons"].read_text().splitlines()[1:]
    pb = b.paths["persons"].read_text().splitlines()[1:]
    assert set(pa_).isdisjoint(pb)


def test_files_and_row_counts(made) -> None:
    """The four sources and truth.json are written, with the row counts reported."""
    assert sorted(made.paths) == sorted(SOURCES)
    for name, path in made.paths.items():
        assert path.name == f"{name}.csv"
        lines = path.read_text(encoding="utf-8").count("\n")
        assert lines - 1 == made.rows[name]
    assert made.rows["persons"] == N
    assert json.loads(made.truth_path.read_text())["synthetic"] is True
    assert not list(made.truth_path.parent.glob(".*.tmp"))


def test_parquet_loads_like_csv(tmp_path: Path) -> None:
    """Parquet output loads without problems and has the same row counts as reported."""
    res = synthesize(tmp_path, victims=300, seed=2, fmt="parquet")
    src = load_sources(load_schema(), tmp_path)
    assert src.problems == []
    assert {n: src.info[n].rows for n in SOURCES} == res.rows


def test_every_pseudonym_matches_contract_and_canary(con) -> None:
    """Every identifier matches the contract pattern and the canary, with the right prefix."""
    checks = {
        ("persons", "person_id"): "per",
        ("victim_registrations", "registration_id"): "reg",
        ("victim_registrations", "person_id"): "per",
        ("victimisations", "incident_id"): "inc",
        ("victimisations", "person_id"): "per",
        ("perpetrator_links", "event_id"): "(reg|inc)",
        ("perpetrator_links", "offender_id"): "(off|per)",
    }
    for (table, col), prefix in checks.items():
        pattern = f"^{prefix}{CANARY_PATTERN}$"
        bad = _one(
            con, f"SELECT count(*) FROM {table} WHERE {col} IS NOT NULL AND NOT regexp_matches({col}, '{pattern}')"
        )
        assert bad == (0,), (table, col)
        contract = _one(con, f"SELECT count(*) FROM {table} WHERE NOT regexp_matches({col}, '^[A-Za-z0-9_-]{{8,64}}$')")
        assert contract == (0,), (table, col)


def test_keys_unique_and_foreign_keys_resolve(con) -> None:
    """Primary keys are unique across all sources and every link resolves."""
    n_ids = _one(
        con,
        """SELECT count(*), count(DISTINCT id) FROM (
        SELECT person_id id FROM persons UNION ALL SELECT registration_id FROM victim_registrations
        UNION ALL SELECT incident_id FROM victimisations)""",
    )
    assert n_ids[0] == n_ids[1]
    for table in ("victim_registrations", "victimisations"):
        orphan = _one(
            con,
            f"SELECT count(*) FROM {table} t LEFT JOIN persons p USING (person_id) "
            "WHERE t.person_id IS NOT NULL AND p.person_id IS NULL",
        )
        assert orphan == (0,)
    dangling = _one(
        con,
        """SELECT count(*) FROM perpetrator_links l
        LEFT JOIN victim_registrations r ON l.event_type = 'registration' AND r.registration_id = l.event_id
        LEFT JOIN victimisations v ON l.event_type = 'victimisation' AND v.incident_id = l.event_id
        WHERE r.registration_id IS NULL AND v.incident_id IS NULL""",
    )
    assert dangling == (0,)
    dup_links = _one(con, "SELECT count(*) - count(DISTINCT (event_id, offender_id)) FROM perpetrator_links")
    assert dup_links == (0,)


def test_values_follow_the_contract(con) -> None:
    """Enums, required cells, dates in the window and link scores follow the schema."""
    schema = load_schema()
    for name, spec in schema.sources.items():
        for col, cs in spec.columns.items():
            if cs.values:
                allowed = ", ".join(f"'{v}'" for v in cs.values)
                assert _one(con, f"SELECT count(*) FROM {name} WHERE {col} NOT IN ({allowed})") == (0,), col
            if cs.required:
                assert _one(con, f"SELECT count(*) FROM {name} WHERE {col} IS NULL") == (0,), col
            raw_filled = f"SELECT count(*) FROM raw_{name} r JOIN {name} t USING (_row) WHERE "
            bad_cast = _one(con, raw_filled + f"NULLIF(TRIM(r.{col}), '') IS NOT NULL AND t.{col} IS NULL")
            assert bad_cast == (0,), (name, col)
    for table, col in (("victim_registrations", "registration_date"), ("victimisations", "incident_date")):
        lo, hi = _one(con, f"SELECT min({col}), max({col}) FROM {table}")
        assert schema.data_start <= lo
        assert hi <= schema.data_end
    assert _one(con, "SELECT min(link_score) >= 0 AND max(link_score) <= 1 FROM victimisations") == (True,)
    assert _one(con, "SELECT count(*) FROM victimisations WHERE (link_method = 'none') <> (person_id IS NULL)") == (0,)


def test_life_events_are_consistent(con) -> None:
    """Nobody is victimised before birth or after death or emigration, and registrations follow birth."""
    after_death = _one(
        con,
        """SELECT count(*) FROM victimisations v JOIN persons p USING (person_id)
        WHERE v.incident_date >= p.death_date OR v.incident_date >= p.emigration_date""",
    )
    assert after_death == (0,)
    before_birth = _one(
        con,
        """SELECT count(*) FROM victimisations v JOIN persons p USING (person_id)
        WHERE year(v.incident_date) <= p.birth_year""",
    )
    assert before_birth == (0,)
    reg_age = _one(
        con,
        """SELECT min(year(r.registration_date) - p.birth_year), max(year(r.registration_date) - p.birth_year)
        FROM victim_registrations r JOIN persons p USING (person_id)""",
    )
    assert 8 <= reg_age[0]
    assert reg_age[1] <= 100
    reg_after = _one(
        con,
        """SELECT count(*) FROM victim_registrations r JOIN persons p USING (person_id)
        WHERE r.registration_date >= p.death_date OR r.registration_date >= p.emigration_date""",
    )
    assert reg_after == (0,)
    emig_after_death = _one(con, "SELECT count(*) FROM persons WHERE emigration_date >= death_date")
    assert emig_after_death == (0,)


def test_calibration_bands(con) -> None:
    """Shares of women, minors, forms, unlinked records and multiple reporters fall in broad bands."""
    female = _one(con, "SELECT avg((sex = 'F')::INT) FROM persons")[0]
    assert 0.65 <= female <= 0.75
    minors = _one(
        con,
        """WITH i AS (SELECT person_id, min(registration_date) d FROM victim_registrations
        WHERE person_id IS NOT NULL GROUP BY 1)
        SELECT avg((year(d) - birth_year < 18)::INT) FROM i JOIN persons USING (person_id)""",
    )[0]
    assert 0.10 <= minors <= 0.20
    forms = dict(
        con.execute(
            "SELECT exploitation_form, count(*) / sum(count(*)) OVER () FROM victim_registrations GROUP BY 1"
        ).fetchall()
    )
    assert 0.48 <= forms["sexual"] <= 0.62
    assert 0.18 <= forms["labour"] <= 0.32
    assert 0.06 <= forms["criminal"] <= 0.14
    for table in ("victim_registrations", "victimisations"):
        unlinked = _one(con, f"SELECT avg((person_id IS NULL)::INT) FROM {table}")[0]
        assert 0.03 <= unlinked <= 0.08, table
    multi = _one(
        con,
        """SELECT avg((n > 1)::INT) FROM (SELECT person_id, count(DISTINCT reporter) n
        FROM victim_registrations WHERE person_id IS NOT NULL GROUP BY 1)""",
    )[0]
    assert 0.04 <= multi <= 0.15
    prob = _one(con, "SELECT avg((link_score >= 0.9)::INT) FROM victimisations WHERE link_method = 'probabilistic'")[0]
    assert prob >= 0.85


def test_emigration_depends_on_origin(con) -> None:
    """Migrants emigrate far more often than Dutch-origin persons."""
    rates = dict(
        con.execute(
            "SELECT origin, avg((emigration_date IS NOT NULL)::INT) FROM persons WHERE origin IS NOT NULL GROUP BY 1"
        ).fetchall()
    )
    assert rates["NL"] < 0.06
    assert rates["EU"] > 0.15
    assert rates["non-EU"] > 0.15


def test_prior_and_later_victimisations_exist(con) -> None:
    """Some persons are victimised in the year before their index, and most events are serious."""
    prior = _one(
        con,
        """WITH i AS (SELECT person_id, min(registration_date) d FROM victim_registrations
        WHERE person_id IS NOT NULL GROUP BY 1)
        SELECT count(DISTINCT v.person_id) FROM victimisations v JOIN i USING (person_id)
        WHERE v.incident_date BETWEEN i.d - 365 AND i.d - 1""",
    )[0]
    assert 0.1 * N <= prior <= 0.5 * N
    serious = _one(
        con, "SELECT avg((offence_category IN ('violence','sexual','threat','exploitation'))::INT) FROM victimisations"
    )[0]
    assert serious > 0.6


def test_truth_offenders_are_in_the_links(made, con) -> None:
    """Serial perpetrators reach many victims and returning perpetrators come back to the same victim."""
    off = made.truth["offenders"]
    assert len(off["serial"]) >= 5
    assert off["serial_victims"]["median"] >= 5
    con.execute("CREATE OR REPLACE TEMP TABLE serial AS SELECT unnest($s) AS offender_id", {"s": off["serial"]})
    per_serial = con.execute("""SELECT l.offender_id, count(DISTINCT coalesce(r.person_id, v.person_id, l.event_id))
        FROM perpetrator_links l JOIN serial USING (offender_id)
        LEFT JOIN victim_registrations r ON r.registration_id = l.event_id
        LEFT JOIN victimisations v ON v.incident_id = l.event_id GROUP BY 1""").fetchall()
    assert len(per_serial) == len(off["serial"])
    assert min(n for _, n in per_serial) >= 3
    single = _one(
        con, "SELECT avg((n = 1)::INT) FROM (SELECT offender_id, count(*) n FROM perpetrator_links GROUP BY 1)"
    )
    assert single[0] > 0.7
    assert len(off["returning"]) > 0
    con.execute("CREATE OR REPLACE TEMP TABLE ret AS SELECT unnest($s) AS offender_id", {"s": off["returning"]})
    back = _one(
        con,
        """WITH r AS (SELECT registration_id, person_id, registration_date FROM (
            SELECT *, row_number() OVER (PARTITION BY person_id ORDER BY registration_date, _row) k
            FROM victim_registrations WHERE person_id IS NOT NULL) WHERE k = 1)
        SELECT count(DISTINCT l2.offender_id) FROM perpetrator_links l1
        JOIN r ON r.registration_id = l1.event_id
        JOIN perpetrator_links l2 ON l2.offender_id = l1.offender_id
        JOIN victimisations v ON v.incident_id = l2.event_id AND v.person_id = r.person_id
            AND v.incident_date > r.registration_date
        JOIN ret ON ret.offender_id = l1.offender_id""",
    )[0]
    assert back == len(off["returning"])
    assert off["co_offending_events"] > 0
    assert off["links_to_unlinked_victim_events"] > 0


def test_truth_keys_and_values(made) -> None:
    """truth.json holds the planted hazard ratios, baseline, incidence and hidden population."""
    t = json.loads(made.truth_path.read_text())
    fe = t["first_event"]
    assert set(fe["log_hr"]) == {
        "exploitation_form=labour",
        "exploitation_form=criminal",
        "exploitation_form=other",
        "exploitation_form=unknown",
        "sex=M",
        "sex=U",
        "is_minor",
    }
    assert fe["log_hr"]["exploitation_form=labour"] == pytest.approx(-0.3567, abs=1e-3)
    assert fe["baseline"]["model"] == "weibull_ph"
    assert fe["baseline"]["scale_days"] > 0
    ci = [fe["cumulative_incidence_net"][str(y)] for y in range(1, 8)]
    assert ci == sorted(ci)
    assert 0.44 <= ci[4] <= 0.46
    assert 0.48 <= ci[6] <= 0.52
    hp = t["hidden_population"]
    assert 4 * hp["registered"] <= hp["true_total"] <= 5.2 * hp["registered"]
    assert hp["registered_linked"] == N
    assert sum(hp["capture_histories"].values()) == N
    assert sum(y["true_total"] for y in hp["by_year"].values()) == hp["true_total"]
    assert hp["dependence"]["police:care_coordinator"]["direction"] == "positive"
    assert t["recurrent"]["frailty"]["variance"] > 0
    assert re.fullmatch(t["canary_pattern"], "-syn0123456789ab")


def test_reregistrations_and_multiple_registrations(con, made) -> None:
    """Some persons have several registrations, by other organisations or years later."""
    multi = _one(
        con,
        """SELECT count(*) FROM (SELECT person_id FROM victim_registrations
        WHERE person_id IS NOT NULL GROUP BY 1 HAVING count(*) > 1)""",
    )[0]
    assert multi > 0.04 * N
    assert made.truth["counts"]["reregistrations"] > 0


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [({"fmt": "xlsx"}, "format"), ({"victims": 10}, "victims"), ({"seed": -1}, "seed")],
)
def test_bad_arguments_raise_spec_error(tmp_path: Path, kwargs: dict, fragment: str) -> None:
    """Bad arguments raise SpecError naming the argument, and write nothing."""
    with pytest.raises(SpecError, match=fragment):
        synthesize(tmp_path / "x", **kwargs)
    assert not (tmp_path / "x").exists()


def test_refuses_folder_with_other_format(tmp_path: Path) -> None:
    """Writing CSV into a folder that holds Parquet extracts fails instead of leaving a mix."""
    synthesize(tmp_path, victims=100, seed=1, fmt="parquet")
    with pytest.raises(SpecError, match="already holds"):
        synthesize(tmp_path, victims=100, seed=1, fmt="csv")


def test_keys_unique_across_chunks(tmp_path: Path) -> None:
    """With more persons than one chunk, keys stay unique and every link still resolves."""
    from revict.synth import CHUNK_PERSONS

    res = synthesize(tmp_path, victims=CHUNK_PERSONS + 60, seed=4, fmt="parquet")
    src = load_sources(load_schema(), tmp_path)
    c = src.con
    assert res.rows["persons"] == CHUNK_PERSONS + 60
    for table, key in (
        ("persons", "person_id"),
        ("victim_registrations", "registration_id"),
        ("victimisations", "incident_id"),
    ):
        assert _one(c, f"SELECT count(*) - count(DISTINCT {key}) FROM {table}") == (0,), table
    person_offenders = _one(
        c,
        """SELECT count(*), count(p.person_id) FROM perpetrator_links l
        LEFT JOIN persons p ON p.person_id = l.offender_id WHERE l.offender_id LIKE 'per-%'""",
    )
    assert person_offenders[0] > 0
    assert person_offenders[0] == person_offenders[1]
    assert _one(c, "SELECT count(DISTINCT person_id) FROM victim_registrations") == (CHUNK_PERSONS + 60,)


@pytest.mark.parametrize("victims", [50, 51, 777])
def test_small_sizes_load_cleanly(tmp_path: Path, victims: int) -> None:
    """Tiny data sets still load without problems and have exactly the persons asked for."""
    res = synthesize(tmp_path, victims=victims, seed=victims)
    src = load_sources(load_schema(), tmp_path)
    assert src.problems == []
    assert src.info["persons"].rows == victims == res.rows["persons"]
    assert len(res.truth["offenders"]["serial"]) == 5


def test_result_summary_and_dict(made) -> None:
    """The result summarises itself as one row per source and as a JSON-safe dict."""
    df = made.summary()
    assert list(df["source"]) == list(SOURCES)
    assert df["rows"].tolist() == [made.rows[s] for s in SOURCES]
    d = made.to_dict()
    assert json.loads(json.dumps(d))["rows"] == made.rows
    assert d["synthetic"] is True


def test_validation_passes_on_synthetic_data(made) -> None:
    """`revict validate` finds no error in synthetic data (low-score links are planted warnings)."""
    from revict.validate import validate

    report = validate(load_schema(), made.truth_path.parent)
    failed_errors = [c.id for c in report.checks if not c.passed and str(c.severity) == "error"]
    assert failed_errors == []
    assert report.valid
