"""Fixtures of the hidden-population tests: the public MSE tables in ../shared/data/mse/."""

from __future__ import annotations

from pathlib import Path

import pytest

import revict

MSE_DIR = Path(revict.__file__).resolve().parents[1].parent / "shared" / "data" / "mse"


@pytest.fixture(scope="session")
def mse_dir() -> Path:
    """The folder of public list-overlap tables (never copied into the repo)."""
    if not MSE_DIR.is_dir():
        pytest.fail(
            f"{MSE_DIR} is missing: the MSE tests read the public tables from ../shared/data/mse/ beside the checkout"
        )
    return MSE_DIR
