"""Batches across parameters: many points of one scenario's structure, each replicate of a batch with its own values.

A *point* is a scenario as written with some numbers changed at dotted key paths (``ministry_defaults.trust_gain``,
``countries.japan.ministries.leader.hawkishness``, ``talks.peace_treaty.horizon``, ``events.3.weight`` …): a design
point, a sensitivity sample, a calibration particle. Points that change only such values share the scenario's
structure, so they run as one ensemble whose plan carries a replicate axis on the values alone
(:func:`~sim.model.plan.compiled.batch_plan`), and each replicate computes what its own scenario computes, bit for bit.

No point is checked (parsed) one by one: each key path is *probed* — the base scenario is checked with the path at
the smallest and at the largest value the points give it — and the values the path sets are read off the two
probes. Every value in between is then valid too, since the scenario's checks on these values are ranges. A path that
changes the scenario's structure (a name, a role, an influence, a priority, the calendar, an option's value) or sets
a value otherwise than by carrying it is refused: such points are different scenarios.
"""

from __future__ import annotations

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
    values = {f.name: np.repeat(np.asarray(getattr(start, f.name))[None], len(points), axis=0) for f in fields(Values)}
    for key in keys:
        given = [p[key] for p in points]
        numbers = np.asarray(given, float)
        for field, where, scale in _probe(base, key, min(given), max(given), shape):
            carried = numbers[:, None] if scale is None else np.multiply.outer(numbers, scale)  # (R, entries)
            if where:  # entries of a value per ministry, per item, per event…
                values[field][(slice(None), *where)] = carried
            else:  # a single value (the spill-over, the shock scale)
                values[field][:] = carried[:, 0]
    return spec, Values(**values)


def _probe(base: Mapping, key: str, low, high, shape) -> list[tuple[str, tuple, np.ndarray | None]]:
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
