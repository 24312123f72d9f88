"""The agents: ministries (and leaders' offices) that decide, the delegations they form at a meeting, and the
countries they make up.

Every decision is a method of the agent that makes it and calls a pure rule of :mod:`sim.model.rules`:

- a :class:`Ministry` judges what a cooperative item is worth to it (the trust game), carries out or breaks what was
  adopted, forgives a breach or not, updates its confidence from what it observes (reciprocity) and drifts back
  toward its baseline between meetings; at home it votes for or against ratifying a deal;
- a :class:`Delegation` — the ministries of one country at one meeting — decides for its country at the table: it
  accepts a cooperative item when its members' judgements, weighted by influence and priority, are positive;
  answers a friction with understanding or a rebuff; and in settlement talks concedes, proposes and answers offers;
- a :class:`Country` is a Mesa meta agent made of its ministries (``country.agents``); it ratifies a deal at home by
  its ministries' votes, with a quota and vetoes (Putnam's two-level game).

A ministry's confidence in every ministry of the scenario is ``ministry.confidence[j]`` (j the other ministry's
index; 0 within its own country). Where a decision needs chance, the meeting hands the agent its draw
(:mod:`sim.model.agents.meeting`), from the same dice as the engine's (:mod:`sim.model.plan.dice`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import mesa
import numpy as np
from mesa.experimental.meta_agents.meta_agent import MetaAgent

from sim.model.record.records import Answer
from sim.model.rules.bargaining import aspiration, concession_exponent, first_offer, patience
from sim.model.rules.confidence import (
    drift,
    honour_probability,
    punish,
    remember,
    reward,
    trust_game_value,
    understanding_probability,
)
from sim.model.rules.ratification import demanded_gain, ratifies, still_rejected, supports, win_set_at
from sim.model.scenario.specs import CountrySpec, MinistrySpec

if TYPE_CHECKING:
    from sim.model.agents.mesa_model import NegotiationModel
    from sim.model.plan.compiled import Plan, SideArrays
    from sim.model.plan.talks import TalksPlan


class Reason(NamedTuple):
    """One decision or observation of an agent, as it explains it (its numbers formatted only when read)."""

    round: int
    meeting: str  # calendar entry, or "" between meetings
    what: str  # e.g. "judged", "carried out", "saw"
    about: str  # the item, friction, talks or act
    template: str  # the detail, with {} for values
    values: tuple

    @property
    def detail(self) -> str:
        return self.template.format(*self.values)

    def __str__(self) -> str:
        where = f" at {self.meeting}" if self.meeting else ""
        return f"round {self.round}{where}: {self.what} {self.about} — {self.detail}"


class Ministry(mesa.Agent):
    """A ministry: a role, an influence at home, priorities over issues and confidence in foreign ministries.

    ``confidence[j]`` is its confidence in ministry j; ``reasons`` what it decided and saw in the current round,
    newest last; ``last_action`` the last thing it did.
    """

    def __init__(self, model: NegotiationModel, spec: MinistrySpec, index: int, plan: Plan):
        super().__init__(model)
        self.index = index  # its row (and column) in the scenario's confidence matrix
        self.confidence = plan.initial[index, : plan.size].tolist()
        self.take(spec, plan)
        self.baseline: list[float] | None = None  # what it drifts toward once it remembers; the start until then
        self.reasons: list[Reason] = []
        self.last: Reason | None = None

    def take(self, spec: MinistrySpec, plan: Plan) -> None:
        """Its values, read from the compiled scenario as the engine reads them: at the start, and again when a dated
        change puts a new phase of the scenario in force."""
        self.spec = spec
        values, i = plan.ministries, self.index
        self.influence = float(values.influence[i])
        self.trust_gain, self.trust_loss = float(values.trust_gain[i]), float(values.trust_loss[i])
        self.forgiveness, self.reliability = float(values.forgiveness[i]), float(values.reliability[i])
        self.hawkishness, self.memory = float(values.hawkishness[i]), float(values.memory[i])
        self.drift_rate = float(values.drift[i])
        self.start = plan.initial[i, : plan.size].tolist()  # the starting confidence it drifts back to
        self.keep = drift(1.0, 0.0, self.drift_rate)  # drift is affine in c: drift(c) = keep·c + pull
        self.pull = [drift(0.0, s, self.drift_rate) for s in self.start]

    @property
    def name(self) -> str:
        return self.spec.key

    @property
    def role(self) -> str:
        return self.spec.role

    @property
    def country(self) -> Country:
        return self.meta_agent

    @property
    def mean_confidence(self) -> float:
        """Its confidence in the other countries, on average (:meth:`confidence_in` each)."""
        others = [self.confidence_in(c) for c in self.model.countries.values() if c is not self.country]
        return sum(others) / len(others) if others else float("nan")

    def confidence_in(self, other: Country) -> float:
        """Its confidence in the country ``other``: in each of its ministries, weighted by their influence."""
        total = 0.0
        for m, w in zip(other.members, other.influence, strict=True):
            total += self.confidence[m.index] * w
        return total

    def explain(self, what: str, about: str, meeting: str, template: str, *values) -> None:
        """Keep a reason for the round: ``template`` with ``values`` says what it did or saw, and why."""
        reason = Reason(self.model.round, meeting, what, about, template, values)
        self.reasons.append(reason)
        if what != "saw":
            self.last = reason

    @property
    def last_action(self) -> str:
        """What it last did (not what it saw), e.g. "carried out joint_exercises"; "" before it has done anything."""
        return f"{self.last.what} {self.last.about}" if self.last else ""

    # Between meetings ------------------------------------------------------------------------------------------

    def drift(self, remembers: bool) -> None:
        """One round between contacts: confidence drifts toward the baseline (:func:`.confidence.drift`); when the
        ministries remember, the baseline first moves toward confidence (:func:`.confidence.remember`)."""
        confidence = self.confidence
        if remembers:
            if self.baseline is None:
                self.baseline = list(self.start)
            base = self.baseline
            for j, c in enumerate(confidence):
                base[j] = remember(base[j], c, self.memory)
                confidence[j] = drift(c, base[j], self.drift_rate)
        else:
            confidence[:] = [c * self.keep + p for c, p in zip(confidence, self.pull, strict=True)]

    # At a meeting ----------------------------------------------------------------------------------------------

    def judge(self, item: str, confidence: float, benefit: float, exposure: float, meeting: str) -> float:
        """What adopting ``item`` is worth to it: the trust game's expected value at its ``confidence`` in the other
        side."""
        worth = trust_game_value(confidence, benefit, exposure)
        self.explain("judged", item, meeting, "worth {:+.3f} at confidence {:.3f}", worth, confidence)
        return worth

    def carries_out(self, item: str, confidence: float, draw: float, meeting: str) -> bool:
        """Whether it carries out an adopted item it leads: with :func:`honour_probability` at its confidence."""
        p = honour_probability(self.reliability, self.hawkishness, confidence)
        done = draw < p
        verb = "carried out" if done else "broke"
        self.explain(verb, item, meeting, "probability {:.3f} at confidence {:.3f}", p, confidence)
        return done

    def forgives(self, draw: float) -> bool:
        """Generous tit-for-tat: it forgives a breach with its forgiveness probability."""
        return draw < self.forgiveness

    def observe(self, actor: Ministry, weight: float, good: bool) -> None:
        """Confidence in ``actor`` after seeing it cooperate (``good``) or defect, with ``weight`` (the act's strength
        times how directly each side was involved): :func:`reward` with α⁺ or :func:`punish` with α⁻."""
        c = self.confidence[actor.index]
        self.confidence[actor.index] = (
            reward(c, self.trust_gain, weight) if good else punish(c, self.trust_loss, weight)
        )

    def sees(self, actors: list[Ministry], weights: list[float], good: bool, about: str, what: str, meeting="") -> None:
        """It observes the ministries of one country act (each with its weight: 0 where it does not count), and
        explains how its confidence in that country moved."""
        country = actors[0].country
        before = self.confidence_in(country)
        for actor, weight in zip(actors, weights, strict=True):
            if weight:  # a weight of 0 leaves confidence as it is
                self.observe(actor, weight, good)
        after = self.confidence_in(country)
        self.explain("saw", about, meeting, "{}: confidence in {} {:.3f} → {:.3f}", what, country.name, before, after)

    # At home ---------------------------------------------------------------------------------------------------

    def supports(self, talks: TalksPlan, side: int, outcome: int, confidence: float) -> bool:
        """Its vote on ratifying ``outcome``: for, if the deal is worth at least what it demands at its
        ``confidence`` in the other party — the status quo, and more the more hawkish and distrustful (§2.9)."""
        party = talks.parties[side]
        j = self.index - party.block.start
        u = party.ministry_utility[j]
        demand = demanded_gain(u[talks.status_quo], u.max(), party.hawkishness[j], confidence)
        vote = bool(supports(u[outcome], demand))
        verb = "supported" if vote else "opposed"
        self.explain(verb, talks.name, "", "worth {:.3f} to it, it demands {:.3f}", u[outcome], demand)
        return vote


class Delegation:
    """The ministries of one country at one meeting (one side of a dyad of a calendar entry), deciding for it.

    Its numbers — who sits at the table, their weight in the delegation, how directly each takes part — are the
    compiled ``side`` of the meeting's plan (:class:`~sim.model.plan.compiled.SideArrays`), row ``dyad``.
    ``brought`` is each member's confidence in the other country as the meeting starts: what it decides on.
    """

    def __init__(self, country: Country, side: SideArrays, dyad: int):
        self.country = country
        self.members = country.members
        n = len(self.members)
        self.weights = side.delegation[dyad, :n].tolist()  # influence within the delegation (0: not at the table)
        self.involvement = side.involvement[dyad, :n].tolist()  # 1 at the table, the spill-over at home
        self.hawkishness = float(side.delegation_hawkishness[dyad])
        self.concession = float(side.concession[dyad])
        self.brought: list[float] = []

    def __repr__(self) -> str:
        present = [m.role for m, w in zip(self.members, self.weights, strict=True) if w > 0]
        return f"Delegation({self.country.name}: {', '.join(present)})"

    def arrives(self, other: Country) -> None:
        """The meeting starts: each member brings its confidence in ``other``."""
        self.brought = [m.confidence_in(other) for m in self.members]

    def at_table(self):
        """Its members at the table."""
        return (m for m, w in zip(self.members, self.weights, strict=True) if w > 0)

    # Cooperation and frictions ---------------------------------------------------------------------------------

    def accepts_item(self, item: str, votes, benefit: float, exposure: float, meeting: str) -> bool:
        """Whether it finds ``item`` worth adopting: its members' judgements (the trust game), weighted by ``votes``
        (influence × priority; 0 for those away from the table or indifferent to the item), sum to more than 0."""
        worth = 0.0
        for m, v, c in zip(self.members, votes, self.brought, strict=False):
            if v:
                worth += v * m.judge(item, c, benefit, exposure, meeting)
        verb = "accepted" if worth > 0 else "refused"
        for m in self.at_table():
            m.explain(verb, item, meeting, "the delegation's worth {:+.3f}", worth)
        return worth > 0

    def understands(self, friction: str, draw: float, meeting: str) -> bool:
        """Whether it answers ``friction`` with understanding: :func:`understanding_probability` at its confidence in
        the raiser (its members' weighted by their influence in the delegation) and its hawkishness."""
        confidence = float(np.dot(self.brought, self.weights))
        p = understanding_probability(confidence, self.hawkishness)
        understood = draw < p
        verb = "understood" if understood else "rebuffed"
        for m in self.at_table():
            m.explain(verb, friction, meeting, "probability {:.3f} at delegation confidence {:.3f}", p, confidence)
        return understood

    # Settlement talks, as party ``side`` of ``talks`` --------------------------------------------------------------

    def confidence_in_party(self, talks: TalksPlan, side: int) -> float:
        """Its country's confidence in the other party: its ministries' brought confidence, weighted by influence."""
        return float(np.dot(self.brought, talks.parties[side].influence))

    def floor(self, talks: TalksPlan, side: int) -> float:
        """The least it can bring home: distrust raises its demand over the reservation value (Putnam 1988)."""
        confidence = self.confidence_in_party(talks, side)
        return demanded_gain(talks.reservation[side], talks.best[side], talks.hawkishness[side], confidence)

    def aspiration(self, talks: TalksPlan, side: int, sessions: int) -> float:
        """What it asks for after ``sessions`` sessions: its concession curve from its best down to its floor, the
        faster the more it trusts the other side (§2.6)."""
        exponent = concession_exponent(
            self.concession, self.confidence_in_party(talks, side), talks.spec.confidence_effect
        )
        return aspiration(sessions / talks.spec.horizon, self.floor(talks, side), talks.best[side], exponent)

    def patience(self, talks: TalksPlan, side: int) -> float:
        """Its discount factor per session: lower the more it trusts the other side (§2.8)."""
        return patience(self.confidence_in_party(talks, side), talks.spec.confidence_effect, talks.spec.discount)

    def may_offer(self, talks: TalksPlan, side: int, rejected: np.ndarray) -> np.ndarray:
        """Which candidates it may offer (K,): all, or, anticipating ratification (§2.10), those its own ministries
        would ratify, those the other side's would as it estimates them (supposing they trust it as it trusts them),
        and not those the other side's home rejected (``rejected``: its confidence then) until its confidence rises."""
        if not talks.spec.anticipate:
            return np.ones(len(talks.candidates), bool)
        party, confidence = talks.parties[side], self.confidence_in_party(talks, side)
        ours = win_set_at(np.array(self.brought), talks.to_support[side], party.influence, party.veto, party.quota)
        theirs = confidence >= talks.needed[1 - side] - 1e-12
        return ours & theirs & ~still_rejected(rejected, confidence, talks.spec.reoffer_after)

    def proposes(self, talks: TalksPlan, side: int, admissible: np.ndarray, level: float) -> int:
        """Its offer (a candidate's index, -1: none): of the candidates it may offer and that are worth ``level`` to
        it, the best for the other side (§2.7)."""
        offered = talks.offered
        return int(first_offer(offered[side], offered[1 - side], admissible[None], np.array([level]))[0])

    def position(self, talks: TalksPlan, side: int, level: float) -> int:
        """The terms it tables when it has no offer (an outcome): of the candidates its own home would ratify now and
        the other side's could (at full confidence: terms with any chance), the best for the other side still worth
        ``level`` to it; failing that, its own ideal (§2.7)."""
        party = talks.parties[side]
        ours = win_set_at(np.array(self.brought), talks.to_support[side], party.influence, party.veto, party.quota)
        pick = self.proposes(talks, side, ours & talks.ratifiable[1 - side][talks.candidates], level)
        return int(talks.candidates[pick]) if pick >= 0 else talks.ideal[side]

    def answers(self, talks: TalksPlan, side: int, outcome: int, level: float, rejected, position: bool) -> Answer:
        """Its answer to ``outcome`` at the table: accepted if worth at least its current ``level`` to it (and, if it
        is the other side's position rather than an offer, if its own home would ratify it now); otherwise refused —
        because its home rejected these terms before (``rejected``: when, per candidate), would never ratify them,
        would ratify them only with more confidence in the other side, or could ratify them but it asks for more now
        (§2.7)."""
        party = talks.parties[side]
        worth = talks.utility[side][outcome] >= level - 1e-12
        now = ratifies(
            np.array(self.brought) >= talks.support_needed[side][:, outcome], party.influence, party.veto, party.quota
        )
        k = talks.candidate_of[outcome]
        if worth and (now or not position):
            return Answer.ACCEPTED
        if k >= 0 and rejected[k] > -np.inf:
            return Answer.REJECTED_BEFORE
        if not talks.ratifiable[side][outcome]:
            return Answer.OUTSIDE_WIN_SET
        return Answer.NOT_TRUSTED if not now else Answer.BELOW_ASPIRATION


class Country(MetaAgent):
    """A country: a Mesa meta agent made of its ministries (``country.agents``, in scenario order in ``members``),
    with the quota of support that ratifies a deal."""

    def __init__(self, model: NegotiationModel, spec: CountrySpec, index: int, ministries: list[Ministry]):
        super().__init__(model, ministries, name=spec.name)
        self.spec = spec
        self.index = index
        self.members = ministries

    @property
    def ministries(self):
        """Its ministries as a Mesa AgentSet (the meta agent's ``agents``)."""
        return self.agents

    @property
    def influence(self) -> list[float]:
        return [m.influence for m in self.members]

    def confidence_in(self, other: Country) -> float:
        """Country-level confidence: both sides' ministries weighted by their influence, ``Σ_i Σ_j w_i w_j C[i, j]``."""
        total = 0.0
        for m in self.members:
            row = 0.0
            for o in other.members:
                row += m.confidence[o.index] * m.influence * o.influence
            total += row
        return total

    def ratifies(self, talks: TalksPlan, side: int, outcome: int, confidence: list[float]) -> bool:
        """Whether it ratifies ``outcome`` at home: each ministry votes at its ``confidence`` in the other party
        (:meth:`Ministry.supports`), and the supporters' influence must reach the quota with no veto holder against
        (Putnam's win-set, §2.9)."""
        votes = [m.supports(talks, side, outcome, c) for m, c in zip(self.members, confidence, strict=True)]
        party = talks.parties[side]
        return bool(ratifies(np.array(votes), party.influence, party.veto, party.quota))
