"""The data contract as code: models, the shipped schema, JSON Schema export."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from revict import SpecError
from revict.cli._specs import SPEC_MODELS
from revict.cohort import CohortSpec, load_cohort
from revict.contract import ColumnType, LinkageSchema, json_schemas, load_schema

REPO = Path(__file__).resolve().parents[2]


def _design_tables(design: str) -> dict[str, dict[str, tuple[str, str]]]:
    """Parse DESIGN.md's contract tables: {source: {column: (type, rule)}}."""
    out: dict[str, dict[str, tuple[str, str]]] = {}
    current = None
    for line in design.splitlines():
        m = re.match(r"^\*\*(\w+)\*\*", line)
        if m:
            current = m.group(1)
            out[current] = {}
            continue
        if current and line.startswith("|") and not line.startswith("|---") and "column" not in line:
            cells = [c.strip() for c in line.strip("|").split("|")]
            for col in cells[0].split(","):
                out[current][col.strip()] = (cells[1], cells[2] if len(cells) > 2 else "")
        elif current and not line.strip() and out[current]:
            current = None
    return out


def test_shipped_schema_matches_design(shared: Path) -> None:
    """schemas/nl-trafficking.yaml states exactly the sources, columns and enums of DESIGN.md."""
    design = _design_tables((shared / "DESIGN.md").read_text(encoding="utf-8"))
    schema = load_schema(REPO / "schemas" / "nl-trafficking.yaml")
    assert set(design) == set(schema.sources)
    for source, cols in design.items():
        spec = schema.sources[source]
        assert set(cols) == set(spec.columns), source
        for col, (typ, rule) in cols.items():
            cspec = spec.columns[col]
            if typ.startswith("enum"):
                assert cspec.type is ColumnType.ENUM
                assert set(re.findall(r"`([^`]+)`", typ)) == set(cspec.values or ()), f"{source}.{col}"
            elif typ == "as above":
                continue
            else:
                assert cspec.type.value == {"pseudonym": "pseudonym", "int": "int", "date": "date", "bool": "bool"}.get(
                    typ, cspec.type.value
                ), f"{source}.{col}"
            if "required" in rule:
                assert cspec.required, f"{source}.{col} should be required"
            if "unique" in rule:
                assert cspec.unique, f"{source}.{col} should be unique"
            if "within the data window" in rule:
                assert cspec.in_window, f"{source}.{col} should be inside the data window"
            if "→" in rule:
                ref = rule.split("→")[1].split(";")[0].strip()
                refs = {fk.references for fk in spec.foreign_keys if fk.column == col}
                for r in ref.split(" or "):
                    assert r.strip() in refs, f"{source}.{col} -> {r}"
    assert schema.serious_categories == ("violence", "sexual", "threat", "exploitation")


def test_committed_json_schema_is_current() -> None:
    """schemas/json/*.json equals what the models generate (run `make schemas` after a model change)."""
    for stem, schema in json_schemas(SPEC_MODELS).items():
        committed = json.loads((REPO / "schemas" / "json" / f"{stem}.json").read_text(encoding="utf-8"))
        assert committed == json.loads(json.dumps(schema, sort_keys=True)), f"schemas/json/{stem}.json is stale"


SHIPPED = sorted([*REPO.glob("schemas/*.yaml"), *REPO.glob("cohorts/*.yaml"), *REPO.glob("reports/*.yaml")])


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_shipped_file_loads(path: Path) -> None:
    """Every shipped schema, cohort and report file is valid and names its JSON Schema."""
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=")
    target = (path.parent / first.split("$schema=")[1]).resolve()
    assert target.is_file(), f"{path.name} points at a missing JSON Schema {target}"
    model = {"schemas": LinkageSchema, "cohorts": CohortSpec}.get(path.parent.name) or SPEC_MODELS["report"]
    from revict._core.model import load_yaml_model

    assert load_yaml_model(path, model) is not None


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "s.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_unknown_key_is_named_with_its_line(tmp_path: Path) -> None:
    """An unknown key in a schema file is reported with its key path and line."""
    text = (REPO / "schemas" / "nl-trafficking.yaml").read_text(encoding="utf-8")
    text = text.replace("data_end: 2023-12-31", "data_end: 2023-12-31\ndata_ende: 2024-01-01")
    with pytest.raises(SpecError) as exc:
        load_schema(_write(tmp_path, text))
    line = text.splitlines().index("data_ende: 2024-01-01") + 1
    assert f"data_ende (line {line}): unknown key" in exc.value.message


def test_enum_without_values_is_rejected(tmp_path: Path) -> None:
    """An enum column without values names the column path."""
    text = (REPO / "schemas" / "nl-trafficking.yaml").read_text(encoding="utf-8")
    text = text.replace("sex: {type: enum, values: [F, M, U], required: true}", "sex: {type: enum, required: true}")
    with pytest.raises(SpecError, match=r"sources\.persons\.columns\.sex .*needs `values"):
        load_schema(_write(tmp_path, text))


def test_foreign_key_to_unknown_column_is_rejected(tmp_path: Path) -> None:
    """A foreign key must reference an existing source column."""
    text = (REPO / "schemas" / "nl-trafficking.yaml").read_text(encoding="utf-8")
    text = text.replace("references: persons.person_id}", "references: persons.pid}", 1)
    with pytest.raises(SpecError, match="unknown column 'persons.pid'"):
        load_schema(_write(tmp_path, text))


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    """Broken YAML is reported with file, line and column."""
    with pytest.raises(SpecError, match=r"line 2, column"):
        load_schema(_write(tmp_path, "name: x\n  data_start: [\n"))


def test_inverted_window_is_rejected(tmp_path: Path) -> None:
    """data_end before data_start is an error."""
    text = (REPO / "schemas" / "nl-trafficking.yaml").read_text(encoding="utf-8")
    with pytest.raises(SpecError, match="data_end must be after data_start"):
        load_schema(_write(tmp_path, text.replace("data_end: 2023-12-31", "data_end: 2001-12-31")))


def test_error_text_never_echoes_the_input(tmp_path: Path) -> None:
    """A wrong value is described by type, not repeated in the message."""
    secret = "per-syn0123456789ab"
    with pytest.raises(SpecError) as exc:
        load_cohort(
            _write(tmp_path, f"name: x\nentry_window: {{start: 2012-01-01, end: 2016-12-31}}\nmin_cell: {secret}\n")
        )
    assert secret not in str(exc.value)
    assert "min_cell" in str(exc.value)


windows = st.dates(min_value=__import__("datetime").date(2000, 1, 1), max_value=__import__("datetime").date(2030, 1, 1))


@settings(max_examples=40, deadline=None)
@given(
    start=windows,
    days=st.integers(0, 4000),
    follow=st.integers(400, 4000),
    blackout=st.integers(0, 365),
    cats=st.one_of(
        st.just("any"),
        st.just("serious"),
        st.lists(st.sampled_from(["violence", "sexual", "threat"]), min_size=1, unique=True),
    ),
)
def test_cohort_yaml_round_trip(start, days, follow, blackout, cats) -> None:  # type: ignore[no-untyped-def]
    """A cohort spec written to YAML and read back is the same spec."""
    import datetime as dt

    spec = CohortSpec(
        name="round-trip",
        entry_window={"start": start, "end": start + dt.timedelta(days=days)},
        follow_up_days=follow,
        blackout_days=blackout,
        outcome={"categories": cats},
    )
    text = yaml.safe_dump(spec.model_dump(mode="json"), sort_keys=False)
    again = CohortSpec.model_validate(yaml.safe_load(text))
    assert again == spec
