"""The Hydra internals that negsim's sweeper relies on (hydra_plugins/negsim_sweeper, the one module that reaches into
``hydra._internal``): these tests fail, naming what moved, on a Hydra version that changes them."""

from __future__ import annotations

import dataclasses
import inspect

import pytest
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from hydra.core.plugins import Plugins
from hydra.errors import MissingConfigException
from hydra.plugins.sweeper import Sweeper
from hydra.types import HydraContext

from sim.io.library import config_dir

CONF = str(config_dir())


def test_private_names_the_sweeper_imports():
    from hydra._internal.core_plugins.basic_launcher import BasicLauncher  # noqa: F401
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper, BasicSweeperConf

    assert {f.name for f in dataclasses.fields(BasicSweeperConf)} == {"_target_", "max_batch_size", "params"}
    assert list(inspect.signature(Sweeper.validate_batch_is_legal).parameters) == ["self", "batch"]
    assert "validate_batch_is_legal" not in vars(BasicSweeper), "BasicSweeper now overrides validate_batch_is_legal"
    # the sweep loop must still validate each batch through the overridable method, then launch it
    source = inspect.getsource(BasicSweeper.sweep)
    assert "self.validate_batch_is_legal(batch)" in source and "self.launcher.launch(batch" in source
    assert list(inspect.signature(BasicSweeper.setup).parameters) == [
        "self",
        "hydra_context",
        "task_function",
        "config",
    ]
    fresh = BasicSweeper(max_batch_size=None, params={})
    assert {"launcher", "hydra_context", "config"} <= set(vars(fresh))


def test_negsim_sweeper_checks_fewer_jobs_with_the_basic_launcher(monkeypatch):
    from hydra._internal.callbacks import Callbacks

    checked = []
    original = Sweeper.validate_batch_is_legal
    monkeypatch.setattr(
        Sweeper, "validate_batch_is_legal", lambda self, batch: (checked.append(list(batch)), original(self, batch))
    )
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=CONF, version_base="1.3"):
        loader = GlobalHydra.instance().config_loader()
        # import only now: Hydra's plugin scan (first Plugins.instance(), run by initialize) re-executes the modules of
        # hydra._internal.core_plugins and hydra_plugins, so classes imported before it are stale copies
        from hydra._internal.core_plugins.basic_launcher import BasicLauncher

        from hydra_plugins.negsim_sweeper.negsim_sweeper import CellSweeper

        cfg = compose("config", ["hydra.mode=MULTIRUN"], return_hydra_config=True)
        sweeper = Plugins.instance().instantiate_sweeper(
            hydra_context=HydraContext(config_loader=loader, callbacks=Callbacks()),
            task_function=lambda c: None,
            config=cfg,
        )
        assert type(sweeper) is CellSweeper and isinstance(sweeper.launcher, BasicLauncher)
        assert sweeper.hydra_context.config_loader is loader and "scenario" in loader.list_groups("")
        batch = [["seed=1", "scenario=tokyo_2013"], ["seed=2", "scenario=tokyo_2013"], ["seed=1", "scenario=synthetic"]]
        sweeper.validate_batch_is_legal(batch)
        assert checked == [[batch[0], batch[2]]]
        with pytest.raises(MissingConfigException):
            sweeper.validate_batch_is_legal([["seed=1", "scenario=tokio"]])
