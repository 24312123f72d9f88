"""Meetings: who sits at the table and what happens to each agenda entry.

A calendar entry is compiled once per scenario into :class:`Dyad` plans, one per pair of attending countries (a
multilateral forum is all its pairs). Holding a dyad reads the two blocks of the confidence matrix between the pair
once, works through the agenda in plain Python floats (a few ministries a side: far cheaper than array calls) and
writes the blocks back. Delegations decide on the confidence they bring to the meeting; what they observe there
counts from the next meeting on.
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import mul
from typing import TYPE_CHECKING

import numpy as np

from sim.rules.confidence import (
    goldstein_strength,
    honour_probability,
    observation_weights,
    punish,
    reward,
    trust_game_value,
    understanding_probability,
)
from sim.scenario import CalendarEntry, CooperativeItem, Country, Friction, MeetingFormat
from sim.talks import Negotiation, TalksPlan

if TYPE_CHECKING:
    from sim.model import NegotiationModel

SIGN_AGREEMENT = 8.0  # Goldstein value of CAMEO 057, "Sign formal agreement": the shock of a ratified settlement


class Side:
    """One country's delegation at a meeting, with per-ministry parameters as plain lists."""

    def __init__(self, country: Country, block: slice, fmt: MeetingFormat, spillover: float):
        self.name = country.name
        self.block = block
        self.ministries = country.ministries
        behaviours = [m.behaviour for m in country.ministries]
        present = np.array([m.role in fmt.roles for m in country.ministries])
        influence = np.array([m.influence for m in country.ministries])
        self.present = [i for i, p in enumerate(present) if p]
        delegation = influence * present
        self.weights = (delegation / delegation.sum()).tolist()  # influence within the delegation
        self.observe = observation_weights(present, spillover).tolist()
        self.influence = influence.tolist()
        self.gain = [b.trust_gain for b in behaviours]
        self.loss = [b.trust_loss for b in behaviours]
        self.forgiveness = [b.forgiveness for b in behaviours]
        self.reliability = [b.reliability for b in behaviours]
        self.hawk_of = [b.hawkishness for b in behaviours]
        self.hawkishness = sum(map(mul, self.weights, self.hawk_of))
        self.concession = sum(map(mul, self.weights, [b.concession for b in behaviours]))

    def votes(self, item: str) -> list[tuple[int, float]]:
        """Weight of each present ministry in judging ``item``: influence × priority, normalised."""
        raw = [(i, self.weights[i] * self.ministries[i].priorities[item]) for i in self.present]
        total = sum(w for _, w in raw)
        return [(i, w / total) for i, w in raw] if total > 0 else [(i, self.weights[i]) for i in self.present]

    def lead(self, role: str) -> int:
        """The ministry that carries out an item led by ``role``: one at the table if possible."""
        at_table = [i for i in self.present if self.ministries[i].role == role]
        return at_table[0] if at_table else next(i for i, m in enumerate(self.ministries) if m.role == role)

    def acting(self, lead: int, spillover: float) -> list[float]:
        """Whose act it is: the lead ministry fully, the rest of its government by spill-over."""
        return [1.0 if i == lead else spillover for i in range(len(self.ministries))]


@dataclass(frozen=True, slots=True)
class ItemPlan:
    """A cooperative item as two given delegations take it up."""

    item: CooperativeItem
    votes: tuple[list[tuple[int, float]], list[tuple[int, float]]]
    lead: tuple[int, int]
    acting: tuple[list[float], list[float]]
    benefit: tuple[float, float]
    exposure: tuple[float, float]


def observe(
    block: list[list[float]], weights: list[float], acting: list[float], rates: list[float], strength: float, good: bool
) -> None:
    """Update in place an observer's confidence block after seeing the other side act well (or badly).

    Row i (an observing ministry) moves by :func:`~sim.rules.confidence.reward` or
    :func:`~sim.rules.confidence.punish` with its own rate and weight ``strength · weights[i] · acting[j]``.
    """
    update = reward if good else punish
    for i, row in enumerate(block):
        w = strength * weights[i]
        if w:
            rate = rates[i]
            block[i] = [update(c, rate, w * a) for c, a in zip(row, acting, strict=True)]


def trust_in(block: list[list[float]], other_influence: list[float]) -> list[float]:
    """Each ministry's confidence in the other country: its row weighted by the other side's influence."""
    return [sum(map(mul, row, other_influence)) for row in block]


class Dyad:
    """A meeting of a calendar entry between two of its countries."""

    def __init__(
        self, entry: CalendarEntry, fmt: MeetingFormat, sides: tuple[Side, Side], scenario, talks: dict[str, TalksPlan]
    ):
        self.entry, self.fmt = entry, fmt
        self.sides = sides
        spill = scenario.spillover
        self.sign_strength = fmt.weight * goldstein_strength(SIGN_AGREEMENT, scenario.shock_scale)
        items = {i.name: i for i in scenario.cooperation}
        frictions = {f.name: f for f in scenario.frictions}
        names = {sides[0].name, sides[1].name}
        self.items: list[ItemPlan] = []
        self.frictions: list[tuple[Friction, int]] = []  # with the side that raises it
        self.talks: list[tuple[TalksPlan, tuple[int, int]]] = []  # with the dyad side of each party
        for name in fmt.agenda:
            if name in items:
                item = items[name]
                leads = (sides[0].lead(item.lead), sides[1].lead(item.lead))
                self.items.append(
                    ItemPlan(
                        item,
                        (sides[0].votes(name), sides[1].votes(name)),
                        leads,
                        (sides[0].acting(leads[0], spill), sides[1].acting(leads[1], spill)),
                        (item.benefit[sides[0].name], item.benefit[sides[1].name]),
                        (item.exposure[sides[0].name], item.exposure[sides[1].name]),
                    )
                )
            elif name in frictions and {frictions[name].raised_by, frictions[name].against} == names:
                f = frictions[name]
                self.frictions.append((f, 0 if sides[0].name == f.raised_by else 1))
            elif name in talks and {p.name for p in talks[name].parties} == names:
                plan = talks[name]
                self.talks.append((plan, (0, 1) if plan.parties[0].name == sides[0].name else (1, 0)))

    def hold(self, model: NegotiationModel, round_: int, host: str) -> None:
        """Work through the agenda, updating both confidence blocks and logging what happened."""
        sa, sb = self.sides
        C = model.confidence
        blocks = (C[sa.block, sb.block].tolist(), C[sb.block, sa.block].tolist())
        trust = (trust_in(blocks[0], sb.influence), trust_in(blocks[1], sa.influence))
        for plan in self.items:
            self._cooperate(model, round_, plan, blocks, trust)
        for friction, raiser in self.frictions:
            self._friction(model, round_, friction, raiser, blocks, trust)
        for plan, order in self.talks:
            negotiation = model.negotiations[plan.name]
            if negotiation.settlement is None:
                self._talks(model, round_, negotiation, order, blocks, trust, host)
        C[sa.block, sb.block] = blocks[0]
        C[sb.block, sa.block] = blocks[1]

    def _log(self, model, round_, item, kind, actor: int, action: str) -> None:
        model.recorder.agenda.append(
            (round_, self.entry.name, item, kind, self.sides[actor].name, self.sides[1 - actor].name, action)
        )

    def _cooperate(self, model, round_, plan: ItemPlan, blocks, trust) -> None:
        """The trust game: adopted if both sides find it worthwhile; then each carries it out or not."""
        sides, name = self.sides, plan.item.name
        worth = [0.0, 0.0]
        for s in (0, 1):
            benefit, exposure, t = plan.benefit[s], plan.exposure[s], trust[s]
            for i, w in plan.votes[s]:
                worth[s] += w * trust_game_value(t[i], benefit, exposure)
        for s in (0, 1):
            self._log(model, round_, name, "cooperation", s, "accepted" if worth[s] > 0 else "refused")
        if not (worth[0] > 0 and worth[1] > 0):
            return
        weight = self.fmt.weight
        for s in (0, 1):
            lead, side, observer = plan.lead[s], sides[s], sides[1 - s]
            done = model.uniform() < honour_probability(side.reliability[lead], side.hawk_of[lead], trust[s][lead])
            self._log(model, round_, name, "cooperation", s, "carried_out" if done else "broke")
            if done:
                observe(blocks[1 - s], observer.observe, plan.acting[s], observer.gain, weight, True)
            else:  # generous tit-for-tat: each observing ministry forgives with its own probability
                u = model.uniform()
                unforgiving = [
                    w if u >= g else 0.0 for w, g in zip(observer.observe, observer.forgiveness, strict=True)
                ]
                observe(blocks[1 - s], unforgiving, plan.acting[s], observer.loss, weight, False)

    def _friction(self, model, round_, friction: Friction, r: int, blocks, trust) -> None:
        """A grievance raised by side ``r``: understood or rebuffed, and the raiser's confidence moves accordingly."""
        t = 1 - r
        raiser, answering = self.sides[r], self.sides[t]
        confidence = sum(answering.weights[i] * trust[t][i] for i in answering.present)
        understood = model.uniform() < understanding_probability(confidence, answering.hawkishness)
        self._log(model, round_, friction.name, "friction", r, "raised")
        self._log(model, round_, friction.name, "friction", t, "understood" if understood else "rebuffed")
        rates = raiser.gain if understood else raiser.loss
        observe(blocks[r], raiser.observe, answering.observe, rates, self.fmt.weight * friction.severity, understood)

    def _talks(self, model, round_, negotiation: Negotiation, order, blocks, trust, host: str) -> None:
        """A bargaining session: a ratified deal is a signed agreement, one rejected at home a defection."""
        sides, plan = self.sides, negotiation.plan
        host_party = 1 if plan.parties[1].name == host else 0
        styles = (sides[order[0]].concession, sides[order[1]].concession)
        result = plan.session(negotiation.sessions, host_party, (trust[order[0]], trust[order[1]]), styles)
        negotiation.sessions += 1
        model.recorder.log_session(round_, self.entry.name, negotiation, result)
        if result.ratified is None:
            return
        if result.settled:
            negotiation.settlement, negotiation.settled_round = result.proposals[-1].outcome, round_
            for s in (0, 1):
                observe(blocks[s], sides[s].observe, sides[1 - s].observe, sides[s].gain, self.sign_strength, True)
            return
        for party, ok in enumerate(result.ratified):
            if not ok:  # Putnam (1988): the other side reads a deal rejected at home as a defection
                failed = order[party]
                observer = sides[1 - failed]
                observe(
                    blocks[1 - failed], observer.observe, sides[failed].observe, observer.loss, self.fmt.weight, False
                )
