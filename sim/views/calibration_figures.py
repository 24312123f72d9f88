"""Figures of a calibration: the posterior's pairs of parameters, its predictive bands beside the observed series."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.views.style import display_name, readable, short_name

STATISTIC_LABELS = {
    "goldstein": "Goldstein total",
    "cooperative": "cooperative acts",
    "conflictual": "conflictual acts",
}
MAX_PAIRS = 4  # directed pairs shown on the predictive figure (the first, in the tables' order)


@readable
def plot_posterior_pairs(
    posterior: pd.DataFrame, priors: Mapping[str, tuple[float, float]], truth: Mapping[str, float] | None = None
) -> Figure:
    """Each parameter's weighted posterior histogram (diagonal) and each pair's particles (shade: weight), over the
    prior's range; ``truth`` (hidden values, when known) marked in red."""
    params = list(priors)
    weights = posterior["weight"].to_numpy()
    n = len(params)
    fig = Figure(figsize=(2.8 * n + 1, 2.8 * n + 0.5), layout="constrained")
    axes = fig.subplots(n, n, squeeze=False)
    for i, pi in enumerate(params):
        for j, pj in enumerate(params):
            ax = axes[i, j]
            if j > i:
                ax.axis("off")
                continue
            if i == j:
                ax.hist(posterior[pi], bins=20, range=priors[pi], weights=weights, color="tab:blue", alpha=0.8)
                ax.set_yticks([])
                if truth and pi in truth:
                    ax.axvline(truth[pi], color="tab:red", lw=2)
            else:
                ax.scatter(posterior[pj], posterior[pi], s=8, c=weights, cmap="Blues", vmin=0)
                ax.set_ylim(priors[pi])
                if truth and pi in truth and pj in truth:
                    ax.plot(truth[pj], truth[pi], "x", color="tab:red", ms=10, mew=2)
            ax.set_xlim(priors[pj])
            if i == n - 1:
                ax.set_xlabel(short_name(pj))
            if j == 0 and i != j:
                ax.set_ylabel(short_name(pi))
    fig.suptitle(f"posterior of {n} parameter{'s' * (n > 1)} ({len(posterior)} particles; axes: prior range)")
    return fig


@readable
def plot_predictive(bands: pd.DataFrame, observed: pd.DataFrame) -> Figure:
    """Per directed pair (rows) and statistic (columns): the posterior-predictive median and 5–95% band of each
    period's value, and the observed series."""
    pairs = observed[["country", "counterpart"]].drop_duplicates().to_records(index=False)[:MAX_PAIRS]
    stats = list(dict.fromkeys(observed["statistic"]))
    fig = Figure(figsize=(5 * len(stats), 3.2 * len(pairs) + 0.6), layout="constrained")
    axes = fig.subplots(len(pairs), len(stats), squeeze=False)
    for r, (a, b) in enumerate(pairs):
        for c, stat in enumerate(stats):
            ax = axes[r, c]

            def pick(t: pd.DataFrame, a=a, b=b, stat=stat) -> pd.DataFrame:
                return t[(t["country"] == a) & (t["counterpart"] == b) & (t["statistic"] == stat)]

            band = pick(bands).pivot_table(index="first_round", columns="quantile", values="value")
            qs = sorted(band.columns)
            x = band.index.to_numpy()
            ax.fill_between(x, band[qs[0]], band[qs[-1]], color="tab:blue", alpha=0.25, step="mid", label="5–95%")
            ax.plot(x, band[qs[len(qs) // 2]], color="tab:blue", drawstyle="steps-mid", label="median")
            seen = pick(observed)
            ax.plot(seen["first_round"], seen["value"], "o", color="black", ms=4, label="observed")
            ax.set_title(f"{display_name(a)} → {display_name(b)}: {STATISTIC_LABELS.get(stat, stat)}")
            ax.set_xlabel("round (start of period)")
            if np.isfinite(seen["value"]).all() and r == 0 and c == 0:
                ax.legend(loc="best")
    fig.suptitle("posterior predictive (blue) against the observed series (black)")
    return fig
