"""The researcher's offline network page: plotly.js inline once, NOT FOR RELEASE on every view."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from plotly.offline import get_plotlyjs

from revict.networks import build_offender_network, network_measures, write_network_html
from tests.networks.netdata import LINKS, REGISTRATIONS, VICTIMISATIONS, eid, oid, pid


@pytest.fixture
def page(hand_sources, tmp_path):
    net = build_offender_network(hand_sources, all_data=True)
    res = network_measures(net)
    path = write_network_html(net, res, tmp_path / "network.html", seed=4, max_nodes=13)
    return path.read_text(encoding="utf-8")


def _data(html: str) -> dict:
    start = html.index("const DATA = ") + len("const DATA = ")
    return json.loads(html[start : html.index(";\n", start)].replace("<\\/", "</"))


def test_plotly_js_is_inline_exactly_once(page):
    """The page embeds plotly.js once and loads nothing from a network."""
    assert page.count(get_plotlyjs()[:200]) == 1
    assert "<script src=" not in page


def test_every_view_is_stamped_not_for_release(page):
    """A sticky stamp and each view's title carry NOT FOR RELEASE."""
    assert '<div id="stamp">NOT FOR RELEASE' in page
    assert 'title: {text: "NOT FOR RELEASE: " + (v.title' in page
    assert page.count("NOT FOR RELEASE") >= 4


def test_no_full_pseudonym_in_the_page(page):
    """Only shortened pseudonyms appear; no full person, offender or event id is in the page."""
    ids = {pid(p) for _, p, _, _ in REGISTRATIONS + VICTIMISATIONS if p}
    ids |= {oid(o) for _, o in LINKS} | {eid(e) for e, _ in LINKS}
    assert not [i for i in ids if i in page]
    assert "offe…" in page


def test_views_are_small_components_and_bounded_ego_networks(page, hand_sources, tmp_path):
    """The largest component is never drawn, the small one is, and ego networks are cut to max_nodes."""
    views = _data(page)["views"]
    assert not any("13 nodes" in v["title"] for v in views)  # largest, though within max_nodes
    net = build_offender_network(hand_sources, all_data=True)
    small = write_network_html(net, network_measures(net), tmp_path / "small.html", max_nodes=5)
    views = _data(small.read_text(encoding="utf-8"))["views"]
    titles = [v["title"] for v in views]
    assert "component 1: 3 nodes" in titles
    assert not any("13 nodes" in t for t in titles)
    egos = [v for v in views if v["title"].startswith("ego network")]
    assert len(egos) == 6  # one per recurring perpetrator
    assert all(len(v["nodes"]) <= 5 for v in views)
    first = egos[0]  # O7: serial, three victims, radius 1 fits
    assert "(serial, 3 victims; radius 1)" in first["title"]
    assert sorted(n["role"] for n in first["nodes"]) == ["offender", "victim", "victim", "victim"]
    assert [n["deg"] for n in first["nodes"] if n["role"] == "offender"] == [3]  # degree in the whole graph


def test_year_slider_spans_the_event_years(page):
    """The year slider runs from the first to the last event year in the views."""
    data = _data(page)
    assert (data["year_min"], data["year_max"]) == (2015, 2019)
    assert all(e[2] is None or 2015 <= e[2] <= 2019 for v in data["views"] for e in v["edges"])


def test_page_is_built_without_the_whole_graph(hand_sources, tmp_path):
    """Writing the page never builds the whole networkx graph (views come from their own nodes)."""
    net = build_offender_network(hand_sources, all_data=True)
    write_network_html(net, network_measures(net), tmp_path / "p.html")
    assert net._graph is None


def test_same_seed_gives_the_same_page(hand_sources, tmp_path):
    """Layouts are seeded: two pages written with one seed are identical."""
    net = build_offender_network(hand_sources, all_data=True)
    res = network_measures(net)
    a = write_network_html(net, res, tmp_path / "a.html", seed=1).read_text(encoding="utf-8")
    b = write_network_html(net, res, tmp_path / "b.html", seed=1).read_text(encoding="utf-8")
    assert a == b


def _chromium() -> str:
    if Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    if os.environ.get("CI") == "true":
        pytest.fail("/usr/bin/chromium is missing in CI; install Debian's chromium (make install-browser)")
    found = shutil.which("chromium")
    if not found:
        pytest.skip("chromium not installed (outside CI)")
    return found


@pytest.mark.browser
def test_page_renders_offline_and_every_view_shows_the_stamp(hand_sources, tmp_path):
    """In headless chromium each selectable view renders with the stamp in its title, without requests."""
    sync_api = pytest.importorskip("playwright.sync_api")
    net = build_offender_network(hand_sources, all_data=True)
    path = write_network_html(net, network_measures(net), tmp_path / "network.html", max_nodes=5)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=_chromium(), args=["--headless", "--no-sandbox"])
        pg = browser.new_page()
        requests: list[str] = []
        errors: list[str] = []
        pg.route(
            "**/*",
            lambda r: (
                requests.append(r.request.url),
                r.continue_() if r.request.url.startswith("file://") else r.abort(),
            ),
        )
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.goto(path.as_uri())
        options = pg.locator("#view option").all_inner_texts()
        assert len(options) >= 2
        for i in range(len(options)):
            pg.select_option("#view", str(i))
            assert (pg.locator("#fig .gtitle").text_content() or "").startswith("NOT FOR RELEASE")
            assert pg.locator("#fig svg.main-svg").count() >= 1
        pg.fill("#year", "2015")
        pg.dispatch_event("#year", "input")
        assert pg.locator("#yearlabel").inner_text() == "2015"
        assert pg.locator("#stamp").is_visible()
        assert errors == []
        assert [u for u in requests if not u.startswith("file://")] == []
        browser.close()
