"""The engine: R replicates of a scenario advancing round by round in lockstep, every rule applied to whole arrays.

``confidence[r, i, j]`` is ministry i's confidence in ministry j in replicate r: the rules work on blocks of it —
replicates × dyads × ministries — so one array operation serves a whole ensemble, and the same code runs a single
replicate for the command line, a notebook or the dashboard. The replicate axis is always the first; each replicate
draws from its own generator, in fixed slots (:mod:`sim.model.plan.dice`), so a replicate's history is the same alone
or in a batch of any size.

The order of a round, the calendar and the talks' protocols are the procedures both models share
(:mod:`sim.model.procedures`); what is here is how R replicates decide and observe at once. The agent model
(:mod:`sim.model.agents`) decides the same things one agent at a time, and ``tests/test_agent_model.py`` checks that
both give the same runs.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sim.model.engine.talks import PartyArrays
from sim.model.plan.compiled import (
    EntryPlan,
    FrictionAt,
    ItemArrays,
    LapseRule,
    Observation,
    Plan,
    RandomEventPlan,
    TalksAt,
)
from sim.model.plan.dice import Dice, MeetingDice
from sim.model.procedures.round import play_round
from sim.model.procedures.talks import TalksState, hold_session
from sim.model.record.recorder import Recorder, RunRecord, country_confidence
from sim.model.record.records import NO_ACTION, Action
from sim.model.rules.confidence import (
    drift,
    honour_probability,
    punish,
    remember,
    reward,
    trust_game_value,
    understanding_probability,
)


def observe(block, mask, observing, acting, rates, strength: float, good: bool) -> None:
    """Update an observer's confidence ``block`` (..., m_obs, m_act) in place where ``mask`` (...) holds.

    Entry (i, j) moves by :func:`~sim.model.rules.confidence.reward` (good news) or
    :func:`~sim.model.rules.confidence.punish` with rate ``rates[i]`` and weight ``strength·observing[i]·acting[j]``:
    observers at the table see fully, the rest of their government by spill-over; the acting ministry is judged
    fully, the rest of its government by spill-over (docs/model.md §2.3). Where ``mask`` holds nowhere nothing
    moves (a zero weight leaves confidence as it is), so nothing is computed. One entry: :meth:`Ministry.observe
    <sim.model.agents.agents.Ministry.observe>`.
    """
    if not mask.any():
        return
    w = strength * mask[..., None, None] * observing[..., :, None] * acting[..., None, :]
    rate = rates[..., :, None]
    block[...] = reward(block, rate, w) if good else punish(block, rate, w)


class Engine:
    """The state of R replicates of one scenario, and the rules that move it (a
    :class:`~sim.model.procedures.round.World`).

    ``confidence`` is (R, M + 1, M + 1), the last row and column padding (zero within a country). ``baseline`` is what
    confidence drifts toward (None while it is the starting confidence); ``talks`` holds where each set of talks
    stands; ``withdrawn[entry]`` says where a party has left a series for good.
    """

    def __init__(self, plan: Plan, generators: Sequence[np.random.Generator], ministry_every: int = 1):
        scenario = plan.scenario
        self.plan = plan
        self.phases, self.changes = dict(scenario.phases), scenario.changes
        self.dice = Dice(generators)
        reps, n = len(self.dice.generators), plan.size
        self.round = 0
        self.confidence = np.broadcast_to(plan.initial, (reps, n + 1, n + 1)).copy()
        self.baseline: np.ndarray | None = None
        self.talks = {name: TalksState.start(t, reps) for name, t in plan.talks.items()}
        self.withdrawn = {e.name: np.zeros(reps, dtype=bool) for e in scenario.calendar if e.withdraw_below}
        self.recorder = Recorder(plan, reps, ministry_every)
        self.recorder.capture(0, self.confidence)

    @property
    def replicates(self) -> int:
        return len(self.dice.generators)

    def play_round(self) -> None:
        """The next round (:func:`sim.model.procedures.round.play_round`)."""
        self.round += 1
        play_round(self, self.round)

    def record(self, seeds: Sequence[int | None]) -> RunRecord:
        """A snapshot of everything recorded so far, for the replicates drawn from ``seeds``."""
        return self.recorder.snapshot(seeds, self.round, self.confidence, self.talks)

    # What the round's procedures ask of the world -----------------------------------------------------------------

    def take(self, plan: Plan) -> None:
        """Nothing to do: every value is read from ``self.plan`` when it is used."""

    def drift(self) -> None:
        """Confidence drifts toward the baseline; where ministries remember, the baseline first moves toward
        confidence (:func:`~sim.model.rules.confidence.remember`; once it has moved, it goes on doing so)."""
        plan, C = self.plan, self.confidence
        if plan.remembers or self.baseline is not None:
            if self.baseline is None:
                self.baseline = np.broadcast_to(plan.initial, C.shape).copy()
            self.baseline[...] = remember(self.baseline, C, plan.memory)
            C[...] = drift(C, self.baseline, plan.rate)
        else:
            C *= plan.keep  # drift toward the starting baseline, affine in c: drift(c) = keep·c + pull, in place
            C += plan.pull

    def observe(self, observations: tuple[Observation, ...], about: str) -> None:
        everywhere = np.ones(self.replicates, dtype=bool)
        for o in observations:
            block = self.confidence[:, o.observer, o.actor]
            observe(block, everywhere, o.observing, o.acting, o.rates, abs(o.strength), o.strength >= 0)

    def observe_random(self, events: RandomEventPlan, struck: np.ndarray, goldstein: np.ndarray, strength) -> None:
        """Every pair at once: the target's block (R, P, m_t, m_s) of confidence in the source."""
        rows, cols = events.targets[:, :, None], events.sources[:, None, :]
        block = self.confidence[:, rows, cols]
        good = struck & (strength >= 0)
        observe(block, good * np.abs(strength), events.observing, events.acting, events.gain, 1.0, True)
        observe(block, (struck & ~good) * np.abs(strength), events.observing, events.acting, events.loss, 1.0, False)
        self.confidence[:, rows, cols] = block

    def pair_confidence(self, rule: LapseRule) -> np.ndarray:
        n = self.plan.size
        countries = country_confidence(self.confidence[:, :n, :n], self.plan.influence, self.plan.starts)
        return countries[:, rule.observers, rule.observed]

    def capture(self, round_: int) -> None:
        self.recorder.capture(round_, self.confidence)

    # A meeting ----------------------------------------------------------------------------------------------------

    def meet(self, round_: int, meeting: EntryPlan, host: str, dice: MeetingDice, held: np.ndarray | None) -> None:
        """Hold a meeting in every dyad: read both sides' confidence blocks, work through the agenda (cooperative
        items, frictions, talks), write them back.

        Delegations decide on the confidence they bring (``brought``); what they observe counts from the next meeting
        on. With ``held`` (R,), the meeting counts only in those replicates: it is worked through everywhere, then
        undone where it was not held.
        """
        before = None if held is None else self._before(meeting)
        sides, C = meeting.sides, self.confidence
        where = [(sides[s].rows[:, :, None], sides[1 - s].rows[:, None, :]) for s in (0, 1)]
        blocks = [C[:, i, j] for i, j in where]  # (R, D, m, m): side s's confidence in side 1 − s
        # brought[s] (R, D, m): each ministry of side s's confidence in the other side's country
        brought = [(blocks[s] * sides[1 - s].influence[None, :, None, :]).sum(-1) for s in (0, 1)]
        for k, item in enumerate(meeting.items):
            self._cooperate(round_, meeting, item, blocks, brought, dice, k)
        for k, friction in enumerate(meeting.frictions):
            self._friction(round_, meeting, friction, blocks, brought, dice.understand(k))
        for at in meeting.talks:
            self._talks(round_, meeting, at, blocks, brought, host)
        for s, (i, j) in enumerate(where):
            C[:, i, j] = blocks[s] if held is None else np.where(held[:, None, None, None], blocks[s], C[:, i, j])
        if held is not None:
            self._undo_where_not(held, *before)

    def _before(self, meeting: EntryPlan) -> tuple:
        """Where the records and the meeting's talks stand before it: to undo it where it is not held."""
        states = {at.talks.name: self.talks[at.talks.name].copy() for at in meeting.talks}
        return len(self.recorder.actions), len(self.recorder.offers), states

    def _undo_where_not(self, held: np.ndarray, actions: int, offers: int, states: dict[str, TalksState]) -> None:
        """Undo a meeting's records and talks in the replicates where it was not held (see :meth:`_before`)."""
        rec = self.recorder
        for k in range(actions, len(rec.actions)):
            rec.actions[k] = rec.actions[k]._replace(codes=np.where(held[:, None], rec.actions[k].codes, NO_ACTION))
        for k in range(offers, len(rec.offers)):
            offer = rec.offers[k].offer
            rec.offers[k] = rec.offers[k]._replace(offer=offer._replace(made=offer.made & held))
        for name, state in states.items():
            self.talks[name].restore(state, ~held)

    def _cooperate(self, round_, meeting: EntryPlan, item: ItemArrays, blocks, brought, dice: MeetingDice, k: int):
        """The trust game: adopted where both sides find it worthwhile; then each side carries it out or breaks it,
        and the other side's ministries observe it, each forgiving a breach with its own draw (docs/model.md
        §2.1–§2.2)."""
        sides = meeting.sides
        dyads = np.arange(meeting.dyads)
        worth = [
            (item.votes[s] * trust_game_value(brought[s], item.benefit[s][:, None], item.exposure[s][:, None])).sum(-1)
            for s in (0, 1)
        ]
        adopted = (worth[0] > 0) & (worth[1] > 0)

        def log(side: int, codes: np.ndarray) -> None:
            self.recorder.log_actions(round_, meeting, item.name, "cooperation", side, None, codes)

        for s in (0, 1):
            log(s, np.where(worth[s] > 0, Action.ACCEPTED, Action.REFUSED))
        for s in (0, 1):
            side, o = sides[s], 1 - s
            observer, lead = sides[o], item.lead[s]
            p = honour_probability(
                side.reliability[dyads, lead], side.hawkishness[dyads, lead], brought[s][:, dyads, lead]
            )
            done = adopted & (dice.carry_out(k, s) < p)
            broke = adopted & ~done
            log(s, np.where(done, Action.CARRIED_OUT, np.where(broke, Action.BROKE, NO_ACTION)))
            observe(blocks[o], done, observer.involvement, item.acting[s], observer.gain, meeting.weight, True)
            if broke.any():
                # Generous tit-for-tat: each observing ministry forgives a breach with its own probability.
                unforgiving = observer.involvement * (dice.forgive(k, s) >= observer.forgiveness)
                observe(blocks[o], broke, unforgiving, item.acting[s], observer.loss, meeting.weight, False)

    def _friction(self, round_, meeting: EntryPlan, at: FrictionAt, blocks, brought, u: np.ndarray) -> None:
        """A grievance: understood or rebuffed by the other side, and the raiser's confidence moves accordingly, each
        of its ministries as strongly as the friction is salient to it (docs/model.md §2.4)."""
        d, r = at.dyad, at.raiser
        t = 1 - r
        raiser, answering = meeting.sides[r], meeting.sides[t]
        confidence = brought[t][:, d, :] @ answering.delegation[d]
        understood = u < understanding_probability(confidence, answering.delegation_hawkishness[d])
        log = self.recorder.log_actions
        log(round_, meeting, at.friction.name, "friction", r, d, np.full((self.replicates, 1), Action.RAISED))
        answer = np.where(understood, Action.UNDERSTOOD, Action.REBUFFED)[:, None]
        log(round_, meeting, at.friction.name, "friction", t, d, answer)
        block, strength = blocks[r][:, d], meeting.weight * at.friction.severity
        args = (raiser.involvement[d] * at.salience, answering.involvement[d])
        observe(block, understood, *args, raiser.gain[d], strength, True)
        observe(block, ~understood, *args, raiser.loss[d], strength, False)

    def _talks(self, round_, meeting: EntryPlan, at: TalksAt, blocks, brought, host: str) -> None:
        """A session of settlement talks (:func:`~sim.model.procedures.talks.hold_session`): a ratified deal is a
        signed agreement, one rejected at home a defection (docs/model.md §2.7–§2.11)."""
        talks, d, order, sides = at.talks, at.dyad, at.order, meeting.sides

        def seat() -> tuple[PartyArrays, PartyArrays]:
            def party(p: int) -> PartyArrays:
                n = len(talks.parties[p].influence)
                return PartyArrays(talks, p, brought[order[p]][:, d, :n], sides[order[p]].concession[d])

            return party(0), party(1)

        result = hold_session(self, round_, meeting.entry, at, host, seat)
        if result is None:
            return
        settled = result.settled
        for s in (0, 1):
            a, b = sides[s], sides[1 - s]
            observe(blocks[s][:, d], settled, a.involvement[d], b.involvement[d], a.gain[d], at.sign, True)
        for p in (0, 1):  # Putnam (1988): the other side reads a deal rejected at home as a defection
            failed, reader = order[p], 1 - order[p]
            a, b = sides[reader], sides[failed]
            rejected = result.rejected_at_home(p)
            observe(blocks[reader][:, d], rejected, a.involvement[d], b.involvement[d], a.loss[d], at.reject, False)
