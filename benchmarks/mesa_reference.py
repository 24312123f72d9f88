"""The reference the speed targets are measured against: a minimal Mesa model of 4 agents with a DataCollector.

Each round every agent, in random order, moves a share of its confidence toward a randomly chosen other agent's; the
DataCollector records the mean confidence (a model reporter) and each agent's confidence (an agent reporter). It is
about the least a Mesa model of a few negotiating agents can do, so "as fast as this" is the floor for one run.

    from benchmarks.mesa_reference import run_reference
    run_reference(seed=1, rounds=40)  # the DataCollector's agent table
"""

from __future__ import annotations

import mesa


class Delegate(mesa.Agent):
    def __init__(self, model: mesa.Model):
        super().__init__(model)
        self.confidence = self.random.random()

    def step(self) -> None:
        other = self.random.choice(self.model.others[self])
        self.confidence += 0.1 * (other.confidence - self.confidence)


class ReferenceModel(mesa.Model):
    def __init__(self, agents: int = 4, *, rng: int | None = None):
        super().__init__(rng=rng)
        Delegate.create_agents(self, agents)
        members = list(self.agents)
        self.others = {a: [b for b in members if b is not a] for a in members}
        self.datacollector = mesa.DataCollector(
            model_reporters={"mean": lambda m: sum(a.confidence for a in m.agents) / len(m.agents)},
            agent_reporters={"confidence": "confidence"},
        )
        self.datacollector.collect(self)

    def step(self) -> None:
        self.agents.shuffle_do("step")
        self.datacollector.collect(self)


def run_reference(seed: int = 0, rounds: int = 40, agents: int = 4):
    """One run of the reference model; its DataCollector's agent table, as a user would read it at the end."""
    model = ReferenceModel(agents, rng=seed)
    for _ in range(rounds):
        model.step()
    return model.datacollector.get_agent_vars_dataframe()
