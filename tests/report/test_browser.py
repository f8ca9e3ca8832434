"""The report in a real browser (Debian chromium, headless, network blocked)."""

import os
import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CHART_IDS = ["fig-ci", "fig-cr", "fig-offences", "fig-forest", "fig-mcf", "fig-vpo", "fig-components", "fig-hidden"]


def _chromium() -> str:
    if Path(CHROMIUM).is_file():
        return CHROMIUM
    if os.environ.get("CI") == "true":
        pytest.fail(f"{CHROMIUM} is missing in CI; install Debian's chromium (make install-browser)")
    found = shutil.which("chromium")
    if not found:
        pytest.skip("chromium not installed (outside CI)")
    return found


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if os.environ.get("CI") == "true":
            pytest.fail("playwright is not installed in CI")
        pytest.skip("playwright not installed (outside CI)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=_chromium(), args=ARGS)
        yield b
        b.close()


def _open(browser, path: Path, lang: str):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    requests: list[str] = []
    errors: list[str] = []

    def route(r):
        requests.append(r.request.url)
        if r.request.url.startswith("file://"):
            r.continue_()
        else:
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "WebGL" not in m.text else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    page.wait_for_timeout(800)
    return page, requests, errors


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_report_renders_offline_without_errors(browser, report_files, lang):
    """Every chart renders, no console error, and no request leaves the file."""
    page, requests, errors = _open(browser, report_files[lang], lang)
    assert errors == []
    assert [u for u in requests if not u.startswith("file://")] == []
    assert len(requests) == 1  # the report file itself, nothing else
    for chart_id in CHART_IDS:
        assert page.locator(f"#{chart_id} svg.main-svg").count() >= 1, chart_id
    ARTIFACTS.mkdir(exist_ok=True)
    for sec in page.locator("main > section").all():
        sec.scroll_into_view_if_needed()
        sec.screenshot(path=str(ARTIFACTS / f"report-{lang}-{sec.get_attribute('id')}.png"))
    page.close()


def test_selector_switches_the_curves(browser, report_files):
    """Choosing another grouping in the selector changes which curves are visible, keyboard included."""
    page, _, errors = _open(browser, report_files["en"], "en")

    def visible_names(fig: str) -> list[str]:
        return page.evaluate(
            f"() => document.getElementById('{fig}').data.filter(t => t.visible === true && t.showlegend !== false)"
            ".map(t => t.name)"
        )

    before = visible_names("fig-ci")
    page.focus("#sel-ci")
    page.select_option("#sel-ci", "exploitation_form")
    page.wait_for_timeout(300)
    after = visible_names("fig-ci")
    assert before == ["Whole cohort"]
    assert "Labour exploitation" in after
    assert "Whole cohort" not in after
    assert "Labour exploitation" in visible_names("fig-cr")
    assert page.locator('[data-switch="sel-ci"][data-grouping="exploitation_form"]').first.is_visible()
    assert not page.locator('[data-switch="sel-ci"][data-grouping="all"]').first.is_visible()
    # keyboard: Tab reaches the selector
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "sel-ci"
    section = page.locator("#s-cumulative-incidence")
    section.screenshot(path=str(ARTIFACTS / "report-en-selector-exploitation-form.png"))
    assert errors == []
    page.close()
