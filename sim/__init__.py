"""negsim: agent-based simulation of diplomatic negotiation.

The public API: load a scenario, run it once or as an ensemble, read the tables, plot. Names are imported on first
use, so that ``import sim.sweep`` in a worker process or ``negsim --help`` does not pay for Mesa and Matplotlib.
"""

from importlib import import_module

_EXPORTS = {
    "NegotiationModel": "sim.model",
    "RunResult": "sim.recording",
    "Scenario": "sim.scenario",
    "ScenarioError": "sim.errors",
    "available_scenarios": "sim.library",
    "load_scenario": "sim.library",
    "plot_confidence": "sim.plots",
    "read_events": "sim.event_data",
    "replicate_seeds": "sim.run",
    "simulate": "sim.run",
    "simulate_ensemble": "sim.run",
    "write_run": "sim.output",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    return getattr(import_module(_EXPORTS[name]), name)
