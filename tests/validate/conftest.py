"""Fixtures of the validate tests: the clean data set, and validation of a mutated copy."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import revict.validate._sql as vsql
from revict.contract.models import LinkageSchema
from revict.validate import ValidationReport
from tests.validate.vdata import Tables, clean_tables, run, write_tables


@pytest.fixture(autouse=True)
def _raise_on_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    """Engine errors inside checks fail the test instead of becoming check_crashed findings."""
    monkeypatch.setattr(vsql, "RAISE_ON_CRASH", True)


@pytest.fixture
def tables() -> Tables:
    return clean_tables()


@pytest.fixture
def validate_tables(tmp_path: Path) -> Callable[..., ValidationReport]:
    """Write (mutated) tables into a fresh folder and validate them."""
    counter = iter(range(1000))

    def _go(tables: Tables, schema: LinkageSchema | None = None, *, deep: bool = False) -> ValidationReport:
        return run(write_tables(tmp_path / f"d{next(counter)}", tables), schema, deep=deep)

    return _go
