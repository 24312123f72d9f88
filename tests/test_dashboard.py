"""The dashboard: its settings and injected events, then the page itself in headless Chromium driven by Playwright."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest
import solara
from mesa.visualization.utils import force_update

pytest.importorskip("solara", reason="the dashboard needs the viz extra: pip install -e '.[viz]'")

import sim.dashboard.page as dashboard_page
from sim.dashboard.live import DashboardModel, inject_event
from sim.dashboard.page import PLAY_RATE, PLOT_DPI, Pace, model_params
from sim.dashboard.server import main
from sim.dashboard.settings import MAX_COUNTRIES, confidence_in, dashboard_scenarios
from sim.dashboard.text import agenda_log, events_log
from sim.io.library import config_dir, load_scenario, read_yaml
from sim.model.agents.mesa_model import NegotiationModel
from sim.model.errors import ScenarioError
from sim.model.run import simulate
from sim.model.scenario.specs import ScenarioSpec
from sim.views.run_figures import LIVE_TEXT
from sim.views.style import Calendar

CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START = 60  # seconds for the server to answer; the page itself gets as long to show round 0
UPDATE = 30_000  # milliseconds for the page to show a step or a reset


def shown_values() -> dict:
    """The values the sidebar shows for the default model, as SolaraViz's Reset passes them back."""
    return {key: spec["value"] for key, spec in model_params(DashboardModel()).items()}


def test_untouched_settings_reproduce_the_command_line_run():
    model = DashboardModel(**shown_values())
    for _ in range(40):
        model.step()
    expected = simulate(load_scenario("tokyo_2013"), seed=2013, rounds=40)
    assert model.error is None
    np.testing.assert_array_equal(model.result().country_states, expected.country_states)


def test_a_confidence_setting_moves_the_ministry_s_confidence_in_each_ministry_of_that_country_alike():
    base = DashboardModel()
    values = shown_values() | {"tokyo_2013:japan.foreign.confidence.russia": 0.5}
    moved = DashboardModel(**values)
    before, after = (m.spec.countries[0].ministries[1] for m in (base, moved))
    russia = moved.spec.countries[1]
    assert confidence_in(after, russia) == pytest.approx(0.5)
    shifts = {k: after.confidence[k] - before.confidence[k] for k in before.confidence}
    assert shifts == pytest.approx(dict.fromkeys(before.confidence, shifts["russia.leader"]))


def test_priority_shares_are_set_exactly_and_the_other_issues_keep_their_proportions():
    base = DashboardModel().spec.countries[0].ministries[0].priorities
    model = DashboardModel(**(shown_values() | {"tokyo_2013:japan.leader.priority.islands": 0.6}))
    priorities = model.spec.countries[0].ministries[0].priorities
    assert priorities["islands"] == pytest.approx(0.6)
    assert priorities["security_guarantee"] == pytest.approx(base["security_guarantee"])
    assert priorities["transfer_terms"] / priorities["economic_projects"] == pytest.approx(
        base["transfer_terms"] / base["economic_projects"]
    )


def test_a_mistake_is_shown_and_the_scenario_runs_as_shipped():
    values = shown_values() | {
        "tokyo_2013:russia.defence.priority.islands": 0.8,
        "tokyo_2013:russia.defence.priority.security_guarantee": 0.4,
    }
    model = DashboardModel(**values)
    assert "russia.ministries.defence.priorities" in model.error and "at most 1" in model.error
    assert model.spec.countries[1].ministries[2].priorities == load_scenario("tokyo_2013").ministries[5].priorities
    assert "nope" in DashboardModel(scenario_name="nope").error


def test_settings_of_another_scenario_are_left_out():
    values = shown_values() | {"scenario_name": "tokyo_1956_formula", "tokyo_2013:japan.leader.concession": 3.0}
    model = DashboardModel(**values)
    shipped = load_scenario("tokyo_1956_formula")
    assert model.error is None
    assert [m.behaviour for m in model.spec.ministries] == [m.behaviour for m in shipped.ministries]


def test_the_scenario_list_holds_the_shipped_scenarios_small_enough_for_the_page():
    names = dashboard_scenarios()
    assert "tokyo_2013" in names
    assert all(len(load_scenario(n).countries) <= MAX_COUNTRIES for n in names)


def test_an_injected_event_moves_confidence_as_the_same_scheduled_event_would():
    data = read_yaml(config_dir() / "scenario" / "tokyo_2013.yaml")
    data["ministry_defaults"]["drift"] = 0.0  # drift comes before scheduled events in a round, after injected ones
    data["events"] = []
    injected = NegotiationModel(ScenarioSpec.from_dict(data), rng=5)
    data["events"] = [{"round": 1, "source": "japan", "target": "russia", "cameo": "163"}]
    scheduled = NegotiationModel(ScenarioSpec.from_dict(data), rng=5)
    event = inject_event(injected, "163", "japan", "russia")
    assert (event.round, event.goldstein) == (1, -8.0)
    assert (
        injected.confidence_matrix[3:, :3].sum() < scheduled.confidence_matrix[3:, :3].sum()
    )  # Russia's confidence fell
    injected.step()
    scheduled.step()
    np.testing.assert_allclose(injected.confidence_matrix, scheduled.confidence_matrix)
    assert injected.result().events[["round", "source", "target", "cameo"]].values.tolist() == [
        [1, "japan", "russia", "163"]
    ]
    with pytest.raises(ScenarioError, match="a country other than the source"):
        inject_event(injected, "163", "japan", "japan")


def test_play_redraws_the_talks_only_when_they_changed(monkeypatch):
    """Each round redraws the confidence figure; the talks figure (a second of drawing on a loaded machine) only when
    an offer was made or the round axis grew."""
    drawn = {"confidence": 0, "talks": 0}

    def counted(name, draw):
        def wrapper(*args, **kwargs):
            drawn[name] += 1
            return draw(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(dashboard_page, "plot_confidence", counted("confidence", dashboard_page.plot_confidence))
    monkeypatch.setattr(dashboard_page, "plot_talks", counted("talks", dashboard_page.plot_talks))
    model = DashboardModel()
    _, context = solara.render(dashboard_page.Views(model), handle_error=False)
    sessions = set()
    try:
        for _ in range(30):
            model.step()
            sessions.add(len(model.result().offers))
            force_update()
    finally:
        context.close()
    assert drawn["confidence"] == 31
    assert drawn["talks"] == 1 + len(sessions - {0}) < 31


def test_play_keeps_its_pace_however_long_a_round_takes_to_draw():
    """It advanced one round per drawing (2 s on a loaded machine); now the rounds a drawing took are due next, at the
    two rounds a second docs/teaching.md gives."""
    pace = Pace(PLAY_RATE, now=0.0)
    assert [pace.due(t) for t in (0.3, 0.6, 0.9)] == [0, 1, 0]  # a quick page: one round every half second
    assert pace.due(3.05) == 5  # a slow drawing: the rounds due meanwhile come together
    assert pace.due(3.35) + pace.due(3.65) == 1


def test_the_dashboard_s_tables_give_months_where_the_scenario_has_dates():
    result = simulate(load_scenario("tokyo_2013"), seed=2013, rounds=3)
    agenda = agenda_log(result.agenda, Calendar("2013-11"))
    assert agenda.columns[0] == "month" and set(agenda["month"]) <= {"Nov 2013", "Dec 2013", "Jan 2014"}
    assert list(events_log(result.events, Calendar("2013-11")).columns)[:3] == ["month", "source", "target"]
    assert agenda_log(result.agenda).columns[0] == "round"  # a scenario without dates


def test_main_says_which_port_is_busy():
    with socket.socket() as busy:
        busy.bind(("localhost", 0))
        busy.listen()
        with pytest.raises(ScenarioError, match=r"cannot listen there .*; allowed: another --port or --host"):
            main(["--port", str(busy.getsockname()[1])])


# --- the page in a browser --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dashboard_url():
    """The dashboard served by ``python -m sim.dashboard.server`` on a free port, stopped after the tests."""
    with socket.socket() as s:
        s.bind(("localhost", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "sim.dashboard.server", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://localhost:{port}/"
    try:
        deadline = time.monotonic() + SERVER_START
        while True:
            try:
                urllib.request.urlopen(url, timeout=5).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the dashboard server did not start:\n{server.communicate(timeout=10)[0]}")
                time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium for a real browser: apt-get install chromium")
def test_the_page_steps_the_model_and_redraws_in_a_real_browser(dashboard_url, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright: pip install playwright")
    expect = sync_api.expect
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(dashboard_url)
        status = page.locator(".negsim-status")
        expect(status).to_contain_text("Round 0", timeout=SERVER_START * 1000)
        expect(status).to_contain_text("Japan → Russia 0.342 (start 0.342)")

        sidebar = page.locator(".v-navigation-drawer")
        for internal in ("Play Interval", "Render Interval", "Use Threads"):  # Mesa's internals are not shown
            expect(page.get_by_text(internal)).to_have_count(0)
        expect(page.get_by_role("button", name="Play")).to_be_visible()  # as the README says
        expect(page.get_by_role("slider", name="seed")).to_have_count(0)
        seed = sidebar.get_by_label("seed")  # a number field
        seed.fill("2014")
        seed.press("Enter")
        ministry = sidebar.get_by_text("Japan · leader")
        expect(ministry).to_have_count(0)  # folded in its country's panel
        sidebar.get_by_text("Japan", exact=True).click()
        expect(ministry).to_be_visible()
        confidence = page.get_by_role("slider", name="Japan leader: confidence in Russia")
        for _ in range(10):
            confidence.press("ArrowRight")
        expect(confidence).to_have_attribute("aria-valuenow", "0.5")
        page.get_by_role("button", name="Reset").click()
        expect(status).to_contain_text("seed 2014", timeout=UPDATE)
        expect(status).to_contain_text("(start 0.387)")  # Japan → Russia: + 0.1 × the leader's influence 0.45
        expect(status).to_contain_text("Russia → Japan 0.365 (start 0.365)")  # untouched sliders change nothing

        figure = page.locator(".negsim-confidence img")
        before = figure.screenshot()
        page.get_by_role("button", name="Step").click()
        expect(status).to_contain_text("Round 1 (November 2013)", timeout=UPDATE)
        deadline = time.monotonic() + UPDATE / 1000
        while figure.screenshot() == before:  # the new image arrives after the text
            assert time.monotonic() < deadline, "the confidence chart did not change after a step"
            time.sleep(0.5)

        page.screenshot(path=SCREENSHOT.with_name("negsim-dashboard-top.png"))
        page.locator(".negsim-inject").click()
        expect(page.locator(".negsim-events")).to_contain_text(
            "Impose embargo, boycott, or sanctions (injected)", timeout=UPDATE
        )
        page.get_by_role("button", name="Play").click()
        expect(status).to_contain_text(re.compile(r"Round ([3-9]|[1-9]\d+) "), timeout=UPDATE)  # Play may pass several
        page.get_by_role("button", name="Pause").click()
        expect(page.get_by_role("button", name="Play")).to_be_visible()
        assert readability(page) == READABLE
        page.screenshot(path=SCREENSHOT, full_page=True)
        browser.close()


SCREENSHOT = Path(tempfile.gettempdir()) / "negsim-dashboard.png"  # kept after the test, to look at
PROJECTORS = [(1024, 768), (1280, 720)]  # a lecture hall's projector, as a browser window fills it
CHECKS = [
    "clipped cells",
    "wide tables",
    "small figure text",
    "small text",
    "slider values",
    "controls outside their card",
]
READABLE = {check: [] for check in CHECKS}


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium for a real browser: apt-get install chromium")
@pytest.mark.parametrize(("width", "height"), PROJECTORS)
def test_the_page_reads_on_a_projector(dashboard_url, width, height):
    """At 1024 × 768 the agenda's action column was cut and the figures' text under 10 px; at 1280 × 720 the
    confidence figure ran below the screen and a slider's value sat on its label."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright: pip install playwright")
    expect = sync_api.expect
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(dashboard_url)
        status = page.locator(".negsim-status")
        expect(status).to_contain_text("Round 0", timeout=SERVER_START * 1000)
        for k in range(1, 4):  # the agenda and the events fill up
            page.get_by_role("button", name="Step").click()
            expect(status).to_contain_text(f"Round {k} (", timeout=UPDATE)
        sidebar = page.locator(".v-navigation-drawer")
        sidebar.get_by_text("Japan", exact=True).click()  # the sliders
        expect(sidebar.get_by_text("Japan · leader")).to_be_visible()
        figure = page.locator(".negsim-confidence img")
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=figure.element_handle())
        page.screenshot(path=SCREENSHOT.with_name(f"negsim-dashboard-{width}x{height}.png"))
        assert readability(page) == READABLE
        assert figure.bounding_box()["y"] + figure.bounding_box()["height"] <= height, "the figure needs scrolling"
        browser.close()


def readability(page) -> dict[str, list]:
    """What a lecturer could not read: table cells whose text is cut off, tables wider than their cards, figures
    shown so small that their smallest text (:data:`LIVE_TEXT` pt) falls under 12 px, page text under 12 px, a
    slider's value over its label (the text itself, which may overflow its box), buttons outside their card."""
    return page.evaluate(
        """([points, dpi]) => {
        const text = e => { const r = document.createRange(); r.selectNodeContents(e); return r.getBoundingClientRect(); };
        const apart = (a, b) => a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top;
        const shown = [...document.querySelectorAll(".v-navigation-drawer .v-input__slider")].filter(s => s.offsetParent);
        const card = document.querySelector(".negsim-controls").closest(".v-card").getBoundingClientRect();
        return {
        "clipped cells": [...document.querySelectorAll(".negsim-agenda td, .negsim-events td")]
            .filter(td => td.scrollWidth > td.clientWidth + 1).map(td => td.textContent),
        "wide tables": [...document.querySelectorAll(".v-data-table__wrapper")]
            .filter(t => t.scrollWidth > t.clientWidth + 1).map(t => [t.scrollWidth, t.clientWidth]),
        "small figure text": [...document.querySelectorAll(".negsim-figure img")]
            .filter(img => img.naturalWidth && points / 72 * dpi * img.clientWidth / img.naturalWidth < 12)
            .map(img => [img.clientWidth, img.naturalWidth]),
        "small text": [...document.querySelectorAll(".v-navigation-drawer label, .negsim-status, td, th, .v-card__title")]
            .filter(e => e.offsetParent && parseFloat(getComputedStyle(e).fontSize) < 12)
            .map(e => e.textContent.slice(0, 30)),
        "slider values": shown.filter(s => !apart(text(s.querySelector(".v-label")),
                                                  text(s.querySelector(".v-slider__thumb-label"))))
            .map(s => s.querySelector(".v-label").textContent),
        "controls outside their card": [...document.querySelectorAll(".negsim-controls .v-btn")]
            .filter(b => b.getBoundingClientRect().right > card.right).map(b => b.textContent.trim()),
    }}""",
        [LIVE_TEXT, PLOT_DPI],
    )
