"""Hydra applications behind the ``negsim`` commands. The simulation core knows nothing of Hydra: this module turns
a composed config into plain values, calls the core and reports."""

from __future__ import annotations

import hydra
from omegaconf import DictConfig, OmegaConf

from sim.cli import fail
from sim.errors import ScenarioError
from sim.library import config_dir
from sim.output import write_run
from sim.run import simulate
from sim.scenario import Scenario

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
        scenario = Scenario.from_dict(config["scenario"])
        result = simulate(
            scenario, seed=config["seed"], rounds=config["rounds"], ministry_every=config["record"]["ministry_every"]
        )
    except ScenarioError as error:
        fail(error)
    out = write_run(result, config["output_dir"], config=config, plot=bool(config["plot"]))
    print(f"negsim: ran {scenario.name} for {result.rounds} rounds (seed {result.seed})")
    print("\n".join(_describe(result.summary)))
    print(f"negsim: outputs in {out}")
