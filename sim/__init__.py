"""negsim: agent-based simulation of diplomatic negotiation.

The public API: load a scenario, run it once or as an ensemble, read the tables, plot. Names are imported on first
use, so that ``import sim.study.cells`` in a worker process or ``negsim --help`` does not pay for Mesa and Matplotlib.
"""

from importlib import import_module

_EXPORTS = {
    "NegotiationModel": "sim.model.agents.mesa_model",
    "RunResult": "sim.model.record.result",
    "ScenarioSpec": "sim.model.scenario.specs",
    "ScenarioError": "sim.model.errors",
    "available_scenarios": "sim.io.library",
    "load_scenario": "sim.io.library",
    "plot_confidence": "sim.views.run_figures",
    "read_events": "sim.io.event_records",
    "replicate_seeds": "sim.model.run",
    "simulate": "sim.model.run",
    "simulate_ensemble": "sim.model.run",
    "write_run": "sim.io.run_output",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    return getattr(import_module(_EXPORTS[name]), name)
