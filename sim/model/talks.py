"""Settlement talks: the outcome space, each side's utilities, the bargaining protocols and ratification at home.

A :class:`TalksPlan` is built once per scenario from a :class:`~sim.model.scenario.specs.Talks` and the two party
countries. Each session held at a meeting moves the talks one step by the scenario's protocol, in every replicate at
once; an accepted proposal is a settlement only once both parties ratify it (:mod:`sim.model.rules.ratification`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from sim.model.rules.bargaining import (
    additive_utility,
    alternating_offers,
    aspiration,
    concession_exponent,
    frontier_offer,
    kalai_smorodinsky_solution,
    nash_solution,
    outcome_grid,
    pareto_frontier,
    patience,
)
from sim.model.rules.ratification import demanded_gain, ratifies, supports, win_set
from sim.model.scenario.specs import Country, Talks


class Offers(NamedTuple):
    """One round of proposals in a session, one value per replicate."""

    proposer: int  # 0 or 1: which party proposes
    outcome: np.ndarray  # row of the outcome grid
    u_proposer: np.ndarray
    u_responder: np.ndarray
    level_proposer: np.ndarray  # the least the proposer would accept now: its aspiration (concession protocol) or
    level_responder: np.ndarray  # its floor, the reservation value raised by distrust (alternating offers)
    accepted: np.ndarray
    made: np.ndarray  # whether this proposal was made at all (talks open, and no earlier proposal accepted)


class SessionResult(NamedTuple):
    """What a session produced in each replicate: its proposals, and where one was accepted, the ratifications."""

    offers: tuple[Offers, ...]
    agreed: np.ndarray  # outcome accepted at the table, -1 if none
    ratified: np.ndarray  # (2, R): whether each party ratified (False where nothing was agreed)

    @property
    def settled(self) -> np.ndarray:
        return (self.agreed >= 0) & self.ratified.all(axis=0)


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
    """The fixed part of one set of talks: outcome space, utilities, Pareto frontier and the protocol's rules.

    Built once per scenario; the changing part of a run (sessions held, settlement) is a :class:`Negotiation`.
    """

    def __init__(self, spec: Talks, parties: tuple[Country, Country], blocks: tuple[slice, slice]):
        self.spec = spec
        self.name = spec.name
        sizes = [len(d.options) for d in spec.dimensions]
        self.grid = outcome_grid(sizes)
        self.status_quo = int(
            np.ravel_multi_index(tuple(d.options.index(spec.status_quo[d.name]) for d in spec.dimensions), sizes)
        )
        self.parties = (self._party(parties[0], blocks[0]), self._party(parties[1], blocks[1]))
        self.utility = (self.parties[0].utility, self.parties[1].utility)
        self.reservation = tuple(float(u[self.status_quo]) for u in self.utility)
        self.best = tuple(float(u.max()) for u in self.utility)
        self.hawkishness = tuple(float(p.influence @ p.hawkishness) for p in self.parties)
        self.frontier = pareto_frontier(*self.utility)
        # Utilities along the frontier, rising for the side that reads them (see frontier_offer).
        self._rising = (self.utility[0][self.frontier], self.utility[1][self.frontier][::-1])

    def _party(self, country: Country, block: slice) -> Party:
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

    def _offer(self, side: int, level: np.ndarray) -> np.ndarray:
        pos = frontier_offer(self._rising[side], level)
        return self.frontier[pos if side == 0 else len(self.frontier) - 1 - pos]

    def session(self, held: np.ndarray, open_: np.ndarray, host: int, trust, styles) -> SessionResult:
        """One session in every replicate where the talks are ``open_``, ``held`` sessions having gone before.

        ``host`` (0 or 1) proposes first; ``trust[i]`` is (R, n_i): the confidence of each ministry of party i in the
        other party; ``styles[i]`` the concession exponent of party i's delegation.
        """
        u = self.utility
        guest = 1 - host
        confidence = [trust[i] @ self.parties[i].influence for i in (0, 1)]
        # Each negotiator anticipates its win-set: distrust raises the least it can bring home (Putnam 1988).
        floor = [demanded_gain(self.reservation[i], self.best[i], self.hawkishness[i], confidence[i]) for i in (0, 1)]
        effect = self.spec.confidence_effect
        if self.spec.protocol == "concession":
            t = held / self.spec.horizon
            level = [
                aspiration(t, floor[i], self.best[i], concession_exponent(styles[i], confidence[i], effect))
                for i in (0, 1)
            ]
            offers, pending = [], open_
            for proposer in (host, guest):
                responder = 1 - proposer
                x = self._offer(proposer, level[proposer])
                accepted = pending & (u[responder][x] >= level[responder] - 1e-12)
                offers.append(
                    Offers(
                        proposer,
                        x,
                        u[proposer][x],
                        u[responder][x],
                        level[proposer],
                        level[responder],
                        accepted,
                        pending,
                    )
                )
                pending = pending & ~accepted
        else:
            x = np.full(len(open_), self.status_quo)
            accepted = np.zeros(len(open_), bool)
            f = self.frontier
            delta = [patience(confidence[i], effect) for i in (0, 1)]
            for r in np.flatnonzero(open_):  # the equilibrium search is per replicate
                pos = alternating_offers(
                    u[host][f], u[guest][f], floor[host][r], floor[guest][r], delta[host][r], delta[guest][r]
                )
                if pos is not None:
                    x[r], accepted[r] = f[pos], True
            offers = [Offers(host, x, u[host][x], u[guest][x], floor[host], floor[guest], accepted, open_)]
        agreed = np.full(len(open_), -1)
        for o in offers:
            agreed[o.accepted] = o.outcome[o.accepted]
        ratified = np.zeros((2, len(open_)), bool)
        done = agreed >= 0
        if done.any():
            for side in (0, 1):
                ratified[side, done] = self.ratifies(side, agreed[done], trust[side][done])
        return SessionResult(tuple(offers), agreed, ratified)

    def demands(self, side: int, trust) -> np.ndarray:
        """What each ministry of ``side`` demands of a deal, given its confidence ``trust`` (..., n) in the other."""
        p = self.parties[side]
        u = p.ministry_utility
        return demanded_gain(u[:, self.status_quo], u.max(axis=1), p.hawkishness, np.asarray(trust))

    def ratifies(self, side: int, outcome, trust):
        """Whether ``side`` ratifies ``outcome`` at home (Putnam's second level); vectorised over replicates."""
        p = self.parties[side]
        utility = p.ministry_utility[:, outcome].T  # (..., n_ministries)
        return ratifies(supports(utility, self.demands(side, trust)), p.influence, p.veto, p.quota)

    def trust(self, confidence: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each party's ministries' confidence in the other party, read from a confidence matrix."""
        a, b = self.parties
        return confidence[a.block, b.block] @ b.influence, confidence[b.block, a.block] @ a.influence

    def win_sets(self, confidence: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each party's win-set given a confidence matrix: the outcomes it would ratify."""
        trust = self.trust(confidence)
        return tuple(
            win_set(p.ministry_utility, self.demands(s, trust[s]), p.influence, p.veto, p.quota)
            for s, p in enumerate(self.parties)
        )

    def reference_solutions(self) -> dict[str, int | None]:
        """Where axiomatic bargaining theory would put the deal, against the status quo."""
        args = (*self.utility, *self.reservation)
        return {"nash": nash_solution(*args), "kalai_smorodinsky": kalai_smorodinsky_solution(*args)}
