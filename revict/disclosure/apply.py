"""``apply_disclosure``: the only road from results.json into a report."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from revict._core.errors import DisclosureError
from revict.disclosure._cohort import control_cohort
from revict.disclosure._hidden import control_hidden
from revict.disclosure._network import control_network
from revict.disclosure._recurrent import control_recurrent
from revict.disclosure._survival import control_first_event
from revict.disclosure.cells import Suppression, as_mapping, is_suppressed
from revict.disclosure.rules import DisclosureRules
from revict.disclosure.scan import find_identifiers

#: a number standing on its own in a text (not part of a name such as ``age_group=0-17``)
STANDALONE_NUMBER = re.compile(r"(?<![\w=.\-])\d+(?![\w\-])")

#: provenance keys copied from results.meta (each value must be a short string, number or flat mapping)
META_KEYS = (
    "versions",
    "seeds",
    "cohort_sha256",
    "schema_sha256",
    "schema_name",
    "fingerprints",
    "revict_version",
    "conf_level",
    "synthetic",
    "is_synthetic",
)


@dataclass(frozen=True, eq=True)
class Released:
    """Disclosure-controlled results: the only input a report accepts.

    Holds a results-shaped, JSON-safe payload with nothing but controlled tables, curves
    and aggregates, and the list of every suppression. Immutable: :meth:`data` returns a
    fresh copy. ``apply_disclosure(released.data(), rules)`` returns an equal object.
    """

    payload: str

    def data(self) -> dict[str, Any]:
        """Return a fresh copy of the released results (same section layout as results.json)."""
        out: dict[str, Any] = json.loads(self.payload)
        return out

    @cached_property
    def _parsed(self) -> dict[str, Any]:
        return self.data()

    @property
    def suppressions(self) -> list[Suppression]:
        """Every item withheld, cut, pooled or top-coded, with its rule and reason."""
        return [Suppression(**s) for s in self._parsed["disclosure"]["suppressions"]]

    @property
    def rules(self) -> DisclosureRules:
        """The rules applied."""
        return DisclosureRules.model_validate(self._parsed["disclosure"]["rules"])

    @property
    def is_synthetic(self) -> bool:
        """Whether the results come from synthetic data."""
        return bool(self._parsed["meta"].get("is_synthetic"))

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict (same as :meth:`data`)."""
        return self.data()


def _flat(value: Any) -> Any:
    """Keep strings, numbers, booleans and one or two levels of mappings of those."""
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, Mapping):
        return {str(k): _flat(v) for k, v in value.items() if not isinstance(v, list)}
    return None


def _meta(results: Mapping[str, Any], design: Mapping[str, Any] | None, is_synthetic: bool | None) -> dict[str, Any]:
    meta = as_mapping(results.get("meta"))
    meta = {**meta}
    meta.setdefault("versions", meta.get("software"))  # revict.models writes "software"
    meta.setdefault("fingerprints", meta.get("data_fingerprints"))
    out: dict[str, Any] = {k: _flat(meta[k]) for k in META_KEYS if meta.get(k) is not None}
    fps = out.get("fingerprints")
    if isinstance(fps, dict):  # a checksum and a row count per source file; no paths
        out["fingerprints"] = {
            src: {k: v for k, v in fp.items() if k in ("sha256", "rows")}
            for src, fp in fps.items()
            if isinstance(fp, dict)
        }
    synthetic = bool(is_synthetic) or bool(meta.get("synthetic")) or bool(meta.get("is_synthetic"))
    out["is_synthetic"] = synthetic
    out.pop("synthetic", None)
    out["design"] = _flat(dict(design or meta.get("design") or {}))
    return out


def _warnings(results: Mapping[str, Any]) -> tuple[list[str], list[Suppression]]:
    out: list[str] = []
    notes: list[Suppression] = []
    for w in results.get("warnings") or []:
        text = w.get("message") if isinstance(w, Mapping) else w
        if not isinstance(text, str):
            continue
        if find_identifiers({"w": text}) or find_identifiers({"w": text.split()}):
            notes.append(Suppression("warnings", "identifier", "a warning mentioned a date or identifier"))
            continue
        if STANDALONE_NUMBER.search(text):
            notes.append(Suppression("warnings", "min_cell", "a warning with a number in it was withheld"))
            continue
        out.append(text)
    return out, notes


def _network_input(results: Mapping[str, Any]) -> Any:
    """Only the aggregates of the network stage; never its researcher-only tables."""
    if "network_aggregates" in results:
        return results["network_aggregates"]
    net = results.get("network")
    if isinstance(net, Mapping) and net.get("controlled") is True:  # an earlier release
        return net
    return net.get("aggregates") if isinstance(net, Mapping) else None


def apply_disclosure(
    results: Mapping[str, Any],
    rules: DisclosureRules | None = None,
    *,
    design: Mapping[str, Any] | None = None,
    is_synthetic: bool | None = None,
) -> Released:
    """Apply statistical disclosure control to results and return what may be released.

    Parameters
    ----------
    results : mapping
        The contents of results.json (``revict._core.results.read_results``), optionally
        with ``network_aggregates`` (the network stage's aggregates file) merged in.
    rules : DisclosureRules, optional
        Settings (defaults: threshold 10, dominance 2/90 %, p-ratio 10 %).
    design : mapping, optional
        Study-design facts for the method section (cohort name, entry window, follow-up).
    is_synthetic : bool, optional
        Mark the release as synthetic (also taken from ``results["meta"]``).

    Returns
    -------
    Released

    Raises
    ------
    DisclosureError
        When the cohort is smaller than ``min_cell`` or anything identifying would be
        released (exit code 3).
    """
    rules = rules or DisclosureRules()
    prior = as_mapping(results.get("disclosure"))
    notes = [Suppression(**s) for s in prior.get("suppressions", []) if isinstance(s, Mapping)]
    cohort, more = control_cohort(results.get("cohort"), rules)
    notes += more
    first, more, sizes = control_first_event(results.get("first_event"), rules)
    notes += more
    recurrent, more = control_recurrent(results.get("recurrent"), rules, sizes)
    notes += more
    network, more = control_network(_network_input(results), rules)
    notes += more
    hidden, more = control_hidden(results.get("hidden_population"), rules)
    notes += more
    warnings, more = _warnings(results)
    notes += more
    if cohort is not None and is_suppressed(cohort["n"]):
        raise DisclosureError(
            f"the cohort has fewer than {rules.min_cell} persons; nothing can be released",
            hint="Widen the entry window or lower restrictions in the cohort file.",
        )
    seen: set[tuple[str, str]] = set()
    unique = []
    for s in notes:
        if (s.what, s.rule) not in seen:
            seen.add((s.what, s.rule))
            unique.append(s.to_dict())
    data = {
        "meta": _meta(results, design, is_synthetic),
        "cohort": cohort,
        "first_event": first,
        "recurrent": recurrent,
        "network": network,
        "hidden_population": hidden,
        "warnings": warnings,
        "disclosure": {"rules": rules.model_dump(mode="json"), "suppressions": unique},
    }
    hits = find_identifiers(data)
    if hits:
        where = ", ".join(sorted({p for p, _ in hits})[:5])
        raise DisclosureError(
            f"disclosure control blocked the release: {len(hits)} pseudonym-like string(s) or "
            f"individual date(s) at {where}",
            hint="Remove identifiers from the results before reporting; report this as a bug in revict.",
        )
    return Released(json.dumps(data, sort_keys=True, ensure_ascii=False, allow_nan=False))
