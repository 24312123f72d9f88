"""The agents: ministries (and leaders' offices) and the countries they make up.

Confidence lives in the engine's matrix (row: the ministry that trusts, column: the ministry trusted); the agents read
it through ``model.confidence`` and never store it twice. A country's confidence is derived from its ministries'.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
from mesa.agentset import AgentSet

from sim.model.scenario.specs import CountrySpec, MinistrySpec

if TYPE_CHECKING:
    from sim.model.mesa_model import NegotiationModel


class Ministry(mesa.Agent):
    """A ministry: a role, an influence at home, priorities over issues and confidence in foreign ministries."""

    def __init__(self, model: NegotiationModel, spec: MinistrySpec, index: int):
        super().__init__(model)
        self.spec = spec
        self.index = index  # row and column in the model's confidence matrix
        self.country: Country | None = None

    @property
    def name(self) -> str:
        return self.spec.key

    @property
    def role(self) -> str:
        return self.spec.role

    def confidence_in(self, other: Country) -> float:
        """Influence-weighted confidence of this ministry in the ministries of ``other``."""
        row = self.model.confidence[self.index, other.block]
        return float(row @ other.influence)


class Country(mesa.Agent):
    """A country: its ministries, their influence, and the quota of support that ratifies a deal."""

    def __init__(self, model: NegotiationModel, spec: CountrySpec, index: int, ministries: list[Ministry]):
        super().__init__(model)
        self.spec = spec
        self.index = index
        self.ministries = AgentSet(ministries, random=model.random)
        self.members = ministries  # in scenario order, for positional access
        first = ministries[0].index
        self.block = slice(first, first + len(ministries))
        self.influence = model.engine.plan.influence[self.block]
        for m in ministries:
            m.country = self

    @property
    def name(self) -> str:
        return self.spec.name

    def confidence_in(self, other: Country) -> float:
        """Country-level confidence: both sides' ministries weighted by their influence (never stored)."""
        return float(self.influence @ self.model.confidence[self.block, other.block] @ other.influence)
