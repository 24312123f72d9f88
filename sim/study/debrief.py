"""A game's debrief, and a class's: what the seat did, against what the agents do with the same scenario.

:func:`write_debrief` writes a folder for one game: ``debrief.html`` (the outcome; the seat's decisions beside the
rules'; its confidence round by round against the band of all-agent histories of the scenario and the agents in its
place with the same draws; the talks in the two sides' utility space; the votes at home; a counterfactual: the same
game replayed with one decision changed and what that changed), its tables (Parquet) and ``game.json`` (the game's
settings, choices and outcome). :func:`write_class_report` reads a class's folder of debriefs and sets their outcomes
side by side.
"""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sim.io.atomic import AtomicDir
from sim.io.run_output import write_run
from sim.model.agents.game import Game
from sim.model.agents.seat import RULES, Ask, Seat
from sim.model.errors import ScenarioError
from sim.model.plan.compiled import plan_for
from sim.model.record.result import RunResult
from sim.model.run import replicate_seeds, simulate, simulate_ensemble
from sim.model.scenario.specs import ScenarioSpec
from sim.views.pages import Section, Table, html_page
from sim.views.seat_figures import plot_seat_confidence, plot_settlements
from sim.views.talks_figures import plot_bargaining

BAND_SEEDS = 200  # all-agent histories the seat's confidence is set against
MAX_COUNTERPARTS = 4  # panels of the confidence figure
GAME_FILE = "game.json"


def write_debrief(
    game: Game, directory: str | Path, *, band: int = BAND_SEEDS, change: tuple[int, str] | None = None
) -> Path:
    """Write the debrief of a finished ``game`` into a new folder ``directory`` (or the first free name beside it);
    return it. ``band``: all-agent histories to compare with (seeds spawned from the game's); ``change``: the
    decision to change in the counterfactual and the choice to put instead (by default :func:`default_change`)."""
    if not game.over:
        raise ScenarioError("game", game, "a game played to the end (game.play() lets the rules take what is left)")
    seat, scenario = game.seats[0], game.scenario
    result = game.result()
    agents = simulate(scenario, seed=game.seed, rounds=game.rounds)
    ensemble = simulate_ensemble(scenario, replicate_seeds(game.seed, band), rounds=game.rounds)
    change = change if change is not None else default_change(game)
    replay = game.counterfactual(*change) if change is not None else None
    runs = {"your game": result, "the agents in your place (same draws)": agents}
    if replay is not None:
        runs[f"decision {change[0]} changed to {change[1]!r}"] = replay.result()
    panels = confidence_panels(seat, counterparts_of(scenario, seat), runs, ensemble)
    decisions, votes = decisions_table(game), votes_table(game)
    diff = differences(result, replay.result()) if replay is not None else None
    folder = AtomicDir(Path(directory), free=True)
    with folder as partial:
        departures = [d.question.round for d in game.decisions if d.departed]
        title = f"{seat.name}: confidence in the game, and what it would have been"
        _save(plot_seat_confidence(title, panels, departures), partial / "confidence.png")
        if scenario.talks:
            _save(plot_bargaining(result), partial / "bargaining.png")
        write_run(result, partial / "game", plot=False)
        if replay is not None:
            write_run(replay.result(), partial / "counterfactual", plot=False)
            diff.to_parquet(partial / "differences.parquet", index=False)
        decisions.to_parquet(partial / "decisions.parquet", index=False)
        votes.to_parquet(partial / "votes.parquet", index=False)
        summary = game_summary(game, result, agents, change, replay)
        (partial / GAME_FILE).write_text(json.dumps(summary, indent=2, ensure_ascii=False))
        sections = _debrief_sections(game, result, agents, decisions, votes, change, replay, diff, band)
        (partial / "debrief.html").write_text(html_page(f"Debrief: {seat.name} in {scenario.name}", sections))
    return folder.target


def _save(figure, path: Path) -> None:
    figure.savefig(path, dpi=120)
    plt.close(figure)


def default_change(game: Game) -> tuple[int, str] | None:
    """The decision a debrief changes by default: the seat's first departure from the rules, set to the rules'
    choice ("had you let your staff decide"); failing that, its first yes-or-no decision, set to the other option."""
    for k, d in enumerate(game.decisions):
        if d.departed:
            return k, d.rule
    for k, d in enumerate(game.decisions):
        if d.question.ask is not Ask.TABLE:
            return k, next(o.key for o in d.question.options if o.key not in (d.taken, RULES))
    return None


def counterparts_of(scenario: ScenarioSpec, seat: Seat) -> list[str]:
    """The countries the seat's country meets (its talks' parties first), at most :data:`MAX_COUNTERPARTS`."""
    met = [p for t in scenario.talks if seat.country in t.parties for p in t.parties]
    met += [c for e in scenario.calendar if seat.country in e.countries for c in e.countries]
    return [c for c in dict.fromkeys(met) if c != seat.country][:MAX_COUNTERPARTS]


def confidence_panels(seat: Seat, counterparts: list[str], runs: dict[str, RunResult], ensemble: RunResult) -> dict:
    """The confidence figure's panels: for each counterpart, the seat's confidence in it, and its confidence in the
    seat's country (shown after the game only), in each of ``runs`` (label → a run) and in ``ensemble``."""
    panels = {}
    for c, other in enumerate(counterparts):
        for label, measure in (
            (f"your confidence in {other}", seat_confidence),
            (f"{other}'s confidence in {seat.country}", their_confidence),
        ):
            lines = {name: measure(run, seat, counterparts)[0, :, c] for name, run in runs.items()}
            panels[label] = (lines, measure(ensemble, seat, counterparts)[:, :, c])
    return panels


def seat_confidence(result: RunResult, seat: Seat, counterparts: list[str]) -> np.ndarray:
    """(replicates, rounds + 1, counterparts): the seat's confidence in each counterpart after each round: its
    ministry's in the counterpart's ministries weighted by their influence (a country's seat: its country's)."""
    plan = result.plan
    if seat.ministry is None:
        pairs = result.country_pairs
        return result.confidence_cube[:, :, [pairs.index((seat.country, c)) for c in counterparts]]
    i = next(k for k, m in enumerate(plan.scenario.ministries) if m.key == seat.ministry)
    states = result.ministry_states  # (rounds + 1, R, M, M): a game records every round
    by_country = [states[:, :, i, plan.blocks[c]] @ plan.influence[plan.blocks[c]] for c in counterparts]
    return np.stack(by_country, axis=-1).transpose(1, 0, 2)


def their_confidence(result: RunResult, seat: Seat, counterparts: list[str]) -> np.ndarray:
    """(replicates, rounds + 1, counterparts): each counterpart's confidence in the seat's country."""
    pairs = result.country_pairs
    return result.confidence_cube[:, :, [pairs.index((c, seat.country)) for c in counterparts]]


def decisions_table(game: Game) -> pd.DataFrame:
    """One row per decision of the seats: when and where, what was asked, the choice, the rules' choice."""
    rows = [
        {
            "decision": k,
            "seat": q.seat,
            "round": q.round,
            "meeting": q.meeting,
            "ask": q.ask.value,
            "about": q.about,
            "counterpart": q.counterpart,
            "choice": d.choice,
            "taken": d.taken,
            "rules": d.rule,
            "departed": d.departed,
            "question": q.prompt,
        }
        for k, d in enumerate(game.decisions)
        for q in [d.question]
    ]
    columns = ["decision", "seat", "round", "meeting", "ask", "about", "counterpart", "choice", "taken", "rules"]
    return pd.DataFrame(rows, columns=[*columns, "departed", "question"])


def votes_table(game: Game) -> pd.DataFrame:
    """One row per vote at home on a deal agreed at the table: each ministry's, then its country's decision; what
    the deal was worth to the voter and what it demanded, and who decided (a seat, or the rules)."""
    rows = []
    for m in game.minutes:
        if m.ask in (Ask.SUPPORT, Ask.RATIFY):
            outcome = m.facts["outcome"]
            plan = game.model.plan.talks[m.about]
            terms = ", ".join(f"{k} {v}" for k, v in plan.terms(outcome).items())
            rows.append(
                {
                    "round": m.round,
                    "meeting": m.meeting,
                    "talks": m.about,
                    "deal": outcome + 1,
                    "terms": terms,
                    "country": m.country,
                    "voter": m.ministry or m.country,
                    "vote": m.choice,
                    "rules": m.rule,
                    "seat": m.seat,
                    "worth": m.facts.get("worth", np.nan),
                    "demand": m.facts.get("demand", np.nan),
                }
            )
    columns = ["round", "meeting", "talks", "deal", "terms", "country", "voter", "vote", "rules", "seat"]
    return pd.DataFrame(rows, columns=[*columns, "worth", "demand"])


def differences(played: RunResult, replayed: RunResult) -> pd.DataFrame:
    """Per table, the first round in which the two runs differ (None where they do not)."""
    rows = []
    for name, a in played.tables().items():
        b = replayed.tables()[name]
        first = None
        for r in sorted(set(a["round"]) | set(b["round"])):
            if not a[a["round"] == r].reset_index(drop=True).equals(b[b["round"] == r].reset_index(drop=True)):
                first = int(r)
                break
        rows.append({"table": name, "first_round": first})
    return pd.DataFrame(rows).astype({"first_round": "Int64"})


def outcome(result: RunResult) -> list[dict]:
    """Each talks' outcome: settled or not, when, on what (the deal's number and terms), its worth to each party,
    and how often a deal agreed at the table was rejected at home."""
    return [
        {
            "talks": t["talks"],
            "settled": t["settled"],
            "settled_round": t["settled_round"],
            "deal": int(result.settlement[t["talks"]][0]) + 1 if t["settled"] else None,
            "terms": t["terms"],
            "utility": dict(zip(t["parties"], t["utility"], strict=True)) if t["settled"] else None,
            "rejected_at_home": t["ratification_failures"],
            "sessions": t["sessions"],
        }
        for t in result.summary["talks"]
    ]


def game_summary(game: Game, result: RunResult, agents: RunResult, change, replay) -> dict:
    """What ``game.json`` holds: the game's settings, the seats' choices, and the outcomes of the game, of the agents
    in the seats' place and of the counterfactual."""
    return {
        "scenario": game.scenario.name,
        "seats": [s.name for s in game.seats],
        "seed": game.seed,
        "rounds": game.rounds,
        "decisions": [
            {
                "round": d.question.round,
                "ask": d.question.ask.value,
                "about": d.question.about,
                "choice": d.choice,
                "rules": d.rule,
            }
            for d in game.decisions
        ],
        "departures": sum(d.departed for d in game.decisions),
        "outcome": outcome(result),
        "agents": outcome(agents),
        "counterfactual": None
        if replay is None
        else {"decision": change[0], "choice": change[1], "outcome": outcome(replay.result())},
        "confidence": result.summary["confidence"],
    }


def _outcome_text(outcomes: list[dict]) -> str:
    parts = []
    for o in outcomes:
        if o["settled"]:
            terms = ", ".join(f"{k} {v}" for k, v in o["terms"].items())
            parts.append(f"{o['talks']} settled in round {o['settled_round']} on deal {o['deal']} ({terms})")
        else:
            rejected = f", {o['rejected_at_home']} deal(s) rejected at home" if o["rejected_at_home"] else ""
            parts.append(f"{o['talks']} not settled after {o['sessions']} sessions{rejected}")
    return "; ".join(parts) or "no talks"


def _debrief_sections(game, result, agents, decisions, votes, change, replay, diff, band) -> list[Section]:
    seat = game.seats[0].name
    departed = int(decisions["departed"].sum())
    sections = [
        Section(
            "The outcome",
            [
                f"Your game ({game.scenario.name}, seed {game.seed}, {game.rounds} rounds): "
                f"{_outcome_text(outcome(result))}.",
                f"The agents in your place, with the same draws: {_outcome_text(outcome(agents))}.",
                f"You took {len(decisions)} decisions and decided otherwise than the rules would have in {departed}.",
            ],
        ),
        Section(
            "Your confidence",
            [
                f"Your confidence round by round, against {band} all-agent histories of the same scenario (seeds "
                f"spawned from {game.seed}) and the agents in your place with the same draws."
            ],
            figure="confidence.png",
        ),
    ]
    if game.scenario.talks:
        sections.append(
            Section(
                "The talks in utility space",
                [
                    "Each outcome as its worth to each party; the line is the Pareto frontier, N and K the Nash and "
                    "Kalai–Smorodinsky solutions, the cross the status quo; rings the deals each home would ratify at "
                    "the end; circles the offers and squares the positions tabled, filled where accepted at the table."
                ],
                figure="bargaining.png",
            )
        )
    sections.append(
        Section(
            "Your decisions",
            table=Table(
                ["#", "round", "meeting", "decision", "about", "you chose", "the rules"],
                [[r.decision, r.round, r.meeting, r.ask, r.about, r.taken, r.rules] for r in decisions.itertuples()],
            ),
        )
    )
    sections.append(
        Section(
            "The votes at home",
            [
                "Each ministry's vote on a deal agreed at the table (what the deal was worth to it, what it demanded), "
                "then its country's decision."
            ]
            if len(votes)
            else ["No deal was agreed at the table."],
            table=Table(
                ["round", "deal", "voter", "vote", "the rules", "worth", "demand"],
                [[v.round, v.deal, v.voter, v.vote, v.rules, v.worth, v.demand] for v in votes.itertuples()],
            )
            if len(votes)
            else None,
        )
    )
    if replay is not None:
        index, choice = change
        q = game.decisions[index].question
        changed = diff.dropna()
        sections.append(
            Section(
                "What if",
                [
                    f"The same game, with the same draws, with decision {index} ({q.prompt}) answered {choice!r} "
                    f"instead of {game.decisions[index].taken!r}; the decisions before it as you took them, a question "
                    f"asked again later answered as you did, a new one as the rules would.",
                    f"Then: {_outcome_text(outcome(replay.result()))}.",
                    "It changed nothing." if not len(changed) else "What it changed, from which round:",
                ],
                table=Table(["table", "differs from round"], [[t.table, t.first_round] for t in changed.itertuples()])
                if len(changed)
                else None,
            )
        )
    sections.append(
        Section(
            "Files",
            items=[
                "game/: the game's tables (as `negsim run` writes them)",
                "decisions.parquet, votes.parquet: the tables above",
                *(
                    ["counterfactual/: its tables; differences.parquet: where they differ"]
                    if replay is not None
                    else []
                ),
                f"{GAME_FILE}: the game's settings, choices and outcome (a class report reads it)",
            ],
            notes=[f"Seat {seat}; negsim's debrief."],
        )
    )
    return sections


# A class ------------------------------------------------------------------------------------------------------------


def class_outcomes(folder: str | Path) -> pd.DataFrame:
    """One row per debrief in ``folder`` (each sub-folder with a ``game.json``): its seats, seed, and per talks
    whether it settled, when, on which deal, that deal's worth to each party, how many deals its homes rejected."""
    rows = []
    for path in sorted(Path(folder).glob(f"*/{GAME_FILE}")):
        game = json.loads(path.read_text())
        for o in game["outcome"]:
            row = {"game": path.parent.name, "scenario": game["scenario"], "seats": ", ".join(game["seats"])}
            row |= {"seed": game["seed"], "departures": game["departures"], "talks": o["talks"]}
            row |= {"settled": o["settled"], "settled_round": o["settled_round"], "deal": o["deal"]}
            row |= {f"utility.{p}": u for p, u in (o["utility"] or {}).items()}
            row |= {"rejected_at_home": o["rejected_at_home"], "sessions": o["sessions"]}
            rows.append(row)
    if not rows:
        raise ScenarioError("class folder", str(folder), f"a folder of debriefs (sub-folders with a {GAME_FILE})")
    return pd.DataFrame(rows)


def write_class_report(folder: str | Path, scenario: ScenarioSpec) -> Path:
    """The class's games side by side, in ``folder``/class (replaced if there): ``class.html``, ``outcomes.parquet``
    (:func:`class_outcomes`) and, per talks, the games' outcomes and where each game's deal fell in the two sides'
    utility space."""
    table = class_outcomes(folder)
    others = sorted(set(table["scenario"]) - {scenario.name})
    if others:
        raise ScenarioError(
            "class folder", str(folder), f"debriefs of {scenario.name} only (found {', '.join(others)})"
        )
    plans = plan_for(scenario).talks
    with AtomicDir(Path(folder) / "class", replace=True) as partial:
        table.to_parquet(partial / "outcomes.parquet", index=False)
        sections = []
        columns = [c for c in table.columns if c not in ("scenario", "talks")]
        header = [c.replace("utility.", "worth to ").replace("_", " ") for c in columns]
        for name, plan in plans.items():
            rows = table[table["talks"] == name]
            games = [(r.game, -1 if pd.isna(r.deal) else int(r.deal) - 1) for r in rows.itertuples()]
            _save(plot_settlements(plan, games), partial / f"{name}.png")
            settled = int(rows["settled"].sum())
            sections.append(
                Section(
                    name,
                    [
                        f"{settled} of {len(rows)} games settled; the talks broke in {len(rows) - settled} (no deal "
                        f"ratified by the end); deals rejected at home: {int(rows['rejected_at_home'].sum())}."
                    ],
                    table=Table(header, list(rows[columns].itertuples(index=False))),
                    figure=f"{name}.png",
                )
            )
        (partial / "class.html").write_text(html_page(f"The class's games: {scenario.name}", sections))
    return Path(folder) / "class"
