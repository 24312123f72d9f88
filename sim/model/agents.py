"""The agents: ministries (and leaders' offices) that decide, the delegations they form at a meeting, and the
countries they make up.

Every decision is a method of the agent that makes it and calls a pure rule of :mod:`sim.model.rules` on scalars:

- a :class:`Ministry` judges what a cooperative item is worth to it (the trust game), carries out or breaks what was
  adopted, forgives a breach or not, and updates its confidence from what it observes (reciprocity); between
  meetings its confidence drifts back toward its baseline;
- a :class:`Delegation` — the ministries of one country at one meeting — decides jointly: it adopts an item when the
  influence- and priority-weighted worth of its members is positive, and answers a friction with understanding or a
  rebuff;
- a :class:`Country` is a Mesa meta agent made of its ministries (``country.agents``); in settlement talks it
  proposes, accepts, and ratifies at home by a weighted vote of its ministries with vetoes (Putnam's two-level game).

Each ministry holds its confidence in every foreign ministry (``ministry.trust[j]``, j the other ministry's index).
The dice are the model's: each decision that needs chance is handed its uniform by the meeting procedure
(:mod:`sim.model.meeting`), from the same slots as the vectorised engine (:mod:`sim.model.engine`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import mesa
from mesa.experimental.meta_agents.meta_agent import MetaAgent

from sim.model.rules.bargaining import aspiration, concession_exponent, first_offer
from sim.model.rules.confidence import (
    drift,
    honour_probability,
    punish,
    remember,
    reward,
    trust_game_value,
    understanding_probability,
)
from sim.model.rules.ratification import demanded_gain
from sim.model.scenario.specs import CountrySpec, MinistrySpec

if TYPE_CHECKING:
    from sim.model.mesa_model import NegotiationModel
    from sim.model.plan import SideArrays
    from sim.model.talks import TalksPlan


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

    ``trust[j]`` is its confidence in ministry j (0 within its own country); ``reasons`` what it decided and
    saw in the current round, newest last; ``last_action`` the last thing it did.
    """

    def __init__(self, model: NegotiationModel, spec: MinistrySpec, index: int, trust: list[float]):
        super().__init__(model)
        self.index = index  # row and column in the confidence matrix the engine keeps
        self.trust = trust
        self.take(spec, list(trust))
        self.baseline: list[float] | None = None
        self.reasons: list[Reason] = []
        self.last: Reason | None = None

    @property
    def name(self) -> str:
        return self.spec.key

    @property
    def role(self) -> str:
        return self.spec.role

    @property
    def hawkishness(self) -> float:
        return self.spec.behaviour.hawkishness

    @property
    def country(self) -> Country:
        return self.meta_agent

    @property
    def confidence(self) -> float:
        """Its confidence in the other countries: the mean over them of :meth:`confidence_in`."""
        others = [self.confidence_in(c) for c in self.model.countries.values() if c is not self.country]
        return sum(others) / len(others) if others else float("nan")

    def confidence_in(self, other: Country) -> float:
        """Influence-weighted confidence in the ministries of ``other``: what it brings to a meeting with them."""
        trust, total = self.trust, 0.0
        for m, w in zip(other.members, other.influence, strict=True):
            total += trust[m.index] * w
        return total

    def take(self, spec: MinistrySpec, start: list[float]) -> None:
        """Its parameters, and the starting confidence it drifts back to (until it remembers): at the start, and
        again when a dated change puts a new phase of the scenario in force."""
        self.spec, self.start = spec, start
        rate = spec.behaviour.drift
        self.keep = drift(1.0, 0.0, rate)  # drift is affine in c: drift(c) = keep·c + pull
        self.pull = [drift(0.0, s, rate) for s in start]

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

    def drift(self, memory: bool) -> None:
        """One round between contacts: confidence drifts toward the baseline (:func:`.confidence.drift`); with
        ``memory`` the baseline first moves toward confidence (:func:`.confidence.remember`).

        Mirrors the engine's ``C *= keep; C += pull`` (or ``_drift_to_memory``) on this ministry's row.
        """
        b = self.spec.behaviour
        rate, trust = b.drift, self.trust
        if memory:
            if self.baseline is None:
                self.baseline = list(self.start)
            base = self.baseline
            for j, c in enumerate(trust):
                base[j] = remember(base[j], c, b.memory)
                trust[j] = drift(c, base[j], rate)
        else:
            keep = self.keep
            trust[:] = [c * keep + p for c, p in zip(trust, self.pull, strict=True)]

    # At a meeting ----------------------------------------------------------------------------------------------

    def judge(self, item: str, confidence: float, benefit: float, exposure: float, meeting: str) -> float:
        """What adopting ``item`` is worth to this ministry: the trust game's expected value at its confidence."""
        worth = trust_game_value(confidence, benefit, exposure)
        self.explain("judged", item, meeting, "worth {:+.3f} at confidence {:.3f}", worth, confidence)
        return worth

    def carries_out(self, item: str, confidence: float, u: float, meeting: str) -> bool:
        """Whether it carries out an adopted item it leads: with :func:`honour_probability` (uniform ``u``)."""
        b = self.spec.behaviour
        p = honour_probability(b.reliability, b.hawkishness, confidence)
        done = u < p
        verb = "carried out" if done else "broke"
        self.explain(verb, item, meeting, "probability {:.3f} at confidence {:.3f}", p, confidence)
        return done

    def forgives(self, u: float) -> bool:
        """Generous tit-for-tat: it forgives a breach with its forgiveness probability (uniform ``u``)."""
        return u < self.spec.behaviour.forgiveness

    def observe(self, actor: Ministry, weight: float, good: bool) -> None:
        """Confidence in ``actor`` after seeing it cooperate (``good``) or defect, with ``weight`` (the act's strength
        times how directly each side was involved): :func:`reward` with α⁺ or :func:`punish` with α⁻."""
        b, j = self.spec.behaviour, actor.index
        c = self.trust[j]
        self.trust[j] = reward(c, b.trust_gain, weight) if good else punish(c, b.trust_loss, weight)

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


class Delegation:
    """The ministries of one country at one meeting, deciding jointly (one side of a dyad of a calendar entry).

    Its numbers — who sits at the table, their weight in the delegation, how strongly each sees what happens — are
    the compiled ``side`` of the meeting's plan (:class:`~sim.model.plan.SideArrays`), row ``dyad``.
    """

    def __init__(self, country: Country, side: SideArrays, dyad: int):
        self.country = country
        self.members = country.members
        n = len(self.members)
        self.weights = side.delegation[dyad, :n].tolist()  # influence within the delegation (0: not at the table)
        self.sees = side.observe[dyad, :n].tolist()  # 1 at the table, the spill-over at home
        self.hawkishness = float(side.delegation_hawkishness[dyad])
        self.concession = float(side.concession[dyad])

    def __repr__(self) -> str:
        present = [m.role for m, w in zip(self.members, self.weights, strict=True) if w > 0]
        return f"Delegation({self.country.name}: {', '.join(present)})"

    def trust_in(self, other: Country) -> list[float]:
        """Each member's confidence in ``other``, as it brings it to the meeting."""
        return [m.confidence_in(other) for m in self.members]

    def worth(self, item: str, votes, trust: list[float], benefit: float, exposure: float, meeting: str) -> float:
        """The delegation's view of ``item``: its members' judgements weighted by ``votes`` (influence × priority).

        Every ministry of the country has a vote (0 for those away from the table or indifferent to the item).
        """
        total = 0.0
        for m, v, c in zip(self.members, votes, trust, strict=False):
            if v:  # a ministry away from the table, or indifferent to the item, has no say
                total += v * m.judge(item, c, benefit, exposure, meeting)
        return total

    def decides(self, item: str, worth: float, adopted: bool, meeting: str) -> None:
        """Its members at the table record what the delegation decided about ``item``, and whether it was adopted."""
        verb = "accepted" if worth > 0 else "refused"
        outcome = "adopted" if adopted else "not adopted"
        for m, w in zip(self.members, self.weights, strict=True):
            if w > 0:
                m.explain(verb, item, meeting, "the delegation's worth {:+.3f}; {}", worth, outcome)

    def understands(self, friction: str, confidence: float, u: float, meeting: str) -> bool:
        """Whether the delegation answers ``friction`` with understanding: :func:`understanding_probability` at its
        weighted confidence in the raiser and its weighted hawkishness (uniform ``u``)."""
        p = understanding_probability(confidence, self.hawkishness)
        understood = u < p
        verb = "understood" if understood else "rebuffed"
        for m, w in zip(self.members, self.weights, strict=True):
            if w > 0:
                m.explain(verb, friction, meeting, "probability {:.3f} at delegation confidence {:.3f}", p, confidence)
        return understood


class Country(MetaAgent):
    """A country: a Mesa meta agent made of its ministries (``country.agents``, in scenario order in ``members``),
    with the quota of support that ratifies a deal.

    In settlement talks it proposes, accepts and ratifies (:meth:`propose`, :meth:`accepts`, :meth:`ratifies`).
    """

    def __init__(self, model: NegotiationModel, spec: CountrySpec, index: int, ministries: list[Ministry]):
        super().__init__(model, ministries, name=spec.name)
        self.spec = spec
        self.index = index
        self.members = ministries
        self.influence = [m.influence for m in spec.ministries]

    @property
    def ministries(self):
        """Its ministries as a Mesa AgentSet (the meta agent's ``agents``)."""
        return self.agents

    @property
    def block(self) -> slice:
        """Its ministries' rows (and columns) in the confidence matrix."""
        return slice(self.members[0].index, self.members[-1].index + 1)

    def confidence_in(self, other: Country) -> float:
        """Country-level confidence: both sides' ministries weighted by their influence, ``Σ_i Σ_j w_i w_j C[i, j]``."""
        total = 0.0
        for m, wi in zip(self.members, self.influence, strict=True):
            row = 0.0
            for o, wj in zip(other.members, other.influence, strict=True):
                row += m.trust[o.index] * wi * wj
            total += row
        return total

    # Settlement talks (one party; ``side`` is its place in the talks) -------------------------------------------

    def floor(self, talks: TalksPlan, side: int, confidence):
        """The least it can bring home: distrust raises its demand over the reservation value (Putnam 1988)."""
        return demanded_gain(talks.reservation[side], talks.best[side], talks.hawkishness[side], confidence)

    def aspiration(self, talks: TalksPlan, side: int, sessions, floor, style: float, confidence):
        """What it asks for after ``sessions`` sessions: its concession curve from its best down to its floor."""
        exponent = concession_exponent(style, confidence, talks.spec.confidence_effect)
        return aspiration(sessions / talks.spec.horizon, floor, talks.best[side], exponent)

    def propose(self, talks: TalksPlan, side: int, admissible, level):
        """Its offer: of the terms it may offer and that are worth ``level`` to it, the best for the other side."""
        u = talks.utility
        return first_offer(u[side][talks.candidates], u[1 - side][talks.candidates], admissible, level)

    def accepts(self, talks: TalksPlan, side: int, outcome, level):
        """Whether it accepts ``outcome`` at the table: worth at least its current ``level`` to it."""
        return talks.utility[side][outcome] >= level - 1e-12

    def ratifies(self, talks: TalksPlan, side: int, outcome, trust):
        """Whether its ministries ratify ``outcome`` at home: quota of influence, no veto against (win-set)."""
        utility = talks.parties[side].ministry_utility[:, outcome[0]]
        for m, demand, u in zip(self.members, talks.demands(side, trust)[0], utility, strict=True):
            verb = "supported" if u >= demand - 1e-12 else "opposed"
            m.explain(verb, talks.name, "", "worth {:.3f} to it, it demands {:.3f}", u, demand)
        return talks.ratifies(side, outcome, trust)
