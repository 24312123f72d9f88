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
from omegaconf import OmegaConf

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
        composer = sweeper.hydra_context.config_loader  # the launcher composes the jobs through it
        assert composer.loader is loader and sweeper.launcher.hydra_context.config_loader is composer
        assert "scenario" in composer.groups and "hydra/launcher" in composer.groups
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
    # negsim's begin (called from split_arguments) may refuse the sweep before Hydra writes its folder
    assert source.index("self.split_arguments(") < source.index("sweep_dir.mkdir(") < source.index('"multirun.yaml"')
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


def test_private_names_the_job_composer_uses():
    from hydra._internal.config_loader_impl import ConfigLoaderImpl, get_overrides_dirname
    from hydra._internal.core_plugins.basic_launcher import BasicLauncher
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper

    assert list(inspect.signature(ConfigLoaderImpl._apply_overrides_to_config).parameters) == ["overrides", "cfg"]
    assert set(inspect.signature(get_overrides_dirname).parameters) == {
        "overrides",
        "kv_sep",
        "item_sep",
        "exclude_keys",
    }
    # Hydra applies the value overrides with that function after composing, then fills in the fields the composer
    # rewrites for each job
    source = inspect.getsource(ConfigLoaderImpl._load_configuration_impl)
    assert "ConfigLoaderImpl._apply_overrides_to_config(config_overrides, cfg)" in source
    assert "cfg.hydra.overrides.task.append(" in source
    assert "cfg.hydra.job.override_dirname = get_overrides_dirname(" in source
    assert "OmegaConf.copy_cache(" in inspect.getsource(ConfigLoaderImpl.load_sweep_config)
    # the launchers compose each job through the context the sweeper gives them in setup
    assert "instantiate_launcher(" in inspect.getsource(BasicSweeper.setup)
    assert "self.hydra_context.config_loader.load_sweep_config(" in inspect.getsource(BasicLauncher.launch)
    joblib = pytest.importorskip("hydra_plugins.hydra_joblib_launcher._core")
    assert "hydra_context.config_loader.load_sweep_config(" in inspect.getsource(joblib.execute_job)


JOBS = [  # (overrides, composed by Hydra rather than from an earlier job's config)
    (["initial_confidence=0.2", "concession=0.5"], True),
    (["initial_confidence=0.3", "concession=4"], False),
    (["initial_confidence=0.3", "concession='4'"], False),
    (["initial_confidence=null", "concession=${initial_confidence}"], False),
    (["initial_confidence=0.3", "concession=2.0", "scenario=shared_threat"], True),
    (["initial_confidence=0.4", "concession=1.0", "scenario=shared_threat"], False),
    (["initial_confidence=0.4", "concession=1.0", "+extra=1"], True),
    (["initial_confidence=0.5", "concession=1.0", "+extra=2"], True),  # +key: always Hydra's
    (["initial_confidence=0.4", "concession=[1,2]"], True),
    (["initial_confidence=0.4", "rounds=7", "rounds=8"], True),
    (["initial_confidence=0.4", "concession=1.0", "hydra.job.name=x"], True),
]


def test_the_job_composer_gives_hydras_config_for_every_job():
    """Jobs that differ from an earlier one only in values get its config with theirs; the rest are Hydra's."""
    from hydra.types import RunMode

    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=CONF, version_base="1.3"):
        loader = GlobalHydra.instance().config_loader()
        from hydra_plugins.negsim_sweeper.negsim_sweeper import JobComposer, config_groups

        composer = JobComposer(loader, frozenset(config_groups(loader)))
        command = ["sweep.name=x", "experiment=confidence_concession"]
        master = loader.load_configuration("config", [*command, "hydra.mode=MULTIRUN"], run_mode=RunMode.MULTIRUN)
        assert master.output_dir  # ${now:…} resolved once, for every job (Hydra copies the master's cache)
        composed = []
        composer.loader = type(
            "Counting", (), {"load_sweep_config": lambda s, m, o: composed.append(o) or loader.load_sweep_config(m, o)}
        )()
        for overrides, by_hydra in JOBS:
            job = [*command, *overrides]
            ours, hydras = composer.load_sweep_config(master, job), loader.load_sweep_config(master, job)
            assert OmegaConf.to_yaml(ours) == OmegaConf.to_yaml(hydras), overrides
            assert OmegaConf.to_container(ours, resolve=True) == OmegaConf.to_container(hydras, resolve=True)
            assert OmegaConf.is_struct(ours) and not OmegaConf.is_readonly(ours.hydra)
            assert (composed[-1:] == [job]) == by_hydra, overrides


def test_composed_jobs_outlive_the_plugin_scan_before_each_joblib_job():
    """joblib's launcher restores Hydra's state before every job in its workers, which rescans the plugins and so
    re-executes negsim's sweeper module: the jobs it composed must stay."""
    import sys

    from hydra.core.singleton import Singleton

    import hydra_plugins.negsim_sweeper.negsim_sweeper  # noqa: F401

    module = sys.modules["hydra_plugins.negsim_sweeper.negsim_sweeper"]
    composed, composer = module._COMPOSED, module.JobComposer
    Singleton.set_state(Singleton.get_state())  # what hydra_joblib_launcher's execute_job does first
    assert module.JobComposer is not composer, "the plugin scan no longer re-executes the module"
    assert module._COMPOSED is composed


def test_the_file_config_source_negsim_screens():
    """Every config file Hydra loads from a folder goes through the ``file`` config source's ``load_config``, which
    negsim wraps (sim.cli.overrides.screened_config_files) to read the file safely first."""
    from hydra._internal.sources_registry import SourcesRegistry

    Plugins.instance()
    source = SourcesRegistry.instance().resolve("file")
    assert list(inspect.signature(source.load_config).parameters) == ["self", "config_path"]
    loaded = source(provider="test", path=f"file://{CONF}")
    assert loaded.path == CONF and loaded._normalize_file_name("scenario/tokyo_2013") == "scenario/tokyo_2013.yaml"
    assert "os.path.join(self.path, normalized_config_path)" in inspect.getsource(source.load_config)
