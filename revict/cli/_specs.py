"""The configuration-file formats whose JSON Schema ``revict schema export`` writes."""

from __future__ import annotations

from pydantic import BaseModel

from revict.cohort.spec import CohortSpec
from revict.contract.models import LinkageSchema
from revict.report.spec import ReportSpec

#: file stem in schemas/json/ -> model
SPEC_MODELS: dict[str, type[BaseModel]] = {
    "linkage-schema": LinkageSchema,
    "cohort": CohortSpec,
    "report": ReportSpec,
}
