"""Shared fixtures: repository paths and a small synthetic data set."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.fail(f"{SHARED} is missing: the tests read DESIGN.md and data/mse/ from ../shared beside the checkout")
    return SHARED


@pytest.fixture(scope="session")
def synth_small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic data set (1,500 victims, seed 7), made once per test session."""
    from revict.synth import synthesize

    out = tmp_path_factory.mktemp("synth_small")
    synthesize(out, victims=1500, seed=7)
    return out
