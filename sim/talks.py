"""Settlement talks: the outcome space, each side's utilities, the bargaining protocols and ratification at home.

A :class:`TalksPlan` is built once per scenario from a :class:`~sim.scenario.Talks` and the two party countries; a run
keeps its state in a :class:`Negotiation`. Each session held at a meeting moves the talks one step by the scenario's
protocol; an accepted proposal is a settlement only once both parties ratify it (:mod:`sim.rules.ratification`).
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import mul
from typing import NamedTuple

import numpy as np

from sim.rules.bargaining import (
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
from sim.rules.ratification import demanded_gain, ratifies, supports, win_set
from sim.scenario import Country, Talks


class Proposal(NamedTuple):
    """One offer made in a session, and how it was received."""

    proposer: int  # 0 or 1: which party
    outcome: int  # row of the outcome grid
    u_proposer: float
    u_responder: float
    level_proposer: float  # the least the proposer would accept now: its aspiration (concession protocol) or its
    level_responder: float  # floor, the reservation value raised by distrust (alternating offers)
    accepted: bool


class SessionResult(NamedTuple):
    """What a session produced: its proposals and, if one was accepted, how each party's ratification went."""

    proposals: tuple[Proposal, ...]
    ratified: tuple[bool, bool] | None  # None when nothing was accepted

    @property
    def settled(self) -> bool:
        return self.ratified is not None and all(self.ratified)


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
        self._rising = (self.utility[0][self.frontier].tolist(), self.utility[1][self.frontier][::-1].tolist())
        self._values = (self.utility[0].tolist(), self.utility[1].tolist())

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

    def _offer(self, side: int, level: float) -> int:
        pos = frontier_offer(self._rising[side], level)
        return int(self.frontier[pos if side == 0 else len(self.frontier) - 1 - pos])

    def session(
        self, held: int, host: int, trust: tuple[list[float], list[float]], styles: tuple[float, float]
    ) -> SessionResult:
        """Hold a session after ``held`` earlier ones, with ``host`` (0 or 1) proposing first.

        ``trust[i]`` is the confidence of each ministry of party i in the other party; ``styles[i]`` the concession
        exponent of party i's delegation.
        """
        u = self._values
        guest = 1 - host
        confidence = [sum(map(mul, p.influence.tolist(), t)) for p, t in zip(self.parties, trust, strict=True)]
        # Each negotiator anticipates its win-set: distrust raises the least it can bring home (Putnam 1988).
        floor = [
            demanded_gain(self.reservation[i], self.best[i], self.hawkishness[i], confidence[i]) for i in (0, 1)
        ]
        effect = self.spec.confidence_effect
        if self.spec.protocol == "concession":
            t = held / self.spec.horizon
            level = [
                aspiration(t, floor[i], self.best[i], concession_exponent(styles[i], confidence[i], effect))
                for i in (0, 1)
            ]
            proposals = []
            for proposer in (host, guest):
                responder = 1 - proposer
                x = self._offer(proposer, level[proposer])
                accepted = u[responder][x] >= level[responder] - 1e-12
                proposals.append(
                    Proposal(proposer, x, u[proposer][x], u[responder][x], level[proposer], level[responder], accepted)
                )
                if accepted:
                    break
        else:
            delta = [patience(confidence[i], effect) for i in (0, 1)]
            f = self.frontier
            pos = alternating_offers(
                self.utility[host][f], self.utility[guest][f], floor[host], floor[guest], delta[host], delta[guest]
            )
            x = int(f[pos]) if pos is not None else self.status_quo
            proposals = [Proposal(host, x, u[host][x], u[guest][x], floor[host], floor[guest], pos is not None)]
        agreed = proposals[-1]
        if not agreed.accepted:
            return SessionResult(tuple(proposals), None)
        ratified = (self.ratifies(0, agreed.outcome, trust[0]), self.ratifies(1, agreed.outcome, trust[1]))
        return SessionResult(tuple(proposals), ratified)

    def demands(self, side: int, trust) -> np.ndarray:
        """What each ministry of ``side`` demands of a deal, given its confidence ``trust`` in the other party."""
        p = self.parties[side]
        u = p.ministry_utility
        return demanded_gain(u[:, self.status_quo], u.max(axis=1), p.hawkishness, np.asarray(trust))

    def ratifies(self, side: int, outcome: int, trust) -> bool:
        """Whether ``side`` ratifies ``outcome`` at home (Putnam's second level)."""
        p = self.parties[side]
        return ratifies(
            supports(p.ministry_utility[:, outcome], self.demands(side, trust)), p.influence, p.veto, p.quota
        )

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


@dataclass(slots=True)
class Negotiation:
    """The state of one set of talks during a run."""

    plan: TalksPlan
    sessions: int = 0
    settlement: int | None = None
    settled_round: int | None = None
