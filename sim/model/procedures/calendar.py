"""Holding a scheduled meeting: recorded, then held, or not — suspended or ended by date, lapsed or left by rule.

docs/model.md §4.1: a meeting suspended or ended by date is not held in any replicate; a series with ``lapse_below``
is not held in a replicate while some member's confidence in another is below it, and with ``withdraw_below`` it ends
there for good the first time confidence falls below that. A scheduled meeting takes its draws whether it is held
or not, so that suspending one meeting leaves the dice of every other unchanged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.model.plan.compiled import EntryPlan, LapseRule
from sim.model.record.records import MeetingRecord
from sim.model.rules.confidence import meets_by_rule

if TYPE_CHECKING:
    from sim.model.procedures.round import World


def hold(world: World, round_: int, meeting: EntryPlan, rule: LapseRule | None) -> None:
    """A scheduled meeting of ``round_``: recorded, then held where it is not paused and, by ``rule``, not lapsed."""
    e = meeting.entry
    pause = e.pause(round_)
    reason = "" if pause is None else f"{pause.kind}: {pause.reason}"
    host = e.host(round_)
    world.recorder.log_meeting(MeetingRecord(round_, e.name, e.format, host, ",".join(e.countries), not reason, reason))
    dice = world.dice.meeting(meeting)
    if pause is not None:
        return
    held = None if rule is None else meets(world, round_, meeting, rule)
    if held is None or held.all():
        world.meet(round_, meeting, host, dice, None)
    elif held.any():
        world.meet(round_, meeting, host, dice, held)


def meets(world: World, round_: int, meeting: EntryPlan, rule: LapseRule) -> np.ndarray:
    """(R,): where the countries still meet — no party has withdrawn, and no member's confidence in another is below
    the lapse level (:func:`~sim.model.rules.confidence.meets_by_rule`); where not, the reason is recorded."""
    e = meeting.entry
    confidence = world.pair_confidence(rule)  # (R, directed pairs)
    lowest = confidence.min(axis=-1)
    reasons = np.full(len(confidence), "", dtype=object)
    if e.name in world.withdrawn:
        withdrawn = world.withdrawn[e.name]
        before = withdrawn.copy()
        withdrawn |= ~meets_by_rule(confidence, e.withdraw_below)
        reasons[before] = "withdrawn earlier"
        new = withdrawn & ~before
        reasons[new] = [f"withdrawn: confidence {x:.2f} below {e.withdraw_below:g}" for x in lowest[new]]
    lapsed = (reasons == "") & ~meets_by_rule(confidence, e.lapse_below)
    reasons[lapsed] = [f"lapsed: confidence {x:.2f} below {e.lapse_below:g}" for x in lowest[lapsed]]
    held = reasons == ""
    world.recorder.log_lapses(round_, e.name, np.flatnonzero(~held), reasons[~held])
    return held
