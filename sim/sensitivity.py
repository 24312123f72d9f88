"""Global sensitivity analysis: which scenario parameters drive confidence and settlement.

A study (``conf/sensitivity/NAME.yaml``) names scenario parameters by their key path with bounds, the outputs to
explain and a design: Morris screening (elementary effects μ, μ*, σ; Morris 1991, Campolongo et al. 2007) or Sobol'
variance decomposition (first-order, total and optionally second-order indices; Saltelli et al. 2010). SALib draws the
samples and computes the indices. Each sample is the base scenario with the sample's values at their key paths, run as
a sweep cell (:func:`sim.sweep.run_cell`): the same replicate ensemble as a sweep, with the same replicate seeds in
every sample (common random numbers), cells running in parallel over the executor's workers, each written to disk when
it finishes and skipped when a rerun finds it complete.

Writes ``<output_dir>/cells/<hash>/`` (one sweep cell per distinct sample) and, replaced as a whole,
``<output_dir>/analysis/``:

- ``samples.parquet``: one row per sample: its parameter values, its cell and its outputs;
- ``indices.parquet``, ``indices.csv``: one row per output × parameter: Morris ``mu``, ``mu_star``, ``sigma``,
  ``mu_star_conf``, or Sobol' ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` (``_conf``: 95% bootstrap half-width);
- ``second_order.parquet``, ``second_order.csv`` (Sobol' with ``second_order: true``): ``S2``, ``S2_conf`` per pair;
- ``ranking.txt``: per output, the parameters from the most to the least influential, one line each;
- ``morris.png`` (μ* against σ) or ``sobol.png`` (S1 and ST with their intervals);
- ``study.yaml``: the resolved study, base scenario included (it can be run again as a study).

No Hydra here: :func:`main` reads ``config=NAME`` and ``key=value`` overrides itself.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections import Counter
from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import yaml
from matplotlib.figure import Figure
from SALib.analyze import morris as morris_analysis
from SALib.analyze import sobol as sobol_analysis
from SALib.sample import morris as morris_sampling
from SALib.sample import sobol as sobol_sampling
from tqdm.auto import tqdm

from sim import schema
from sim.cli import fail
from sim.errors import ScenarioError, one_of
from sim.library import config_dir, load_scenario, read_yaml, scenario_data
from sim.run import DEFAULT_ROUNDS, DEFAULT_SEED
from sim.sweep import BACKENDS, DEFAULT_CHUNK, CellOutcome, CellPipeline, Executor, config_hash, start_cell

METHODS = ("morris", "sobol")
OUTPUTS = {
    "settlement_probability": "share of replicates with a ratified settlement, per talks",
    "median_time_to_settlement": "median round of a ratified settlement, per talks; never settled counts as rounds + 1",
    "final_confidence": "mean confidence in the last round, per directed country pair",
}
STUDY_KEYS = (
    "name",
    "scenario",
    "method",
    "samples",
    "levels",
    "second_order",
    "parameters",
    "outputs",
    "replicates",
    "rounds",
    "seed",
    "workers",
    "backend",
    "address",
    "chunk",
    "output_dir",
)
MORRIS_COLUMNS = ("mu", "mu_star", "sigma", "mu_star_conf")
SOBOL_COLUMNS = ("S1", "S1_conf", "ST", "ST_conf")
MAX_LABELS = 10  # parameters named on a Morris plot: the most influential (the ranking lists them all)


# --- key paths -------------------------------------------------------------------------------------------------------


def _locate(data: Mapping, path: str, *, create: bool = False, copy: bool = False) -> tuple[MutableMapping, str]:
    """The mapping holding the last key of the dotted ``path`` in ``data``, and that key.

    A key may itself hold dots (``confidence.russia.defence`` is key ``russia.defence`` of ``confidence``): at each
    level the longest key that matches is taken. ``create`` lets the last key be new; ``copy`` replaces each mapping
    on the way by a copy, so that changing the result leaves the mappings ``data`` shares with others untouched.
    """
    node, rest, walked = data, path.split("."), []
    while True:
        if not isinstance(node, MutableMapping):  # plain data: dicts all the way down
            raise ScenarioError(".".join(walked), node, f"a mapping holding {'.'.join(rest)!r}")
        key = next((k for k in (".".join(rest[:n]) for n in range(len(rest), 0, -1)) if k in node), None)
        if key is None:
            if create:
                return node, ".".join(rest)
            raise ScenarioError(".".join(walked) or path, ".".join(rest), f"an existing key: {one_of(node, rest[0])}")
        rest = rest[key.count(".") + 1 :]
        if not rest:
            return node, key
        if copy and isinstance(node[key], Mapping):
            node[key] = dict(node[key])
        walked.append(key)
        node = node[key]


def get_path(data: Mapping, path: str) -> object:
    """The value at the dotted key ``path`` of ``data``; :class:`ScenarioError` if there is none."""
    node, key = _locate(data, path)
    return node[key]


def set_path(data: MutableMapping, path: str, value: object, *, create: bool = False) -> None:
    """Set the value at the dotted key ``path`` of ``data`` in place; the path must exist unless ``create``."""
    node, key = _locate(data, path, create=create)
    node[key] = value


def with_values(data: Mapping, values: Mapping[str, object]) -> dict:
    """A copy of ``data`` with the value at each dotted key path replaced; only the mappings on the paths are copied."""
    out = dict(data)
    for path, value in values.items():
        node, key = _locate(out, path, copy=True)
        node[key] = value
    return out


# --- the study -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Design:
    """How parameter space is explored: SALib's sampling and analysis for one method."""

    method: str  # "morris" or "sobol"
    samples: int  # Morris: trajectories (D + 1 runs each); Sobol': base sample N, a power of 2 (N·(D + 2) runs)
    levels: int = 4  # Morris: grid levels (even)
    second_order: bool = False  # Sobol': also S2 (N·(2D + 2) runs)
    seed: int = DEFAULT_SEED  # of the sample and the bootstrap intervals

    def sample(self, problem: Mapping) -> np.ndarray:
        """The (runs, D) matrix of parameter values to evaluate."""
        if self.method == "morris":
            return morris_sampling.sample(problem, self.samples, num_levels=self.levels, seed=self.seed)
        return sobol_sampling.sample(problem, self.samples, calc_second_order=self.second_order, seed=self.seed)

    def analyze(self, problem: Mapping, x: np.ndarray, y: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The indices of each output (a column of ``y``, one row per row of ``x``): per output × parameter, and
        per output × pair of parameters (Sobol' S2; empty otherwise)."""
        first, second = {}, {}
        for output in y.columns:
            values = y[output].to_numpy(dtype=float)
            if self.method == "morris":
                first[output], second[output] = self._morris(problem, x, values), pd.DataFrame()
            else:
                first[output], second[output] = self._sobol(problem, values)
        return _by_output(first), _by_output(second)

    def _morris(self, problem: Mapping, x: np.ndarray, y: np.ndarray) -> pd.DataFrame:
        si = morris_analysis.analyze(problem, x, y, num_levels=self.levels, seed=self.seed)
        return pd.DataFrame({"parameter": problem["names"], **{c: np.asarray(si[c], float) for c in MORRIS_COLUMNS}})

    def _sobol(self, problem: Mapping, y: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
        names = list(problem["names"])
        if np.ptp(y) == 0:  # no variance to share out: no parameter moves this output
            zeros = np.zeros((len(names), len(names)))
            si = dict.fromkeys(SOBOL_COLUMNS, zeros[0]) | {"S2": zeros, "S2_conf": zeros}
        else:
            rng = np.random.default_rng(self.seed)  # a generator: SALib would take a seed of 0 for no seed
            si = sobol_analysis.analyze(problem, y, calc_second_order=self.second_order, seed=rng)
        first = pd.DataFrame({"parameter": names, **{c: np.asarray(si[c], float) for c in SOBOL_COLUMNS}})
        pairs = combinations(range(len(names)), 2) if self.second_order else ()
        second = pd.DataFrame(
            [(names[j], names[k], si["S2"][j, k], si["S2_conf"][j, k]) for j, k in pairs],
            columns=["parameter", "other", "S2", "S2_conf"],
        )
        return first, second


def _by_output(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """The tables of the outputs stacked into one, the output as first column (empty if they all are)."""
    stacked = [table.assign(output=output) for output, table in tables.items() if len(table)]
    if not stacked:
        return pd.DataFrame()
    out = pd.concat(stacked, ignore_index=True)
    return out[["output", *out.columns.drop("output")]]


@dataclass(frozen=True)
class Study:
    """A sensitivity study: the base scenario, the parameters with their bounds, the outputs, the design and the
    ensemble each sample runs as."""

    name: str
    scenario: Mapping  # the base scenario as a plain mapping
    parameters: Mapping[str, tuple[float, float]]  # key path ("scenario.…") → (low, high)
    outputs: tuple[str, ...]  # kinds, keys of OUTPUTS
    design: Design
    replicates: int
    rounds: int
    workers: int
    backend: str
    address: str | None
    chunk: int
    output_dir: Path

    @property
    def problem(self) -> dict:
        """SALib's problem definition."""
        return {
            "num_vars": len(self.parameters),
            "names": list(self.parameters),
            "bounds": [list(b) for b in self.parameters.values()],
        }

    def cell_config(self, values: Mapping[str, float]) -> dict:
        """The sweep cell of one sample: the base scenario with ``values`` at their key paths, the same seed for all."""
        base = {
            "scenario": self.scenario,
            "seed": self.design.seed,
            "replicates": self.replicates,
            "rounds": self.rounds,
        }
        return with_values(base, values)

    def to_dict(self) -> dict:
        """The study as plain values, as :func:`load_study` reads it."""
        return {
            "name": self.name,
            "method": self.design.method,
            "samples": self.design.samples,
            "levels": self.design.levels,
            "second_order": self.design.second_order,
            "seed": self.design.seed,
            "replicates": self.replicates,
            "rounds": self.rounds,
            "workers": self.workers,
            "backend": self.backend,
            "address": self.address,
            "chunk": self.chunk,
            "output_dir": str(self.output_dir),
            "outputs": list(self.outputs),
            "parameters": {k: list(v) for k, v in self.parameters.items()},
            "scenario": dict(self.scenario),
        }


def available_studies() -> list[str]:
    """Names of the shipped studies."""
    return sorted(p.stem for p in (config_dir() / "sensitivity").glob("*.yaml"))


def _study_file(config: str) -> Path:
    if config.endswith((".yaml", ".yml")) or Path(config).is_file():
        return Path(config)
    names = available_studies()
    if config not in names:
        raise ScenarioError("config", config, f"a YAML file or a shipped study: {one_of(names, config)}")
    return config_dir() / "sensitivity" / f"{config}.yaml"


def apply_override(study: MutableMapping, override: str) -> None:
    """Apply ``key=value`` (an existing key, or any study setting), ``+key=value`` (a new key) or ``~key`` (remove).

    Keys are dotted paths into the study: ``samples=64``, ``scenario.shock_scale=0.4``,
    ``+parameters.scenario.spillover=[0, 0.6]``, ``~parameters.scenario.shock_scale``. Values are read as YAML.
    """
    if override.startswith("~"):
        node, key = _locate(study, override[1:])
        del node[key]
        return
    key, sep, text = override.partition("=")
    if not sep or not key.lstrip("+"):
        raise ScenarioError("override", override, "key=value, +key=value or ~key")
    add, key = key.startswith("+"), key.lstrip("+")
    schema.name(key.split(".")[0], key, STUDY_KEYS)
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        raise ScenarioError(key, text, "a value written as YAML (0.3, [0.1, 0.5], true, a name)") from None
    set_path(study, key, value, create=add or "." not in key)


def load_study(config: str, overrides: Sequence[str] = ()) -> Study:
    """A checked study from a shipped name (``"tokyo_sobol"``) or a YAML path, with overrides applied.

    Overrides of ``scenario.…`` apply to the base scenario once it is loaded, the others to the study file first.
    """
    path = _study_file(config)
    raw = read_yaml(path)
    on_scenario = [o for o in overrides if o.lstrip("+~").startswith("scenario.")]
    for override in overrides:
        if override not in on_scenario:
            apply_override(raw, override)
    raw["scenario"] = dict(scenario_data(raw.get("scenario")))
    for override in on_scenario:
        apply_override(raw, override)
    return _parse_study(raw, str(raw.get("name") or path.stem))


def _design(raw: Mapping) -> Design:
    method = schema.name(raw.get("method"), "method", METHODS)
    samples = schema.integer(raw.get("samples"), "samples", 2)
    if method == "sobol" and samples & (samples - 1):
        raise ScenarioError("samples", samples, "a power of 2 for Sobol' (its sequence is balanced there)")
    levels = schema.integer(raw.get("levels", 4), "levels", 2)
    if levels % 2:
        raise ScenarioError("levels", levels, "an even number of Morris grid levels")
    second_order = raw.get("second_order", False)
    if not isinstance(second_order, bool):
        raise ScenarioError("second_order", second_order, "true or false")
    return Design(method, samples, levels, second_order, schema.integer(raw.get("seed", DEFAULT_SEED), "seed", 0))


def _parse_study(raw: Mapping, name: str) -> Study:
    for key in raw:
        schema.name(key, key, STUDY_KEYS)
    address = raw.get("address")
    if address is not None and not isinstance(address, str):
        raise ScenarioError("address", address, "a Ray cluster address or null")
    study = Study(
        name=schema.identifier(name, "name"),
        scenario=raw["scenario"],
        parameters=_parameters(raw.get("parameters"), raw["scenario"]),
        outputs=schema.names(raw.get("outputs", list(OUTPUTS)), "outputs", OUTPUTS),
        design=_design(raw),
        replicates=schema.integer(raw.get("replicates"), "replicates", 1),
        rounds=schema.integer(raw.get("rounds", DEFAULT_ROUNDS), "rounds", 1),
        workers=schema.integer(raw.get("workers", 1), "workers", 1),
        backend=schema.name(raw.get("backend", "processes"), "backend", BACKENDS),
        address=address,
        chunk=schema.integer(raw.get("chunk", DEFAULT_CHUNK), "chunk", 1),
        output_dir=Path(raw.get("output_dir") or f"outputs/sensitivity/{name}"),
    )
    for corner in (0, 1):  # every sample lies between the two corners: check both before any work
        load_scenario(study.cell_config({k: float(b[corner]) for k, b in study.parameters.items()})["scenario"])
    return study


def _parameters(raw: object, scenario: Mapping) -> dict[str, tuple[float, float]]:
    """Key path → (low, high), each path an existing number of the base scenario."""
    schema.mapping(raw, "parameters")
    if not raw:
        raise ScenarioError("parameters", raw, "at least one key path with its bounds")
    out = {}
    for path, bounds in raw.items():
        where = f"parameters.{path}"
        if not isinstance(path, str) or not path.startswith("scenario."):
            raise ScenarioError(where, bounds, "a key path of the scenario, starting with 'scenario.'")
        if isinstance(bounds, str) or not isinstance(bounds, list | tuple) or len(bounds) != 2:
            raise ScenarioError(where, bounds, "bounds [low, high]")
        low, high = (schema.number(b, f"{where}[{i}]") for i, b in enumerate(bounds))
        if not low < high:
            raise ScenarioError(where, list(bounds), "bounds [low, high] with low < high")
        current = get_path({"scenario": scenario}, path)
        if isinstance(current, bool) or not isinstance(current, int | float):
            raise ScenarioError(path, current, "a number to vary (this key holds something else)")
        out[path] = (low, high)
    return out


# --- evaluation ------------------------------------------------------------------------------------------------------


class IncompleteStudy(RuntimeError):
    """Some samples' cells did not complete: the indices need every sample. Complete cells are kept for a rerun."""

    def __init__(self, outcomes: list[CellOutcome]):
        self.outcomes = outcomes
        listed = "; ".join(f"{o.directory.name} {o.status}: {o.error}" for o in outcomes[:5])
        super().__init__(f"{len(outcomes)} cell(s) did not complete ({listed}); rerun to retry them")


def sample_outputs(replicates: pd.DataFrame, kinds: Sequence[str], rounds: int) -> dict[str, float]:
    """The outputs of one sample from its cell's replicate table (see :data:`OUTPUTS`)."""
    out = {}
    for settled in (c for c in replicates.columns if c.endswith(".settled")):
        talks = settled.removesuffix(".settled")
        hit = replicates[settled].astype(bool)
        if "settlement_probability" in kinds:
            out[f"settlement_probability.{talks}"] = float(hit.mean())
        if "median_time_to_settlement" in kinds:
            when = replicates[f"{talks}.settled_round"].where(hit, rounds + 1)
            out[f"median_time_to_settlement.{talks}"] = float(when.median())
    if "final_confidence" in kinds:
        for column in (c for c in replicates.columns if c.startswith("confidence.")):
            out[f"final_{column}"] = float(replicates[column].mean())
    return out


def evaluate(study: Study, x: np.ndarray, *, progress: bool = True) -> pd.DataFrame:
    """Run each row of ``x`` as a sweep cell under ``output_dir/cells`` (samples with the same values share one);
    return one row per sample: its values, its cell and its outputs. Raises :class:`IncompleteStudy`."""
    names = list(study.parameters)
    values = [dict(zip(names, map(float, row), strict=True)) for row in x]
    keys = [config_hash(study.cell_config(v)) for v in values]
    cells = dict(zip(keys, values, strict=True))
    outputs = _run_cells(study, cells, Counter(keys), progress)
    rows = [{"sample": i, **v, "cell": k, **outputs[k]} for i, (v, k) in enumerate(zip(values, keys, strict=True))]
    return pd.DataFrame(rows)


def _run_cells(study: Study, cells: dict[str, dict], counts: Counter, progress: bool) -> dict[str, dict]:
    """Run the cells (hash → values) through a :class:`~sim.sweep.CellPipeline`, ``workers + 1`` cells ahead when
    they run outside this process, so the workers never wait while a cell is written; return each cell's outputs."""
    root = study.output_dir / "cells"
    executor = Executor(study.workers, study.backend, study.address)
    pipeline = CellPipeline(ahead=study.workers + 1, progress=False)
    outputs, failed = {}, []
    bar = tqdm(total=counts.total(), desc=f"sensitivity {study.name}", unit="sample", disable=not progress)

    def record(outcomes: list[CellOutcome]) -> None:
        for outcome in outcomes:
            key = outcome.directory.name
            if outcome.status in ("complete", "skipped"):
                table = pd.read_parquet(outcome.directory / "replicates.parquet")
                outputs[key] = sample_outputs(table, study.outputs, study.rounds)
            else:
                failed.append(outcome)
            bar.update(counts[key])

    try:
        for values in cells.values():
            cell = start_cell(study.cell_config(values), root, executor=executor, chunk=study.chunk, values=values)
            record(pipeline.add(cell))
        record(pipeline.drain())
    finally:
        executor.close()
        bar.close()
    if failed:
        raise IncompleteStudy(failed)
    return outputs


# --- results ---------------------------------------------------------------------------------------------------------


def short_name(path: str) -> str:
    """A parameter's key path without the words every path shares: ``japan.leader.confidence.russia``."""
    parts = path.removeprefix("scenario.").split(".")
    return ".".join(p for p in parts if p not in ("countries", "ministries"))


def ranking(study: Study, indices: pd.DataFrame, runs: int) -> str:
    """Per output, the parameters from the most to the least influential (by μ* or ST), one line each."""
    morris = study.design.method == "morris"
    columns = ("mu_star", "mu_star_conf", "mu", "sigma") if morris else ("ST", "ST_conf", "S1", "S1_conf")
    headings = ("μ*", "± 95%", "μ", "σ") if morris else ("ST", "± 95%", "S1", "± 95%")
    meaning = "μ*: mean |elementary effect| over the whole range, σ: their spread" if morris else "ST total, S1 alone"
    lines = [
        f"{'Morris screening' if morris else 'Sobol indices'} of {study.scenario.get('name', 'the scenario')}: "
        f"{len(study.parameters)} parameters, {runs} samples × {study.replicates} replicates, {study.rounds} rounds, "
        f"seed {study.design.seed} ({meaning})"
    ]
    width = max(len(short_name(p)) for p in study.parameters)
    for output, table in indices.groupby("output", sort=False):
        lines += ["", f"{output}: {OUTPUTS[output.split('.')[0]]}"]
        lines.append(f"{'#':>4}  {'parameter':{width}}" + "".join(f"{h:>10}" for h in headings))
        order = table.sort_values(columns[0], ascending=False, kind="stable")
        for k, row in enumerate(order.itertuples(index=False), 1):
            numbers = "".join(f"{getattr(row, c):>{'+' if c == 'mu' else ''}10.3g}" for c in columns)  # μ: its sign
            lines.append(f"{k:>4}  {short_name(row.parameter):{width}}{numbers}")
    return "\n".join(lines) + "\n"


def _panels(count: int) -> tuple[Figure, np.ndarray]:
    cols = min(2, count)
    rows = -(-count // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(7.5 * cols, 5 * rows), layout="constrained", squeeze=False)
    for ax in axes.flat[count:]:
        ax.axis("off")
    return fig, axes.flat


def plot_morris(indices: pd.DataFrame) -> Figure:
    """μ* against σ for each output, one point per parameter with μ*'s interval, the most influential named; above
    the dashed line σ > μ*: the parameter acts non-linearly or through interactions."""
    groups = list(indices.groupby("output", sort=False))
    fig, axes = _panels(len(groups))
    for ax, (output, table) in zip(axes, groups, strict=False):
        ax.errorbar(table["mu_star"], table["sigma"], xerr=table["mu_star_conf"], fmt="o", capsize=3, alpha=0.8)
        notable = table.nlargest(MAX_LABELS, "mu_star")
        for row in notable[notable["mu_star"] > 0.05 * notable["mu_star"].max()].itertuples(index=False):
            at = (row.mu_star, row.sigma)
            ax.annotate(short_name(row.parameter), at, xytext=(4, 3), textcoords="offset points", fontsize=7)
        top = max(float((table["mu_star"] + table["mu_star_conf"]).max()), float(table["sigma"].max()), 1e-12) * 1.05
        ax.plot([0, top], [0, top], ls="--", color="grey", lw=1, label="σ = μ*")
        ax.set_xlim(0, top)
        ax.set_ylim(0, top)
        ax.set_xlabel("μ* (mean |elementary effect|)")
        ax.set_ylabel("σ (spread of elementary effects)")
        ax.set_title(output, fontsize=10)
        ax.legend(fontsize=8, loc="upper left")
        ax.grid(alpha=0.3)
    fig.suptitle("Morris screening: influence (μ*) and non-linearity or interactions (σ)")
    return fig


def plot_sobol(indices: pd.DataFrame) -> Figure:
    """First-order (S1) and total (ST) Sobol' indices for each output, with their 95% intervals."""
    groups = list(indices.groupby("output", sort=False))
    fig, axes = _panels(len(groups))
    for ax, (output, table) in zip(axes, groups, strict=False):
        table = table.sort_values("ST", kind="stable")
        y = np.arange(len(table))
        ax.barh(y - 0.2, table["S1"], 0.4, xerr=table["S1_conf"], capsize=2, label="first order S1")
        ax.barh(y + 0.2, table["ST"], 0.4, xerr=table["ST_conf"], capsize=2, label="total ST")
        ax.set_yticks(y, [short_name(p) for p in table["parameter"]], fontsize=7)
        ax.axvline(0, color="black", lw=0.8)
        values = table[["S1", "ST"]].to_numpy()
        ax.set_xlim(min(-0.1, values.min()) - 0.05, max(1.0, values.max()) + 0.05)  # wider intervals run off
        ax.set_xlabel("share of the output's variance")
        ax.set_title(output, fontsize=10)
        ax.legend(fontsize=8, loc="lower right")
        ax.grid(alpha=0.3, axis="x")
    fig.suptitle("Sobol' indices: variance explained alone (S1) and with interactions (ST)")
    return fig


def write_analysis(study: Study, samples: pd.DataFrame, indices: pd.DataFrame, pairs: pd.DataFrame) -> Path:
    """Write ``output_dir/analysis/`` under a temporary name, then put it in place of any older one."""
    out = study.output_dir / "analysis"
    partial = study.output_dir / f".analysis.partial-{os.getpid()}"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    try:
        samples.to_parquet(partial / "samples.parquet", index=False)
        tables = {"indices": indices} | ({"second_order": pairs} if len(pairs) else {})
        for name, table in tables.items():
            table.to_parquet(partial / f"{name}.parquet", index=False)
            table.to_csv(partial / f"{name}.csv", index=False)
        (partial / "ranking.txt").write_text(ranking(study, indices, len(samples)))
        (partial / "study.yaml").write_text(yaml.safe_dump(study.to_dict(), sort_keys=False, allow_unicode=True))
        fig = plot_morris(indices) if study.design.method == "morris" else plot_sobol(indices)
        fig.savefig(partial / f"{study.design.method}.png", dpi=150)
        plt.close(fig)
        shutil.rmtree(out, ignore_errors=True)
        partial.rename(out)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return out


def run_study(study: Study, *, progress: bool = True) -> Path:
    """Sample, evaluate every sample as a sweep cell, analyse and write; return the analysis directory."""
    x = study.design.sample(study.problem)
    samples = evaluate(study, x, progress=progress)
    outputs = samples.drop(columns=["sample", "cell", *study.parameters])
    indices, pairs = study.design.analyze(study.problem, x, outputs)
    return write_analysis(study, samples, indices, pairs)


# --- command line ----------------------------------------------------------------------------------------------------

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
