"""Hydra's basic sweeper, without composing every job twice when the jobs run in this process.

Before launching a batch, Hydra's basic sweeper composes the config of every job to catch mistakes before any job
runs, because a launcher may run the jobs in other processes or on other machines. When the jobs run here, in order
(the basic launcher), the launcher composes each job again just before running it, so negsim's sweeper checks only
the jobs that can fail differently: the first one (every job of a grid sets the same keys) and the first job of each
distinct choice of config groups (``scenario=…``). That halves Hydra's time per job (about a quarter of a second).
A later job whose values fail to compose stops the multirun with Hydra's error when its turn comes; the cells
finished before it are kept, and a rerun skips them. Other launchers get Hydra's full check.

Once the first batch is checked, the sweeper hands the whole list of jobs to the object whose method is the task
function, if it has a ``begin(config, jobs)`` method (``negsim sweep``'s :class:`sim.cli.sweep_app.Sweep`): that is
how the command learns, before any job runs, where the sweep is written and which jobs make its grid.

With a sampled design (``design=lhs``, ``conf/design/``), the sweeper makes one job per design point: each job is a
job of the grid (Hydra's product of the swept values) followed by the point's values (``key=value``), so a design and
a grid combine as their product. The design's own overrides (``design…``) are left out of the jobs: a cell is the
same cell whether its values came from a design or from a grid.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from hydra._internal.core_plugins.basic_launcher import BasicLauncher
from hydra._internal.core_plugins.basic_sweeper import BasicSweeper, BasicSweeperConf
from hydra.core.config_loader import ConfigLoader
from hydra.core.config_store import ConfigStore
from hydra.core.override_parser.types import Override

from sim.study.designs import design_of, point_overrides


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


class CellSweeper(BasicSweeper):
    """Hydra's basic sweeper (``hydra.sweeper.params``, ``max_batch_size``), checking fewer jobs up front when
    they run in this process."""

    def setup(self, *, hydra_context: Any, task_function: Any, config: Any) -> None:
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
            loader = self.hydra_context.config_loader
            checked = jobs_to_check(batch, set(config_groups(loader)))
        super().validate_batch_is_legal(checked)
        if self.begin is not None:  # the first batch: every job is known (``self.overrides``: all the batches)
            begin, self.begin = self.begin, None
            begin(self.config, [list(job) for jobs in self.overrides for job in jobs])


ConfigStore.instance().store(group="hydra/sweeper", name="negsim", node=CellSweeperConf, provider="negsim")
