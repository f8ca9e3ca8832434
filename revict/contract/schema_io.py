"""Reading linkage-schema files and exporting JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from revict._core.io import write_text_atomic
from revict._core.model import load_yaml_model
from revict.contract.models import LinkageSchema

#: The repository's top-level folder (holds schemas/, cohorts/, reports/).
REPO_ROOT = Path(__file__).resolve().parents[2]
#: The default contract shipped with revict (DESIGN.md).
DEFAULT_SCHEMA_PATH = REPO_ROOT / "schemas" / "nl-trafficking.yaml"


def load_schema(path: str | Path = DEFAULT_SCHEMA_PATH) -> LinkageSchema:
    """Read and validate a linkage-schema YAML file.

    Parameters
    ----------
    path : str or Path
        The schema file, e.g. ``schemas/nl-trafficking.yaml``.

    Returns
    -------
    LinkageSchema

    Raises
    ------
    revict.SpecError
        Naming the file, key path and line of every problem.

    Examples
    --------
    >>> schema = load_schema()
    >>> sorted(schema.sources)
    ['perpetrator_links', 'persons', 'victim_registrations', 'victimisations']
    """
    return load_yaml_model(path, LinkageSchema)


def json_schemas(models: dict[str, type[BaseModel]]) -> dict[str, dict[str, Any]]:
    """Return ``{file stem: JSON Schema}`` for the given models."""
    out = {}
    for stem, model in models.items():
        schema = model.model_json_schema(mode="validation")
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        out[stem] = schema
    return out


def export_json_schemas(models: dict[str, type[BaseModel]], out_dir: str | Path) -> list[Path]:
    """Write one ``<stem>.json`` per model into ``out_dir`` atomically."""
    paths = []
    for stem, schema in json_schemas(models).items():
        target = Path(out_dir) / f"{stem}.json"
        write_text_atomic(target, json.dumps(schema, indent=2, sort_keys=True) + "\n")
        paths.append(target)
    return paths
