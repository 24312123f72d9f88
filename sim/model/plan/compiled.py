"""What a scenario compiles to before its first round: computed once per scenario, shared by runs and by both models.

Confidence lives in an (R, M + 1, M + 1) array: R replicates, M ministries, plus one padding row and column (index
M) so that countries with fewer ministries than the largest one at a meeting can be stacked into regular arrays.
Padded entries carry zero weight everywhere, so they never move and never count.

A calendar entry becomes an :class:`EntryPlan`: its D dyads (pairs of attending countries; a multilateral forum is all
its pairs) with, for each side, (D, m) arrays of the delegation's ministries and their parameters.

A plan is built from the scenario's structure and its :class:`Values` — the numbers a study may vary (behaviour,
starting confidence, spill-over, shock scale, frictions' severities, items' benefits and exposures, the talks' pace,
events' weights). Every array derived from a value is computed with broadcasting over leading axes, so a batch whose
replicates take different values (``Values`` with a leading replicate axis R) compiles into one plan whose
value-dependent arrays are (R, …) and whose structure is shared: the replicate axis is always the first. A replicate of
such a batch computes what its own scenario's plan computes, operation for operation, hence the same bits
(:func:`batch_plan`).
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
    RandomEvents,
    ScenarioSpec,
)

SIGN_AGREEMENT = "057"  # CAMEO "Sign formal agreement": how each side reads a ratified settlement
BEHAVIOUR = tuple(f.name for f in fields(Behaviour))


@dataclass(frozen=True)
class Values:
    """The values of a scenario that a study may vary, as arrays in the scenario's order; each may carry a leading
    replicate axis (R, …) where the replicates of a batch take different values, and the plan broadcasts the rest."""

    trust_gain: np.ndarray  # (…, M) per ministry, in confidence-matrix order: its behaviour (Behaviour's fields)
    trust_loss: np.ndarray
    forgiveness: np.ndarray
    drift: np.ndarray
    reliability: np.ndarray
    hawkishness: np.ndarray
    concession: np.ndarray
    memory: np.ndarray
    initial: np.ndarray  # (…, M, M): each ministry's starting confidence in each other (0 within its country)
    spillover: np.ndarray  # (…)
    shock_scale: np.ndarray  # (…)
    severity: np.ndarray  # (…, F) per friction
    benefit: np.ndarray  # (…, I, C) per cooperative item and country
    exposure: np.ndarray  # (…, I, C)
    confidence_effect: np.ndarray  # (…, T) per set of talks
    discount: np.ndarray  # (…, T)
    horizon: np.ndarray  # (…, T)
    goldstein: np.ndarray  # (…, E) per scheduled event: its Goldstein value (the code's, times its weight)

    @classmethod
    def of(cls, scenario: ScenarioSpec) -> Values:
        """The values as the scenario sets them (no replicate axis)."""
        specs = scenario.ministries
        index = {m.key: i for i, m in enumerate(specs)}
        initial = np.zeros((len(specs), len(specs)))
        for i, m in enumerate(specs):
            initial[i, [index[key] for key in m.confidence]] = list(m.confidence.values())
        countries = [c.name for c in scenario.countries]
        return cls(
            **{b: np.array([getattr(m.behaviour, b) for m in specs]) for b in BEHAVIOUR},
            initial=initial,
            spillover=np.array(scenario.spillover),
            shock_scale=np.array(scenario.shock_scale),
            severity=np.array([f.severity for f in scenario.frictions]),
            benefit=np.array([[i.benefit[c] for c in countries] for i in scenario.cooperation]).reshape(
                -1, len(countries)
            ),
            exposure=np.array([[i.exposure[c] for c in countries] for i in scenario.cooperation]).reshape(
                -1, len(countries)
            ),
            confidence_effect=np.array([t.confidence_effect for t in scenario.talks]),
            discount=np.array([t.discount for t in scenario.talks]),
            horizon=np.array([t.horizon for t in scenario.talks], dtype=float),
            goldstein=np.array([e.goldstein for e in scenario.events]),
        )

    @property
    def replicates(self) -> int | None:
        """R where some value has a replicate axis, None where none has."""
        for f in fields(self):
            value, shape = getattr(self, f.name), getattr(_UNBATCHED, f.name)
            if np.ndim(value) > shape:
                return int(np.shape(value)[0])
        return None


@dataclass(frozen=True)
class _Dims:
    """The number of axes each field of :class:`Values` has without a replicate axis."""

    trust_gain: int = 1
    trust_loss: int = 1
    forgiveness: int = 1
    drift: int = 1
    reliability: int = 1
    hawkishness: int = 1
    concession: int = 1
    memory: int = 1
    initial: int = 2
    spillover: int = 0
    shock_scale: int = 0
    severity: int = 1
    benefit: int = 2
    exposure: int = 2
    confidence_effect: int = 1
    discount: int = 1
    horizon: int = 1
    goldstein: int = 1


_UNBATCHED = _Dims()


def padded(values: np.ndarray, fill: float = 0.0) -> np.ndarray:
    """Per-ministry values (…, M) with a padding entry at index M (…, M + 1)."""
    return np.concatenate([values, np.full((*np.shape(values)[:-1], 1), fill)], axis=-1)


@dataclass(frozen=True)
class MinistryArrays:
    """Every ministry's values, one entry per ministry in confidence-matrix order (…, M): what both models read of a
    ministry, the engine as arrays and the agents one entry each."""

    influence: np.ndarray  # within its country (structure: never varies between replicates)
    veto: np.ndarray
    trust_gain: np.ndarray  # α⁺
    trust_loss: np.ndarray  # α⁻
    forgiveness: np.ndarray
    drift: np.ndarray
    reliability: np.ndarray
    hawkishness: np.ndarray
    concession: np.ndarray
    memory: np.ndarray


@dataclass(frozen=True)
class SideArrays:
    """One side of every dyad of a calendar entry: (D, m) arrays over its ministries, padded to m; those that depend
    on a value are (…, D, m)."""

    names: tuple[str, ...]  # the country of each dyad's side
    rows: np.ndarray  # matrix index of each ministry (M for padding)
    influence: np.ndarray  # within the country (0 for padding)
    delegation: np.ndarray  # influence within the delegation at the table; rows sum to 1
    involvement: np.ndarray  # (…, D, m): how directly each takes part: 1 at the table, the spill-over at home
    gain: np.ndarray  # (…, D, m), as the four after it
    loss: np.ndarray
    forgiveness: np.ndarray
    reliability: np.ndarray
    hawkishness: np.ndarray
    delegation_hawkishness: np.ndarray  # (…, D)
    concession: np.ndarray  # (…, D): the delegation's concession exponent (influence-weighted geometric mean)


@dataclass(frozen=True)
class ItemArrays:
    """A cooperative item as the delegations of every dyad take it up; pairs of arrays, one per side."""

    name: str
    votes: tuple[np.ndarray, np.ndarray]  # (D, m): influence × priority within the delegation
    lead: tuple[np.ndarray, np.ndarray]  # (D,): which ministry carries it out
    acting: tuple[np.ndarray, np.ndarray]  # (…, D, m): 1 for the lead ministry, spill-over for its government
    benefit: tuple[np.ndarray, np.ndarray]  # (…, D)
    exposure: tuple[np.ndarray, np.ndarray]  # (…, D)


@dataclass(frozen=True)
class FrictionAt:
    """A friction on an entry's agenda, at the dyad of the two countries it concerns."""

    friction: Friction
    dyad: int
    raiser: int  # side of the dyad that raises it
    salience: np.ndarray  # (m,): how strongly each of the raiser's ministries reacts to the answer (0 for padding)
    severity: np.ndarray  # (…): the friction's severity


@dataclass(frozen=True)
class TalksAt:
    """Settlement talks on an entry's agenda, at the dyad of their two parties."""

    talks: TalksPlan
    dyad: int
    order: tuple[int, int]  # dyad side of party 0 and of party 1
    sign: np.ndarray  # (…): Goldstein strength of a ratified settlement (CAMEO 057) at this meeting's weight
    reject: np.ndarray  # (…): strength of a deal rejected at home (the talks' rejection_goldstein), likewise


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
    observing: np.ndarray  # (…, m_observer): 1 for the observing actor, spill-over for the rest of its government
    acting: np.ndarray  # (…, m_actor)
    rates: np.ndarray  # (…, m_observer): trust_gain or trust_loss by the sign of the act
    strength: np.ndarray  # (…): its strength, ≥ 0
    good: bool  # read as cooperation (or as a defection)


@dataclass(frozen=True)
class EventPlan:
    """A scheduled event and who observes it (the target if at the table, and third countries by their stances)."""

    event: Event
    observations: tuple[Observation, ...]
    goldstein: np.ndarray  # (…): its Goldstein value (the event's own, or per replicate of a batch)


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
    observing: np.ndarray  # (…, P, m_t): 1 for the target actor, spill-over for the rest of its government, 0 padding
    acting: np.ndarray  # (…, P, m_s): 1 for the source actor, spill-over for the rest of its government
    gain: np.ndarray  # (…, P, m_t): the observers' trust_gain
    loss: np.ndarray  # (…, P, m_t): the observers' trust_loss
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
    """Matrix layout, starting arrays, compiled meetings, talks and events of a scenario; value-dependent arrays may
    carry a leading replicate axis (a batch: :func:`batch_plan`)."""

    scenario: ScenarioSpec
    values: Values
    blocks: dict[str, slice]  # each country's ministries' rows (and columns) in the confidence matrix
    ministries: MinistryArrays  # every ministry's values (…, M)
    starts: np.ndarray  # first row of each country
    initial: np.ndarray  # (…, M + 1, M + 1) starting confidence, also the starting baseline it drifts back to
    keep: np.ndarray  # (…, M + 1, 1): 1 − drift rate
    pull: np.ndarray  # (…, M + 1, M + 1): drift rate × starting baseline
    rate: np.ndarray  # (…, M + 1, 1): drift rate
    memory: np.ndarray  # (…, M + 1, 1): how fast each ministry's baseline follows its confidence
    remembers: bool  # whether some baseline moves with experience (otherwise it stays the starting confidence)
    shock_scale: np.ndarray  # (…)
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

    @property
    def replicates(self) -> int | None:
        """R for a batch whose replicates take different values; None for one scenario's plan."""
        return self.values.replicates


@lru_cache(maxsize=32)
def plan_for(scenario: ScenarioSpec) -> Plan:
    """The plan of ``scenario`` (cached: scenarios are immutable and hashed by identity)."""
    return batch_plan(scenario, Values.of(scenario))


def batch_plan(scenario: ScenarioSpec, values: Values) -> Plan:
    """The plan of ``scenario``'s structure with ``values`` (from :meth:`Values.of`, some with a leading replicate
    axis): what each replicate's own scenario would compile to, stacked where its values differ."""
    specs = scenario.ministries
    n = len(specs)
    countries = {c.name: c for c in scenario.countries}
    starts = np.cumsum([0, *(len(c.ministries) for c in scenario.countries)])
    blocks = {
        c.name: slice(int(s), int(s) + len(c.ministries)) for c, s in zip(scenario.countries, starts, strict=False)
    }
    ministries = MinistryArrays(
        influence=np.array([m.influence for m in specs]),
        veto=np.array([m.veto for m in specs]),
        **{b: getattr(values, b) for b in BEHAVIOUR},
    )
    initial = np.zeros((*np.shape(values.initial)[:-2], n + 1, n + 1))
    initial[..., :n, :n] = values.initial
    initial.flags.writeable = False
    rate = padded(values.drift)[..., :, None]
    talks = {
        t.name: TalksPlan(
            t,
            (countries[t.parties[0]], countries[t.parties[1]]),
            (blocks[t.parties[0]], blocks[t.parties[1]]),
            values.hawkishness,
            (values.confidence_effect[..., k], values.discount[..., k], values.horizon[..., k]),
        )
        for k, t in enumerate(scenario.talks)
    }
    compiler = _Compiler(scenario, values, countries, blocks, n)
    events = defaultdict(list)
    for k, e in enumerate(scenario.events):
        goldstein = values.goldstein[..., k]
        events[e.round].append(EventPlan(e, compiler.observations(e, goldstein), goldstein))
    return Plan(
        scenario=scenario,
        values=values,
        blocks=blocks,
        ministries=ministries,
        starts=starts[:-1],
        initial=initial,
        keep=drift(1.0, 0.0, rate),  # drift is affine in c: drift(c) = keep·c + pull
        pull=drift(0.0, initial, rate),
        rate=rate,
        memory=padded(values.memory)[..., :, None],
        remembers=bool((values.memory > 0).any()),
        shock_scale=values.shock_scale,
        talks=talks,
        calendar=tuple(compiler.entry(e, talks) for e in scenario.calendar),
        events={r: tuple(es) for r, es in events.items()},
        random_events=tuple(compiler.random_events(e) for e in scenario.random_events),
        measures=tuple(MeasurePlan(m, compiler.observations(m, np.array(m.goldstein))) for m in scenario.measures),
        lapse_rules={k: _lapse_rule(e, list(blocks)) for k, e in enumerate(scenario.calendar) if e.by_rule},
    )


def _lapse_rule(entry: CalendarEntry, countries: list[str]) -> LapseRule:
    directed = [(countries.index(a), countries.index(b)) for p in entry.pairs for a, b in (p, p[::-1])]
    return LapseRule(np.array([a for a, _ in directed]), np.array([b for _, b in directed]))


def _pad(rows: list[np.ndarray], m: int, fill) -> np.ndarray:
    out = np.full((len(rows), m), fill, dtype=np.asarray(rows[0]).dtype)
    for d, r in enumerate(rows):
        out[d, : len(r)] = r
    return out


class _Compiler:
    """The parts of a plan that read a scenario's structure and its values: meetings, observations, random events."""

    def __init__(self, scenario: ScenarioSpec, values: Values, countries: dict, blocks: dict, n: int):
        self.scenario, self.values, self.countries, self.blocks, self.n = scenario, values, countries, blocks, n
        self.spill = np.asarray(values.spillover)
        self.country_index = {c: k for k, c in enumerate(countries)}

    def weights(self, actor: str) -> tuple[CountrySpec, np.ndarray]:
        """An actor's country, and the weight of each of its ministries (…, n): 1 for the actor, spill-over for the
        others. A whole country acts (and observes) with all its ministries; ``country.ministry`` with that one."""
        country, _, ministry = actor.partition(".")
        c = self.countries[country]
        is_actor = np.array([not ministry or m.name == ministry for m in c.ministries])
        return c, observation_weights(is_actor, self.spill[..., None])

    def entry(self, entry: CalendarEntry, talks: dict[str, TalksPlan]) -> EntryPlan:
        scenario, values, n = self.scenario, self.values, self.n
        fmt = next(f for f in scenario.formats if f.name == entry.format)
        pairs = list(entry.pairs)
        attending = [self.countries[c] for c in entry.countries]
        m = max(len(c.ministries) for c in attending)
        rows = _pad([np.arange(self.blocks[c.name].start, self.blocks[c.name].stop) for c in attending], m, n)
        present = _pad([np.array([x.role in fmt.roles for x in c.ministries]) for c in attending], m, False)
        influence = np.where(rows < n, padded(np.array([x.influence for x in self.scenario.ministries]))[rows], 0.0)
        delegation = influence * present / (influence * present).sum(-1, keepdims=True)
        position = {c: k for k, c in enumerate(entry.countries)}
        at = [np.array([position[p[s]] for p in pairs], dtype=int) for s in (0, 1)]
        sides = tuple(
            self._side(rows[at[s]], present[at[s]], influence[at[s]], delegation[at[s]], tuple(p[s] for p in pairs))
            for s in (0, 1)
        )
        items = {i.name: (k, i) for k, i in enumerate(scenario.cooperation)}
        frictions = {f.name: (k, f) for k, f in enumerate(scenario.frictions)}
        dyad_of = {frozenset(p): d for d, p in enumerate(pairs)}
        plan_items, plan_frictions, plan_talks = [], [], []
        for name in fmt.agenda:
            if name in items:
                plan_items.append(self._item(*items[name], attending, rows, present, delegation, at))
            elif name in frictions:
                k, f = frictions[name]
                d = dyad_of.get(frozenset((f.raised_by, f.against)))
                if d is not None:
                    ms = self.countries[f.raised_by].ministries
                    react = [salience(x.priorities[f.name], list(x.priorities.values())) for x in ms]
                    side = 0 if pairs[d][0] == f.raised_by else 1
                    plan_frictions.append(FrictionAt(f, d, side, _pad([react], m, 0.0)[0], values.severity[..., k]))
            elif name in talks:
                t = talks[name]
                d = dyad_of.get(frozenset(p.name for p in t.parties))
                if d is not None:
                    first = 0 if pairs[d][0] == t.parties[0].name else 1
                    sign = goldstein_strength(goldstein_table()[SIGN_AGREEMENT].goldstein, values.shock_scale)
                    reject = goldstein_strength(t.spec.rejection_goldstein, values.shock_scale)
                    plan_talks.append(TalksAt(t, d, (first, 1 - first), fmt.weight * sign, fmt.weight * abs(reject)))
        meeting = EntryPlan(entry, fmt.weight, sides, tuple(plan_items), tuple(plan_frictions), tuple(plan_talks), 0)
        return replace(meeting, slots=meeting_slots(meeting))

    def _side(self, rows, present, influence, delegation, names) -> SideArrays:
        """One side of each dyad: its delegations' structure, and their values gathered by matrix row (padding: M)."""
        v, real = self.values, rows < self.n
        hawkishness = padded(v.hawkishness)[..., rows]
        return SideArrays(
            names=names,
            rows=rows,
            influence=influence,
            delegation=delegation,
            involvement=np.where(real, observation_weights(present, self.spill[..., None, None]), 0.0),
            gain=padded(v.trust_gain)[..., rows],
            loss=padded(v.trust_loss)[..., rows],
            forgiveness=padded(v.forgiveness)[..., rows],
            reliability=padded(v.reliability)[..., rows],
            hawkishness=hawkishness,
            delegation_hawkishness=(delegation * hawkishness).sum(-1),
            concession=delegation_exponent(padded(v.concession, 1.0)[..., rows], delegation),
        )

    def _item(self, k: int, item, attending: list[CountrySpec], rows, present, delegation, at) -> ItemArrays:
        """A cooperative item as each attending country's delegation takes it up, then at each side of each dyad
        (``at[s]``: the attending country on side s of each dyad)."""
        m = rows.shape[1]
        votes, leads = [], []
        for c, d in zip(attending, delegation, strict=True):
            ms = c.ministries
            raw = d[: len(ms)] * np.array([x.priorities[item.name] for x in ms])
            votes.append(raw / raw.sum() if raw.sum() > 0 else d[: len(ms)])
            at_table = [i for i, x in enumerate(ms) if x.role == item.lead and present[attending.index(c), i]]
            leads.append(at_table[0] if at_table else next(i for i, x in enumerate(ms) if x.role == item.lead))
        votes, leads = _pad(votes, m, 0.0), np.array(leads)
        is_lead = np.arange(m)[None, :] == leads[:, None]
        acting = np.where(rows < self.n, np.where(is_lead, 1.0, self.spill[..., None, None]), 0.0)
        country = np.array([self.country_index[c.name] for c in attending])
        benefit = self.values.benefit[..., k, :][..., country]
        exposure = self.values.exposure[..., k, :][..., country]
        return ItemArrays(
            item.name,
            (votes[at[0]], votes[at[1]]),
            (leads[at[0]], leads[at[1]]),
            (acting[..., at[0], :], acting[..., at[1], :]),
            (benefit[..., at[0]], benefit[..., at[1]]),
            (exposure[..., at[0]], exposure[..., at[1]]),
        )

    def observations(self, act: Event | Measure, goldstein: np.ndarray) -> tuple[Observation, ...]:
        """Who reads an act from ``source`` to ``target``, and how strongly: the target (if a scenario country) as an
        act against itself; every other country with a stance, as :func:`balance_strength` says."""
        scenario, countries = self.scenario, self.countries
        strength = goldstein_strength(goldstein, self.values.shock_scale)
        sign = np.sign(act.goldstein)  # the act's direction: a study varies its weight, never its sign
        source, target = act.source.split(".")[0], act.target.split(".")[0]
        readings = []  # (observer, its weights, actor, signed strength, direction)
        if source in countries and target in countries:
            readings.append((*self.weights(act.target), act.source, strength, sign))
        for observer, alignment in scenario.stances.items():
            if observer in (source, target):
                continue
            whole = (countries[observer], np.ones(len(countries[observer].ministries)))
            if source in countries and alignment.get(target, 0.0):
                a = alignment[target]
                readings.append((*whole, act.source, balance_strength(strength, a), sign * np.sign(a)))
            if target in countries and alignment.get(source, 0.0):
                a = alignment[source]
                readings.append((*whole, act.target, balance_strength(strength, a), sign * np.sign(a)))
        out = []
        for country, observing, actor, signed, direction in readings:
            actor_country, acting = self.weights(actor)
            block = self.blocks[country.name]
            good = bool(direction >= 0)
            rates = (self.values.trust_gain if good else self.values.trust_loss)[..., block]
            out.append(Observation(block, self.blocks[actor_country.name], observing, acting, rates, abs(signed), good))
        return tuple(out)

    def random_events(self, spec: RandomEvents) -> RandomEventPlan:
        n, blocks = self.n, self.blocks
        rows: dict[str, list[np.ndarray]] = defaultdict(list)
        for source_name, target_name in spec.pairs:
            target, observing = self.weights(target_name)
            source, acting = self.weights(source_name)
            rows["targets"].append(np.arange(blocks[target.name].start, blocks[target.name].stop))
            rows["sources"].append(np.arange(blocks[source.name].start, blocks[source.name].stop))
            rows["observing"].append(observing)
            rows["acting"].append(acting)
        m_t, m_s = (max(len(r) for r in rows[k]) for k in ("targets", "sources"))
        targets, sources = _pad(rows["targets"], m_t, n), _pad(rows["sources"], m_s, n)
        return RandomEventPlan(
            spec=spec,
            targets=targets,
            sources=sources,
            observing=_stack_padded(rows["observing"], m_t),
            acting=_stack_padded(rows["acting"], m_s),
            gain=padded(self.values.trust_gain)[..., targets],
            loss=padded(self.values.trust_loss)[..., targets],
            source_names=np.array([s for s, _ in spec.pairs], dtype=object),
            target_names=np.array([t for _, t in spec.pairs], dtype=object),
        )


def _stack_padded(rows: list[np.ndarray], m: int) -> np.ndarray:
    """Per-pair weights (…, n_p) stacked into (…, P, m), padded with 0."""
    lead = np.broadcast_shapes(*(np.shape(r)[:-1] for r in rows))
    out = np.zeros((*lead, len(rows), m))
    for p, r in enumerate(rows):
        out[..., p, : np.shape(r)[-1]] = r
    return out


def event_plan(event: Event, scenario: ScenarioSpec) -> EventPlan:
    """The plan of one event of ``scenario``, e.g. one added by hand during a run."""
    plan = plan_for(scenario)
    compiler = _Compiler(scenario, plan.values, {c.name: c for c in scenario.countries}, plan.blocks, plan.size)
    goldstein = np.array(event.goldstein)
    return EventPlan(event, compiler.observations(event, goldstein), goldstein)
