"""The linkage-schema file format as pydantic v2 models (the only definition).

A schema file names the sources (one table each), their columns with types and
rules, primary and foreign keys, link columns and the data window. The JSON
Schema in ``schemas/json/linkage-schema.json`` is generated from these models.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import Field, StringConstraints, field_validator, model_validator

from revict._core.model import RevictModel

DEFAULT_PSEUDONYM_PATTERN = r"^[A-Za-z0-9_-]{8,64}$"
Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]


class ColumnType(StrEnum):
    """Logical column types of the contract."""

    PSEUDONYM = "pseudonym"
    INT = "int"
    FLOAT = "float"
    DATE = "date"
    BOOL = "bool"
    ENUM = "enum"
    STRING = "string"


#: DuckDB type each logical type is cast to.
DUCKDB_TYPES: dict[ColumnType, str] = {
    ColumnType.PSEUDONYM: "VARCHAR",
    ColumnType.INT: "BIGINT",
    ColumnType.FLOAT: "DOUBLE",
    ColumnType.DATE: "DATE",
    ColumnType.BOOL: "BOOLEAN",
    ColumnType.ENUM: "VARCHAR",
    ColumnType.STRING: "VARCHAR",
}


class ColumnSpec(RevictModel):
    """One column of a source.

    ``max: data_end_year`` bounds an integer year by the schema's ``data_end``.
    ``in_window`` requires a date inside ``[data_start, data_end]``.
    ``link_role`` marks the linkage metadata columns (``method`` or ``score``).
    """

    type: ColumnType
    description: str = ""
    required: bool = False
    unique: bool = False
    values: tuple[str, ...] | None = None
    min: float | None = None
    max: float | Literal["data_end_year"] | None = None
    in_window: bool = False
    link_role: Literal["method", "score"] | None = None

    @model_validator(mode="after")
    def _enum_has_values(self) -> Self:
        if self.type is ColumnType.ENUM and not self.values:
            raise ValueError("an enum column needs `values: [...]`")
        if self.type is not ColumnType.ENUM and self.values is not None:
            raise ValueError("`values` is only allowed for `type: enum`")
        return self


class ForeignKey(RevictModel):
    """``column`` must resolve to ``references`` (``source.column``).

    ``when`` restricts the rule to rows where other columns have given values,
    e.g. ``{event_type: registration}``. An empty (null) key means "unlinked"
    and is not a foreign-key failure.
    """

    column: Identifier
    references: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")]
    when: dict[str, str] = Field(default_factory=dict)

    @property
    def ref_source(self) -> str:
        """Referenced source name."""
        return self.references.split(".", 1)[0]

    @property
    def ref_column(self) -> str:
        """Referenced column name."""
        return self.references.split(".", 1)[1]


class SourceSpec(RevictModel):
    """One source table (CSV with header, or Parquet)."""

    file: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]+$")]
    description: str = ""
    required: bool = True
    primary_key: Identifier | None = None
    person_key: Identifier | None = None
    columns: dict[Identifier, ColumnSpec]
    foreign_keys: tuple[ForeignKey, ...] = ()

    @model_validator(mode="after")
    def _keys_are_columns(self) -> Self:
        for key in (self.primary_key, self.person_key):
            if key is not None and key not in self.columns:
                raise ValueError(f"key column {key!r} is not among the columns")
        for fk in self.foreign_keys:
            if fk.column not in self.columns:
                raise ValueError(f"foreign key column {fk.column!r} is not among the columns")
            for c in fk.when:
                if c not in self.columns:
                    raise ValueError(f"foreign key condition column {c!r} is not among the columns")
        return self


class LinkageRules(RevictModel):
    """Thresholds for the linkage checks."""

    min_link_rate: Annotated[float, Field(ge=0, le=1)] = 0.8
    probabilistic_min_score: Annotated[float, Field(ge=0, le=1)] = 0.9
    max_records_per_person: Annotated[int, Field(ge=1)] = 200
    key_domain_min_resolved: Annotated[float, Field(ge=0, le=1)] = Field(
        default=0.05,
        description="Below this share of resolving foreign keys, report one key-domain mismatch, not each key.",
    )
    key_domain_min_keys: Annotated[int, Field(ge=1)] = Field(
        default=10, description="Fewest filled-in keys before a key-domain mismatch is judged."
    )
    selective_linkage_gap: Annotated[float, Field(ge=0, le=1)] = Field(
        default=0.15, description="A group linking this much below the overall link rate is selective linkage."
    )
    selective_linkage_min_records: Annotated[int, Field(ge=1)] = Field(
        default=20, description="Groups with fewer records are not judged for selective linkage."
    )
    agree_across_sources: tuple[str, ...] = Field(
        default=(),
        description="Columns (source.column) that must agree for the same person across sources.",
    )


class PlausibilityRules(RevictModel):
    """Bounds for plausibility checks."""

    min_age_at_event: Annotated[int, Field(ge=0)] = 0
    max_age_at_event: Annotated[int, Field(ge=1)] = 100


class LinkageSchema(RevictModel):
    """A linkage schema file: the data contract for a set of register extracts."""

    schema_version: Literal[1] = 1
    name: Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]+$")]
    description: str = ""
    data_start: dt.date
    data_end: dt.date
    pseudonym_pattern: str = DEFAULT_PSEUDONYM_PATTERN
    serious_categories: tuple[str, ...] = ("violence", "sexual", "threat", "exploitation")
    linkage: LinkageRules = LinkageRules()
    plausibility: PlausibilityRules = PlausibilityRules()
    sources: dict[Identifier, SourceSpec]

    @field_validator("pseudonym_pattern")
    @classmethod
    def _pattern_compiles(cls, v: str) -> str:
        try:
            re.compile(v)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression ({exc.msg})") from None
        return v

    @model_validator(mode="after")
    def _window_and_references(self) -> Self:
        if self.data_end <= self.data_start:
            raise ValueError("data_end must be after data_start")
        for name, src in self.sources.items():
            for fk in src.foreign_keys:
                ref = self.sources.get(fk.ref_source)
                if ref is None:
                    raise ValueError(f"sources.{name}: foreign key references unknown source {fk.ref_source!r}")
                if fk.ref_column not in ref.columns:
                    raise ValueError(f"sources.{name}: foreign key references unknown column {fk.references!r}")
        for item in self.linkage.agree_across_sources:
            src_name, _, col = item.partition(".")
            if src_name not in self.sources or col not in self.sources[src_name].columns:
                raise ValueError(f"linkage.agree_across_sources: unknown column {item!r}")
        return self

    def column_max(self, col: ColumnSpec) -> float | None:
        """Resolve a column's upper bound (``data_end_year`` becomes a number)."""
        if col.max == "data_end_year":
            return float(self.data_end.year)
        return col.max
