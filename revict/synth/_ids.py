"""Synthetic pseudonyms ``{prefix}-syn{12 hex}``: unique, seeded, vectorised.

A counter (unique per prefix) goes through a keyed bijection of the 48-bit integers
(xor, odd multiplications and xor-shifts), so distinct counters give distinct
pseudonyms that look random and carry no order.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

#: Regular expression every synthetic pseudonym matches (the privacy canary).
CANARY_PATTERN = r"-syn[0-9a-f]{12}"

_MASK = np.uint64((1 << 48) - 1)
_MUL1 = np.uint64(0x9E3779B97F4B)  # odd
_MUL2 = np.uint64(0xC2B2AE3D27D5)  # odd
_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
_SHIFTS = np.arange(44, -1, -4, dtype=np.uint64)

PREFIXES = ("per", "reg", "inc", "off")


def _keys(seed: int, prefix: str) -> tuple[np.uint64, np.uint64]:
    """Two 48-bit keys derived from the seed and the prefix."""
    ss = np.random.SeedSequence([seed, PREFIXES.index(prefix) + 1])
    k = ss.generate_state(2, dtype=np.uint64)
    return np.uint64(k[0]) & _MASK, np.uint64(k[1]) & _MASK


def scramble(counter: np.ndarray, seed: int, prefix: str) -> np.ndarray:
    """Map counters (< 2**48) one-to-one onto 48-bit integers, keyed by seed and prefix."""
    k1, k2 = _keys(seed, prefix)
    x = (counter.astype(np.uint64) & _MASK) ^ k1
    x = (x * _MUL1) & _MASK
    x ^= x >> np.uint64(23)
    x = (x * _MUL2) & _MASK
    x ^= x >> np.uint64(19)
    return x ^ k2


def pseudonyms(counter: np.ndarray, seed: int, prefix: str) -> pa.StringArray:
    """Pseudonyms ``{prefix}-syn{12 hex}`` for integer counters, as an Arrow string array."""
    x = scramble(np.asarray(counter), seed, prefix)
    n = x.shape[0]
    head = np.frombuffer(f"{prefix}-syn".encode(), dtype=np.uint8)
    width = head.size + 12
    out = np.empty((n, width), dtype=np.uint8)
    out[:, : head.size] = head
    out[:, head.size :] = _HEX[((x[:, None] >> _SHIFTS[None, :]) & np.uint64(15)).astype(np.intp)]
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32)
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(out.tobytes()))


def nullable_pseudonyms(counter: np.ndarray, valid: np.ndarray, seed: int, prefix: str) -> pa.Array:
    """Like :func:`pseudonyms`, with null where ``valid`` is False (an unlinked record)."""
    ids = pseudonyms(counter, seed, prefix)
    if bool(valid.all()):
        return ids
    return pa.compute.if_else(pa.array(valid), ids, pa.scalar(None, pa.string()))
