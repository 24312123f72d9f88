"""The samples of a study run in sweep cells, many samples a cell as one batch across parameters, and each sample's
outputs read from its replicates."""

from __future__ import annotations

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


def sample_outputs(replicates: pd.DataFrame, kinds: Sequence[str], rounds: int) -> pd.DataFrame:
    """The outputs (see :data:`OUTPUTS`) of each point of a cell, from its replicate table: one row per ``point`` (a
    single row 0 for a cell of one sample)."""
    point = replicates["point"] if "point" in replicates else pd.Series(0, index=replicates.index, name="point")
    out = {}
    for settled in (c for c in replicates.columns if c.endswith(".settled")):
        talks = settled.removesuffix(".settled")
        hit = replicates[settled].astype(bool)
        if "settlement_probability" in kinds:
            out[f"settlement_probability.{talks}"] = hit.groupby(point).mean().astype(float)
        if "median_time_to_settlement" in kinds:
            when = replicates[f"{talks}.settled_round"].where(hit, rounds + 1)
            out[f"median_time_to_settlement.{talks}"] = when.groupby(point).median().astype(float)
    if "final_confidence" in kinds:
        for column in (c for c in replicates.columns if c.startswith("confidence.")):
            out[f"final_{column}"] = replicates[column].groupby(point).mean().astype(float)
    return pd.DataFrame(out)


def evaluate(study: Study, x: np.ndarray, *, progress: bool = True) -> pd.DataFrame:
    """Run the rows of ``x`` in sweep cells under ``output_dir/cells``, :attr:`~Study.points_per_cell` distinct
    samples a cell as one batch across parameters (samples with the same values computed once); return one row per
    sample: its values, its cell and its outputs. Raises :class:`IncompleteStudy`."""
    names = list(study.parameters)
    values = [dict(zip(names, map(float, row), strict=True)) for row in x]
    distinct = list({tuple(v.values()): v for v in values}.values())
    size = study.points_per_cell
    batches = [distinct[k : k + size] for k in range(0, len(distinct), size)]
    outputs = _run_cells(study, batches, size, progress)  # values → (cell, outputs)
    rows = []
    for i, v in enumerate(values):
        cell, out = outputs[tuple(v.values())]
        rows.append({"sample": i, **v, "cell": cell, **out})
    return pd.DataFrame(rows)


def _run_cells(study: Study, batches: list[list[dict]], size: int, progress: bool) -> dict[tuple, tuple[str, dict]]:
    """Run each batch of samples as a cell through a :class:`~sim.study.cells.CellPipeline`, ``workers + 1`` cells
    ahead when they run outside this process, so the workers never wait while a cell is written; return each
    sample's cell and outputs, by its values."""
    root = study.output_dir / "cells"
    executor = Executor(study.workers, study.backend, study.address)
    pipeline = CellPipeline(ahead=study.workers + 1, progress=False)
    outputs, failed = {}, []
    bar = tqdm(total=sum(map(len, batches)), desc=f"sensitivity {study.name}", unit="sample", disable=not progress)
    samples = {}  # cell → its samples, in the order of its points

    def record(outcomes: list[CellOutcome]) -> None:
        for outcome in outcomes:
            key = outcome.directory.name
            if outcome.status in ("complete", "skipped"):
                table = pd.read_parquet(outcome.directory / "replicates.parquet")
                found = sample_outputs(table, study.outputs, study.rounds)
                for point, row in zip(found.index, found.to_dict("records"), strict=True):
                    outputs[tuple(samples[key][point].values())] = key, row
            else:
                failed.append(outcome)
            bar.update(len(samples[key]))

    try:
        for batch in batches:
            config, values = (
                (study.batch_config(batch), {"points": len(batch)})
                if size > 1
                else (study.cell_config(batch[0]), batch[0])
            )
            samples[config_hash(config)] = batch
            cell = start_cell(config, root, executor=executor, chunk=study.chunk, values=values)
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
