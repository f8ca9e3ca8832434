"""Base pydantic model for every configuration file, and YAML loading with clear errors."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from revict._core.errors import SpecError

M = TypeVar("M", bound=BaseModel)


class RevictModel(BaseModel):
    """Strict, immutable base model: unknown keys are errors, inputs never echoed."""

    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that remembers the line of each mapping key."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    mapping = yaml.SafeLoader.construct_mapping(loader, node, deep=deep)
    lines = {}
    for key_node, _ in node.value:
        lines[str(loader.construct_object(key_node))] = key_node.start_mark.line + 1
    mapping["__lines__"] = lines
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _strip_lines(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _strip_lines(v) for k, v in obj.items() if k != "__lines__"}
    if isinstance(obj, list):
        return [_strip_lines(v) for v in obj]
    return obj


def _line_of(obj: Any, loc: tuple[Any, ...]) -> int | None:
    line = None
    for part in loc:
        if isinstance(obj, dict):
            line = obj.get("__lines__", {}).get(str(part), line)
            obj = obj.get(part)
        elif isinstance(obj, list) and isinstance(part, int) and part < len(obj):
            obj = obj[part]
        else:
            break
    return line


def file_sha256(path: Path) -> str:
    """Return the SHA-256 hex digest of a file, read in chunks."""
    h = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def format_validation_error(exc: ValidationError, *, file: str, raw: Any = None) -> str:
    """Turn a pydantic error into readable lines naming file, key path and line, never the input."""
    lines = []
    for err in exc.errors(include_input=False, include_url=False):
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        key_error = bool(loc) and loc[-1] == "[key]"  # pydantic's marker: the dict key itself is wrong
        loc = loc[:-1] if key_error else loc
        path = (".".join(str(p) for p in loc) or "(top level)") + (" (the key)" if key_error else "")
        line = _line_of(raw, loc) if raw is not None else None
        at = f" (line {line})" if line else ""
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown key; check the spelling against the JSON Schema in schemas/json/"
        lines.append(f"{file}: {path}{at}: {msg}")
    return "\n".join(lines)


def load_yaml_model(path: str | Path, model: type[M]) -> M:
    """Read a YAML file into ``model``; raise :class:`SpecError` naming file, key and line.

    Parameters
    ----------
    path : str or Path
        YAML file.
    model : type
        Pydantic model class to validate against.

    Returns
    -------
    model instance

    Raises
    ------
    SpecError
        File missing, not YAML, or not valid against the model.
    """
    p = Path(path)
    if not p.is_file():
        raise SpecError(f"{p}: file not found", hint="Check the path; run from the repository root.")
    try:
        raw = yaml.load(p.read_text(encoding="utf-8"), Loader=_LineLoader)  # noqa: S506
    except UnicodeDecodeError as exc:
        raise SpecError(f"{p}: not UTF-8 text", hint="Save the file as UTF-8.") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise SpecError(f"{p}:{where}: {problem}", hint="Fix the YAML syntax (indentation, colons, quotes).") from None
    if not isinstance(raw, dict):
        raise SpecError(
            f"{p}: expected a mapping of keys at the top level", hint="See the examples shipped in the repository."
        )
    try:
        return model.model_validate(_strip_lines(raw))
    except ValidationError as exc:
        raise SpecError(
            f"{p} is not a valid {model.__name__}:\n" + format_validation_error(exc, file=p.name, raw=raw),
            hint="Correct the keys listed above; `revict schema export` writes the JSON Schema for editor completion.",
        ) from None
