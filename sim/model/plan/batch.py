"""Batches across parameters: many points of one scenario's structure, each replicate of a batch with its own values.

A *point* is a scenario as written with some numbers changed at dotted key paths (``ministry_defaults.trust_gain``,
``countries.japan.ministries.leader.hawkishness``, ``talks.peace_treaty.horizon``, ``events.3.weight`` …): a design
point, a sensitivity sample, a calibration particle. Points that change only such values share the scenario's
structure, so they run as one ensemble whose plan carries a replicate axis on the values alone
(:func:`~sim.model.plan.compiled.batch_plan`), and each replicate computes what its own scenario computes, bit for bit.

No point is checked (parsed) one by one. Where each key path lands — the entries of :class:`Values` it sets — is
found once per scenario and path by *probing* it: parsing the scenario with the path at two values and reading which
entries changed (kept for the next batch of the same scenario). Each batch is then checked with two parses: every path
at the smallest value the points give it, and every path at the largest; each entry must carry its path's value and
the structure must stay the same. Every value in between is then valid too, since the scenario's checks on these
values are ranges. A path that changes the scenario's structure (a name, a role, an influence, a priority, the
calendar, an option's value), sets a value otherwise than by carrying it, or sets an entry another path also sets is
refused: such points are different scenarios.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import fields, replace

import numpy as np

from sim.model.cameo import goldstein_table
from sim.model.errors import ScenarioError
from sim.model.plan.compiled import BEHAVIOUR, Values
from sim.model.scenario.keypaths import with_values
from sim.model.scenario.specs import Behaviour, ScenarioSpec


def batch_values(base: Mapping, points: Sequence[Mapping[str, float]]) -> tuple[ScenarioSpec, Values]:
    """The base scenario (as written) checked, and the :class:`Values` of each point stacked on a leading replicate
    axis (R = ``len(points)``). Every point changes the same key paths."""
    if not points:
        raise ScenarioError("points", [], "at least one point")
    keys = list(points[0])
    for k, point in enumerate(points):
        if list(point) != keys:
            raise ScenarioError(f"points[{k}]", sorted(point), f"the key paths of the first point: {sorted(keys)}")
    spec = ScenarioSpec.from_dict(base)
    if spec.phases:
        raise ScenarioError(
            "scenario.changes", len(spec.changes), "a scenario without dated changes, to batch its points"
        )
    shape, start = _structure(spec), Values.of(spec)
    text = json.dumps(base, default=str)
    lows = {key: min(p[key] for p in points) for key in keys}
    highs = {key: max(p[key] for p in points) for key in keys}
    carriers = {key: _carriers(text, base, key, lows[key], highs[key], shape) for key in keys}
    _check_ends(base, carriers, lows, highs, shape)
    values = {f.name: np.repeat(np.asarray(getattr(start, f.name))[None], len(points), axis=0) for f in fields(Values)}
    for key in keys:
        numbers = np.asarray([p[key] for p in points], float)
        for field, where, scale in carriers[key]:
            carried = numbers[:, None] if scale is None else np.multiply.outer(numbers, scale)  # (R, entries)
            if where:  # entries of a value per ministry, per item, per event…
                values[field][(slice(None), *where)] = carried
            else:  # a single value (the spill-over, the shock scale)
                values[field][:] = carried[:, 0]
    return spec, Values(**values)


Carrier = tuple[str, tuple, "np.ndarray | None"]  # a field of Values, its entries, the factor they carry a value by
_FOUND: dict[tuple[str, str], list[Carrier]] = {}  # (scenario as JSON, key path) → where the path lands
MAX_FOUND = 1024


def _carriers(text: str, base: Mapping, key: str, low, high, shape: tuple) -> list[Carrier]:
    """The entries ``key`` sets (:func:`_probe`), found once per scenario and key path."""
    found = _FOUND.get((text, key))
    if found is None:
        found = _probe(base, key, low, high, shape)
        if low != high or found:  # two values told where the path lands (one value equal to the scenario's did not)
            if len(_FOUND) >= MAX_FOUND:
                _FOUND.clear()
            _FOUND[(text, key)] = found
    return found


def _check_ends(base: Mapping, carriers: dict[str, list[Carrier]], lows: dict, highs: dict, shape: tuple) -> None:
    """Check a batch: the scenario with every key path at its smallest value, and at its largest, keeps its structure,
    and each path's entries carry its value (and no entry is set by two paths)."""
    owner: dict[tuple, str] = {}
    for key, found in carriers.items():
        for field, where, _ in found:
            for entry in zip(*where, strict=True) if where else [()]:
                other = owner.setdefault((field, *map(int, entry)), key)
                if other != key:
                    raise ScenarioError(key, other, "key paths that set different values (these two set the same one)")
    ends = [lows] if lows == highs else [lows, highs]
    for end in ends:
        probe = ScenarioSpec.from_dict(with_values(base, end, create=True))
        if _structure(probe) != shape:
            raise ScenarioError(
                ", ".join(end), list(end.values()), "values that leave the scenario's structure as it is"
            )
        got = Values.of(probe)
        for key, found in carriers.items():
            for field, where, scale in found:
                have = np.asarray(getattr(got, field))[where] if where else np.asarray(getattr(got, field))
                want = end[key] if scale is None else scale * end[key]
                if not np.array_equal(have, np.broadcast_to(want, np.shape(have))):
                    raise ScenarioError(key, end[key], "a value the scenario carries as it is (to batch it)")


def _probe(base: Mapping, key: str, low, high, shape) -> list[Carrier]:
    """The values ``key`` sets: (field of :class:`Values`, its entries, the factor each entry carries the key's value
    by — None for the value itself, the code's Goldstein value for an event's weight)."""
    ends = (low, high) if low != high else (None, high)  # one value: compare it with the scenario as written
    probes = [ScenarioSpec.from_dict(base if v is None else with_values(base, {key: v}, create=True)) for v in ends]
    if any(_structure(p) != shape for p in probes):
        raise ScenarioError(key, [low, high], "a value that leaves the scenario's structure as it is (to batch it)")
    found = [Values.of(p) for p in probes]
    out = []
    for f in fields(Values):
        a, b = (np.asarray(getattr(v, f.name)) for v in found)
        changed = a != b
        if not changed.any():
            continue
        if f.name == "goldstein":  # an event's value is its code's, times its weight
            table = goldstein_table()
            scale = np.array([table[e.cameo].goldstein if e.cameo else np.nan for e in probes[1].events])[changed]
            carries = np.array_equal(b[changed], scale * high) and (
                ends[0] is None or np.array_equal(a[changed], scale * low)
            )
        else:
            scale = None
            carries = (b[changed] == high).all() and (ends[0] is None or (a[changed] == low).all())
        if not carries:
            raise ScenarioError(key, [low, high], "a value the scenario carries as it is (to batch it)")
        out.append((f.name, np.nonzero(changed) if changed.ndim else (), scale))
    return out


def _structure(spec: ScenarioSpec) -> tuple:
    """Everything of a scenario but its :class:`Values`: what points of one batch must share."""
    still = Behaviour(**dict.fromkeys(BEHAVIOUR, 0.0))
    countries = tuple(
        replace(
            c,
            ministries=tuple(
                replace(m, behaviour=still, confidence=dict.fromkeys(m.confidence, 0.0)) for m in c.ministries
            ),
        )
        for c in spec.countries
    )
    bare = replace(
        spec,
        countries=countries,
        spillover=0.0,
        shock_scale=0.0,
        frictions=tuple(replace(f, severity=0.0) for f in spec.frictions),
        cooperation=tuple(
            replace(i, benefit=dict.fromkeys(i.benefit, 0.0), exposure=dict.fromkeys(i.exposure, 0.0))
            for i in spec.cooperation
        ),
        talks=tuple(replace(t, confidence_effect=0.0, discount=0.0, horizon=0) for t in spec.talks),
        events=tuple(replace(e, goldstein=float(np.sign(e.goldstein))) for e in spec.events),
    )
    return tuple(getattr(bare, f.name) for f in fields(ScenarioSpec) if f.name != "phases")
