"""The data contract: linkage-schema models, loading and JSON Schema export."""

from revict.contract.models import (
    ColumnSpec,
    ColumnType,
    ForeignKey,
    LinkageRules,
    LinkageSchema,
    PlausibilityRules,
    SourceSpec,
)
from revict.contract.schema_io import DEFAULT_SCHEMA_PATH, export_json_schemas, json_schemas, load_schema

__all__ = [
    "DEFAULT_SCHEMA_PATH",
    "ColumnSpec",
    "ColumnType",
    "ForeignKey",
    "LinkageRules",
    "LinkageSchema",
    "PlausibilityRules",
    "SourceSpec",
    "export_json_schemas",
    "json_schemas",
    "load_schema",
]
