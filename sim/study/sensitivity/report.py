"""A study's analysis: the indices, the ranking, the figure and the resolved study, written as one folder."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import yaml

from sim.io.atomic import AtomicDir
from sim.study.sensitivity.evaluate import evaluate
from sim.study.sensitivity.study import OUTPUTS, Study
from sim.views.sensitivity_figures import plot_morris, plot_sobol
from sim.views.style import FIGURE_DPI, short_name


def ranking(study: Study, indices: pd.DataFrame, runs: int) -> str:
    """Per output, the parameters from the most to the least influential (by μ* or ST), one line each."""
    morris = study.design.method == "morris"
    columns = ("mu_star", "mu_star_conf", "mu", "sigma") if morris else ("ST", "ST_conf", "S1", "S1_conf")
    headings = ("μ*", "± 95%", "μ", "σ") if morris else ("ST", "± 95%", "S1", "± 95%")
    meaning = "μ*: mean |elementary effect| over the whole range, σ: their spread" if morris else "ST total, S1 alone"
    lines = [
        f"{'Morris screening' if morris else 'Sobol indices'} of {study.scenario.get('name', 'the scenario')}: "
        f"{len(study.parameters)} parameters, {runs} samples × {study.replicates} replicates, {study.rounds} rounds, "
        f"seed {study.design.seed} ({meaning})"
    ]
    width = max(len(short_name(p)) for p in study.parameters)
    for output, table in indices.groupby("output", sort=False):
        lines += ["", f"{output}: {OUTPUTS[output.split('.')[0]]}"]
        lines.append(f"{'#':>4}  {'parameter':{width}}" + "".join(f"{h:>10}" for h in headings))
        order = table.sort_values(columns[0], ascending=False, kind="stable")
        for k, row in enumerate(order.itertuples(index=False), 1):
            numbers = "".join(f"{getattr(row, c):>{'+' if c == 'mu' else ''}10.3g}" for c in columns)  # μ: its sign
            lines.append(f"{k:>4}  {short_name(row.parameter):{width}}{numbers}")
    return "\n".join(lines) + "\n"


def write_analysis(study: Study, samples: pd.DataFrame, indices: pd.DataFrame, pairs: pd.DataFrame) -> Path:
    """Write ``output_dir/analysis/`` under a temporary name, then put it in place of any older one."""
    folder = AtomicDir(study.output_dir / "analysis", replace=True)
    with folder as partial:
        samples.to_parquet(partial / "samples.parquet", index=False)
        tables = {"indices": indices} | ({"second_order": pairs} if len(pairs) else {})
        for name, table in tables.items():
            table.to_parquet(partial / f"{name}.parquet", index=False)
            table.to_csv(partial / f"{name}.csv", index=False)
        (partial / "ranking.txt").write_text(ranking(study, indices, len(samples)))
        (partial / "study.yaml").write_text(yaml.safe_dump(study.to_dict(), sort_keys=False, allow_unicode=True))
        fig = plot_morris(indices) if study.design.method == "morris" else plot_sobol(indices)
        fig.savefig(partial / f"{study.design.method}.png", dpi=FIGURE_DPI)
        plt.close(fig)
    return folder.target


def run_study(study: Study, *, progress: bool = True) -> Path:
    """Sample, evaluate every sample as a sweep cell, analyse and write; return the analysis directory."""
    x = study.design.sample(study.problem)
    samples = evaluate(study, x, progress=progress)
    outputs = samples.drop(columns=["sample", "cell", *study.parameters])
    indices, pairs = study.design.analyze(study.problem, x, outputs)
    return write_analysis(study, samples, indices, pairs)
