"""The row pass: every row-level condition of a source, from all check groups, in ONE scan.

Value checks (types, codes, formats, required, ranges, dates), link metadata, personal-data
candidates and digest-like pseudonyms are counted together; each group's callback turns
its counts into checks or leaves facts for a later group (``Ctx.state``).
"""

from __future__ import annotations

from functools import partial

from revict.contract.models import ColumnType, SourceSpec
from revict.validate._sql import Ctx, Hoist, Planned, ql, run_plans, typed, val
from revict.validate.linkage import link_meta_plans
from revict.validate.personal import candidate_plans, install_macros
from revict.validate.pseudonyms import hexhash_plans
from revict.validate.structure import value_plans


def check_rows(ctx: Ctx) -> None:
    """Run the row pass over every source that was read."""
    install_macros(ctx)
    for name, spec in ctx.loaded():
        ctx.guarded("value", name, partial(_one, ctx, name, spec))


def _one(ctx: Ctx, name: str, spec: SourceSpec) -> None:
    plans: list[Planned] = []
    plans += value_plans(ctx, name, spec)
    plans += link_meta_plans(ctx, name, spec)
    plans += candidate_plans(ctx, name, spec)
    plans += hexhash_plans(ctx, name, spec)
    run_plans(ctx.con, f"raw_{name}", plans, _hoist(ctx, name, spec))


def _hoist(ctx: Ctx, name: str, spec: SourceSpec) -> Hoist:
    """Expressions computed once per row: trimmed cells; then parsed values and pattern matches."""
    present = ctx.present(name)
    trimmed = [(val(c), f"__t{i}") for i, c in enumerate(present)]
    derived = []
    pattern = ql(ctx.schema.pseudonym_pattern)
    for i, c in enumerate(present):
        cs = spec.columns.get(c)
        if cs is None:
            continue
        if cs.type in (ColumnType.DATE, ColumnType.INT, ColumnType.FLOAT, ColumnType.BOOL):
            derived.append((typed(c, cs.type), f"__y{i}"))
        if cs.type is ColumnType.PSEUDONYM:
            derived.append((f"regexp_matches({val(c)}, {pattern})", f"__p{i}"))
    return [trimmed, derived]
