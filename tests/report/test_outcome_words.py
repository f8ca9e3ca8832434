"""The report says in words which crimes count as the outcome."""

from __future__ import annotations

import pytest

from revict.report.sections import _outcome_label, _outcome_words


class _Ctx:
    def __init__(self, lang: str, outcome: str) -> None:
        self.lang = lang
        self.data = {"meta": {"design": {"outcome": outcome}}}

    def tr(self, en: str, nl: str) -> str:
        return en if self.lang == "en" else nl


@pytest.mark.parametrize(
    ("lang", "outcome", "words"),
    [
        ("en", "any", "a crime registered by the police"),
        ("nl", "serious", "een ernstig misdrijf"),
        ("en", "violence, threat", "a crime of this kind: violence or threats"),
        ("nl", "violence, sexual, threat", "een misdrijf van deze soort: geweld, een zedendelict of bedreiging"),
    ],
)
def test_headline_names_the_outcome(lang: str, outcome: str, words: str) -> None:
    """A cohort counting only some categories is not described as 'any crime'."""
    assert _outcome_words(_Ctx(lang, outcome)) == words


def test_method_section_translates_the_outcome_key() -> None:
    """The method section shows the outcome in words, not the cohort file's keyword."""
    assert _outcome_label(_Ctx("nl", "any"), "any") == "elk door de politie geregistreerd slachtofferschap"
    assert "violence" in _outcome_label(_Ctx("en", "serious"), "serious")
