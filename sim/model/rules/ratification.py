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
    return (np.moveaxis(support, -2, -1) @ np.asarray(influence) >= quota - 1e-12) & ~blocked


def still_rejected(rejected_at, confidence, rise: float):
    """Whether terms rejected at home are still off the table: the proposer's confidence in the other side has not
    risen by more than ``rise`` since the rejection (``rejected_at``, −∞ for terms never rejected).

    A rejection at home shows the proposer that the terms lie outside the other side's win-set as it then stood
    (Putnam 1988, "involuntary defection"); offering them again makes sense only once conditions have changed, and
    the proposer reads the change in its own confidence (docs/model.md §2.10). Broadcasts ``confidence`` (R,) against
    ``rejected_at`` (R, K).
    """
    return np.asarray(confidence)[..., None] <= np.asarray(rejected_at) + rise
