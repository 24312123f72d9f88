"""Writing a run to disk: tables, summary, plot and config, all or nothing."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping
from pathlib import Path

import matplotlib.pyplot as plt
import yaml

from sim.plots import plot_confidence
from sim.recording import RunResult


def free_path(path: Path) -> Path:
    """``path``, or ``path-1``, ``path-2``… if it is taken."""
    candidate, k = path, 0
    while candidate.exists():
        k += 1
        candidate = path.with_name(f"{path.name}-{k}")
    return candidate


def write_run(result: RunResult, directory: str | Path, config: Mapping | None = None, plot: bool = True) -> Path:
    """Write ``result`` into a new directory; return it. Written under a temporary name, then renamed.

    Holds one Parquet file per table, ``summary.json``, ``config.yaml`` (the resolved config, if given) and
    ``confidence.png``. An existing directory is never touched: a free name beside it is used instead.
    """
    target = free_path(Path(directory))
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    partial.mkdir()
    try:
        if config is not None:
            (partial / "config.yaml").write_text(yaml.safe_dump(dict(config), sort_keys=False, allow_unicode=True))
        for name, table in result.tables().items():
            table.to_parquet(partial / f"{name}.parquet", index=False)
        (partial / "summary.json").write_text(json.dumps(result.summary, indent=2, ensure_ascii=False))
        if plot:
            fig = plot_confidence(result)
            fig.savefig(partial / "confidence.png", dpi=150)
            plt.close(fig)
        partial.rename(target)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return target
