"""The bounds a study gives the scenario's values it varies or calibrates: ``{scenario: {key path: [low, high]}}``."""

from __future__ import annotations

from collections.abc import Mapping

from sim.model import schema
from sim.model.errors import ScenarioError
from sim.model.scenario.keypaths import get_path, leaves


def scenario_bounds(raw: object, section: str, scenario: Mapping, purpose: str) -> dict[str, tuple[float, float]]:
    """Key path → (low, high) from a config ``section`` shaped like ``{scenario: {shock_scale: [0.2, 1.0], …}}``, each
    path an existing number of the base ``scenario``; ``purpose`` ("vary", "calibrate") words the error for another
    kind of value."""
    schema.mapping(raw, section, {"scenario"})
    paths = dict(leaves(raw.get("scenario") or {}, "scenario"))
    if not paths:
        raise ScenarioError(section, dict(raw), "at least one of the scenario's values with its bounds [low, high]")
    out = {}
    for path, bounds in paths.items():
        low, high = schema.bounds(bounds, f"{section}.{path}")
        current = get_path({"scenario": scenario}, path)
        if isinstance(current, bool) or not isinstance(current, int | float):
            raise ScenarioError(path, current, f"a number to {purpose} (this key holds something else)")
        out[path] = (low, high)
    return out
