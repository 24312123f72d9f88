"""The Mesa model: country and ministry agents over the engine's state, one replicate."""

from __future__ import annotations

import mesa

from sim.model.agents import Country, Ministry
from sim.model.engine import Engine
from sim.model.plan import plan_for
from sim.model.result import RunResult
from sim.model.scenario.specs import ScenarioSpec


class NegotiationModel(mesa.Model):
    """Countries and ministries who meet by a calendar, cooperate or not, voice frictions and bargain.

    The agents are Mesa agents (``model.agents``, ``country.ministries`` is an AgentSet) that read the engine's
    state; the rules run in :class:`~sim.model.engine.Engine`, here with one replicate drawing from ``self.rng``.

    Args:
        scenario: a checked :class:`~sim.model.scenario.specs.ScenarioSpec`.
        rng: seed for ``self.rng`` (Mesa's convention); an int gives the same run as ``simulate(…, seed=rng)``.
        ministry_every: record ministry-pair confidence every this many rounds (0: never); country-level
            confidence is recorded every round.
    """

    def __init__(self, scenario: ScenarioSpec, *, rng: int | None = None, ministry_every: int = 1):
        super().__init__(rng=rng)
        self.seed_value = rng
        self.spec = scenario
        plan = plan_for(scenario)
        self.engine = Engine(plan, [self.rng], ministry_every)
        self.countries: dict[str, Country] = {}
        for k, c in enumerate(scenario.countries):
            first = plan.blocks[c.name].start
            members = [Ministry(self, m, first + j) for j, m in enumerate(c.ministries)]
            self.countries[c.name] = Country(self, c, k, members)

    @property
    def confidence(self):
        """This run's ministry-by-ministry confidence matrix (M × M)."""
        n = self.engine.plan.size
        return self.engine.confidence[0, :n, :n]

    @property
    def round(self) -> int:
        return self.engine.round

    def step(self) -> None:
        """Mesa's step: one round."""
        self.engine.play_round()

    def result(self) -> RunResult:
        """Everything recorded so far."""
        return RunResult.of(self.engine.record([self.seed_value]))
