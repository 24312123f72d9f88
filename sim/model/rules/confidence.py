"""How confidence decides cooperation and how it is learned: the trust game, reciprocity, forgiveness, drift, shocks.

Every function is pure and works on floats and on NumPy arrays alike. Confidence ``c`` is in [0, 1]; each update
moves it a share of the way towards 1 (good news) or towards 0 (bad news), so it never leaves [0, 1].
"""

from __future__ import annotations

import numpy as np


def trust_game_value(confidence, benefit, exposure):
    """Expected value of joining a cooperative item: ``c·benefit − (1 − c)·exposure``.

    Source: the trust game (docs/model.md §2.1). Increasing in ``c`` for any non-negative
    benefit and exposure, so more confidence never makes adoption less likely.
    """
    return confidence * benefit - (1.0 - confidence) * exposure


def reward(confidence, gain, weight=1.0):
    """Confidence after observing cooperation: ``c + w·α⁺·(1 − c)`` (reciprocity, docs/model.md §2.2)."""
    return confidence + weight * gain * (1.0 - confidence)


def punish(confidence, loss, weight=1.0):
    """Confidence after a defection or hostile act: ``c − w·α⁻·c`` (reciprocity, α⁻ > α⁺; docs/model.md §2.2)."""
    return confidence - weight * loss * confidence


def drift(confidence, baseline, rate):
    """One round of drift between contacts: ``c + rate·(baseline − c)`` (docs/model.md §2.2)."""
    return confidence + rate * (baseline - confidence)


def remember(baseline, confidence, memory):
    """One round of memory: the baseline confidence drifts toward moves ``memory`` of the way to current confidence.

    ``b ← b + memory·(c − b)``: an exponentially weighted average of past confidence (adaptive expectations, Cagan
    1956, Nerlove 1958; trust as the running sum of experience, Rotter 1967), so that years of cooperation or
    hostility leave a lasting mark. ``memory = 0`` keeps the starting baseline (the drift of :func:`drift`);
    ``memory = 1`` makes drift a no-op. Stays in [0, 1] when b and c are.
    Source: docs/model.md §4.3.
    """
    return baseline + memory * (confidence - baseline)


def balance_strength(strength, alignment):
    """Signed strength with which a third country reads an act between others: ``alignment·strength``.

    Structural balance (Heider 1946; Cartwright & Harary 1956): an observer aligned with the target (alignment > 0)
    reads a hostile act as hostile to itself, partly, and judges the source by it; an observer aligned with the
    source judges the target as the source does (the friend's enemy is an enemy). A negative alignment reverses the
    reading (the enemy's enemy is a friend); 0 ignores the act.
    Source: docs/model.md §4.5.
    """
    return alignment * strength


def meets_by_rule(confidence, lapse_below):
    """Whether a meeting is held: every member's confidence in every other is at least ``lapse_below``.

    A series lapses while a party no longer expects the meeting to be worth its cost: the trust game's participation
    constraint (Kydd 2005, trust and mistrust in international relations), read at the level the scenario sets.
    ``confidence`` is (..., pairs); the answer has the leading shape.
    Source: docs/model.md §4.1.
    """
    return (np.asarray(confidence) >= lapse_below).all(axis=-1)


def goldstein_strength(goldstein: float, scale: float) -> float:
    """Signed strength ``scale·g/10`` of an event of Goldstein value ``g`` in [-10, 10].

    A cooperative event (g > 0) is observed as cooperation of that strength, a conflictual one as a defection of
    that strength, through :func:`reward` and :func:`punish` (Goldstein 1992 scale, docs/model.md §3).
    """
    return scale * goldstein / 10.0


def honour_probability(reliability, hawkishness, confidence):
    """Probability that a side carries out an adopted item: ``reliability·(1 − hawkishness·(1 − c))``.

    Defensive defection grows with distrust of the other side, the more so for a hawkish actor (the security dilemma
    in the trust game, docs/model.md §2.1). Increasing in ``c``; equal to ``reliability`` at full confidence.
    """
    return reliability * (1.0 - hawkishness * (1.0 - confidence))


def understanding_probability(confidence, hawkishness):
    """Probability that a friction is answered with understanding: ``c·(1 − hawkishness)``.

    A grievance is accommodated in proportion to confidence in whoever raises it (reciprocity, docs/model.md §2.4),
    less so by a hawkish ministry.
    """
    return confidence * (1.0 - hawkishness)


def generous_forgiveness(temptation=5.0, reward_=3.0, punishment=1.0, sucker=0.0) -> float:
    """Largest forgiveness probability that keeps generous tit-for-tat stable (Nowak & Sigmund 1992).

    ``g = min(1 − (T − R)/(R − S), (R − P)/(T − P))``; with the usual payoffs (5, 3, 1, 0), g = 1/3
    (docs/model.md §2.2).
    """
    return min(1.0 - (temptation - reward_) / (reward_ - sucker), (reward_ - punishment) / (temptation - punishment))


def observation_weights(is_direct, spillover):
    """Weight of an observation for each ministry: 1 for those present, ``spillover`` for the rest of the country.

    Spill-over between a country's own ministries (docs/model.md §2.3): what the delegation
    sees reaches the ministries at home in part.
    """
    return np.where(is_direct, 1.0, spillover)
