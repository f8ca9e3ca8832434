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
"""

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
]
