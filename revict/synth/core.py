"""``synthesize``: write synthetic linked registers with a planted, recorded truth."""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa

from revict import __version__
from revict._core.errors import SpecError
from revict._core.io import atomic_path, write_json_atomic
from revict.contract import load_schema
from revict.synth import _calibration as cal
from revict.synth import _offenders as off
from revict.synth import _tables as tab
from revict.synth import _truth as tr
from revict.synth._ids import CANARY_PATTERN
from revict.synth._model import Baseline, CaptureModel, solve_baseline, solve_capture_model
from revict.synth._victims import Window, day_number, draw_events, draw_registrations, draw_victims

logger = logging.getLogger("revict")

#: Persons per chunk. Fixed (not tuned to memory) so that output bytes depend only on the seed.
CHUNK_PERSONS = 50_000
SOURCES = ("persons", "victim_registrations", "victimisations", "perpetrator_links")


@dataclass(frozen=True)
class SynthResult:
    """What :func:`synthesize` wrote.

    Attributes
    ----------
    paths : dict of str to Path
        Source name -> file written.
    rows : dict of str to int
        Source name -> number of data rows.
    truth_path : Path
        The ``truth.json`` file.
    truth : dict
        Its content (the planted truth; ``truth["synthetic"]`` is True).
    """

    paths: dict[str, Path]
    rows: dict[str, int]
    truth_path: Path
    truth: dict[str, Any]

    def summary(self) -> pd.DataFrame:
        """One row per source: ``source``, ``rows``, ``path``."""
        return pd.DataFrame(
            [{"source": name, "rows": self.rows[name], "path": str(path)} for name, path in self.paths.items()]
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe record of what was written (without the truth itself)."""
        return {
            "paths": {k: str(v) for k, v in self.paths.items()},
            "rows": dict(self.rows),
            "truth_path": str(self.truth_path),
            "synthetic": True,
        }


@dataclass(frozen=True)
class _Plan:
    seed: int
    victims: int
    n_unlinked: int
    n_serial: int
    window: Window
    baseline: Baseline
    capture: CaptureModel

    @property
    def n_chunks(self) -> int:
        return max(1, math.ceil(self.victims / CHUNK_PERSONS))

    def chunk_sizes(self, c: int) -> tuple[int, int, int]:
        """Person base, linked and unlinked victims of chunk ``c`` (cumulative rounding)."""
        lo, hi = c * CHUNK_PERSONS, min((c + 1) * CHUNK_PERSONS, self.victims)

        def unl(k: int) -> int:
            return round(k * self.n_unlinked / self.victims)

        return lo, hi - lo, unl(hi) - unl(lo)

    def rng(self, stream: int) -> np.random.Generator:
        """Independent generator for a stream (0 = global, c + 1 = chunk c)."""
        return np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=(stream,)))


def _generate_chunk(plan: _Plan, c: int, acc: tr.TruthAccumulator) -> dict[str, pa.Table]:
    rng = plan.rng(c + 1)
    person_base, n_link, n_unl = plan.chunk_sizes(c)
    vic = draw_victims(rng, n_link, n_unl, plan.window, plan.capture)
    ev = draw_events(rng, vic, plan.window, plan.baseline)
    reg = draw_registrations(rng, vic, plan.window)
    drawer = off.OffenderDrawer(rng, c, plan.n_serial, person_base, n_link)
    reg_slots = off.registration_slots(rng, reg, drawer)
    ev_slots = off.victimisation_slots(rng, ev, reg, reg_slots, vic.n, drawer)
    ids = tab.ChunkIds(plan.seed, c, person_base)
    tables = {
        "persons": tab.persons_table(vic, ids, plan.window.end),
        "victim_registrations": tab.registrations_table(rng, reg, vic, ids),
        "victimisations": tab.victimisations_table(rng, ev, vic, ids),
        "perpetrator_links": tab.links_table(reg, reg_slots, ev, ev_slots, ids),
    }
    acc.add_victims(vic, ev, plan.baseline)
    _, rv, rc = reg_slots.pairs(reg.victim)
    _, ev_v, ev_c = ev_slots.pairs(ev.victim)
    acc.add_serial(off.serial_victim_counts(np.concatenate([rv, ev_v]), np.concatenate([rc, ev_c]), plan.n_serial))
    acc.returning.append(off.returning_codes(ev, ev_slots, reg, reg_slots, vic.linked))
    acc.add("unlinked_victims", n_unl)
    acc.add("reregistrations", int((reg.kind == 2).sum()))
    acc.add("co_offending_events", int((reg_slots.n_off == 2).sum() + (ev_slots.n_off == 2).sum()))
    acc.add("links_to_unlinked_victim_events", int((~vic.linked[rv]).sum() + (~vic.linked[ev_v]).sum()))
    acc.add("links_to_person_offenders", int((rc >= off.PERSON_FLAG).sum() + (ev_c >= off.PERSON_FLAG).sum()))
    acc.add("prior_victimisations", int((ev.kind <= 1).sum()))
    return tables


@contextlib.contextmanager
def _progress(enabled: bool, total: int) -> Iterator[Any]:
    if not enabled:
        yield lambda: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("synthesising"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("chunks", total=total)
        yield lambda: bar.advance(task)


def _offenders_truth(plan: _Plan, acc: tr.TruthAccumulator) -> dict[str, Any]:
    serial_codes = off.SERIAL_BASE + np.arange(plan.n_serial, dtype=np.int64)
    returning = np.unique(np.concatenate(acc.returning)) if acc.returning else np.empty(0, np.int64)
    sv = acc.serial_victims
    return {
        "serial": tab.offender_ids(serial_codes, plan.seed),
        "serial_victims": {
            "min": int(sv.min()),
            "median": float(np.median(sv)),
            "max": int(sv.max()),
            "total": int(sv.sum()),
        },
        "serial_slot_probability": cal.SERIAL_SLOT_P,
        "returning": sorted(tab.offender_ids(returning, plan.seed)),
        "returning_definition": (
            "offenders linked to a person's index (first) registration and to a later victimisation of the "
            "same person (linked persons only: what an analysis of person_id can find)"
        ),
        "returning_person_probability": cal.RETURNING_PERSON_P,
        "return_event_probability": cal.RETURN_EVENT_P,
        "person_slot_probability": cal.PERSON_SLOT_P,
        "co_offending_events": acc.counts.get("co_offending_events", 0),
        "links_to_unlinked_victim_events": acc.counts.get("links_to_unlinked_victim_events", 0),
        "links_to_person_offenders": acc.counts.get("links_to_person_offenders", 0),
    }


def _truth(plan: _Plan, acc: tr.TruthAccumulator, rows: dict[str, int], fmt: str) -> dict[str, Any]:
    return {
        "synthetic": True,
        "warning": "SYNTHETIC DATA - every person, record and pseudonym is invented.",
        "canary_pattern": CANARY_PATTERN,
        "generator": {
            "name": "revict.synth",
            "revict_version": __version__,
            "seed": plan.seed,
            "victims": plan.victims,
            "format": fmt,
            "chunk_persons": CHUNK_PERSONS,
        },
        "data_window": {"start": "2008-01-01", "end": "2023-12-31"},
        "rows": rows,
        "counts": {"persons": plan.victims, **acc.counts},
        "first_event": tr.first_event_truth(acc, plan.baseline),
        **tr.other_truth(),
        "offenders": _offenders_truth(plan, acc),
        "hidden_population": tr.hidden_population_truth(acc, plan.capture, plan.rng(0)),
        "calibration": cal.calibration_record(),
    }


def _make_plan(victims: int, seed: int) -> _Plan:
    schema = load_schema()
    window = Window(day_number(schema.data_start), day_number(schema.data_end))
    return _Plan(
        seed=seed,
        victims=victims,
        n_unlinked=round(victims * cal.UNLINKED_SHARE / (1 - cal.UNLINKED_SHARE)),
        n_serial=max(5, round(victims / cal.PERSONS_PER_SERIAL)),
        window=window,
        baseline=solve_baseline(),
        capture=solve_capture_model(),
    )


def _check_args(victims: int, seed: int, fmt: str) -> None:
    if fmt not in ("csv", "parquet"):
        raise SpecError(f"unknown format {fmt!r}", hint="Use fmt='csv' or fmt='parquet'.")
    if not 50 <= victims <= 50_000_000:
        raise SpecError("victims must be between 50 and 50,000,000", hint="Pass e.g. victims=15000.")
    if seed < 0:
        raise SpecError("seed must be a non-negative integer", hint="Pass e.g. seed=1.")


def _check_no_other_format(out: Path, fmt: str) -> None:
    other = "parquet" if fmt == "csv" else "csv"
    clash = [f"{name}.{other}" for name in SOURCES if (out / f"{name}.{other}").exists()]
    if clash:
        raise SpecError(
            f"{out} already holds {', '.join(clash)}; a loader would read those instead of the new files",
            hint="Write into an empty folder, or remove the old extracts first.",
        )


def synthesize(
    out_dir: str | Path,
    *,
    victims: int = 15000,
    seed: int = 1,
    fmt: Literal["csv", "parquet"] = "csv",
    progress: bool = False,
) -> SynthResult:
    """Write synthetic linked registers with a planted truth into ``out_dir``.

    Writes ``persons``, ``victim_registrations``, ``victimisations`` and
    ``perpetrator_links`` (``.csv`` or ``.parquet``, following
    ``schemas/nl-trafficking.yaml``) and ``truth.json``. Pseudonyms look like
    ``per-syn0123456789ab`` and match :data:`CANARY_PATTERN`. Persons are generated
    and written in chunks of :data:`CHUNK_PERSONS`, so memory stays bounded; each
    file is written to a temporary name and renamed when complete.

    Parameters
    ----------
    out_dir : str or Path
        Folder to write into (created if missing).
    victims : int, default 15000
        Registered victims with a persons row (the size of ``persons``).
    seed : int, default 1
        Seed; the same seed and arguments give byte-identical files.
    fmt : {"csv", "parquet"}, default "csv"
        File format of the four sources.
    progress : bool, default False
        Show a progress bar on stderr (the CLI sets this).

    Returns
    -------
    SynthResult

    Raises
    ------
    revict.SpecError
        Unknown format, or ``victims`` / ``seed`` out of range.

    Examples
    --------
    >>> import tempfile
    >>> res = synthesize(tempfile.mkdtemp(), victims=200, seed=3)
    >>> res.rows["persons"], res.truth["synthetic"]
    (200, True)
    >>> sorted(res.truth["first_event"]["log_hr"])[:2]
    ['exploitation_form=criminal', 'exploitation_form=labour']
    """
    _check_args(victims, seed, fmt)
    out = Path(out_dir)
    _check_no_other_format(out, fmt)
    out.mkdir(parents=True, exist_ok=True)
    plan = _make_plan(victims, seed)
    acc = tr.TruthAccumulator(n_serial=plan.n_serial)
    paths = {name: out / f"{name}.{fmt}" for name in SOURCES}
    rows = dict.fromkeys(SOURCES, 0)
    with contextlib.ExitStack() as stack, _progress(progress, plan.n_chunks) as advance:
        writers = {}
        for name in SOURCES:
            tmp = stack.enter_context(atomic_path(paths[name]))
            writers[name] = tab.TableWriter(tmp, tab.SCHEMAS[name], fmt)
            stack.callback(writers[name].close)  # closed (LIFO) before the rename
        for c in range(plan.n_chunks):
            for name, table in _generate_chunk(plan, c, acc).items():
                writers[name].write(table)
                rows[name] += table.num_rows
            logger.info("synth: chunk %d of %d written", c + 1, plan.n_chunks)
            advance()
    truth = _truth(plan, acc, rows, fmt)
    truth_path = write_json_atomic(out / "truth.json", truth)
    return SynthResult(paths=paths, rows=rows, truth_path=truth_path, truth=truth)
