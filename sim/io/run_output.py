"""Writing a run to disk: tables, summary, plot and config, all or nothing."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import matplotlib.pyplot as plt
import yaml

from sim.io.atomic import AtomicDir
from sim.model.record.acts import acts_table
from sim.model.record.result import RunResult
from sim.views.run_figures import plot_confidence, plot_talks
from sim.views.style import FIGURE_DPI
from sim.views.talks_figures import plot_bargaining


def write_run(result: RunResult, directory: str | Path, config: Mapping | None = None, plot: bool = True) -> Path:
    """Write ``result`` into a new directory; return it. Written under a temporary name, then renamed.

    Holds one Parquet file per table (and ``events_generated.parquet``, the run's acts as event data),
    ``summary.json``, ``config.yaml`` (the resolved config, if given), ``confidence.png`` and, for a scenario with
    talks, ``talks.png`` (what each side tabled, round by round) and ``bargaining.png`` (the same in the two sides'
    utility space). An existing directory is never touched: a free name beside it is used instead.
    """
    folder = AtomicDir(Path(directory), free=True)
    with folder as partial:
        if config is not None:
            (partial / "config.yaml").write_text(yaml.safe_dump(dict(config), sort_keys=False, allow_unicode=True))
        for name, table in result.tables().items():
            table.to_parquet(partial / f"{name}.parquet", index=False)
        acts_table(result).to_parquet(partial / "events_generated.parquet", index=False)  # docs/model.md §3.1
        (partial / "summary.json").write_text(json.dumps(result.summary, indent=2, ensure_ascii=False))
        if plot:
            figures = {"confidence": plot_confidence}
            if result.plan.talks:
                figures |= {"talks": plot_talks, "bargaining": plot_bargaining}
            for name, draw in figures.items():
                figure = draw(result)
                figure.savefig(partial / f"{name}.png", dpi=FIGURE_DPI)
                plt.close(figure)
    return folder.target
