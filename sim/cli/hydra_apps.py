"""``negsim run``: the Hydra app that runs one scenario (the simulation core knows nothing of Hydra: the app turns
the composed config into plain values, calls the core and reports). ``negsim sweep`` is in :mod:`sim.cli.sweep_app`."""

from __future__ import annotations

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf

from sim.cli.errors import fail
from sim.cli.settings import before_run, rounds_bar
from sim.cli.summary import run_summary
from sim.io.library import config_dir, load_scenario
from sim.io.run_output import write_run
from sim.model.errors import ScenarioError
from sim.model.run import simulate

CONFIG_DIR = str(config_dir())


@hydra.main(config_path=CONFIG_DIR, config_name="config", version_base="1.3")
def run_app(cfg: DictConfig) -> None:
    """Run one scenario and write its run directory."""
    config = OmegaConf.to_container(cfg, resolve=True)
    try:
        scenario = load_scenario(config["scenario"])
        before_run(scenario, config["rounds"], config["record"]["ministry_every"])
        result = simulate(
            scenario,
            seed=config["seed"],
            rounds=config["rounds"],
            ministry_every=config["record"]["ministry_every"],
            progress=rounds_bar,
        )
    except ScenarioError as error:
        fail(error)
    out = write_run(result, config["output_dir"], config=config, plot=bool(config["plot"]))
    print("\n".join(run_summary(result.summary, out, list(HydraConfig.get().overrides.task))))
