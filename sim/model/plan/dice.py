"""The dice: every uniform a run draws, in fixed slots, named by the decision it settles.

Each replicate draws from its own generator, and every draw has a fixed slot — a meeting, an item, a side, a
ministry — so a replicate's history is the same whether it runs alone or in a batch of any size, and whether the
engine or the agent model runs it. The slots of a meeting are laid out here and nowhere else (:class:`MeetingDice`);
both models ask for a draw by what it decides.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sim.model.plan.compiled import EntryPlan

DRAW_BLOCK = 512  # uniforms drawn per generator call


class Dice:
    """The uniforms of R replicates, each replicate's from its own generator, served in order."""

    def __init__(self, generators: Sequence[np.random.Generator]):
        self.generators = list(generators)
        self._buffer, self._position = np.empty((len(self.generators), 0)), 0

    def take(self, n: int) -> np.ndarray:
        """The next (R, n) uniforms.

        Served from a buffer refilled :data:`DRAW_BLOCK` draws at a time: a generator's stream is the same whether it
        is drawn in blocks or one slot at a time, so the buffer changes no result, only the cost.
        """
        if self._position + n > self._buffer.shape[1]:
            left = self._buffer[:, self._position :]
            kept = left.shape[1]
            buffer = np.empty((len(self.generators), kept + max(DRAW_BLOCK, n)))
            buffer[:, :kept] = left
            for g, row in zip(self.generators, buffer[:, kept:], strict=True):
                g.random(out=row)  # each replicate's draws straight into its row: no list of arrays to stack
            self._buffer, self._position = buffer, 0
        drawn = self._buffer[:, self._position : self._position + n]
        self._position += n
        return drawn

    def meeting(self, meeting: EntryPlan) -> MeetingDice:
        """The draws of one scheduled meeting, taken whether it is held or not (so that suspending a meeting leaves
        the dice of every other unchanged)."""
        return MeetingDice(self.take(meeting.slots), meeting)


def slots_per_item(m: int) -> int:
    """Draws per dyad and cooperative item with delegations padded to m ministries: for each side 1 + m (whether its
    lead ministry carries the item out; whether each of the other side's m ministries forgives a breach)."""
    return 2 * (1 + m)


def meeting_slots(meeting: EntryPlan) -> int:
    """Uniforms a meeting takes: :func:`slots_per_item` per dyad and cooperative item, then one per friction."""
    return slots_per_item(meeting.members) * meeting.dyads * len(meeting.items) + len(meeting.frictions)


class MeetingDice:
    """The draws of one meeting, by what each decides; ``uniforms`` is (R, slots), or (slots,) for one run.

    Laid out item after item, side after side: for side s of item k, one row of D draws (one per dyad) for carrying
    the item out, then one row per ministry of the other side for forgiving a breach; then one draw per friction.
    """

    def __init__(self, uniforms: np.ndarray, meeting: EntryPlan):
        self._uniforms, self._meeting = uniforms, meeting
        lead = uniforms.shape[:-1]
        m, dyads, items = meeting.members, meeting.dyads, len(meeting.items)
        used = items * slots_per_item(m) * dyads
        self._items = uniforms[..., :used].reshape(*lead, items, 2, 1 + m, dyads)
        self._frictions = uniforms[..., used:]

    def replicate(self, r: int) -> MeetingDice:
        """The draws of replicate ``r`` alone (its values without the replicate axis)."""
        return MeetingDice(self._uniforms[r], self._meeting)

    def carry_out(self, item: int, side: int) -> np.ndarray:
        """(…, D): whether side ``side``'s lead ministry carries out adopted item ``item``, in each dyad."""
        return self._items[..., item, side, 0, :]

    def forgive(self, item: int, side: int) -> np.ndarray:
        """(…, D, m): whether each ministry of the other side forgives side ``side`` for breaking item ``item``."""
        return np.swapaxes(self._items[..., item, side, 1:, :], -1, -2)

    def understand(self, friction: int) -> np.ndarray:
        """(…): whether friction ``friction`` (its place in the meeting's agenda) is answered with understanding."""
        return self._frictions[..., friction]
