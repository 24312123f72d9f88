"""A sensitivity study: the base scenario, the parameters with their bounds, the outputs, the design and the ensemble
each sample runs as; read from ``conf/sensitivity/NAME.yaml`` (or a YAML file) with overrides, and checked."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sim.io.library import config_dir, load_scenario, scenario_data
from sim.model import schema
from sim.model.errors import ScenarioError
from sim.model.scenario.keypaths import nested, with_values
from sim.study.executor import BACKENDS
from sim.study.keypaths import scenario_bounds
from sim.study.sensitivity.design import METHODS, Design

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
            "parameters": nested({path: list(bounds) for path, bounds in self.parameters.items()}),
            "scenario": dict(self.scenario),
        }


def available_studies() -> list[str]:
    """Names of the shipped studies."""
    return sorted(p.stem for p in (config_dir() / "sensitivity").glob("*.yaml"))


def _given(raw: Mapping, key: str) -> object:
    """The study's ``key``, which must be given (``conf/study.yaml`` gives the shipped studies their defaults)."""
    if key not in raw:
        raise ScenarioError(key, None, "a value (a study file of its own gives every setting of conf/study.yaml)")
    return raw[key]


def _design(raw: Mapping) -> Design:
    method = schema.name(_given(raw, "method"), "method", METHODS)
    samples = schema.integer(_given(raw, "samples"), "samples", 2)
    if method == "sobol" and samples & (samples - 1):
        raise ScenarioError("samples", samples, "a power of 2 for Sobol' (its sequence is balanced there)")
    levels = schema.integer(_given(raw, "levels"), "levels", 2)
    if levels % 2:
        raise ScenarioError("levels", levels, "an even number of Morris grid levels")
    second_order = _given(raw, "second_order")
    if not isinstance(second_order, bool):
        raise ScenarioError("second_order", second_order, "true or false")
    return Design(method, samples, levels, second_order, schema.integer(_given(raw, "seed"), "seed", 0))


def parse_study(raw: Mapping, name: str) -> Study:
    """A checked study from a plain mapping (a composed study config, see ``negsim sensitivity``), named ``name``
    unless it names itself: the base ``scenario`` as a mapping (or a shipped name or a YAML file), ``parameters`` as
    the scenario's keys to vary with their ``[low, high]`` bounds at their place in the scenario, the design and the
    ensemble settings (every key of ``conf/study.yaml``)."""
    for key in raw:
        schema.name(key, key, STUDY_KEYS)
    scenario = _given(raw, "scenario")  # first: a file it names is read (safely) before anything else is checked
    scenario = dict(scenario_data(scenario)) if isinstance(scenario, str) else schema.mapping(scenario, "scenario")
    address = _given(raw, "address")
    if address is not None and not isinstance(address, str):
        raise ScenarioError("address", address, "a Ray cluster address or null")
    name = raw.get("name") or name
    study = Study(
        name=schema.identifier(name, "name"),
        scenario=scenario,
        parameters=scenario_bounds(_given(raw, "parameters"), "parameters", scenario, "vary"),
        outputs=schema.names(_given(raw, "outputs"), "outputs", OUTPUTS),
        design=_design(raw),
        replicates=schema.integer(_given(raw, "replicates"), "replicates", 1),
        rounds=schema.integer(_given(raw, "rounds"), "rounds", 1),
        workers=schema.integer(_given(raw, "workers"), "workers", 1),
        backend=schema.name(_given(raw, "backend"), "backend", BACKENDS),
        address=address,
        chunk=schema.integer(_given(raw, "chunk"), "chunk", 1),
        output_dir=Path(_given(raw, "output_dir") or f"outputs/sensitivity/{name}"),
    )
    for corner in (0, 1):  # every sample lies between the two corners: check both before any work
        load_scenario(study.cell_config({k: float(b[corner]) for k, b in study.parameters.items()})["scenario"])
    return study
