"""Report structure: one offline file, plotly.js once, Dutch format, no identifiers, every chart explained."""

import base64
import csv
import datetime as dt
import io
import json
import re

import plotly.offline
import pytest

from revict._core.errors import DisclosureError
from revict.disclosure import apply_disclosure
from revict.report import render_html, render_report

PLOTLYJS = plotly.offline.get_plotlyjs()
PSEUDONYM = re.compile(r"-syn[0-9a-f]{12}")
ISO_DATE = re.compile(r"\b(?:19|20)\d\d-[01]\d-[0-3]\d\b")
CHARTS = ["fig-ci", "fig-cr", "fig-offences", "fig-forest", "fig-mcf", "fig-vpo", "fig-components"]


def _html(path):
    return path.read_text(encoding="utf-8")


def _without_bundle(html: str) -> str:
    i = html.index(PLOTLYJS)
    return html[:i] + html[i + len(PLOTLYJS) :]


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_plotlyjs_is_embedded_exactly_once(report_files, lang):
    """The plotly.js bundle appears once, inline; no script is loaded from elsewhere."""
    html = _html(report_files[lang])
    assert html.count(PLOTLYJS[:300]) == 1
    assert re.search(r"<script[^>]+src=", html) is None
    assert "cdn.plot.ly" not in _without_bundle(html)


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_nothing_to_fetch_and_under_ten_megabytes(report_files, lang):
    """Outside the bundle the page names no http(s) URL, forbids connections, and the file is < 10 MB."""
    html = _html(report_files[lang])
    rest = _without_bundle(html)
    assert re.findall(r"https?://", rest) == []
    assert "connect-src 'none'" in html
    assert report_files[lang].stat().st_size < 10 * 1024 * 1024


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_no_pseudonym_or_individual_date_in_report(report_files, results, lang):
    """No synthetic pseudonym appears, and the only dates are design dates and today's."""
    assert PSEUDONYM.search(json.dumps(results))  # the input had them
    rest = _without_bundle(_html(report_files[lang]))
    csvs = [base64.b64decode(b).decode("utf-8") for b in re.findall(r"charset=utf-8;base64,([^\"]+)", rest)]
    assert len(csvs) >= len(CHARTS)
    rest = rest + "\n".join(csvs)
    assert PSEUDONYM.search(rest) is None
    allowed = {"2012-01-01", "2016-12-31", dt.date.today().isoformat()}
    assert set(ISO_DATE.findall(rest)) <= allowed


def test_dutch_report_uses_dutch_number_format(report_files):
    """The Dutch report sets plotly separators to ',.' and writes decimal commas and '95%-BI' in the text."""
    html = _html(report_files["nl"])
    assert html.count('"separators":",."') >= len(CHARTS)
    assert "95%-BI" in html
    assert re.search(r"HR \d,\d\d", html)  # decimal comma
    assert re.search(r"\b1\.500\b", html)  # thousands point
    assert '<html lang="nl">' in html


def test_english_report_uses_english_number_format(report_files):
    """The English report uses '.,' separators and a decimal point."""
    html = _html(report_files["en"])
    assert html.count('"separators":".,"') >= len(CHARTS)
    assert re.search(r"HR \d\.\d\d", html)
    assert "Sexual exploitation" in html
    assert "Seksuele uitbuiting" not in html


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_every_chart_has_description_and_csv_download(report_files, lang):
    """Each chart's figure has a text description and a data: URI CSV download that parses."""
    html = _html(report_files[lang])
    for chart_id in CHARTS:
        m = re.search(
            rf'<figure class="chart" aria-labelledby="{chart_id}-title" aria-describedby="{chart_id}-desc">'
            r"(.*?)</figure>",
            html,
            re.S,
        )
        assert m, chart_id
        body = m.group(1)
        assert re.search(rf'id="{chart_id}-desc"[^>]*><p[^>]*>[^<]{{40,}}', body), chart_id
        href = re.search(
            r'class="download" download="[^"]+\.csv" href="data:text/csv;charset=utf-8;base64,([^"]+)"', body
        )
        assert href, chart_id
        text = base64.b64decode(href.group(1)).decode("utf-8").lstrip("\ufeff")
        rows = list(csv.reader(io.StringIO(text), delimiter=";" if lang == "nl" else ","))
        assert len(rows) >= 2


def test_csv_holds_exactly_the_released_hazard_ratios(report_files, released):
    """The forest plot's CSV lists the released terms and nothing withheld."""
    html = _html(report_files["en"])
    href = re.search(r'download="hazard-ratios\.csv" href="data:text/csv;charset=utf-8;base64,([^"]+)"', html).group(1)
    rows = list(csv.reader(io.StringIO(base64.b64decode(href).decode("utf-8").lstrip("\ufeff"))))
    terms = [r[0] for r in rows[1:]]
    assert terms == [t["term"] for t in released.data()["first_event"]["cox"]["terms"]]
    assert "sex=U" not in terms


def test_synthetic_banner_follows_the_release(released, full_spec, results):
    """A synthetic release carries the SYNTHETIC banner; a real one does not."""
    assert "SYNTHETIC DATA" in render_html(released, full_spec, lang="en")
    res = {k: v for k, v in results.items() if k != "meta"}
    real = apply_disclosure(res)
    assert not real.is_synthetic
    assert "SYNTHETIC" not in render_html(real, full_spec, lang="en")


def test_missing_sections_say_not_available(results, full_spec):
    """Without recurrent and network results the report renders and says those parts are not available."""
    res = {k: v for k, v in results.items() if k not in ("recurrent", "network", "network_aggregates")}
    html = render_html(apply_disclosure(res), full_spec, lang="en")
    assert html.count("Not available") >= 3
    assert 'id="fig-ci"' in html


def test_report_accepts_only_released_results(results, full_spec, tmp_path):
    """Passing raw results instead of a Released object is refused."""
    with pytest.raises(DisclosureError):
        render_report(results, full_spec, tmp_path / "r.html")  # type: ignore[arg-type]


def test_selector_and_at_risk_tables_cover_each_grouping(report_files, released):
    """The grouping selector offers the whole cohort first and has a numbers-at-risk table per option."""
    html = _html(report_files["en"])
    sel = re.search(r'<select id="sel-ci" data-figs="fig-ci fig-cr">(.*?)</select>', html, re.S).group(1)
    values = re.findall(r'<option value="([^"]+)"', sel)
    assert values[0] == "all"
    assert set(values) >= {"all", "exploitation_form", "sex"}
    for v in values:
        assert f'data-switch="sel-ci" data-grouping="{v}"' in html


def test_at_risk_numbers_come_from_the_release(report_files, released):
    """The numbers-at-risk table shows the released (suppressed) values, e.g. '<10' for a small group."""
    html = _html(report_files["en"])
    ci = released.data()["first_event"]["cumulative_incidence"]["exploitation_form"]
    assert ci["unknown"]["7"]["at_risk"] == "<10"
    pattern = r'data-grouping="exploitation_form"(?: hidden)?><div class="table-wrap".*?</table>'
    block = re.search(pattern, html, re.S).group(0)
    assert "&lt;10" in block
    assert f'<td class="num">{ci["sexual"]["1"]["at_risk"]}</td>' in block


def test_write_is_atomic_and_returns_path(released, full_spec, tmp_path):
    """render_report writes the file and returns its path, leaving no temporary file behind."""
    out = render_report(released, full_spec, tmp_path / "sub" / "report.html", lang="nl")
    assert out.is_file()
    assert [p.name for p in out.parent.iterdir()] == ["report.html"]


def test_model_accuracy_is_stated_plainly(report_files, released):
    """Under the forest plot one sentence gives Harrell's C with its 95% CI, as a percentage, in both languages."""
    cox = released.data()["first_event"]["cox"]
    assert (cox["concordance"], cox["concordance_se"]) == (0.58, 0.011)
    en = _html(report_files["en"])
    nl = _html(report_files["nl"])
    assert "sooner in 58% of the pairs that can be compared (95% CI 56–60%); 50% would be a coin toss" in en
    assert "in 58% van de vergelijkbare paren" in nl
    assert "(95%-BI 56–60%)" in nl


def test_time_to_return_is_told_in_months(report_files):
    """The perpetrator section says how soon a perpetrator of the registration came back, in months."""
    en = _html(report_files["en"])
    nl = _html(report_files["nl"])
    assert "half did so within 16 months of the registration (a quarter within 7, three quarters within 36" in en
    assert "bij de helft binnen 16 maanden na de registratie" in nl
