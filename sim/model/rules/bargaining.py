"""Bargaining over a discrete multi-issue outcome space: utilities, concession, offers and reference solutions.

Outcomes are the rows of :func:`outcome_grid`; a side's utility is a vector with one value per outcome, so every rule
here is a vectorised pure function. Utilities are linear-additive over issues (domain.md §2, as in GENIUS and NegMAS).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def outcome_grid(sizes: Sequence[int]) -> np.ndarray:
    """All outcomes of a space with ``sizes[k]`` options on dimension k, as an (n_outcomes, n_dims) index array."""
    return np.indices(sizes).reshape(len(sizes), -1).T


def additive_utility(grid: np.ndarray, values: Sequence[np.ndarray], weights: np.ndarray) -> np.ndarray:
    """Linear-additive utility ``U(x) = Σ_k w_k · u_k(x_k)`` of every outcome (domain.md §2).

    ``values[k][o]`` is the value of option ``o`` on dimension k, ``weights`` the priorities over the dimensions.
    """
    u = np.zeros(len(grid))
    for k, (v, w) in enumerate(zip(values, weights, strict=True)):
        u += w * np.asarray(v)[grid[:, k]]
    return u


def aspiration(time, reservation, best, exponent):
    """Time-dependent aspiration ``r + (best − r)·(1 − t^(1/e))`` for t in [0, 1] (floats or arrays).

    Faratin, Sierra & Jennings (1998) time-dependent tactics, as NegMAS's aspiration negotiators: ``e < 1`` is
    Boulware (holds out, concedes late), ``e = 1`` linear, ``e > 1`` conceder. At t = 1 the side is at its reservation.
    """
    t = np.clip(time, 0.0, 1.0)
    return reservation + (best - reservation) * (1.0 - t ** (1.0 / exponent))


def concession_exponent(style, confidence, effect):
    """Concession exponent raised by confidence: ``e·exp(effect·(c − ½))``.

    Confidence raises willingness to concede and shocks lower it (domain.md §2, "Bargaining"). With ``effect = 0``
    confidence plays no part; at c = ½ the style is unchanged.
    """
    return style * np.exp(effect * (np.asarray(confidence) - 0.5))


def pareto_frontier(u1: np.ndarray, u2: np.ndarray) -> np.ndarray:
    """Indices of the Pareto-optimal outcomes, ordered by ``u1`` rising (so ``u2`` strictly falling).

    Of outcomes with equal utilities for both sides, the first is kept.
    """
    order = np.lexsort((-u1, -u2))  # by u2 falling, ties by u1 falling
    keep, best1 = [], -np.inf
    for i in order:
        if u1[i] > best1 + 1e-12:
            keep.append(i)
            best1 = u1[i]
    return np.array(keep, dtype=int)


def frontier_offer(u_self_on_frontier: np.ndarray, level):
    """Position on the frontier of the offer best for the other side among those worth ``level`` to oneself.

    ``u_self_on_frontier`` rises along the frontier (the other side's utility falls), so the offer is the first
    point reaching ``level`` — the concession of an aspiration negotiator along the Pareto frontier. If no point
    reaches ``level``, the point best for oneself. ``level`` may be an array (one offer per replicate).
    """
    pos = np.searchsorted(u_self_on_frontier, np.asarray(level) - 1e-12, side="left")
    return np.minimum(pos, len(u_self_on_frontier) - 1)


def nash_solution(u1: np.ndarray, u2: np.ndarray, d1: float, d2: float) -> int | None:
    """The outcome maximising the Nash product ``(u1 − d1)(u2 − d2)`` over outcomes both prefer to no deal.

    Nash (1950) bargaining solution; ``None`` when no outcome is at least as good as no deal for both.
    """
    feasible = (u1 >= d1) & (u2 >= d2)
    if not feasible.any():
        return None
    return int(np.argmax(np.where(feasible, (u1 - d1) * (u2 - d2), -np.inf)))


def kalai_smorodinsky_solution(u1: np.ndarray, u2: np.ndarray, d1: float, d2: float) -> int | None:
    """The outcome maximising the smaller of the two sides' shares of their ideal gains (Kalai & Smorodinsky 1975)."""
    feasible = (u1 >= d1) & (u2 >= d2)
    if not feasible.any():
        return None
    g1 = (u1 - d1) / max(u1[feasible].max() - d1, 1e-12)
    g2 = (u2 - d2) / max(u2[feasible].max() - d2, 1e-12)
    return int(np.argmax(np.where(feasible, np.minimum(g1, g2), -np.inf)))


def rubinstein_share(delta_proposer: float, delta_responder: float) -> float:
    """Proposer's share of a unit pie in the subgame-perfect equilibrium (Rubinstein 1982).

    ``(1 − δ_r)/(1 − δ_p·δ_r)`` for discount factors δ_p (proposer) and δ_r (responder).
    """
    return (1.0 - delta_responder) / (1.0 - delta_proposer * delta_responder)


def alternating_offers(
    u_proposer: np.ndarray,
    u_responder: np.ndarray,
    d_proposer: float,
    d_responder: float,
    delta_proposer: float,
    delta_responder: float,
) -> int | None:
    """The proposer's subgame-perfect opening offer in Rubinstein alternating offers over a discrete outcome set.

    Gains over no deal are discounted by δ each round. The stationary equilibrium (Rubinstein 1982) is solved on the
    Pareto frontier of gains, made continuous by interpolating between neighbouring outcomes (lotteries over them):
    with φ the frontier (the responder's best gain given the proposer's), the proposer's gain ``a`` solves
    ``φ(a) = δ_r·φ(δ_p·a)``. The offer is then the outcome best for the proposer among those giving the responder at
    least ``φ(a)``. On a unit pie this is :func:`rubinstein_share`; as both δ → 1 it tends to the Nash solution
    (Binmore, Rubinstein & Wolinsky 1986). ``None`` when no outcome beats no deal for both.
    """
    gp, gr = np.asarray(u_proposer) - d_proposer, np.asarray(u_responder) - d_responder
    feasible = np.flatnonzero((gp >= -1e-12) & (gr >= -1e-12))
    if not len(feasible):
        return None
    front = feasible[pareto_frontier(gp[feasible], gr[feasible])]  # proposer's gain rising, responder's falling
    a_points, b_points = gp[front], gr[front]

    def phi(a):
        return np.interp(a, a_points, b_points)

    lo, hi = 0.0, float(a_points[-1])  # h(a) = φ(a) − δ_r·φ(δ_p·a) is ≥ 0 at 0 and ≤ 0 at the top
    for _ in range(100):
        mid = (lo + hi) / 2
        if phi(mid) - delta_responder * phi(delta_proposer * mid) > 0:
            lo = mid
        else:
            hi = mid
    floor = phi(lo) - 1e-9
    return int(front[np.flatnonzero(b_points >= floor)[-1]])


def patience(confidence: float, effect: float, base: float = 0.9) -> float:
    """Discount factor in (0, 1) that falls as confidence grows: ``base^(exp(effect·(c − ½)))``.

    A side that trusts the other values an early deal more (is less patient), so confidence shifts equilibrium offers
    towards the other side, as it raises concession in :func:`concession_exponent` (domain.md §2, "Bargaining").
    """
    return base ** np.exp(effect * (np.asarray(confidence) - 0.5))
