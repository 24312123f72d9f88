"""Figures of a calibration: the posterior's pairs of parameters, its predictive bands beside the observed series."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.views.style import Calendar, display_name, readable, short_name

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


MAX_TICKS = 6  # period starts labelled on the predictive figure's round axis


@readable
def plot_predictive(bands: pd.DataFrame, observed: pd.DataFrame, calendar: Calendar | None = None) -> Figure:
    """Per directed pair (rows) and statistic (columns): the posterior-predictive median and 5–95% band of each
    period's value, drawn as a step over the period's rounds, and the observed value at the period's middle; the
    round axis labelled at period starts, with their month where a ``calendar`` is given."""
    pairs = observed[["country", "counterpart"]].drop_duplicates().to_records(index=False)[:MAX_PAIRS]
    stats = list(dict.fromkeys(observed["statistic"]))
    fig = Figure(figsize=(5 * len(stats), 3.2 * len(pairs) + 0.9), layout="constrained")
    axes = fig.subplots(len(pairs), len(stats), squeeze=False)
    for r, (a, b) in enumerate(pairs):
        for c, stat in enumerate(stats):
            ax = axes[r, c]

            def pick(t: pd.DataFrame, a=a, b=b, stat=stat) -> pd.DataFrame:
                return t[(t["country"] == a) & (t["counterpart"] == b) & (t["statistic"] == stat)]

            band = pick(bands).pivot_table(index="first_round", columns="quantile", values="value")
            qs = sorted(band.columns)
            first = band.index.to_numpy()
            period = int(np.diff(first).min()) if len(first) > 1 else 1
            edges = np.append(first, first[-1] + period) - 0.5  # a period's step covers its rounds
            ax.stairs(band[qs[-1]], edges, baseline=band[qs[0]], fill=True, color="tab:blue", alpha=0.25, label="5–95%")
            ax.stairs(band[qs[len(qs) // 2]], edges, baseline=None, color="tab:blue", lw=1.5, label="median")
            seen = pick(observed)
            middle = seen["first_round"] + (period - 1) / 2
            ax.plot(middle, seen["value"], "o", color="black", ms=4, label="observed")
            ticks = first[:: -(-len(first) // MAX_TICKS)]
            ax.set_xticks(ticks, [calendar.month(t) if calendar else str(t) for t in ticks])
            ax.set_title(f"{display_name(a)} → {display_name(b)}: {STATISTIC_LABELS.get(stat, stat)}")
            if r == len(pairs) - 1:
                ax.set_xlabel(("month" if calendar else "round") + f" (a step per period of {period} rounds)")
            if np.isfinite(seen["value"]).all() and r == 0 and c == 0:
                ax.legend(loc="best")
    fig.suptitle("posterior predictive (blue) against the observed series (black)")
    return fig
