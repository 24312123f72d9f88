"""Seats: a person decides in the agent model where a ministry, a country's delegation or a leader's office would
decide by its rules.

Every decision of the agents goes through one mechanism, :meth:`Seats.decide`: the agent works out what its rules
decide (``rule``) and asks the model's seats. Where no person holds the seat of the agent that decides, the rule
stands, so a model without seats — or whose seats always answer :data:`RULES` — is the engine's model, draw for
draw. Where a person holds it, the :class:`Question` (what is asked, what each choice means, and what the seat can
know: a :class:`~sim.model.agents.seat_view.SeatView`) goes to the seats' ``answer``, and its choice is taken
instead. The draws are the same either way (each has its slot in the dice), so a person's choice changes what follows
from it and nothing else. Every decision, the agents' and the seats', is kept in the minutes (:class:`Minute`).

Who decides what (:meth:`Seat.decides`):

=====================================  =====================================  ==============================
decision                               a ministry's seat (``japan.foreign``)  a country's seat (``japan``)
=====================================  =====================================  ==============================
adopt a cooperative item or refuse it  its vote in its delegation             the delegation's decision
carry out or break an adopted item     where it leads the item                always
answer a friction; table and answer    where it heads the delegation          always
in the talks
ratify a deal at home                  its vote                               the country's decision
=====================================  =====================================  ==============================

A delegation's head is its member at the table with the most influence (the first listed, if tied): it speaks for
the delegation. A leader's office is a ministry (``japan.leader``): it heads the delegation at summits.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from sim.model.agents.seat_view import SeatView, terms_text, view_of
from sim.model.errors import ScenarioError, one_of, quote
from sim.model.record.records import Proposal
from sim.model.scenario.specs import ScenarioSpec

if TYPE_CHECKING:
    from sim.model.agents.mesa_model import NegotiationModel
    from sim.model.plan.compiled import EntryPlan
    from sim.model.plan.talks import TalksPlan

RULES = "rules"  # the answer that lets the rules decide, as they would without a seat


class Ask(StrEnum):
    """A decision a seat can be asked to take."""

    VOTE = "vote"  # a ministry's vote on adopting a cooperative item, in its delegation
    ADOPT = "adopt"  # a delegation's decision to adopt a cooperative item or refuse it
    CARRY_OUT = "carry_out"  # carry out or break an adopted item it leads
    FRICTION = "friction"  # answer a friction raised against its country
    TABLE = "table"  # what to table when it has the floor in the talks
    ANSWER = "answer"  # accept or refuse what the other side tabled
    SUPPORT = "support"  # a ministry's vote on ratifying a deal at home
    RATIFY = "ratify"  # a country's decision to ratify a deal or reject it

    @property
    def stage(self) -> str:
        """The step of the agenda the decision belongs to."""
        return STAGES[self]

    @property
    def simultaneous(self) -> bool:
        """Whether both sides decide at this stage at once, neither knowing the other's decision (adopting an item,
        carrying it out, ratifying a deal); the talks' turns and a friction's answer follow what was said."""
        return self.stage in ("adopt", "carry out", "ratify")

    @property
    def private(self) -> bool:
        """Whether the decision is a ministry's own vote, known only to its government."""
        return self in (Ask.VOTE, Ask.SUPPORT)


STAGES = {
    Ask.VOTE: "adopt",
    Ask.ADOPT: "adopt",
    Ask.CARRY_OUT: "carry out",
    Ask.FRICTION: "friction",
    Ask.TABLE: "talks",
    Ask.ANSWER: "talks",
    Ask.SUPPORT: "ratify",
    Ask.RATIFY: "ratify",
}


@dataclass(frozen=True)
class Option:
    """A choice: its key (what :meth:`~sim.model.agents.game.Game.decide` takes) and what it means."""

    key: str
    meaning: str


CHOICES: dict[Ask, tuple[Option, Option]] = {  # a yes-or-no decision: the first option is yes
    Ask.VOTE: (
        Option(
            "adopt",
            "your ministry's weight in the delegation goes to adopting it (an item is adopted when both "
            "delegations accept it)",
        ),
        Option("refuse", "your ministry's weight goes against it"),
    ),
    Ask.ADOPT: (
        Option(
            "adopt",
            "your delegation accepts it; adopted if the other accepts too, then each side's lead ministry "
            "carries it out or breaks it",
        ),
        Option("refuse", "your delegation refuses it: the other side reads a refusal, nothing is carried out"),
    ),
    Ask.CARRY_OUT: (
        Option("carry_out", "do what was agreed: the other side reads cooperation and its confidence in you rises"),
        Option("break", "do not: the other side reads a defection, and its confidence falls unless it forgives"),
    ),
    Ask.FRICTION: (
        Option("understand", "answer with understanding: the raiser's confidence in you rises"),
        Option("rebuff", "rebuff it: the raiser's confidence in you falls"),
    ),
    Ask.ANSWER: (
        Option("accept", "accept these terms at the table; then both homes vote on ratifying them"),
        Option("refuse", "refuse them; the talks go on"),
    ),
    Ask.SUPPORT: (
        Option("for", "your ministry votes for ratifying the deal"),
        Option("against", "your ministry votes against it (a veto holder against blocks it)"),
    ),
    Ask.RATIFY: (
        Option("ratify", "your country ratifies the deal: settled if the other side ratifies it too"),
        Option("reject", "your country rejects it at home: the other side reads a defection"),
    ),
}
PARTS = {  # a decision as a line of the calendar ahead
    Ask.VOTE: "vote on {}",
    Ask.ADOPT: "adopt {} or not",
    Ask.CARRY_OUT: "carry out {} if adopted",
    Ask.FRICTION: "answer {}",
    Ask.TABLE: "negotiate {}",
    Ask.SUPPORT: "vote at home on any deal of {}",
    Ask.RATIFY: "ratify any deal of {} or not",
}
TALKS_ASKS = (Ask.TABLE, Ask.ANSWER, Ask.SUPPORT, Ask.RATIFY)
LET_THE_RULES = Option(RULES, "let your staff decide as the model's rules would")


def choice_of(ask: Ask, rule) -> str:
    """The key of the option the rules chose: ``rule`` is a bool (yes or no) or, for :attr:`Ask.TABLE`, the
    :class:`Proposal` and the outcome tabled."""
    if ask is not Ask.TABLE:
        return CHOICES[ask][0 if rule else 1].key
    kind, outcome = rule
    return "silent" if kind == Proposal.SILENT else f"{Proposal(kind).label} {outcome + 1}"


def value_of(ask: Ask, key: str, talks: TalksPlan | None):
    """What a choice does, in the rules' terms: a bool, or for :attr:`Ask.TABLE` the :class:`Proposal` and the
    outcome."""
    if ask is not Ask.TABLE:
        return key == CHOICES[ask][0].key
    if key == "silent":
        return Proposal.SILENT, talks.status_quo
    kind, number = key.split()
    return Proposal[kind.upper()], int(number) - 1


def table_options(talks: TalksPlan, side: int) -> tuple[Option, ...]:
    """What a party may table: any deal but the status quo, as an offer or as a position, or nothing."""
    u, party = talks.utility[side], talks.parties[side].name
    meanings = {
        "offer": "propose deal {} ({}) as a deal: the other side accepts it if it is worth what it asks for now",
        "position": "state deal {} ({}) as your position: accepted only if the other side's home would ratify it now",
    }
    options = [
        Option(f"{kind} {n + 1}", f"{meaning.format(n + 1, terms_text(talks, n))}; worth {u[n]:.2f} to {party}")
        for kind, meaning in meanings.items()
        for n in range(len(talks.grid))
        if n != talks.status_quo
    ]
    return (*options, Option("silent", "table nothing this time"))


class Seat(NamedTuple):
    """A place a person takes: a ministry (or leader's office) of a country, or the whole country's delegation."""

    country: str
    ministry: str | None = None  # its key, "japan.foreign"; None: the country's whole delegation

    @property
    def name(self) -> str:
        return self.ministry or self.country

    def decides(self, ask: Ask, country: str, ministry: str | None) -> bool:
        """Whether it takes decision ``ask`` of ``country``, where ``ministry`` acts (the voter, the item's lead or the
        delegation's head; None for a delegation's decision on an item or a country's ratification)."""
        if country != self.country:
            return False
        if self.ministry is None:
            return not ask.private  # its ministries' votes make up the decisions it takes itself
        return ministry == self.ministry and ask not in (Ask.ADOPT, Ask.RATIFY)

    def part(self, meeting: EntryPlan, scenario: ScenarioSpec) -> tuple[str, ...]:
        """What it decides at a meeting of ``meeting`` (nothing: its country attends, or it hears of it)."""
        parts = []
        for d in range(meeting.dyads):
            for s in (0, 1):
                side = meeting.sides[s]
                if side.names[d] != self.country:
                    continue
                keys = [scenario.ministries[i].key for i in side.rows[d] if i < len(scenario.ministries)]
                head = keys[int(np.argmax(side.delegation[d, : len(keys)]))]
                decisions = []  # (ask, the acting ministry, about)
                for item in meeting.items:
                    decisions += [(Ask.VOTE, k, item.name) for j, k in enumerate(keys) if item.votes[s][d][j] > 0]
                    decisions += [(Ask.ADOPT, None, item.name), (Ask.CARRY_OUT, keys[item.lead[s][d]], item.name)]
                for f in meeting.frictions:
                    if f.dyad == d and f.raiser != s:
                        decisions.append((Ask.FRICTION, head, f.friction.name))
                for t in meeting.talks:
                    if t.dyad == d:
                        decisions += [(Ask.TABLE, head, t.talks.name), (Ask.RATIFY, None, t.talks.name)]
                        decisions += [(Ask.SUPPORT, k, t.talks.name) for k in keys]
                with_ = f" with {meeting.sides[1 - s].names[d]}" if meeting.dyads > 1 else ""
                parts += [
                    PARTS[ask].format(about) + with_
                    for ask, m, about in decisions
                    if self.decides(ask, self.country, m)
                ]
        return tuple(dict.fromkeys(parts))


def parse_seats(scenario: ScenarioSpec, seat: str | Sequence[str]) -> tuple[Seat, ...]:
    """The seats named by ``seat`` (a country, ``country.ministry``, or a list of them), checked: known, and not
    overlapping (a country's seat takes its ministries' decisions)."""
    names = [seat] if isinstance(seat, str) else list(seat) if isinstance(seat, Sequence) else None
    allowed = [c.name for c in scenario.countries] + [m.key for m in scenario.ministries]
    if not names:
        raise ScenarioError("seat", seat, f"a country or country.ministry of {scenario.name}, or a list of them")
    seats = []
    for name in names:
        if name not in allowed:
            raise ScenarioError("seat", name, one_of(allowed, name))
        country, _, ministry = name.partition(".")
        seats.append(Seat(country, name if ministry else None))
    for k, s in enumerate(seats):
        for other in seats[:k]:
            if s.country == other.country and (s.ministry is None or other.ministry is None or s == other):
                raise ScenarioError(
                    "seat", names, "seats that do not overlap (a country's seat takes its ministries' decisions)"
                )
    return tuple(seats)


@dataclass(frozen=True)
class Question:
    """A decision asked of a seat: what is asked (``prompt``), the choices (``options``; the last lets the rules
    decide), the facts of the seat's own that bear on it (``facts``: its confidence, what the item or deal is worth to
    it, …) and everything else the seat can know now (``view``)."""

    ask: Ask
    seat: str
    round: int
    meeting: str  # where it is asked (for a vote at home: where the deal was agreed)
    about: str  # the item, friction or talks
    counterpart: str
    prompt: str
    options: tuple[Option, ...]
    facts: Mapping[str, object]
    view: SeatView

    @property
    def key(self) -> tuple:
        """What identifies the question in a game (the same question in a replay has the same key)."""
        return (self.seat, self.round, self.meeting, self.ask, self.about, self.counterpart)

    def allows(self, choice: object) -> bool:
        return any(choice == o.key for o in self.options)

    def choose(self, choice: object) -> str:
        """The key of ``choice`` (an :class:`Option` or its key), checked against the options."""
        key = choice.key if isinstance(choice, Option) else choice
        if self.allows(key):
            return key
        if self.ask is Ask.TABLE:
            deals, sq = len(self.view.talks_named(self.about).deals), self.view.talks_named(self.about).status_quo
            allowed = (
                f"'offer N' or 'position N' (N a deal, 1–{deals}, not {sq}: the status quo), 'silent' or {RULES!r}"
            )
        else:
            allowed = one_of([o.key for o in self.options], key)
        raise ScenarioError(f"choice ({self.ask.value} {self.about})", choice, allowed)

    def __str__(self) -> str:
        facts = (f"{v:.3f}" if isinstance(v, float) else quote(v) for v in self.facts.values())
        lines = [self.prompt, *(f"  {k}: {v}" for k, v in zip(self.facts, facts, strict=True))]
        if self.ask is Ask.TABLE:
            lines.append(f"  choices: offer N, position N (N a deal of view.talks), silent, {RULES}")
        else:
            lines += [f"  {o.key}: {o.meaning}" for o in self.options]
        return "\n".join(lines)


class Minute(NamedTuple):
    """A decision of the game, the agents' or a seat's."""

    round: int
    meeting: str
    country: str
    ministry: str  # the ministry that acted (voter, lead, head); "" for a delegation's or a country's decision
    counterpart: str
    ask: Ask
    about: str
    choice: str  # the option taken
    rule: str  # the option the rules chose
    seat: str  # the seat that chose, "" where the rules decided
    facts: Mapping[str, object]


Answerer = Callable[[Question, str], str]  # (question, the rules' choice) → an option's key, or RULES


class Seats:
    """The seats people take in a model, and how their choices are sought.

    ``answer(question, rule)`` returns the key of one of the question's options (or :data:`RULES`); ``rule`` is the
    rules' choice, for the game's record, kept from the person (it may rest on a draw or on the other side's
    private values). ``horizon`` is the game's last round (the calendar a seat sees ends there). ``minutes`` keeps
    every decision taken in the model, from its first round, once it has a seat.
    """

    def __init__(self, seats: Sequence[Seat] = (), answer: Answerer | None = None, horizon: int = 0):
        self.seats, self.answer, self.horizon = tuple(seats), answer, horizon
        self.minutes: list[Minute] = []
        self.model: NegotiationModel | None = None  # the model they sit in (it sets itself)

    def decide(self, ask: Ask, country: str, ministry: str | None, counterpart: str, rule, about, meeting, facts):
        """Decision ``ask`` of ``country`` (``ministry`` acting) about ``about`` with ``counterpart`` at ``meeting``:
        ``rule``, as the rules took it, unless a seat takes it; ``facts`` are what the decider knows of its own that
        bears on it."""
        if not self.seats:
            return rule
        seat = next((s for s in self.seats if s.decides(ask, country, ministry)), None)
        ruled = choice_of(ask, rule)
        chosen, value = ruled, rule
        if seat is not None:
            talks = self.model.plan.talks[about] if ask in TALKS_ASKS else None
            question = self.question(seat, ask, country, ministry, counterpart, about, meeting, facts, talks)
            chosen = self.answer(question, ruled)
            chosen = ruled if chosen == RULES else chosen
            value = rule if chosen == ruled else value_of(ask, chosen, talks)
        name = "" if seat is None else seat.name
        minute = Minute(
            self.model.round, meeting, country, ministry or "", counterpart, ask, about, chosen, ruled, name, facts
        )
        self.minutes.append(minute)
        return value

    def question(self, seat: Seat, ask, country, ministry, counterpart, about, meeting, facts, talks) -> Question:
        """The question put to ``seat``, with what it can know now."""
        r = self.model.round
        deal = ""
        if ask is Ask.TABLE:
            options = table_options(talks, [p.name for p in talks.parties].index(country))
        else:
            options = CHOICES[ask]
        if ask in (Ask.ANSWER, Ask.SUPPORT, Ask.RATIFY):
            kind = "position" if facts.get("position") else "deal"
            deal = f"{kind} {facts['outcome'] + 1} ({terms_text(talks, facts['outcome'])})"
        where = dict(who=ministry or country, country=country, counterpart=counterpart, about=about, deal=deal)
        prompt = f"Round {r}, {meeting}: " + PROMPTS[ask].format(**where)
        view = view_of(self.model, seat, self.minutes, self.horizon, (r, meeting, about, ask))
        own = {k: _plain(v) for k, v in facts.items()}
        return Question(ask, seat.name, r, meeting, about, counterpart, prompt, (*options, LET_THE_RULES), own, view)


def _plain(value):
    """A NumPy scalar as the Python value it holds (a fact shown or written as JSON)."""
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    return value.item() if isinstance(value, np.generic) else value


PROMPTS = {
    Ask.VOTE: "{who} votes on adopting {about} with {counterpart}",
    Ask.ADOPT: "does {country} adopt {about} with {counterpart}?",
    Ask.CARRY_OUT: "{who} leads {about}, adopted with {counterpart}: carry it out?",
    Ask.FRICTION: "{counterpart} raises {about} against {country}: how does {who} answer?",
    Ask.TABLE: "{who} has the floor in the {about} talks with {counterpart}: what does it table?",
    Ask.ANSWER: "{counterpart} tables {deal} in the {about} talks: does {who} accept?",
    Ask.SUPPORT: "{deal}, agreed with {counterpart} in the {about} talks, comes home: {who}'s vote on ratifying it",
    Ask.RATIFY: "{deal}, agreed with {counterpart} in the {about} talks, comes home: does {country} ratify it?",
}
