"""negsim: agent-based simulation of diplomatic negotiation.

The public API: load a scenario, run it once or as an ensemble, read the tables, plot.
"""

from sim.errors import ScenarioError
from sim.event_data import read_events
from sim.library import available_scenarios, load_scenario
from sim.model import NegotiationModel
from sim.output import write_run
from sim.plots import plot_confidence
from sim.recording import RunResult
from sim.run import replicate_seeds, simulate, simulate_ensemble
from sim.scenario import Scenario

__all__ = [
    "NegotiationModel",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "available_scenarios",
    "load_scenario",
    "plot_confidence",
    "read_events",
    "replicate_seeds",
    "simulate",
    "simulate_ensemble",
    "write_run",
]
