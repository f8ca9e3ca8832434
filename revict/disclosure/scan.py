"""Scan a released object for anything that could identify a person.

Flags pseudonym-like strings (the data contract's identifier shape: 8–64 characters of
``[A-Za-z0-9_-]`` with both letters and digits, and the synthetic marker ``-syn…``) and
ISO dates (``YYYY-MM-DD``) outside the study-design keys. Design dates (entry window,
data window) and fingerprints are allowed under the keys listed in ``ALLOWED_KEYS``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

PSEUDONYM_RE = re.compile(r"^(?=[A-Za-z0-9_-]{8,64}$)(?=.*[A-Za-z])(?=.*[0-9])[A-Za-z0-9_-]+$")
SYNTH_MARKER_RE = re.compile(r"-syn[0-9a-f]{12}")
ISO_DATE_RE = re.compile(r"\b(1[89]|20)\d{2}-[01]\d-[0-3]\d\b")

#: keys whose values are study-design facts or checksums, not data about a person
ALLOWED_KEYS = frozenset(
    {
        "sha256",
        "cohort_sha256",
        "schema_sha256",
        "fingerprints",
        "versions",
        "design",
        "rules",
        "generated_at",
        "release_status",
    }
)


def _walk(obj: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(obj, dict):
        for k, v in obj.items():
            key = str(k)
            if key in ALLOWED_KEYS:
                continue
            yield from _walk(key, f"{path}.<key>")
            yield from _walk(v, f"{path}.{key}")
    elif isinstance(obj, list | tuple):
        for i, v in enumerate(obj):
            yield from _walk(v, f"{path}[{i}]")
    elif isinstance(obj, str):
        yield path, obj


def find_identifiers(obj: Any) -> list[tuple[str, str]]:
    """Return ``(path, kind)`` for every pseudonym-like string or ISO date in ``obj``.

    Examples
    --------
    >>> find_identifiers({"a": ["labour", "p-syn0123456789ab"], "b": "2019-03-02"})
    [('$.a[1]', 'pseudonym'), ('$.b', 'date')]
    >>> find_identifiers({"design": {"entry_start": "2012-01-01"}, "term": "sex=M"})
    []
    """
    hits = []
    for path, text in _walk(obj, "$"):
        if SYNTH_MARKER_RE.search(text) or PSEUDONYM_RE.match(text):
            hits.append((path, "pseudonym"))
        elif ISO_DATE_RE.search(text):
            hits.append((path, "date"))
    return hits
