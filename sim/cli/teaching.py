"""``negsim brief SCENARIO SEAT [rounds=N] [seed=S] [html=FILE]``: a seat's brief; ``negsim class FOLDER
[scenario=NAME]``: a class's debriefs side by side (docs/teaching.md)."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from sim.cli.errors import fail
from sim.model import schema
from sim.model.errors import ScenarioError, one_of

BRIEF_USAGE = """usage: negsim brief SCENARIO SEAT [rounds=N] [seed=S] [html=FILE]

A seat's brief, from what it knows before the first round: its role and what it decides, its priorities, confidence
and habits, its government and the other side's, what the other side is known to want (its public positions), the
talks and the calendar ahead. SEAT is a country (its whole delegation) or COUNTRY.MINISTRY (a ministry; a leader's
office is the ministry `leader`). rounds: the game's length (default 6, the practice's); seed: the game's seed (default
2013). Prints Markdown; html=FILE writes it as a page to print or project instead.

examples:
  negsim brief tokyo_2013_practice japan.foreign
  negsim brief tokyo_2013_practice russia html=brief-russia.html"""
BRIEF_OPTIONS = ("rounds", "seed", "html")

CLASS_USAGE = """usage: negsim class FOLDER [scenario=NAME]

A class's games side by side: reads the debriefs in FOLDER (each sub-folder with a game.json, as
sim.study.debrief.write_debrief writes them) and writes FOLDER/class/: class.html, outcomes.parquet and, per talks,
where each game's deal fell in the two sides' utility space. scenario: the games' scenario, a shipped name or a YAML
path (default: the one their game.json names).

example: negsim class debriefs/monday"""


def _options(command: str, words: list[str], allowed: tuple[str, ...]) -> dict:
    """``key=value`` words as a mapping of the ``allowed`` options, values read as YAML."""
    options = {}
    for word in words:
        key, sep, text = word.partition("=")
        if not sep:
            raise ScenarioError(command, word, f"key=value with key {one_of(allowed, key)}")
        schema.name(key, key, allowed)
        options[key] = yaml.safe_load(text) if text else None
    return options


def _usage(argv: list[str], usage: str, needed: int) -> None:
    if len(argv) < needed or argv[0] in ("-h", "--help"):
        print(usage)
        raise SystemExit(0 if argv and argv[0] in ("-h", "--help") else 2)


def brief(argv: list[str]) -> None:
    _usage(argv, BRIEF_USAGE, 2)
    from sim.io.atomic import write_text
    from sim.io.library import load_scenario
    from sim.model.agents.game import Game
    from sim.views.seat_brief import seat_brief

    try:
        options = _options("negsim brief", argv[2:], BRIEF_OPTIONS)
        game = Game(load_scenario(argv[0]), argv[1], seed=options.get("seed", 2013), rounds=options.get("rounds", 6))
        if "html" in options:
            path = Path(schema.text(options["html"], "html"))
            write_text(path, seat_brief(game, html=True))
            print(f"negsim: brief of {argv[1]} in {path}")
        else:
            print(seat_brief(game), end="")
    except ScenarioError as error:
        fail(error)


def class_report(argv: list[str]) -> None:
    _usage(argv, CLASS_USAGE, 1)
    from sim.io.library import load_scenario
    from sim.study.debrief import GAME_FILE, class_outcomes, write_class_report

    folder = Path(argv[0])
    try:
        options = _options("negsim class", argv[1:], ("scenario",))
        if "scenario" in options:
            scenario = options["scenario"]
        else:
            class_outcomes(folder)  # refuses a folder without debriefs
            scenario = json.loads(next(folder.glob(f"*/{GAME_FILE}")).read_text())["scenario"]
        out = write_class_report(folder, load_scenario(scenario))
    except ScenarioError as error:
        fail(error)
    print(f"negsim: the class's games in {out / 'class.html'}")
