"""``negsim sensitivity``: compose a study with Hydra, run it, print its ranking.

A study is a Hydra config (``conf/sensitivity/NAME.yaml``, or any YAML file): its ``defaults`` choose the base scenario
from ``conf/scenario/``, and the command line overrides it in Hydra's grammar, as ``negsim run`` and ``negsim sweep``
do (``samples=64``, ``scenario.shock_scale=0.4``, ``scenario=shared_threat``, ``+parameters.scenario.drift=[0,0.1]``,
``~parameters.scenario.shock_scale``).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path

from sim.cli.errors import fail
from sim.cli.overrides import composed, config_argument, config_file
from sim.io.library import config_dir
from sim.model.errors import ScenarioError, one_of
from sim.study.sensitivity.evaluate import IncompleteStudy
from sim.study.sensitivity.report import run_study
from sim.study.sensitivity.study import Study, available_studies, parse_study

USAGE = """usage: negsim sensitivity config=NAME [overrides …]

Global sensitivity analysis: which scenario parameters drive settlement and confidence (SALib: Morris screening or
Sobol' indices). Each sample runs as a sweep cell, an ensemble of replicates with the same seeds in every sample.
NAME is a study in conf/sensitivity/ ({studies}) or a YAML file (e.g. a finished study's analysis/study.yaml).

overrides, in Hydra's grammar as for negsim run and sweep:
  samples=64 replicates=100 workers=2 rounds=80         study settings
  scenario.shock_scale=0.4                              a fixed value of the base scenario
  scenario=shared_threat                                another base scenario
  parameters.scenario.shock_scale=[0.2,0.8]             new bounds for a parameter
  +parameters.scenario.ministry_defaults.drift=[0,0.1]  add a parameter (+: a key not in the study)
  ~parameters.scenario.shock_scale                      drop a parameter

Writes output_dir (default outputs/sensitivity/NAME): cells/ (resumable) and analysis/ (indices, ranking, plots)."""


def _composition(config: str) -> tuple[Path, str, list[str]]:
    """Where to compose a study from: (config directory, primary config, overrides that select the study).

    A shipped study is ``conf/study.yaml`` with ``sensitivity=NAME``; a YAML file is a primary config of its own, which
    may choose its base scenario from ``conf/scenario/`` (``defaults: [{/scenario@scenario: NAME}, _self_]``).
    """
    if file := config_file(config, "study"):
        return file
    names = available_studies()
    if config not in names:
        raise ScenarioError("config", config, f"a YAML file or a shipped study: {one_of(names, config)}")
    return config_dir(), "study", [f"sensitivity={config}"]


def load_study(config: str, overrides: Sequence[str] = ()) -> Study:
    """A checked study from a shipped name (``"tokyo_sobol"``) or a YAML file, with Hydra overrides applied."""
    directory, primary, selection = _composition(config)
    raw = composed(directory, primary, overrides, selection=selection, job="sensitivity")
    return parse_study(raw, Path(config).stem)


def main(argv: list[str]) -> None:
    """``negsim sensitivity config=NAME [overrides…]``: run a study and print its ranking."""
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE.format(studies=", ".join(available_studies())))
        raise SystemExit(0 if argv else 2)
    try:
        study = load_study(*config_argument(argv, available_studies()))
        started = time.perf_counter()
        out = run_study(study)
    except ScenarioError as error:
        fail(error)
    except IncompleteStudy as error:
        print(f"negsim: error: {error}", file=sys.stderr)
        raise SystemExit(1) from None
    print((out / "ranking.txt").read_text(), end="")
    print(f"negsim: {study.name} took {time.perf_counter() - started:.1f} s; analysis in {out}")
