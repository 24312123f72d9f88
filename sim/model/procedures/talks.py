"""Settlement talks as a mechanism: where the talks stand, who proposes first, and the two protocols of a session.

A protocol (in NegMAS's sense, a *mechanism*) runs one session between two negotiators: it asks each what it
proposes and whether it accepts, and then asks both homes to ratify what was agreed (Putnam's two levels,
docs/model.md §2.7–§2.11). The negotiators are the model's: the engine's parties decide for R replicates at once
(:class:`sim.model.engine.talks.PartyArrays`), the agent model's countries for one run
(:class:`sim.model.agents.agents.Country`); a protocol sees values with one entry per replicate either way.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Protocol

import numpy as np

from sim.model.plan.talks import TalksPlan
from sim.model.record.records import NO_ANSWER, Answer, Offer, Proposal, SessionResult
from sim.model.rules.bargaining import alternating_offers

if TYPE_CHECKING:
    from sim.model.plan.compiled import TalksAt
    from sim.model.procedures.round import World
    from sim.model.scenario.specs import CalendarEntry


@dataclass
class TalksState:
    """Where one set of talks stands in each of R replicates."""

    sessions: np.ndarray  # (R,) sessions held so far
    settlement: np.ndarray  # (R,) the outcome settled (its row of the outcome grid), -1 while none
    settled_round: np.ndarray  # (R,) when, -1 while none
    rejected_at: np.ndarray  # (2, R, K): per party and candidate, the other's confidence when that party's home
    #                          rejected it (−∞: never); what keeps a proposer from offering it again (§2.10)

    @classmethod
    def start(cls, talks: TalksPlan, replicates: int) -> TalksState:
        none = np.full(replicates, -1)
        return cls(np.zeros(replicates, dtype=int), none, none.copy(), cls._no_rejections(talks, replicates))

    @staticmethod
    def _no_rejections(talks: TalksPlan, replicates: int) -> np.ndarray:
        return np.full((2, replicates, len(talks.candidates)), -np.inf)

    def open(self, talks: TalksPlan) -> np.ndarray:
        """(R,): where the talks go on: not settled, and the deadline not reached."""
        return (self.settlement < 0) & (self.sessions < talks.deadline)

    def conditions_changed(self, talks: TalksPlan) -> None:
        """Changed institutions are changed conditions: terms rejected at home before may be offered again (§2.9).
        ``talks`` is the talks as the new phase of the scenario compiles them (its candidates may differ)."""
        self.rejected_at = self._no_rejections(talks, len(self.sessions))

    def copy(self) -> TalksState:
        return replace(self, **{k: v.copy() for k, v in vars(self).items()})

    def restore(self, before: TalksState, where: np.ndarray) -> None:
        """Put back the state ``before`` in replicates ``where`` (R,), e.g. where a meeting was not held."""
        self.sessions[where] = before.sessions[where]
        self.settlement[where] = before.settlement[where]
        self.settled_round[where] = before.settled_round[where]
        self.rejected_at[:, where] = before.rejected_at[:, where]


class Negotiator(Protocol):
    """A party at the table as a protocol asks it: each value and decision has one entry per replicate (R,).

    The party is side ``side`` (0 or 1, the talks' order of parties); candidate deals are the talks' candidates (K).
    """

    confidence: np.ndarray  # (R,) its confidence in the other party

    def floor(self) -> np.ndarray:
        """The least it can bring home (§2.9)."""

    def aspiration(self, sessions: np.ndarray) -> np.ndarray:
        """What it asks for after ``sessions`` sessions (§2.6)."""

    def patience(self) -> np.ndarray:
        """Its discount factor per session (§2.8)."""

    def may_offer(self, rejected: np.ndarray) -> np.ndarray:
        """(R, K): the candidates it may offer, given when the other side's home rejected each (§2.10)."""

    def propose(self, admissible: np.ndarray, level: np.ndarray) -> np.ndarray:
        """(R,): the candidate it offers (its index among the candidates), -1 where none (§2.7)."""

    def position(self, level: np.ndarray) -> np.ndarray:
        """(R,): the outcome it tables where it has no offer to make (§2.7)."""

    def answer(self, outcome: np.ndarray, level: np.ndarray, rejected: np.ndarray, position: np.ndarray) -> np.ndarray:
        """(R,): its :class:`Answer` to ``outcome`` at the table: accepted, or why not, given when its own home
        rejected each candidate (``rejected``, −∞ where never); a ``position`` (R,) is accepted only if its own home
        would ratify it now (§2.7)."""

    def ratifies(self, outcome: np.ndarray, replicates: np.ndarray) -> np.ndarray:
        """Whether its home ratifies ``outcome`` (one per replicate of ``replicates``) (§2.9)."""


class TalksProtocol(ABC):
    """How one session runs: who proposes and who answers (:meth:`proposals`); then both homes vote on what was
    agreed, and a rejection is remembered (:meth:`session`)."""

    @abstractmethod
    def proposals(
        self, talks: TalksPlan, parties, sessions: np.ndarray, open_: np.ndarray, first: int, rejected_at: np.ndarray
    ) -> list[Offer]:
        """The session's proposals in every replicate where the talks are ``open_``, party ``first`` first."""

    def session(
        self, talks: TalksPlan, parties, sessions: np.ndarray, open_: np.ndarray, first: int, rejected_at: np.ndarray
    ) -> SessionResult:
        """One session (``sessions`` held before it), its ratification at home, and the rejections written into
        ``rejected_at`` (the talks' :attr:`TalksState.rejected_at`)."""
        offers = self.proposals(talks, parties, sessions, open_, first, rejected_at)
        agreed = np.full(len(open_), -1)
        for o in offers:
            agreed[o.accepted] = o.outcome[o.accepted]
        ratified = np.zeros((2, len(open_)), bool)
        done = agreed >= 0
        if done.any():
            replicates, where = np.flatnonzero(done), np.searchsorted(talks.candidates, agreed[done])
            for side in (0, 1):
                ratified[side, done] = votes = parties[side].ratifies(agreed[done], replicates)
                rejected = replicates[~votes]
                rejected_at[side, rejected, where[~votes]] = parties[1 - side].confidence[rejected]
        return SessionResult(tuple(offers), agreed, ratified)


class Concession(TalksProtocol):
    """Each party in turn proposes the deal its aspiration allows that is best for the other, who accepts what meets
    its own aspiration; aspirations fall with the sessions held (Faratin, Sierra & Jennings 1998; §2.6–§2.7)."""

    def proposals(self, talks, parties, sessions, open_, first, rejected_at) -> list[Offer]:
        level = [p.aspiration(sessions) for p in parties]
        offers, pending = [], open_
        for proposer in (first, 1 - first):
            responder = 1 - proposer
            pick = parties[proposer].propose(parties[proposer].may_offer(rejected_at[responder]), level[proposer])
            offer = turn(talks, parties, proposer, pick, level, rejected_at, pending)
            offers.append(offer)
            pending = pending & ~offer.accepted
        return offers


class AlternatingOffers(TalksProtocol):
    """The first party makes the subgame-perfect opening offer of Rubinstein's (1982) game, or Ståhl's (1972) with a
    deadline, which the other accepts (§2.8); with no such offer it tables its position, answered as any proposal."""

    def proposals(self, talks, parties, sessions, open_, first, rejected_at) -> list[Offer]:
        u, host, guest = talks.utility, first, 1 - first
        pick = np.full(len(open_), -1)
        floor = [p.floor() for p in parties]
        delta = [p.patience() for p in parties]
        periods = None if talks.spec.deadline is None else talks.spec.deadline - sessions
        admissible = parties[host].may_offer(rejected_at[guest])
        for r in np.flatnonzero(open_):  # the equilibrium search is per replicate
            options = np.flatnonzero(admissible[r])
            pos = alternating_offers(
                u[host][talks.candidates[options]],
                u[guest][talks.candidates[options]],
                floor[host][r],
                floor[guest][r],
                delta[host][r],
                delta[guest][r],
                None if periods is None else int(periods[r]),
            )
            if pos is not None:
                pick[r] = options[pos]
        return [turn(talks, parties, host, pick, floor, rejected_at, open_)]


def turn(talks: TalksPlan, parties, proposer: int, pick: np.ndarray, level, rejected_at, pending: np.ndarray) -> Offer:
    """Party ``proposer``'s turn in the replicates ``pending`` (talks open, no earlier proposal of the session
    accepted): its offer (candidate ``pick``), or where it has none, its position or silence as the talks say; then
    the other's answer (§2.7). ``level`` holds both parties' current levels (aspirations, or floors under alternating
    offers)."""
    responder = 1 - proposer
    u = talks.utility
    offered = pick >= 0
    x = talks.offerable[pick]  # no offer (-1): the status quo
    if talks.spec.positions and not offered.all():
        x = np.where(offered, x, parties[proposer].position(level[proposer]))
    # a party whose position would be the status quo (it wants nothing changed) has nothing to say
    kind = np.where(offered, Proposal.OFFER, np.where(x == talks.status_quo, Proposal.SILENT, Proposal.POSITION))
    spoke = pending & (kind != Proposal.SILENT)
    answer = np.full(len(x), NO_ANSWER)
    if spoke.any():
        answers = parties[responder].answer(x, level[responder], rejected_at[responder], kind == Proposal.POSITION)
        answer = np.where(spoke, answers, NO_ANSWER)
    accepted = answer == Answer.ACCEPTED
    levels = (level[proposer], level[responder])
    return Offer(proposer, kind, x, u[proposer][x], u[responder][x], *levels, answer, accepted, pending.copy())


PROTOCOLS: dict[str, TalksProtocol] = {"concession": Concession(), "alternating_offers": AlternatingOffers()}


def first_proposer(entry: CalendarEntry, round_: int, host: str, talks: TalksPlan) -> int:
    """The party that proposes first: the chair if it is a party; otherwise the parties take turns from one meeting
    of the series to the next, the first-listed party at the first (§2.7)."""
    names = [p.name for p in talks.parties]
    return names.index(host) if host in names else entry.turn(round_) % 2


def hold_session(
    world: World, round_: int, entry: CalendarEntry, at: TalksAt, host: str, seat: Callable[[], tuple]
) -> SessionResult | None:
    """A session of the talks ``at`` at a meeting, where they are still open: the protocol's proposals and the votes
    at home, recorded; None where the talks are closed in every replicate. ``seat`` gives the two negotiators, in the
    talks' order of parties."""
    talks = at.talks
    state = world.talks[talks.name]
    open_ = state.open(talks)
    if not open_.any():
        return None
    first = first_proposer(entry, round_, host, talks)
    result = PROTOCOLS[talks.spec.protocol].session(talks, seat(), state.sessions, open_, first, state.rejected_at)
    state.sessions += open_
    world.recorder.log_offers(round_, entry.name, talks, state.sessions, result)
    settled = result.settled
    state.settlement[settled] = result.agreed[settled]
    state.settled_round[settled] = round_
    return result
