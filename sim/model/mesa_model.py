"""The Mesa model: countries and ministries who meet by a calendar, decide, and learn whom to trust — one run.

It is the same model as the vectorised engine (:mod:`sim.model.engine`), written agent by agent: for a scenario and
an integer seed it draws the same uniforms in the same slots and produces the same run as
``simulate_ensemble(scenario, [seed])`` (tested in ``tests/test_agent_model.py``).
"""

from __future__ import annotations

from functools import partial
from itertools import permutations

import mesa
import numpy as np

from sim.model.agents import Country, Delegation, Ministry
from sim.model.engine import DRAW_BLOCK
from sim.model.meeting import hold
from sim.model.plan import EntryPlan, EventPlan, Observation, RandomEventPlan, plan_for
from sim.model.record import Recorder
from sim.model.result import RunResult
from sim.model.rules.confidence import goldstein_strength
from sim.model.scenario.specs import ScenarioSpec


def pair_confidence(model: NegotiationModel, country: str, counterpart: str) -> float:
    """Model reporter: ``country``'s confidence in ``counterpart``."""
    return model.countries[country].confidence_in(model.countries[counterpart])


def settlement_state(model: NegotiationModel, talks: str) -> int:
    """Model reporter: the outcome settled in ``talks`` (its row of the outcome grid), -1 while unsettled."""
    return int(model.settlement[talks][0])


class NegotiationModel(mesa.Model):
    """Countries and ministries who meet by a calendar, cooperate or not, voice frictions and bargain.

    A round (:meth:`step`): dated changes apply; each ministry's confidence drifts toward its baseline; measures in
    force and the round's scheduled events are observed; random events strike where drawn; the calendar's meetings
    are held in order (:func:`sim.model.meeting.hold`); the state is recorded.

    Args:
        scenario: a checked :class:`~sim.model.scenario.specs.ScenarioSpec` (kept as ``self.spec``: ``scenario`` is
            Mesa's own attribute).
        rng: an integer seed (Mesa's convention): the run equals ``simulate(…, seed=rng)``. A Generator or None is
            accepted as Mesa accepts them, but Mesa then draws one number from it to seed ``self.random``.
        ministry_every: record ministry-pair confidence every this many rounds (0: never).

    ``self.datacollector`` collects, every round, each directed country pair's confidence and each talks'
    settlement (model reporters) and each ministry's confidence and last action (``agenttype_reporters``).
    """

    def __init__(self, scenario: ScenarioSpec, *, rng: int | None = None, ministry_every: int = 1):
        super().__init__(rng=rng)
        self.seed_value = rng
        self.spec = scenario
        self.plan = plan = plan_for(scenario)
        self.round = 0
        n = plan.size
        self.countries: dict[str, Country] = {}
        self.ministries: list[Ministry] = []
        for k, c in enumerate(scenario.countries):
            first = plan.blocks[c.name].start
            members = [
                Ministry(self, m, first + j, plan.initial[first + j, :n].tolist()) for j, m in enumerate(c.ministries)
            ]
            self.ministries += members
            self.countries[c.name] = Country(self, c, k, members)
        self.sessions = {name: np.zeros(1, dtype=int) for name in plan.talks}
        self.settlement = {name: np.full(1, -1) for name in plan.talks}
        self.settled_round = {name: np.full(1, -1) for name in plan.talks}
        self.rejected_at = self._no_rejections()
        self.withdrawn = {e.name: False for e in scenario.calendar if e.withdraw_below}
        self._phases, self._changes = dict(scenario.phases), scenario.changes
        self.remembering = False  # whether baselines move with experience (once they do, they go on doing so)
        self._delegations: dict[str, list[tuple[Delegation, Delegation]]] = {}
        self._buffer: list[float] = []
        self.recorder = Recorder(plan, 1, ministry_every)
        self.recorder.capture(0, self.confidence[None])
        pairs = {
            f"confidence {a}->{b}": partial(pair_confidence, country=a, counterpart=b)
            for a, b in permutations(self.countries, 2)
        }
        settlements = {f"settlement {t}": partial(settlement_state, talks=t) for t in plan.talks}
        self.datacollector = mesa.DataCollector(
            model_reporters=pairs | settlements,
            agenttype_reporters={Ministry: {"confidence": "confidence", "last_action": "last_action"}},
        )
        self.datacollector.collect(self)

    @property
    def confidence(self) -> np.ndarray:
        """The ministry-by-ministry confidence matrix (M × M), read from the ministries."""
        return np.array([m.trust for m in self.ministries])

    def uniforms(self, n: int) -> list[float]:
        """The next ``n`` uniforms of ``self.rng``: the engine's slots (:meth:`sim.model.engine.Engine.uniforms`)."""
        if len(self._buffer) < n:
            self._buffer += self.rng.random(max(DRAW_BLOCK, n)).tolist()
        drawn, self._buffer = self._buffer[:n], self._buffer[n:]
        return drawn

    def step(self) -> None:
        """One round: changes, drift, measures, scheduled and random events, the calendar's meetings, the record."""
        self.round += 1
        r, plan = self.round, self.plan
        for m in self.ministries:
            m.reasons.clear()
        if r in self._phases:
            self._change(r)
            plan = self.plan
        self.remembering = self.remembering or plan.remembers
        for m in self.ministries:
            m.drift(self.remembering)
        for measure in plan.measures:
            if measure.measure.in_force(r):
                self.observe(measure.observations, measure.measure.name)
                self.recorder.log_measure(r, measure.measure)
        for event in plan.events.get(r, ()):
            self.strike(r, event)
        if plan.random_events:
            u = self.uniforms(plan.random_slots)  # a fixed number of draws per round, whatever strikes
            offset = 0
            for random_events in plan.random_events:
                self.random_events(r, random_events, u[offset : offset + random_events.slots])
                offset += random_events.slots
        for k, meeting in enumerate(plan.calendar):
            if meeting.entry.scheduled(r):
                hold(self, r, meeting, plan.lapse_rules.get(k))
        self.recorder.capture(r, self.confidence[None])
        self.datacollector.collect(self)

    def delegations(self, meeting: EntryPlan) -> list[tuple[Delegation, Delegation]]:
        """Each dyad's two delegations to ``meeting`` (built once per phase of the scenario)."""
        found = self._delegations.get(meeting.entry.name)
        if found is None:
            sides = meeting.sides
            found = [
                tuple(Delegation(self.countries[sides[s].names[d]], sides[s], d) for s in (0, 1))
                for d in range(meeting.dyads)
            ]
            self._delegations[meeting.entry.name] = found
        return found

    def observe(self, observations: tuple[Observation, ...], act: str) -> None:
        """Each observer's ministries read an act of the actor's ministries, as cooperation or defection by the sign
        of its strength (:meth:`sim.model.engine.Engine._observe_act`)."""
        ministries = self.ministries
        for o in observations:
            strength, good = abs(o.strength), o.strength >= 0
            actors = ministries[o.actor]
            what = f"{actors[0].country.name} acted, strength {o.strength:+.3f}"
            for i, observer in enumerate(ministries[o.observer]):
                observer.sees(actors, [strength * o.observe[i] * x for x in o.acting], good, act, what)

    def strike(self, round_: int, ev: EventPlan) -> None:
        """A scheduled event (or one injected by hand): observed as :meth:`observe` says, and recorded."""
        e = ev.event
        self.observe(ev.observations, e.note or e.cameo or "event")
        self.recorder.log_events(round_, np.arange(1), e.source, e.target, e.cameo, e.goldstein, e.note)

    def random_events(self, round_: int, ev: RandomEventPlan, u: list[float]) -> None:
        """Random events in every directed pair (each pair of countries once): of two uniforms per pair, the first
        says whether an event strikes, the second which value it has; the target's ministries observe the source's
        (:meth:`sim.model.engine.Engine._draw_events`, which draws every pair's value at once: so do we)."""
        pairs, ministries, n = len(ev.spec.pairs), self.ministries, self.plan.size
        struck = [x < ev.spec.rate for x in u[:pairs]]
        goldstein, pick = ev.draw(np.array([u[pairs:]]))
        strength = goldstein_strength(goldstein[0], self.spec.shock_scale)
        for p in np.flatnonzero(struck):
            s, actors = strength[p], [ministries[b] for b in ev.sources[p] if b < n]
            what = f"{ev.source_names[p]} acted, Goldstein {goldstein[0, p]:+.2f}"
            for i, a in enumerate(ev.targets[p][ev.targets[p] < n]):
                weights = [abs(s) * ev.observe[p, i] * ev.acting[p, j] for j in range(len(actors))]
                ministries[a].sees(actors, weights, s >= 0, ev.spec.name, what)
        rep, p = np.nonzero(np.array([struck]))
        cameo = np.array(ev.spec.cameo, dtype=object)[pick[rep, p]] if pick is not None else None
        source, target = ev.source_names[p], ev.target_names[p]
        self.recorder.log_events(round_, rep, source, target, cameo, goldstein[rep, p], ev.spec.note)

    def _change(self, round_: int) -> None:
        """The dated changes of ``round_``: the scenario in force becomes that phase's, and the agents take its values.

        Changed institutions are changed conditions: terms rejected at home before may be offered again.
        """
        self.spec = self._phases[round_]
        self.plan = plan = plan_for(self.spec)
        self.recorder.plan = plan
        self.rejected_at = self._no_rejections()
        self._delegations.clear()
        n = plan.size
        for spec in self.spec.countries:
            country = self.countries[spec.name]
            country.spec, country.influence = spec, [m.influence for m in spec.ministries]
            for ministry, m in zip(country.members, spec.ministries, strict=True):
                ministry.take(m, plan.initial[ministry.index, :n].tolist())
        for change in self._changes:
            if change.round == round_:
                self.recorder.log_change(round_, change)

    def _no_rejections(self) -> dict[str, np.ndarray]:
        return {name: np.full((2, 1, len(t.candidates)), -np.inf) for name, t in self.plan.talks.items()}

    def record(self):
        """A snapshot of everything recorded so far (:class:`~sim.model.record.RunRecord`)."""
        state = {"settlement": self.settlement, "settled_round": self.settled_round, "sessions": self.sessions}
        return self.recorder.snapshot([self.seed_value], self.round, self.confidence[None], state)

    def result(self) -> RunResult:
        """Everything recorded so far, as tables; it never changes when the model steps on."""
        return RunResult.of(self.record())
