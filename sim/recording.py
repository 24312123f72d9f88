"""What a run records, and the tidy tables and summary built from it.

During a run the :class:`Recorder` only appends tuples and copies the confidence matrix; pandas tables are built on
first use by :class:`RunResult`, so a batch of runs that reads only summaries never pays for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from sim.model import NegotiationModel
    from sim.talks import Negotiation, SessionResult


def country_confidence(confidence: np.ndarray, influence: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Country-level confidence from a ministry matrix (or a stack of them): influence-weighted on both sides.

    ``K[a, b] = Σ_{i∈a} Σ_{j∈b} w_i w_j C[i, j]``, ministries of each country contiguous from ``starts``.
    """
    weighted = confidence * influence[:, None] * influence[None, :]
    return np.add.reduceat(np.add.reduceat(weighted, starts, axis=-1), starts, axis=-2)


AGENDA_COLUMNS = ["round", "meeting", "item", "kind", "actor", "counterpart", "action"]
MEETING_COLUMNS = ["round", "meeting", "format", "host", "countries"]
EVENT_COLUMNS = ["round", "source", "target", "cameo", "goldstein", "note"]
OFFER_COLUMNS = [
    "round",
    "meeting",
    "talks",
    "session",
    "proposer",
    "responder",
    "u_proposer",
    "u_responder",
    "level_proposer",
    "level_responder",
    "accepted",
    "ratified_by_proposer",
    "ratified_by_responder",
]
ACTIONS = ("accepted", "refused", "carried_out", "broke", "raised", "understood", "rebuffed")


class Recorder:
    """Collects a run's records as plain tuples and arrays."""

    def __init__(self, model: NegotiationModel, ministry_every: int):
        self.model = model
        self.ministry_every = ministry_every  # 0: never record ministry pairs
        self.ministry_rounds: list[int] = []
        self.ministry_states: list[np.ndarray] = []
        self.country_states: list[np.ndarray] = []
        self.meetings: list[tuple] = []
        self.agenda: list[tuple] = []
        self.sessions: list[tuple] = []
        self.events: list[tuple] = []

    def capture(self, round_: int) -> None:
        """Record the state at the end of ``round_``."""
        m = self.model
        if self.ministry_every and round_ % self.ministry_every == 0:
            self.ministry_rounds.append(round_)
            self.ministry_states.append(m.confidence.copy())
        if self.ministry_every != 1:  # otherwise derived from the ministry states at the end
            self.country_states.append(country_confidence(m.confidence, m.influence, m.starts))

    def log_session(self, round_: int, meeting: str, negotiation: Negotiation, result: SessionResult) -> None:
        parties = [p.name for p in negotiation.plan.parties]
        last = len(result.proposals) - 1
        for k, p in enumerate(result.proposals):
            ratified = result.ratified if k == last and result.ratified is not None else (None, None)
            self.sessions.append(
                (
                    round_,
                    meeting,
                    negotiation.plan.name,
                    negotiation.sessions,
                    parties[p.proposer],
                    parties[1 - p.proposer],
                    p.outcome,
                    p.u_proposer,
                    p.u_responder,
                    p.level_proposer,
                    p.level_responder,
                    p.accepted,
                    ratified[p.proposer],
                    ratified[1 - p.proposer],
                )
            )


@dataclass
class RunResult:
    """The outcome of one run: tidy tables (built on first use) and a summary."""

    scenario: str
    seed: int | None
    rounds: int
    countries: list[str]
    ministries: list[tuple[str, str]]  # (country, ministry) in matrix order
    influence: np.ndarray  # per ministry, within its country
    starts: np.ndarray  # first matrix row of each country
    ministry_rounds: np.ndarray
    ministry_states: np.ndarray  # (n_recorded, M, M)
    country_states: np.ndarray  # (rounds + 1, n_countries, n_countries)
    final_confidence: np.ndarray  # (M, M)
    records: dict[str, list[tuple]]
    negotiations: list[Negotiation]

    @cached_property
    def country_confidence(self) -> pd.DataFrame:
        """One row per round × directed country pair: ``round, country, counterpart, confidence``."""
        names = np.array(self.countries, dtype=object)
        src, dst = np.nonzero(~np.eye(len(names), dtype=bool))
        rounds = np.arange(len(self.country_states))
        return pd.DataFrame(
            {
                "round": np.repeat(rounds, len(src)),
                "country": np.tile(names[src], len(rounds)),
                "counterpart": np.tile(names[dst], len(rounds)),
                "confidence": self.country_states[:, src, dst].ravel(),
            }
        )

    @cached_property
    def ministry_confidence(self) -> pd.DataFrame:
        """One row per recorded round × directed pair of ministries in different countries."""
        country = np.array([c for c, _ in self.ministries], dtype=object)
        name = np.array([m for _, m in self.ministries], dtype=object)
        src, dst = np.nonzero(country[:, None] != country[None, :])
        k = len(self.ministry_rounds)
        return pd.DataFrame(
            {
                "round": np.repeat(self.ministry_rounds, len(src)),
                "country": np.tile(country[src], k),
                "ministry": np.tile(name[src], k),
                "counterpart_country": np.tile(country[dst], k),
                "counterpart_ministry": np.tile(name[dst], k),
                "confidence": self.ministry_states[:, src, dst].ravel(),
            }
        )

    def ministry_trust(self) -> np.ndarray:
        """Each ministry's confidence in each country at the recorded rounds: (rounds, ministries, countries).

        A ministry's confidence in a country weighs that country's ministries by their influence.
        """
        return np.add.reduceat(self.ministry_states * self.influence[None, None, :], self.starts, axis=-1)

    @cached_property
    def meetings(self) -> pd.DataFrame:
        """One row per meeting held."""
        return pd.DataFrame(self.records["meetings"], columns=MEETING_COLUMNS)

    @cached_property
    def agenda(self) -> pd.DataFrame:
        """One row per agenda action: a country accepting, refusing, carrying out or breaking an item; frictions."""
        return pd.DataFrame(self.records["agenda"], columns=AGENDA_COLUMNS)

    @cached_property
    def offers(self) -> pd.DataFrame:
        """One row per proposal in the settlement talks: its terms, utilities, and how it was received and ratified.

        With one set of talks each dimension is a column; with several, the terms are one ``terms`` column.
        """
        talks = {n.plan.name: n.plan for n in self.negotiations}
        single = len(talks) == 1
        dims = list(self.negotiations[0].plan.dimensions) if single else ["terms"]
        rows = []
        for r in self.records["sessions"]:
            terms = talks[r[2]].terms(r[6])
            shown = tuple(terms.values()) if single else ("; ".join(f"{k}={v}" for k, v in terms.items()),)
            rows.append((*r[:6], *shown, *r[7:]))
        return pd.DataFrame(rows, columns=[*OFFER_COLUMNS[:6], *dims, *OFFER_COLUMNS[6:]])

    @cached_property
    def events(self) -> pd.DataFrame:
        """One row per event that struck."""
        return pd.DataFrame(self.records["events"], columns=EVENT_COLUMNS)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by its file name."""
        return {
            "country_confidence": self.country_confidence,
            "ministry_confidence": self.ministry_confidence,
            "meetings": self.meetings,
            "agenda": self.agenda,
            "offers": self.offers,
            "events": self.events,
        }

    @cached_property
    def summary(self) -> dict[str, Any]:
        """Settlement or not, when and on what terms; confidence at start and end; counts of what happened."""
        actions = pd.Series([r[6] for r in self.records["agenda"]], dtype=object).value_counts()
        k = self.country_states
        pairs = [(a, b) for a in range(len(self.countries)) for b in range(len(self.countries)) if a != b]
        return {
            "scenario": self.scenario,
            "seed": self.seed,
            "rounds": self.rounds,
            "settled": any(n.settlement is not None for n in self.negotiations),
            "talks": [self._talks_summary(n) for n in self.negotiations],
            "confidence": [
                {
                    "country": self.countries[a],
                    "counterpart": self.countries[b],
                    "initial": float(k[0, a, b]),
                    "final": float(k[-1, a, b]),
                    "min": float(k[:, a, b].min()),
                    "max": float(k[:, a, b].max()),
                }
                for a, b in pairs
            ],
            "counts": {
                "meetings": len(self.records["meetings"]),
                "events": len(self.records["events"]),
                "proposals": len(self.records["sessions"]),
                **{action: int(actions.get(action, 0)) for action in ACTIONS},
            },
        }

    def _talks_summary(self, n: Negotiation) -> dict[str, Any]:
        plan = n.plan
        win_sets = plan.win_sets(self.final_confidence)
        reference = plan.reference_solutions()
        failed = [r for r in self.records["sessions"] if r[2] == plan.name and r[11] and not (r[12] and r[13])]
        return {
            "talks": plan.name,
            "parties": [p.name for p in plan.parties],
            "settled": n.settlement is not None,
            "settled_round": n.settled_round,
            "terms": plan.terms(n.settlement) if n.settlement is not None else None,
            "utility": [float(u[n.settlement]) for u in plan.utility] if n.settlement is not None else None,
            "reservation": list(plan.reservation),
            "sessions": n.sessions,
            "ratification_failures": len(failed),
            "final_win_set_sizes": [int(w.sum()) for w in win_sets],
            "final_win_set_overlap": int((win_sets[0] & win_sets[1]).sum()),
            "reference_terms": {k: plan.terms(v) if v is not None else None for k, v in reference.items()},
        }
