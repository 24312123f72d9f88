"""``negsim discover SWEEP_DIR outcome=COLUMN [threshold=X] [below=true] [min_density=0.8] [name=NAME]``: scenario
discovery."""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from sim.cli.errors import fail, require_extra
from sim.io.places import output_place
from sim.model import schema
from sim.model.errors import ScenarioError, one_of

USAGE = """usage: negsim discover SWEEP_DIR outcome=COLUMN [threshold=X] [below=true] [min_density=0.8] [name=NAME]

Scenario discovery: where in a sweep's input space does an outcome hold? PRIM (Friedman & Fisher) peels the swept
values down to a box where the outcome holds in at least min_density of the samples; a CART tree is a second view.
COLUMN is a column of SWEEP_DIR/aggregate/cells.parquet (one sample per cell, e.g. settlement_probability) or of
replicates.parquet (one sample per replicate, e.g. shock_recovery_rounds.japan.russia); it holds where it is at least
threshold (at most, with below=true), or where it is true for a true/false column. The inputs are the keys the
sweep swept (a grid's and a sampled design's), as its grid.json records them.

examples:
  negsim discover multirun/confidence_concession outcome=settlement_probability threshold=0.5
  negsim discover multirun/shock_recovery outcome=shock_recovery_rounds.japan.russia threshold=12 below=true
  negsim discover multirun/settlement_discovery outcome=settlement_probability threshold=0.5 below=true name=no_deal

Writes SWEEP_DIR/discovery/NAME/ (NAME: the outcome unless given): boxes.json, box.csv, trajectory.csv, cart.csv,
peeling.png, box.png.
Needs the discover extra: pip install -e '.[discover]'."""
OPTIONS = ("outcome", "threshold", "below", "min_density", "name")


def _options(words: list[str]) -> dict:
    """``key=value`` words as a mapping of the known options, values read as YAML."""
    options = {}
    for word in words:
        key, sep, text = word.partition("=")
        if not sep:
            raise ScenarioError("negsim discover", word, f"key=value with key {one_of(OPTIONS, key)}")
        schema.name(key, key, OPTIONS)
        options[key] = yaml.safe_load(text) if text else None
    return options


def main(argv: list[str]) -> None:
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE)
        raise SystemExit(0 if argv else 2)
    sweep, options = Path(argv[0]), None
    try:
        options = _options(argv[1:])
        outcome = schema.text(schema.require(options, "outcome", "negsim discover"), "outcome")
        threshold = options.get("threshold")
        threshold = None if threshold is None else schema.number(threshold, "threshold")
        below = options.get("below", False)
        if not isinstance(below, bool):
            raise ScenarioError("below", below, "true or false")
        min_density = schema.number(options.get("min_density", 0.8), "min_density", 0.0, 1.0)
        name = schema.identifier(options["name"], "name") if "name" in options else outcome
        out = output_place(sweep / "discovery" / name, "name")  # before the work: the folder it is written to
        require_extra("discover")
        from sim.study.discovery import discover, read_sweep, write_discovery

        table, inputs = read_sweep(sweep, outcome)
        found = discover(table, inputs, outcome, threshold=threshold, below=below, min_density=min_density)
        out = write_discovery(found, out)
    except ScenarioError as error:
        fail(error)
    chosen = found.summary()["chosen"]
    if not found.reached:
        print(
            f"negsim: warning: no peeling step reaches min_density={min_density:g}; the box is the densest step "
            f"({chosen['density']:.0%}): lower min_density, or sweep more points",
            file=sys.stderr,
        )
    print(
        f"negsim: where {found.rule}: {chosen['density']:.0%} of the samples in the box, "
        f"{chosen['coverage']:.0%} of all such samples covered, {chosen['mass']:.0%} of all samples"
    )
    for r in found.box.itertuples():
        print(f"  {r.parameter}: {r.low:g} … {r.high:g}")
    print(f"negsim: discovery in {out}")
