"""``negsim sensitivity``: run a sensitivity study and print its ranking."""

from __future__ import annotations

import sys
import time

from sim.cli.errors import fail
from sim.model.errors import ScenarioError, one_of
from sim.study.sensitivity.evaluate import IncompleteStudy
from sim.study.sensitivity.report import run_study
from sim.study.sensitivity.study import available_studies, load_study

USAGE = """usage: negsim sensitivity config=NAME [key=value …]

Global sensitivity analysis: which scenario parameters drive settlement and confidence (SALib: Morris screening or
Sobol' indices). Each sample runs as a sweep cell, an ensemble of replicates with the same seeds in every sample.
NAME is a study in conf/sensitivity/ ({studies}) or a YAML file.

overrides:  samples=64 replicates=100 workers=2 rounds=80         study settings
            scenario.shock_scale=0.4                              a fixed value of the base scenario
            parameters.scenario.shock_scale=[0.2,0.8]             new bounds for a parameter
            +parameters.scenario.ministry_defaults.drift=[0,0.1]  add a parameter (+: a key not in the file)
            ~parameters.scenario.shock_scale                      drop a parameter

Writes output_dir (default outputs/sensitivity/NAME): cells/ (resumable) and analysis/ (indices, ranking, plots)."""


def main(argv: list[str]) -> None:
    """``negsim sensitivity config=NAME [overrides…]``: run a study and print its ranking."""
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE.format(studies=", ".join(available_studies())))
        raise SystemExit(0 if argv else 2)
    configs = [a for a in argv if a.startswith("config=")]
    try:
        if len(configs) != 1:
            studies = one_of(available_studies(), None)
            raise ScenarioError("config", [c.partition("=")[2] for c in configs], f"one config=NAME, NAME {studies}")
        study = load_study(configs[0].partition("=")[2], [a for a in argv if a not in configs])
        started = time.perf_counter()
        out = run_study(study)
    except ScenarioError as error:
        fail(error)
    except IncompleteStudy as error:
        print(f"negsim: error: {error}", file=sys.stderr)
        raise SystemExit(1) from None
    print((out / "ranking.txt").read_text(), end="")
    print(f"negsim: {study.name} took {time.perf_counter() - started:.1f} s; analysis in {out}")
