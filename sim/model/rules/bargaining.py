"""Bargaining over a discrete multi-issue outcome space: utilities, concession, offers and reference solutions.

Outcomes are the rows of :func:`outcome_grid`; a side's utility is a vector with one value per outcome, so every rule
here is a vectorised pure function. Utilities are linear-additive over issues (docs/model.md §2.5, as in GENIUS and
NegMAS); concession, offers and the protocols are docs/model.md §2.6–§2.8.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def outcome_grid(sizes: Sequence[int]) -> np.ndarray:
    """All outcomes of a space with ``sizes[k]`` options on dimension k, as an (n_outcomes, n_dims) index array
    (docs/model.md §2.5)."""
    return np.indices(sizes).reshape(len(sizes), -1).T


def without_moot_terms(grid: np.ndarray, conditions, status_quo: Sequence[int]) -> np.ndarray:
    """The rows of ``grid`` that are distinct deals when some dimensions apply only to some options of another: a
    dimension k with ``conditions[k] = (j, allowed)`` takes its status-quo option wherever dimension j is not at one of
    the ``allowed`` options (terms of a transfer are moot where nothing is transferred), so outcomes that differ from
    those only on a moot dimension are dropped (docs/model.md §2.5). ``conditions`` maps dimension indices; the
    answer is a boolean per row."""
    keep = np.ones(len(grid), bool)
    for k, (j, allowed) in conditions.items():
        keep &= np.isin(grid[:, j], list(allowed)) | (grid[:, k] == status_quo[k])
    return keep


def additive_utility(grid: np.ndarray, values: Sequence[np.ndarray], weights: np.ndarray) -> np.ndarray:
    """Linear-additive utility ``U(x) = Σ_k w_k · u_k(x_k)`` of every outcome (docs/model.md §2.5).

    ``values[k][o]`` is the value of option ``o`` on dimension k, ``weights`` the priorities over the dimensions.
    """
    u = np.zeros(len(grid))
    for k, (v, w) in enumerate(zip(values, weights, strict=True)):
        u += w * np.asarray(v)[grid[:, k]]
    return u


def aspiration(time, reservation, best, exponent):
    """Time-dependent aspiration ``r + (best − r)·(1 − t^(1/e))`` for t in [0, 1] (floats or arrays).

    Faratin, Sierra & Jennings (1998) time-dependent tactics (docs/model.md §2.6): ``e < 1`` is Boulware (holds out,
    concedes late), ``e = 1`` linear, ``e > 1`` conceder. At t = 1 the side is at its reservation. NegMAS's aspiration
    negotiators write the same curve as ``best − (best − r)·t^e'``, so their exponent is the reciprocal of this one:
    ``e' = 1/e`` (NegMAS's "boulware" 4.0 is e = 0.25 here, its "conceder" 0.25 is e = 4).
    """
    t = np.clip(time, 0.0, 1.0)
    return reservation + (best - reservation) * (1.0 - t ** (1.0 / exponent))


def concession_exponent(style, confidence, effect):
    """Concession exponent raised by confidence: ``e·exp(effect·(c − ½))``.

    Confidence raises willingness to concede and shocks lower it (docs/model.md §2.6). With ``effect = 0``
    confidence plays no part; at c = ½ the style is unchanged.
    """
    return style * np.exp(effect * (np.asarray(confidence) - 0.5))


def delegation_exponent(exponents, weights):
    """A delegation's concession exponent: the ``weights``-weighted geometric mean ``exp(Σ w_i·log e_i)/…``.

    Exponents live on a log scale (e and 1/e are equally far from linear concession), so members who concede as
    e = 4 and e = ¼ with equal weight make a linear delegation, e = 1 (docs/model.md §2.6). ``weights`` need not sum
    to 1; the last axis is the members'.
    """
    w = np.asarray(weights, float)
    return np.exp((w * np.log(exponents)).sum(-1) / w.sum(-1))


def pareto_frontier(u1: np.ndarray, u2: np.ndarray) -> np.ndarray:
    """Indices of the Pareto-optimal outcomes, ordered by ``u1`` rising (so ``u2`` strictly falling).

    Of outcomes with equal utilities for both sides, the first is kept (docs/model.md §2.7).
    """
    order = np.lexsort((-u1, -u2))  # by u2 falling, ties by u1 falling
    keep, best1 = [], -np.inf
    for i in order:
        if u1[i] > best1 + 1e-12:
            keep.append(i)
            best1 = u1[i]
    return np.array(keep, dtype=int)


def undominated(utilities: np.ndarray) -> np.ndarray:
    """Indices of the outcomes no other outcome matches or beats for every stakeholder (weak Pareto dominance).

    ``utilities`` is (n_stakeholders, n_outcomes), e.g. every ministry of both parties. A dominated outcome is never
    needed: whatever ratifies it ratifies the outcome that dominates it, which is at least as good for both sides
    (docs/model.md §2.7). Of outcomes equal for everyone, the first is kept. Returned in increasing order.
    """
    u = np.asarray(utilities, float)
    order = np.lexsort((np.arange(u.shape[1]), -u.sum(axis=0)))  # a dominating outcome has a larger (or equal) sum
    kept, values, count = [], np.empty_like(u), 0
    for start in range(0, len(order), 256):  # a block at a time against those kept so far, then one by one
        block = order[start : start + 256]
        ub = u[:, block]
        covered = (values[:, None, :count] >= ub[:, :, None] - 1e-12).all(axis=0).any(axis=1)
        for b in np.flatnonzero(~covered):
            if not (values[:, :count] >= ub[:, b, None] - 1e-12).all(axis=0).any():
                values[:, count] = ub[:, b]
                count += 1
                kept.append(int(block[b]))
    return np.sort(np.array(kept, dtype=int))


def first_offer(u_proposer: np.ndarray, u_responder: np.ndarray, admissible, level):
    """The offer of an aspiration negotiator: among ``admissible`` outcomes worth ``level`` to itself, the one best for
    the other side (ties: best for itself); -1 where there is none (docs/model.md §2.7).

    Utilities are (K,) over candidate outcomes; ``admissible`` (R, K) and ``level`` (R,) one row per replicate.
    Without restrictions this is the Pareto-optimal point where the proposer's aspiration meets the frontier.
    """
    order = np.lexsort((-u_proposer, -u_responder))  # best for the responder first
    ok = np.asarray(admissible)[:, order] & (u_proposer[order] >= np.asarray(level)[:, None] - 1e-12)
    if not len(order):
        return np.full(len(ok), -1)
    return np.where(ok.any(axis=1), order[ok.argmax(axis=1)], -1)


def nash_solution(u1: np.ndarray, u2: np.ndarray, d1: float, d2: float) -> int | None:
    """The outcome maximising the Nash product ``(u1 − d1)(u2 − d2)`` over outcomes both prefer to no deal.

    Nash (1950) bargaining solution; ``None`` when no outcome is at least as good as no deal for both (docs/model.md
    §2.7, a reference point in the summary).
    """
    feasible = (u1 >= d1) & (u2 >= d2)
    if not feasible.any():
        return None
    return int(np.argmax(np.where(feasible, (u1 - d1) * (u2 - d2), -np.inf)))


def kalai_smorodinsky_solution(u1: np.ndarray, u2: np.ndarray, d1: float, d2: float) -> int | None:
    """The outcome maximising the smaller of the two sides' shares of their ideal gains (Kalai & Smorodinsky 1975;
    docs/model.md §2.7)."""
    feasible = (u1 >= d1) & (u2 >= d2)
    if not feasible.any():
        return None
    g1 = (u1 - d1) / max(u1[feasible].max() - d1, 1e-12)
    g2 = (u2 - d2) / max(u2[feasible].max() - d2, 1e-12)
    return int(np.argmax(np.where(feasible, np.minimum(g1, g2), -np.inf)))


def rubinstein_share(delta_proposer: float, delta_responder: float) -> float:
    """Proposer's share of a unit pie in the subgame-perfect equilibrium (Rubinstein 1982).

    ``(1 − δ_r)/(1 − δ_p·δ_r)`` for discount factors δ_p (proposer) and δ_r (responder) (docs/model.md §2.8).
    """
    return (1.0 - delta_responder) / (1.0 - delta_proposer * delta_responder)


def stahl_share(delta_proposer: float, delta_responder: float, periods: int) -> float:
    """Proposer's share of a unit pie when ``periods`` rounds of alternating offers remain (Ståhl 1972).

    Backward induction from the last round, where the proposer takes everything: ``x_1 = 1``, ``x_2 = 1 − δ_r`` and
    ``x_T = 1 − δ_r + δ_p·δ_r·x_{T−2}``. Closed form with ``q = δ_p·δ_r``: ``(1 − δ_r)(1 − q^n)/(1 − q)`` for T = 2n,
    plus ``q^n`` for T = 2n + 1; with equal δ, ``(1 − (−δ)^T)/(1 + δ)``. Tends to :func:`rubinstein_share` as T → ∞
    (docs/model.md §2.8).
    """
    q, n = delta_proposer * delta_responder, periods // 2
    head = (1.0 - delta_responder) * (n if q == 1.0 else (1.0 - q**n) / (1.0 - q))
    return head + (q**n if periods % 2 else 0.0)


def alternating_offers(
    u_proposer: np.ndarray,
    u_responder: np.ndarray,
    d_proposer: float,
    d_responder: float,
    delta_proposer: float,
    delta_responder: float,
    periods: int | None = None,
) -> int | None:
    """The proposer's subgame-perfect opening offer in alternating offers over a discrete outcome set.

    Gains over no deal are discounted by δ each round; the Pareto frontier of gains is made continuous by
    interpolating between neighbouring outcomes (lotteries over them), with φ the responder's best gain given the
    proposer's. With no deadline (``periods`` None) the stationary equilibrium of Rubinstein (1982): the proposer's
    gain ``a`` solves ``φ(a) = δ_r·φ(δ_p·a)``; on a unit pie this is :func:`rubinstein_share`, and as both δ → 1 it
    tends to the Nash solution (Binmore, Rubinstein & Wolinsky 1986). With ``periods`` rounds left, backward
    induction (Ståhl 1972): in the last round the proposer takes its best outcome, and in each earlier one it offers
    the responder δ_r times what the responder would get as proposer in the next; on a unit pie this is
    :func:`stahl_share`. The offer is the outcome best for the proposer among those giving the responder at least
    its equilibrium gain. ``None`` when no outcome beats no deal for both (docs/model.md §2.8).
    """
    gp, gr = np.asarray(u_proposer) - d_proposer, np.asarray(u_responder) - d_responder
    feasible = np.flatnonzero((gp >= -1e-12) & (gr >= -1e-12))
    if not len(feasible):
        return None
    front = feasible[pareto_frontier(gp[feasible], gr[feasible])]  # proposer's gain rising, responder's falling
    a_points, b_points = gp[front], gr[front]

    def phi(a):  # the responder's gain when the proposer gains a
        return np.interp(a, a_points, b_points)

    if periods is None:
        lo, hi = 0.0, float(a_points[-1])  # h(a) = φ(a) − δ_r·φ(δ_p·a) is ≥ 0 at 0 and ≤ 0 at the top
        for _ in range(100):
            mid = (lo + hi) / 2
            if phi(mid) - delta_responder * phi(delta_proposer * mid) > 0:
                lo = mid
            else:
                hi = mid
        floor = phi(lo)
    else:
        floor = backward_induction(a_points, b_points, delta_proposer, delta_responder, periods)
    return int(front[np.flatnonzero(b_points >= floor - 1e-9)[-1]])


def backward_induction(a_points, b_points, delta_proposer: float, delta_responder: float, periods: int) -> float:
    """The responder's gain in the opening offer when ``periods`` rounds remain (Ståhl 1972; docs/model.md §2.8).

    On the frontier (``a_points`` rising, ``b_points`` falling, the proposer's and responder's gains), the party that
    proposes with k rounds left keeps what remains after giving the other δ times the other's gain as proposer with
    k − 1 left; with none left, nobody gains anything.
    """
    value = 0.0  # the gain of the party proposing with k − 1 rounds left (k = 1: after the deadline, nothing)
    for k in range(1, periods + 1):
        proposer_is_opener = (periods - k) % 2 == 0
        if proposer_is_opener:  # the opener proposes; the other, with k − 1 left, would get `value`
            offered = delta_responder * value
            value = float(np.interp(offered, b_points[::-1], a_points[::-1]))  # the opener's gain
        else:  # the other proposes; the opener, with k − 1 left, would get `value`
            offered = delta_proposer * value
            value = float(np.interp(offered, a_points, b_points))  # the other's gain
    return float(np.interp(value, a_points, b_points))


def patience(confidence: float, effect: float, base: float) -> float:
    """Discount factor in (0, 1) that falls as confidence grows: ``base^(exp(effect·(c − ½)))``.

    A side that trusts the other values an early deal more (is less patient), so confidence shifts equilibrium offers
    towards the other side, as it raises concession in :func:`concession_exponent` (docs/model.md §2.8). ``base`` is
    the talks' ``discount``, the factor at c = ½.
    """
    return base ** np.exp(effect * (np.asarray(confidence) - 0.5))
