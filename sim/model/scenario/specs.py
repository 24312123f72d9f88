"""Scenarios as plain typed objects: countries and their ministries, issues, meetings, the calendar and events.

A scenario names everything the engine works with: countries and their ministries, the issues (cooperative items,
frictions and the dimensions of any settlement talks), meeting formats, the calendar that repeats them, the scheduled
events (by round, or by date once ``calendar_start`` says which month round 1 is) and the random events drawn at a
rate. The world can change during a run: dated pauses of the calendar, measures in force for a stretch of rounds,
acts involving outside actors that countries read by their stances, and dated changes of parameters (each phase of
the run a whole scenario of its own). Nothing in the engine knows a country or an issue by name.

``ScenarioSpec.from_dict`` (:mod:`sim.model.scenario.parse`) checks every value before a run starts and raises
:class:`~sim.model.errors.ScenarioError` naming the key path, the value and what is allowed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sim.model.rules.confidence import generous_forgiveness

PROTOCOLS = ("concession", "alternating_offers")
MAX_OUTCOMES = 100_000  # settlement outcomes (the product of the dimensions' option counts) a talks may have
RESERVED = "default"  # the key that gives every country the same value in per-country values

# What a scenario takes for a key it leaves out: the one place for each default (Behaviour's and Talks' optional
# fields carry theirs as field defaults).
DEFAULTS: dict[str, object] = {
    "spillover": 0.3,  # share of an observation that reaches a country's other ministries
    "shock_scale": 0.5,  # how far a Goldstein ±10 event moves confidence
    "round_months": 1,  # months per round, once calendar_start gives dates
    "quota": 0.5,  # share of influence that ratifies a deal
    "influence": 1.0,  # a ministry's weight at home before normalising (equal weights)
    "veto": False,
    "severity": 0.5,  # of a friction
    "horizon": 12,  # sessions until each side has conceded to its reservation value
    "confidence_effect": 1.0,  # how strongly confidence speeds concession
    "protocol": "concession",
    "weight": 1.0,  # of a meeting format, or of an event's Goldstein value
    "every": 1,  # rounds between meetings of a calendar entry
    "start": 1,  # round of a calendar entry's first meeting
}

# The CAMEO code each kind of act the model generates is written with (docs/model.md §3.1), unless the scenario's
# ``acts`` block gives another. A measure imposed is written with its own code.
ACT_CAMEO: dict[str, str] = {
    "accepted": "031",  # found a cooperative item worth adopting: intent to engage in material cooperation (+5.2)
    "refused": "121",  # reject material cooperation (-4.0)
    "carried_out": "060",  # engage in material cooperation (+6.0)
    "broke": "160",  # reduce relations (-4.0)
    "raised": "111",  # a friction raised: criticize or denounce (-2.0)
    "understood": "018",  # make empathetic comment (+3.4)
    "rebuffed": "120",  # reject (-4.0)
    "offer": "037",  # a proposal in the talks: express intent to settle dispute (+5.0)
    "position": "100",  # a position tabled, terms the other side's home would not ratify now: demand (-5.0)
    "declined": "12",  # a proposal refused at the table: reject (-4.0)
    "criticised": "111",  # a proposal refused as one its home would never ratify: criticize or denounce (-2.0)
    "signed": "057",  # a deal ratified by both sides: sign formal agreement (+8.0), each side towards the other
    "rejected": "12",  # a deal rejected at home: reject (-4.0), the rejecting side towards the other
    "lifted": "085",  # a conflictual measure lifted: ease economic sanctions, boycott, embargo (+7.0)
    "ended": "160",  # a cooperative measure ended: reduce relations (-4.0)
}


@dataclass(frozen=True, slots=True)
class Behaviour:
    """How a ministry reacts and bargains (the scenario's ``ministry_defaults`` block sets them for all)."""

    trust_gain: float = 0.15  # α⁺: share of the gap to full confidence closed by a cooperative act
    trust_loss: float = 0.30  # α⁻: share of confidence lost to a defection or hostile act (α⁻ > α⁺)
    forgiveness: float = generous_forgiveness()  # g: probability of forgiving a defection (generous TFT: 1/3)
    drift: float = 0.02  # share of the gap to the baseline closed each round between contacts
    reliability: float = 0.9  # probability of carrying out an adopted item when confidence is full
    hawkishness: float = 0.2  # weight of distrust in carrying out items and ratifying deals
    concession: float = 1.0  # concession exponent: < 1 Boulware, 1 linear, > 1 conceder
    memory: float = 0.0  # share of the gap to current confidence the baseline closes each round (0: a fixed baseline)


BEHAVIOUR_RANGES: dict[str, tuple[float, float]] = {
    "trust_gain": (0.0, 1.0),
    "trust_loss": (0.0, 1.0),
    "forgiveness": (0.0, 1.0),
    "drift": (0.0, 1.0),
    "reliability": (0.0, 1.0),
    "hawkishness": (0.0, 1.0),
    "concession": (0.01, 100.0),
    "memory": (0.0, 1.0),
}
DEFAULT_CONFIDENCE = 0.5  # starting confidence in a counterpart a ministry does not list


@dataclass(frozen=True, slots=True)
class MinistrySpec:
    """A ministry (or leader's office) of a country: its role, weight at home, priorities and confidence."""

    name: str
    country: str
    role: str
    influence: float  # share of the country's decisions, normalised within the country
    veto: bool  # whether it can block ratification alone
    priorities: Mapping[str, float]  # over the scenario's issues, non-negative, summing to 1
    confidence: Mapping[str, float]  # in each foreign ministry, keyed "country.ministry"
    behaviour: Behaviour

    @property
    def key(self) -> str:
        return f"{self.country}.{self.name}"


@dataclass(frozen=True, slots=True)
class CountrySpec:
    """A country: its ministries and the share of their influence that ratifies a deal."""

    name: str
    ministries: tuple[MinistrySpec, ...]
    quota: float


@dataclass(frozen=True, slots=True)
class CooperativeItem:
    """A cooperation proposal: carried out by each side's ``lead`` ministry, with a benefit and an exposure per side."""

    name: str
    lead: str
    benefit: Mapping[str, float]
    exposure: Mapping[str, float]


@dataclass(frozen=True, slots=True)
class Friction:
    """A grievance ``raised_by`` one country, which ``against`` answers with understanding or not."""

    name: str
    raised_by: str
    against: str
    severity: float


@dataclass(frozen=True, slots=True)
class Dimension:
    """One dimension of a settlement: ordered options and each party's value of each option in [0, 1]."""

    name: str
    options: tuple[str, ...]
    values: Mapping[str, tuple[float, ...]]
    applies_when: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # another dimension → its options where
    #                                     this one applies; elsewhere it is moot and takes its status-quo option


@dataclass(frozen=True, slots=True)
class Talks:
    """Bilateral settlement talks over a multi-dimensional outcome space, against a status quo."""

    name: str
    parties: tuple[str, str]
    dimensions: tuple[Dimension, ...]
    status_quo: Mapping[str, str]
    horizon: int  # sessions after which each side has conceded to its reservation value
    confidence_effect: float  # how strongly confidence speeds concession
    protocol: str  # "concession" (time-dependent aspirations) or "alternating_offers" (Rubinstein)
    margin: float = 0.0  # how much better than the status quo a settlement must leave each party (strictly more)
    discount: float = 0.9  # each party's discount factor per session at confidence ½ (alternating offers)
    deadline: int | None = None  # sessions after which the talks end unsettled; None: no deadline
    anticipate: bool = True  # proposals anticipate ratification: only within both win-sets as the proposer sees them
    reoffer_after: float = 0.05  # rise in the proposer's confidence after which terms rejected at home return
    positions: bool = True  # with no term it judges both homes would ratify, a proposer tables a position (not silence)
    rejection_goldstein: float = -4.0  # how the other side reads a deal rejected at home (CAMEO 12, "Reject")


@dataclass(frozen=True, slots=True)
class MeetingFormat:
    """A kind of meeting: who attends (by role), what is on its agenda and how much it weighs."""

    name: str
    roles: tuple[str, ...]
    agenda: tuple[str, ...]
    weight: float


@dataclass(frozen=True, slots=True)
class Pause:
    """A stretch of rounds in which a calendar entry does not meet: ``start`` ≤ round < ``until`` (None: for good)."""

    start: int
    until: int | None
    reason: str
    kind: str  # "suspended" or "ended"

    def covers(self, round_: int) -> bool:
        return self.start <= round_ and (self.until is None or round_ < self.until)


@dataclass(frozen=True, slots=True)
class CalendarEntry:
    """A meeting of a format: recurring every ``every`` rounds from ``start``, or on the given rounds ``once``.

    It brings together each of its ``pairs`` of countries: all pairs of its countries (a summit or a multilateral
    forum, whose chair rotates through ``hosts``), or a given list of pairs meeting bilaterally in the same round
    (no chair: the two sides take turns to propose first).

    A series changes: dated ``pauses`` suspend or end it (the scenario's ``calendar_changes``), and by rule a
    meeting lapses in a replicate while some member's confidence in another is below ``lapse_below``, or the series
    ends there for good the first time it falls below ``withdraw_below`` (a party withdraws).
    """

    name: str
    format: str
    countries: tuple[str, ...]
    pairs: tuple[tuple[str, str], ...]
    every: int
    start: int
    hosts: tuple[str, ...]
    once: tuple[int, ...] = ()  # one-off meetings: the rounds they are held in (then every/start are unused)
    pauses: tuple[Pause, ...] = ()  # not overlapping
    lapse_below: float = 0.0  # 0: never lapses
    withdraw_below: float = 0.0  # 0: nobody withdraws

    def scheduled(self, round_: int) -> bool:
        """Whether the calendar has a meeting of this entry in ``round_`` (held or not)."""
        if self.once:
            return round_ in self.once
        return round_ >= self.start and (round_ - self.start) % self.every == 0

    def pause(self, round_: int) -> Pause | None:
        """The pause that keeps a scheduled meeting of ``round_`` from being held, if any."""
        return next((p for p in self.pauses if p.covers(round_)), None)

    @property
    def by_rule(self) -> bool:
        """Whether confidence can keep a meeting from being held (then it differs between replicates)."""
        return self.lapse_below > 0 or self.withdraw_below > 0

    def turn(self, round_: int) -> int:
        """Which meeting of the series the one scheduled in ``round_`` is, from 0 (one-off meetings in their order)."""
        return self.once.index(round_) if self.once else (round_ - self.start) // self.every

    def host(self, round_: int) -> str:
        """The chair in ``round_``, or "" for a series of bilateral pairs."""
        return self.hosts[self.turn(round_) % len(self.hosts)] if self.hosts else ""


@dataclass(frozen=True, slots=True)
class Event:
    """A scheduled act of ``source`` towards ``target`` (a country or ``country.ministry``) on Goldstein's scale."""

    round: int
    source: str
    target: str
    goldstein: float  # the code's value (or the value given), times the event's weight
    cameo: str | None
    note: str


@dataclass(frozen=True, slots=True)
class RandomEvents:
    """Events drawn each round: for each directed ``(source, target)`` pair, one strikes with probability ``rate``.

    Its value is drawn uniformly among ``cameo`` codes (whose Goldstein values are ``goldstein``), or, without codes,
    uniformly in the range ``goldstein = (low, high)``. Shocks "drawn at a rate" beside scheduled ones
    (docs/model.md §3).
    """

    name: str
    rate: float
    pairs: tuple[tuple[str, str], ...]
    cameo: tuple[str, ...]
    goldstein: tuple[float, ...]
    note: str


@dataclass(frozen=True, slots=True)
class Measure:
    """A lasting act of ``source`` towards ``target`` (sanctions, an embargo, a deployment, a joint programme).

    In force from round ``start`` until before ``until`` (None: to the end of the run), it is observed every round
    like an event of Goldstein value ``goldstein`` (the code's value times the measure's weight).
    """

    name: str
    source: str
    target: str
    goldstein: float
    cameo: str | None
    start: int
    until: int | None
    note: str

    def in_force(self, round_: int) -> bool:
        return self.start <= round_ and (self.until is None or round_ < self.until)


@dataclass(frozen=True, slots=True)
class Change:
    """Dated changes to parameters, applied between rounds: from round ``round`` on, each key path has its value."""

    round: int
    values: Mapping[str, object]  # key path under the scenario (countries.russia.quota) → new value
    note: str


@dataclass(frozen=True, eq=False)
class ScenarioSpec:
    """Everything a run needs besides its seed and length.

    Compared and hashed by identity, so that the model can keep the arrays it derives from a scenario for reuse.
    """

    name: str
    description: str
    countries: tuple[CountrySpec, ...]
    cooperation: tuple[CooperativeItem, ...]
    frictions: tuple[Friction, ...]
    talks: tuple[Talks, ...]
    formats: tuple[MeetingFormat, ...]
    calendar: tuple[CalendarEntry, ...]
    events: tuple[Event, ...]
    random_events: tuple[RandomEvents, ...]
    calendar_start: str | None  # 'YYYY-MM' of round 1, if the scenario gives dates
    round_months: int  # months per round
    spillover: float  # share of an observation that reaches a country's other ministries
    shock_scale: float  # how far a Goldstein ±10 event moves confidence (as a share of the gap)
    measures: tuple[Measure, ...] = ()
    outside_actors: tuple[str, ...] = ()  # actors of events and measures that are not at the table
    stances: Mapping[str, Mapping[str, float]] = field(default_factory=dict)  # observer → actor → alignment in [-1, 1]
    changes: tuple[Change, ...] = ()
    phases: tuple[tuple[int, ScenarioSpec], ...] = ()  # the scenario in force from each round with changes on
    acts: Mapping[str, str] = field(default_factory=lambda: dict(ACT_CAMEO))  # act kind → CAMEO code (events out)

    @property
    def issues(self) -> tuple[str, ...]:
        """Names that priorities are over: cooperative items, frictions and talk dimensions."""
        dims = tuple(d.name for t in self.talks for d in t.dimensions)
        return tuple(i.name for i in self.cooperation) + tuple(f.name for f in self.frictions) + dims

    @property
    def ministries(self) -> tuple[MinistrySpec, ...]:
        return tuple(m for c in self.countries for m in c.ministries)

    @classmethod
    def from_dict(cls, data: Mapping, path: str = "scenario") -> ScenarioSpec:
        """Check and build a scenario from a plain mapping; raise :class:`ScenarioError` on the first mistake."""
        from sim.model.scenario.parse import parse_scenario  # the parser builds these objects: it imports this module

        return parse_scenario(data, path)
