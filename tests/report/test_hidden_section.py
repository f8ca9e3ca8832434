"""The report section "How many victims do we not see?" and `revict run`'s hidden-population and validation outputs."""

import base64
import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from revict.cli.main import app
from revict.disclosure import DisclosureRules, apply_disclosure
from revict.report import load_report_spec
from revict.report.hidden import MAX_SHOWN, sensitivity_figure
from revict.report.render import render_html

from .conftest import DESIGN, ROOT

COHORT = str(ROOT / "cohorts" / "nr-seven-year.yaml")
SCHEMA = str(ROOT / "schemas" / "nl-trafficking.yaml")
PSEUDONYM = re.compile(r"-syn[0-9a-f]{12}")
runner = CliRunner()


def _section(html: str) -> str:
    m = re.search(r'<section id="s-hidden-population".*?</section>', html, re.S)
    assert m, "no hidden-population section"
    return m.group(0)


def _render(results: dict, spec, lang: str) -> str:
    return render_html(apply_disclosure(results, DisclosureRules(), design=DESIGN), spec, lang=lang)


@pytest.fixture(scope="module")
def html(released, full_spec) -> dict[str, str]:
    return {lang: render_html(released, full_spec, lang=lang) for lang in ("en", "nl")}


def test_section_in_both_shipped_specs():
    """Both shipped report specs include the hidden-population section, before the method section."""
    for name in ("full", "policy-brief"):
        sections = load_report_spec(ROOT / "reports" / f"{name}.yaml").section_list
        assert "hidden_population" in sections
        assert sections.index("hidden_population") < sections.index("method")


def test_english_section_states_estimate_interval_and_ratio(html, released):
    """The English section gives the rounded estimate, its interval and the ratio to the registered number."""
    hp = released.data()["hidden_population"]
    sec = _section(html["en"])
    assert "How many victims do we not see?" in sec
    est = f"{hp['estimate']:,}"
    assert f"An estimated {est} people" in sec
    assert f"{hp['ci']['lower']:,}–{hp['ci']['upper']:,}" in sec
    assert f"{hp['n_observed']:,} were registered" in sec
    assert f"about {hp['ratio_to_observed']:.1f} times the registered number" in sec


def test_dutch_section_uses_dutch_labels_and_number_format(html, released):
    """The Dutch section has Dutch labels and numbers with a thousands point and a decimal comma."""
    hp = released.data()["hidden_population"]
    sec = _section(html["nl"])
    assert "Hoeveel slachtoffers zien we niet?" in sec
    assert f"Naar schatting waren {hp['estimate']:,}".replace(",", ".") in sec
    assert f"ongeveer {hp['ratio_to_observed']:.1f}".replace(".", ",") + " keer" in sec
    assert "Wat deze schatting aanneemt" in sec
    assert '"separators":",."' in sec.replace(" ", "")


def test_section_has_chart_description_download_and_caveats(html):
    """The chart comes with a screen-reader description, a CSV download and the plain-language caveats."""
    sec = _section(html["en"])
    assert 'id="fig-hidden"' in sec
    desc = re.search(r'id="fig-hidden-desc"[^>]*><p>(.*?)</p>', sec, re.S)
    assert desc
    assert "Chosen model" in desc.group(1)
    assert 'download="hidden-population-models.csv"' in sec
    for words in ("closed population", "no false positives", "list dependence", "depends heavily on the model"):
        assert words in sec


def test_chart_highlights_the_chosen_model(released):
    """The sensitivity chart has one highlighted chosen-model point at the estimate and the registered number."""
    hp = released.data()["hidden_population"]
    fig, rows, sentences, shown = sensitivity_figure(hp, "en")
    chosen = [tr for tr in fig.data if tr.name == "Chosen model"]
    assert len(chosen) == 1
    assert list(chosen[0].x) == [hp["estimate"]]
    assert chosen[0].marker.symbol == "diamond"
    # the chosen model's whisker is the reported interval, as in the text
    assert list(chosen[0].error_x.arrayminus) == [hp["estimate"] - hp["ci"]["lower"]]
    assert list(chosen[0].error_x.array) == [hp["ci"]["upper"] - hp["estimate"]]
    others = [tr for tr in fig.data if tr.name == "Other models"]
    assert len(others[0].x) == len(shown) - 1
    assert 2 <= len(shown) <= MAX_SHOWN
    estimates = [c["estimate"] for c in shown]
    assert min(estimates) == hp["sensitivity"]["min_estimate"]
    assert max(estimates) == hp["sensitivity"]["max_estimate"]
    registered = [tr for tr in fig.data if str(tr.name).startswith("Registered")]
    assert set(registered[0].x) == {hp["n_observed"]}
    assert len(rows) == len(sentences) == len(shown)


def test_download_holds_exactly_the_models_shown(html, released):
    """The CSV download lists exactly the models drawn, with rounded estimates and the chosen one marked."""
    hp = released.data()["hidden_population"]
    _, _, _, shown = sensitivity_figure(hp, "en")
    uri = re.search(
        r'download="hidden-population-models.csv" href="data:text/csv;charset=utf-8;base64,([^"]+)"', html["en"]
    )
    assert uri
    lines = base64.b64decode(uri.group(1)).decode("utf-8").lstrip("\ufeff").splitlines()
    assert lines[0] == "model,two_list_terms,estimate,lower,upper,chosen_by"
    assert len(lines) == 1 + len(shown)
    assert sum("stepwise" in line for line in lines[1:]) == 1
    assert all(int(line.split(",")[2]) % 10 == 0 for line in lines[1:])


def test_failed_estimate_is_explained_not_drawn(results, full_spec):
    """A failed estimate renders a plain explanation and the caveats, without a chart."""
    failed = {**results, "hidden_population": {"status": "failed", "message": "the estimate does not exist"}}
    sec = _section(_render(failed, full_spec, "en"))
    assert "No estimate could be made" in sec
    assert "the estimate does not exist" in sec
    assert "fig-hidden" not in sec


def test_withheld_estimate_says_too_few(results, full_spec):
    """Too few registered persons renders the withheld message in Dutch, without numbers or a chart."""
    small = {**results, "hidden_population": {**results["hidden_population"], "n_observed": 4}}
    sec = _section(_render(small, full_spec, "nl"))
    assert "te weinig mensen geregistreerd" in sec
    assert "fig-hidden" not in sec


def test_missing_section_reads_not_available(results, full_spec):
    """Results without a hidden-population estimate render the 'not available' note."""
    rest = {k: v for k, v in results.items() if k != "hidden_population"}
    assert "Not available" in _section(_render(rest, full_spec, "en"))


def test_estimates_by_group_table(html, released):
    """With strata, a table gives each group's registered number, estimate and interval, in both languages."""
    strat = released.data()["hidden_population"]["stratified"]
    women = strat["strata"][0]
    en, nl = _section(html["en"]), _section(html["nl"])
    assert "Estimates by group" in en
    assert "Schattingen per groep" in nl
    assert "By group (sex)" in en
    row = re.search(r"<tr><th scope=\"row\">Women and girls</th>(.*?)</tr>", en, re.S)
    assert row, "no row for women and girls"
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1))
    ci = women["ci"]
    assert cells == [f"{women['n_observed']:,}", f"{women['estimate']:,}", f"{ci['lower']:,}–{ci['upper']:,}"]
    assert f"Added up they come to {strat['total']:,}" in en
    assert "Vrouwen en meisjes" in nl
    assert "Mannen en jongens" in nl
    assert f"{women['estimate']:,}".replace(",", ".") in nl


def test_no_group_table_without_strata(results, full_spec):
    """Without strata (the default cohort) the section has no group table."""
    hp = {k: v for k, v in results["hidden_population"].items() if k != "stratified"}
    sec = _section(_render({**results, "hidden_population": hp}, full_spec, "en"))
    assert "Estimates by group" not in sec
    assert 'id="fig-hidden"' in sec


# ----------------------------------------------------------------------------- end to end


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    from revict.synth import synthesize

    out = tmp_path_factory.mktemp("synth-hidden")
    synthesize(out, victims=800, seed=5)
    return out


@pytest.fixture(scope="module")
def run_out(data, tmp_path_factory):
    out = tmp_path_factory.mktemp("run-hidden")
    args = ["run", COHORT, "--schema", SCHEMA, "--data", str(data), "--out", str(out), "--no-prediction"]
    result = runner.invoke(app, [*args, "--lang", "en", "--spec", str(ROOT / "reports" / "full.yaml")])
    return out, result


def test_run_writes_validation_report(run_out):
    """`revict run` writes validation.json and validation.html into OUT and prints where."""
    out, result = run_out
    assert result.exit_code == 0, result.output
    verdict = json.loads((out / "validation.json").read_text(encoding="utf-8"))
    assert verdict["valid"] is True
    assert (out / "validation.html").read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")
    assert f"validation: {out / 'validation.html'}" in result.output.replace("\n", "")


def test_run_estimates_hidden_population_into_results_and_report(run_out):
    """`revict run` stores the hidden-population estimate in results.json and reports it without pseudonyms."""
    out, result = run_out
    assert result.exit_code == 0, result.output
    assert re.search(r"^hidden\b.*estimated", result.output, re.M)
    hp = json.loads((out / "results.json").read_text(encoding="utf-8"))["hidden_population"]
    assert hp["status"] == "estimated"
    assert hp["estimate"] >= hp["n_observed"] > 0
    assert hp["rule"] == {"name": "stepwise", "threshold": 0.02, "search": hp["rule"]["search"]}
    assert hp["bootstrap"]["n_boot"] == 200
    assert hp["list_reporters"]["P"] == ["police"]
    html = (out / "report-en.html").read_text(encoding="utf-8")
    sec = _section(html)
    assert 'id="fig-hidden"' in sec
    assert "An estimated" in sec
    assert PSEUDONYM.search(html) is None


def test_failed_validation_still_writes_the_validation_report(data, tmp_path):
    """When validation fails, `revict run` writes validation.json/html, says where, and exits 1."""
    bad = tmp_path / "bad"
    shutil.copytree(data, bad)
    persons = bad / "persons.csv"
    lines = persons.read_text(encoding="utf-8").splitlines()
    persons.write_text("\n".join([*lines, lines[1]]) + "\n", encoding="utf-8")  # a duplicate person
    out = tmp_path / "o"
    result = runner.invoke(app, ["run", COHORT, "--schema", SCHEMA, "--data", str(bad), "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert json.loads((out / "validation.json").read_text(encoding="utf-8"))["valid"] is False
    assert (out / "validation.html").is_file()
    assert "validation.html" in result.output.replace("\n", "")
    assert not (out / "results.json").exists()


@pytest.mark.parametrize("kind", ["does_not_exist", "numerical"])
def test_failed_estimate_is_a_warning_not_a_crash(data, tmp_path, monkeypatch, kind):
    """An estimate that cannot be made becomes a warning in results.json and a note in the report; run exits 0."""
    import numpy as np

    import revict.hidden.registers
    from revict._core.errors import ModelFitError

    def fail(*args, **kwargs):
        if kind == "numerical":
            raise np.linalg.LinAlgError("Singular matrix")
        raise ModelFitError("the estimate does not exist for this table", hint="Merge lists.")

    monkeypatch.setattr(revict.hidden.registers, "estimate_population", fail)
    out = tmp_path / "o"
    args = ["run", COHORT, "--schema", SCHEMA, "--data", str(data), "--out", str(out), "--no-prediction"]
    result = runner.invoke(app, [*args, "--lang", "en"])
    assert result.exit_code == 0, result.output
    res = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert res["hidden_population"]["status"] == "failed"
    assert any("hidden population" in w for w in res["warnings"])
    sec = _section((out / "report-en.html").read_text(encoding="utf-8"))
    assert "No estimate could be made" in sec


@pytest.mark.parametrize(
    ("key", "lang", "label"),
    [
        ({"period": "all", "minor": "minor"}, "nl", "Minderjarig"),
        ({"period": "all", "minor": "adult"}, "en", "18 and older"),
        ({"period": "2014", "sex": "F"}, "en", "2014 · Women and girls"),
        ({"period": "all"}, "nl", "Alle"),
    ],
)
def test_group_labels_are_plain_words(key, lang, label):
    """Strata keys become plain labels (years as themselves, levels in words)."""
    from revict.report.hidden import _stratum_label

    assert _stratum_label(key, lang) == label
