"""The decade as data and as a replay: the record's events are the scenario's, and the replay tells the decade as the
experiment's README says (experiments/decade_replay): its every figure is computed again here."""

from __future__ import annotations

import copy
import importlib.util
import re
from pathlib import Path

import pytest

from sim import load_scenario, read_events
from sim.io.library import scenario_data
from sim.model.plan.talks import TalksPlan
from sim.model.scenario.specs import ScenarioSpec

ROOT = Path(__file__).resolve().parents[1]
RECORD = ROOT / "sim" / "data" / "japan_russia_2013_2022.csv"
ACTORS = {
    "JAPAN": "japan",
    "RUSSIA": "russia",
    "JAPANESE PRIME MINISTER": "japan.leader",
    "RUSSIAN PRESIDENT": "russia.leader",
    "JAPANESE FOREIGN MINISTRY": "japan.foreign",
    "RUSSIAN FOREIGN MINISTRY": "russia.foreign",
    "RUSSIAN MILITARY": "russia.defence",
    "RUSSIAN GOVERNMENT": "russia",
    "UKRAINE": "ukraine",
}
README = (ROOT / "experiments" / "decade_replay" / "README.md").read_text()


@pytest.fixture(scope="module")
def replayed():
    spec = importlib.util.spec_from_file_location("replay", ROOT / "experiments" / "decade_replay" / "replay.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.numbers(1000)[0]


def test_every_row_of_the_record_reads_and_names_its_source():
    rows = read_events(RECORD, ACTORS)
    assert len(rows) > 80
    text = RECORD.read_text()
    assert all(line.count(",") >= 7 for line in text.splitlines()[1:])  # a reference on every row


def test_the_scenario_replays_the_records_events():
    """Rows of kind event or change are the scenario's events, in order, with the same codes, weights and notes."""
    import csv

    kinds = [r["kind"] for r in csv.DictReader(RECORD.open())]
    record = [e for e, k in zip(read_events(RECORD, ACTORS), kinds, strict=True) if k in ("event", "change")]
    events = scenario_data("tokyo_2013_decade")["events"]
    assert [(e["date"], e["source"], e["target"], e["cameo"], e["note"]) for e in events] == [
        (e["date"], e["source"], e["target"], e["cameo"], e["note"]) for e in record
    ]
    assert [e.get("weight", 1.0) for e in events] == [e.get("weight", 1.0) for e in record]


def test_the_decade_builds_on_tokyo_2013():
    decade, base = load_scenario("tokyo_2013_decade"), load_scenario("tokyo_2013")
    assert [c.name for c in decade.countries] == [c.name for c in base.countries]
    assert decade.talks == base.talks and decade.calendar_start == base.calendar_start
    assert decade.ministries[0].behaviour.memory == 0.02 and base.ministries[0].behaviour.memory == 0.0


def test_the_replay_tells_the_decade_as_the_readme_says(replayed):
    assert replayed["course_holds"], [s for s in replayed["course"] if not s["holds"]]
    assert replayed["settled_by_2022"] <= 0.05
    settled = round(replayed["settled_by_2022"] * replayed["replicates"])
    assert f"{settled} of 1,000 histories reach a ratified settlement" in README
    labels = list(replayed["confidence"]["japan->russia"])
    rows = [line for line in README.splitlines() if re.match(r"\| (the first|[A-Z][a-z]+ 20\d\d)", line)]
    assert len(rows) == len(labels)
    for label, line in zip(labels, rows, strict=True):
        japan, russia = (float(x) for x in line.strip("| ").split(" | ")[1:])
        assert (japan, russia) == (
            replayed["confidence"]["japan->russia"][label],
            replayed["confidence"]["russia->japan"][label],
        )
    before, after = (
        replayed["confidence"]["russia->japan"]["before Crimea"],
        replayed["confidence"]["russia->japan"]["after the sanctions"],
    )
    assert f"({before:.3f} → {after:.3f})" in README


def test_the_values_before_opened_a_zone_history_never_saw(tokyo_dict):
    """The README's figure for the values shipped before: the pair and Kunashiri under a lease-back with no foreign
    bases and major investment was worth 0.70 to Russia's leader, against 0.50 for the status quo."""
    old = copy.deepcopy(tokyo_dict)
    old["countries"]["russia"]["ministries"]["leader"]["priorities"] |= {
        "islands": 4,
        "security_guarantee": 3,
        "economic_package": 3,
    }
    dims = old["talks"]["peace_treaty"]["dimensions"]
    dims["islands"]["values"]["russia"] = [1.0, 0.8, 0.55, 0.1, 0.0]
    for dim in dims.values():
        dim.pop("applies_when", None)
    scenario = ScenarioSpec.from_dict(old)
    countries = {c.name: c for c in scenario.countries}
    talks = TalksPlan(scenario.talks[0], (countries["japan"], countries["russia"]), (slice(0, 3), slice(3, 6)))
    package = {
        "islands": "pair_plus_kunashiri",
        "transfer_terms": "lease_back",
        "security_guarantee": "no_foreign_bases",
        "economic_package": "major_investment",
    }
    x = next(i for i in range(len(talks.grid)) if talks.terms(i) == package)
    leader = talks.parties[1].ministry_utility[0]
    assert (round(leader[x], 2), round(leader[talks.status_quo], 2)) == (0.70, 0.50)
    assert "(0.70 against 0.50 for the status quo)" in re.sub(r"\s+", " ", README)
