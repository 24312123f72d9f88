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
    hawkishness: np.ndarray  # (…, n): a value, with a replicate axis in a batch whose replicates differ
    quota: float
    ministry_utility: np.ndarray  # (n_ministries, n_outcomes)
    utility: np.ndarray  # influence-weighted: the country's position (Bueno de Mesquita / KTAB aggregation)


class TalksPlan:
    """The fixed part of one set of talks: outcome space, utilities, candidate deals and what ratifying each takes.

    Built once per scenario from its structure and values (the ministries' hawkishness and the talks' pace, each
    with a leading replicate axis in a batch whose replicates differ); where the talks stand in a run (sessions held,
    settlement, terms rejected at home) is a :class:`~sim.model.procedures.talks.TalksState`.
    """

    def __init__(
        self,
        spec: Talks,
        parties: tuple[CountrySpec, CountrySpec],
        blocks: tuple[slice, slice],
        hawkishness: np.ndarray,
        pace: tuple[np.ndarray, np.ndarray, np.ndarray],
    ):
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
        self.parties = tuple(self._party(c, b, hawkishness[..., b]) for c, b in zip(parties, blocks, strict=True))
        self.utility = (self.parties[0].utility, self.parties[1].utility)
        self.reservation = tuple(float(u[self.status_quo]) for u in self.utility)
        self.best = tuple(float(u.max()) for u in self.utility)
        self.hawkishness = tuple((p.influence * p.hawkishness).sum(-1) for p in self.parties)  # (…) each
        self.confidence_effect, self.discount, self.horizon = pace  # (…) each
        better = beats_status_quo(self.utility[0], self.reservation[0], spec.margin) & beats_status_quo(
            self.utility[1], self.reservation[1], spec.margin
        )
        everyone = np.concatenate([p.ministry_utility[:, better] for p in self.parties])
        self.candidates = np.flatnonzero(better)[undominated(everyone)]  # (K,) outcome indices
        self.offerable = np.append(self.candidates, self.status_quo)  # what an offer picks; the last: none
        self.offered = tuple(u[self.candidates] for u in self.utility)  # each party's utility of each candidate
        # For each candidate: the confidence each ministry needs to support it, and that all would need to ratify it.
        self.to_support = tuple(
            self._support_needed(s, p.ministry_utility[:, self.candidates]) for s, p in enumerate(self.parties)
        )
        self.needed = tuple(
            confidence_needed(need, p.influence, p.veto, p.quota)
            for need, p in zip(self.to_support, self.parties, strict=True)
        )  # (…, K) each
        self.candidate_of = np.full(len(self.grid), -1)  # each outcome's place among the candidates, -1 if none
        self.candidate_of[self.candidates] = np.arange(len(self.candidates))
        self.ideal = tuple(int(np.argmax(u)) for u in self.utility)  # each party's best outcome (the first, if tied)
        self.deadline = spec.deadline or np.inf

    def _party(self, country: CountrySpec, block: slice, hawkishness: np.ndarray) -> Party:
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
            hawkishness=hawkishness,
            quota=country.quota,
            ministry_utility=ministry_utility,
            utility=influence @ ministry_utility,
        )

    def _support_needed(self, side: int, utilities: np.ndarray) -> np.ndarray:
        """The confidence each ministry of ``side`` needs to support outcomes of utilities (…, n, k) to it."""
        p = self.parties[side]
        u = p.ministry_utility
        return confidence_to_support(utilities, u[:, self.status_quo], u.max(axis=1), p.hawkishness)

    @property
    def dimensions(self) -> dict[str, tuple[str, ...]]:
        return {d.name: d.options for d in self.spec.dimensions}

    def terms(self, outcome: int) -> dict[str, str]:
        """The option chosen on each dimension."""
        return {d.name: d.options[i] for d, i in zip(self.spec.dimensions, self.grid[outcome], strict=True)}

    def support_needed_at(self, side: int, outcome) -> np.ndarray:
        """(…, n): the confidence each ministry of ``side`` needs to support ``outcome`` (one per replicate, …)."""
        utilities = np.moveaxis(self.parties[side].ministry_utility[:, outcome], 0, -1)[..., None]  # (…, n, 1)
        return self._support_needed(side, utilities)[..., 0]

    def ratifiable_at(self, side: int, outcome) -> np.ndarray:
        """(…): whether ``side`` would ratify ``outcome`` at full confidence (in its win-set for some confidence)."""
        p = self.parties[side]
        return (
            confidence_needed(self.support_needed_at(side, outcome)[..., None], p.influence, p.veto, p.quota)[..., 0]
            <= 1.0
        )

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
