"""The tidy tables and summaries of a run, built from its :class:`~sim.model.record.RunRecord`.

Tables are built on first use, so a batch that reads only summaries never pays for them. The names of the summary
columns (``<talks>.settled``, ``confidence.<a>.<b>``, ``count.<action>``) are defined here, with the helpers that find
them again in a table.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.model.record.recorder import RunRecord
from sim.model.record.records import ACTION_LABELS, ANSWER_LABELS, PROPOSAL_LABELS, Proposal

if TYPE_CHECKING:
    from sim.model.plan.talks import TalksPlan

MEETING_COLUMNS = ["round", "meeting", "format", "host", "countries", "held", "reason"]
EVENT_COLUMNS = ["replicate", "round", "source", "target", "cameo", "goldstein", "note"]
LAPSE_COLUMNS = ["replicate", "round", "meeting", "reason"]
MEASURE_COLUMNS = ["round", "measure", "source", "target", "cameo", "goldstein", "note"]
CHANGE_COLUMNS = ["round", "parameter", "value", "note"]


def seed_column(seeds) -> np.ndarray:
    """Seeds as a table column: unsigned 64-bit (spawned seeds use the whole range, so a batch whose seeds all
    happen to be below 2⁶³ must not get another type than one with larger seeds), or objects if some are None."""
    if any(s is None for s in seeds):
        return np.array(seeds, dtype=object)
    return np.array(seeds, dtype=np.uint64)


NUMBER_COLUMNS = {"replicate": "int64", "round": "int64", "session": "int64", "goldstein": "float64"}
NUMBER_COLUMNS |= dict.fromkeys(("u_proposer", "u_responder", "level_proposer", "level_responder"), "float64")
NUMBER_COLUMNS |= dict.fromkeys(("accepted", "ratified_by_proposer", "ratified_by_responder"), "bool")


def empty_table(columns: list[str]) -> pd.DataFrame:
    """A table with no rows whose columns have the types they have when there are rows (text for the rest), so that a
    replicate with nothing to record compares equal to the same replicate's empty slice of a batch."""
    return pd.DataFrame({c: pd.Series(dtype=NUMBER_COLUMNS.get(c, "str")) for c in columns})


def settlement_columns(frame: pd.DataFrame) -> tuple[str | None, str | None]:
    """The columns saying whether and when the (first) talks settled, or (None, None) if there are no talks."""
    settled = [c for c in frame.columns if c.endswith(".settled")]
    if not settled:
        return None, None
    return settled[0], settled[0].removesuffix(".settled") + ".settled_round"


def text(values, rows: np.ndarray, tiles: int = 1) -> pd.Categorical:
    """A text column whose row k is ``values[rows[k]]``, the whole repeated ``tiles`` times, as a categorical whose
    categories are the distinct ``values`` in text order.

    Names repeat over millions of rows (countries, ministries, actions): a categorical stores a one- or two-byte code
    per row, a tenth of the memory of the text, and compares, sorts and groups as the text does. Its categories come
    from the scenario, not from what happened, so a replicate run alone has the same column as in a batch.
    """
    categories, codes = np.unique(np.asarray(values, dtype=str), return_inverse=True)
    dtype = pd.CategoricalDtype(pd.Index(categories, dtype="str"))
    small = codes.astype(np.int8 if len(categories) < 128 else np.int16 if len(categories) < 2**15 else np.int32)
    return pd.Categorical.from_codes(np.tile(small[np.asarray(rows, dtype=np.intp)], tiles), dtype=dtype)


def _action_table(actions: list[tuple], vocabulary: dict[str, tuple[str, ...]]) -> pd.DataFrame:
    """The agenda table from the recorded actions; ``vocabulary`` gives every value the scenario can put in each
    text column (its categories: :func:`text`)."""
    names = {k: {v: code for code, v in enumerate(values)} for k, values in vocabulary.items()}

    def number(column: str, values) -> np.ndarray:
        known = names[column]
        return np.array([known.setdefault(v, len(known)) for v in values], dtype=np.intp)

    labels = number("action", ACTION_LABELS)
    columns: dict[str, list] = {k: [] for k in ("replicate", "round", *vocabulary)}
    for round_, meeting, item, kind, actors, others, codes in actions:
        rep, d = np.nonzero(codes >= 0)
        if not len(rep):
            continue
        columns["replicate"].append(rep)
        columns["round"].append(np.full(len(rep), round_))
        for key, value in (("meeting", meeting), ("item", item), ("kind", kind)):
            columns[key].append(np.full(len(rep), number(key, [value])[0]))
        columns["actor"].append(number("actor", actors)[d])
        columns["counterpart"].append(number("counterpart", others)[d])
        columns["action"].append(labels[codes[rep, d]])

    def rows(column: str) -> np.ndarray:  # one column at a time (peak memory)
        return np.concatenate(columns.pop(column)) if columns[column] else np.array([], dtype=np.int64)

    table = {k: rows(k) for k in ("replicate", "round")}
    return pd.DataFrame(table | {k: text(list(names[k]), rows(k)) for k in vocabulary}, copy=False)


@dataclass
class RunResult(RunRecord):
    """The outcome of R replicates of a scenario (R = 1 for a single run): its record, as tidy tables and summaries.

    Tables have a ``replicate`` column (0 … R − 1); ``seeds[r]`` is the seed that reproduces replicate r alone. A
    result is a snapshot: stepping the model on never changes it.
    """

    @classmethod
    def of(cls, record: RunRecord) -> RunResult:
        """The result of a record."""
        return cls(**{f.name: getattr(record, f.name) for f in fields(RunRecord)})

    @property
    def scenario(self) -> str:
        return self.plan.scenario.name

    @property
    def replicates(self) -> int:
        return len(self.seeds)

    @property
    def seed(self) -> int | None:
        """The seed of a single run."""
        return self.seeds[0] if self.replicates == 1 else None

    @property
    def countries(self) -> list[str]:
        return [c.name for c in self.plan.scenario.countries]

    @property
    def ministries(self) -> list[tuple[str, str]]:
        """(country, ministry) in matrix order."""
        return [(m.country, m.name) for m in self.plan.scenario.ministries]

    @property
    def country_pairs(self) -> list[tuple[str, str]]:
        """Directed country pairs (country, counterpart) in the order of the confidence tables and cube."""
        names = self.countries
        return [(a, b) for a in names for b in names if a != b]

    @cached_property
    def confidence_cube(self) -> np.ndarray:
        """Country-level confidence as an array (replicates, rounds + 1, directed pairs), pairs as
        :attr:`country_pairs`."""
        src, dst = np.nonzero(~np.eye(len(self.countries), dtype=bool))
        return self.country_states[:, :, src, dst].transpose(1, 0, 2)

    @cached_property
    def country_confidence(self) -> pd.DataFrame:
        """One row per replicate × round × directed country pair (in that order): confidence of ``country`` in
        ``counterpart``."""
        src, dst = np.nonzero(~np.eye(len(self.countries), dtype=bool))  # the order of country_pairs
        cube = self.confidence_cube
        reps, rounds, n = cube.shape
        return pd.DataFrame(
            {
                "replicate": np.repeat(np.arange(reps), rounds * n),
                "round": np.tile(np.repeat(np.arange(rounds), n), reps),
                "country": text(self.countries, src, rounds * reps),
                "counterpart": text(self.countries, dst, rounds * reps),
                "confidence": cube.ravel(),
            },
            copy=False,  # every column is a new array: no second copy into blocks (peak memory)
        )

    @cached_property
    def ministry_confidence(self) -> pd.DataFrame:
        """One row per replicate × recorded round × directed pair of ministries in different countries."""
        country = np.array([c for c, _ in self.ministries], dtype=object)
        name = np.array([m for _, m in self.ministries], dtype=object)
        src, dst = np.nonzero(country[:, None] != country[None, :])
        k, reps = len(self.ministry_rounds), self.replicates
        return pd.DataFrame(
            {
                "replicate": np.tile(np.repeat(np.arange(reps), len(src)), k),
                "round": np.repeat(self.ministry_rounds, reps * len(src)),
                "country": text(country, src, k * reps),
                "ministry": text(name, src, k * reps),
                "counterpart_country": text(country, dst, k * reps),
                "counterpart_ministry": text(name, dst, k * reps),
                "confidence": self.ministry_states[:, :, src, dst].ravel() if k else np.array([], dtype=float),
            },
            copy=False,  # every column is a new array: no second copy into blocks (peak memory)
        )

    def confidence_by_country(self, replicate: int = 0) -> np.ndarray:
        """Each ministry's confidence in each country at the recorded rounds: (rounds, ministries, countries).

        A ministry's confidence in a country weighs that country's ministries by their influence.
        """
        states = self.ministry_states[:, replicate]
        return np.add.reduceat(states * self.plan.influence[None, None, :], self.plan.starts, axis=-1)

    @cached_property
    def meetings(self) -> pd.DataFrame:
        """One row per scheduled meeting (the same in every replicate): ``held``, or why not (``reason``: suspended
        or ended by date). Where confidence kept a meeting from being held in a replicate, :attr:`lapses` says so."""
        return pd.DataFrame(self.meeting_log, columns=MEETING_COLUMNS).astype({"held": bool})  # bool when empty too

    @cached_property
    def lapses(self) -> pd.DataFrame:
        """One row per replicate and scheduled meeting that lapsed by rule (confidence below the series' level)."""
        parts = [
            pd.DataFrame({"replicate": reps, "round": round_, "meeting": meeting, "reason": reasons})
            for round_, meeting, reps, reasons in self.lapse_log
        ]
        if not parts:
            return empty_table(LAPSE_COLUMNS)
        return pd.concat(parts, ignore_index=True).sort_values("replicate", kind="stable", ignore_index=True)

    @cached_property
    def measures(self) -> pd.DataFrame:
        """One row per round and measure in force (the same in every replicate), with its Goldstein value."""
        return pd.DataFrame(self.measure_log, columns=MEASURE_COLUMNS)

    @cached_property
    def changes(self) -> pd.DataFrame:
        """One row per parameter changed by date: from which round, its new value, and why."""
        return pd.DataFrame(self.change_log, columns=CHANGE_COLUMNS)

    @cached_property
    def agenda(self) -> pd.DataFrame:
        """One row per action on the agenda: accepting, refusing, carrying out or breaking an item; frictions."""
        scenario = self.plan.scenario
        vocabulary = {
            "meeting": tuple(e.name for e in scenario.calendar),
            "item": tuple(i.name for i in scenario.cooperation) + tuple(f.name for f in scenario.frictions),
            "kind": ("cooperation", "friction"),
            "actor": tuple(self.countries),
            "counterpart": tuple(self.countries),
            "action": ACTION_LABELS,
        }
        return _action_table(self.action_log, vocabulary)

    @cached_property
    def offers(self) -> pd.DataFrame:
        """One row per turn in a session of settlement talks: an offer, a position or silence (``kind``); its terms and
        utilities; the answer (``accepted``, or why it was refused: ``answer``); and how each side's home voted.

        With one set of talks each dimension is a column; with several, the terms are one ``terms`` column. A silent
        turn has no terms and no utilities.
        """
        plans = self.plan.talks
        single = len(plans) == 1
        dims = list(next(iter(plans.values())).dimensions) if single else ["terms"]
        columns = ["replicate", "round", "meeting", "talks", "session", "proposer", "responder", "kind", *dims]
        columns += ["u_proposer", "u_responder", "level_proposer", "level_responder", "accepted", "answer"]
        columns += ["ratified_by_proposer", "ratified_by_responder"]
        parts: dict[str, list[np.ndarray]] = {c: [] for c in columns}
        kinds, answers = np.array(PROPOSAL_LABELS, dtype=object), np.array(("", *ANSWER_LABELS), dtype=object)
        for r in self.offer_log:
            o = r.offer
            reps = np.flatnonzero(o.made)
            if not len(reps):
                continue
            plan, outcome = plans[r.talks], o.outcome[reps]
            silent = o.kind[reps] == Proposal.SILENT
            terms = {
                dim: np.where(silent, None, np.array(opts, dtype=object)[plan.grid[outcome, k]])
                for k, (dim, opts) in enumerate(plan.dimensions.items())
            }
            if not single:
                joined = ["; ".join(f"{d}={v[i]}" for d, v in terms.items()) for i in range(len(reps))]
                terms = {"terms": np.where(silent, None, np.array(joined, dtype=object))}
            fixed = {"round": r.round, "meeting": r.meeting, "talks": r.talks}
            fixed |= {"proposer": r.proposer, "responder": r.responder}
            arrays = {"replicate": reps, "session": r.session[reps], "kind": kinds[o.kind[reps]], **terms}
            arrays |= {"u_proposer": np.where(silent, np.nan, o.u_proposer[reps])}
            arrays |= {"u_responder": np.where(silent, np.nan, o.u_responder[reps])}
            arrays |= {"level_proposer": o.level_proposer[reps], "level_responder": o.level_responder[reps]}
            arrays |= {"accepted": o.accepted[reps], "answer": answers[o.answer[reps] + 1]}
            arrays |= {"ratified_by_proposer": r.ratified_by_proposer[reps]}
            arrays |= {"ratified_by_responder": r.ratified_by_responder[reps]}
            for name, value in fixed.items():
                parts[name].append(np.full(len(reps), value, dtype=object if isinstance(value, str) else None))
            for name, value in arrays.items():
                parts[name].append(value)
        if not parts["replicate"]:
            return empty_table(columns)
        table = pd.DataFrame({name: np.concatenate(values) for name, values in parts.items()})
        return table.sort_values(["replicate", "round"], kind="stable", ignore_index=True)

    @cached_property
    def events(self) -> pd.DataFrame:
        """One row per event that struck in a replicate: scheduled events strike in all, random ones where drawn."""
        parts = [pd.DataFrame(dict(zip(EVENT_COLUMNS, e, strict=True))) for e in self.event_log]
        if not parts:
            return empty_table(EVENT_COLUMNS)
        return pd.concat(parts, ignore_index=True).sort_values("replicate", kind="stable", ignore_index=True)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by its file name."""
        return {
            "country_confidence": self.country_confidence,
            "ministry_confidence": self.ministry_confidence,
            "meetings": self.meetings,
            "agenda": self.agenda,
            "offers": self.offers,
            "events": self.events,
            "lapses": self.lapses,
            "measures": self.measures,
            "changes": self.changes,
        }

    @cached_property
    def replicate_summaries(self) -> pd.DataFrame:
        """One row per replicate: seed, settlement (per talks), final confidence per directed country pair, counts."""
        reps = np.arange(self.replicates)
        out: dict[str, Any] = {"replicate": reps, "seed": seed_column(self.seeds)}
        for name, plan in self.plan.talks.items():
            outcome = self.settlement[name]
            settled = outcome >= 0
            out[f"{name}.settled"] = settled
            out[f"{name}.settled_round"] = np.where(settled, self.settled_round[name], np.nan)
            out[f"{name}.sessions"] = self.sessions[name]
            for k, dim in enumerate(plan.dimensions):
                options = np.array(plan.dimensions[dim], dtype=object)
                out[f"{name}.{dim}"] = np.where(settled, options[plan.grid[np.maximum(outcome, 0), k]], None)
        names = self.countries
        final = self.country_states[-1]
        for a, ca in enumerate(names):
            for b, cb in enumerate(names):
                if a != b:
                    out[f"confidence.{ca}.{cb}"] = final[:, a, b]
        counts = self.action_counts()
        for k, action in enumerate(ACTION_LABELS):
            out[f"count.{action}"] = counts[:, k]
        return pd.DataFrame(out)

    def action_counts(self) -> np.ndarray:
        """(R, len(ACTION_LABELS)): how often each replicate saw each action, counted from the records directly."""
        counts = np.zeros((self.replicates, len(ACTION_LABELS)), dtype=int)
        for *_, codes in self.action_log:
            rep, d = np.nonzero(codes >= 0)
            np.add.at(counts, (rep, codes[rep, d]), 1)
        return counts

    @cached_property
    def summary(self) -> dict[str, Any]:
        """A single run's summary: settlement or not, when and on what terms; confidence at start and end; counts."""
        if self.replicates != 1:
            raise ValueError(
                f"summary describes one run; this result holds {self.replicates} (see replicate_summaries)"
            )
        k = self.country_states[:, 0]
        names = self.countries
        counts = self.agenda["action"].value_counts()
        return {
            "scenario": self.scenario,
            "seed": self.seed,
            "rounds": self.rounds,
            "settled": any(bool(s[0] >= 0) for s in self.settlement.values()),
            "talks": [self._talks_summary(name, plan) for name, plan in self.plan.talks.items()],
            "confidence": [
                {
                    "country": names[a],
                    "counterpart": names[b],
                    "initial": float(k[0, a, b]),
                    "final": float(k[-1, a, b]),
                    "min": float(k[:, a, b].min()),
                    "max": float(k[:, a, b].max()),
                }
                for a in range(len(names))
                for b in range(len(names))
                if a != b
            ],
            "counts": {
                "meetings": int(self.meetings["held"].sum()) - len(self.lapses),
                "events": len(self.events),
                **{f"{kind}s": int((self.offers["kind"] == kind).sum()) for kind in ("offer", "position")},
                **{action: int(counts.get(action, 0)) for action in ACTION_LABELS},
            },
        }

    def _talks_summary(self, name: str, plan: TalksPlan) -> dict[str, Any]:
        outcome = int(self.settlement[name][0])
        settled = outcome >= 0
        win_sets = plan.win_sets(self.final_confidence[0])
        offers = self.offers[self.offers["talks"] == name]
        rejected = offers["accepted"] & ~(offers["ratified_by_proposer"] & offers["ratified_by_responder"])
        answers = offers["answer"].value_counts()
        return {
            "talks": name,
            "parties": [p.name for p in plan.parties],
            "settled": settled,
            "settled_round": int(self.settled_round[name][0]) if settled else None,
            "terms": plan.terms(outcome) if settled else None,
            "utility": [float(u[outcome]) for u in plan.utility] if settled else None,
            "reservation": list(plan.reservation),
            "sessions": int(self.sessions[name][0]),
            "proposals": {kind: int((offers["kind"] == kind).sum()) for kind in PROPOSAL_LABELS},
            "answers": {answer: int(answers.get(answer, 0)) for answer in ANSWER_LABELS},
            "ratification_failures": int(rejected.sum()),
            "final_win_set_sizes": [int(w.sum()) for w in win_sets],
            "final_win_set_overlap": int((win_sets[0] & win_sets[1]).sum()),
            "reference_terms": {
                k: plan.terms(v) if v is not None else None for k, v in plan.reference_solutions().items()
            },
        }
