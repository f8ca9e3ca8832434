"""Offender slots of registrations and victimisations, with serial and returning perpetrators.

Offenders are coded as int64 before they get pseudonyms: a code below ``PERSON_FLAG``
is an ``off-syn...`` counter (new offenders count from ``chunk << 28``; serial
perpetrators from ``SERIAL_BASE``); ``PERSON_FLAG | c`` is the registered person with
person counter ``c`` (victims and offenders share one key space).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from revict.synth import _calibration as cal
from revict.synth._victims import Events, Registrations

SERIAL_BASE = 1 << 47
PERSON_FLAG = 1 << 50
COUNTER_MASK = (1 << 48) - 1
CHUNK_SHIFT = 28


def serial_weights(n_serial: int) -> np.ndarray:
    """Probability that a serial slot goes to serial perpetrator ``i`` (skewed)."""
    w = np.power(np.arange(1, n_serial + 1, dtype=float), -cal.SERIAL_SKEW)
    return np.asarray(w / w.sum())


@dataclass
class OffenderDrawer:
    """Draws offender codes for empty slots of one chunk."""

    rng: np.random.Generator
    chunk: int
    n_serial: int
    person_base: int
    n_link: int
    next_local: int = 0

    def fresh(self, owner: np.ndarray) -> np.ndarray:
        """One new offender code per element; ``owner`` is the victim (never drawn as own offender)."""
        n = owner.shape[0]
        u = self.rng.random(n)
        codes = (self.chunk << CHUNK_SHIFT) + self.next_local + np.arange(n, dtype=np.int64)
        self.next_local += n
        serial = np.asarray(u < cal.SERIAL_SLOT_P)
        codes[serial] = SERIAL_BASE + self.rng.choice(
            self.n_serial, size=int(serial.sum()), p=serial_weights(self.n_serial)
        )
        if self.n_link >= 2:
            person = np.asarray(~serial & (u < cal.SERIAL_SLOT_P + cal.PERSON_SLOT_P))
            pick = self.rng.integers(0, self.n_link, size=int(person.sum()))
            pick = np.where(pick == owner[person], (pick + 1) % self.n_link, pick)
            codes[person] = PERSON_FLAG | (self.person_base + pick)
        return codes


@dataclass
class Slots:
    """Up to two offender codes per event row; ``n_off`` says how many are used."""

    n_off: np.ndarray
    codes: np.ndarray

    def dedupe(self) -> None:
        """Two slots naming the same offender become one."""
        self.n_off[(self.n_off == 2) & (self.codes[:, 0] == self.codes[:, 1])] = 1

    def pairs(self, victim: np.ndarray, rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Links as ``(row, victim, code)`` arrays, in row then slot order."""
        sel = np.arange(self.n_off.shape[0]) if rows is None else rows
        used = np.stack([self.n_off[sel] >= 1, self.n_off[sel] >= 2], axis=1)
        r, s = np.nonzero(used)
        row = sel[r]
        return row, victim[row], self.codes[row, s]


def registration_slots(rng: np.random.Generator, reg: Registrations, drawer: OffenderDrawer) -> Slots:
    """Offenders of registrations; same-episode registrations mostly repeat the index ones."""
    rows = reg.victim.shape[0]
    n_off = np.asarray(rng.choice(3, size=rows, p=np.array(cal.OFFENDERS_PER_REGISTRATION_P)))
    codes = np.stack([drawer.fresh(reg.victim), drawer.fresh(reg.victim)], axis=1)
    index_row = np.full(int(reg.victim.max(initial=-1)) + 1, -1, dtype=np.int64)
    idx = np.flatnonzero(reg.kind == 0)
    index_row[reg.victim[idx]] = idx
    copy = (reg.kind == 1) & (rng.random(rows) < cal.SECOND_LIST_SAME_OFFENDERS)
    src = index_row[reg.victim[copy]]
    n_off[copy] = n_off[src]
    codes[copy] = codes[src]
    slots = Slots(n_off, codes)
    slots.dedupe()
    return slots


def victimisation_slots(
    rng: np.random.Generator,
    ev: Events,
    reg: Registrations,
    reg_slots: Slots,
    n_victims: int,
    drawer: OffenderDrawer,
) -> Slots:
    """Offenders of victimisations; for some victims the index perpetrator comes back."""
    rows = ev.victim.shape[0]
    n_off = np.asarray(rng.choice(3, size=rows, p=np.array(cal.OFFENDERS_PER_VICTIMISATION_P)))
    codes = np.stack([drawer.fresh(ev.victim), drawer.fresh(ev.victim)], axis=1)
    idx = np.flatnonzero(reg.kind == 0)
    index_code = np.full(n_victims, -1, dtype=np.int64)
    has_off = reg_slots.n_off[idx] >= 1
    index_code[reg.victim[idx[has_off]]] = reg_slots.codes[idx[has_off], 0]
    returns = (rng.random(n_victims) < cal.RETURNING_PERSON_P) & (index_code >= 0)
    back = (ev.kind >= 2) & (n_off >= 1) & returns[ev.victim] & (rng.random(rows) < cal.RETURN_EVENT_P)
    codes[back, 0] = index_code[ev.victim[back]]
    slots = Slots(n_off, codes)
    slots.dedupe()
    return slots


def returning_codes(
    ev: Events, ev_slots: Slots, reg: Registrations, reg_slots: Slots, linked: np.ndarray
) -> np.ndarray:
    """Offenders of an index registration linked to a later victimisation of the same linked victim."""
    _, rv, rc = reg_slots.pairs(reg.victim, np.flatnonzero((reg.kind == 0) & linked[reg.victim]))
    _, ev_v, ev_c = ev_slots.pairs(ev.victim, np.flatnonzero((ev.kind >= 2) & linked[ev.victim]))
    if rc.size == 0 or ev_c.size == 0:
        return np.empty(0, dtype=np.int64)
    uniq, inv = np.unique(np.concatenate([rc, ev_c]), return_inverse=True)
    key = np.concatenate([rv, ev_v]).astype(np.int64) * (uniq.size + 1) + inv
    common = np.intersect1d(key[: rc.size], key[rc.size :])
    return np.unique(uniq[common % (uniq.size + 1)])


def serial_victim_counts(victims: np.ndarray, codes: np.ndarray, n_serial: int) -> np.ndarray:
    """Distinct victims per serial perpetrator among the given links."""
    is_serial = (codes >= SERIAL_BASE) & (codes < PERSON_FLAG)
    key = victims[is_serial].astype(np.int64) * n_serial + (codes[is_serial] - SERIAL_BASE)
    return np.bincount(np.unique(key) % n_serial, minlength=n_serial)
