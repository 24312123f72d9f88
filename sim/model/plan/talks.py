"""Settlement talks compiled: the outcome space, each party's utilities, the candidate deals and what ratifying takes.

A :class:`TalksPlan` is built once per scenario from a :class:`~sim.model.scenario.specs.Talks` and the two party
countries; the sessions themselves are run by the scenario's protocol (:mod:`sim.model.procedures.talks`). Proposals
are drawn from the *candidates*: outcomes that leave both parties better off than the status quo by the talks' margin
and that no other outcome beats for every ministry of both parties (docs/model.md §2.7). For each candidate the plan
holds the confidence each ministry needs to support it, and the confidence that, shared by every ministry, puts it in
a party's win-set (§2.9–§2.10).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.rules.bargaining import (
    additive_utility,
    kalai_smorodinsky_solution,
    nash_solution,
    outcome_grid,
    undominated,
    without_moot_terms,
)
from sim.model.rules.ratification import (
    beats_status_quo,
    confidence_needed,
    confidence_to_support,
    demanded_gain,
    win_set,
)
from sim.model.scenario.specs import CountrySpec, Talks


@dataclass(frozen=True, slots=True)
class Party:
    """What the talks need of one party: its ministries' utilities and how it ratifies."""

    name: str
    block: slice  # its ministries' rows in the confidence matrix
    influence: np.ndarray
    veto: np.ndarray
    hawkishness: np.ndarray
    quota: float
    ministry_utility: np.ndarray  # (n_ministries, n_outcomes)
    utility: np.ndarray  # influence-weighted: the country's position (Bueno de Mesquita / KTAB aggregation)


class TalksPlan:
    """The fixed part of one set of talks: outcome space, utilities, candidate deals and what ratifying each takes.

    Built once per scenario; where the talks stand in a run (sessions held, settlement, terms rejected at home) is a
    :class:`~sim.model.procedures.talks.TalksState`.
    """

    def __init__(self, spec: Talks, parties: tuple[CountrySpec, CountrySpec], blocks: tuple[slice, slice]):
        self.spec = spec
        self.name = spec.name
        dims = spec.dimensions
        sq = [d.options.index(spec.status_quo[d.name]) for d in dims]
        names = [d.name for d in dims]
        conditions = {
            k: (names.index(j), [dims[names.index(j)].options.index(o) for o in allowed])
            for k, d in enumerate(dims)
            for j, allowed in d.applies_when.items()
        }
        grid = outcome_grid([len(d.options) for d in dims])
        self.grid = grid[without_moot_terms(grid, conditions, sq)]
        self.status_quo = int(np.flatnonzero((self.grid == sq).all(axis=1))[0])
        self.parties = (self._party(parties[0], blocks[0]), self._party(parties[1], blocks[1]))
        self.utility = (self.parties[0].utility, self.parties[1].utility)
        self.reservation = tuple(float(u[self.status_quo]) for u in self.utility)
        self.best = tuple(float(u.max()) for u in self.utility)
        self.hawkishness = tuple(float(p.influence @ p.hawkishness) for p in self.parties)
        better = beats_status_quo(self.utility[0], self.reservation[0], spec.margin) & beats_status_quo(
            self.utility[1], self.reservation[1], spec.margin
        )
        everyone = np.concatenate([p.ministry_utility[:, better] for p in self.parties])
        self.candidates = np.flatnonzero(better)[undominated(everyone)]  # (K,) outcome indices
        self.offerable = np.append(self.candidates, self.status_quo)  # what an offer picks; the last: none
        self.offered = tuple(u[self.candidates] for u in self.utility)  # each party's utility of each candidate
        # For every outcome: the confidence each ministry needs to support it, and that all would need to ratify it.
        self.support_needed = tuple(
            confidence_to_support(
                p.ministry_utility,
                p.ministry_utility[:, self.status_quo],
                p.ministry_utility.max(axis=1),
                p.hawkishness,
            )
            for p in self.parties
        )
        needed = tuple(
            confidence_needed(need, p.influence, p.veto, p.quota)
            for need, p in zip(self.support_needed, self.parties, strict=True)
        )
        self.ratifiable = tuple(
            n <= 1.0 for n in needed
        )  # per outcome: whether the party ratifies it at full confidence
        self.to_support = tuple(need[:, self.candidates] for need in self.support_needed)  # the same, of the candidates
        self.needed = tuple(n[self.candidates] for n in needed)
        self.candidate_of = np.full(len(self.grid), -1)  # each outcome's place among the candidates, -1 if none
        self.candidate_of[self.candidates] = np.arange(len(self.candidates))
        self.ideal = tuple(int(np.argmax(u)) for u in self.utility)  # each party's best outcome (the first, if tied)
        self.deadline = spec.deadline or np.inf

    def _party(self, country: CountrySpec, block: slice) -> Party:
        dims = self.spec.dimensions
        values = [np.array(d.values[country.name]) for d in dims]
        influence = np.array([m.influence for m in country.ministries])
        rows = []
        for m in country.ministries:
            w = np.array([m.priorities[d.name] for d in dims])
            total = w.sum()
            rows.append(additive_utility(self.grid, values, w / total if total > 0 else w))
        ministry_utility = np.array(rows)
        return Party(
            name=country.name,
            block=block,
            influence=influence,
            veto=np.array([m.veto for m in country.ministries]),
            hawkishness=np.array([m.behaviour.hawkishness for m in country.ministries]),
            quota=country.quota,
            ministry_utility=ministry_utility,
            utility=influence @ ministry_utility,
        )

    @property
    def dimensions(self) -> dict[str, tuple[str, ...]]:
        return {d.name: d.options for d in self.spec.dimensions}

    def terms(self, outcome: int) -> dict[str, str]:
        """The option chosen on each dimension."""
        return {d.name: d.options[i] for d, i in zip(self.spec.dimensions, self.grid[outcome], strict=True)}

    def demands(self, side: int, confidence) -> np.ndarray:
        """What each ministry of ``side`` demands of a deal, given its confidence (..., n) in the other party."""
        p = self.parties[side]
        u = p.ministry_utility
        return demanded_gain(u[:, self.status_quo], u.max(axis=1), p.hawkishness, np.asarray(confidence))

    def ministries_confidence(self, matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each party's ministries' confidence in the other party, read from a confidence matrix (M × M)."""
        a, b = self.parties
        return matrix[a.block, b.block] @ b.influence, matrix[b.block, a.block] @ a.influence

    def win_sets(self, matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each party's win-set given a confidence matrix (M × M): the outcomes it would ratify."""
        confidence = self.ministries_confidence(matrix)
        return tuple(
            win_set(p.ministry_utility, self.demands(s, confidence[s]), p.influence, p.veto, p.quota)
            for s, p in enumerate(self.parties)
        )

    def reference_solutions(self) -> dict[str, int | None]:
        """Where axiomatic bargaining theory would put the deal, against the status quo."""
        args = (*self.utility, *self.reservation)
        return {"nash": nash_solution(*args), "kalai_smorodinsky": kalai_smorodinsky_solution(*args)}
