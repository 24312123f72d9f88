"""How much an issue matters to a ministry beside its other concerns (docs/model.md §2.4)."""

from __future__ import annotations

import numpy as np


def salience(priority, priorities):
    """An issue's salience to a ministry: its priority over the ministry's highest priority, ``w_k / max_l w_l``.

    Priorities are salience in Bueno de Mesquita's expected-utility model and KTAB's spatial model; scaled by the
    ministry's top concern they weigh how strongly it reacts to what happens on the issue: 1 for the issue it cares
    most about, 0 for one it gives no priority (docs/model.md §2.4). ``priorities`` is (..., n_issues) with a positive
    maximum.
    """
    return np.asarray(priority, float) / np.asarray(priorities, float).max(axis=-1)
