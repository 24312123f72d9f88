"""The engine: R replicates of a scenario advancing round by round in lockstep.

Every rule is applied to whole arrays — replicates × dyads × ministries — so one array operation serves a whole
ensemble, and the same code runs a single replicate for the command line, a notebook or the dashboard. Each replicate
draws from its own generator and every draw has a fixed slot (a meeting, an item, a side), so a replicate's history
is the same whether it runs alone or in a batch of any size.

A round: the dated changes of the round apply, confidence drifts toward its baseline (which itself follows
confidence where ministries remember), measures in force weigh, the round's scheduled events strike, random events
are drawn, the calendar's meetings are held unless suspended or lapsed (cooperative items, frictions, settlement
talks), and the state is recorded.

The same model is written agent by agent in :mod:`sim.model.mesa_model` (the round), :mod:`sim.model.meeting` (a
meeting) and :mod:`sim.model.agents` (the decisions); each method below names the agent method its array operations
mirror, and ``tests/test_agent_model.py`` checks that both give the same runs.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sim.model.plan import (
    EntryPlan,
    EventPlan,
    FrictionAt,
    ItemArrays,
    LapseRule,
    Observation,
    Plan,
    RandomEventPlan,
    TalksAt,
    plan_for,
)
from sim.model.record import NO_ACTION, Action, Recorder, RunRecord, country_confidence
from sim.model.rules.confidence import (
    drift,
    goldstein_strength,
    honour_probability,
    meets_by_rule,
    punish,
    remember,
    reward,
    trust_game_value,
    understanding_probability,
)

DRAW_BLOCK = 512  # uniforms drawn per generator call


def observe(block, mask, weights, acting, rates, strength: float, good: bool) -> None:
    """Update an observer's confidence ``block`` (..., m_obs, m_act) in place where ``mask`` (...) holds.

    Entry (i, j) moves by :func:`~sim.model.rules.confidence.reward` (good news) or
    :func:`~sim.model.rules.confidence.punish` with rate ``rates[i]`` and weight ``strength·weights[i]·acting[j]``:
    observers at the table see fully, the rest of their government by spill-over; the acting ministry is judged
    fully, the rest of its government by spill-over (docs/model.md §2.3). Where ``mask`` holds nowhere nothing
    moves (a zero weight leaves confidence as it is), so nothing is computed. One entry: :meth:`Ministry.observe
    <sim.model.agents.Ministry.observe>`; one observer's row: :meth:`Ministry.sees <sim.model.agents.Ministry.sees>`.
    """
    if not mask.any():
        return
    w = strength * mask[..., None, None] * weights[..., :, None] * acting[..., None, :]
    rate = rates[..., :, None]
    block[...] = reward(block, rate, w) if good else punish(block, rate, w)


class Engine:
    """The state of R replicates of one scenario, and the rules that move it.

    ``confidence[r, i, j]`` is ministry i's confidence in ministry j in replicate r (zero within a country; the last
    row and column are padding). Talks state is one array per talks: sessions held, settlement (-1: none) and the
    round it was reached. ``baseline`` is what confidence drifts toward (None while it is the starting confidence);
    ``withdrawn[entry]`` says where a party has left a series for good.
    """

    def __init__(self, plan: Plan, generators: Sequence[np.random.Generator], ministry_every: int = 1):
        self.plan = plan
        self.generators = list(generators)
        n, reps = plan.size, len(self.generators)
        self.round = 0
        self.confidence = np.broadcast_to(plan.initial, (reps, n + 1, n + 1)).copy()
        self.baseline: np.ndarray | None = None
        self.sessions = {name: np.zeros(reps, dtype=int) for name in plan.talks}
        self.settlement = {name: np.full(reps, -1) for name in plan.talks}
        self.settled_round = {name: np.full(reps, -1) for name in plan.talks}
        self.rejected_at = self._no_rejections()
        self.withdrawn = {e.name: np.zeros(reps, dtype=bool) for e in plan.scenario.calendar if e.withdraw_below}
        self._phases = dict(plan.scenario.phases)
        self._changes = plan.scenario.changes
        self._buffer, self._position = np.empty((reps, 0)), 0
        self.recorder = Recorder(plan, reps, ministry_every)
        self.recorder.capture(0, self.confidence)

    @property
    def replicates(self) -> int:
        return len(self.generators)

    def uniforms(self, n: int) -> np.ndarray:
        """The next (R, n) uniform draws, each replicate's from its own generator.

        Served from a buffer refilled :data:`DRAW_BLOCK` draws at a time: a generator's stream is the same whether
        it is drawn in blocks or one slot at a time, so the buffer changes no result, only the cost. The agent model
        draws the same slots: :meth:`NegotiationModel.uniforms <sim.model.mesa_model.NegotiationModel.uniforms>`.
        """
        if self._position + n > self._buffer.shape[1]:
            left = self._buffer[:, self._position :]
            kept = left.shape[1]
            buffer = np.empty((self.replicates, kept + max(DRAW_BLOCK, n)))
            buffer[:, :kept] = left
            for g, row in zip(self.generators, buffer[:, kept:], strict=True):
                g.random(out=row)  # each replicate's draws straight into its row: no list of arrays to stack
            self._buffer, self._position = buffer, 0
        drawn = self._buffer[:, self._position : self._position + n]
        self._position += n
        return drawn

    def play_round(self) -> None:
        """Dated changes, drift (and memory), measures, scheduled events, random events, meetings, record.

        Agent by agent: :meth:`NegotiationModel.step <sim.model.mesa_model.NegotiationModel.step>`; the drift toward
        the starting baseline (``C *= keep; C += pull``) is :meth:`Ministry.drift <sim.model.agents.Ministry.drift>`.
        """
        self.round += 1
        r = self.round
        if r in self._phases:
            self._change(r)
        plan, C = self.plan, self.confidence
        if plan.remembers or self.baseline is not None:
            self._drift_to_memory()
        else:
            C *= plan.keep  # drift toward the starting baseline (sim.model.rules.confidence.drift), in place
            C += plan.pull
        for measure in plan.measures:
            if measure.measure.in_force(r):
                self._observe_act(measure.observations)
                self.recorder.log_measure(r, measure.measure)
        for event in plan.events.get(r, ()):
            self.strike(r, event)
        if plan.random_events:
            u = self.uniforms(plan.random_slots)  # a fixed number of draws per round, whatever strikes
            offset = 0
            for random_events in plan.random_events:
                self._draw_events(r, random_events, u[:, offset : offset + random_events.slots])
                offset += random_events.slots
        for k, meeting in enumerate(plan.calendar):
            if meeting.entry.scheduled(r):
                self._hold(r, meeting, plan.lapse_rules.get(k))
        self.recorder.capture(r, C)

    def _change(self, round_: int) -> None:
        """Apply the dated changes of ``round_`` between rounds: the scenario in force becomes that phase's.

        Changed institutions are changed conditions: terms rejected at home before may be offered again
        (docs/model.md §2.9). Agents: ``NegotiationModel._change`` and :meth:`Ministry.take
        <sim.model.agents.Ministry.take>`.
        """
        self.plan = plan_for(self._phases[round_])
        self.recorder.plan = self.plan
        self.rejected_at = self._no_rejections()
        for change in self._changes:
            if change.round == round_:
                self.recorder.log_change(round_, change)

    def _drift_to_memory(self) -> None:
        """The baseline moves toward confidence by each ministry's memory, then confidence drifts toward it
        (:meth:`Ministry.drift <sim.model.agents.Ministry.drift>` with memory)."""
        plan, C = self.plan, self.confidence
        if self.baseline is None:
            self.baseline = np.broadcast_to(plan.initial, C.shape).copy()
        self.baseline[...] = remember(self.baseline, C, plan.memory)
        C[...] = drift(C, self.baseline, plan.rate)

    def _hold(self, round_: int, meeting: EntryPlan, rule: LapseRule | None) -> None:
        """A scheduled meeting: held, or not (suspended by date, or lapsed by rule in some replicates).

        A scheduled meeting takes its draws whether it is held or not, so that suspending one meeting leaves the
        dice of every other unchanged. Agents: :func:`sim.model.meeting.hold`.
        """
        e = meeting.entry
        pause = e.pause(round_)
        reason = "" if pause is None else f"{pause.kind}: {pause.reason}"
        host = e.host(round_)
        self.recorder.meetings.append((round_, e.name, e.format, host, ",".join(e.countries), not reason, reason))
        if pause is not None:
            held = np.zeros(self.replicates, dtype=bool)
        else:
            held = None if rule is None else self._by_rule(round_, meeting, rule)
        if held is None or held.all():
            self._meet(round_, meeting, host)
        elif held.any():
            self._meet(round_, meeting, host, held)
        else:
            self.uniforms(meeting.slots)

    def _by_rule(self, round_: int, meeting: EntryPlan, rule: LapseRule) -> np.ndarray:
        """Where the meeting is held: no party has withdrawn, and no member's confidence is below the lapse level
        (:func:`sim.model.meeting.meets`, from :meth:`~sim.model.agents.Country.confidence_in`)."""
        e, plan, n = meeting.entry, self.plan, self.plan.size
        countries = country_confidence(self.confidence[:, :n, :n], plan.influence, plan.starts)  # (R, c, c)
        trust = countries[:, rule.observers, rule.observed]  # (R, directed pairs)
        lowest = trust.min(axis=-1)
        reasons = np.full(self.replicates, "", dtype=object)
        if e.name in self.withdrawn:
            was = self.withdrawn[e.name].copy()
            self.withdrawn[e.name] |= ~meets_by_rule(trust, e.withdraw_below)
            reasons[was] = "withdrawn earlier"
            new = self.withdrawn[e.name] & ~was
            reasons[new] = [f"withdrawn: confidence {x:.2f} below {e.withdraw_below:g}" for x in lowest[new]]
        lapsed = (reasons == "") & ~meets_by_rule(trust, e.lapse_below)
        reasons[lapsed] = [f"lapsed: confidence {x:.2f} below {e.lapse_below:g}" for x in lowest[lapsed]]
        held = reasons == ""
        self.recorder.log_lapses(round_, e.name, np.flatnonzero(~held), reasons[~held])
        return held

    def record(self, seeds: Sequence[int | None]) -> RunRecord:
        """A snapshot of everything recorded so far, for the replicates drawn from ``seeds``."""
        return self.recorder.snapshot(seeds, self.round, self.confidence, self._talks_state())

    def strike(self, round_: int, ev: EventPlan) -> None:
        """The target observes the source's act, as cooperation or defection by its Goldstein value, and third
        countries by their stances.

        Scheduled events strike at the start of their round; the dashboard strikes events injected by hand. Agents:
        :meth:`NegotiationModel.strike <sim.model.mesa_model.NegotiationModel.strike>`.
        """
        self._observe_act(ev.observations)
        e = ev.event
        self.recorder.log_events(round_, np.arange(self.replicates), e.source, e.target, e.cameo, e.goldstein, e.note)

    def _observe_act(self, observations: tuple[Observation, ...]) -> None:
        """Each observer's confidence in the actor moves by the act's signed strength, in every replicate
        (:meth:`NegotiationModel.observe <sim.model.mesa_model.NegotiationModel.observe>`)."""
        everywhere = np.ones(self.replicates, dtype=bool)
        for o in observations:
            block = self.confidence[:, o.observer, o.actor]
            observe(block, everywhere, o.observe, o.acting, o.rates, abs(o.strength), o.strength >= 0)

    def _draw_events(self, round_: int, ev: RandomEventPlan, u: np.ndarray) -> None:
        """Random events in every pair at once: uniforms ``u`` (R, 2P) say whether each strikes and with what value.

        An event strikes as a scheduled one does (:meth:`strike`), observed as cooperation or defection. Agents:
        :meth:`NegotiationModel.random_events <sim.model.mesa_model.NegotiationModel.random_events>`.
        """
        pairs = len(ev.spec.pairs)
        struck = u[:, :pairs] < ev.spec.rate
        goldstein, pick = ev.draw(u[:, pairs:])
        strength = goldstein_strength(goldstein, self.plan.scenario.shock_scale)
        rows, cols = ev.targets[:, :, None], ev.sources[:, None, :]
        block = self.confidence[:, rows, cols]  # (R, P, m_t, m_s)
        good = struck & (strength >= 0)
        observe(block, good * np.abs(strength), ev.observe, ev.acting, ev.gain, 1.0, True)
        observe(block, (struck & ~good) * np.abs(strength), ev.observe, ev.acting, ev.loss, 1.0, False)
        self.confidence[:, rows, cols] = block
        rep, p = np.nonzero(struck)
        cameo = np.array(ev.spec.cameo, dtype=object)[pick[rep, p]] if pick is not None else None
        target, note = ev.target_names[p], ev.spec.note
        self.recorder.log_events(round_, rep, ev.source_names[p], target, cameo, goldstein[rep, p], note)

    def _meet(self, round_: int, meeting: EntryPlan, host: str, held: np.ndarray | None = None) -> None:
        """Hold a meeting in every dyad: read both confidence blocks, work through the agenda, write them back.

        Delegations decide on the confidence they bring; what they observe counts from the next meeting on. With
        ``held`` (R,), the meeting counts only in those replicates: elsewhere it takes its draws and leaves no trace.
        Agents: :class:`sim.model.meeting.Meeting` (``trust`` is what each delegation brings, ``Meeting.trust``).
        """
        mark = None if held is None else self._mark(meeting)
        sides, C = meeting.sides, self.confidence
        where = [(sides[s].rows[:, :, None], sides[1 - s].rows[:, None, :]) for s in (0, 1)]
        blocks = [C[:, i, j] for i, j in where]  # (R, D, m, m): side s's confidence in side 1 − s
        trust = [(blocks[s] * sides[1 - s].influence[None, :, None, :]).sum(-1) for s in (0, 1)]  # (R, D, m)
        u = self.uniforms(meeting.slots)
        per_item = meeting.slots_per_item * meeting.dyads
        for k, item in enumerate(meeting.items):
            draws = u[:, k * per_item : (k + 1) * per_item].reshape(self.replicates, 2, -1, meeting.dyads)
            self._cooperate(round_, meeting, item, blocks, trust, draws)
        offset = len(meeting.items) * per_item
        for k, friction in enumerate(meeting.frictions):
            self._friction(round_, meeting, friction, blocks, trust, u[:, offset + k])
        for talks in meeting.talks:
            self._talks(round_, meeting, talks, blocks, trust, host)
        for s, (i, j) in enumerate(where):
            C[:, i, j] = blocks[s] if held is None else np.where(held[:, None, None, None], blocks[s], C[:, i, j])
        if mark is not None:
            self._only_where(held, *mark)

    def _no_rejections(self) -> dict[str, np.ndarray]:
        """Per talks, (2, R, candidate terms): the confidence at which each side's home last rejected each term."""
        return {name: np.full((2, self.replicates, len(t.candidates)), -np.inf) for name, t in self.plan.talks.items()}

    def _mark(self, meeting: EntryPlan) -> tuple:
        """Where the records stand before a meeting, and the state of its talks: to undo it where it is not held."""
        talks = {at.plan.name for at in meeting.talks}
        state = {k: {n: v[n].copy() for n in talks} for k, v in self._talks_state().items()}
        rejected = {n: self.rejected_at[n].copy() for n in talks}
        return len(self.recorder.actions), len(self.recorder.offers), state, rejected

    def _only_where(self, held: np.ndarray, actions: int, offers: int, state: dict, rejected: dict) -> None:
        """Undo a meeting's records and talks in the replicates where it was not held (see :meth:`_mark`)."""
        rec = self.recorder
        for k in range(actions, len(rec.actions)):
            *head, codes = rec.actions[k]
            rec.actions[k] = (*head, np.where(held[:, None], codes, NO_ACTION))
        for k in range(offers, len(rec.offers)):
            head, o, rest = rec.offers[k][:6], rec.offers[k][6], rec.offers[k][7:]
            rec.offers[k] = (*head, o._replace(made=o.made & held), *rest)
        for key, before in state.items():
            for name, value in before.items():
                current = self._talks_state()[key][name]
                current[~held] = value[~held]
        for name, value in rejected.items():
            self.rejected_at[name][:, ~held] = value[:, ~held]

    def _talks_state(self) -> dict[str, dict[str, np.ndarray]]:
        """Every per-replicate state of the talks, by talks name: what a meeting lapsed in some replicates undoes."""
        return {"settlement": self.settlement, "settled_round": self.settled_round, "sessions": self.sessions}

    def _cooperate(self, round_, meeting: EntryPlan, item: ItemArrays, blocks, trust, u) -> None:
        """The trust game: adopted where both sides find it worthwhile; then each side carries it out or breaks it.

        ``u`` (R, 2, 1 + m, D): for side s, ``u[:, s, 0]`` decides whether it carries the item out and ``u[:, s, 1:]``
        whether each of the other side's ministries forgives a breach (docs/model.md §2.1–§2.2).

        Agents (:meth:`sim.model.meeting.Meeting.cooperate`): ``worth`` is :meth:`Delegation.worth
        <sim.model.agents.Delegation.worth>` over :meth:`Ministry.judge <sim.model.agents.Ministry.judge>`;
        ``adopted`` :meth:`Delegation.decides <sim.model.agents.Delegation.decides>`; ``done``
        :meth:`Ministry.carries_out <sim.model.agents.Ministry.carries_out>` of the lead ministry; ``unforgiving``
        :meth:`Ministry.forgives <sim.model.agents.Ministry.forgives>`; the two ``observe`` calls
        :meth:`Ministry.sees <sim.model.agents.Ministry.sees>`.
        """
        sides = meeting.sides
        dyads = np.arange(meeting.dyads)
        worth = [
            (item.votes[s] * trust_game_value(trust[s], item.benefit[s][:, None], item.exposure[s][:, None])).sum(-1)
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
                side.reliability[dyads, lead], side.hawkishness[dyads, lead], trust[s][:, dyads, lead]
            )
            done = adopted & (u[:, s, 0] < p)
            broke = adopted & ~done
            log(s, np.where(done, Action.CARRIED_OUT, np.where(broke, Action.BROKE, NO_ACTION)))
            observe(blocks[o], done, observer.observe, item.acting[s], observer.gain, meeting.weight, True)
            if broke.any():
                # Generous tit-for-tat: each observing ministry forgives a breach with its own probability.
                unforgiving = observer.observe * (u[:, s, 1:].transpose(0, 2, 1) >= observer.forgiveness)
                observe(blocks[o], broke, unforgiving, item.acting[s], observer.loss, meeting.weight, False)

    def _friction(self, round_, meeting: EntryPlan, at: FrictionAt, blocks, trust, u) -> None:
        """A grievance: understood or rebuffed by the other side, and the raiser's confidence moves accordingly, each
        of its ministries as strongly as the friction is salient to it (docs/model.md §2.4).

        Agents: :meth:`sim.model.meeting.Meeting.friction`; ``understood`` is :meth:`Delegation.understands
        <sim.model.agents.Delegation.understands>`, the ``observe`` calls :meth:`Ministry.sees
        <sim.model.agents.Ministry.sees>`."""
        d, r = at.dyad, at.raiser
        t = 1 - r
        raiser, answering = meeting.sides[r], meeting.sides[t]
        confidence = trust[t][:, d, :] @ answering.delegation[d]
        understood = u < understanding_probability(confidence, answering.delegation_hawkishness[d])
        log = self.recorder.log_actions
        log(round_, meeting, at.friction.name, "friction", r, d, np.full((self.replicates, 1), Action.RAISED))
        log(
            round_,
            meeting,
            at.friction.name,
            "friction",
            t,
            d,
            np.where(understood, Action.UNDERSTOOD, Action.REBUFFED)[:, None],
        )
        block, strength = blocks[r][:, d], meeting.weight * at.friction.severity
        args = (raiser.observe[d] * at.salience, answering.observe[d])
        observe(block, understood, *args, raiser.gain[d], strength, True)
        observe(block, ~understood, *args, raiser.loss[d], strength, False)

    def _talks(self, round_, meeting: EntryPlan, at: TalksAt, blocks, trust, host: str) -> None:
        """A session of settlement talks: a ratified deal is a signed agreement, one rejected at home a defection
        (docs/model.md §2.7–§2.11).

        Agents: :meth:`sim.model.meeting.Meeting.talks` and :func:`sim.model.meeting.session`, where each party
        proposes, accepts and ratifies (:meth:`Country.propose <sim.model.agents.Country.propose>`,
        :meth:`~sim.model.agents.Country.accepts`, :meth:`~sim.model.agents.Country.ratifies`)."""
        plan, d, order, name = at.plan, at.dyad, at.order, at.plan.name
        open_ = (self.settlement[name] < 0) & (self.sessions[name] < plan.deadline)
        if not open_.any():
            return
        sides = meeting.sides
        # The chair proposes first if it is a party; otherwise the parties take turns.
        names = [p.name for p in plan.parties]
        e = meeting.entry
        host_party = names.index(host) if host in names else ((round_ - e.start) // e.every) % 2
        party_trust = [trust[order[p]][:, d, : len(plan.parties[p].influence)] for p in (0, 1)]
        styles = [sides[order[p]].concession[d] for p in (0, 1)]
        result = plan.session(self.sessions[name], open_, host_party, party_trust, styles, self.rejected_at[name])
        self.sessions[name] += open_
        self.recorder.log_offers(round_, meeting.entry.name, plan, self.sessions[name], result)
        settled = result.settled
        self.settlement[name][settled] = result.agreed[settled]
        self.settled_round[name][settled] = round_
        for s in (0, 1):
            a, b = sides[s], sides[1 - s]
            observe(blocks[s][:, d], settled, a.observe[d], b.observe[d], a.gain[d], at.sign, True)
        for p in (0, 1):  # Putnam (1988): the other side reads a deal rejected at home as a defection
            rejected = (result.agreed >= 0) & ~result.ratified[p]
            failed, obs = order[p], 1 - order[p]
            a, b = sides[obs], sides[failed]
            observe(blocks[obs][:, d], rejected, a.observe[d], b.observe[d], a.loss[d], at.reject, False)
