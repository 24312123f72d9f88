"""Each sample of a study run as a sweep cell, and the outputs read from its replicates."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from sim.io.atomic import remove_partials
from sim.study.cells import CellOutcome, config_hash
from sim.study.executor import Executor
from sim.study.pipeline import CellPipeline, start_cell
from sim.study.sensitivity.study import Study


class IncompleteStudy(RuntimeError):
    """Some samples' cells did not complete: the indices need every sample. Complete cells are kept for a rerun."""

    def __init__(self, outcomes: list[CellOutcome]):
        self.outcomes = outcomes
        listed = "; ".join(f"{o.directory.name} {o.status}: {o.error}" for o in outcomes[:5])
        super().__init__(f"{len(outcomes)} cell(s) did not complete ({listed}); rerun to retry them")


def sample_outputs(replicates: pd.DataFrame, kinds: Sequence[str], rounds: int) -> dict[str, float]:
    """The outputs of one sample from its cell's replicate table (see :data:`OUTPUTS`)."""
    out = {}
    for settled in (c for c in replicates.columns if c.endswith(".settled")):
        talks = settled.removesuffix(".settled")
        hit = replicates[settled].astype(bool)
        if "settlement_probability" in kinds:
            out[f"settlement_probability.{talks}"] = float(hit.mean())
        if "median_time_to_settlement" in kinds:
            when = replicates[f"{talks}.settled_round"].where(hit, rounds + 1)
            out[f"median_time_to_settlement.{talks}"] = float(when.median())
    if "final_confidence" in kinds:
        for column in (c for c in replicates.columns if c.startswith("confidence.")):
            out[f"final_{column}"] = float(replicates[column].mean())
    return out


def evaluate(study: Study, x: np.ndarray, *, progress: bool = True) -> pd.DataFrame:
    """Run each row of ``x`` as a sweep cell under ``output_dir/cells`` (samples with the same values share one);
    return one row per sample: its values, its cell and its outputs. Raises :class:`IncompleteStudy`."""
    names = list(study.parameters)
    values = [dict(zip(names, map(float, row), strict=True)) for row in x]
    keys = [config_hash(study.cell_config(v)) for v in values]
    cells = dict(zip(keys, values, strict=True))
    outputs = _run_cells(study, cells, Counter(keys), progress)
    rows = [{"sample": i, **v, "cell": k, **outputs[k]} for i, (v, k) in enumerate(zip(values, keys, strict=True))]
    return pd.DataFrame(rows)


def _run_cells(study: Study, cells: dict[str, dict], counts: Counter, progress: bool) -> dict[str, dict]:
    """Run the cells (hash → values) through a :class:`~sim.study.cells.CellPipeline`, ``workers + 1`` cells ahead when
    they run outside this process, so the workers never wait while a cell is written; return each cell's outputs."""
    root = study.output_dir / "cells"
    executor = Executor(study.workers, study.backend, study.address)
    pipeline = CellPipeline(ahead=study.workers + 1, progress=False)
    outputs, failed = {}, []
    bar = tqdm(total=counts.total(), desc=f"sensitivity {study.name}", unit="sample", disable=not progress)

    def record(outcomes: list[CellOutcome]) -> None:
        for outcome in outcomes:
            key = outcome.directory.name
            if outcome.status in ("complete", "skipped"):
                table = pd.read_parquet(outcome.directory / "replicates.parquet")
                outputs[key] = sample_outputs(table, study.outputs, study.rounds)
            else:
                failed.append(outcome)
            bar.update(counts[key])

    try:
        for values in cells.values():
            cell = start_cell(study.cell_config(values), root, executor=executor, chunk=study.chunk, values=values)
            record(pipeline.add(cell))
        record(pipeline.drain())
    except BaseException:  # Ctrl-C, a failure: stop the workers, then leave nothing half-written (complete cells stay)
        executor.close(kill=True)
        pipeline.abort()
        remove_partials(root)
        raise
    finally:
        executor.close()
        bar.close()
    if failed:
        raise IncompleteStudy(failed)
    return outputs
