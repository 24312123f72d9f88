"""Settlement talks: the outcome space, each side's utilities, the bargaining protocols and ratification at home.

A :class:`TalksPlan` is built once per scenario from a :class:`~sim.model.scenario.specs.Talks` and the two party
countries. Each session held at a meeting moves the talks one step by the scenario's protocol, in every replicate at
once; an accepted proposal is a settlement only once both parties ratify it (:mod:`sim.model.rules.ratification`).
Proposals are drawn from the *candidates*: outcomes that leave both parties better off than the status quo by the
talks' margin and that no other outcome beats for every ministry of both parties. A proposer anticipating
ratification offers only terms inside its own win-set and inside the other side's as it estimates it, leaving out
terms the other side's home rejected while its confidence has not risen since (docs/model.md §2.7–§2.10).
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
    first_offer,
    kalai_smorodinsky_solution,
    nash_solution,
    outcome_grid,
    patience,
    undominated,
)
from sim.model.rules.ratification import (
    beats_status_quo,
    confidence_needed,
    confidence_to_support,
    demanded_gain,
    ratifies,
    still_rejected,
    supports,
    win_set,
    win_set_at,
)
from sim.model.scenario.specs import CountrySpec, Talks


class Offers(NamedTuple):
    """One round of proposals in a session, one value per replicate."""

    proposer: int  # 0 or 1: which party proposes
    outcome: np.ndarray  # row of the outcome grid
    u_proposer: np.ndarray
    u_responder: np.ndarray
    level_proposer: np.ndarray  # the least the proposer would accept now: its aspiration (concession protocol) or
    level_responder: np.ndarray  # its floor, the reservation value raised by distrust (alternating offers)
    accepted: np.ndarray
    made: np.ndarray  # whether this proposal was made (talks open, no earlier proposal accepted, an offer to make)


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
    """The fixed part of one set of talks: outcome space, utilities, candidate deals and the protocol's rules.

    Built once per scenario; the changing part of a run (sessions held, settlement, terms rejected at home) is kept by
    the engine.
    """

    def __init__(self, spec: Talks, parties: tuple[CountrySpec, CountrySpec], blocks: tuple[slice, slice]):
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
        better = beats_status_quo(self.utility[0], self.reservation[0], spec.margin) & beats_status_quo(
            self.utility[1], self.reservation[1], spec.margin
        )
        everyone = np.concatenate([p.ministry_utility[:, better] for p in self.parties])
        self.candidates = np.flatnonzero(better)[undominated(everyone)]  # (K,) outcome indices
        self.offerable = np.append(self.candidates, self.status_quo)  # what an offer picks; the last: none
        self.offered = tuple(u[self.candidates] for u in self.utility)  # each party's utility of each candidate
        # The confidence each ministry needs to support each candidate, and that all would need to ratify it.
        self.to_support = tuple(
            confidence_to_support(
                p.ministry_utility[:, self.candidates],
                p.ministry_utility[:, self.status_quo],
                p.ministry_utility.max(axis=1),
                p.hawkishness,
            )
            for p in self.parties
        )
        self.needed = tuple(
            confidence_needed(need, p.influence, p.veto, p.quota)
            for need, p in zip(self.to_support, self.parties, strict=True)
        )
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

    def session(
        self, held: np.ndarray, open_: np.ndarray, host: int, trust, styles, rejected_at: np.ndarray
    ) -> SessionResult:
        """One session in every replicate where the talks are ``open_``, ``held`` sessions having gone before.

        ``host`` (0 or 1) proposes first; ``trust[i]`` is (R, n_i): the confidence of each ministry of party i in the
        other party; ``styles[i]`` the concession exponent of party i's delegation. ``rejected_at`` (2, R, K) holds,
        for each party and candidate, the other party's confidence when that party's home rejected it (−∞: never);
        rejections in this session are written into it.
        """
        u, cand, spec = self.utility, self.candidates, self.spec
        confidence = [trust[i] @ self.parties[i].influence for i in (0, 1)]
        # Each negotiator anticipates its win-set: distrust raises the least it can bring home (Putnam 1988).
        floor = [demanded_gain(self.reservation[i], self.best[i], self.hawkishness[i], confidence[i]) for i in (0, 1)]
        effect = spec.confidence_effect
        offers, pending = [], open_
        if spec.protocol == "concession":
            t = held / spec.horizon
            level = [
                aspiration(t, floor[i], self.best[i], concession_exponent(styles[i], confidence[i], effect))
                for i in (0, 1)
            ]
            for proposer in (host, 1 - host):
                responder = 1 - proposer
                admissible = self.admissible(proposer, trust, confidence[proposer], rejected_at[responder])
                pick = first_offer(self.offered[proposer], self.offered[responder], admissible, level[proposer])
                x = self.offerable[pick]  # no offer (-1): the status quo, never recorded
                made = pending & (pick >= 0)
                accepted = made & (u[responder][x] >= level[responder] - 1e-12)
                utilities = (u[proposer][x], u[responder][x], level[proposer], level[responder])
                offers.append(Offers(proposer, x, *utilities, accepted, made))
                pending = pending & ~accepted
        else:
            guest = 1 - host
            x = np.full(len(open_), self.status_quo)
            made = np.zeros(len(open_), bool)
            delta = [patience(confidence[i], effect, spec.discount) for i in (0, 1)]
            periods = None if spec.deadline is None else spec.deadline - held
            admissible = self.admissible(host, trust, confidence[host], rejected_at[guest])
            for r in np.flatnonzero(open_):  # the equilibrium search is per replicate
                options = cand[admissible[r]]
                pos = alternating_offers(
                    u[host][options],
                    u[guest][options],
                    floor[host][r],
                    floor[guest][r],
                    delta[host][r],
                    delta[guest][r],
                    None if periods is None else int(periods[r]),
                )
                if pos is not None:
                    x[r], made[r] = options[pos], True
            offers = [Offers(host, x, u[host][x], u[guest][x], floor[host], floor[guest], made, made)]
        agreed = np.full(len(open_), -1)
        for o in offers:
            agreed[o.accepted] = o.outcome[o.accepted]
        ratified = np.zeros((2, len(open_)), bool)
        done = agreed >= 0
        if done.any():
            where = np.searchsorted(cand, agreed[done])
            for side in (0, 1):
                ratified[side, done] = self.ratifies(side, agreed[done], trust[side][done])
                rejected = np.flatnonzero(done)[~ratified[side, done]]
                rejected_at[side, rejected, where[~ratified[side, done]]] = confidence[1 - side][rejected]
        return SessionResult(tuple(offers), agreed, ratified)

    def admissible(self, proposer: int, trust, confidence: np.ndarray, rejected_at: np.ndarray) -> np.ndarray:
        """Which candidates ``proposer`` may offer in each replicate (R, K): all of them, or, anticipating
        ratification, those in its own win-set, in the other side's win-set as it estimates it, and not rejected by
        the other side's home since its confidence last rose (docs/model.md §2.10).

        The proposer knows its own ministries' demands. Of the other side it knows the positions but not the
        confidence: it supposes the other side trusts it as much as it trusts the other side (``confidence`` (R,)).
        """
        if not self.spec.anticipate:
            return np.ones((len(confidence), len(self.candidates)), bool)
        estimated = confidence[:, None] >= self.needed[1 - proposer] - 1e-12  # win_set with every demand at c
        return (
            estimated
            & self.ratifiable(proposer, trust[proposer])
            & ~still_rejected(rejected_at, confidence, self.spec.reoffer_after)
        )

    def ratifiable(self, side: int, trust) -> np.ndarray:
        """The candidates ``side`` would ratify given its ministries' confidence ``trust`` (..., n): (..., K)."""
        p = self.parties[side]
        return win_set_at(trust, self.to_support[side], p.influence, p.veto, p.quota)

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
