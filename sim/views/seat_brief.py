"""A seat's brief, from what it knows before the first round (:meth:`Game.view_at_start
<sim.model.agents.game.Game.view_at_start>`): its role and what it decides, its priorities, confidence and habits,
its government, what the other side is known to want (its public positions only), the talks and the calendar ahead.
As Markdown or HTML."""

from __future__ import annotations

from collections import defaultdict

from sim.model.agents.game import Game
from sim.model.agents.seat_view import SeatView
from sim.views.pages import Section, Table, html_page, markdown

HABITS = {  # a ministry's behaviour, as the rules use it when they decide in its place (docs/model.md §2)
    "hawkishness": "how much distrust weighs when it carries out items, answers frictions and asks of a deal",
    "reliability": "how likely it carries out what it adopted, at full confidence",
    "trust_gain": "how far good news raises its confidence (α⁺)",
    "trust_loss": "how far bad news lowers it (α⁻)",
    "forgiveness": "how likely it forgives a breach",
    "concession": "how fast it concedes in the talks (below 1: holds out; above 1: concedes early)",
}
SHOWN_DEALS = 10  # deals listed in the brief: those its home would ratify now, the least worth to it first


def seat_brief(game: Game, seat: str | None = None, *, html: bool = False) -> str:
    """The brief of ``seat`` (by default the game's first) in ``game``, as Markdown or as an HTML page."""
    view = game.view_at_start(seat)
    title = f"Your seat: {view.seat} in {game.scenario.name}"
    sections = brief_sections(view, game.scenario.description, game.rounds)
    return html_page(title, sections) if html else markdown(title, sections)


def brief_sections(view: SeatView, situation: str, rounds: int) -> list[Section]:
    """The brief's sections, from what the seat knows at the start."""
    return [
        Section("The situation", [situation.strip(), f"The game lasts {rounds} rounds{_from(view)}."]),
        _role(view),
        _priorities(view),
        _confidence(view),
        _habits(view),
        _other_side(view),
        *(section for t in view.talks for section in _talks(view, t)),
        _calendar(view),
        Section(
            "How to play",
            items=[
                "Each decision comes with its choices and what each means, and with what you know then: your "
                "confidence, what was said and done at the meetings your country attended, the calendar ahead.",
                "'rules' lets your staff decide as the model's rules would; the agents decide everything else.",
                "In the talks you table a deal by its number: 'offer N' (a deal you propose: the other side accepts "
                "it if it is worth what it asks for now), 'position N' (terms you would sign: accepted only if the "
                "other side's home would ratify them now) or 'silent'. A deal agreed at the table must then be "
                "ratified by both homes.",
            ],
        ),
    ]


def _from(view: SeatView) -> str:
    return f", a month each from {view.date}" if view.date else ""


def _role(view: SeatView) -> Section:
    if len(view.ministries) == 1:
        m = view.ministries[0]
        veto = ", and a veto over ratifying any deal" if m.veto else ""
        who = (
            f"You are {view.country}'s {m.role} ministry ({m.name}): {m.influence:.0%} of its influence at home{veto}."
        )
    else:
        who = f"You are {view.country}'s whole delegation: you decide for {view.country} at the table and at home."
    where: dict[str, list[str]] = defaultdict(list)
    for meeting in view.calendar:
        for part in meeting.part:
            where[part] += [] if meeting.meeting in where[part] else [meeting.meeting]
    decides = [f"{part} (at {', '.join(meetings)})" for part, meetings in where.items()]
    return Section(
        "Your role",
        [who, "You decide, where the calendar brings it:" if decides else "You decide nothing in this game."],
        items=decides,
        notes=["The agents decide everything else, by the model's rules and with the same draws as in any run."],
    )


def _priorities(view: SeatView) -> Section:
    issues = sorted({i for m in view.ministries for i, w in m.priorities.items() if w > 0})
    rows = [[i, *(f"{m.priorities.get(i, 0):.0%}" for m in view.ministries)] for i in issues]
    rows.sort(key=lambda r: -max(float(x.rstrip("%")) for x in r[1:]))
    return Section(
        "Your priorities",
        ["How much each issue weighs with you (shares of your attention; they sum to 100%)."],
        table=Table(["issue", *(m.name for m in view.ministries)], rows),
    )


def _confidence(view: SeatView) -> Section:
    others = sorted({c for m in view.ministries for c in m.confidence})
    rows = [[c, *(m.confidence[c] for m in view.ministries)] for c in others]
    return Section(
        "Your confidence",
        [
            "Your confidence in each other country (0: none, 1: full), weighting its ministries by their influence: "
            "it decides what a cooperative item is worth to you, and what your home asks of a deal."
        ],
        table=Table(["in", *(m.name for m in view.ministries)], rows),
    )


def _habits(view: SeatView) -> Section:
    rows = [[name, *(m.behaviour[name] for m in view.ministries), meaning] for name, meaning in HABITS.items()]
    return Section(
        "Your habits",
        ["What the rules do in your place rests on these (your own values; the other side's are not known to you)."],
        table=Table(["", *(m.name for m in view.ministries), "what it means"], rows),
    )


def _other_side(view: SeatView) -> Section:
    paragraphs = [_government(view.home, "Your government")]
    paragraphs += [_government(c, c.name.capitalize()) for c in view.others]
    paragraphs.append(
        "What the other side is known to want is its public position on each dimension of the talks (below); how much "
        "each issue weighs with its ministries, how hawkish they are and how much they trust you, you do not know."
    )
    return Section("Your government and the other side", paragraphs)


def _government(country, label: str) -> str:
    vetoes = f"; a veto: {', '.join(country.vetoes)}" if country.vetoes else "; no veto"
    return f"{label}: {', '.join(country.roles)}{vetoes}; a deal is ratified with {country.quota:.0%} of the influence."


def _talks(view: SeatView, talks) -> list[Section]:
    other = next(c for c in view.others if c.name == talks.counterpart)
    ours, theirs = view.home.positions[talks.name], other.positions[talks.name]
    rows = [
        [dimension, option, value, theirs[dimension][option]]
        for dimension, options in ours.items()
        for option, value in options.items()
    ]
    sq = talks.deals[talks.status_quo - 1]
    ratified = sorted(
        (d for d in talks.deals if d.ratifies_now and d.number != talks.status_quo), key=lambda d: d.utility
    )
    deadline = f" The talks end unsettled after session {talks.deadline}." if talks.deadline else ""
    edge = f"; the least you could bring home, the edge of your win-set ({min(len(ratified), SHOWN_DEALS)} shown):"
    return [
        Section(
            f"The talks: {talks.name} with {talks.counterpart}",
            [
                f"Today (the status quo, deal {sq.number}): {_terms(sq.terms)}, worth {talks.reservation:.2f} to you."
                + deadline,
                f"Of the {len(talks.deals)} deals, your home would ratify {len(ratified)} now"
                + (edge if ratified else "."),
            ],
            items=[
                f"deal {d.number}: {_terms(d.terms)} (worth {d.utility:.2f} to you)" for d in ratified[:SHOWN_DEALS]
            ],
        ),
        Section(
            f"What each side is known to want in {talks.name}",
            ["Each side's public position: its value of each option (0 worst, 1 best)."],
            table=Table(["dimension", "option", f"value to {view.country}", f"value to {talks.counterpart}"], rows),
        ),
    ]


def _terms(terms) -> str:
    return ", ".join(f"{k} {v}" for k, v in terms.items())


def _calendar(view: SeatView) -> Section:
    rows = [
        [
            m.round,
            m.date,
            m.meeting,
            ", ".join(m.countries),
            ", ".join(m.agenda),
            "; ".join(m.part) or "(you hear of it)",
        ]
        for m in view.calendar
    ]
    return Section(
        "The calendar ahead", table=Table(["round", "month", "meeting", "who", "agenda", "you decide"], rows)
    )
