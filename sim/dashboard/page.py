"""The dashboard's page: SolaraViz's controls and parameters in the sidebar; confidence, the talks, the agenda log, the
events and a form that injects a CAMEO event by hand in the main area."""

from __future__ import annotations

from typing import Any

import solara
from mesa.visualization import SolaraViz
from mesa.visualization.utils import force_update, update_counter

from sim.dashboard.live import DashboardModel, inject_event
from sim.dashboard.settings import dashboard_scenarios, main_issues, parameters
from sim.dashboard.text import action_counts, agenda_log, status_line, talks_status
from sim.model.cameo import goldstein_table
from sim.model.errors import ScenarioError
from sim.views.run_figures import plot_confidence, plot_talks
from sim.views.style import display_name

PLOT_DPI = 100
CSS = """
.negsim-figure img { width: 100%; height: auto; }
.negsim-status { font-size: 1.1rem; margin: 8px 12px 0; }
.v-navigation-drawer .v-input__slider .v-input__slot { flex-wrap: wrap; }
.v-navigation-drawer .v-input__slider .v-label {
    flex: 1 0 100%; max-width: 100%; white-space: normal; font-size: 0.85rem; margin-bottom: 18px;
}
.v-navigation-drawer .v-slider__thumb-label-container { display: block !important; }
.v-navigation-drawer .v-slider__thumb-label {
    background: none !important; color: #1565c0; width: auto !important; height: auto !important;
    transform: translate(-50%, -21px) !important; font-size: 0.75rem;
}
.v-navigation-drawer .v-slider__thumb-label > div { transform: none !important; }
"""  # sidebar sliders: the label on its own line, the value always shown above the thumb


def model_params(model: DashboardModel) -> dict[str, dict[str, Any]]:
    """SolaraViz's inputs, showing the values ``model`` runs with: scenario, seed and each ministry's parameters."""
    params: dict[str, dict[str, Any]] = {
        "scenario_name": {
            "type": "Select",
            "label": "scenario",
            "value": model.scenario_name,
            "values": dashboard_scenarios(),
        },
        "seed": {"type": "SliderInt", "label": "seed", "value": model.seed_value, "min": 0, "max": 9999, "step": 1},
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
    """The main area, redrawn after every step (Mesa's update counter)."""
    update_counter.get()
    result = model.result()
    if model.error:
        solara.Error(f"Not applied: {model.error}", classes=["negsim-error"])
    solara.HTML("p", status_line(model, result), classes=["negsim-status"])
    with solara.Columns([3, 2]):
        with solara.Column():
            with solara.Card("Confidence", classes=["negsim-confidence", "negsim-figure"]):
                solara.FigureMatplotlib(plot_confidence(result, live=True), format="png", dpi=PLOT_DPI)
            with solara.Card("Agenda log"):
                solara.HTML("p", action_counts(result.agenda))
                solara.DataFrame(agenda_log(result.agenda), items_per_page=10)
        with solara.Column():
            with solara.Card("Territorial talks", classes=["negsim-talks", "negsim-figure"]):
                for paragraph in talks_status(result):
                    solara.HTML("p", paragraph)
                solara.FigureMatplotlib(plot_talks(result), format="png", dpi=PLOT_DPI)
            with solara.Card("Shock: inject an event"):
                ShockForm(model).key(model.scenario_name)  # fresh choices for another scenario's countries
            with solara.Card("Events", classes=["negsim-events"]):
                solara.DataFrame(result.events.drop(columns="replicate"), items_per_page=8)


@solara.component
def Page() -> None:
    """The dashboard: SolaraViz's controls and parameters in the sidebar, the views in the main area."""
    model = solara.use_reactive(solara.use_memo(DashboardModel, []))
    current = model.value
    # The inputs show the values the model runs with; they are rebuilt when Reset brings another scenario.
    params = solara.use_memo(lambda: model_params(current), [current.scenario_name])
    solara.Style(CSS)
    SolaraViz(model, components=[], model_params=params, name=f"negsim · {current.scenario_name}").key(
        current.scenario_name
    )
    Views(current)
