"""revict: longitudinal analysis of repeat victimisation among victims of human trafficking.

The data flow, one stage per subpackage::

    register extracts (CSV/Parquet)      schemas/*.yaml (linkage schema)
            |                                   |
            v                                   v
          load  ------------------------->  validate  -> validation report
            |
            v                 cohorts/*.yaml
      cohort builder  <-----------'
            |  first_event, recurrent, attrition
            v
      models / networks -> results.json -> disclosure -> report (HTML)

``synth`` writes synthetic registers with a planted truth; ``cli`` wires it all up.

The entry point of each stage is available here (imported on first use, so
``import revict`` stays fast):

>>> import revict
>>> revict.build_cohort.__module__
'revict.cohort.build'
"""

import importlib
from typing import Any

from revict._core.errors import (
    DisclosureError,
    ModelFitError,
    Problem,
    RevictError,
    RevictWarning,
    Severity,
    SourceError,
    SpecError,
)

__version__ = "0.1.0"

#: public entry point -> module that defines it, in data-flow order
_ENTRY_POINTS = {
    "load_schema": "revict.contract",
    "load_sources": "revict.load",
    "validate": "revict.validate",
    "validate_sources": "revict.validate",
    "load_cohort": "revict.cohort",
    "build_cohort": "revict.cohort",
    "write_cohort_tables": "revict.cohort",
    "analyse": "revict.models",
    "build_offender_network": "revict.networks",
    "network_measures": "revict.networks",
    "capture_histories": "revict.hidden",
    "estimate_population": "revict.hidden",
    "apply_disclosure": "revict.disclosure",
    "load_report_spec": "revict.report",
    "render_report": "revict.report",
    "synthesize": "revict.synth",
}


def __getattr__(name: str) -> Any:
    module = _ENTRY_POINTS.get(name)
    if module is None:
        raise AttributeError(f"module 'revict' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *_ENTRY_POINTS])


__all__ = [
    "DisclosureError",
    "ModelFitError",
    "Problem",
    "RevictError",
    "RevictWarning",
    "Severity",
    "SourceError",
    "SpecError",
    "__version__",
    *_ENTRY_POINTS,
]
