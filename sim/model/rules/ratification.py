"""Ratification at home: Putnam's two-level game as a weighted vote of ministries with veto holders."""

from __future__ import annotations

import numpy as np


def demanded_gain(status_quo, best, hawkishness, confidence):
    """Utility a ministry demands from a deal: ``sq + hawkishness·(1 − c)·(best − sq)``.

    A deal is worth ratifying when it beats the status quo (Putnam 1988), and a hawkish ministry that distrusts the
    other side asks for a margin against the deal not being honoured (the trust game behind any settlement,
    domain.md §2). With no hawkishness or full confidence the demand is the status quo itself.
    """
    return status_quo + hawkishness * (1.0 - confidence) * (best - status_quo)


def supports(utility, demand):
    """Whether each ministry supports the deal: its utility reaches its demand (vectorised)."""
    return np.asarray(utility) >= np.asarray(demand) - 1e-12


def ratifies(support, influence, veto, quota: float):
    """Weighted vote with vetoes: the supporters' influence reaches ``quota`` and no veto holder opposes.

    Ratification "as a weighted vote of ministries with veto holders" (Putnam 1988; domain.md §2). ``support`` is
    (..., n_ministries); the answer has the leading shape (a bool for one vote).
    """
    support, veto = np.asarray(support, bool), np.asarray(veto, bool)
    return (support @ np.asarray(influence) >= quota - 1e-12) & ~(veto & ~support).any(axis=-1)


def win_set(utilities, demands, influence, veto, quota: float) -> np.ndarray:
    """Every outcome this country would ratify: a boolean per outcome (Putnam's win-set).

    ``utilities`` is (n_ministries, n_outcomes), ``demands`` one value per ministry. A deal can only exist where the
    two parties' win-sets overlap.
    """
    support = np.asarray(utilities) >= np.asarray(demands)[:, None] - 1e-12
    blocked = (np.asarray(veto, bool)[:, None] & ~support).any(axis=0)
    return (np.asarray(influence) @ support >= quota - 1e-12) & ~blocked
