"""``results.json``: the researcher's output file, one section per stage.

Each stage (``analyse``, ``network``, ``hidden``) writes its own top-level section
with :func:`update_results`; the file is rewritten atomically each time. The file is
marked "not for release": it may hold pseudonyms of recurring perpetrators. Only
``revict.disclosure`` turns it into something a report may show.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from revict._core.errors import SourceError
from revict._core.io import write_json_atomic

RESULTS_FILE = "results.json"
NOT_FOR_RELEASE = "NOT FOR RELEASE: researcher output; may contain pseudonyms. Pass it through disclosure control."


def read_results(path: str | Path) -> dict[str, Any]:
    """Read a results.json (a file, or a folder holding one)."""
    p = Path(path)
    if p.is_dir():
        p = p / RESULTS_FILE
    if not p.is_file():
        raise SourceError(f"{p} not found", hint="Run `revict analyse` (or `revict run`) first.")
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceError(
            f"{p} is not valid JSON ({type(exc).__name__})", hint="Regenerate it with `revict analyse`."
        ) from None
    if not isinstance(data, dict):
        raise SourceError(f"{p} does not hold a results object", hint="Regenerate it with `revict analyse`.")
    return data


def update_results(out_dir: str | Path, section: str, data: Any) -> Path:
    """Set ``section`` of ``out_dir/results.json`` to ``data`` (other sections kept), atomically."""
    path = Path(out_dir) / RESULTS_FILE
    current: dict[str, Any] = read_results(path) if path.is_file() else {}
    current["release_status"] = NOT_FOR_RELEASE
    current[section] = data
    return write_json_atomic(path, current)
