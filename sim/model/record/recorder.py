"""What a run records while it runs, and the snapshot it hands over.

During a run the :class:`Recorder` only appends small typed records (:mod:`sim.model.record.records`) holding
arrays with one value per replicate. A
:class:`RunRecord` is a snapshot of everything recorded up to a round: plain arrays and records, never changed after it
is taken; :class:`sim.model.record.result.RunResult` builds the tidy tables and summaries from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.model.record.records import (
    ActionRecord,
    ChangeRecord,
    EventRecord,
    LapseRecord,
    MeasureRecord,
    MeetingRecord,
    OfferRecord,
    SessionResult,
)

if TYPE_CHECKING:
    from sim.model.plan.compiled import EntryPlan, Plan
    from sim.model.plan.talks import TalksPlan
    from sim.model.scenario.specs import Change, Measure


def country_confidence(confidence: np.ndarray, influence: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Country-level confidence from ministry matrices (..., M, M): influence-weighted on both sides.

    ``K[a, b] = Σ_{i∈a} Σ_{j∈b} w_i w_j C[i, j]``, with each country's ministries contiguous from ``starts``.
    """
    weighted = confidence * influence[:, None]
    weighted *= influence  # in place: the same products, one temporary fewer
    return block_sums(block_sums(weighted, starts, -1), starts, -2)


def block_sums(x: np.ndarray, starts: np.ndarray, axis: int) -> np.ndarray:
    """``np.add.reduceat(x, starts, axis)``: the sums of the consecutive blocks of ``axis`` that begin at ``starts``.

    When every block has the same size k ≤ 8 (countries with equally many ministries), the sums are made from k
    strided slices, as reduceat adds a block of fewer than nine (its first element plus the others summed in order),
    so with the same bits (tests/test_record.py), instead of one inner loop per block: 2–2.5× faster.
    """
    size, blocks = x.shape[axis], len(starts)
    k = size // blocks if blocks else 0
    if not (1 <= k <= 8 and k * blocks == size and np.array_equal(starts, np.arange(0, size, k))):
        return np.add.reduceat(x, starts, axis=axis)
    x = np.moveaxis(x, axis, -1)
    if k == 1:
        return np.moveaxis(x.copy(), -1, axis)
    rest = x[..., 1::k].copy()
    for j in range(2, k):
        rest += x[..., j::k]
    return np.moveaxis(x[..., 0::k] + rest, -1, axis)


class Recorder:
    """Collects a run's records: per-round states and per-meeting outcomes, one value per replicate."""

    def __init__(self, plan: Plan, replicates: int, ministry_every: int):
        self.plan = plan
        self.replicates = replicates
        self.ministry_every = ministry_every  # 0: never record ministry pairs
        # Country confidence weighs ministries by influence: derived at the end unless a change can move influence.
        self.derive_countries = ministry_every == 1 and not plan.scenario.phases
        self.ministry_rounds: list[int] = []
        self.ministry_states: list[np.ndarray] = []  # (R, M, M) each
        self.country_states: list[np.ndarray] = []  # (R, n, n) each, unless derived from ministry states
        self.meetings: list[MeetingRecord] = []
        self.lapses: list[LapseRecord] = []
        self.measures: list[MeasureRecord] = []
        self.changes: list[ChangeRecord] = []
        self.events: list[EventRecord] = []
        self.actions: list[ActionRecord] = []
        self.offers: list[OfferRecord] = []

    def capture(self, round_: int, confidence: np.ndarray) -> None:
        """Record the state at the end of ``round_``."""
        n = self.plan.size
        state = confidence[:, :n, :n]
        if self.ministry_every and round_ % self.ministry_every == 0:
            self.ministry_rounds.append(round_)
            self.ministry_states.append(state.copy())
        if not self.derive_countries:
            self.country_states.append(country_confidence(state, self.plan.influence, self.plan.starts))

    def log_actions(self, round_, meeting: EntryPlan, item: str, kind: str, side: int, dyad, codes) -> None:
        """What side ``side`` of each dyad (or of dyad ``dyad`` only) did about ``item``: codes (R, k), -1 none."""
        actors, others = meeting.sides[side].names, meeting.sides[1 - side].names
        if dyad is not None:
            actors, others = (actors[dyad],), (others[dyad],)
        self.actions.append(ActionRecord(round_, meeting.entry.name, item, kind, actors, others, codes))

    def log_events(self, round_: int, replicates: np.ndarray, source, target, cameo, goldstein, note: str) -> None:
        """Events that struck in ``round_``, one per entry of ``replicates``; the others are one value or one each."""
        if len(replicates):
            self.events.append(EventRecord(replicates, round_, source, target, cameo, goldstein, note))

    def log_lapses(self, round_: int, meeting: str, replicates: np.ndarray, reasons: np.ndarray) -> None:
        """Replicates where a scheduled meeting lapsed by rule in ``round_``, and why."""
        if len(replicates):
            self.lapses.append(LapseRecord(round_, meeting, replicates, reasons))

    def log_measure(self, round_: int, m: Measure) -> None:
        """A measure in force in ``round_`` (in every replicate)."""
        self.measures.append(MeasureRecord(round_, m.name, m.source, m.target, m.cameo, m.goldstein, m.note))

    def log_change(self, round_: int, change: Change) -> None:
        """Parameters that changed before ``round_`` (in every replicate)."""
        for key, value in change.values.items():
            text = value if isinstance(value, str) else repr(value)
            self.changes.append(ChangeRecord(round_, key, text, change.note))

    def log_meeting(self, record: MeetingRecord) -> None:
        self.meetings.append(record)

    def log_offers(self, round_, meeting: str, talks: TalksPlan, session: np.ndarray, result: SessionResult) -> None:
        """The proposals of a session (session number ``session`` per replicate), each with how both homes voted."""
        parties = [p.name for p in talks.parties]
        for o in result.offers:
            ratified = [np.where(o.accepted, result.ratified[p], False) for p in (o.proposer, 1 - o.proposer)]
            proposer, responder = parties[o.proposer], parties[1 - o.proposer]
            self.offers.append(
                OfferRecord(round_, meeting, talks.name, proposer, responder, session.copy(), o, *ratified)
            )

    def snapshot(self, seeds, rounds: int, final: np.ndarray, talks: Mapping) -> RunRecord:
        """Everything recorded so far, for the replicates drawn from ``seeds``: a copy that later rounds leave alone.

        ``final`` is the confidence now (R, M, M, or padded larger); ``talks`` says where each set of talks stands, by
        name (its ``settlement``, ``settled_round`` and ``sessions``, one value per replicate)."""
        plan, n = self.plan, self.plan.size
        states = np.stack(self.ministry_states) if self.ministry_states else np.zeros((0, self.replicates, n, n))
        if self.derive_countries:
            countries = country_confidence(states, plan.influence, plan.starts)
        else:
            countries = np.stack(self.country_states)
        return RunRecord(
            plan=plan,
            seeds=list(seeds),
            rounds=rounds,
            ministry_rounds=np.array(self.ministry_rounds, dtype=int),
            ministry_states=states,
            country_states=countries,
            final_confidence=final[:, :n, :n].copy(),
            settlement={k: t.settlement.copy() for k, t in talks.items()},
            settled_round={k: t.settled_round.copy() for k, t in talks.items()},
            sessions={k: t.sessions.copy() for k, t in talks.items()},
            meeting_log=list(self.meetings),
            event_log=list(self.events),
            action_log=list(self.actions),
            offer_log=list(self.offers),
            lapse_log=list(self.lapses),
            measure_log=list(self.measures),
            change_log=list(self.changes),
        )


@dataclass
class RunRecord:
    """A snapshot of R replicates of a scenario after ``rounds`` rounds (R = 1 for a single run): states and records.

    ``seeds[r]`` is the seed that reproduces replicate r alone. ``plan`` is the plan in force at the end (the last
    phase, when dated changes applied).
    """

    plan: Plan
    seeds: list[int | None]
    rounds: int
    ministry_rounds: np.ndarray
    ministry_states: np.ndarray  # (n_recorded, R, M, M)
    country_states: np.ndarray  # (rounds + 1, R, n, n)
    final_confidence: np.ndarray  # (R, M, M)
    settlement: dict[str, np.ndarray]  # per talks: (R,) outcome index, -1 if none
    settled_round: dict[str, np.ndarray]
    sessions: dict[str, np.ndarray]
    meeting_log: list[MeetingRecord]
    event_log: list[EventRecord]
    action_log: list[ActionRecord]
    offer_log: list[OfferRecord]
    lapse_log: list[LapseRecord]
    measure_log: list[MeasureRecord]
    change_log: list[ChangeRecord]
