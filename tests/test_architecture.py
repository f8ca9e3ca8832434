"""The package layout follows the data flow: no stage imports a later one."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "revict"

BASE = {"_core"}
ALLOWED: dict[str, set[str]] = {
    "_core": set(),
    "contract": BASE,
    "load": BASE | {"contract"},
    "validate": BASE | {"contract", "load"},
    "cohort": BASE | {"contract", "load"},
    "models": BASE | {"contract", "load", "cohort"},
    "networks": BASE | {"contract", "load", "cohort"},
    "hidden": BASE | {"contract", "load", "cohort", "models"},
    "disclosure": BASE | {"contract", "cohort"},
    "report": BASE | {"contract", "cohort", "disclosure"},
    "synth": BASE | {"contract"},
}


def _stage_of(path: Path) -> str:
    rel = path.relative_to(PKG)
    return rel.parts[0] if len(rel.parts) > 1 else "__init__"


def _imported_stages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "revict" and len(parts) > 1:
                found.add(parts[1])
    return found


MODULES = sorted(p for p in PKG.rglob("*.py") if "__pycache__" not in p.parts)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PKG)))
def test_imports_follow_the_data_flow(path: Path) -> None:
    """A stage imports only from earlier stages and revict._core."""
    stage = _stage_of(path)
    if stage == "cli":
        return
    allowed = ALLOWED.get(stage, BASE) | {stage}
    if stage == "__init__":
        allowed = BASE
    bad = _imported_stages(path) - allowed
    assert not bad, f"{path.relative_to(PKG)} ({stage}) imports later stage(s) {sorted(bad)}"


def test_every_stage_is_known() -> None:
    """Every subpackage of revict/ has a place in the data flow."""
    stages = {p.name for p in PKG.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert stages - set(ALLOWED) - {"cli"} == set()


def test_architecture_check_catches_a_backward_import(tmp_path: Path) -> None:
    """The import parser sees an import of a later stage."""
    f = tmp_path / "x.py"
    f.write_text("from revict.report import render_report\nimport revict.models.cox\n")
    assert _imported_stages(f) == {"report", "models"}
