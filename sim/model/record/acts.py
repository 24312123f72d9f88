"""The model's acts as event data, and the summaries that set them beside an event record (docs/model.md §3.1).

Every act a run generates (an item adopted or refused, carried out or broken; a friction raised, understood or
rebuffed; an offer or a position tabled, declined or criticised; a deal signed or rejected at home; a measure imposed or
lifted; an event that struck) is an event
of a source towards a target with a CAMEO code and its Goldstein (1992) value, as event data sets (GDELT, ICEWS) code
what one actor did to another. :func:`generated_acts` derives them from a run's record, after the run: the engine is
not involved. :func:`period_summaries` reduces any such events, generated or observed, to the same series.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from sim.model.cameo import goldstein_table
from sim.model.record.recorder import RunRecord
from sim.model.record.records import ACTION_LABELS, Answer, Proposal
from sim.model.schema import month_text

ACT_COLUMNS = ["replicate", "round", "date", "source", "target", "cameo", "goldstein", "act", "note"]
RECORD_COLUMNS = ["date", "source", "target", "cameo", "weight", "note"]  # what sim.read_events reads
STATISTICS = ("goldstein", "cooperative", "conflictual")  # per period and directed pair: total, counts g > 0, g < 0


@dataclass(frozen=True)
class Acts:
    """Events as columns, one entry per event: replicate, round, source, target, CAMEO code, Goldstein value, the
    kind of act and a note."""

    replicate: np.ndarray
    round: np.ndarray
    source: np.ndarray
    target: np.ndarray
    cameo: np.ndarray
    goldstein: np.ndarray
    act: np.ndarray
    note: np.ndarray

    @classmethod
    def concat(cls, parts: list[dict[str, np.ndarray] | None]) -> Acts:
        """The parts (each a dict of equally long columns, or None for none) in order, then stably by replicate and
        round."""
        names = [f.name for f in fields(cls)]
        parts = [p for p in parts if p is not None]
        if not parts:
            empty = {n: np.zeros(0, dtype=int if n in ("replicate", "round") else object) for n in names}
            return cls(**(empty | {"goldstein": np.zeros(0)}))
        columns = {n: np.concatenate([p[n] for p in parts]) for n in names}
        order = np.lexsort((columns["round"], columns["replicate"]))
        return cls(**{n: c[order] for n, c in columns.items()})


def _part(replicates: np.ndarray, round_, source, target, cameo, goldstein, act, note) -> dict[str, np.ndarray] | None:
    """Columns for one event in each replicate of ``replicates``; other values are one value or one per replicate.
    None where there are no replicates."""
    k = len(replicates)
    if not k:
        return None

    def column(value, dtype) -> np.ndarray:
        return np.array(value, dtype=dtype) if np.ndim(value) else np.full(k, value, dtype=dtype)

    return {
        "replicate": np.asarray(replicates, dtype=int),
        "round": column(round_, int),
        "source": column(source, object),
        "target": column(target, object),
        "cameo": column("" if cameo is None else cameo, object),
        "goldstein": column(goldstein, float),
        "act": column(act, object),
        "note": column(note, object),
    }


def generated_acts(record: RunRecord) -> Acts:
    """Every act of a run's replicates as an event, coded by the scenario's ``acts`` block (docs/model.md §3.1).

    Agenda actions and talks are read from the record's logs; a measure is imposed in its first round in force and
    lifted (conflictual) or ended (cooperative) in the first round after its last one within the run; events that
    struck keep their own code and value (act ``event``).
    """
    codes = record.plan.scenario.acts
    value = {code: entry.goldstein for code, entry in goldstein_table().items()}
    parts = [*_agenda(record, codes, value), *_talks(record, codes, value), *_measures(record, codes, value)]
    for reps, round_, source, target, cameo, goldstein, note in record.event_log:
        parts.append(_part(reps, round_, source, target, cameo, goldstein, "event", note))
    return Acts.concat(parts)


def _agenda(record: RunRecord, codes, value) -> list[dict | None]:
    """Adopting, refusing, carrying out and breaking items; raising, understanding and rebuffing frictions."""
    cameo = np.array([codes[a] for a in ACTION_LABELS], dtype=object)
    goldstein = np.array([value[c] for c in cameo])
    labels = np.array(ACTION_LABELS, dtype=object)
    parts = []
    for round_, meeting, item, _, actors, others, actions in record.action_log:
        rep, d = np.nonzero(actions >= 0)
        a = actions[rep, d]
        source, target = np.array(actors, dtype=object)[d], np.array(others, dtype=object)[d]
        parts.append(_part(rep, round_, source, target, cameo[a], goldstein[a], labels[a], f"{meeting}: {item}"))
    return parts


def _talks(record: RunRecord, codes, value) -> list[dict | None]:
    """Offers and positions tabled; proposals declined (criticised where the responder's home would never ratify them);
    deals signed (each side towards the other) or rejected at home (the rejecting side towards the other)."""
    parts = []
    for r in record.offer_log:
        o, note = r.offer, f"{r.meeting}: {r.talks}"
        agreed = o.made & o.accepted
        signed = agreed & r.ratified_by_proposer & r.ratified_by_responder
        refused = o.made & (o.answer > Answer.ACCEPTED)
        never = o.answer == Answer.OUTSIDE_WIN_SET
        for act, mask, source, target in (
            ("offer", o.made & (o.kind == Proposal.OFFER), r.proposer, r.responder),
            ("position", o.made & (o.kind == Proposal.POSITION), r.proposer, r.responder),
            ("declined", refused & ~never, r.responder, r.proposer),
            ("criticised", refused & never, r.responder, r.proposer),
            ("signed", signed, r.proposer, r.responder),
            ("signed", signed, r.responder, r.proposer),
            ("rejected", agreed & ~r.ratified_by_proposer, r.proposer, r.responder),
            ("rejected", agreed & ~r.ratified_by_responder, r.responder, r.proposer),
        ):
            code = codes[act]
            parts.append(_part(np.flatnonzero(mask), r.round, source, target, code, value[code], act, note))
    return parts


def _measures(record: RunRecord, codes, value) -> list[dict | None]:
    """A measure imposed in its first round in force, lifted or ended after its last (in every replicate)."""
    rounds: dict[str, list[int]] = defaultdict(list)
    entries = {}
    for round_, name, *rest in record.measure_log:
        rounds[name].append(round_)
        entries[name] = rest
    everyone = np.arange(len(record.seeds))
    parts = []
    for name, (source, target, cameo, goldstein, note) in entries.items():
        first, last = min(rounds[name]), max(rounds[name])
        parts.append(_part(everyone, first, source, target, cameo, value.get(cameo, goldstein), "imposed", note))
        if last < record.rounds:
            act = "lifted" if goldstein < 0 else "ended"
            code = codes[act]
            parts.append(_part(everyone, last + 1, source, target, code, value[code], act, note))
    return parts


def round_dates(rounds: np.ndarray, calendar_start: str | None, round_months: int) -> np.ndarray:
    """The month ('YYYY-MM') each round begins in, or None for each if the scenario has no calendar."""
    if calendar_start is None:
        return np.full(len(rounds), None, dtype=object)
    year, month = (int(x) for x in calendar_start.split("-"))
    start = 12 * year + month - 1
    return np.array([month_text(start + (r - 1) * round_months) for r in rounds], dtype=object)


def acts_table(record: RunRecord) -> pd.DataFrame:
    """The run's acts as a table (``events_generated.parquet``): one row per event, ``ACT_COLUMNS``."""
    acts = generated_acts(record)
    scenario = record.plan.scenario
    columns = {f.name: getattr(acts, f.name) for f in fields(Acts)}
    columns["date"] = round_dates(acts.round, scenario.calendar_start, scenario.round_months)
    return pd.DataFrame({c: columns[c] for c in ACT_COLUMNS}).astype({"goldstein": float})


def event_records(table: pd.DataFrame) -> pd.DataFrame:
    """Events of :func:`acts_table` (one replicate's, with dates) in the shape of an event record, as
    :func:`sim.read_events` reads it: date, source, target, CAMEO code, weight (the value over the code's), note."""
    coded = table[table["cameo"] != ""]
    code_value = coded["cameo"].map({c: e.goldstein for c, e in goldstein_table().items()})
    weight = np.where(code_value != 0, coded["goldstein"] / code_value.where(code_value != 0, 1.0), 1.0)
    return pd.DataFrame(
        {"date": coded["date"], "source": coded["source"], "target": coded["target"], "cameo": coded["cameo"]}
        | {"weight": np.round(weight, 6), "note": coded["note"]}
    ).reset_index(drop=True)


def country_of(actor: str) -> str:
    """The country of an actor: ``japan`` of ``japan.leader``; an outside actor is its own."""
    return actor.partition(".")[0]


def period_summaries(
    replicate: np.ndarray,
    round_: np.ndarray,
    source: np.ndarray,
    target: np.ndarray,
    goldstein: np.ndarray,
    *,
    replicates: int,
    pairs: list[tuple[str, str]],
    rounds: int,
    period: int = 1,
) -> np.ndarray:
    """(replicates, periods, pairs, STATISTICS): per period of ``period`` rounds (rounds 1 … ``rounds``) and directed
    country pair of ``pairs``, the events' Goldstein total and the counts of cooperative (g > 0) and conflictual
    (g < 0) events. Events between actors of no listed pair, or outside the rounds, are left out.

    The one reduction of generated and observed events alike (docs/model.md §3.1).
    """
    periods = -(-rounds // period)
    out = np.zeros((replicates, periods, len(pairs), len(STATISTICS)))
    if not len(round_):
        return out
    names, inverse = np.unique(np.concatenate([source, target]).astype(str), return_inverse=True)
    countries, country = np.unique([country_of(n) for n in names], return_inverse=True)
    lookup = np.full((len(countries), len(countries)), -1)
    place = {c: i for i, c in enumerate(countries)}
    for k, (a, b) in enumerate(pairs):
        if a in place and b in place:
            lookup[place[a], place[b]] = k
    n = len(source)
    pair = lookup[country[inverse[:n]], country[inverse[n:]]]
    round_ = np.asarray(round_)
    keep = (pair >= 0) & (round_ >= 1) & (round_ <= rounds)
    rep, p, k, g = np.asarray(replicate)[keep], (round_[keep] - 1) // period, pair[keep], np.asarray(goldstein)[keep]
    np.add.at(out, (rep, p, k, 0), g)
    np.add.at(out, (rep, p, k, 1), g > 0)
    np.add.at(out, (rep, p, k, 2), g < 0)
    return out
