"""A round, in the order of docs/model.md §4 ("The order of a round"), for any model of the world.

1. Dated changes of the round apply: the scenario in force becomes that phase's.
2. Memory and drift: each ministry's baseline moves toward its confidence, then confidence drifts toward the baseline.
3. Measures in force weigh on their observers.
4. Scheduled events strike (read by the target, and by third countries by their stances).
5. Random events are drawn.
6. The calendar's meetings of the round are held, unless suspended or ended by date, or lapsed by rule.
7. The state is recorded.

A :class:`World` is what a model offers these steps: the engine does each to R replicates at once, the agent model
agent by agent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

import numpy as np

from sim.model.plan.compiled import EntryPlan, EventPlan, LapseRule, Observation, Plan, RandomEventPlan, plan_for
from sim.model.plan.dice import Dice, MeetingDice
from sim.model.procedures.calendar import hold
from sim.model.procedures.talks import TalksState
from sim.model.record.recorder import Recorder
from sim.model.rules.confidence import goldstein_strength
from sim.model.scenario.specs import Change, ScenarioSpec


class World(Protocol):
    """A model of the world, as the procedures of a round reach it; values per replicate have R entries."""

    plan: Plan  # the scenario in force, compiled
    phases: Mapping[int, ScenarioSpec]  # the scenario in force from each round with dated changes
    changes: tuple[Change, ...]
    recorder: Recorder
    dice: Dice
    talks: dict[str, TalksState]
    withdrawn: dict[str, np.ndarray]  # per series that parties can leave: (R,) where a party has left for good

    def take(self, plan: Plan) -> None:
        """A new phase of the scenario is in force: take its values."""

    def drift(self) -> None:
        """One round between contacts: memory, then drift toward the baseline (docs/model.md §2.2, §4.3)."""

    def observe(self, observations: tuple[Observation, ...], about: str) -> None:
        """Each observer reads an act of an actor (an event, a measure) as its strength says (§3)."""

    def observe_random(self, events: RandomEventPlan, struck: np.ndarray, goldstein: np.ndarray, strength) -> None:
        """Each target reads the random events that struck (R, P), of Goldstein values and signed strengths (R, P)
        (§3)."""

    def pair_confidence(self, rule: LapseRule) -> np.ndarray:
        """(R, pairs): country-level confidence of each directed pair of a series' members (§4.1)."""

    def meet(self, round_: int, meeting: EntryPlan, host: str, dice: MeetingDice, held: np.ndarray | None) -> None:
        """Hold a meeting with its draws ``dice``: everywhere, or only in the replicates ``held``."""

    def capture(self, round_: int) -> None:
        """Record the state at the end of ``round_``."""


def play_round(world: World, round_: int) -> None:
    """Round ``round_`` of ``world``, in the order above."""
    if round_ in world.phases:
        enter_phase(world, round_, world.phases[round_])
    world.drift()
    plan = world.plan
    for measure in plan.measures:
        if measure.measure.in_force(round_):
            world.observe(measure.observations, measure.measure.name)
            world.recorder.log_measure(round_, measure.measure)
    for event in plan.events.get(round_, ()):
        strike(world, round_, event)
    if plan.random_events:
        u = world.dice.take(plan.random_slots)  # a fixed number of draws per round, whatever strikes
        offset = 0
        for events in plan.random_events:
            draw_random_events(world, round_, events, u[:, offset : offset + events.slots])
            offset += events.slots
    for k, meeting in enumerate(plan.calendar):
        if meeting.entry.scheduled(round_):
            hold(world, round_, meeting, plan.lapse_rules.get(k))
    world.capture(round_)


def enter_phase(world: World, round_: int, scenario: ScenarioSpec) -> None:
    """The dated changes of ``round_``, between rounds: ``scenario`` (that phase) is in force from now on."""
    world.plan = world.recorder.plan = plan = plan_for(scenario)
    for name, state in world.talks.items():
        state.conditions_changed(plan.talks[name])
    world.take(plan)
    for change in world.changes:
        if change.round == round_:
            world.recorder.log_change(round_, change)


def strike(world: World, round_: int, event: EventPlan) -> None:
    """A scheduled event (or one injected by hand): observed by its target and by third countries, and recorded in
    every replicate."""
    e = event.event
    world.observe(event.observations, e.note or e.cameo or "event")
    replicates = np.arange(world.recorder.replicates)
    world.recorder.log_events(round_, replicates, e.source, e.target, e.cameo, e.goldstein, e.note)


def draw_random_events(world: World, round_: int, events: RandomEventPlan, u: np.ndarray) -> None:
    """Random events in every directed pair, from the round's uniforms ``u`` (R, 2P): observed and recorded where
    they strike."""
    struck, goldstein, pick = events.draw(u)
    world.observe_random(events, struck, goldstein, goldstein_strength(goldstein, world.plan.scenario.shock_scale))
    rep, p = np.nonzero(struck)
    cameo = np.array(events.spec.cameo, dtype=object)[pick[rep, p]] if pick is not None else None
    source, target = events.source_names[p], events.target_names[p]
    world.recorder.log_events(round_, rep, source, target, cameo, goldstein[rep, p], events.spec.note)
