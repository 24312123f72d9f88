"""A seat's brief, a game's debrief and a class's report: what they hold, and the mistakes they refuse."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from test_seat import yes

from sim.cli.main import main
from sim.io.library import load_scenario
from sim.model.agents.game import Game
from sim.model.agents.seat import RULES, Ask
from sim.model.errors import ScenarioError
from sim.study import debrief as debrief_module
from sim.study.debrief import class_outcomes, default_change, write_class_report, write_debrief
from sim.views.seat_brief import seat_brief


@pytest.fixture(scope="module")
def practice():
    return load_scenario("tokyo_2013_practice")


@pytest.fixture(scope="module")
def played(practice) -> Game:
    game = Game(practice, "japan.foreign", seed=3, rounds=6)
    game.play(yes)
    return game


@pytest.fixture(scope="module")
def debriefed(played, tmp_path_factory):
    return write_debrief(played, tmp_path_factory.mktemp("class") / "anna", band=20)


def test_a_debrief_holds_the_report_the_tables_and_the_game(played, debriefed):
    files = {p.name for p in debriefed.iterdir()}
    assert {"debrief.html", "confidence.png", "bargaining.png", "game.json", "game", "counterfactual"} <= files
    assert {"decisions.parquet", "votes.parquet", "differences.parquet"} <= files
    decisions = pd.read_parquet(debriefed / "decisions.parquet")
    assert len(decisions) == len(played.decisions)
    assert list(decisions["taken"]) == [d.taken for d in played.decisions]
    assert list(decisions["rules"]) == [d.rule for d in played.decisions]
    votes = pd.read_parquet(debriefed / "votes.parquet")
    supports = [m for m in played.minutes if m.ask in (Ask.SUPPORT, Ask.RATIFY)]
    assert len(votes) == len(supports) > 0 and set(votes["vote"]) <= {"for", "against", "ratify", "reject"}
    assert pd.read_parquet(debriefed / "game" / "offers.parquet").equals(played.result().offers)
    page = (debriefed / "debrief.html").read_text()
    for heading in (
        "The outcome",
        "Your confidence",
        "The talks in utility space",
        "Your decisions",
        "The votes at home",
    ):
        assert f"<h2>{heading}</h2>" in page
    assert "What if" in page and 'src="confidence.png"' in page
    assert "<td>nan</td>" not in page  # a country's decision has no worth of its own: left blank


def test_the_debriefs_counterfactual_changes_the_first_departure_from_its_round_on(played, debriefed):
    index, choice = default_change(played)
    changed = played.decisions[index]
    assert changed.departed and choice == changed.rule
    assert all(not d.departed for d in played.decisions[:index])
    summary = json.loads((debriefed / "game.json").read_text())
    assert summary["counterfactual"]["decision"] == index and summary["counterfactual"]["choice"] == choice
    differences = pd.read_parquet(debriefed / "differences.parquet").dropna()
    assert len(differences) and (differences["first_round"] >= changed.question.round).all()


def test_without_a_departure_the_debrief_changes_the_first_yes_or_no(practice):
    game = Game(practice, "russia", seed=1, rounds=6)
    game.play()
    index, choice = default_change(game)
    first = game.decisions[index]
    assert first.question.ask is not Ask.TABLE and choice not in (first.taken, RULES)
    assert all(d.question.ask is Ask.TABLE for d in game.decisions[:index])


def test_only_a_finished_game_is_debriefed_and_nothing_is_left_of_a_failed_one(practice, tmp_path, monkeypatch):
    game = Game(practice, "japan", seed=1, rounds=6)
    with pytest.raises(ScenarioError, match=r"^game: got <Game>; allowed: a game played to the end \(game\.play\(\)"):
        write_debrief(game, tmp_path / "unfinished")
    game.play()

    def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(debrief_module, "plot_bargaining", broken)
    with pytest.raises(RuntimeError):
        write_debrief(game, tmp_path / "failed", band=5)
    assert list(tmp_path.iterdir()) == []


def test_a_class_report_sets_the_games_side_by_side(practice, played, debriefed):
    folder = debriefed.parent
    for seat, seed in (("russia.foreign", 1), ("japan", 2)):
        game = Game(practice, seat, seed=seed, rounds=6)
        game.play(yes)
        write_debrief(game, folder / seat, band=5)
    table = class_outcomes(folder)
    assert sorted(table["game"]) == ["anna", "japan", "russia.foreign"]
    assert set(table.columns) >= {"seats", "seed", "settled", "deal", "utility.japan", "rejected_at_home"}
    report = write_class_report(folder, practice)
    assert {p.name for p in report.iterdir()} == {"class.html", "outcomes.parquet", "peace_treaty.png"}
    settled = int(table["settled"].sum())
    assert f"{settled} of 3 games settled; the talks broke in {3 - settled}" in (report / "class.html").read_text()
    assert len(class_outcomes(folder)) == 3  # the report's own folder is not a game


def test_a_class_report_refuses_another_scenarios_games_and_an_empty_folder(practice, debriefed, tmp_path):
    with pytest.raises(ScenarioError, match=r"allowed: debriefs of tokyo_2013 only \(found tokyo_2013_practice\)"):
        write_class_report(debriefed.parent, load_scenario("tokyo_2013"))
    with pytest.raises(ScenarioError, match=r"allowed: a folder of debriefs \(sub-folders with a game\.json\)"):
        class_outcomes(tmp_path)


def test_a_brief_says_the_role_the_priorities_what_the_other_side_wants_and_the_calendar(practice):
    game = Game(practice, "japan.foreign", seed=1, rounds=6)
    text = seat_brief(game)
    assert text.startswith("# Your seat: japan.foreign in tokyo_2013_practice")
    for heading in (
        "Your role",
        "Your priorities",
        "Your confidence",
        "What each side is known to want in peace_treaty",
        "The calendar ahead",
    ):
        assert f"## {heading}" in text
    assert "30% of its influence at home" in text and "| islands | 36% |" in text
    assert "| islands | all_four | 1.000 | 0.000 |" in text  # both sides' public positions
    assert "negotiate peace_treaty (at foreign_ministers, deputy_talks)" in text
    page = seat_brief(game, html=True)
    assert page.startswith("<!DOCTYPE html>") and "<h2>The calendar ahead</h2>" in page
    whole = seat_brief(Game(practice, "russia", seed=1, rounds=6))
    assert "You are russia's whole delegation" in whole and "adopt anti_terror_piracy_exercises or not" in whole


CHROMIUM = shutil.which("chromium")
PROJECTORS = [(1280, 720), (1024, 768)]


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium for a real browser: apt-get install chromium")
@pytest.mark.parametrize("page", ["debrief", "class", "brief"])
def test_the_pages_read_on_a_projector(page, played, debriefed, practice, tmp_path):
    """At 1280×720 and 1024×768 nothing is wider than the screen, no text is under 12 px and no figure is shown so
    much smaller than drawn that its smallest text falls under 10 px."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright: pip install playwright")
    from test_dashboard import CHROMIUM_ARGS

    if page == "debrief":
        path = debriefed / "debrief.html"
    elif page == "class":
        path = write_class_report(debriefed.parent, practice) / "class.html"
    else:
        path = tmp_path / "brief.html"
        path.write_text(seat_brief(played, html=True))
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for width, height in PROJECTORS:
            view = browser.new_page(viewport={"width": width, "height": height})
            view.goto(path.as_uri())
            found = view.evaluate(
                """() => ({
                "too wide": [...document.querySelectorAll("body *")]
                    .filter(e => e.getBoundingClientRect().right > innerWidth + 1 || e.scrollWidth > e.clientWidth + 1)
                    .map(e => e.tagName + " " + e.textContent.slice(0, 30)),
                "small text": [...document.querySelectorAll("p, li, td, th, h1, h2")]
                    .filter(e => parseFloat(getComputedStyle(e).fontSize) < 12).map(e => e.textContent.slice(0, 30)),
                "small figures": [...document.querySelectorAll("img")]
                    .filter(img => !img.naturalWidth || 9 / 72 * 120 * img.clientWidth / img.naturalWidth < 10)
                    .map(img => img.src),
            })"""
            )
            view.screenshot(path=SCREENSHOTS / f"negsim-{page}-{width}x{height}.png", full_page=True)
            assert found == {"too wide": [], "small text": [], "small figures": []}, (width, height)
        browser.close()


SCREENSHOTS = Path(tempfile.gettempdir())  # kept after the test, to look at


def negsim(argv: list[str], capsys) -> tuple[int, str, str]:
    """Run ``negsim argv`` in this process: its exit code (0 if it returned), standard output and error."""
    try:
        main(argv)
        code = 0
    except SystemExit as done:
        code = done.code
    out, err = capsys.readouterr()
    return code, out, err


def test_negsim_brief_prints_the_seats_brief_or_writes_its_page(played, tmp_path, capsys):
    code, out, _ = negsim(["brief", "tokyo_2013_practice", "japan.foreign", "seed=3"], capsys)
    assert code == 0 and out == seat_brief(played)
    page = tmp_path / "brief.html"
    code, out, _ = negsim(["brief", "tokyo_2013_practice", "japan.foreign", "seed=3", f"html={page}"], capsys)
    assert code == 0 and page.read_text() == seat_brief(played, html=True) and str(page) in out
    assert [p.name for p in tmp_path.iterdir()] == ["brief.html"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["japan.nope"], "seat: got 'japan.nope'; allowed: one of japan, japan.defence"),
        (["japan", "rounds=0"], "rounds: got 0; allowed: a whole number ≥ 1"),
        (["japan", "round=3"], "did you mean 'rounds'?"),
        (["japan", "3"], "negsim brief: got '3'; allowed: key=value with key one of html, rounds, seed"),
    ],
)
def test_negsim_brief_refuses_a_mistake_in_one_line(args, message, capsys):
    code, out, err = negsim(["brief", "tokyo_2013_practice", *args], capsys)
    assert code == 2 and out == "" and err.startswith("negsim: error: ") and len(err.splitlines()) == 1
    assert message in err


def test_negsim_class_writes_the_class_report_of_a_folder_of_debriefs(debriefed, tmp_path, capsys):
    code, out, _ = negsim(["class", str(debriefed.parent)], capsys)
    assert code == 0 and out == f"negsim: the class's games in {debriefed.parent / 'class' / 'class.html'}\n"
    code, out, err = negsim(["class", str(tmp_path)], capsys)
    assert code == 2 and "allowed: a folder of debriefs (sub-folders with a game.json)" in err
    assert list(tmp_path.iterdir()) == []
