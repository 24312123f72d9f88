"""The model the dashboard steps, built from SolaraViz's flat settings, and events injected by hand."""

from __future__ import annotations

import threading
from typing import Any

from sim.dashboard.settings import DEFAULT_SCENARIO, build_scenario
from sim.model.agents.mesa_model import NegotiationModel
from sim.model.cameo import goldstein_table
from sim.model.errors import ScenarioError
from sim.model.plan.compiled import event_plan
from sim.model.record.result import RunResult
from sim.model.run import DEFAULT_SEED
from sim.model.scenario.specs import Event


class DashboardModel(NegotiationModel):
    """A :class:`NegotiationModel` built from flat keyword settings, as SolaraViz's Reset passes them.

    Args:
        scenario_name: a shipped scenario.
        seed: the run's seed; with no settings changed, the run is ``negsim run scenario=… seed=…``.
        settings: values keyed ``scenario_name:`` and a key of :func:`parameters`; others are ignored (those of
            another scenario, and Mesa's own ``scenario`` object, which SolaraViz's Reset also passes).
    """

    def __init__(self, scenario_name: str = DEFAULT_SCENARIO, seed: int = DEFAULT_SEED, **settings: Any):
        self.scenario_name, spec, self.error = build_scenario(scenario_name, settings)
        self.lock = threading.RLock()  # Play steps in a thread of its own while the page reads or injects
        super().__init__(spec, rng=seed)
        self._result: tuple[tuple[int, int], RunResult] | None = None

    def step(self) -> None:
        """One round (Mesa's step), never while the page reads the model."""
        with self.lock:
            super().step()

    def result(self) -> RunResult:
        """Everything recorded so far, built once per round and per injected event, its tables all of one moment."""
        with self.lock:
            key = (self.round, len(self.recorder.events))
            if self._result is None or self._result[0] != key:
                result = super().result()
                for table in ("country_confidence", "meetings", "events", "summary"):  # read the recorder now
                    getattr(result, table)
                self._result = (key, result)
            return self._result[1]


def inject_event(model: NegotiationModel, cameo: str, source: str, target: str) -> Event:
    """Country ``target`` observes the CAMEO event ``cameo`` by country ``source`` now, between two rounds.

    The rule of a scheduled event (:meth:`sim.model.mesa_model.NegotiationModel.strike`): every ministry of the
    source acts and every ministry of the target observes, each moved by its trust gain or loss by the event's
    Goldstein value. It is recorded in the coming round, the first to show it.
    """
    if source == target:
        raise ScenarioError("event.target", target, "a country other than the source")
    code = goldstein_table()[cameo]
    event = Event(model.round + 1, source, target, code.goldstein, cameo, f"{code.description} (injected)")
    model.strike(event.round, event_plan(event, model.spec))
    return event
