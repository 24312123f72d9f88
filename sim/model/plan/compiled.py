"""What a scenario compiles to before its first round: computed once per scenario, shared by runs and by both models.

Confidence lives in an (R, M + 1, M + 1) array: R replicates, M ministries, plus one padding row and column (index
M) so that countries with fewer ministries than the largest one at a meeting can be stacked into regular arrays.
Padded entries carry zero weight everywhere, so they never move and never count.

A calendar entry becomes an :class:`EntryPlan`: its D dyads (pairs of attending countries; a multilateral forum is all
its pairs) with, for each side, (D, m) arrays of the delegation's ministries and their parameters.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, fields, replace
from functools import lru_cache

import numpy as np

from sim.model.cameo import goldstein_table
from sim.model.plan.dice import meeting_slots
from sim.model.plan.talks import TalksPlan
from sim.model.rules.bargaining import delegation_exponent
from sim.model.rules.confidence import balance_strength, drift, goldstein_strength, observation_weights
from sim.model.rules.salience import salience
from sim.model.scenario.specs import (
    Behaviour,
    CalendarEntry,
    CountrySpec,
    Event,
    Friction,
    Measure,
    MeetingFormat,
    MinistrySpec,
    RandomEvents,
    ScenarioSpec,
)

SIGN_AGREEMENT = "057"  # CAMEO "Sign formal agreement": how each side reads a ratified settlement


@dataclass(frozen=True)
class MinistryArrays:
    """Every ministry's values, one entry per ministry in confidence-matrix order (M,): what both models read of a
    ministry, the engine as arrays and the agents one entry each."""

    influence: np.ndarray  # within its country
    veto: np.ndarray
    trust_gain: np.ndarray  # α⁺
    trust_loss: np.ndarray  # α⁻
    forgiveness: np.ndarray
    drift: np.ndarray
    reliability: np.ndarray
    hawkishness: np.ndarray
    concession: np.ndarray
    memory: np.ndarray

    @classmethod
    def of(cls, ministries: tuple[MinistrySpec, ...]) -> MinistryArrays:
        behaviour = {f.name: np.array([getattr(m.behaviour, f.name) for m in ministries]) for f in fields(Behaviour)}
        return cls(
            influence=np.array([m.influence for m in ministries]),
            veto=np.array([m.veto for m in ministries]),
            **behaviour,
        )


@dataclass(frozen=True)
class SideArrays:
    """One side of every dyad of a calendar entry: (D, m) arrays over its ministries, padded to m."""

    names: tuple[str, ...]  # the country of each dyad's side
    rows: np.ndarray  # matrix index of each ministry (M for padding)
    influence: np.ndarray  # within the country (0 for padding)
    delegation: np.ndarray  # influence within the delegation at the table; rows sum to 1
    involvement: np.ndarray  # how directly each takes part: 1 at the table, the spill-over at home, 0 padding
    gain: np.ndarray
    loss: np.ndarray
    forgiveness: np.ndarray
    reliability: np.ndarray
    hawkishness: np.ndarray
    delegation_hawkishness: np.ndarray  # (D,)
    concession: np.ndarray  # (D,): the delegation's concession exponent (influence-weighted geometric mean)


@dataclass(frozen=True)
class ItemArrays:
    """A cooperative item as the delegations of every dyad take it up; pairs of arrays, one per side."""

    name: str
    votes: tuple[np.ndarray, np.ndarray]  # (D, m): influence × priority within the delegation
    lead: tuple[np.ndarray, np.ndarray]  # (D,): which ministry carries it out
    acting: tuple[np.ndarray, np.ndarray]  # (D, m): 1 for the lead ministry, spill-over for its government
    benefit: tuple[np.ndarray, np.ndarray]  # (D,)
    exposure: tuple[np.ndarray, np.ndarray]  # (D,)


@dataclass(frozen=True)
class FrictionAt:
    """A friction on an entry's agenda, at the dyad of the two countries it concerns."""

    friction: Friction
    dyad: int
    raiser: int  # side of the dyad that raises it
    salience: np.ndarray  # (m,): how strongly each of the raiser's ministries reacts to the answer (0 for padding)


@dataclass(frozen=True)
class TalksAt:
    """Settlement talks on an entry's agenda, at the dyad of their two parties."""

    talks: TalksPlan
    dyad: int
    order: tuple[int, int]  # dyad side of party 0 and of party 1
    sign: float  # Goldstein strength of a ratified settlement (CAMEO 057) at this meeting's weight
    reject: float  # strength of a deal rejected at home (the talks' rejection_goldstein), likewise


@dataclass(frozen=True)
class EntryPlan:
    """A calendar entry compiled: its dyads, their sides, and its agenda."""

    entry: CalendarEntry
    weight: float
    sides: tuple[SideArrays, SideArrays]
    items: tuple[ItemArrays, ...]
    frictions: tuple[FrictionAt, ...]
    talks: tuple[TalksAt, ...]
    slots: int  # uniform draws per meeting (sim.model.plan.dice.MeetingDice)

    @property
    def dyads(self) -> int:
        return len(self.sides[0].names)

    @property
    def members(self) -> int:
        """Ministries per side once padded: the most any attending country has."""
        return self.sides[0].rows.shape[1]


@dataclass(frozen=True)
class Observation:
    """One country's reading of an act: the observer's block of confidence in the actor's, with per-ministry weights.

    The target observes an act against it; by their stances, third countries observe it too (balance theory).
    """

    observer: slice
    actor: slice
    observing: np.ndarray  # (m_observer,): 1 for the observing actor, spill-over for the rest of its government
    acting: np.ndarray  # (m_actor,)
    rates: np.ndarray  # (m_observer,): trust_gain or trust_loss by the sign of the strength
    strength: float  # signed strength


@dataclass(frozen=True)
class EventPlan:
    """A scheduled event and who observes it (the target if at the table, and third countries by their stances)."""

    event: Event
    observations: tuple[Observation, ...]


@dataclass(frozen=True)
class MeasurePlan:
    """A lasting measure and who observes it each round it is in force."""

    measure: Measure
    observations: tuple[Observation, ...]


@dataclass(frozen=True)
class LapseRule:
    """A calendar entry that confidence can keep from meeting: the directed country pairs whose confidence decides."""

    observers: np.ndarray  # (pairs,) index of the first country of each directed pair of its countries
    observed: np.ndarray  # (pairs,) and of the second


@dataclass(frozen=True)
class RandomEventPlan:
    """Random events compiled: for each of P directed pairs, the target's block observing the source's, padded to m.

    Each round takes two uniforms per pair, whatever happens: whether an event strikes, and which value it has.
    """

    spec: RandomEvents
    targets: np.ndarray  # (P, m_t) rows of the target country's ministries (padding: M)
    sources: np.ndarray  # (P, m_s) columns of the source country's ministries
    observing: np.ndarray  # (P, m_t): 1 for the target actor, spill-over for the rest of its government, 0 padding
    acting: np.ndarray  # (P, m_s): 1 for the source actor, spill-over for the rest of its government
    gain: np.ndarray  # (P, m_t): the observers' trust_gain
    loss: np.ndarray  # (P, m_t): the observers' trust_loss
    source_names: np.ndarray  # (P,) object
    target_names: np.ndarray  # (P,) object

    @property
    def slots(self) -> int:
        return 2 * len(self.spec.pairs)

    def draw(self, u: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """From a round's uniforms ``u`` (R, 2P) — first whether each pair's event strikes, then its value —: which
        strike (R, P), their Goldstein values (R, P), and which code each is (None when drawn from a range)."""
        pairs = len(self.spec.pairs)
        struck, u = u[:, :pairs] < self.spec.rate, u[:, pairs:]
        values = np.array(self.spec.goldstein)
        if self.spec.cameo:
            pick = np.minimum((u * len(values)).astype(int), len(values) - 1)
            return struck, values[pick], pick
        low, high = values
        return struck, low + u * (high - low), None


@dataclass(frozen=True)
class Plan:
    """Matrix layout, starting arrays, compiled meetings, talks and events of a scenario."""

    scenario: ScenarioSpec
    blocks: dict[str, slice]  # each country's ministries' rows (and columns) in the confidence matrix
    ministries: MinistryArrays  # every ministry's values (M,)
    starts: np.ndarray  # first row of each country
    initial: np.ndarray  # (M + 1, M + 1) starting confidence, also the starting baseline it drifts back to
    keep: np.ndarray  # (M + 1, 1): 1 − drift rate
    pull: np.ndarray  # (M + 1, M + 1): drift rate × starting baseline
    rate: np.ndarray  # (M + 1, 1): drift rate
    memory: np.ndarray  # (M + 1, 1): how fast each ministry's baseline follows its confidence
    remembers: bool  # whether some baseline moves with experience (otherwise it stays the starting confidence)
    talks: dict[str, TalksPlan]
    calendar: tuple[EntryPlan, ...]
    events: dict[int, tuple[EventPlan, ...]]
    random_events: tuple[RandomEventPlan, ...]
    measures: tuple[MeasurePlan, ...]
    lapse_rules: dict[int, LapseRule]  # by calendar index, for entries that confidence can keep from meeting

    @property
    def size(self) -> int:
        return len(self.ministries.influence)

    @property
    def influence(self) -> np.ndarray:
        """(M,): each ministry's influence within its country."""
        return self.ministries.influence

    @property
    def random_slots(self) -> int:
        """Uniforms drawn for random events each round."""
        return sum(ev.slots for ev in self.random_events)


@lru_cache(maxsize=32)
def plan_for(scenario: ScenarioSpec) -> Plan:
    """The plan of ``scenario`` (cached: scenarios are immutable and hashed by identity)."""
    specs = scenario.ministries
    ministries = MinistryArrays.of(specs)
    n = len(specs)
    index = {m.key: i for i, m in enumerate(specs)}
    countries = {c.name: c for c in scenario.countries}
    blocks = {
        c.name: slice(index[c.ministries[0].key], index[c.ministries[0].key] + len(c.ministries))
        for c in scenario.countries
    }
    initial = np.zeros((n + 1, n + 1))
    for i, m in enumerate(specs):
        initial[i, [index[key] for key in m.confidence]] = list(m.confidence.values())
    initial.flags.writeable = False
    rate = np.append(ministries.drift, 0.0)[:, None]
    talks = {
        t.name: TalksPlan(
            t, (countries[t.parties[0]], countries[t.parties[1]]), (blocks[t.parties[0]], blocks[t.parties[1]])
        )
        for t in scenario.talks
    }
    formats = {f.name: f for f in scenario.formats}
    calendar = tuple(
        _entry_plan(e, formats[e.format], scenario, ministries, countries, blocks, talks) for e in scenario.calendar
    )
    events = defaultdict(list)
    for e in scenario.events:
        events[e.round].append(EventPlan(e, _observations(e, scenario, ministries, countries, blocks)))
    return Plan(
        scenario=scenario,
        blocks=blocks,
        ministries=ministries,
        starts=np.array([b.start for b in blocks.values()]),
        initial=initial,
        keep=drift(1.0, 0.0, rate),  # drift is affine in c: drift(c) = keep·c + pull
        pull=drift(0.0, initial, rate),
        rate=rate,
        memory=np.append(ministries.memory, 0.0)[:, None],
        remembers=bool((ministries.memory > 0).any()),
        talks=talks,
        calendar=calendar,
        events={r: tuple(es) for r, es in events.items()},
        random_events=tuple(_random_plan(e, scenario, ministries, countries, blocks) for e in scenario.random_events),
        measures=tuple(
            MeasurePlan(m, _observations(m, scenario, ministries, countries, blocks)) for m in scenario.measures
        ),
        lapse_rules={k: _lapse_rule(e, list(blocks)) for k, e in enumerate(scenario.calendar) if e.by_rule},
    )


def _lapse_rule(entry: CalendarEntry, countries: list[str]) -> LapseRule:
    directed = [(countries.index(a), countries.index(b)) for p in entry.pairs for a, b in (p, p[::-1])]
    return LapseRule(np.array([a for a, _ in directed]), np.array([b for _, b in directed]))


@dataclass(frozen=True)
class _Delegation:
    """One country's delegation to a format, per ministry of the country (unpadded)."""

    rows: np.ndarray  # its rows in the confidence matrix
    present: np.ndarray  # at the table
    influence: np.ndarray
    delegation: np.ndarray  # influence within the delegation: those at the table, summing to 1
    involvement: np.ndarray  # 1 at the table, the spill-over at home
    gain: np.ndarray
    loss: np.ndarray
    forgiveness: np.ndarray
    reliability: np.ndarray
    hawkishness: np.ndarray
    concession: np.ndarray


def _delegation(country: CountrySpec, block: slice, fmt: MeetingFormat, spillover, ministries: MinistryArrays):
    present = np.array([m.role in fmt.roles for m in country.ministries])
    influence = ministries.influence[block]
    return _Delegation(
        rows=np.arange(block.start, block.stop),
        present=present,
        influence=influence,
        delegation=influence * present / (influence * present).sum(),
        involvement=observation_weights(present, spillover),
        gain=ministries.trust_gain[block],
        loss=ministries.trust_loss[block],
        forgiveness=ministries.forgiveness[block],
        reliability=ministries.reliability[block],
        hawkishness=ministries.hawkishness[block],
        concession=ministries.concession[block],
    )


def _pad(rows: list[np.ndarray], m: int, fill) -> np.ndarray:
    out = np.full((len(rows), m), fill, dtype=np.asarray(rows[0]).dtype)
    for d, r in enumerate(rows):
        out[d, : len(r)] = r
    return out


PER_MINISTRY = ("influence", "delegation", "involvement", "gain", "loss", "forgiveness", "reliability", "hawkishness")


def _side(dels: list[_Delegation], names: tuple[str, ...], m: int, pad_row: int) -> SideArrays:
    """The attending countries' delegations as one side's arrays, padded to m ministries (padding: row ``pad_row``,
    zero weight everywhere)."""
    return SideArrays(
        names=names,
        rows=_pad([d.rows for d in dels], m, pad_row),
        **{key: _pad([getattr(d, key) for d in dels], m, 0.0) for key in PER_MINISTRY},
        delegation_hawkishness=np.array([d.delegation @ d.hawkishness for d in dels]),
        concession=np.array([delegation_exponent(d.concession, d.delegation) for d in dels]),
    )


def _rows(side: SideArrays, at: np.ndarray, names: tuple[str, ...]) -> SideArrays:
    """``side`` (one row per attending country) at rows ``at``: one row per dyad, on the side of countries ``names``."""
    return replace(side, names=names, **{f.name: getattr(side, f.name)[at] for f in fields(side) if f.name != "names"})


def _item(
    item, attending: list[CountrySpec], dels: list[_Delegation], at: list[np.ndarray], m, spillover
) -> ItemArrays:
    """A cooperative item as each attending country's delegation takes it up, then at each side of each dyad
    (``at[s]``: the attending country on side s of each dyad)."""
    v_rows, l_rows, a_rows = [], [], []
    for c, d in zip(attending, dels, strict=True):
        ms = c.ministries
        raw = d.delegation * np.array([x.priorities[item.name] for x in ms])
        v_rows.append(raw / raw.sum() if raw.sum() > 0 else d.delegation)
        at_table = [i for i, x in enumerate(ms) if x.role == item.lead and d.present[i]]
        lead = at_table[0] if at_table else next(i for i, x in enumerate(ms) if x.role == item.lead)
        l_rows.append(lead)
        a_rows.append(np.where(np.arange(len(ms)) == lead, 1.0, spillover))
    by_country = (
        _pad(v_rows, m, 0.0),
        np.array(l_rows),
        _pad(a_rows, m, 0.0),
        np.array([item.benefit[c.name] for c in attending]),
        np.array([item.exposure[c.name] for c in attending]),
    )
    return ItemArrays(item.name, *((x[at[0]], x[at[1]]) for x in by_country))


def _entry_plan(entry, fmt, scenario: ScenarioSpec, ministries: MinistryArrays, countries, blocks, talks) -> EntryPlan:
    n = len(ministries.influence)
    pairs = list(entry.pairs)
    names = tuple(entry.countries)
    m = max(len(countries[c].ministries) for c in names)
    # Each attending country's arrays once, then each side of each dyad takes its country's row.
    attending = [countries[c] for c in names]
    dels = [_delegation(countries[c], blocks[c], fmt, scenario.spillover, ministries) for c in names]
    position = {c: k for k, c in enumerate(names)}
    at = [np.array([position[p[s]] for p in pairs], dtype=int) for s in (0, 1)]
    by_country = _side(dels, names, m, n)
    sides = tuple(_rows(by_country, at[s], tuple(p[s] for p in pairs)) for s in (0, 1))
    items = {i.name: i for i in scenario.cooperation}
    frictions = {f.name: f for f in scenario.frictions}
    dyad_of = {frozenset(p): d for d, p in enumerate(pairs)}
    plan_items, plan_frictions, plan_talks = [], [], []
    for name in fmt.agenda:
        if name in items:
            plan_items.append(_item(items[name], attending, dels, at, m, scenario.spillover))
        elif name in frictions:
            f = frictions[name]
            d = dyad_of.get(frozenset((f.raised_by, f.against)))
            if d is not None:
                ms = countries[f.raised_by].ministries
                react = [salience(x.priorities[f.name], list(x.priorities.values())) for x in ms]
                side = 0 if pairs[d][0] == f.raised_by else 1
                plan_frictions.append(FrictionAt(f, d, side, _pad([react], m, 0.0)[0]))
        elif name in talks:
            t = talks[name]
            d = dyad_of.get(frozenset(p.name for p in t.parties))
            if d is not None:
                first = 0 if pairs[d][0] == t.parties[0].name else 1
                sign = goldstein_strength(goldstein_table()[SIGN_AGREEMENT].goldstein, scenario.shock_scale)
                reject = goldstein_strength(t.spec.rejection_goldstein, scenario.shock_scale)
                plan_talks.append(TalksAt(t, d, (first, 1 - first), fmt.weight * sign, fmt.weight * abs(reject)))
    meeting = EntryPlan(entry, fmt.weight, sides, tuple(plan_items), tuple(plan_frictions), tuple(plan_talks), 0)
    return replace(meeting, slots=meeting_slots(meeting))


def _actor(name: str, countries: dict[str, CountrySpec], spillover: float) -> tuple[CountrySpec, np.ndarray]:
    """An actor's country, and the weight of each of its ministries: 1 for the actor, spill-over for the others.

    A whole country acts (and observes) with all its ministries; ``country.ministry`` with that one fully.
    """
    country, _, ministry = name.partition(".")
    c = countries[country]
    return c, np.array([1.0 if not ministry or m.name == ministry else spillover for m in c.ministries])


def event_plan(event: Event, scenario: ScenarioSpec) -> EventPlan:
    """The plan of one event of ``scenario``, e.g. one added by hand during a run."""
    countries = {c.name: c for c in scenario.countries}
    plan = plan_for(scenario)
    return EventPlan(event, _observations(event, scenario, plan.ministries, countries, plan.blocks))


def _observations(
    act: Event | Measure, scenario: ScenarioSpec, ministries, countries, blocks
) -> tuple[Observation, ...]:
    """Who reads an act from ``source`` to ``target``, and how strongly: the target (if a scenario country) as an
    act against itself; every other country with a stance, as :func:`balance_strength` says."""
    strength = goldstein_strength(act.goldstein, scenario.shock_scale)
    source, target = act.source.split(".")[0], act.target.split(".")[0]
    readings = []  # (observer, its weights, actor, its weights, signed strength)
    if source in countries and target in countries:
        readings.append((*_actor(act.target, countries, scenario.spillover), act.source, strength))
    for observer, alignment in scenario.stances.items():
        if observer in (source, target):
            continue
        whole = (countries[observer], np.ones(len(countries[observer].ministries)))
        if source in countries and alignment.get(target, 0.0):
            readings.append((*whole, act.source, balance_strength(strength, alignment[target])))
        if target in countries and alignment.get(source, 0.0):
            readings.append((*whole, act.target, balance_strength(strength, alignment[source])))
    out = []
    for country, observing, actor, signed in readings:
        actor_country, acting = _actor(actor, countries, scenario.spillover)
        block = blocks[country.name]
        rates = (ministries.trust_gain if signed >= 0 else ministries.trust_loss)[block]
        out.append(Observation(block, blocks[actor_country.name], observing, acting, rates, signed))
    return tuple(out)


def _random_plan(spec: RandomEvents, scenario: ScenarioSpec, ministries, countries, blocks) -> RandomEventPlan:
    n = len(ministries.influence)
    rows: dict[str, list[np.ndarray]] = defaultdict(list)
    for source_name, target_name in spec.pairs:
        target, observing = _actor(target_name, countries, scenario.spillover)
        source, acting = _actor(source_name, countries, scenario.spillover)
        rows["targets"].append(np.arange(blocks[target.name].start, blocks[target.name].stop))
        rows["sources"].append(np.arange(blocks[source.name].start, blocks[source.name].stop))
        rows["observing"].append(observing)
        rows["acting"].append(acting)
        rows["gain"].append(ministries.trust_gain[blocks[target.name]])
        rows["loss"].append(ministries.trust_loss[blocks[target.name]])
    m_t, m_s = (max(len(r) for r in rows[k]) for k in ("targets", "sources"))
    return RandomEventPlan(
        spec=spec,
        targets=_pad(rows["targets"], m_t, n),
        sources=_pad(rows["sources"], m_s, n),
        observing=_pad(rows["observing"], m_t, 0.0),
        acting=_pad(rows["acting"], m_s, 0.0),
        gain=_pad(rows["gain"], m_t, 0.0),
        loss=_pad(rows["loss"], m_t, 0.0),
        source_names=np.array([s for s, _ in spec.pairs], dtype=object),
        target_names=np.array([t for _, t in spec.pairs], dtype=object),
    )
