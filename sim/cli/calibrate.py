"""``negsim calibrate``: compose a calibration with Hydra, run ABC-SMC, print each generation and where it went.

A calibration is a Hydra config (``conf/calibration/NAME.yaml``, or any YAML file) whose ``defaults`` choose the base
scenario from ``conf/scenario/``; the command line overrides it in Hydra's grammar, as ``negsim run`` does
(``population=100``, ``scenario.shock_scale=0.4``, ``+priors.scenario.drift=[0,0.1]``, ``~priors.scenario.x``).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from sim.cli.errors import fail, require_extra
from sim.cli.overrides import composed, config_argument, config_file
from sim.io.library import config_dir
from sim.model.errors import ScenarioError, one_of
from sim.study.calibration.config import Calibration, available_calibrations, parse_calibration

USAGE = """usage: negsim calibrate config=NAME [overrides …]

Calibration to event data with ABC-SMC (pyabc): which values of the scenario's parameters (uniform priors) make
histories whose acts look like an observed event record, reduced to Goldstein totals and counts of cooperative and
conflictual acts per period and directed country pair. NAME is a calibration in conf/calibration/ ({names}) or a YAML
file. Needs the calibrate extra: pip install -e '.[calibrate]'.

overrides, in Hydra's grammar as for negsim run:
  population=100 generations=3 replicates=10 period=4 workers=2 seed=7   sampler settings
  observed=events.csv +actors.JAPAN=japan                                the record and its actor names
  scenario.shock_scale=0.4                                               a fixed value of the base scenario
  priors.scenario.ministry_defaults.trust_gain=[0.05,0.3]                new bounds for a parameter
  +priors.scenario.ministry_defaults.drift=[0,0.1]                       add a parameter (+: a key not in the file)
  ~priors.scenario.ministry_defaults.trust_loss                          drop a parameter

Writes output_dir (default outputs/calibration/NAME): posterior.parquet, intervals.parquet, generations.parquet,
predictive.parquet, observed.parquet, posterior_pairs.png, predictive.png, calibration.yaml, pyabc.db and
scenario/<scenario>_calibrated.yaml (negsim run --config-dir DIR scenario=<scenario>_calibrated)."""


def _composition(config: str) -> tuple[Path, str, list[str]]:
    """(config directory, primary config, extra overrides): a shipped calibration ``calibration/NAME`` from conf/, or a
    YAML file as a primary config of its own (which may name its scenario: ``defaults: [/scenario@scenario: NAME]``)."""
    if file := config_file(config, "calibration"):
        return file
    names = available_calibrations()
    if config not in names:
        raise ScenarioError("config", config, f"a YAML file or a shipped calibration: {one_of(names, config)}")
    return config_dir(), f"calibration/{config}", []


def load_calibration(config: str, overrides: Sequence[str] = ()) -> Calibration:
    """A checked calibration from a shipped name (``"tokyo_2013"``) or a YAML file, with Hydra overrides applied."""
    directory, primary, selection = _composition(config)
    raw = composed(directory, primary, overrides, selection=selection, job="calibrate")
    return parse_calibration(raw, Path(config).stem)


def main(argv: list[str]) -> None:
    """``negsim calibrate config=NAME [overrides…]``: run a calibration, one line per generation."""
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE.format(names=", ".join(available_calibrations())))
        raise SystemExit(0 if argv else 2)
    try:
        calibration = load_calibration(*config_argument(argv, available_calibrations()))
        require_extra("calibrate")
        from sim.study.calibration.abc import calibrate

        started = time.perf_counter()
        out = calibrate(calibration, progress=lambda line: print(f"negsim: {line}", flush=True))
    except ScenarioError as error:
        fail(error)
    intervals = pd.read_parquet(out / "intervals.parquet")
    for row in intervals.itertuples():
        print(f"{row.parameter}: median {row.median:.4g}, 90% interval [{row.low:.4g}, {row.high:.4g}]")
    name = next((out / "scenario").glob("*.yaml")).stem
    print(f"negsim: {calibration.name} took {time.perf_counter() - started:.1f} s; outputs in {out}")
    print(f"negsim: run the calibrated scenario: negsim run --config-dir {out} scenario={name}")
