"""The dashboard's page: Step, Play and Reset, the scenario, the seed and each ministry's settings (grouped by
country and ministry in panels that fold) in the sidebar; confidence, the talks, the agenda log, the events and a form
that injects a CAMEO event by hand in the main area.

The sidebar is negsim's own rather than SolaraViz's, which shows Mesa's internals (play and render intervals,
threads), a slider for the seed and every setting in one column; the model is still a Mesa model, stepped as Mesa's
controller does."""

from __future__ import annotations

import time
from itertools import groupby
from typing import Any

import solara
import solara.lab
from mesa.visualization.utils import force_update, update_counter

from sim.dashboard.live import DashboardModel, inject_event
from sim.dashboard.settings import dashboard_scenarios, main_issues, parameters
from sim.dashboard.text import action_counts, agenda_log, agent_reasons, events_log, status_line, talks_status
from sim.model.cameo import goldstein_table
from sim.model.errors import ScenarioError
from sim.views.run_figures import LIVE_WIDTH, MIN_LIVE_ROUNDS, plot_confidence, plot_talks
from sim.views.style import Calendar, display_name

PLOT_DPI = 100  # the figures' pixels: LIVE_WIDTH in × 100 = 800 px, shown at most that wide
PLAY_RATE = 2.0  # rounds per second while playing, however long the page takes to draw a round
PLAY_PAUSE = 0.3  # seconds between two drawings while playing: the browser receives one before the next is drawn
SIDEBAR = 300  # px: Solara's 400 px sidebar leaves a 1024 px screen too little room for the figures
CSS = f"""
.v-navigation-drawer {{ min-width: {SIDEBAR}px !important; max-width: {SIDEBAR}px !important; }}
.negsim-figure img {{ width: 100%; height: auto; max-width: {LIVE_WIDTH * PLOT_DPI:.0f}px; }}
.negsim-status {{ font-size: 1rem; margin: 0 4px 8px; }}
.negsim-agenda td, .negsim-events td {{ white-space: normal; font-size: 0.875rem; }}
.negsim-agenda th, .negsim-events th {{ white-space: nowrap; }}
.negsim-agenda td:last-child {{ white-space: nowrap; }}
.negsim-controls .v-btn {{ min-width: 64px !important; padding: 0 12px !important; }}
.v-navigation-drawer .v-card__title {{ word-break: normal; }}
.v-navigation-drawer .v-input__slider .v-input__slot {{ flex-wrap: wrap; }}
.v-navigation-drawer .v-input__slider .v-label {{
    flex: 1 0 100%; max-width: 100%; white-space: normal; font-size: 0.85rem; height: auto; line-height: 1.3;
    margin-bottom: 28px;
}}
.v-navigation-drawer .v-slider__thumb-label-container {{ display: block !important; }}
.v-navigation-drawer .v-slider__thumb-label {{
    background: none !important; color: #1565c0; width: auto !important; height: auto !important;
    transform: translate(-50%, -21px) !important; font-size: 0.75rem;
}}
.v-navigation-drawer .v-slider__thumb-label > div {{ transform: none !important; }}
"""  # a narrower sidebar; tables whose text wraps inside their cards (the action kept whole); sidebar sliders: the
# label on its own line, the value always shown above the thumb, clear of the label


def model_params(model: DashboardModel) -> dict[str, dict[str, Any]]:
    """SolaraViz's inputs, showing the values ``model`` runs with: scenario, seed and each ministry's parameters."""
    params: dict[str, dict[str, Any]] = {
        "scenario_name": {
            "type": "Select",
            "label": "scenario",
            "value": model.scenario_name,
            "values": dashboard_scenarios(),
        },
        "seed": {"type": "InputInt", "label": "seed", "value": model.seed_value},
    }
    for key, c in parameters(model.spec, main_issues(model.spec)).items():
        slider = {"type": "SliderFloat", "label": c.label, "value": c.shown, "min": c.low, "max": c.high}
        params[f"{model.scenario_name}:{key}"] = slider | {"step": c.step}  # a scenario's settings are its own
    return params


def _cameo_items() -> list[dict[str, str]]:
    return [
        {"text": f"{c.code} {c.description} ({c.goldstein:+.1f})", "value": c.code} for c in goldstein_table().values()
    ]


@solara.component
def ShockForm(model: DashboardModel) -> None:
    """Inject a CAMEO event by hand: code, source and target country."""
    names = list(model.countries)
    code, set_code = solara.use_state("163")
    source, set_source = solara.use_state(names[0])
    target, set_target = solara.use_state(names[1])
    outcome, set_outcome = solara.use_state((True, ""))  # (injected, what to say)
    cameo_items = solara.use_memo(_cameo_items, [])

    def inject() -> None:
        try:
            with model.lock:
                event = inject_event(model, code, source, target)
        except ScenarioError as e:
            set_outcome((False, str(e)))
            return
        who = f"{display_name(target)} observed {event.cameo} by {display_name(source)}"
        said = f"{who}: it counts in round {event.round}."
        set_outcome((True, said))
        force_update()

    solara.v.Autocomplete(label="CAMEO event (Goldstein value)", items=cameo_items, v_model=code, on_v_model=set_code)
    with solara.Row():
        solara.Select("source", values=names, value=source, on_value=set_source)
        solara.Select("target", values=names, value=target, on_value=set_target)
        solara.Button("Inject", color="primary", on_click=inject, classes=["negsim-inject"])
    injected, said = outcome
    if said and injected:
        solara.Info(said)
    elif said:
        solara.Error(said)


@solara.component
def Views(model: DashboardModel) -> None:
    """The main area, redrawn after every step (Mesa's update counter): the confidence figure each round, the talks
    and the tables only when what they show changed."""
    update_counter.get()
    result = model.result()
    calendar = Calendar.of(model.spec)
    talks = (model, len(result.offers), max(result.rounds, MIN_LIVE_ROUNDS), result.summary["settled"])
    agenda, events = (model, len(result.agenda)), (model, len(result.events))
    talks_figure = solara.use_memo(lambda: plot_talks(result), talks)
    agenda_table = solara.use_memo(lambda: agenda_log(result.agenda, calendar), agenda)
    events_table = solara.use_memo(lambda: events_log(result.events, calendar), events)
    if model.error:
        solara.Error(f"Not applied: {model.error}", classes=["negsim-error"])
    solara.HTML("p", status_line(model, result), classes=["negsim-status"])
    with solara.Card(classes=["negsim-confidence", "negsim-figure"]):
        solara.FigureMatplotlib(plot_confidence(result, live=True), format="png", dpi=PLOT_DPI)
    with solara.Card("Territorial talks", classes=["negsim-talks", "negsim-figure"]):
        for paragraph in talks_status(result):
            solara.HTML("p", paragraph)
        solara.FigureMatplotlib(talks_figure, dependencies=list(talks), format="png", dpi=PLOT_DPI)
    with solara.Card("Agenda log", classes=["negsim-agenda"]):
        solara.HTML("p", action_counts(result.agenda))
        solara.DataFrame(agenda_table, items_per_page=10)
    with solara.Card(f"Why: each ministry's reasons in round {result.rounds}", classes=["negsim-reasons"]):
        solara.HTML("div", agent_reasons(model))
    with solara.Card("Shock: inject an event"):
        ShockForm(model).key(model.scenario_name)  # fresh choices for another scenario's countries
    with solara.Card("Events", classes=["negsim-events"]):
        solara.DataFrame(events_table, items_per_page=8)


class Pace:
    """Rounds due at ``rate`` per second: while the page draws one round, the rounds it took to draw are due next, so
    that Play keeps its pace on a slow machine (the figures show every round's values; the page shows the latest)."""

    def __init__(self, rate: float, now: float):
        self.rate, self.last, self.owed = rate, now, 0.0

    def due(self, now: float) -> int:
        """The whole rounds due since the last call."""
        self.owed += (now - self.last) * self.rate
        self.last = now
        rounds = int(self.owed)
        self.owed -= rounds
        return rounds


@solara.component
def Controls(model: solara.Reactive[DashboardModel], values: dict[str, Any]) -> None:
    """Step one round, Play :data:`PLAY_RATE` rounds a second (Pause), Reset to a new model with the sidebar's
    values."""
    playing = solara.use_reactive(False)

    def play() -> None:
        pace = Pace(PLAY_RATE, time.monotonic())
        while playing.value:
            time.sleep(PLAY_PAUSE)
            rounds = pace.due(time.monotonic())
            if not playing.value:
                break
            for _ in range(rounds):
                model.value.step()
            if rounds:
                force_update()

    solara.lab.use_task(play, dependencies=[playing.value], prefer_threaded=True)

    def step() -> None:
        model.value.step()
        force_update()

    def reset() -> None:
        playing.set(False)
        fresh = DashboardModel(**values)
        values.clear()
        values.update(_values(fresh))
        model.set(fresh)

    with solara.Row(justify="space-between", classes=["negsim-controls"]):
        solara.Button("Step", color="primary", on_click=step, disabled=playing.value)
        solara.Button(
            "Pause" if playing.value else "Play", color="primary", on_click=lambda: playing.set(not playing.value)
        )
        solara.Button("Reset", color="primary", on_click=reset)


def _values(model: DashboardModel) -> dict[str, Any]:
    return {key: spec["value"] for key, spec in model_params(model).items()}


@solara.component
def Settings(model: DashboardModel, values: dict[str, Any]) -> None:
    """The scenario and the seed, then each ministry's settings in a panel per country and ministry. A change is
    kept in ``values`` (not a reactive: the inputs keep their own state while the user types or slides) and applied
    on Reset."""
    params = model_params(model)

    def setter(key: str):
        return lambda value: values.__setitem__(key, value)

    solara.Select(
        "scenario",
        values=params["scenario_name"]["values"],
        value=values["scenario_name"],
        on_value=setter("scenario_name"),
    )
    solara.InputInt("seed", value=values["seed"], on_value=setter("seed"), classes=["negsim-seed"])
    sliders = [(key, spec) for key, spec in params.items() if key.count(":") == 1]
    by_country = groupby(sliders, key=lambda item: item[0].split(":")[1].split(".")[0])
    for country, items in by_country:
        with solara.Details(summary=display_name(country), expand=False):
            for ministry, group in groupby(items, key=lambda item: item[0].split(":")[1].split(".")[1]):
                solara.HTML("h4", f"{display_name(country)} · {ministry}", classes=["negsim-ministry"])
                for key, spec in group:
                    solara.SliderFloat(
                        spec["label"],
                        value=values.get(key, spec["value"]),
                        min=spec["min"],
                        max=spec["max"],
                        step=spec["step"],
                        on_value=setter(key),
                    )


@solara.component
def Page() -> None:
    """The dashboard: the controls and settings in the sidebar, the views in the main area."""
    model = solara.use_reactive(solara.use_memo(DashboardModel, []))
    current = model.value
    values = solara.use_memo(lambda: _values(current), [])  # the sidebar's values, applied on Reset
    solara.Style(CSS)
    with solara.AppBar():
        solara.AppBarTitle(f"negsim · {current.scenario_name}")
    with solara.Sidebar():
        with solara.Card("Run"):
            Controls(model, values)
        with solara.Card("Settings (applied on Reset)"):
            Settings(current, values).key(current.scenario_name)
    Views(current)
