"""The dashboard's adjustable values of a scenario (each ministry's starting confidence, priorities of the main issues,
trust gain and loss, concession style) and how the values chosen are written into the scenario."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, NamedTuple

from sim.io.library import config_dir, generated, load_scenario, read_yaml
from sim.model.errors import ScenarioError
from sim.model.scenario.specs import CountrySpec, MinistrySpec, ScenarioSpec
from sim.views.style import display_name

DEFAULT_SCENARIO = "tokyo_2013"
MAIN_ISSUES = 2  # issues with the most influence-weighted priority in a scenario, one slider each per ministry
MAX_COUNTRIES = 4  # scenarios offered: one control per ministry and one line per pair stay readable up to here
BEHAVIOUR = {  # behaviour parameter: label, slider range and step
    "trust_gain": ("trust gain α⁺", 0.0, 1.0, 0.01),
    "trust_loss": ("trust loss α⁻", 0.0, 1.0, 0.01),
    "concession": ("concession (<1 Boulware, >1 conceder)", 0.1, 4.0, 0.05),
}


class Control(NamedTuple):
    """One adjustable value of a scenario: its label, current value and slider range."""

    label: str
    value: float
    low: float
    high: float
    step: float

    @property
    def shown(self) -> float:
        """The value on the slider's grid, as the slider shows it."""
        return round(self.value / self.step) * self.step


def dashboard_scenarios() -> list[str]:
    """The shipped scenarios of at most :data:`MAX_COUNTRIES` countries (larger ones are for ``negsim run``).

    One that cannot be read is listed too, so that choosing it shows why.
    """
    names = []
    for path in sorted((config_dir() / "scenario").glob("*.yaml")):
        try:
            small = len(generated(read_yaml(path)).get("countries") or ()) <= MAX_COUNTRIES
        except ScenarioError:
            small = True
        if small:
            names.append(path.stem)
    return names


def main_issues(spec: ScenarioSpec) -> list[str]:
    """The scenario's issues with the most priority, weighing each ministry by its influence at home."""
    weight = {i: sum(m.influence * m.priorities[i] for m in spec.ministries) for i in spec.issues}
    return sorted(weight, key=weight.__getitem__, reverse=True)[:MAIN_ISSUES]


def confidence_in(ministry: MinistrySpec, other: CountrySpec) -> float:
    """A ministry's starting confidence in a country: its ministries weighted by their influence."""
    return sum(x.influence * ministry.confidence[x.key] for x in other.ministries)


def parameters(spec: ScenarioSpec, issues: list[str]) -> dict[str, Control]:
    """The adjustable values of each ministry, keyed ``country.ministry.confidence.other``,
    ``country.ministry.priority.issue`` or ``country.ministry.<behaviour>``."""
    out = {}
    for country in spec.countries:
        for m in country.ministries:
            who = f"{display_name(country.name)} {m.name}"
            for other in spec.countries:
                if other is not country:
                    label = f"{who}: confidence in {display_name(other.name)}"
                    out[f"{m.key}.confidence.{other.name}"] = Control(label, confidence_in(m, other), 0.0, 1.0, 0.01)
            for issue in issues:
                label = f"{who}: priority of {issue.replace('_', ' ')}"
                out[f"{m.key}.priority.{issue}"] = Control(label, m.priorities[issue], 0.0, 1.0, 0.01)
            for name, (what, low, high, step) in BEHAVIOUR.items():
                out[f"{m.key}.{name}"] = Control(f"{who}: {what}", getattr(m.behaviour, name), low, high, step)
    return out


def _priorities(current: Mapping[str, float], shares: Mapping[str, float], path: str) -> dict[str, float]:
    """Priorities with ``shares`` fixed and the other issues keeping their proportions in what is left."""
    total = sum(shares.values())
    if total > 1 + 1e-9:
        raise ScenarioError(path, {k: round(v, 3) for k, v in shares.items()}, "shares that add up to at most 1")
    rest = {k: w for k, w in current.items() if k not in shares}
    left = sum(rest.values())
    scale = max(0.0, 1 - total) / left if left > 0 else 0.0
    return {**{k: w * scale for k, w in rest.items()}, **shares}


def with_settings(data: dict, shipped: ScenarioSpec, settings: Mapping[str, Any]) -> dict:
    """A copy of the scenario mapping ``data`` with the dashboard's settings written into its ministries.

    Only keys of :func:`parameters` count, and the value a slider shows for the scenario's own (rounded to its
    step) stands for the exact value, so that untouched sliders give the scenario as shipped. A confidence moves
    the ministry's confidence in every ministry of that country by the same amount (keeping their differences);
    priority shares are set exactly, the other issues keeping their proportions; behaviour values replace the
    ministry's own.
    """
    known = parameters(shipped, list(shipped.issues))
    countries = {c.name: c for c in shipped.countries}
    data = copy.deepcopy(data)
    for m in shipped.ministries:
        prefix = f"{m.key}."
        mine = {
            k.removeprefix(prefix): v if abs(v - known[k].shown) >= known[k].step / 2 else known[k].value
            for k, v in settings.items()
            if k.startswith(prefix) and k in known
        }
        raw = data["countries"][m.country]["ministries"][m.name]
        confidence, shares = dict(m.confidence), {}
        for what, value in mine.items():
            kind, _, name = what.partition(".")
            if kind == "confidence":
                shift = value - known[prefix + what].value
                for x in countries[name].ministries:
                    confidence[x.key] = min(1.0, max(0.0, confidence[x.key] + shift))
            elif kind == "priority":
                shares[name] = value
            else:
                raw[kind] = value
        raw["confidence"] = confidence
        if any(m.priorities[k] != v for k, v in shares.items()):
            path = f"scenario.countries.{m.country}.ministries.{m.name}.priorities"
            raw["priorities"] = _priorities(m.priorities, shares, path)
    return data


def build_scenario(name: str, settings: Mapping[str, Any]) -> tuple[str, ScenarioSpec, str | None]:
    """The shipped scenario ``name`` with its ``settings`` applied (those keyed ``name:…``): (name, scenario, None).

    A mistake gives the scenario as shipped and the message instead, or the default scenario if ``name`` itself
    cannot be read, so that the page shows the error rather than failing.
    """
    try:
        data = read_yaml(config_dir() / "scenario" / f"{name}.yaml")
        shipped = ScenarioSpec.from_dict(data)
    except ScenarioError as e:
        return DEFAULT_SCENARIO, load_scenario(DEFAULT_SCENARIO), f"{e} — showing {DEFAULT_SCENARIO} instead"
    mine = {k.removeprefix(f"{name}:"): v for k, v in settings.items() if k.startswith(f"{name}:")}
    try:
        return name, ScenarioSpec.from_dict(with_settings(data, shipped, mine)), None
    except ScenarioError as e:
        return name, shipped, f"{e} — showing {name} as shipped"
