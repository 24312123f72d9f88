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

from sim.model.agents.agents import Country, Delegation, Ministry
from sim.model.agents.meeting import Meeting
from sim.model.plan.compiled import EntryPlan, LapseRule, Observation, Plan, RandomEventPlan, plan_for
from sim.model.plan.dice import Dice, MeetingDice
from sim.model.procedures.round import play_round, strike
from sim.model.procedures.talks import TalksState
from sim.model.record.recorder import Recorder, RunRecord
from sim.model.record.result import RunResult
from sim.model.scenario.specs import ScenarioSpec


def pair_confidence(model: NegotiationModel, country: str, counterpart: str) -> float:
    """Model reporter: ``country``'s confidence in ``counterpart``."""
    return model.countries[country].confidence_in(model.countries[counterpart])


def settlement_state(model: NegotiationModel, talks: str) -> int:
    """Model reporter: the outcome settled in ``talks`` (its row of the outcome grid), -1 while unsettled."""
    return int(model.talks[talks].settlement[0])


class NegotiationModel(mesa.Model):
    """Countries and ministries who meet by a calendar, cooperate or not, voice frictions and bargain.

    A round (:meth:`step`) follows :func:`sim.model.procedures.round.play_round`: dated changes apply; each ministry's
    confidence drifts toward its baseline; measures in force and the round's scheduled events are observed; random
    events strike where drawn; the calendar's meetings are held in order (:class:`~sim.model.agents.meeting.Meeting`);
    the state is recorded.

    Args:
        scenario: a checked :class:`~sim.model.scenario.specs.ScenarioSpec` (kept as ``self.spec``: ``scenario`` is
            Mesa's own attribute).
        rng: an integer seed (Mesa's convention): the run equals ``simulate(…, seed=rng)``. A Generator or None is
            accepted as Mesa accepts them, but Mesa then draws one number from it to seed ``self.random``.
        ministry_every: record ministry-pair confidence every this many rounds (0: never).

    ``self.datacollector`` collects, every round, each directed country pair's confidence and each talks'
    settlement (model reporters) and each ministry's mean confidence and last action (``agenttype_reporters``).
    """

    def __init__(self, scenario: ScenarioSpec, *, rng: int | None = None, ministry_every: int = 1):
        super().__init__(rng=rng)
        self.seed_value = rng
        self.spec = scenario
        self.plan = plan = plan_for(scenario)
        self.phases, self.changes = dict(scenario.phases), scenario.changes
        self.round = 0
        self.countries: dict[str, Country] = {}
        self.ministries: list[Ministry] = []  # in confidence-matrix order: ministries[i].index == i
        for k, c in enumerate(scenario.countries):
            first = plan.blocks[c.name].start
            members = [Ministry(self, m, first + j, plan) for j, m in enumerate(c.ministries)]
            self.ministries += members
            self.countries[c.name] = Country(self, c, k, members)
        self.dice = Dice([self.rng])
        self.talks = {name: TalksState.start(t, 1) for name, t in plan.talks.items()}
        self.withdrawn = {e.name: np.zeros(1, dtype=bool) for e in scenario.calendar if e.withdraw_below}
        self.remembering = False  # whether baselines move with experience (once they do, they go on doing so)
        self._delegations: dict[str, list[tuple[Delegation, Delegation]]] = {}
        self.recorder = Recorder(plan, 1, ministry_every)
        self.recorder.capture(0, self.confidence_matrix[None])
        pairs = {
            f"confidence {a}->{b}": partial(pair_confidence, country=a, counterpart=b)
            for a, b in permutations(self.countries, 2)
        }
        settlements = {f"settlement {t}": partial(settlement_state, talks=t) for t in plan.talks}
        self.datacollector = mesa.DataCollector(
            model_reporters=pairs | settlements,
            agenttype_reporters={Ministry: {"confidence": "mean_confidence", "last_action": "last_action"}},
        )
        self.datacollector.collect(self)

    @property
    def confidence_matrix(self) -> np.ndarray:
        """The ministry-by-ministry confidence matrix (M × M), read from the ministries."""
        return np.array([m.confidence for m in self.ministries])

    def step(self) -> None:
        """One round: changes, drift, measures, scheduled and random events, the calendar's meetings, the record."""
        self.round += 1
        self.agents_by_type[Ministry].do(lambda m: m.reasons.clear())  # each keeps its reasons for this round
        play_round(self, self.round)
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

    def strike(self, round_: int, event) -> None:
        """An event (e.g. one injected by hand) strikes now: observed and recorded as a scheduled one."""
        strike(self, round_, event)

    def record(self) -> RunRecord:
        """A snapshot of everything recorded so far (:class:`~sim.model.record.recorder.RunRecord`)."""
        return self.recorder.snapshot([self.seed_value], self.round, self.confidence_matrix[None], self.talks)

    def result(self) -> RunResult:
        """Everything recorded so far, as tables; it never changes when the model steps on."""
        return RunResult.of(self.record())

    # What the round's procedures ask of the world (sim.model.procedures.round.World) ------------------------------

    def take(self, plan: Plan) -> None:
        """A new phase of the scenario: the agents take its values, and delegations are formed anew."""
        self.spec = plan.scenario
        self._delegations.clear()
        for spec in self.spec.countries:
            country = self.countries[spec.name]
            country.spec = spec
            for ministry, m in zip(country.members, spec.ministries, strict=True):
                ministry.take(m, plan)

    def drift(self) -> None:
        self.remembering = self.remembering or self.plan.remembers
        self.agents_by_type[Ministry].do("drift", self.remembering)

    def observe(self, observations: tuple[Observation, ...], about: str) -> None:
        """Each observer's ministries read an act of the actor's ministries, as cooperation or defection by the sign
        of its strength."""
        for o in observations:
            strength, good = abs(o.strength), o.strength >= 0
            actors = self.ministries[o.actor]
            what = f"{actors[0].country.name} acted, strength {o.strength:+.3f}"
            for i, observer in enumerate(self.ministries[o.observer]):
                observer.sees(actors, [strength * o.observing[i] * x for x in o.acting], good, about, what)

    def observe_random(self, events: RandomEventPlan, struck: np.ndarray, goldstein: np.ndarray, strength) -> None:
        """Each struck pair's target ministries read the source's act, as cooperation or defection by its sign."""
        ministries, n = self.ministries, self.plan.size
        for p in np.flatnonzero(struck[0]):
            s, actors = strength[0, p], [ministries[b] for b in events.sources[p] if b < n]
            what = f"{events.source_names[p]} acted, Goldstein {goldstein[0, p]:+.2f}"
            for i, a in enumerate(events.targets[p][events.targets[p] < n]):
                weights = [abs(s) * events.observing[p, i] * events.acting[p, j] for j in range(len(actors))]
                ministries[a].sees(actors, weights, s >= 0, events.spec.name, what)

    def pair_confidence(self, rule: LapseRule) -> np.ndarray:
        countries = list(self.countries.values())
        pairs = zip(rule.observers, rule.observed, strict=True)
        return np.array([[countries[a].confidence_in(countries[b]) for a, b in pairs]])

    def meet(self, round_: int, meeting: EntryPlan, host: str, dice: MeetingDice, held: np.ndarray | None) -> None:
        """Hold a meeting agent by agent (one run: ``held`` is None whenever the procedure asks it to meet)."""
        Meeting(self, round_, meeting, host, dice.replicate(0)).hold()

    def capture(self, round_: int) -> None:
        self.recorder.capture(round_, self.confidence_matrix[None])
