"""Report spec files and the colour palette."""

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from revict._core.errors import SpecError
from revict.contract import json_schemas
from revict.report import ALL_SECTIONS, ReportSpec, load_report_spec
from revict.report.i18n import TEXT, fmt_num, fmt_pct, level_label
from revict.report.palette import COLOURS, NEUTRAL, OKABE_ITO_DARK, contrast_ratio

ROOT = Path(__file__).resolve().parents[2]
REPORTS = sorted((ROOT / "reports").glob("*.yaml"))


def test_shipped_specs_exist():
    """reports/ ships policy-brief.yaml and full.yaml."""
    assert {p.name for p in REPORTS} >= {"policy-brief.yaml", "full.yaml"}


@pytest.mark.parametrize("path", REPORTS, ids=lambda p: p.name)
def test_shipped_spec_loads_and_points_editors_at_the_schema(path):
    """Every shipped report spec validates and starts with the yaml-language-server schema line."""
    spec = load_report_spec(path)
    assert spec.section_list[-1] == "method"
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../schemas/json/report.json"


def test_unknown_key_is_a_spec_error_with_line(tmp_path):
    """A misspelt key names the file, the key and its line."""
    p = tmp_path / "bad.yaml"
    p.write_text("name: x\nsectoins: [headline]\n", encoding="utf-8")
    with pytest.raises(SpecError, match=r"sectoins \(line 2\)"):
        load_report_spec(p)


def test_committed_json_schema_matches_model():
    """schemas/json/report.json is what `revict schema export` generates from ReportSpec."""
    committed = json.loads((ROOT / "schemas" / "json" / "report.json").read_text(encoding="utf-8"))
    assert committed == json_schemas({"report": ReportSpec})["report"]


@settings(max_examples=30, deadline=None)
@given(
    sections=st.lists(st.sampled_from(ALL_SECTIONS), min_size=1, max_size=5, unique=True),
    lang=st.sampled_from(["en", "nl"]),
    min_cell=st.integers(1, 50),
    rounding=st.sampled_from([None, 5, 10]),
)
def test_spec_yaml_round_trip(tmp_path_factory, sections, lang, min_cell, rounding):
    """A spec dumped to YAML and loaded again is equal."""
    spec = ReportSpec(sections=tuple(sections), lang=lang, disclosure={"min_cell": min_cell, "rounding": rounding})
    p = tmp_path_factory.mktemp("spec") / "r.yaml"
    p.write_text(yaml.safe_dump(spec.model_dump(mode="json")), encoding="utf-8")
    assert load_report_spec(p) == spec


def test_palette_meets_wcag_aa_on_white():
    """Every line colour has at least 4.5:1 contrast on white (WCAG 2.1 AA, also for text)."""
    for colour in (*COLOURS, NEUTRAL):
        assert contrast_ratio(colour) >= 4.5, colour


def test_palette_darkens_the_okabe_ito_colours_that_fail():
    """The original orange, sky blue, yellow and reddish purple fail 4.5:1; their darkened versions differ."""
    failing = {name for name, orig, _ in OKABE_ITO_DARK if contrast_ratio(orig) < 4.5}
    assert failing >= {"orange", "sky blue", "yellow", "reddish purple"}
    for name, orig, used in OKABE_ITO_DARK:
        assert (used != orig) == (name in failing)
    assert len(set(COLOURS)) == len(COLOURS)


def test_every_label_has_both_languages():
    """Every report text exists in English and Dutch, and they differ where words differ."""
    for key, (en, nl) in TEXT.items():
        assert en, key
        assert nl, key
    assert level_label("exploitation_form", "labour", "nl") == "Arbeidsuitbuiting"
    assert level_label("age_group", "50+", "en") == "50 and older"


def test_number_formats():
    """Dutch numbers use a decimal comma and a thousands point; English the reverse."""
    assert fmt_num(12345.678, "nl", 2) == "12.345,68"
    assert fmt_num(12345.678, "en", 2) == "12,345.68"
    assert fmt_pct(0.4567, "nl", 1) == "45,7%"


@pytest.mark.parametrize(
    ("p", "en", "nl"),
    [
        (0.449, "About 5 in 10", "Ongeveer 5 op de 10"),
        (0.31, "About 3 in 10", "Ongeveer 3 op de 10"),
        (0.04, "Fewer than 1 in 10", "Minder dan 1 op de 10"),
        (0.97, "Almost all", "Bijna alle"),
    ],
)
def test_plain_language_share(p, en, nl):
    """The 'About X in 10' sentence follows the percentage as shown, rounded half up."""
    from revict.report.sections import in_ten

    class _Ctx:
        def __init__(self, lang):
            self.lang = lang

        def tr(self, a, b):
            return b if self.lang == "nl" else a

    assert in_ten(p, _Ctx("en")) == en
    assert in_ten(p, _Ctx("nl")) == nl
