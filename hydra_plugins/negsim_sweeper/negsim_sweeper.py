"""Hydra's basic sweeper, composing each job in a few milliseconds rather than a third of a second.

Hydra composes every job from scratch: it reads and merges the YAML files and builds the defaults tree (0.2–0.5 s a
job on this project's machines, more than a cell of a few hundred replicates takes). negsim's sweeper hands the
launcher (basic, joblib, submitit…) a :class:`JobComposer` that composes each *shape* of job once per multirun and
process, and gives the later jobs of that shape a copy of it with their own values set the way Hydra sets them.

Before launching a batch, Hydra's basic sweeper composes the config of every job to catch mistakes before any job
runs, because a launcher may run the jobs in other processes or on other machines. When the jobs run here, in order
(the basic launcher), the launcher composes each job again just before running it, so negsim's sweeper checks only
the jobs that can fail differently: the first one (every job of a grid sets the same keys) and the first job of each
distinct choice of config groups (``scenario=…``). A later job whose values fail to compose stops the multirun with
Hydra's error when its turn comes; the cells finished before it are kept, and a rerun skips them. Other launchers
get Hydra's full check.

Once the first batch is checked, the sweeper hands the whole list of jobs to the object whose method is the task
function, if it has a ``begin(config, jobs)`` method (``negsim sweep``'s :class:`sim.cli.sweep_app.Sweep`): that is
how the command learns, before any job runs, where the sweep is written and which jobs make its grid.

With a sampled design (``design=lhs``, ``conf/design/``), the sweeper makes one job per design point: each job is a
job of the grid (Hydra's product of the swept values) followed by the point's values (``key=value``), so a design and
a grid combine as their product. The design's own overrides (``design…``) are left out of the jobs: a cell is the
same cell whether its values came from a design or from a grid.
"""

import io
import pickle
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from hydra._internal.config_loader_impl import ConfigLoaderImpl, get_overrides_dirname
from hydra._internal.core_plugins.basic_launcher import BasicLauncher
from hydra._internal.core_plugins.basic_sweeper import BasicSweeper, BasicSweeperConf
from hydra.core.config_loader import ConfigLoader
from hydra.core.config_store import ConfigStore
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.override_parser.types import Override, OverrideType, ValueType
from hydra.types import HydraContext
from omegaconf import DictConfig, OmegaConf

from sim.cli.settings import design_of
from sim.study.designs import point_overrides


@dataclass
class CellSweeperConf(BasicSweeperConf):
    _target_: str = "hydra_plugins.negsim_sweeper.negsim_sweeper.CellSweeper"


def config_groups(loader: ConfigLoader, parent: str = "") -> Iterator[str]:
    """Every config group the loader knows (``scenario``, ``hydra/launcher``…)."""
    for name in loader.list_groups(parent):
        group = f"{parent}/{name}" if parent else name
        yield group
        yield from config_groups(loader, group)


def jobs_to_check(batch: Sequence[Sequence[str]], groups: set[str]) -> list[Sequence[str]]:
    """The first job, and the first job of each distinct choice of config groups."""
    seen, chosen = set(), []
    for k, overrides in enumerate(batch):
        choice = tuple(o for o in overrides if o.split("=", 1)[0].lstrip("+~").split("@", 1)[0] in groups)
        if k == 0 or choice not in seen:
            seen.add(choice)
            chosen.append(overrides)
    return chosen


class JobComposer(ConfigLoader):
    """Hydra's config loader, composing each shape of job once per multirun.

    Hydra composes every job from scratch (reading and merging the YAML files, building the defaults tree: 0.2–0.5 s).
    Jobs of a grid differ only in the values they set (``concession=2.0``), so the composer keeps the first job of
    each shape, composed by Hydra, and gives each later job of that shape a copy with its own values set the way
    Hydra sets them after composing (the same function), and the hydra node's fields that name the job's overrides
    rewritten: a few milliseconds, and the same config (tested). A job's shape is its overrides with the values of
    plain settings blanked; anything else — a config group (``scenario=…``), ``+key``, ``~key``, ``hydra.…``, a list
    or dict value, two overrides of one key or of a key inside another — is part of the shape, so such jobs are
    composed by Hydra. Copies persist per process (joblib's workers keep theirs between jobs), for this multirun.
    """

    def __init__(self, loader: ConfigLoader, groups: frozenset[str]):
        self.loader, self.groups, self.token = loader, groups, uuid.uuid4().hex

    def load_sweep_config(self, master_config: DictConfig, sweep_overrides: list[str]) -> DictConfig:
        overrides = [*master_config.hydra.overrides.hydra, *sweep_overrides]
        parsed = [_parsed(o) for o in overrides]
        values = [o for o in parsed if self._is_value(o)]
        if not values or _overlap([o.key_or_group for o in parsed if o.key_or_group not in self.groups]):
            return self.loader.load_sweep_config(master_config, sweep_overrides)
        shape = (self.token, *(o.key_or_group if o in values else o.input_line for o in parsed))
        if shape not in _COMPOSED:
            if _COMPOSED and next(iter(_COMPOSED))[0] != self.token:  # another multirun's
                _COMPOSED.clear()
            config = self.loader.load_sweep_config(master_config, sweep_overrides)
            _COMPOSED[shape] = Frozen(config)
            return config
        config = _COMPOSED[shape].copy()
        ConfigLoaderImpl._apply_overrides_to_config(values, config)
        task = [o for o in parsed if not o.is_hydra_override()]
        config.hydra.overrides.task = [o.input_line for o in task]
        dirname = config.hydra.job.config.override_dirname
        config.hydra.job.override_dirname = get_overrides_dirname(
            overrides=task, kv_sep=dirname.kv_sep, item_sep=dirname.item_sep, exclude_keys=dirname.exclude_keys
        )
        OmegaConf.copy_cache(from_config=master_config, to_config=config)
        return config

    def _is_value(self, override: Override) -> bool:
        """Whether the override sets a plain setting to a single value (no group, no list or dict, no hydra.…)."""
        return (
            override.type == OverrideType.CHANGE
            and override.package is None
            and override.value_type == ValueType.ELEMENT
            and not override.is_hydra_override()
            and override.key_or_group not in self.groups
            and not isinstance(override.value(), (list, dict))
        )

    def load_configuration(self, *args: Any, **kwargs: Any) -> DictConfig:
        return self.loader.load_configuration(*args, **kwargs)

    def get_search_path(self) -> Any:
        return self.loader.get_search_path()

    def get_sources(self) -> Any:
        return self.loader.get_sources()

    def list_groups(self, parent_name: str) -> list[str]:
        return self.loader.list_groups(parent_name)

    def get_group_options(self, *args: Any, **kwargs: Any) -> list[str]:
        return self.loader.get_group_options(*args, **kwargs)

    def compute_defaults_list(self, *args: Any, **kwargs: Any) -> Any:
        return self.loader.compute_defaults_list(*args, **kwargs)


@lru_cache(maxsize=4096)
def _parsed(override: str) -> Override:
    """An override parsed by Hydra's parser (a few milliseconds each: the same lines come back in every job)."""
    (parsed,) = OverridesParser.create().parse_overrides([override])
    return parsed


def _overlap(keys: list[str]) -> bool:
    """Whether two of the keys are the same or one is inside the other (``a`` and ``a.b``)."""
    return any(x == y or x.startswith(f"{y}.") for i, x in enumerate(keys) for j, y in enumerate(keys) if i != j)


class Frozen:
    """A config kept as a pickle, copied by unpickling it: five times faster than ``copy.deepcopy``. Classes (a
    structured config's type) are kept aside and given back as they are: Hydra's plugin scan re-imports the modules
    of some (a launcher's config), so pickle would not find them by name."""

    def __init__(self, config: DictConfig):
        classes: dict[type, int] = {}
        data = io.BytesIO()
        pickler = pickle.Pickler(data, protocol=pickle.HIGHEST_PROTOCOL)
        pickler.persistent_id = lambda o: classes.setdefault(o, len(classes)) if isinstance(o, type) else None
        pickler.dump(config)
        self.data, self.classes = data.getvalue(), list(classes)

    def copy(self) -> DictConfig:
        unpickler = pickle.Unpickler(io.BytesIO(self.data))
        unpickler.persistent_load = self.classes.__getitem__
        return unpickler.load()


# A JobComposer's composed jobs, by shape. Hydra's plugin scan re-executes this module (in joblib's workers, before
# every job, when the launcher restores Hydra's state): the jobs composed before are kept.
_COMPOSED: dict[tuple, Frozen] = globals().get("_COMPOSED", {})


class CellSweeper(BasicSweeper):
    """Hydra's basic sweeper (``hydra.sweeper.params``, ``max_batch_size``), checking fewer jobs up front when
    they run in this process."""

    def setup(self, *, hydra_context: HydraContext, task_function: Any, config: Any) -> None:
        loader = hydra_context.config_loader
        self.composer = JobComposer(loader, frozenset(config_groups(loader)))
        hydra_context = HydraContext(config_loader=self.composer, callbacks=hydra_context.callbacks)
        super().setup(hydra_context=hydra_context, task_function=task_function, config=config)
        self.begin = getattr(getattr(task_function, "__self__", None), "begin", None)

    def split_arguments(self, overrides: list[Override], max_batch_size: int | None) -> list[list[list[str]]]:
        """The batches of jobs: Hydra's grid, times the design's points when the config has a design."""
        design = design_of(self.config)
        if design is None:
            return BasicSweeper.split_arguments(overrides, max_batch_size)
        grid = [o for o in overrides if o.key_or_group.split(".", 1)[0].split("@", 1)[0] != "design"]
        points = point_overrides(design)
        jobs = [[*job, *point] for job in BasicSweeper.split_arguments(grid, None)[0] for point in points]
        return list(BasicSweeper.split_overrides_to_chunks(jobs, max_batch_size))

    def validate_batch_is_legal(self, batch: Sequence[Sequence[str]]) -> None:
        checked = batch
        if isinstance(self.launcher, BasicLauncher):
            checked = jobs_to_check(batch, self.composer.groups)
        super().validate_batch_is_legal(checked)
        if self.begin is not None:  # the first batch: every job is known (``self.overrides``: all the batches)
            begin, self.begin = self.begin, None
            begin(self.config, [list(job) for jobs in self.overrides for job in jobs])


ConfigStore.instance().store(group="hydra/sweeper", name="negsim", node=CellSweeperConf, provider="negsim")
