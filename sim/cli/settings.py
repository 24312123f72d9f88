"""Run and sweep settings checked on the composed config before any work starts and before anything is written.

A scenario's own values are checked when it is loaded; these are the command's: the seed, the number of rounds, the
sweep's replicates, workers and batches, and the places outputs go. Bounds (docs/users.md, "Mistakes negsim catches"):

- ``rounds`` ≤ 10,000 (833 years of monthly rounds; 10,000 rounds of tokyo_2013 take about 5 s);
- a run's recorded confidence rows ≤ 20 million (``record.ministry_every`` thins them; ~3.6 GB in memory);
- ``sweep.replicates`` ≤ 1,000,000 a cell (the shipped experiments use 10,000);
- ``sweep.workers`` ≤ 4 × the machine's cores (more processes than that only compete for the same cores).
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

from omegaconf import DictConfig, OmegaConf
from tqdm import tqdm

from sim.cli.errors import require_extra
from sim.cli.overrides import resolved
from sim.model import schema
from sim.model.errors import ScenarioError, quote
from sim.model.scenario.specs import ScenarioSpec
from sim.study.designs import Design, sweep_design

MAX_ROUNDS = 10_000
MAX_REPLICATES = 1_000_000
WORKERS_PER_CORE = 4
MAX_RECORDED_ROWS = 20_000_000  # a run's confidence rows (ministry and country pairs × rounds recorded): ~3.6 GB
BACKENDS = ("processes", "ray")  # sim.study.executor's


def max_workers() -> int:
    return WORKERS_PER_CORE * (os.cpu_count() or 1)


def check_run(config: DictConfig) -> Path:
    """The settings of ``negsim run``; returns the output folder."""
    _common(config)
    schema.integer(resolved(config, "record.ministry_every"), "record.ministry_every", 0)
    return writable_place(resolved(config, "output_dir"), "output_dir")


def check_sweep(config: DictConfig) -> Path:
    """The settings of ``negsim sweep`` (one composed job of it); returns the sweep's folder."""
    _common(config)
    schema.integer(resolved(config, "sweep.replicates"), "sweep.replicates", 1, MAX_REPLICATES)
    schema.integer(resolved(config, "sweep.chunk"), "sweep.chunk", 1, MAX_REPLICATES)
    schema.integer(resolved(config, "sweep.workers"), "sweep.workers", 1, max_workers())
    if schema.name(resolved(config, "sweep.backend"), "sweep.backend", BACKENDS) == "ray":
        require_extra("ray")
    address = resolved(config, "sweep.address")
    if address is not None and not isinstance(address, str):
        raise ScenarioError("sweep.address", address, "a Ray cluster address (auto, ray://head:10001) or null")
    schema.identifier(resolved(config, "sweep.name"), "sweep.name")
    design_of(config)
    return writable_place(resolved(config, "hydra.sweep.dir"), "hydra.sweep.dir")


def _common(config: DictConfig) -> None:
    plot = resolved(config, "plot")
    if not isinstance(plot, bool):
        raise ScenarioError("plot", plot, "true or false")
    schema.integer(resolved(config, "seed"), "seed", 0)
    schema.integer(resolved(config, "rounds"), "rounds", 1, MAX_ROUNDS)


def writable_place(value: object, path: str) -> Path:
    """A folder that exists or can be created, and where this process can write: tried with a temporary folder
    made and removed in the deepest folder that exists (permissions alone do not tell, e.g. for root)."""
    if not isinstance(value, str | Path) or not str(value).strip():
        raise ScenarioError(path, value, "a folder path")
    try:
        folder = Path(value).expanduser()
        existing = next(p for p in [folder, *folder.absolute().parents] if p.exists() or p == p.parent)
    except (OSError, ValueError) as e:  # a NUL character, a name too long…
        raise ScenarioError(path, str(value), "a folder path", problem=str(e)) from None
    if not existing.is_dir():
        raise ScenarioError(
            path,
            str(value),
            "a folder that exists or can be created",
            problem=f"{quote(str(value))} lies under {existing}, which is not a folder",
        )
    try:
        Path(tempfile.mkdtemp(prefix=".negsim-check-", dir=existing)).rmdir()
    except OSError as e:
        raise ScenarioError(
            path,
            str(value),
            "a folder where negsim may write",
            problem=f"{quote(str(value))}: cannot write in {existing} ({e.strerror})",
        ) from None
    return folder


def rounds_bar(rounds: range) -> Iterable[int]:
    """The rounds of a run, with a progress bar on a terminal once the run has taken more than two seconds."""
    return tqdm(rounds, desc="negsim: rounds", unit="round", delay=2, disable=None, leave=False)


def before_run(scenario: ScenarioSpec, rounds: int, ministry_every: int) -> None:
    """Checks that need the loaded scenario: tables that would not fit in memory are refused, and scheduled events
    after the last round get a warning (they never strike in this run)."""
    ministries = sum(len(c.ministries) for c in scenario.countries)
    rows = (rounds // ministry_every + 1 if ministry_every else 0) * ministries**2
    rows += (rounds + 1) * len(scenario.countries) ** 2
    if rows > MAX_RECORDED_ROWS:
        raise ScenarioError(
            "rounds",
            rounds,
            f"at most {MAX_RECORDED_ROWS:,} confidence rows (~180 bytes each in memory): fewer rounds, or ministry "
            "pairs recorded less often (record.ministry_every=10, or 0 for never)",
            problem=f"{rounds} rounds of {ministries} ministries would record about {rows:,} confidence rows",
        )
    late = sorted({e.round for e in scenario.events if e.round > rounds})
    if late:
        count = sum(e.round > rounds for e in scenario.events)
        shown = ", ".join(map(str, late[:5])) + (" …" if len(late) > 5 else "")
        print(
            f"negsim: warning: {count} scheduled event(s) fall after the last round ({rounds}), in round(s) {shown}: "
            f"they never strike; rounds={late[-1]} includes them",
            file=sys.stderr,
        )


def design_of(config: DictConfig) -> Design | None:
    """The checked design of a sweep's composed config (with its ``hydra`` node: a key given on the command line or
    in ``hydra.sweeper.params`` cannot be sampled too); ``None`` without a design."""
    plain = OmegaConf.to_container(config, resolve=False)
    if plain.get("design") is not None:
        plain["design"] = OmegaConf.to_container(config.design, resolve=True)
    hydra = plain.get("hydra") or {}
    given = [*((hydra.get("overrides") or {}).get("task") or []), *((hydra.get("sweeper") or {}).get("params") or {})]
    return sweep_design(plain, (o.split("=", 1)[0].lstrip("+~").split("@", 1)[0] for o in given))
