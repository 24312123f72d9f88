"""A meeting of the calendar, held agent by agent: cooperative items, frictions and talks, in the agenda's order.

The delegations decide on the confidence they bring (:meth:`Delegation.arrives`); what they observe counts from the
next meeting on. Whether a meeting is held at all, and the talks' protocol, are the procedures both models share
(:mod:`sim.model.procedures`); the draws come from the meeting's dice, named by what each decides.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.model.plan.compiled import EntryPlan, FrictionAt, ItemArrays, TalksAt
from sim.model.plan.dice import MeetingDice
from sim.model.plan.talks import TalksPlan
from sim.model.procedures.talks import hold_session
from sim.model.record.records import NO_ACTION, Action

if TYPE_CHECKING:
    from sim.model.agents.agents import Delegation
    from sim.model.agents.mesa_model import NegotiationModel


class Meeting:
    """One meeting being held: each dyad's two delegations (``tables``), and the agenda worked through in order."""

    def __init__(self, model: NegotiationModel, round_: int, meeting: EntryPlan, host: str, dice: MeetingDice):
        self.model, self.round, self.plan, self.host, self.dice = model, round_, meeting, host, dice
        self.name = meeting.entry.name
        self.tables = model.delegations(meeting)  # per dyad: (side 0, side 1)
        for table in self.tables:
            for s in (0, 1):
                table[s].arrives(table[1 - s].country)

    def hold(self) -> None:
        """Cooperative items, then frictions, then talks, as the format's agenda lists them by kind."""
        for k, item in enumerate(self.plan.items):
            self.cooperate(k, item)
        for k, friction in enumerate(self.plan.frictions):
            self.friction(friction, self.dice.understand(k))
        for talks in self.plan.talks:
            self.talks(talks)

    def log(self, item: str, kind: str, side: int, dyad: int | None, codes: list[int]) -> None:
        self.model.recorder.log_actions(self.round, self.plan, item, kind, side, dyad, np.array([codes], dtype=int))

    def cooperate(self, k: int, item: ItemArrays) -> None:
        """The trust game: adopted where both delegations accept it; then each side carries it out or breaks it."""
        accepted = [
            [
                table[s].accepts_item(item.name, item.votes[s][d], item.benefit[s][d], item.exposure[s][d], self.name)
                for d, table in enumerate(self.tables)
            ]
            for s in (0, 1)
        ]
        for s in (0, 1):
            self.log(item.name, "cooperation", s, None, [Action.ACCEPTED if a else Action.REFUSED for a in accepted[s]])
        adopted = [a and b for a, b in zip(*accepted, strict=True)]
        for s in (0, 1):
            codes = [self.carry_out(k, item, s, d) if adopted[d] else NO_ACTION for d in range(len(self.tables))]
            self.log(item.name, "cooperation", s, None, codes)

    def carry_out(self, k: int, item: ItemArrays, s: int, d: int) -> Action:
        """Side ``s`` of dyad ``d`` carries out adopted item ``item`` (the ``k``-th of the agenda) by its lead ministry,
        or breaks it; every ministry of the other side sees which, and forgives a breach or not with its own draw
        (generous tit-for-tat)."""
        acting, observing = self.tables[d][s], self.tables[d][1 - s]
        lead = item.lead[s][d]
        done = acting.members[lead].carries_out(
            item.name, acting.brought[lead], self.dice.carry_out(k, s)[d], self.name
        )
        acting_weight = item.acting[s][d]  # 1 for the lead ministry, the spill-over for the rest of its government
        for i, observer in enumerate(observing.members):
            forgave = not done and observer.forgives(self.dice.forgive(k, s)[d, i])
            what = f"{acting.country.name} {'carried it out' if done else 'broke it'}"
            what += ", and it forgave" if forgave else ""
            strength = 0.0 if forgave else self.plan.weight * observing.involvement[i]
            weights = [strength * acting_weight[j] for j in range(len(acting.members))]
            observer.sees(acting.members, weights, done, item.name, what, self.name)
        return Action.CARRIED_OUT if done else Action.BROKE

    def friction(self, at: FrictionAt, draw: float) -> None:
        """A grievance: the other delegation understands or rebuffs it, and the raiser's ministries observe the
        answer, each as strongly as the friction is salient to it."""
        table = self.tables[at.dyad]
        raising, answering = table[at.raiser], table[1 - at.raiser]
        understood = answering.understands(at.friction.name, draw, self.name)
        self.log(at.friction.name, "friction", at.raiser, at.dyad, [Action.RAISED])
        answer = Action.UNDERSTOOD if understood else Action.REBUFFED
        self.log(at.friction.name, "friction", 1 - at.raiser, at.dyad, [answer])
        strength = self.plan.weight * at.friction.severity
        what = f"{answering.country.name} {'understood' if understood else 'rebuffed'} it"
        for i, observer in enumerate(raising.members):
            salient = raising.involvement[i] * at.salience[i]
            weights = [strength * salient * x for x in answering.involvement]
            observer.sees(answering.members, weights, understood, at.friction.name, what, self.name)

    def talks(self, at: TalksAt) -> None:
        """A session of settlement talks (:func:`~sim.model.procedures.talks.hold_session`): a deal ratified is a signed
        agreement for both sides; a deal rejected at home, a defection in the other side's eyes (Putnam 1988)."""
        talks, table = at.talks, self.tables[at.dyad]
        parties = [table[at.order[p]] for p in (0, 1)]  # in the talks' order of parties

        def seat() -> tuple[Seat, Seat]:
            return Seat(parties[0], talks, 0), Seat(parties[1], talks, 1)

        result = hold_session(self.model, self.round, self.plan.entry, at, self.host, seat)
        if result is None:
            return
        if result.settled[0]:
            for s in (0, 1):
                self.observe_all(table[s], table[1 - s], at.sign, True, talks.name, "a treaty signed and ratified")
        for p in (0, 1):
            if result.rejected_at_home(p)[0]:
                what = f"{talks.parties[p].name} rejected the deal at home"
                self.observe_all(parties[1 - p], parties[p], at.reject, False, talks.name, what)

    def observe_all(self, observing: Delegation, acting: Delegation, strength: float, good: bool, about, what) -> None:
        """Every ministry of ``observing``'s country observes every ministry of ``acting``'s, weighted by how
        directly each took part (at the table: fully; at home: by spill-over)."""
        for i, observer in enumerate(observing.members):
            weights = [strength * observing.involvement[i] * x for x in acting.involvement]
            observer.sees(acting.members, weights, good, about, what, self.name)


class Seat:
    """A delegation at the talks as a protocol asks it (:class:`~sim.model.procedures.talks.Negotiator`): the
    decisions of one run, as arrays of one replicate, since the protocols serve the engine's R replicates too."""

    def __init__(self, delegation: Delegation, talks: TalksPlan, side: int):
        self.delegation, self.talks, self.side = delegation, talks, side
        self.confidence = np.array([delegation.confidence_in_party(talks, side)])

    def floor(self) -> np.ndarray:
        return np.array([self.delegation.floor(self.talks, self.side)])

    def aspiration(self, sessions: np.ndarray) -> np.ndarray:
        return np.array([self.delegation.aspiration(self.talks, self.side, sessions[0])])

    def patience(self) -> np.ndarray:
        return np.array([self.delegation.patience(self.talks, self.side)])

    def may_offer(self, rejected: np.ndarray) -> np.ndarray:
        return self.delegation.may_offer(self.talks, self.side, rejected[0])[None]

    def propose(self, admissible: np.ndarray, level: np.ndarray) -> np.ndarray:
        return np.array([self.delegation.proposes(self.talks, self.side, admissible[0], level[0])])

    def position(self, level: np.ndarray) -> np.ndarray:
        return np.array([self.delegation.position(self.talks, self.side, level[0])])

    def answer(self, outcome: np.ndarray, level: np.ndarray, rejected: np.ndarray, position: np.ndarray) -> np.ndarray:
        d = self.delegation
        return np.array([d.answers(self.talks, self.side, outcome[0], level[0], rejected[0], bool(position[0]))])

    def ratifies(self, outcome: np.ndarray, replicates: np.ndarray) -> np.ndarray:
        d = self.delegation
        return np.array([d.country.ratifies(self.talks, self.side, outcome[0], d.brought)])
