"""Turn one chunk of drawn victims, events and offenders into Arrow tables, and write them."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from revict.synth import _calibration as cal
from revict.synth._ids import nullable_pseudonyms, pseudonyms
from revict.synth._offenders import CHUNK_SHIFT, COUNTER_MASK, PERSON_FLAG, Slots
from revict.synth._victims import Events, Registrations, Victims

SCHEMAS: dict[str, pa.Schema] = {
    "persons": pa.schema(
        [
            ("person_id", pa.string()),
            ("birth_year", pa.int32()),
            ("sex", pa.string()),
            ("origin", pa.string()),
            ("death_date", pa.date32()),
            ("emigration_date", pa.date32()),
        ]
    ),
    "victim_registrations": pa.schema(
        [
            ("registration_id", pa.string()),
            ("person_id", pa.string()),
            ("registration_date", pa.date32()),
            ("exploitation_form", pa.string()),
            ("cross_border", pa.bool_()),
            ("reporter", pa.string()),
            ("link_method", pa.string()),
            ("link_score", pa.float64()),
        ]
    ),
    "victimisations": pa.schema(
        [
            ("incident_id", pa.string()),
            ("person_id", pa.string()),
            ("incident_date", pa.date32()),
            ("offence_category", pa.string()),
            ("link_method", pa.string()),
            ("link_score", pa.float64()),
        ]
    ),
    "perpetrator_links": pa.schema(
        [
            ("event_id", pa.string()),
            ("event_type", pa.string()),
            ("offender_id", pa.string()),
        ]
    ),
}

_LINK_METHODS = ("deterministic", "probabilistic", "none")


def _enum(codes: np.ndarray, values: Sequence[str]) -> pa.Array:
    """Strings from integer codes (via an Arrow dictionary, cast to plain strings)."""
    return pa.DictionaryArray.from_arrays(
        pa.array(np.asarray(codes, dtype=np.int32)), pa.array(list(values), pa.string())
    ).cast(pa.string())


def _dates(days: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    mask = None if valid is None else ~valid
    return pa.array(days.astype(np.int32), type=pa.date32(), mask=mask)


@dataclass(frozen=True)
class ChunkIds:
    """Key material of a chunk: the seed, the chunk number and the first person counter."""

    seed: int
    chunk: int
    person_base: int

    def row_counter(self, n: int) -> np.ndarray:
        """Counters of ``n`` registration or incident rows of this chunk."""
        return (self.chunk << CHUNK_SHIFT) + np.arange(n, dtype=np.int64)

    def person_ids(self, victim: np.ndarray, vic: Victims) -> pa.Array:
        """``person_id`` of the victims of rows (null for unlinkable victims)."""
        return nullable_pseudonyms(self.person_base + victim, vic.linked[victim], self.seed, "per")


def _link_columns(rng: np.random.Generator, linked: np.ndarray) -> tuple[pa.Array, pa.Array]:
    """``link_method`` and ``link_score``: deterministic (score 1) or probabilistic for linked rows."""
    n = linked.shape[0]
    prob = linked & (rng.random(n) < cal.PROBABILISTIC_SHARE)
    high = 0.9 + 0.1 * rng.beta(2.0, 1.2, size=n)
    low = rng.uniform(0.7, 0.9, size=n)
    score = np.where(rng.random(n) < cal.PROBABILISTIC_LOW_SCORE_SHARE, low, high)
    score = np.where(prob, np.round(score, 3), 1.0)
    method = np.where(linked, np.where(prob, 1, 0), 2)
    return _enum(method, _LINK_METHODS), pa.array(score, mask=~linked)


def persons_table(vic: Victims, ids: ChunkIds, data_end: int) -> pa.Table:
    """Persons rows of the linkable victims."""
    v = np.flatnonzero(vic.linked)
    death_ok = vic.death_day[v] <= data_end
    emig_ok = (vic.emig_day[v] <= data_end) & (vic.emig_day[v] < vic.death_day[v])
    origin = _enum(vic.origin[v], cal.ORIGINS)
    origin = pc.if_else(pa.array(vic.origin_missing[v]), pa.scalar(None, pa.string()), origin)
    return pa.Table.from_arrays(
        [
            pseudonyms(ids.person_base + v, ids.seed, "per"),
            pa.array(vic.birth_year[v].astype(np.int32)),
            _enum(vic.sex[v], cal.SEXES),
            origin,
            _dates(vic.death_day[v], death_ok),
            _dates(vic.emig_day[v], emig_ok),
        ],
        schema=SCHEMAS["persons"],
    )


def registrations_table(rng: np.random.Generator, reg: Registrations, vic: Victims, ids: ChunkIds) -> pa.Table:
    """Victim-registration rows."""
    n = reg.victim.shape[0]
    origin_p = np.array([cal.CROSS_BORDER_P[o] for o in cal.ORIGINS] + [cal.CROSS_BORDER_P[""]])
    origin = np.where(vic.origin_missing, len(cal.ORIGINS), vic.origin)[reg.victim]
    cross = rng.random(n) < origin_p[origin]
    method, score = _link_columns(rng, vic.linked[reg.victim])
    return pa.Table.from_arrays(
        [
            pseudonyms(ids.row_counter(n), ids.seed, "reg"),
            ids.person_ids(reg.victim, vic),
            _dates(reg.day),
            _enum(reg.form, cal.FORMS),
            pa.array(cross, mask=rng.random(n) < cal.CROSS_BORDER_MISSING),
            _enum(reg.reporter, cal.LISTS),
            method,
            score,
        ],
        schema=SCHEMAS["victim_registrations"],
    )


def victimisations_table(rng: np.random.Generator, ev: Events, vic: Victims, ids: ChunkIds) -> pa.Table:
    """Victimisation rows; categories differ before and after the index."""
    n = ev.victim.shape[0]
    after = rng.choice(len(cal.CATEGORIES), size=n, p=np.array(cal.CATEGORY_P_AFTER))
    before = rng.choice(len(cal.CATEGORIES), size=n, p=np.array(cal.CATEGORY_P_BEFORE))
    category = np.where(ev.kind == 1, before, after)
    method, score = _link_columns(rng, vic.linked[ev.victim])
    return pa.Table.from_arrays(
        [
            pseudonyms(ids.row_counter(n), ids.seed, "inc"),
            ids.person_ids(ev.victim, vic),
            _dates(ev.day),
            _enum(category, cal.CATEGORIES),
            method,
            score,
        ],
        schema=SCHEMAS["victimisations"],
    )


def _offender_ids(codes: np.ndarray, seed: int) -> pa.Array:
    is_person = codes >= PERSON_FLAG
    counter = codes & COUNTER_MASK
    off = pseudonyms(counter, seed, "off")
    if not bool(is_person.any()):
        return off
    return pc.if_else(pa.array(is_person), pseudonyms(counter, seed, "per"), off)


def offender_ids(codes: np.ndarray, seed: int) -> list[str]:
    """Pseudonyms of offender codes, as Python strings (for truth.json)."""
    return [str(s) for s in _offender_ids(np.asarray(codes, dtype=np.int64), seed).to_pylist()]


def links_table(reg: Registrations, reg_slots: Slots, ev: Events, ev_slots: Slots, ids: ChunkIds) -> pa.Table:
    """Perpetrator links of registrations, then of victimisations."""
    r_row, _, r_code = reg_slots.pairs(reg.victim)
    e_row, _, e_code = ev_slots.pairs(ev.victim)
    event_ids = pa.concat_arrays(
        [
            pseudonyms(ids.row_counter(reg.victim.shape[0])[r_row], ids.seed, "reg"),
            pseudonyms(ids.row_counter(ev.victim.shape[0])[e_row], ids.seed, "inc"),
        ]
    )
    event_type = _enum(np.concatenate([np.zeros(r_row.size), np.ones(e_row.size)]), ("registration", "victimisation"))
    offender = _offender_ids(np.concatenate([r_code, e_code]), ids.seed)
    return pa.Table.from_arrays([event_ids, event_type, offender], schema=SCHEMAS["perpetrator_links"])


class TableWriter:
    """Streams chunks of one source into a CSV or Parquet file (no quoting, ISO dates)."""

    def __init__(self, path: Path, schema: pa.Schema, fmt: str) -> None:
        self._fmt = fmt
        self._stack = contextlib.ExitStack()
        self._writer: Any
        if fmt == "parquet":
            self._writer = pq.ParquetWriter(str(path), schema, compression="zstd")
            self._stack.callback(self._writer.close)
        else:
            fh: IO[bytes] = self._stack.enter_context(path.open("wb"))
            fh.write((",".join(schema.names) + "\n").encode())
            opts = pacsv.WriteOptions(include_header=False, quoting_style="none", batch_size=65536)
            self._writer = pacsv.CSVWriter(fh, schema, write_options=opts)
            self._stack.callback(self._writer.close)

    def write(self, table: pa.Table) -> None:
        """Append one chunk."""
        self._writer.write_table(table)

    def close(self) -> None:
        """Flush and close the file."""
        self._stack.close()
