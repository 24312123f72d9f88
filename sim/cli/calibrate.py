"""``negsim calibrate``: compose a calibration with Hydra, run ABC-SMC, print each generation and where it went.

A calibration is a Hydra config (``conf/calibration/NAME.yaml``, or any YAML file) whose ``defaults`` choose the base
scenario from ``conf/scenario/``; the command line overrides it in Hydra's grammar, as ``negsim run`` does
(``population=100``, ``scenario.shock_scale=0.4``, ``+priors.scenario.drift=[0,0.1]``, ``~priors.scenario.x``).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from sim.cli.errors import fail, require_extra
from sim.cli.overrides import composed, config_argument, config_file
from sim.io.library import config_dir
from sim.io.places import output_place
from sim.model.errors import ScenarioError, one_of
from sim.study.calibration.config import DEFAULTS, Calibration, available_calibrations, parse_calibration
from sim.study.limits import check_workers

USAGE = """usage: negsim calibrate config=NAME [overrides …]
       negsim calibrate check config=NAME cases=N [overrides …]

Calibration to event data with ABC-SMC (pyabc): which values of the scenario's parameters (uniform priors) make
histories whose acts look like an observed event record, reduced per directed country pair to the Goldstein total and
counts of cooperative and conflictual acts per period, and the count and timing of each kind of act (CAMEO code).
NAME is a calibration in conf/calibration/ ({names}) or a YAML file. Needs the calibrate extra:
pip install -e '.[calibrate]'.

overrides, in Hydra's grammar as for negsim run:
  population=100 generations=3 replicates=10 period=4 workers=2 seed=7   sampler settings
  observed=events.csv +actors.JAPAN=japan                                the record and its actor names
  scenario.shock_scale=0.4                                               a fixed value of the base scenario
  priors.scenario.ministry_defaults.trust_gain=[0.05,0.3]                new bounds for a parameter
  +priors.scenario.ministry_defaults.drift=[0,0.1]                       add a parameter (+: a key not in the file)
  ~priors.scenario.ministry_defaults.trust_loss                          drop a parameter

Writes output_dir (default outputs/calibration/NAME): posterior.parquet, intervals.parquet, generations.parquet,
marginals.parquet, predictive.parquet, observed.parquet, posterior_pairs.png, predictive.png, diagnostics.png,
calibration.yaml (with what ran and its warnings under `run`), pyabc.db and scenario/<scenario>_calibrated.yaml
(negsim run --config-dir DIR scenario=<scenario>_calibrated). Warnings (negsim: warning: …) say when a posterior
should not be believed as it stands.

check: N recoveries of values drawn from the priors, each its own generated history and seed, calibrated as
configured: how often each parameter's 50% and 90% intervals hold the hidden value, their mean widths, and a rank
histogram (simulation-based calibration). Writes output_dir with _check: check.parquet, coverage.parquet, check.png,
check.yaml and cases/."""


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
    settings = [f"++{o}" if o.partition("=")[0] in DEFAULTS else o for o in overrides]  # written in the file or not
    raw = composed(directory, primary, settings, selection=selection, job="calibrate")
    check_workers(raw.get("workers", DEFAULTS["workers"]))  # the bound every command's workers have
    calibration = parse_calibration(raw, Path(config).stem)
    output_place(calibration.output_dir, "output_dir")
    return calibration


def main(argv: list[str]) -> None:
    """``negsim calibrate [check] config=NAME [cases=N] [overrides…]``: run a calibration, one line per generation,
    or check one by recoveries."""
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE.format(names=", ".join(available_calibrations())))
        raise SystemExit(0 if argv else 2)
    checking = argv[0] == "check"
    try:
        config, overrides = config_argument(argv[checking:], available_calibrations())
        if checking:
            cases, overrides = _cases(overrides)
        calibration = load_calibration(config, overrides)
        require_extra("calibrate")
        from sim.study.calibration.abc import calibrate
        from sim.study.calibration.check import check, summary_lines

        started = time.perf_counter()
        if checking:
            out = check(calibration, cases, progress=_say)
        else:
            out = calibrate(calibration, progress=_say, warn=_warn)
    except ScenarioError as error:
        fail(error)
    if checking:
        for line in summary_lines(pd.read_parquet(out / "coverage.parquet")):
            print(line)
        print(f"negsim: {cases} recoveries of {calibration.name} took {time.perf_counter() - started:.1f} s; {out}")
        return
    intervals = pd.read_parquet(out / "intervals.parquet")
    for row in intervals.itertuples():
        print(f"{row.parameter}: median {row.median:.4g}, 90% interval [{row.low:.4g}, {row.high:.4g}]")
    name = next((out / "scenario").glob("*.yaml")).stem
    print(f"negsim: {calibration.name} took {time.perf_counter() - started:.1f} s; outputs in {out}")
    print(f"negsim: run the calibrated scenario: negsim run --config-dir {out} scenario={name}")


def _say(line: str) -> None:
    print(f"negsim: {line}", flush=True)


def _warn(line: str) -> None:
    print(f"negsim: warning: {line}", file=sys.stderr, flush=True)


def _cases(arguments: list[str]) -> tuple[int, list[str]]:
    """``check``'s one ``cases=N`` (N ≥ 1) and the other arguments."""
    given = [a for a in arguments if a.startswith("cases=")]
    if len(given) != 1:
        raise ScenarioError("cases", [a.partition("=")[2] for a in given], "one cases=N, N recoveries (N ≥ 1)")
    value = given[0].partition("=")[2]
    if not value.isdigit() or int(value) < 1:
        raise ScenarioError("cases", value, "a whole number of recoveries, at least 1")
    return int(value), [a for a in arguments if a not in given]
