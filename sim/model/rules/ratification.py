"""Ratification at home: Putnam's two-level game as a weighted vote of ministries with veto holders, and what a
negotiator anticipates of the other side's vote (docs/model.md §2.9–§2.10)."""

from __future__ import annotations

import numpy as np


def demanded_gain(status_quo, best, hawkishness, confidence):
    """Utility a ministry demands from a deal: ``sq + hawkishness·(1 − c)·(best − sq)``.

    A deal is worth ratifying when it beats the status quo (Putnam 1988), and a hawkish ministry that distrusts the
    other side asks for a margin against the deal not being honoured (the trust game behind any settlement,
    docs/model.md §2.9). With no hawkishness or full confidence the demand is the status quo itself.
    """
    return status_quo + hawkishness * (1.0 - confidence) * (best - status_quo)


def beats_status_quo(utility, reservation, margin):
    """Whether a deal leaves a party strictly better off than the status quo by more than ``margin``: ``u > r + m``.

    A settlement that gives a party nothing over no deal is no settlement (docs/model.md §2.7); the scenario's
    ``margin`` says how much better off each party must be.
    """
    return np.asarray(utility) > np.asarray(reservation) + margin + 1e-12


def supports(utility, demand):
    """Whether each ministry supports the deal: its utility reaches its demand (vectorised; docs/model.md §2.9)."""
    return np.asarray(utility) >= np.asarray(demand) - 1e-12


def ratifies(support, influence, veto, quota: float):
    """Weighted vote with vetoes: the supporters' influence reaches ``quota`` and no veto holder opposes.

    Ratification "as a weighted vote of ministries with veto holders" (Putnam 1988; docs/model.md §2.9). ``support``
    is (..., n_ministries); the answer has the leading shape (a bool for one vote).
    """
    support, veto = np.asarray(support, bool), np.asarray(veto, bool)
    return (support @ np.asarray(influence) >= quota - 1e-12) & ~(veto & ~support).any(axis=-1)


def win_set(utilities, demands, influence, veto, quota: float) -> np.ndarray:
    """Every outcome this country would ratify: a boolean per outcome (Putnam's win-set; docs/model.md §2.9).

    ``utilities`` is (n_ministries, n_outcomes), ``demands`` (..., n_ministries): one value per ministry, with any
    leading axes (one per replicate); the answer is (..., n_outcomes). A deal can only exist where the two parties'
    win-sets overlap.
    """
    support = np.asarray(utilities) >= np.asarray(demands)[..., :, None] - 1e-12
    blocked = (np.asarray(veto, bool)[:, None] & ~support).any(axis=-2)
    votes = (support * np.asarray(influence, float)[:, None]).sum(axis=-2)
    return (votes >= quota - 1e-12) & ~blocked


def confidence_to_support(utilities, status_quo, best, hawkishness) -> np.ndarray:
    """The least confidence at which each ministry supports each outcome (∞: never), (..., n_ministries, n_outcomes).

    :func:`demanded_gain` solved for c: ministry j supports x once c ≥ 1 − (u_j(x) − sq_j)/(h_j·(best_j − sq_j)), and
    at any c if it demands no more than the status quo (docs/model.md §2.9). ``utilities`` is (n_ministries,
    n_outcomes), ``status_quo`` and ``best`` one value per ministry, ``hawkishness`` (..., n_ministries) with any
    leading axes (one per replicate of a batch).
    """
    u = np.asarray(utilities, float)
    sq = np.asarray(status_quo, float)
    gain = u - sq[:, None] + 1e-12
    spread = (np.asarray(hawkishness, float) * (np.asarray(best, float) - sq))[..., :, None]
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        needed = np.where(spread > 0, np.maximum(0.0, 1.0 - gain / spread), np.where(gain >= 0, 0.0, np.inf))
    needed[needed > 1.0] = np.inf
    return needed


def win_set_at(confidence, needed, influence, veto, quota: float) -> np.ndarray:
    """:func:`win_set` from each ministry's confidence (..., n) and :func:`confidence_to_support` (..., n, n_outcomes):
    (..., n_outcomes). The same vote, one ministry at a time (docs/model.md §2.9)."""
    c = np.asarray(confidence, float)
    needed = np.asarray(needed)
    votes = np.zeros(np.broadcast_shapes((*c.shape[:-1], 1), needed.shape[:-2] + needed.shape[-1:]))
    blocked = np.zeros(votes.shape, bool)
    for j, (weight, holds_veto) in enumerate(zip(influence, veto, strict=True)):
        support = c[..., j, None] >= needed[..., j, :]
        votes += weight * support
        if holds_veto:
            blocked |= ~support
    return (votes >= quota - 1e-12) & ~blocked


def confidence_needed(needed, influence, veto, quota: float) -> np.ndarray:
    """For each outcome, the least confidence c that, shared by every ministry, puts it in the win-set (∞: none).

    From :func:`confidence_to_support` (..., n, n_outcomes): every veto holder and a quota of influence must support
    it. Demands fall as c rises, so the win-set at c is the outcomes needing at most c: a proposer's estimate of the
    other side's win-set (docs/model.md §2.10) is one comparison per outcome. Leading axes are kept: (..., n_outcomes).
    """
    needed = np.asarray(needed, float)
    veto = np.asarray(veto, bool)
    by_veto = needed[..., veto, :].max(axis=-2) if veto.any() else np.zeros(needed.shape[:-2] + needed.shape[-1:])
    if quota <= 1e-12:
        return by_veto
    order = np.argsort(needed, axis=-2, kind="stable")
    enough = np.cumsum(np.asarray(influence, float)[order], axis=-2) >= quota - 1e-12
    first = enough.argmax(axis=-2)[..., None, :]
    ranked = np.take_along_axis(np.take_along_axis(needed, order, axis=-2), first, axis=-2)[..., 0, :]
    return np.maximum(by_veto, np.where(enough.any(axis=-2), ranked, np.inf))


def still_rejected(rejected_at, confidence, rise: float):
    """Whether terms rejected at home are still off the table: the proposer's confidence in the other side has not
    risen by more than ``rise`` since the rejection (``rejected_at``, −∞ for terms never rejected).

    A rejection at home shows the proposer that the terms lie outside the other side's win-set as it then stood
    (Putnam 1988, "involuntary defection"); offering them again makes sense only once conditions have changed, and
    the proposer reads the change in its own confidence (docs/model.md §2.10). Broadcasts ``confidence`` (R,) against
    ``rejected_at`` (R, K).
    """
    return np.asarray(confidence)[..., None] <= np.asarray(rejected_at) + rise
