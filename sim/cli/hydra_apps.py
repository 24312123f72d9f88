"""``negsim run``: the Hydra app that runs one scenario (the simulation core knows nothing of Hydra: the app turns
the composed config into plain values, calls the core and reports). ``negsim sweep`` is in :mod:`sim.cli.sweep_app`."""

from __future__ import annotations

import hydra
from omegaconf import DictConfig, OmegaConf

from sim.cli.errors import fail
from sim.io.library import config_dir, load_scenario
from sim.io.run_output import write_run
from sim.model.errors import ScenarioError
from sim.model.run import simulate

CONFIG_DIR = str(config_dir())


def _describe(summary: dict) -> list[str]:
    lines = []
    for t in summary["talks"]:
        if t["settled"]:
            terms = ", ".join(f"{k}={v}" for k, v in t["terms"].items())
            lines.append(f"  {t['talks']}: settled in round {t['settled_round']} ({terms})")
        else:
            lines.append(f"  {t['talks']}: no settlement after {t['sessions']} sessions")
    for c in summary["confidence"]:
        lines.append(f"  confidence {c['country']} → {c['counterpart']}: {c['initial']:.2f} → {c['final']:.2f}")
    return lines


@hydra.main(config_path=CONFIG_DIR, config_name="config", version_base="1.3")
def run_app(cfg: DictConfig) -> None:
    """Run one scenario and write its run directory."""
    config = OmegaConf.to_container(cfg, resolve=True)
    try:
        scenario = load_scenario(config["scenario"])
        result = simulate(
            scenario, seed=config["seed"], rounds=config["rounds"], ministry_every=config["record"]["ministry_every"]
        )
    except ScenarioError as error:
        fail(error)
    out = write_run(result, config["output_dir"], config=config, plot=bool(config["plot"]))
    print(f"negsim: ran {scenario.name} for {result.rounds} rounds (seed {result.seed})")
    print("\n".join(_describe(result.summary)))
    print(f"negsim: outputs in {out}")
