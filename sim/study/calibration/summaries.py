"""The summary statistics of a calibration: an event record, observed or generated, as one vector of named numbers.

Per directed country pair of the scenario, two families:

- **course**, per period of ``period`` rounds: the Goldstein total and the counts of cooperative and conflictual acts
  (:func:`sim.model.record.acts.period_summaries`, docs/model.md §3.1): how the relationship went, period by period;
- **acts**, per kind of act (its CAMEO code to three digits: ``060`` carried out, ``160`` broken, ``037`` an offer):
  how many over the record, and when: the sum of their times in the record, each from −1 (round 1) to +1 (the last
  round), positive when they come late. Confidence shows in which acts happen (items carried out or broken, adopted or
  refused, offers, deals) and when (as it grows or falls, acts move later or earlier).

The kinds are every code the scenario can write (its ``acts`` block, events, random events and measures, in every
phase) and every code of the observed record: a new kind of act (a position tabled, a refusal) flows in with its code.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.record.acts import STATISTICS, Acts, country_of, period_summaries
from sim.model.scenario.specs import ScenarioSpec

CODE_DIGITS = 3  # a CAMEO code's kind of act: 0311 counts as 031


def act_kind(code: object) -> str:
    """The kind of act a CAMEO code stands for (its first CODE_DIGITS digits); '' for an event without a code."""
    return str(code or "")[:CODE_DIGITS]


def scenario_codes(scenario: ScenarioSpec) -> set[str]:
    """The kinds of act a scenario can write: its ``acts`` block, events, random events and measures, every phase."""
    codes = set(scenario.acts.values())
    codes |= {e.cameo for e in scenario.events} | {m.cameo for m in scenario.measures}
    codes |= {c for r in scenario.random_events for c in r.cameo}
    for _, phase in scenario.phases:
        codes |= scenario_codes(phase)
    return {act_kind(c) for c in codes} - {""}


@dataclass(frozen=True)
class Summaries:
    """The reduction of events to the calibration's statistics, for these pairs, kinds of act and rounds."""

    pairs: tuple[tuple[str, str], ...]
    kinds: tuple[str, ...]  # CAMEO codes to CODE_DIGITS digits
    rounds: int
    period: int

    @property
    def periods(self) -> int:
        return -(-self.rounds // self.period)

    @property
    def names(self) -> list[str]:
        """Each statistic's name, in the order of the vector."""
        pairs = [f"{a}→{b}" for a, b in self.pairs]
        course = [f"{s} {pair} period {p + 1}" for p in range(self.periods) for pair in pairs for s in STATISTICS]
        acts = [f"act {kind} {stat} {pair}" for pair in pairs for kind in self.kinds for stat in ("count", "timing")]
        return course + acts

    def __call__(self, acts: Acts, replicates: int) -> np.ndarray:
        """(replicates, statistics): each replicate's events reduced; events between actors of no listed pair, or
        outside rounds 1 … ``rounds``, are left out."""
        course = period_summaries(
            acts.replicate,
            acts.round,
            acts.source,
            acts.target,
            acts.goldstein,
            replicates=replicates,
            pairs=list(self.pairs),
            rounds=self.rounds,
            period=self.period,
        )
        counts = np.zeros((replicates, len(self.pairs), len(self.kinds), 2))
        place = {k: i for i, k in enumerate(self.kinds)}
        kind = np.array([place.get(act_kind(c), -1) for c in acts.cameo], dtype=int)
        pair = self.pair_index(acts.source, acts.target)
        round_ = np.asarray(acts.round, dtype=int)
        keep = (kind >= 0) & (pair >= 0) & (round_ >= 1) & (round_ <= self.rounds)
        time = 2 * (round_[keep] - 1) / max(self.rounds - 1, 1) - 1
        at = (np.asarray(acts.replicate)[keep], pair[keep], kind[keep])
        np.add.at(counts, (*at, 0), 1.0)
        np.add.at(counts, (*at, 1), time)
        return np.concatenate([course.reshape(replicates, -1), counts.reshape(replicates, -1)], axis=1)

    def course(self, vectors: np.ndarray) -> np.ndarray:
        """(k, periods, pairs, STATISTICS): the course part of ``vectors`` (k, statistics)."""
        size = self.periods * len(self.pairs) * len(STATISTICS)
        return vectors[:, :size].reshape(len(vectors), self.periods, len(self.pairs), len(STATISTICS))

    def pair_index(self, source: np.ndarray, target: np.ndarray) -> np.ndarray:
        """Each event's directed pair (by the countries of its actors) in ``pairs``; −1 for none."""
        index = {pair: k for k, pair in enumerate(self.pairs)}
        return np.array(
            [index.get((country_of(str(s)), country_of(str(t))), -1) for s, t in zip(source, target, strict=True)],
            dtype=int,
        )
