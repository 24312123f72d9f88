"""Each default has one place: the Hydra configs repeat the Python API's defaults, and a test keeps them equal."""

from __future__ import annotations

from sim.io.library import config_dir, read_yaml
from sim.model.run import DEFAULT_ROUNDS, DEFAULT_SEED


def test_the_commands_and_the_python_api_share_their_defaults():
    run = read_yaml(config_dir() / "config.yaml")
    study = read_yaml(config_dir() / "study.yaml")
    assert (run["seed"], run["rounds"]) == (DEFAULT_SEED, DEFAULT_ROUNDS)
    assert study["seed"] == DEFAULT_SEED
