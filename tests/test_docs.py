"""Every ``negsim …`` command in the code blocks of README.md and docs/*.md runs and exits 0, in the order the pages
give them (a later command may read what an earlier one wrote: ``negsim plot multirun/NAME`` after its sweep), in a
fresh working directory. Commands that would take minutes run scaled down (:data:`SCALED`, each with its reason);
every other command runs exactly as written.
"""

from __future__ import annotations

import csv
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
TIMEOUT = 600  # seconds for one command, scaled
BLOCK = re.compile(r"^```[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)

SCALED = [  # (words a command holds, overrides that replace or join its own, why)
    (
        {"sweep", "experiment=settlement_discovery"},
        ["design.samples=40", "sweep.replicates=10"],
        "300 points × 200 replicates × 120 rounds: 4–12 minutes; 40 points still give PRIM both outcomes",
    ),
    ({"sweep", "design=lhs"}, ["design.samples=8", "sweep.replicates=10"], "200 points × 200 replicates: minutes"),
    ({"sweep", "experiment=confidence_concession"}, ["sweep.replicates=20"], "24 cells × 10,000 replicates: 3–5 min"),
    ({"sweep", "experiment=guarantee_vs_islands"}, ["sweep.replicates=20"], "25 cells × 10,000 replicates: 3–5 min"),
    ({"sweep", "experiment=shock_recovery"}, ["sweep.replicates=20"], "12 cells × 10,000 replicates: about 2 min"),
    ({"sensitivity", "config=tokyo_morris"}, ["samples=2", "replicates=10"], "360 samples × 100 replicates"),
    ({"sensitivity", "config=tokyo_sobol"}, ["samples=2", "replicates=10"], "768 samples × 100 replicates"),
    (
        {"calibrate"},
        ["population=20", "generations=1", "predictive=5"],
        "200 particles × 5 generations and 100 predictive draws: minutes",
    ),
]
RECORD = "events.csv"  # the reader's own event record in `negsim calibrate … observed=events.csv +actors.JAPAN=japan`
DEBRIEFS = "debriefs/monday"  # the class's folder of debriefs in `negsim class debriefs/monday`


def commands() -> list[list[str]]:
    """The negsim commands of the pages' code blocks, in order, each once: lines continued with a backslash joined,
    comments dropped, ``a && b`` as two commands."""
    found: list[list[str]] = []
    for page in PAGES:
        for block in BLOCK.findall(page.read_text(encoding="utf-8")):
            for line in block.replace("\\\n", " ").splitlines():
                for part in line.split("&&"):
                    if part.split()[:1] != ["negsim"]:  # prose in a block (a tree, an output) need not parse as shell
                        continue
                    words = shlex.split(part, comments=True)
                    if words not in found:
                        found.append(words)
    return found


def scaled(words: list[str]) -> list[str]:
    """A command with the overrides of the first :data:`SCALED` rule it matches (an override given replaces the
    command's value of its key)."""
    for needed, overrides, _ in SCALED:
        if needed <= set(words):
            keys = {o.split("=", 1)[0] for o in overrides}
            return [w for w in words if w.split("=", 1)[0] not in keys] + overrides
    return words


def write_record(folder: Path) -> None:
    """An event record of one's own, as the calibration's example reads it: the shipped generated record with its
    actors named JAPAN and RUSSIA (countries, not ministries)."""
    with open(ROOT / "conf" / "calibration" / "tokyo_2013_generated.csv", newline="") as shipped:
        rows = list(csv.DictReader(shipped))
    with open(folder / RECORD, "w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(r | {k: r[k].split(".")[0].upper() for k in ("source", "target")} for r in rows)


def test_the_pages_give_the_commands_this_test_runs():
    found = [" ".join(c) for c in commands()]
    assert len(found) >= 30 and "negsim run" in found and "negsim --help" in found
    assert any(c.startswith("negsim discover multirun/settlement_discovery") for c in found)  # after an &&
    assert any("+design.ranges.scenario.talks.peace_treaty.horizon=[10,50]" in c for c in found)  # continued lines
    unmatched = [rule for rule in SCALED if not any(rule[0] <= set(c) for c in commands())]
    assert unmatched == [], "a scaling rule that no command of the docs uses any more"


def write_debriefs(folder: Path) -> None:
    """A class's folder of debriefs, as `negsim class` reads it: two students' games of the practice scenario, one
    letting the rules decide, one breaking every promise."""
    from sim import Game, load_scenario, write_debrief
    from sim.model.agents.seat import RULES, Ask

    def breaks(question):
        return "break" if question.ask is Ask.CARRY_OUT else RULES

    practice = load_scenario("tokyo_2013_practice")
    for name, policy in (("anna", lambda question: RULES), ("ben", breaks)):
        game = Game(practice, "japan.foreign", seed=3, rounds=6)
        game.play(policy)
        write_debrief(game, folder / DEBRIEFS / name, band=10)


@pytest.mark.slow
def test_every_command_in_the_docs_runs(tmp_path):
    write_record(tmp_path)
    write_debriefs(tmp_path)
    failed = []
    for words in commands():
        done = subprocess.run(
            [sys.executable, "-m", "sim", *scaled(words)[1:]],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
        if done.returncode != 0:
            failed.append(f"{shlex.join(words)} → exit {done.returncode}: {done.stderr.strip()[-500:]}")
    assert failed == [], "\n".join(failed)
