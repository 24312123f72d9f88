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


def test_the_sweep_loop_takes_its_jobs_from_split_arguments():
    """CellSweeper replaces split_arguments (one job per design point): Hydra must still call it through ``self``,
    once the sweeper holds its config, and its static helpers must keep their shape."""
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
    from hydra.core.override_parser.overrides_parser import OverridesParser

    source = inspect.getsource(BasicSweeper.sweep)
    assert "self.overrides = self.split_arguments(overrides, self.max_batch_size)" in source
    assert "assert self.config is not None" in source
    assert source.index("self.split_arguments(") < source.index("self.validate_batch_is_legal(batch)")
    assert isinstance(inspect.getattr_static(BasicSweeper, "split_arguments"), staticmethod)
    assert list(inspect.signature(BasicSweeper.split_arguments).parameters) == ["overrides", "max_batch_size"]
    assert list(inspect.signature(BasicSweeper.split_overrides_to_chunks).parameters) == ["lst", "n"]
    parsed = OverridesParser.create().parse_overrides(["seed=1,2", "rounds=3", "+design.ranges.x=[0,1]"])
    assert [o.key_or_group for o in parsed] == ["seed", "rounds", "design.ranges.x"]
    assert BasicSweeper.split_arguments(parsed[:2], None) == [[["seed=1", "rounds=3"], ["seed=2", "rounds=3"]]]
    assert list(BasicSweeper.split_overrides_to_chunks([[1], [2], [3]], 2)) == [[[1], [2]], [[3]]]


def test_negsim_sweeper_makes_one_job_per_design_point_and_grid_job():
    from hydra._internal.callbacks import Callbacks
    from hydra.core.override_parser.overrides_parser import OverridesParser

    from sim.study.designs import parse_design

    design = ["design=lhs", "design.samples=3", "+design.ranges.scenario.shock_scale=[0.2,1.0]"]
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=CONF, version_base="1.3"):
        loader = GlobalHydra.instance().config_loader()
        cfg = compose("config", ["hydra.mode=MULTIRUN", *design], return_hydra_config=True)
        sweeper = Plugins.instance().instantiate_sweeper(
            hydra_context=HydraContext(config_loader=loader, callbacks=Callbacks()),
            task_function=lambda c: None,
            config=cfg,
        )
        batches = sweeper.split_arguments(OverridesParser.create().parse_overrides(["seed=1,2", *design]), 4)
    points = parse_design(
        {"method": "lhs", "samples": 3, "seed": 2013, "ranges": {"scenario": {"shock_scale": [0.2, 1.0]}}}
    ).points()
    jobs = [[f"seed={s}", f"scenario.shock_scale={p['scenario.shock_scale']!r}"] for s in (1, 2) for p in points]
    assert batches == [jobs[:4], jobs[4:]]  # the design's own overrides are not the cells' values
