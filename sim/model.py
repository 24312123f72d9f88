"""The negotiation model: countries and ministries meeting over repeated rounds."""

from __future__ import annotations

import mesa
import numpy as np

from sim.agents import Country, Ministry
from sim.meetings import observe
from sim.plan import plan_for
from sim.recording import Recorder, RunResult, country_confidence
from sim.rules.confidence import goldstein_strength
from sim.scenario import Event, Scenario
from sim.talks import Negotiation


class NegotiationModel(mesa.Model):
    """Country and ministry agents who meet by a calendar, cooperate or not, voice frictions and bargain.

    Each round (:meth:`play_round`): confidence drifts toward its baseline, the round's scheduled events strike, the
    calendar's meetings are held, and the state is recorded. Every random number comes from ``self.rng``.

    Confidence is one matrix, ``self.confidence[i, j]``: ministry i's confidence in ministry j (zero within a
    country). Agents read it; country-level confidence is derived from it, never stored.

    Args:
        scenario: a checked :class:`~sim.scenario.Scenario`.
        rng: seed or generator for ``self.rng`` (Mesa's convention).
        ministry_every: record ministry-pair confidence every this many rounds (0: never); country-level
            confidence is recorded every round.
    """

    def __init__(self, scenario: Scenario, *, rng=None, ministry_every: int = 1):
        super().__init__(rng=rng)
        self.spec = scenario
        self.plan = plan = plan_for(scenario)
        self.round = 0
        self.influence, self.starts = plan.influence, plan.starts
        self.confidence = plan.initial.copy()
        self.countries: dict[str, Country] = {}
        for k, c in enumerate(scenario.countries):
            first = plan.blocks[c.name].start
            members = [Ministry(self, m, first + j) for j, m in enumerate(c.ministries)]
            self.countries[c.name] = Country(self, c, k, members)
        self.negotiations = {name: Negotiation(t) for name, t in plan.talks.items()}
        self._uniforms: list[float] = []
        self.recorder = Recorder(self, ministry_every)
        self.recorder.capture(0)

    def uniform(self) -> float:
        """A uniform draw in [0, 1) from ``self.rng``, served from a buffer refilled 256 draws at a time.

        One array call instead of one call per draw: a scalar ``rng.random()`` costs about 1.4 µs here.
        """
        if not self._uniforms:
            self._uniforms = self.rng.random(256).tolist()[::-1]
        return self._uniforms.pop()

    def step(self) -> None:
        """Mesa's step: one round."""
        self.play_round()

    def play_round(self) -> None:
        """Drift, events, meetings, record.

        Batch runs call this directly rather than Mesa's ``step()``, whose event scheduler costs about 15 µs a round
        (measured, Mesa 3.5.1); both give the same results.
        """
        self.round += 1
        r, plan, C = self.round, self.plan, self.confidence
        C *= plan.keep
        C += plan.pull
        for event in plan.events.get(r, ()):
            self._strike(event)
        log = self.recorder.meetings
        for entry, dyads in plan.calendar:
            if r >= entry.start and (r - entry.start) % entry.every == 0:
                host = entry.host(r)
                log.append((r, entry.name, entry.format, host, ",".join(entry.countries)))
                for dyad in dyads:
                    dyad.hold(self, r, host)
        self.recorder.capture(r)

    def _actor(self, name: str) -> tuple[slice, list[float]]:
        """The matrix block of an event actor's country and how much each of its ministries is concerned."""
        country_name, _, ministry = name.partition(".")
        country = self.countries[country_name]
        spill = self.spec.spillover
        return country.block, [1.0 if not ministry or m.spec.name == ministry else spill for m in country.members]

    def _strike(self, event: Event) -> None:
        """The target observes the source's act, as cooperation or defection by its Goldstein value."""
        source, acting = self._actor(event.source)
        target, observing = self._actor(event.target)
        strength = goldstein_strength(event.goldstein, self.spec.shock_scale)
        behaviours = [m.behaviour for m in self.countries[event.target.partition(".")[0]].spec.ministries]
        rates = [b.trust_gain if strength >= 0 else b.trust_loss for b in behaviours]
        block = self.confidence[target, source].tolist()
        observe(block, observing, acting, rates, abs(strength), strength >= 0)
        self.confidence[target, source] = block
        self.recorder.events.append((self.round, event.source, event.target, event.cameo, event.goldstein, event.note))

    def result(self, seed: int | None = None) -> RunResult:
        """Everything recorded so far, as a :class:`RunResult`."""
        rec = self.recorder
        states = np.array(rec.ministry_states) if rec.ministry_states else np.zeros((0, *self.confidence.shape))
        if rec.ministry_every == 1:
            country_states = country_confidence(states, self.influence, self.starts)
        else:
            country_states = np.array(rec.country_states)
        return RunResult(
            scenario=self.spec.name,
            seed=seed,
            rounds=self.round,
            countries=list(self.countries),
            ministries=[(m.country, m.name) for m in self.spec.ministries],
            influence=self.influence,
            starts=self.starts,
            ministry_rounds=np.array(rec.ministry_rounds, dtype=int),
            ministry_states=states,
            country_states=country_states,
            final_confidence=self.confidence.copy(),
            records={"meetings": rec.meetings, "agenda": rec.agenda, "sessions": rec.sessions, "events": rec.events},
            negotiations=list(self.negotiations.values()),
        )
