"""Sampled designs: points spread over ranges of named config values, as an alternative to a sweep's grid.

A Latin hypercube (McKay, Beckman & Conover 1979) puts exactly one point in each of ``samples`` equal slices of every
range; a scrambled Sobol' sequence (Sobol' 1967; Owen 1998) fills the space evenly at powers of 2. Both come from
``scipy.stats.qmc``. A range whose bounds are both whole numbers gives whole numbers (a round, a count).

``negsim sweep design=lhs …`` reads the design from its composed config (``sim.cli.settings.design_of``, checked
before any cell) and negsim's Hydra sweeper turns each point into one job (:func:`point_overrides`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from sim.model import schema
from sim.model.errors import ScenarioError, one_of
from sim.model.scenario.keypaths import leaves

METHODS = ("lhs", "sobol")
DESIGN_KEYS = {"method", "samples", "seed", "ranges"}


@dataclass(frozen=True)
class Design:
    """``samples`` points of ``method`` over ``ranges`` (dotted config key → (low, high)), drawn from ``seed``."""

    method: str
    samples: int
    seed: int
    ranges: Mapping[str, tuple[float, float]]

    def points(self) -> list[dict[str, float | int]]:
        """The design's points, each a mapping of config key to value (whole numbers where both bounds are)."""
        from scipy.stats import qmc  # here: SciPy's statistics take a second to import, which a check need not wait for

        rng = np.random.default_rng(self.seed)
        dims = len(self.ranges)
        sampler = qmc.LatinHypercube(d=dims, rng=rng) if self.method == "lhs" else qmc.Sobol(d=dims, rng=rng)
        unit = sampler.random(self.samples)
        lows, highs = (np.array([bounds[k] for bounds in self.ranges.values()], dtype=float) for k in (0, 1))
        values = qmc.scale(unit, lows, highs)
        whole = [all(isinstance(b, int) for b in bounds) for bounds in self.ranges.values()]
        return [
            {key: round(v) if w else float(v) for key, v, w in zip(self.ranges, row, whole, strict=True)}
            for row in values
        ]


def parse_design(raw: Mapping, path: str = "design") -> Design:
    """A checked design from its config: ``method`` (lhs or sobol), ``samples``, ``seed`` and ``ranges`` written at
    their place in the config (``{scenario: {shock_scale: [0.2, 0.8]}}``)."""
    schema.mapping(raw, path, DESIGN_KEYS)
    method = schema.name(schema.require(raw, "method", path), f"{path}.method", METHODS)
    samples = schema.integer(schema.require(raw, "samples", path), f"{path}.samples", 2)
    if method == "sobol" and samples & (samples - 1):
        raise ScenarioError(
            f"{path}.samples", samples, "a power of 2 for Sobol' points (the sequence is balanced there)"
        )
    ranges = {}
    for key, given in leaves(schema.mapping(schema.require(raw, "ranges", path), f"{path}.ranges")):
        schema.bounds(given, f"{path}.ranges.{key}")
        ranges[key] = tuple(given)
    if not ranges:
        raise ScenarioError(
            f"{path}.ranges", {}, "at least one config value with its bounds: +design.ranges.KEY=[low,high]"
        )
    return Design(method, samples, schema.integer(schema.require(raw, "seed", path), f"{path}.seed", 0), ranges)


FIXED = ("seed", "sweep", "hydra", "design", "experiment")  # a cell's seed and the command's settings: never sampled


def sweep_design(config: Mapping, overridden: Iterable[str] = ()) -> Design | None:
    """The design of a sweep's composed config (``design:``, plain data), checked against that config: each range
    names a number the config has (not the seed or a setting) that no override of ``overridden`` also sets.
    ``None`` when the config has no design."""
    raw = config.get("design")
    if raw is None:
        return None
    design = parse_design(raw)
    overridden = set(overridden)
    for key in design.ranges:
        where = f"design.ranges.{key}"
        if key.split(".")[0] in FIXED:
            raise ScenarioError(where, None, "a value of the scenario or of an experiment", problem="not sampled")
        value = _number_at(config, key, where)
        if key in overridden:
            raise ScenarioError(
                where,
                None,
                "a key that is either sampled or set by an override",
                problem="also set on the command line or in the experiment's hydra.sweeper.params",
            )
        if isinstance(value, str) and value.startswith("${"):  # the value it copies is the one to sample
            raise ScenarioError(where, value, f"a number; sample the key it copies, {value.strip('${}')}")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ScenarioError(where, value, "a key whose value is a number")
    return design


def _number_at(config: Mapping, key: str, where: str) -> object:
    """The value at the dotted ``key`` of ``config`` (as a Hydra override reaches it: one key per dot)."""
    node, walked = config, []
    for part in key.split("."):
        if not isinstance(node, Mapping) or part not in node:
            known = [str(k) for k in node if k != "hydra"] if isinstance(node, Mapping) else []
            at = ".".join(walked) or "the top level"
            raise ScenarioError(where, None, one_of(known, part), problem=f"no key {part!r} at {at}")
        node, walked = node[part], [*walked, part]
    return node


def point_overrides(design: Design) -> list[list[str]]:
    """The design's points as Hydra overrides, one list per point (``key=value``, floats written to round-trip)."""
    return [[f"{key}={value!r}" for key, value in point.items()] for point in design.points()]
