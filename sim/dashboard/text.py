"""What the dashboard says about a run, as plain HTML (solara's Markdown would fetch KaTeX from a CDN): the status
line, the talks, the agenda log and the ministries' reasons."""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from html import escape
from typing import TYPE_CHECKING

import pandas as pd

from sim.model.record.result import RunResult
from sim.model.scenario.specs import ScenarioSpec
from sim.views.style import Calendar, display_name

if TYPE_CHECKING:
    from sim.dashboard.live import DashboardModel


def _words(name: str) -> str:
    return escape(name.replace("_", " "))


def _terms(terms: Mapping[str, str]) -> str:
    return ", ".join(f"{_words(k)} <b>{_words(v)}</b>" for k, v in terms.items())


def talks_status(result: RunResult) -> list[str]:
    """Paragraphs on each set of talks: the settlement and its terms, or where the talks stand."""
    out = []
    for t in result.summary["talks"]:
        a, b = (escape(display_name(p)) for p in t["parties"])
        name = _words(t["talks"])
        ra, rb = t["reservation"]
        if t["settled"]:
            ua, ub = t["utility"]
            out.append(f"<b>{name}: settled in round {t['settled_round']}</b> on {_terms(t['terms'])}.")
            out.append(f"Utility {a} {ua:.2f} (reservation {ra:.2f}), {b} {ub:.2f} (reservation {rb:.2f}).")
        else:
            wa, wb = t["final_win_set_sizes"]
            sessions = f"{t['sessions']} session{'' if t['sessions'] == 1 else 's'}"
            out.append(f"<b>{name}: no settlement</b> after {sessions}.")
            out.append(
                f"Deals each side would ratify now: {a} {wa}, {b} {wb}, both <b>{t['final_win_set_overlap']}</b>"
                f" (reservation values: {a} {ra:.2f}, {b} {rb:.2f})."
            )
        if t["ratification_failures"]:
            out.append(f"Deals agreed at the table but rejected at home: {t['ratification_failures']}.")
        nash = t["reference_terms"]["nash"]
        if nash:
            out.append(f"Nash bargaining solution: {_terms(nash)}.")
    return out


def when(spec: ScenarioSpec, round_: int) -> str:
    """Round ``round_`` with its month if the scenario gives dates: ``Round 3 (January 2014)``."""
    dates = Calendar.of(spec)
    if dates is None or round_ == 0:
        return f"Round {round_}"
    year, month = dates.month_of(round_)
    return f"Round {round_} ({calendar.month_name[month]} {year})"


def status_line(model: DashboardModel, result: RunResult) -> str:
    """Round, seed and each directed country pair's confidence now and at the start."""
    k = result.country_states[:, 0]
    names = [escape(display_name(c)) for c in result.countries]
    pairs = [
        f"{names[a]} → {names[b]} <b>{k[-1, a, b]:.3f}</b> (start {k[0, a, b]:.3f})"
        for a in range(len(names))
        for b in range(len(names))
        if a != b
    ]
    head = f"<b>{when(model.spec, result.rounds)}</b> · {escape(model.scenario_name)} · seed {model.seed_value}"
    return " · ".join([head, *pairs])


def _round_column(rounds: pd.Series, dates: Calendar | None) -> dict[str, pd.Series]:
    """A table's first column: the month of each round where the scenario gives dates, else the round."""
    return {"month": rounds.map(dates.month)} if dates else {"round": rounds}


def agenda_log(agenda: pd.DataFrame, dates: Calendar | None = None) -> pd.DataFrame:
    """The agenda table for reading, latest first: when, who did what about which item, at which meeting."""
    return pd.DataFrame(
        {
            **_round_column(agenda["round"], dates),
            "meeting": agenda["meeting"].str.replace("_", " "),
            "item": agenda["item"].str.replace("_", " "),
            "who": agenda["actor"].astype(str).map(display_name)
            + " → "
            + agenda["counterpart"].astype(str).map(display_name),
            "action": agenda["action"].str.replace("_", " "),
        }
    ).iloc[::-1]


def events_log(events: pd.DataFrame, dates: Calendar | None = None) -> pd.DataFrame:
    """The events that struck, for reading: when, who acted towards whom, the CAMEO code, its value, the note."""
    rest = events.drop(columns=["replicate", "round"])
    return pd.DataFrame({**_round_column(events["round"], dates), **{c: rest[c] for c in rest.columns}})


def action_counts(agenda: pd.DataFrame) -> str:
    """How often each action occurs in the agenda log."""
    counts = agenda["action"].value_counts()
    counts = counts[counts > 0]  # the column's categories are every action, done or not
    return " · ".join(f"{_words(a)} <b>{n}</b>" for a, n in counts.items()) or "nothing on the agenda yet"


def agent_reasons(model: DashboardModel) -> str:
    """Each ministry's reasons in the last round, as the agents themselves keep them: what it judged, decided and
    saw, and how its confidence moved; one folding list per ministry."""
    parts = []
    with model.lock:  # Play steps in a thread of its own
        reasons = {m: list(m.reasons) for m in model.ministries}
    for m, kept in reasons.items():
        if not kept:
            continue
        items = "".join(
            f"<li>{_words(r.meeting or 'between meetings')}: {escape(r.what)} <b>{_words(r.about)}</b> — "
            f"{escape(r.detail)}</li>"
            for r in kept
        )
        head = f"<b>{escape(display_name(m.country.name))} · {_words(m.spec.name)}</b> ({len(kept)})"
        parts.append(f"<details><summary>{head}</summary><ul>{items}</ul></details>")
    return "".join(parts) or "no meeting or event this round"
