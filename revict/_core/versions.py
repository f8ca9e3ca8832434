"""Installed versions of packages, for provenance records and bug reports."""

from __future__ import annotations

import importlib.metadata
from collections.abc import Iterable


def package_versions(packages: Iterable[str]) -> dict[str, str]:
    """Return ``{package: version}``; ``"not installed"`` where a package is missing.

    Examples
    --------
    >>> package_versions(["revict"])["revict"]
    '0.1.0'
    """
    out = {}
    for pkg in packages:
        try:
            out[pkg] = importlib.metadata.version(pkg)
        except importlib.metadata.PackageNotFoundError:
            out[pkg] = "not installed"
    return out
