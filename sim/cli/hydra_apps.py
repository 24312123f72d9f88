"""Hydra applications behind the ``negsim`` commands.

The simulation core knows nothing of Hydra: these functions turn a composed config into plain values, call the core
and report. ``run_app`` runs one scenario; ``sweep_app`` is the job of a multirun, one sweep cell per job, and
:class:`SweepCallback` starts the workers when the multirun starts and aggregates the cells when it ends.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf

from sim.cli.errors import fail
from sim.cli.settings import before_run, rounds_bar
from sim.cli.summary import run_summary
from sim.io.library import config_dir, load_scenario
from sim.io.run_output import write_run
from sim.model.errors import ScenarioError
from sim.model.run import simulate
from sim.study.aggregate import SweepReport, aggregate
from sim.study.cells import CellOutcome
from sim.study.executor import Executor
from sim.study.pipeline import CellPipeline, start_cell
from sim.study.sweep_plots import draw_sweep_plots

CONFIG_DIR = str(config_dir())
NOT_SWEPT = ("sweep.", "hydra.", "experiment")
LAST_SWEEP: list[SweepReport] = []  # the report of the multirun that ended last in this process
_executors: dict[tuple, Executor] = {}


@hydra.main(config_path=CONFIG_DIR, config_name="config", version_base="1.3")
def run_app(cfg: DictConfig) -> None:
    """Run one scenario and write its run directory."""
    config = OmegaConf.to_container(cfg, resolve=True)
    try:
        scenario = load_scenario(config["scenario"])
        before_run(scenario, config["rounds"], config["record"]["ministry_every"])
        result = simulate(
            scenario,
            seed=config["seed"],
            rounds=config["rounds"],
            ministry_every=config["record"]["ministry_every"],
            progress=rounds_bar,
        )
    except ScenarioError as error:
        fail(error)
    out = write_run(result, config["output_dir"], config=config, plot=bool(config["plot"]))
    print("\n".join(run_summary(result.summary, out, list(HydraConfig.get().overrides.task))))


def _executor(sweep: dict) -> Executor:
    """One executor per setting for the whole multirun, so that worker processes are started once."""
    key = (sweep["workers"], sweep["backend"], sweep["address"])
    if key not in _executors:
        _executors[key] = Executor(*key)
    return _executors[key]


class _Multirun:
    """What the multirun's own process keeps between jobs: the cells started and not yet finished, and where the
    time went. Jobs run in processes of their own (joblib, submitit launchers) find none and finish their cell."""

    def __init__(self):
        self.cells = CellPipeline()
        self.started = time.time()
        self.in_jobs = 0.0  # seconds inside sweep_app

    def timing(self, **ends: float) -> dict[str, float]:
        """Seconds from the multirun's start: in the jobs, in Hydra (composing and launching them), and in each of
        the ``ends`` (finishing the last cells, aggregating, plotting)."""
        total = time.time() - self.started
        return {"total": total, "jobs": self.in_jobs, "hydra": total - self.in_jobs - sum(ends.values()), **ends}


_multirun: _Multirun | None = None


def _swept_values(cfg: DictConfig) -> dict[str, Any]:
    """The values this job's overrides set (``scenario.…``, ``seed``, experiment knobs), for the aggregate's columns;
    a config group's value is the option chosen (``scenario=shared_threat``)."""
    hydra_config = HydraConfig.get()
    keys = [o.split("=", 1)[0].lstrip("+~") for o in hydra_config.overrides.task]
    choices = hydra_config.runtime.choices
    return {k: choices[k] if k in choices else OmegaConf.select(cfg, k) for k in keys if not k.startswith(NOT_SWEPT)}


@hydra.main(config_path=CONFIG_DIR, config_name="config", version_base="1.3")
def sweep_app(cfg: DictConfig) -> None:
    """One sweep cell: the resolved scenario run as an ensemble of replicates, written under ``cells/<hash>/``.

    In the multirun's own process the cell's batches are queued and the job returns once the previous cell is
    written, so the workers keep running while Hydra sets up the next job.
    """
    entered = time.time()
    config = OmegaConf.to_container(cfg, resolve=True)
    sweep = config["sweep"]
    cell = {
        "scenario": config["scenario"],
        "seed": config["seed"],
        "replicates": sweep["replicates"],
        "rounds": config["rounds"],
    }
    pending = start_cell(
        cell,
        Path(HydraConfig.get().sweep.dir) / "cells",
        executor=_executor(sweep),
        chunk=sweep["chunk"],
        values=_swept_values(cfg),
    )
    finished = [pending.finish()] if _multirun is None else _multirun.cells.add(pending)
    for outcome in finished:
        _report(outcome)
    if _multirun is not None:
        _multirun.in_jobs += time.time() - entered


def _report(outcome: CellOutcome) -> None:
    shown = " ".join(f"{k}={v}" for k, v in outcome.values.items())
    detail = f": {outcome.error}" if outcome.error else ""
    took = f"{outcome.replicates} replicates, {outcome.seconds:.1f} s"
    print(f"negsim: cell {outcome.directory.name} {shown} — {outcome.status} ({took}){detail}")


class SweepCallback(Callback):
    """Around a multirun: start the workers before Hydra sets up the first job; at the end, finish the cells still
    running, aggregate them, draw the standard plots, report failed cells and where the time went."""

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        global _multirun
        try:
            executor = _executor(OmegaConf.to_container(config.sweep, resolve=True))
        except ScenarioError as error:
            fail(error)
        _multirun = _Multirun()
        executor.start()

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        global _multirun
        multirun, _multirun = _multirun, None
        clock = time.time()
        for outcome in multirun.cells.drain() if multirun else []:
            _report(outcome)
        for executor in _executors.values():
            executor.close()
        _executors.clear()
        finishing, clock = time.time() - clock, time.time()
        sweep = Path(config.hydra.sweep.dir)
        report = aggregate(sweep)
        aggregating, clock = time.time() - clock, time.time()
        plots = draw_sweep_plots(sweep) if report.cells else []
        plotting = time.time() - clock
        LAST_SWEEP[:] = [report]
        if multirun is not None:
            timing = multirun.timing(finishing=finishing, aggregating=aggregating, plotting=plotting)
            (report.directory / "timing.json").write_text(json.dumps(timing, indent=2))
        print(f"negsim: {report.complete} of {report.cells} cells complete; aggregate in {report.directory}")
        for path in plots:
            print(f"negsim: plot {path}")
        for f in report.failed:
            print(f"negsim: cell {f['cell']} {f['values']} {f['status']}: {f['error']}")
