"""A calibration: the base scenario, the priors over its parameters, the observed record and the sampler's settings;
read from ``conf/calibration/NAME.yaml`` (or a YAML file) with overrides, and checked."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sim.io.library import config_dir, load_scenario, scenario_data
from sim.model import schema
from sim.model.errors import ScenarioError
from sim.model.scenario.keypaths import nested, with_values
from sim.study.keypaths import scenario_bounds

DISTANCES = {
    "adaptive": "Euclidean, each statistic scaled by its spread in the last generation (pyabc AdaptivePNormDistance)",
    "euclidean": "plain Euclidean distance between the series (pyabc PNormDistance, p = 2)",
}
DEFAULTS: dict[str, object] = {  # what a calibration takes for a setting it leaves out
    "actors": None,  # the file's actor names → the scenario's; None: the scenario's own names, in any case
    "rounds": 40,
    "period": 1,  # rounds per period of the summary series
    "replicates": 1,  # histories simulated per particle (one batch of the ensemble engine; see .distance)
    "population": 200,
    "generations": 6,
    "epsilon": 0.0,  # stop once the acceptance threshold is below it
    "distance": "adaptive",
    "workers": 1,
    "seed": 2013,
    "predictive": 100,  # posterior draws for the posterior-predictive bands
    "output_dir": None,  # default outputs/calibration/NAME
}
KEYS = ("name", "scenario", "priors", "observed", *DEFAULTS)


@dataclass(frozen=True)
class Calibration:
    """A checked calibration: what to vary (uniform priors ``[low, high]`` at key paths ``scenario.…``), what was
    observed, and how to sample."""

    name: str
    scenario: Mapping  # the base scenario as a plain mapping
    priors: Mapping[str, tuple[float, float]]
    observed: Path
    actors: Mapping[str, str] | None
    rounds: int
    period: int
    replicates: int
    population: int
    generations: int
    epsilon: float
    distance: str
    workers: int
    seed: int
    predictive: int
    output_dir: Path

    def scenario_with(self, values: Mapping[str, float]) -> dict:
        """The base scenario with ``values`` at their key paths (``scenario.…``)."""
        return with_values({"scenario": self.scenario}, values)["scenario"]

    def to_dict(self) -> dict:
        """The calibration as plain values, as :func:`parse_calibration` reads it."""
        out = {k: getattr(self, k) for k in KEYS if k not in ("priors", "observed", "output_dir", "scenario")}
        return out | {
            "observed": str(self.observed),
            "output_dir": str(self.output_dir),
            "actors": dict(self.actors) if self.actors is not None else None,
            "priors": nested({path: list(bounds) for path, bounds in self.priors.items()}),
            "scenario": dict(self.scenario),
        }


def available_calibrations() -> list[str]:
    """Names of the shipped calibrations."""
    return sorted(p.stem for p in (config_dir() / "calibration").glob("*.yaml"))


def parse_calibration(raw: Mapping, name: str) -> Calibration:
    """A checked calibration from a plain mapping (a composed ``conf/calibration/NAME.yaml``), named ``name`` unless it
    names itself. A relative ``observed`` path is taken from the working directory, else from conf/calibration/."""
    for key in raw:
        schema.name(key, key, KEYS)
    scenario = raw.get("scenario")
    if scenario is None:
        raise ScenarioError("scenario", None, "a base scenario: a shipped name, a YAML file or a mapping")
    scenario = dict(scenario_data(scenario)) if isinstance(scenario, str) else schema.mapping(scenario, "scenario")
    value = {**DEFAULTS, **raw}
    name = schema.identifier(raw.get("name") or name, "name")
    actors = value["actors"]
    if actors is not None:
        actors = {
            schema.text(k, "actors"): schema.text(v, f"actors.{k}") for k, v in schema.mapping(actors, "actors").items()
        }
    calibration = Calibration(
        name=name,
        scenario=scenario,
        priors=scenario_bounds(raw.get("priors"), "priors", scenario, "calibrate"),
        observed=_observed(raw.get("observed")),
        actors=actors,
        rounds=schema.integer(value["rounds"], "rounds", 1),
        period=schema.integer(value["period"], "period", 1),
        replicates=schema.integer(value["replicates"], "replicates", 1),
        population=schema.integer(value["population"], "population", 2),
        generations=schema.integer(value["generations"], "generations", 1),
        epsilon=schema.number(value["epsilon"], "epsilon", 0.0),
        distance=schema.name(value["distance"], "distance", DISTANCES),
        workers=schema.integer(value["workers"], "workers", 1),
        seed=schema.integer(value["seed"], "seed", 0),
        predictive=schema.integer(value["predictive"], "predictive", 1),
        output_dir=Path(value["output_dir"] or f"outputs/calibration/{name}"),
    )
    if calibration.period > calibration.rounds:
        raise ScenarioError("period", calibration.period, f"at most rounds ({calibration.rounds})")
    for corner in (0, 1):  # every particle lies between the two corners: check both before any work
        load_scenario(calibration.scenario_with({k: float(b[corner]) for k, b in calibration.priors.items()}))
    return calibration


def _observed(raw: object) -> Path:
    if raw is None:
        raise ScenarioError("observed", None, "the path of a CSV file of dated events (read with sim.read_events)")
    path = Path(schema.text(raw, "observed"))
    shipped = config_dir() / "calibration" / path
    if not path.is_file() and not path.is_absolute() and shipped.is_file():
        return shipped
    if not path.is_file():
        raise ScenarioError("observed", str(raw), "a readable CSV file of dated events")
    return path
