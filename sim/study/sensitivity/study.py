"""A sensitivity study: the base scenario, the parameters with their bounds, the outputs, the design and the ensemble
each sample runs as; read from ``conf/sensitivity/NAME.yaml`` (or a YAML file) with overrides, and checked."""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from sim.io.library import config_dir, load_scenario, read_yaml, scenario_data
from sim.model import schema
from sim.model.errors import ScenarioError, one_of
from sim.model.run import DEFAULT_ROUNDS, DEFAULT_SEED
from sim.study.cells import DEFAULT_CHUNK
from sim.study.executor import BACKENDS
from sim.study.keypaths import _locate, get_path, set_path, with_values
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
