"""A meeting of the calendar, held agent by agent: the procedure the model follows when a meeting is due.

The delegations decide on the confidence they bring; what they observe counts from the next meeting on. A meeting
takes its uniforms in one block, in the slots of the vectorised engine (:meth:`sim.model.engine.Engine._meet`): for
each cooperative item, each side, then each dyad: one uniform for carrying it out and one per observing ministry for
forgiving a breach; then one per friction. Talks take no uniforms.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.model.plan import EntryPlan, FrictionAt, ItemArrays, LapseRule, TalksAt
from sim.model.record import NO_ACTION, Action
from sim.model.rules.bargaining import alternating_offers, patience
from sim.model.rules.confidence import meets_by_rule
from sim.model.talks import Offers, SessionResult

if TYPE_CHECKING:
    from sim.model.agents import Delegation
    from sim.model.mesa_model import NegotiationModel


def hold(model: NegotiationModel, round_: int, meeting: EntryPlan, rule: LapseRule | None) -> None:
    """A scheduled meeting: held, or not (suspended by date, or lapsed or left by confidence).

    A meeting not held still takes its draws, so that suspending one meeting leaves the dice of every other unchanged.
    """
    e = meeting.entry
    pause = e.pause(round_)
    reason = "" if pause is None else f"{pause.kind}: {pause.reason}"
    host = e.host(round_)
    model.recorder.meetings.append((round_, e.name, e.format, host, ",".join(e.countries), not reason, reason))
    held = pause is None and (rule is None or meets(model, round_, meeting, rule))
    if held:
        Meeting(model, round_, meeting, host).hold()
    else:
        model.uniforms(meeting.slots)


def meets(model: NegotiationModel, round_: int, meeting: EntryPlan, rule: LapseRule) -> bool:
    """Whether the countries still meet: no party has withdrawn, and no member's confidence in another is below the
    lapse level (:func:`~sim.model.rules.confidence.meets_by_rule`)."""
    e, countries = meeting.entry, list(model.countries.values())
    trust = [countries[a].confidence_in(countries[b]) for a, b in zip(rule.observers, rule.observed, strict=True)]
    lowest = min(trust)
    reason = ""
    if e.name in model.withdrawn:
        if model.withdrawn[e.name]:
            reason = "withdrawn earlier"
        elif not meets_by_rule(trust, e.withdraw_below):
            model.withdrawn[e.name] = True
            reason = f"withdrawn: confidence {lowest:.2f} below {e.withdraw_below:g}"
    if not reason and not meets_by_rule(trust, e.lapse_below):
        reason = f"lapsed: confidence {lowest:.2f} below {e.lapse_below:g}"
    if reason:
        model.recorder.log_lapses(round_, e.name, np.array([0]), np.array([reason], dtype=object))
    return not reason


class Meeting:
    """One meeting being held: its delegations, the confidence they bring, and its agenda worked through in order."""

    def __init__(self, model: NegotiationModel, round_: int, meeting: EntryPlan, host: str):
        self.model, self.round, self.plan, self.host = model, round_, meeting, host
        self.name = meeting.entry.name
        self.delegations = model.delegations(meeting)  # per dyad: (side 0, side 1)
        # trust[s][d][i]: ministry i of side s's confidence in the other side's country, as brought to the meeting
        self.trust = [[dyad[s].trust_in(dyad[1 - s].country) for dyad in self.delegations] for s in (0, 1)]

    def hold(self) -> None:
        """Cooperative items, then frictions, then talks, as the format's agenda lists them by kind."""
        plan = self.plan
        u = self.model.uniforms(plan.slots)
        per_item = plan.slots_per_item * plan.dyads
        for k, item in enumerate(plan.items):
            self.cooperate(item, u[k * per_item : (k + 1) * per_item])
        offset = len(plan.items) * per_item
        for k, friction in enumerate(plan.frictions):
            self.friction(friction, u[offset + k])
        for talks in plan.talks:
            self.talks(talks)

    def log(self, item: str, kind: str, side: int, dyad: int | None, codes: list[int]) -> None:
        self.model.recorder.log_actions(self.round, self.plan, item, kind, side, dyad, np.array([codes], dtype=int))

    def cooperate(self, item: ItemArrays, u: list[float]) -> None:
        """The trust game: adopted where both delegations find it worthwhile; then the lead ministry of each side
        carries it out or breaks it, and the other side's ministries observe it (forgiving a breach or not).

        ``u`` is the item's block of uniforms: side s, slot q (0: carrying out, 1 + i: observer i forgives), dyad d
        at ``(s·(1 + m) + q)·D + d``, as the engine reshapes it to (2, 1 + m, D).
        """
        plan, D = self.plan, self.plan.dyads
        m = plan.sides[0].rows.shape[1]
        worth = [
            [
                dyad[s].worth(
                    item.name, item.votes[s][d], self.trust[s][d], item.benefit[s][d], item.exposure[s][d], self.name
                )
                for d, dyad in enumerate(self.delegations)
            ]
            for s in (0, 1)
        ]
        adopted = [worth[0][d] > 0 and worth[1][d] > 0 for d in range(D)]
        for d, dyad in enumerate(self.delegations):
            for s in (0, 1):
                dyad[s].decides(item.name, worth[s][d], adopted[d], self.name)
        for s in (0, 1):
            self.log(
                item.name, "cooperation", s, None, [Action.ACCEPTED if w > 0 else Action.REFUSED for w in worth[s]]
            )
        for s in (0, 1):
            o, codes = 1 - s, []
            for d, dyad in enumerate(self.delegations):
                if not adopted[d]:
                    codes.append(NO_ACTION)
                    continue
                acting, observing = dyad[s], dyad[o]
                lead = item.lead[s][d]
                draw = u[(s * (1 + m)) * D + d]
                done = acting.members[lead].carries_out(item.name, self.trust[s][d][lead], draw, self.name)
                codes.append(Action.CARRIED_OUT if done else Action.BROKE)
                acts, country = item.acting[s][d], acting.country.name
                for i, observer in enumerate(observing.members):
                    sees = observing.sees[i]
                    what = f"{country} carried it out" if done else f"{country} broke it"
                    if not done and observer.forgives(u[(s * (1 + m) + 1 + i) * D + d]):
                        sees, what = 0.0 * sees, f"{what}, and it forgave"  # generous tit-for-tat
                    weights = [plan.weight * sees * acts[j] for j in range(len(acting.members))]
                    observer.sees(acting.members, weights, done, item.name, what, self.name)
            self.log(item.name, "cooperation", s, None, codes)

    def friction(self, at: FrictionAt, u: float) -> None:
        """A grievance: the other delegation understands or rebuffs it, and the raiser's ministries observe the
        answer, each as strongly as the friction is salient to it."""
        raising, answering = self.delegations[at.dyad][at.raiser], self.delegations[at.dyad][1 - at.raiser]
        side = self.plan.sides[1 - at.raiser]
        brought = np.zeros((1, side.rows.shape[1]))
        brought[0, : len(answering.members)] = self.trust[1 - at.raiser][at.dyad]
        confidence = (brought @ side.delegation[at.dyad])[0]  # the delegation's weighted confidence in the raiser
        understood = answering.understands(at.friction.name, confidence, u, self.name)
        self.log(at.friction.name, "friction", at.raiser, at.dyad, [Action.RAISED])
        self.log(
            at.friction.name, "friction", 1 - at.raiser, at.dyad, [Action.UNDERSTOOD if understood else Action.REBUFFED]
        )
        strength = self.plan.weight * at.friction.severity
        what = f"{answering.country.name} {'understood' if understood else 'rebuffed'} it"
        for i, observer in enumerate(raising.members):
            sees = raising.sees[i] * at.salience[i]
            weights = [strength * sees * x for x in answering.sees]
            observer.sees(answering.members, weights, understood, at.friction.name, what, self.name)

    def talks(self, at: TalksAt) -> None:
        """A session of settlement talks: a ratified deal is a signed agreement for both sides; a deal rejected at
        home, a defection in the other side's eyes (Putnam 1988)."""
        model, plan, d, order = self.model, at.plan, at.dyad, at.order
        name = plan.name
        settlement, sessions = model.settlement[name], model.sessions[name]
        open_ = (settlement < 0) & (sessions < plan.deadline)
        if not open_.any():
            return
        # The chair proposes first if it is a party; otherwise the parties take turns.
        names = [p.name for p in plan.parties]
        e = self.plan.entry
        host = names.index(self.host) if self.host in names else ((self.round - e.start) // e.every) % 2
        parties = [self.delegations[d][order[p]] for p in (0, 1)]
        trust = [np.array([self.trust[order[p]][d]]) for p in (0, 1)]
        result = session(plan, parties, sessions, open_, host, trust, model.rejected_at[name])
        sessions += open_
        model.recorder.log_offers(self.round, e.name, plan, sessions, result)
        settled = result.settled
        if settled[0]:
            settlement[0], model.settled_round[name][0] = result.agreed[0], self.round
        dyad = self.delegations[d]
        if settled[0]:
            for s in (0, 1):
                self.observe_all(dyad[s], dyad[1 - s], at.sign, True, name, "a treaty signed and ratified")
        for p in (0, 1):  # the other side reads a deal rejected at home as a defection
            if result.agreed[0] >= 0 and not result.ratified[p][0]:
                what = f"{plan.parties[p].name} rejected the deal at home"
                self.observe_all(dyad[1 - order[p]], dyad[order[p]], at.reject, False, name, what)

    def observe_all(self, observing: Delegation, acting: Delegation, strength: float, good: bool, about, what) -> None:
        """Every ministry of ``observing``'s country observes every ministry of ``acting``'s, weighted by how
        directly each took part (at the table: fully; at home: by spill-over)."""
        for i, observer in enumerate(observing.members):
            weights = [strength * observing.sees[i] * x for x in acting.sees]
            observer.sees(acting.members, weights, good, about, what, self.name)


def session(plan, parties: list[Delegation], held, open_, host: int, trust, rejected_at) -> SessionResult:
    """One session for one run, the parties' countries proposing, accepting and ratifying in turn.

    The same steps as :meth:`sim.model.talks.TalksPlan.session`, with one replicate: ``trust[i]`` (1, n_i) is
    party i's ministries' confidence in the other party, ``rejected_at`` (2, 1, K) the other party's confidence when
    each term was rejected at home (updated here).
    """
    countries = [p.country for p in parties]
    spec, u, cand = plan.spec, plan.utility, plan.candidates
    confidence = [trust[i] @ plan.parties[i].influence for i in (0, 1)]
    floor = [countries[i].floor(plan, i, confidence[i]) for i in (0, 1)]
    offers, pending = [], open_
    if spec.protocol == "concession":
        level = [countries[i].aspiration(plan, i, held, floor[i], parties[i].concession, confidence[i]) for i in (0, 1)]
        for proposer in (host, 1 - host):
            responder = 1 - proposer
            admissible = plan.admissible(proposer, trust, confidence[proposer], rejected_at[responder])
            pick = countries[proposer].propose(plan, proposer, admissible, level[proposer])
            x = np.append(cand, plan.status_quo)[pick]  # no offer (-1): the status quo, never recorded
            made = pending & (pick >= 0)
            accepted = made & countries[responder].accepts(plan, responder, x, level[responder])
            offers.append(
                Offers(proposer, x, u[proposer][x], u[responder][x], level[proposer], level[responder], accepted, made)
            )
            pending = pending & ~accepted
    else:
        guest = 1 - host
        x, made = np.full(1, plan.status_quo), np.zeros(1, bool)
        delta = [patience(confidence[i], spec.confidence_effect, spec.discount) for i in (0, 1)]
        periods = None if spec.deadline is None else spec.deadline - held
        options = cand[plan.admissible(host, trust, confidence[host], rejected_at[guest])[0]]
        pos = alternating_offers(
            u[host][options],
            u[guest][options],
            floor[host][0],
            floor[guest][0],
            delta[host][0],
            delta[guest][0],
            None if periods is None else int(periods[0]),
        )
        if pos is not None:
            x[0], made[0] = options[pos], True
        offers = [Offers(host, x, u[host][x], u[guest][x], floor[host], floor[guest], made, made)]
    agreed = np.full(1, -1)
    for o in offers:
        agreed[o.accepted] = o.outcome[o.accepted]
    ratified = np.zeros((2, 1), bool)
    if agreed[0] >= 0:
        where = np.searchsorted(cand, agreed)
        for side in (0, 1):
            ratified[side] = countries[side].ratifies(plan, side, agreed, trust[side])
            if not ratified[side, 0]:
                rejected_at[side, 0, where[0]] = confidence[1 - side][0]
    return SessionResult(tuple(offers), agreed, ratified)
