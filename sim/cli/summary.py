"""What ``negsim run`` prints: a summary that fits on one screen, whatever the scenario's size.

The settlements, the largest moves in confidence and the counts, then where the whole summary and the tables are;
it starts with the overrides that made this run, so that a scrolled-back terminal says what was run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

MAX_TALKS = 4  # talks listed two lines each (the outcome, what was tabled); the rest are counted
MAX_MOVES = 8  # directed pairs whose confidence moved most


def run_summary(summary: dict[str, Any], out: Path | str, overrides: list[str]) -> list[str]:
    """The lines ``negsim run`` prints for a run's ``summary`` (see ``RunResult.summary``), written to ``out``."""
    given = " ".join(overrides) if overrides else "none (the defaults)"
    lines = [f"negsim: ran {summary['scenario']} for {summary['rounds']} rounds (seed {summary['seed']})"]
    lines.append(f"  overrides: {given}")
    lines += _talks(summary["talks"])
    lines += _moves(summary["confidence"])
    counts = ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in summary["counts"].items())
    lines.append(f"  counts: {counts}")
    hidden = len(summary["talks"]) > MAX_TALKS or len(summary["confidence"]) > MAX_MOVES
    if hidden:
        lines.append(f"  (the rest: {Path(out) / 'summary.json'} and the tables beside it)")
    lines.append(f"negsim: outputs in {out}")
    return lines


def _talks(talks: list[dict[str, Any]]) -> list[str]:
    lines = []
    for t in talks[:MAX_TALKS]:
        if t["settled"]:
            terms = ", ".join(f"{k}={v}" for k, v in t["terms"].items())
            lines.append(f"  {t['talks']}: settled in round {t['settled_round']} ({terms})")
        else:
            lines.append(f"  {t['talks']}: no settlement after {t['sessions']} sessions")
        lines.append(f"    {_proposals(t)}")
    if len(talks) > MAX_TALKS:
        settled = sum(t["settled"] for t in talks)
        lines.append(f"  … {len(talks) - MAX_TALKS} more talks ({settled} of {len(talks)} settled in all)")
    return lines


def _proposals(t: dict[str, Any]) -> str:
    """What was tabled and how it was answered: ``12 offers, 30 positions; refused: not trusted 25, …``."""
    tabled = ", ".join(f"{n} {kind}{'' if n == 1 else 's'}" for kind, n in t["proposals"].items() if n)
    refused = {a: n for a, n in t["answers"].items() if n and a != "accepted"}
    accepted = t["answers"].get("accepted", 0)
    line = tabled or "nothing tabled"
    if accepted:
        line += f"; accepted at the table: {accepted}"
    if refused:
        line += "; refused: " + ", ".join(f"{a.replace('_', ' ')} {n}" for a, n in refused.items())
    return line


def _moves(confidence: list[dict[str, Any]]) -> list[str]:
    """Each directed pair's confidence from start to end, or only the pairs that moved most when there are many."""
    lines, shown = [], confidence
    if len(confidence) > MAX_MOVES:
        lines.append(f"  largest moves in confidence ({MAX_MOVES} of {len(confidence):,} directed pairs):")
        shown = sorted(confidence, key=lambda c: abs(c["final"] - c["initial"]), reverse=True)[:MAX_MOVES]
    for c in shown:
        change = c["final"] - c["initial"]
        pair = f"{c['country']} → {c['counterpart']}"
        lines.append(f"  confidence {pair}: {c['initial']:.2f} → {c['final']:.2f} ({change:+.2f})")
    return lines
