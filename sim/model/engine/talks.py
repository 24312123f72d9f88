"""A party at the talks in every replicate at once: the engine's negotiator (:class:`~sim.model.procedures.talks.
Negotiator`), each decision one array operation over replicates (docs/model.md §2.6–§2.10)."""

from __future__ import annotations

import numpy as np

from sim.model.plan.talks import TalksPlan
from sim.model.record.records import Answer
from sim.model.rules.bargaining import aspiration, concession_exponent, first_offer, patience
from sim.model.rules.ratification import demanded_gain, ratifies, still_rejected, supports, win_set_at


class PartyArrays:
    """Party ``side`` of ``talks`` at a session in R replicates: its ministries' confidence in the other party
    ``ministries`` (R, n), as brought to the meeting, and its delegation's concession ``style``."""

    def __init__(self, talks: TalksPlan, side: int, ministries: np.ndarray, style: float):
        self.talks, self.side, self.ministries, self.style = talks, side, ministries, style
        self.confidence = ministries @ talks.parties[side].influence  # (R,)
        self._floor = demanded_gain(talks.reservation[side], talks.best[side], talks.hawkishness[side], self.confidence)

    def floor(self) -> np.ndarray:
        """The least it can bring home: distrust raises its demand over the reservation value (Putnam 1988)."""
        return self._floor

    def aspiration(self, sessions: np.ndarray) -> np.ndarray:
        """Its concession curve from its best down to its floor, after ``sessions`` sessions."""
        t = self.talks
        exponent = concession_exponent(self.style, self.confidence, t.spec.confidence_effect)
        return aspiration(sessions / t.spec.horizon, self._floor, t.best[self.side], exponent)

    def patience(self) -> np.ndarray:
        return patience(self.confidence, self.talks.spec.confidence_effect, self.talks.spec.discount)

    def may_offer(self, rejected: np.ndarray) -> np.ndarray:
        """All candidates, or, anticipating ratification, those in its own win-set, in the other side's as it
        estimates it (supposing the other side trusts it as much as it trusts them), and not rejected by the other
        side's home since its confidence last rose (§2.10)."""
        t, s, confidence = self.talks, self.side, self.confidence
        if not t.spec.anticipate:
            return np.ones((len(confidence), len(t.candidates)), bool)
        p = t.parties[s]
        estimated = confidence[:, None] >= t.needed[1 - s] - 1e-12
        own = win_set_at(self.ministries, t.to_support[s], p.influence, p.veto, p.quota)
        return estimated & own & ~still_rejected(rejected, confidence, t.spec.reoffer_after)

    def propose(self, admissible: np.ndarray, level: np.ndarray) -> np.ndarray:
        """Of the candidates it may offer and that are worth ``level`` to it, the best for the other side."""
        t, s = self.talks, self.side
        return first_offer(t.offered[s], t.offered[1 - s], admissible, level)

    def position(self, level: np.ndarray) -> np.ndarray:
        """Where it has no offer: of the candidates its own home would ratify now and the other side's could (at full
        confidence), the best for the other side still worth ``level`` to it; failing that, its own ideal (§2.7)."""
        t, s = self.talks, self.side
        p = t.parties[s]
        own = win_set_at(self.ministries, t.to_support[s], p.influence, p.veto, p.quota)
        pick = first_offer(t.offered[s], t.offered[1 - s], own & t.ratifiable[1 - s][t.candidates], level)
        return np.where(pick >= 0, t.offerable[pick], t.ideal[s])

    def answer(self, outcome: np.ndarray, level: np.ndarray, rejected: np.ndarray, position: np.ndarray) -> np.ndarray:
        """Accepted where ``outcome`` is worth ``level`` to it (and, where it is the other's ``position``, its own home
        would ratify it now); otherwise refused because its home rejected these terms before, would never ratify them,
        would ratify them only with more confidence, or could ratify them but it asks for more now (§2.7)."""
        t, s = self.talks, self.side
        p = t.parties[s]
        worth = t.utility[s][outcome] >= level - 1e-12
        now = ratifies(self.ministries >= t.support_needed[s][:, outcome].T, p.influence, p.veto, p.quota)
        k = t.candidate_of[outcome]
        before = (k >= 0) & (rejected[np.arange(len(k)), np.maximum(k, 0)] > -np.inf) if len(t.candidates) else k >= 0
        reasons = [worth & (now | ~position), before, ~t.ratifiable[s][outcome], ~now]
        codes = [Answer.ACCEPTED, Answer.REJECTED_BEFORE, Answer.OUTSIDE_WIN_SET, Answer.NOT_TRUSTED]
        return np.select(reasons, codes, Answer.BELOW_ASPIRATION)

    def ratifies(self, outcome: np.ndarray, replicates: np.ndarray) -> np.ndarray:
        """A weighted vote of its ministries with vetoes, each supporting what is worth its demand (§2.9)."""
        t, p = self.talks, self.talks.parties[self.side]
        support = supports(p.ministry_utility[:, outcome].T, t.demands(self.side, self.ministries[replicates]))
        return ratifies(support, p.influence, p.veto, p.quota)
