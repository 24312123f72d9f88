"""What a seat sees: what the ministry (or the country's delegation) a person plays could know at a moment of the game.

Its own: its confidence in each other country (as the meeting under way started: what every decision there rests on),
its priorities and its behaviour, and its government's ministries, vetoes and quota, and which deals its home would
ratify now. Said and done: every decision taken at the meetings its country attended, and its own government's
votes; events, measures in force, meetings not held. The other side as anyone could know it: its ministries' roles,
its vetoes and quota, and its public positions (its value of each option of each dimension of the talks). The
calendar ahead, with what the seat decides at each meeting. Never the other side's private values: its priorities,
hawkishness, confidence, concession or how its ministries voted (``tests/test_seat.py`` checks it).

A decision both sides take at once (adopting an item, carrying it out, ratifying a deal) is hidden from the other
side until it has taken its own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

import numpy as np

from sim.model.rules.ratification import win_set_at

if TYPE_CHECKING:
    from sim.model.agents.mesa_model import NegotiationModel
    from sim.model.agents.seat import Minute, Seat
    from sim.model.plan.talks import TalksPlan
    from sim.model.scenario.specs import ScenarioSpec


@dataclass(frozen=True)
class MinistryView:
    """One of the seat's own ministries, as it knows itself."""

    name: str  # "japan.foreign"
    role: str
    influence: float  # within its country
    veto: bool
    priorities: Mapping[str, float]  # over the scenario's issues
    behaviour: Mapping[str, float]  # its trust gain and loss, forgiveness, drift, reliability, hawkishness, …
    confidence: Mapping[str, float]  # in each other country, as the meeting under way started (between meetings: now)
    history: Mapping[str, tuple[float, ...]]  # in each other country at the end of each round so far (0: the start)


@dataclass(frozen=True)
class CountryView:
    """A country as anyone can know it: its ministries' roles, who holds a veto, the share of influence that
    ratifies a deal, and its public positions in its talks (talks → dimension → option → its value)."""

    name: str
    roles: tuple[str, ...]
    vetoes: tuple[str, ...]
    quota: float
    positions: Mapping[str, Mapping[str, Mapping[str, float]]]


@dataclass(frozen=True)
class Deal:
    """An outcome of the talks, numbered as the seat tables it ("offer 3"), with what it is to the seat's country."""

    number: int
    terms: Mapping[str, str]
    utility: float  # to the seat's country (its ministries' utilities weighted by influence)
    ratifies_now: bool  # whether its home would ratify it at its confidence now


@dataclass(frozen=True)
class TalksView:
    """Talks the seat's country is party to, as they stand."""

    name: str
    counterpart: str
    status_quo: int  # the status quo's deal number
    reservation: float  # what the status quo is worth to the seat's country
    sessions: int  # held so far
    deadline: int | None  # sessions after which the talks end unsettled
    settled: int | None  # the deal settled on, None while none
    deals: tuple[Deal, ...]


@dataclass(frozen=True)
class Said:
    """A decision the seat heard of: who took it (a country, or one of its own ministries for its government's
    votes), about what, and what was decided (an option's key: adopt, break, offer 3, …); for a proposal refused at
    the table, why (as the refusing side says: below_aspiration, not_trusted, …)."""

    round: int
    meeting: str
    actor: str
    counterpart: str
    ask: str
    about: str
    what: str
    why: str = ""


@dataclass(frozen=True)
class News:
    """Something public: an event, a measure coming into force, a meeting not held, a change announced."""

    round: int
    what: str


@dataclass(frozen=True)
class Upcoming:
    """A meeting ahead, and what the seat decides there (nothing: it hears of it)."""

    round: int
    date: str
    meeting: str
    format: str
    countries: tuple[str, ...]
    agenda: tuple[str, ...]
    part: tuple[str, ...]


@dataclass(frozen=True)
class SeatView:
    """Everything a seat can know at one moment of a game (round ``round``, at ``meeting``, or "" between meetings)."""

    seat: str
    country: str
    round: int
    date: str  # "2013-11", or "" if the scenario gives no dates
    meeting: str
    ministries: tuple[MinistryView, ...]
    home: CountryView
    others: tuple[CountryView, ...]
    talks: tuple[TalksView, ...]
    record: tuple[Said, ...]
    news: tuple[News, ...]
    calendar: tuple[Upcoming, ...]

    def talks_named(self, name: str) -> TalksView:
        return next(t for t in self.talks if t.name == name)

    def values(self):
        """Every value it holds, walked through its fields (for checking what it reveals)."""
        yield from _walk(self)


def _walk(value):
    if isinstance(value, SeatView | MinistryView | CountryView | Deal | TalksView | Said | News | Upcoming):
        for f in fields(value):
            yield from _walk(getattr(value, f.name))
    elif isinstance(value, Mapping):
        for k, v in value.items():
            yield k
            yield from _walk(v)
    elif isinstance(value, tuple):
        for v in value:
            yield from _walk(v)
    else:
        yield value


def terms_text(talks: TalksPlan, outcome: int) -> str:
    """A deal's terms in a line: "islands pair_1956, transfer_terms joint_regime, …"."""
    return ", ".join(f"{k} {v}" for k, v in talks.terms(outcome).items())


def month(scenario: ScenarioSpec, round_: int) -> str:
    """The month of ``round_`` as "YYYY-MM" ("" if the scenario gives no dates)."""
    if not scenario.calendar_start:
        return ""
    year, start = map(int, scenario.calendar_start.split("-")[:2])
    index = year * 12 + start - 1 + (round_ - 1) * scenario.round_months
    return f"{index // 12}-{index % 12 + 1:02d}"


def view_of(model: NegotiationModel, seat: Seat, minutes: Sequence[Minute], horizon: int, now=None) -> SeatView:
    """What ``seat`` can know in ``model`` now: ``now`` is the decision under way (round, meeting, about, ask), or
    None between meetings; ``minutes`` every decision so far; ``horizon`` the game's last round."""
    meeting = now[1] if now else ""
    country = model.countries[seat.country]
    confidence = _brought(model, country, meeting)
    own = [m for m in country.members if seat.ministry in (None, m.name)]
    return SeatView(
        seat=seat.name,
        country=country.name,
        round=model.round,
        date=month(model.spec, max(model.round, 1)),
        meeting=meeting,
        ministries=tuple(_ministry(model, m, confidence[m.index]) for m in own),
        home=_country(model, country.name),
        others=tuple(_country(model, c) for c in model.countries if c != country.name),
        talks=tuple(
            _talks(model, t, country, confidence) for t in model.plan.talks.values() if _side(t, country.name) >= 0
        ),
        record=tuple(_heard(minutes, country.name, now)),
        news=tuple(_news(model)),
        calendar=tuple(_ahead(model, seat, meeting, horizon)),
    )


def _side(talks: TalksPlan, country: str) -> int:
    names = [p.name for p in talks.parties]
    return names.index(country) if country in names else -1


def _brought(model: NegotiationModel, country, meeting: str) -> dict[int, dict[str, float]]:
    """Each of the country's ministries' confidence in each other country: as brought to ``meeting`` where the
    country sits at it, and as it is now otherwise."""
    others = [c for c in model.countries.values() if c is not country]
    confidence = {m.index: {c.name: float(m.confidence_in(c)) for c in others} for m in country.members}
    entry = next((e for e in model.plan.calendar if e.entry.name == meeting), None)
    if entry is not None:
        for table in model.delegations(entry):
            for s in (0, 1):
                ours = table[s]
                if ours.country is country and ours.brought:
                    for m, c in zip(ours.members, ours.brought, strict=True):
                        confidence[m.index][table[1 - s].country.name] = float(c)
    return confidence


def _ministry(model: NegotiationModel, m, confidence: dict[str, float]) -> MinistryView:
    spec, plan = m.spec, model.plan
    behaviour = {f.name: getattr(spec.behaviour, f.name) for f in fields(spec.behaviour)}
    history = {}
    for name, block in plan.blocks.items():
        if name != m.country.name:
            weights = plan.influence[block]
            history[name] = tuple(float(s[0, m.index, block] @ weights) for s in model.recorder.ministry_states)
    return MinistryView(m.name, m.role, m.influence, spec.veto, dict(spec.priorities), behaviour, confidence, history)


def _country(model: NegotiationModel, name: str) -> CountryView:
    spec = model.countries[name].spec
    positions = {
        t.name: {d.name: dict(zip(d.options, d.values[name], strict=True)) for d in t.dimensions}
        for t in model.spec.talks
        if name in t.parties
    }
    vetoes = tuple(m.role for m in spec.ministries if m.veto)
    return CountryView(name, tuple(m.role for m in spec.ministries), vetoes, spec.quota, positions)


def _talks(model: NegotiationModel, talks: TalksPlan, country, confidence) -> TalksView:
    side = _side(talks, country.name)
    other = talks.parties[1 - side].name
    party = talks.parties[side]
    own = np.array([confidence[m.index][other] for m in country.members])
    needed = np.stack([talks.support_needed_at(side, n) for n in range(len(talks.grid))], axis=-1)  # (ministries, n)
    ratifies_now = win_set_at(own, needed, party.influence, party.veto, party.quota)
    u = talks.utility[side]
    deals = tuple(Deal(n + 1, talks.terms(n), float(u[n]), bool(ratifies_now[n])) for n in range(len(talks.grid)))
    state = model.talks[talks.name]
    settled = int(state.settlement[0])
    return TalksView(
        talks.name,
        other,
        talks.status_quo + 1,
        talks.reservation[side],
        int(state.sessions[0]),
        talks.spec.deadline,
        settled + 1 if settled >= 0 else None,
        deals,
    )


def _heard(minutes: Sequence[Minute], country: str, now) -> list[Said]:
    """The decisions the country heard of: those at meetings it attended, but not one the other side takes at the
    same time as the decision under way (``now``); and its own government's votes."""
    heard = []
    for m in minutes:
        ours = m.country == country
        if not ours and (m.ask.private or m.counterpart != country):
            continue
        if not ours and now and m.ask.simultaneous and (m.round, m.meeting, m.about, m.ask.stage) == _stage(now):
            continue
        actor = m.ministry if m.ask.private else m.country
        why = m.facts["reason"] if m.ask.value == "answer" and m.choice == "refuse" else ""
        heard.append(Said(m.round, m.meeting, actor, m.counterpart, m.ask.value, m.about, m.choice, why))
    return heard


def _stage(now) -> tuple:
    round_, meeting, about, ask = now
    return round_, meeting, about, ask.stage


def _news(model: NegotiationModel) -> list[News]:
    """Events that struck, measures as they came into force, meetings not held and changes announced."""
    record = model.recorder
    news = [News(m.round, f"{m.meeting} not held: {m.reason}") for m in record.meetings if not m.held]
    news += [News(lapse.round, f"{lapse.meeting} lapsed: confidence too low on one side") for lapse in record.lapses]
    for e in record.events:
        for k in range(len(e.replicates)):
            source, target = (x if isinstance(x, str) else x[k] for x in (e.source, e.target))
            goldstein = e.goldstein if np.ndim(e.goldstein) == 0 else e.goldstein[k]
            what = e.note or (e.cameo if isinstance(e.cameo, str) or e.cameo is None else e.cameo[k]) or "an event"
            news.append(News(e.round, f"{source} → {target}: {what} (Goldstein {float(goldstein):+.1f})"))
    seen = set()
    for m in record.measures:
        if m.measure not in seen:
            seen.add(m.measure)
            news.append(News(m.round, f"{m.source} → {m.target}: {m.note or m.measure} in force"))
    news += [News(c.round, f"changed: {c.note}") for c in dict.fromkeys(record.changes) if c.note]
    return sorted(news, key=lambda n: n.round)


def _ahead(model: NegotiationModel, seat: Seat, meeting: str, horizon: int) -> list[Upcoming]:
    """The meetings its country attends from now to ``horizon``, in order (those of this round after ``meeting``)."""
    calendar = model.plan.calendar
    names = [e.entry.name for e in calendar]
    after = names.index(meeting) + 1 if meeting in names else 0
    ahead = []
    for r in range(model.round if meeting else model.round + 1, horizon + 1):
        for k, e in enumerate(calendar):
            entry = e.entry
            if (r == model.round and k < after) or seat.country not in entry.countries:
                continue
            if entry.scheduled(r) and entry.pause(r) is None:
                agenda = tuple(i.name for i in e.items) + tuple(f.friction.name for f in e.frictions)
                agenda += tuple(t.talks.name for t in e.talks)
                date = month(model.spec, r)
                ahead.append(
                    Upcoming(r, date, entry.name, entry.format, entry.countries, agenda, seat.part(e, model.spec))
                )
    return ahead
