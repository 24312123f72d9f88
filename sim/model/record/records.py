"""What a run records, one typed record per kind: meetings, lapses, measures, changes, events, agenda actions, offers.

Values that differ between replicates are arrays with one entry per replicate (or per replicate it concerns); the
others are one value for all. Both models write the same records (:class:`~sim.model.record.recorder.Recorder`);
:mod:`sim.model.record.result` builds the tidy tables from them.
"""

from __future__ import annotations

from enum import IntEnum
from typing import NamedTuple

import numpy as np


class Action(IntEnum):
    """What a side did about an item on the agenda; its code in the records, its lower-case name in the tables."""

    ACCEPTED = 0  # found a cooperative item worth adopting
    REFUSED = 1
    CARRIED_OUT = 2  # carried out an adopted item
    BROKE = 3
    RAISED = 4  # raised a friction
    UNDERSTOOD = 5  # answered a friction with understanding
    REBUFFED = 6

    @property
    def label(self) -> str:
        return self.name.lower()


NO_ACTION = -1  # the code where a side did nothing (an item not adopted is neither carried out nor broken)
ACTION_LABELS = tuple(a.label for a in Action)


class Proposal(IntEnum):
    """What a party did when it had the floor in a session of talks (docs/model.md §2.7)."""

    OFFER = 0  # terms worth its aspiration that it judges both homes would ratify
    POSITION = 1  # no such terms: it tables its position, terms it would sign that the other side's home would not now
    SILENT = 2  # no such terms, and the talks' ``positions: false``: it says nothing

    @property
    def label(self) -> str:
        return self.name.lower()


class Answer(IntEnum):
    """How the responder answered a proposal, and why it refused (docs/model.md §2.7)."""

    ACCEPTED = 0
    BELOW_ASPIRATION = 1  # its home could ratify the terms, but they are worth less to it than what it asks for now
    NOT_TRUSTED = 2  # its home would ratify them only with more confidence in the other side
    OUTSIDE_WIN_SET = 3  # its home would not ratify them whatever its confidence
    REJECTED_BEFORE = 4  # its home rejected these terms before

    @property
    def label(self) -> str:
        return self.name.lower()


NO_ANSWER = -1  # where nothing was put forward (a silent party)
PROPOSAL_LABELS = tuple(p.label for p in Proposal)
ANSWER_LABELS = tuple(a.label for a in Answer)


class MeetingRecord(NamedTuple):
    """A scheduled meeting (the same in every replicate): held, or why not (suspended or ended by date)."""

    round: int
    meeting: str  # calendar entry
    format: str
    host: str  # the chair, "" for bilateral pairs
    countries: str  # comma-separated
    held: bool
    reason: str  # "" when held


class LapseRecord(NamedTuple):
    """The replicates where a scheduled meeting lapsed by rule, and why in each."""

    round: int
    meeting: str
    replicates: np.ndarray  # (k,)
    reasons: np.ndarray  # (k,) text


class MeasureRecord(NamedTuple):
    """A measure in force in a round (in every replicate)."""

    round: int
    measure: str
    source: str
    target: str
    cameo: str | None
    goldstein: float
    note: str


class ChangeRecord(NamedTuple):
    """A parameter changed by date, from ``round`` on."""

    round: int
    parameter: str  # key path under the scenario
    value: str
    note: str


class EventRecord(NamedTuple):
    """Events that struck in a round, one per entry of ``replicates``; each other field is one value or one each."""

    replicates: np.ndarray  # (k,)
    round: int
    source: str | np.ndarray
    target: str | np.ndarray
    cameo: str | np.ndarray | None
    goldstein: float | np.ndarray
    note: str


class ActionRecord(NamedTuple):
    """What one side of each dyad of a meeting did about an agenda item: ``codes`` (R, dyads) of :class:`Action`,
    :data:`NO_ACTION` where it did nothing."""

    round: int
    meeting: str
    item: str
    kind: str  # "cooperation" or "friction"
    actors: tuple[str, ...]  # the acting side's country in each dyad
    counterparts: tuple[str, ...]
    codes: np.ndarray  # (R, dyads)


class Offer(NamedTuple):
    """One turn of a session, one value per replicate (a protocol's output): what the party with the floor put
    forward, and how the other answered."""

    proposer: int  # 0 or 1: which party has the floor
    kind: np.ndarray  # a Proposal: an offer, a position, or silence
    outcome: np.ndarray  # row of the outcome grid (the status quo where silent)
    u_proposer: np.ndarray
    u_responder: np.ndarray
    level_proposer: np.ndarray  # the least the proposer would accept now: its aspiration (concession protocol) or
    level_responder: np.ndarray  # its floor, the reservation value raised by distrust (alternating offers)
    answer: np.ndarray  # an Answer, NO_ANSWER where silent
    accepted: np.ndarray
    made: np.ndarray  # whether this turn took place (talks open, no earlier proposal of the session accepted)


class SessionResult(NamedTuple):
    """What a session produced in each replicate: its proposals, and where one was accepted, the ratifications."""

    offers: tuple[Offer, ...]
    agreed: np.ndarray  # outcome accepted at the table, -1 if none
    ratified: np.ndarray  # (2, R): whether each party ratified (False where nothing was agreed)

    @property
    def settled(self) -> np.ndarray:
        return (self.agreed >= 0) & self.ratified.all(axis=0)

    def rejected_at_home(self, party: int) -> np.ndarray:
        """(R,): where party ``party``'s home rejected what was agreed at the table."""
        return (self.agreed >= 0) & ~self.ratified[party]


class OfferRecord(NamedTuple):
    """A proposal in a session of the talks, where it was made, with how each side's home received it."""

    round: int
    meeting: str
    talks: str
    proposer: str
    responder: str
    session: np.ndarray  # (R,) the session's number in each replicate
    offer: Offer
    ratified_by_proposer: np.ndarray  # (R,)
    ratified_by_responder: np.ndarray  # (R,)
