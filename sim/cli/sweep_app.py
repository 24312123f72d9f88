"""``negsim sweep`` and ``negsim plot``: a multirun of sweep cells, then its aggregate and plots.

One :class:`Sweep` object holds everything a ``negsim sweep`` command keeps from start to end, in this order:

1. :meth:`Sweep.run` runs Hydra's multirun with :meth:`Sweep.job` as the task function (no module-level state: the
   task function is a method of this object).
2. negsim's sweeper (``hydra_plugins/negsim_sweeper``) calls :meth:`Sweep.begin` with the whole list of jobs once
   the first batch is checked: the sweep folder is claimed (a lock, so that a second command into the same folder
   refuses at once), the seeds are checked and the workers are started.
3. Each job (:meth:`Sweep.job`) resolves its config, starts its cell and records which cell it is. A copy of the
   object sent to another process by a launcher (joblib, submitit) runs each cell to its end there and records it in
   a file that the command reads back.
4. When Hydra returns, :meth:`Sweep.finish` finishes the cells still running, writes ``grid.json`` (exactly this
   command's cells), the aggregate of those cells and the plots. Any error there is one line and exit 1.
5. Ctrl-C anywhere (or Hydra's own error): :meth:`Sweep.abort` stops the workers, removes the cells in flight, keeps
   the complete ones, and the command ends with one line and exit 130 (or Hydra's message and exit 1).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import signal
import sys
import time
import traceback
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.core.override_parser.overrides_parser import OverridesParser
from omegaconf import DictConfig, OmegaConf

from sim.cli.errors import fail, keep_traceback, log_beside
from sim.cli.settings import design_of
from sim.io.atomic import PARTIAL
from sim.io.library import config_dir
from sim.model.errors import ScenarioError
from sim.study.aggregate import GRID_FILE, GridCell, SweepReport, aggregate, read_sampled, write_grid
from sim.study.cells import CellOutcome, check_seed, config_hash
from sim.study.executor import Executor
from sim.study.pipeline import CellPipeline, failed_cell, start_cell
from sim.study.sweep_plots import draw_sweep_plots

NOT_SWEPT = (
    "sweep.",
    "hydra.",
    "hydra/",
    "experiment",
    "seed",
)  # not a cell's values (the seed is its column cell_seed)
SETTINGS = ("sweep.workers", "sweep.chunk", "sweep.backend", "sweep.address", "sweep.name")  # never change results
INSPECTING = ("-h", "--help", "--hydra-help", "-c", "--cfg", "-i", "--info", "-sc", "--shell-completion")  # Hydra's
INTERRUPTED = 130  # the exit status of a command ended by Ctrl-C (128 + SIGINT)


def default_name(overrides: list[str]) -> str:
    """The folder name of a sweep given neither ``experiment=`` nor ``sweep.name=``: ``adhoc-`` and a digest of its
    overrides (their order and the settings that never change results aside), so that two different ad-hoc sweeps
    never share a folder and the same one finds its cells again."""
    kept = sorted(o for o in overrides if not o.startswith(("hydra.", "hydra/", "--", *SETTINGS)))
    return "adhoc-" + hashlib.sha256("\n".join(kept).encode()).hexdigest()[:8]


def _error(message: str) -> None:
    print(f"negsim: error: {message}", file=sys.stderr)


def _one_line(error: BaseException) -> str:
    """The error in one line, and where its traceback was kept (beside the sweep's outputs, or how to see it)."""
    first = str(error).strip().splitlines()
    what = f"{type(error).__name__}: {first[0]}" if first else type(error).__name__
    return f"{what}; {keep_traceback(traceback.format_exc())}"


class Sweep:
    """One ``negsim sweep`` command, from the multirun's start to its aggregate (see the module's docstring)."""

    def __init__(self) -> None:
        self.token = uuid.uuid4().hex[:12]  # names this command's job records
        self.local = True  # False in a copy sent to a launcher's process
        self.directory: Path | None = None  # multirun/<name>, known once the sweeper calls begin
        self.jobs = 0
        self.swept: list[str] | None = None  # the keys this command sweeps, once known (begin)
        self.sampled = False  # a sampled design: the grid's plots say nothing (negsim discover reads it)
        self.cells: dict[int, GridCell] = {}  # job number → cell, for the jobs run in this process
        self.pipeline = CellPipeline()
        self.executors: dict[tuple, Executor] = {}
        self.lock: IO | None = None
        self.started = time.time()
        self.in_jobs = 0.0  # seconds inside jobs

    def __getstate__(self) -> dict:
        """A copy for another process keeps only what names this command's records."""
        return {"token": self.token}

    def __setstate__(self, state: dict) -> None:
        self.__init__()
        self.token, self.local = state["token"], False

    # 1. the multirun
    def run(self, overrides: list[str]) -> int:
        """Run the multirun with ``overrides``, then :meth:`finish`; return the exit status."""
        app: Callable[[], None] = hydra.main(config_path=str(config_dir()), config_name="config", version_base="1.3")(
            self.job
        )
        inspecting = any(a.split("=", 1)[0] in INSPECTING for a in overrides)  # no multirun: Hydra prints and stops
        sys.argv = ["negsim sweep", *([] if inspecting else ["--multirun"]), *overrides]
        try:
            app()
            return 0 if inspecting else self.finish()
        except BaseException:  # Hydra's error (1), a mistake (2), Ctrl-C: no worker left, nothing half-written
            self.abort()
            raise

    # 2. called by negsim's sweeper before the first job
    def begin(self, config: DictConfig, jobs: list[list[str]]) -> None:
        """Claim the sweep folder, check the jobs' seeds, start the workers."""
        self.directory, self.jobs = Path(config.hydra.sweep.dir), len(jobs)
        self.swept = swept_keys(config)
        self.sampled = config.get("design") is not None
        log_beside(self.directory)  # an unexpected failure's traceback goes beside the sweep's outputs
        self._claim(str(config.sweep.name))
        try:
            for job in jobs:
                for override in job:
                    key, _, value = override.partition("=")
                    if key.lstrip("+~") == "seed" and value.lstrip("-").isdigit():
                        check_seed(int(value))
            self._executor(OmegaConf.to_container(config.sweep, resolve=True)).start()
        except ScenarioError as error:
            fail(error)

    def _claim(self, name: str) -> None:
        """Lock the sweep folder for this command (the lock goes with the process, however it ends)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        self.lock = open(self.directory / ".lock", "a+")  # noqa: SIM115 (held until the command ends)
        try:
            fcntl.flock(self.lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.lock.seek(0)
            holder = self.lock.read().strip() or "another process"
            self.lock.close()
            self.lock = None
            allowed = f"a folder no other sweep is writing ({self.directory} is in use by {holder})"
            fail(ScenarioError("sweep.name", name, allowed + "; wait for it, or give another sweep.name"))
        self.lock.truncate(0)
        self.lock.write(f"negsim sweep, process {os.getpid()}\n")
        self.lock.flush()

    def _executor(self, sweep: dict) -> Executor:
        """One executor per setting for the whole multirun, so that worker processes are started once."""
        key = (sweep["workers"], sweep["backend"], sweep["address"])
        if key not in self.executors:
            self.executors[key] = Executor(*key)
        return self.executors[key]

    # 3. each job
    def job(self, cfg: DictConfig) -> None:
        """One sweep cell: the resolved scenario run as an ensemble of replicates, written under ``cells/<hash>/``.

        In this process, the cell's batches are queued and the job returns once the previous cell is written, so the
        workers keep running while Hydra sets up the next job; elsewhere, the job runs its cell to its end.
        """
        entered = time.time()
        hydra_config = HydraConfig.get()
        directory, number = Path(hydra_config.sweep.dir), hydra_config.job.num
        self.directory = self.directory or directory
        values = _swept_values(cfg, hydra_config)
        try:
            config = {k: _resolved(cfg[k]) for k in ("scenario", "seed", "rounds", "sweep")}  # not the rest: faster
            sweep = config.pop("sweep")
            cell = config | {"replicates": sweep["replicates"]}
            pending = start_cell(
                cell, directory / "cells", executor=self._executor(sweep), chunk=sweep["chunk"], values=values
            )
        except Exception:  # a grid value that does not resolve…: a failed cell named by its overrides, never a crash
            config = {"overrides": list(hydra_config.overrides.task)}
            error = traceback.format_exc().strip()
            pending = failed_cell(directory / "cells" / config_hash(config), config, values, error, entered)
        self._record(directory, number, GridCell(pending.directory.name, values))
        for outcome in self.pipeline.add(pending) if self.local else [pending.finish()]:
            _report(outcome)
        self.in_jobs += time.time() - entered

    def _record(self, directory: Path, number: int, cell: GridCell) -> None:
        if self.local:
            self.cells[number] = cell
            return
        records = directory / f".jobs-{self.token}"
        records.mkdir(parents=True, exist_ok=True)
        (records / f"{number}.json").write_text(json.dumps({"cell": cell.cell, "values": dict(cell.values)}))

    def _grid(self) -> list[GridCell]:
        """This command's cells in job order: recorded here, or by the jobs run in other processes."""
        records = self.directory / f".jobs-{self.token}"
        grid = []
        for number in range(max(self.jobs, len(self.cells))):
            cell = self.cells.get(number)
            if cell is None:
                try:
                    cell = GridCell(**json.loads((records / f"{number}.json").read_text()))
                except (OSError, ValueError):  # the job's process died before it said which cell it ran
                    cell = GridCell(f"job-{number}-never-reported", {})
            grid.append(cell)
        shutil.rmtree(records, ignore_errors=True)
        return grid

    # 4. after the multirun
    def finish(self) -> int:
        """Finish the cells still running, record the grid, aggregate it, draw the plots; return the exit status."""
        clock = time.time()
        for outcome in self.pipeline.drain():
            _report(outcome)
        self.close()
        finishing, clock = time.time() - clock, time.time()
        cells = self._grid()
        write_grid(self.directory, cells, self.swept, self.sampled)
        try:
            report = aggregate(self.directory, cells)
        except Exception as error:
            _error(f"aggregating {self.directory} failed: {_one_line(error)}")
            return 1
        aggregating, clock = time.time() - clock, time.time()
        plotted = _plots(self.directory, self.sampled)
        total = time.time() - self.started
        spent = {
            "jobs": self.in_jobs,
            "finishing": finishing,
            "aggregating": aggregating,
            "plotting": time.time() - clock,
        }
        timing = {"total": total, "hydra": total - sum(spent.values()), **spent}  # Hydra: composing, launching jobs
        (report.directory / "timing.json").write_text(json.dumps(timing, indent=2))
        self._release()
        return conclude(report, plotted)

    # 5. Ctrl-C, or Hydra's own error
    def abort(self) -> None:
        """Stop the workers and remove what this process left half-written; complete cells stay."""
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not interrupt the clean-up
        self.close(kill=True)
        for cell in self.pipeline.pending:
            cell.abort()
        if self.directory is not None:
            for partial in list(self.directory.rglob(f".*{PARTIAL}{os.getpid()}")):
                shutil.rmtree(partial, ignore_errors=True)
            shutil.rmtree(self.directory / f".jobs-{self.token}", ignore_errors=True)
        self._release()

    def close(self, kill: bool = False) -> None:
        for executor in self.executors.values():
            executor.close(kill=kill)
        self.executors.clear()

    def _release(self) -> None:
        if self.lock is not None:
            self.lock.close()
            self.lock = None


def swept_keys(config: DictConfig) -> list[str]:
    """The keys a sweep's command sweeps, as its cells' value columns name them: the grid's (Hydra's sweep overrides
    and ``hydra.sweeper.params``, the command line's value winning) then the design's ranges; the seed and the
    settings aside."""
    hydra_config = OmegaConf.to_container(config.hydra, resolve=False)  # as written: a value may not resolve
    params = hydra_config["sweeper"].get("params") or {}
    given = [*(f"{k}={v}" for k, v in params.items()), *hydra_config["overrides"]["task"]]  # Hydra's order
    final = {o.key_or_group: o for o in OverridesParser.create().parse_overrides(given)}  # as Hydra's: the last wins
    grid = [key for key, o in final.items() if o.is_sweep_override()]
    design = design_of(config)
    keys = [*grid, *(design.ranges if design else ())]
    return list(dict.fromkeys(k for k in keys if not k.startswith(NOT_SWEPT)))


def _resolved(value: Any) -> Any:
    return OmegaConf.to_container(value, resolve=True) if OmegaConf.is_config(value) else value


def _swept_values(cfg: DictConfig, hydra_config: Any) -> dict[str, Any]:
    """The values this job's overrides set (``scenario.…``, experiment knobs), for the aggregate's columns; a config
    group's value is the option chosen (``scenario=shared_threat``); a value that does not resolve, as written."""
    overrides = dict(o.lstrip("+~").split("=", 1) for o in hydra_config.overrides.task if "=" in o)
    choices = hydra_config.runtime.choices
    values = {}
    for key, text in overrides.items():
        if key.startswith(NOT_SWEPT):
            continue
        try:
            values[key] = choices[key] if key in choices else OmegaConf.select(cfg, key)
        except Exception:  # an interpolation that does not resolve
            values[key] = text
    return values


def _report(outcome: CellOutcome) -> None:
    shown = " ".join(f"{k}={v}" for k, v in outcome.values.items())
    detail = f": {outcome.error.strip().splitlines()[-1]}" if outcome.error else ""
    took = f"{outcome.replicates} replicates, {outcome.seconds:.1f} s"
    print(f"negsim: cell {outcome.directory.name} {shown} — {outcome.status} ({took}){detail}")


def _plots(sweep: Path, sampled: bool) -> list[Path] | None:
    """Draw the standard plots; on any error, say so in one line and return None (the tables stay). A sampled
    design's points are not a grid: its plots are ``negsim discover``'s, which the command names instead."""
    if sampled:
        print(
            f"negsim: a sampled design has no grid plots; see where an outcome holds: negsim discover {sweep} outcome=…"
        )
        return []
    try:
        return draw_sweep_plots(sweep)
    except Exception as error:
        _error(f"drawing the plots of {sweep} failed: {_one_line(error)}")
        return None


def conclude(report: SweepReport, plots: list[Path] | None) -> int:
    """Print what the aggregate holds and which cells failed; the exit status: 1 if a cell failed or a plot could not
    be drawn."""
    print(f"negsim: {report.complete} of {report.cells} cells complete; aggregate in {report.directory}")
    for path in plots or []:
        print(f"negsim: plot {path}")
    for f in report.failed:
        error = (f["error"] or "").strip().splitlines()
        print(f"negsim: cell {f['cell']} {f['values']} {f['status']}: {error[-1] if error else 'no error recorded'}")
    if report.failed:
        failed = ", ".join(f["cell"] for f in report.failed)
        _error(f"{len(report.failed)} cell(s) did not complete: {failed} (their errors are in cells/<hash>/cell.json)")
    return 1 if report.failed or plots is None else 0


def named(overrides: list[str]) -> list[str]:
    """The overrides, with ``sweep.name=adhoc-<digest>`` first when nothing else names the sweep."""
    if any(o.startswith(("experiment=", "sweep.name=")) for o in overrides):
        return overrides
    return [f"sweep.name={default_name(overrides)}", *overrides]


def sweep_command(overrides: list[str]) -> None:
    """``negsim sweep``: exit 0 if every cell completed and the aggregate and plots were written, 1 otherwise, 2 for
    a mistake in the command, 130 if interrupted."""
    overrides = named(overrides)
    interrupted: list[int] = []

    def interrupt(signum: int, frame: Any) -> None:  # Python's own handler, remembering that it was called
        interrupted.append(signum)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, interrupt)
    try:
        sweep = Sweep()
        try:
            status = sweep.run(overrides)
        except BaseException:  # after Ctrl-C, whatever a library made of the KeyboardInterrupt (Hydra: exit 1)
            if not interrupted:
                raise
        if interrupted:
            sweep.abort()  # again if Sweep.run did: the workers are stopped, nothing half-written is left
            _error("interrupted; the complete cells are kept (rerun the same command to run the rest)")
            raise SystemExit(INTERRUPTED) from None
        raise SystemExit(status)
    finally:  # the process's own Ctrl-C again (a command called from Python, a test, leaves no trace)
        signal.signal(signal.SIGINT, previous)


def plot_command(argv: list[str]) -> None:
    """``negsim plot multirun/NAME``: aggregate the sweep's grid if it has no aggregate, then (re)draw its plots (a
    sampled design has none: its figures are ``negsim discover``'s)."""
    if len(argv) != 1 or not (Path(argv[0]) / GRID_FILE).is_file():
        fail(ScenarioError("negsim plot", " ".join(argv), "one folder written by negsim sweep (e.g. multirun/NAME)"))
    sweep = Path(argv[0])
    try:
        report = SweepReport.read(sweep) if (sweep / "aggregate" / "cells.parquet").exists() else aggregate(sweep)
    except Exception as error:
        _error(f"aggregating {sweep} failed: {_one_line(error)}")
        raise SystemExit(1) from None
    raise SystemExit(conclude(report, _plots(sweep, read_sampled(sweep))))
