"""Figures of a calibration: the posterior's pairs of parameters, its predictive bands beside the observed series, the
run's diagnostics by generation, and a coverage check's rank histograms."""

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
    period's value, drawn as a step over the rounds the period spans, and the observed value at the period's middle;
    the round axis labelled at period starts, with their month where a ``calendar`` is given."""
    pairs = observed[["country", "counterpart"]].drop_duplicates().to_records(index=False)[:MAX_PAIRS]
    stats = list(dict.fromkeys(observed["statistic"]))
    fig = Figure(figsize=(5 * len(stats), 3.2 * len(pairs) + 0.9), layout="constrained")
    axes = fig.subplots(len(pairs), len(stats), squeeze=False)
    for r, (a, b) in enumerate(pairs):
        for c, stat in enumerate(stats):
            ax = axes[r, c]

            def pick(t: pd.DataFrame, a=a, b=b, stat=stat) -> pd.DataFrame:
                return t[(t["country"] == a) & (t["counterpart"] == b) & (t["statistic"] == stat)]

            band = pick(bands).pivot_table(index=["first_round", "last_round"], columns="quantile", values="value")
            qs = sorted(band.columns)
            first, last = (band.index.get_level_values(k).to_numpy() for k in ("first_round", "last_round"))
            edges = np.append(first, last[-1] + 1) - 0.5  # each period spans its rounds, from the first to the last
            low, high = band[qs[0]].to_numpy(), band[qs[-1]].to_numpy()
            ax.stairs(high, edges, baseline=low, fill=True, color="tab:blue", alpha=0.25, label="5–95%")
            ax.stairs(band[qs[len(qs) // 2]].to_numpy(), edges, baseline=None, color="tab:blue", lw=1.5, label="median")
            seen = pick(observed)
            middle = (seen["first_round"] + seen["last_round"]) / 2
            ax.plot(middle, seen["value"], "o", color="black", ms=4, label="observed")
            ticks = first[:: -(-len(first) // MAX_TICKS)]
            ax.set_xticks(ticks, [calendar.month(t) if calendar else str(t) for t in ticks])
            ax.set_title(f"{display_name(a)} → {display_name(b)}: {STATISTIC_LABELS.get(stat, stat)}")
            if r == len(pairs) - 1:
                period = int(last[0] - first[0] + 1)
                ax.set_xlabel(("month" if calendar else "round") + f" (a step per period of {period} rounds)")
            if np.isfinite(seen["value"]).all() and r == 0 and c == 0:
                ax.legend(loc="best")
    fig.suptitle("posterior predictive (blue) against the observed series (black), per period")
    return fig


@readable
def plot_diagnostics(
    generations: pd.DataFrame, marginals: pd.DataFrame, priors: Mapping[str, tuple[float, float]], population: int
) -> Figure:
    """A calibration's run by generation: the threshold ε, the acceptance rate and the effective sample size (top),
    then each parameter's marginal (median, 50% and 90% bands) over its prior's range."""
    params = list(priors)
    columns = max(3, len(params))
    fig = Figure(figsize=(4 * columns, 6.4), layout="constrained")
    top, bottom = fig.subfigures(2, 1)
    x = generations["generation"].to_numpy() + 1
    for ax, (column, label) in zip(
        top.subplots(1, 3),
        [("epsilon", "threshold ε"), ("acceptance_rate", "acceptance rate"), ("ess", "effective sample size")],
        strict=True,
    ):
        ax.plot(x, generations[column], "o-", color="tab:blue")
        ax.set_title(label)
        ax.set_xlabel("generation")
        ax.set_xticks(x)
        if column == "epsilon" and (generations[column] > 0).all():
            ax.set_yscale("log")
        elif column == "acceptance_rate":
            ax.set_ylim(0, 1.05)
        elif column == "ess":
            ax.set_ylim(0, population * 1.05)
    for ax, path in zip(bottom.subplots(1, len(params), squeeze=False)[0], params, strict=True):
        m = marginals[marginals["parameter"] == path]
        g = m["generation"].to_numpy() + 1
        ax.fill_between(g, m["q05"], m["q95"], color="tab:blue", alpha=0.2, label="90%")
        ax.fill_between(g, m["q25"], m["q75"], color="tab:blue", alpha=0.4, label="50%")
        ax.plot(g, m["q50"], "o-", color="tab:blue", label="median")
        ax.set_ylim(priors[path])
        ax.set_xticks(g)
        ax.set_xlabel("generation")
        ax.set_title(short_name(path))
    bottom.axes[0].legend(loc="best")
    fig.suptitle(f"calibration by generation ({population} particles; parameters over their prior's range)")
    return fig


@readable
def plot_check(
    table: pd.DataFrame,
    summary: pd.DataFrame,
    priors: Mapping[str, tuple[float, float]],
    draws: int,
    bins: int,
    band: tuple[float, float],
) -> Figure:
    """A coverage check per parameter (columns): the rank histogram (``bins`` bins) of the hidden values among
    ``draws`` posterior draws with the count a calibrated method expects and its 90% ``band`` (top), and each case's
    50% and 90% intervals against its hidden value, over the prior's range (bottom)."""
    params = list(summary["parameter"])
    cases = table["case"].nunique()
    fig = Figure(figsize=(4.5 * len(params) + 0.5, 7), layout="constrained")
    axes = fig.subplots(2, len(params), squeeze=False)
    low, high = band
    for c, row in enumerate(summary.itertuples()):
        rows = table[table["parameter"] == row.parameter].sort_values("truth")
        ax = axes[0, c]
        ax.hist(rows["rank"], bins=bins, range=(0, draws + 1), color="tab:blue", alpha=0.8)
        ax.axhspan(low, high, color="grey", alpha=0.2, label="90% band if calibrated")
        ax.axhline(cases / bins, color="grey", lw=1)
        ax.set_xlabel(f"rank of the hidden value among {draws} posterior draws")
        ax.set_title(
            f"{short_name(row.parameter)}\n50%: {row.covered50}/{row.cases}, 90%: {row.covered90}/{row.cases} hold it"
        )
        ax = axes[1, c]
        y = np.arange(len(rows))
        ax.hlines(y, rows["low90"], rows["high90"], color="tab:blue", alpha=0.4, lw=2, label="90%")
        ax.hlines(y, rows["low50"], rows["high50"], color="tab:blue", lw=4, label="50%")
        ax.plot(rows["truth"], y, "x", color="tab:red", mew=2, label="hidden value")
        ax.set_xlabel(f"value (prior's range; mean 90% width {row.width90:.2f} of it)")
        ax.set_yticks([])
        ax.set_xlim(priors[row.parameter])
    axes[0, 0].set_ylabel("cases")
    axes[1, 0].set_ylabel("cases, by hidden value")
    axes[0, 0].legend(loc="best")
    axes[1, 0].legend(loc="best")
    fig.suptitle(f"coverage check: {cases} recoveries of values drawn from the priors")
    return fig
