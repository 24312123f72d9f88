"""The interactive dashboard: a scenario in the browser, round by round, with Mesa's SolaraViz.

SolaraViz gives the page its frame: the controls (reset, play, step), the model parameters and the round counter in
the sidebar. The parameters are the scenario, the seed and, for each ministry, its starting confidence in each other
country, its priority of the scenario's main issues, how fast good and bad news move its confidence (trust gain
α⁺, trust loss α⁻) and its concession style; they apply on Reset. The main area shows confidence per directed pair
with meetings and events, the territorial talks with the settlement, the agenda log, and a form that injects a CAMEO
event by hand to show a shock.

Serve it with ``negsim dashboard`` or ``python -m sim.dashboard`` (:func:`main`).
"""

from __future__ import annotations

import argparse
import calendar
import copy
import socket
import sys
import threading
from collections.abc import Mapping
from html import escape
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import solara
from matplotlib.figure import Figure
from mesa.visualization import SolaraViz
from mesa.visualization.utils import force_update, update_counter

from sim.cameo import goldstein_table
from sim.errors import ScenarioError
from sim.library import config_dir, generated, load_scenario, read_yaml
from sim.model import NegotiationModel
from sim.plan import event_plan
from sim.plots import MIN_LIVE_ROUNDS, country_color, display_name, mark_settlements, plot_confidence
from sim.recording import RunResult
from sim.scenario import Country, Event, Ministry, Scenario

DEFAULT_SCENARIO, DEFAULT_SEED = "tokyo_2013", 2013
MAIN_ISSUES = 2  # issues with the most influence-weighted priority in a scenario, one slider each per ministry
MAX_COUNTRIES = 4  # scenarios offered: one control per ministry and one line per pair stay readable up to here
BEHAVIOUR = {  # behaviour parameter: label, slider range and step
    "trust_gain": ("trust gain α⁺", 0.0, 1.0, 0.01),
    "trust_loss": ("trust loss α⁻", 0.0, 1.0, 0.01),
    "concession": ("concession (<1 Boulware, >1 conceder)", 0.1, 4.0, 0.05),
}
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


# --- parameters -------------------------------------------------------------------------------------------------------


class Control(NamedTuple):
    """One adjustable value of a scenario: its label, current value and slider range."""

    label: str
    value: float
    low: float
    high: float
    step: float

    @property
    def shown(self) -> float:
        """The value on the slider's grid, as the slider shows it."""
        return round(self.value / self.step) * self.step


def dashboard_scenarios() -> list[str]:
    """The shipped scenarios of at most :data:`MAX_COUNTRIES` countries (larger ones are for ``negsim run``).

    One that cannot be read is listed too, so that choosing it shows why.
    """
    names = []
    for path in sorted((config_dir() / "scenario").glob("*.yaml")):
        try:
            small = len(generated(read_yaml(path)).get("countries") or ()) <= MAX_COUNTRIES
        except ScenarioError:
            small = True
        if small:
            names.append(path.stem)
    return names


def main_issues(spec: Scenario) -> list[str]:
    """The scenario's issues with the most priority, weighing each ministry by its influence at home."""
    weight = {i: sum(m.influence * m.priorities[i] for m in spec.ministries) for i in spec.issues}
    return sorted(weight, key=weight.__getitem__, reverse=True)[:MAIN_ISSUES]


def confidence_in(ministry: Ministry, other: Country) -> float:
    """A ministry's starting confidence in a country: its ministries weighted by their influence."""
    return sum(x.influence * ministry.confidence[x.key] for x in other.ministries)


def parameters(spec: Scenario, issues: list[str]) -> dict[str, Control]:
    """The adjustable values of each ministry, keyed ``country.ministry.confidence.other``,
    ``country.ministry.priority.issue`` or ``country.ministry.<behaviour>``."""
    out = {}
    for country in spec.countries:
        for m in country.ministries:
            who = f"{display_name(country.name)} {m.name}"
            for other in spec.countries:
                if other is not country:
                    label = f"{who}: confidence in {display_name(other.name)}"
                    out[f"{m.key}.confidence.{other.name}"] = Control(label, confidence_in(m, other), 0.0, 1.0, 0.01)
            for issue in issues:
                label = f"{who}: priority of {issue.replace('_', ' ')}"
                out[f"{m.key}.priority.{issue}"] = Control(label, m.priorities[issue], 0.0, 1.0, 0.01)
            for name, (what, low, high, step) in BEHAVIOUR.items():
                out[f"{m.key}.{name}"] = Control(f"{who}: {what}", getattr(m.behaviour, name), low, high, step)
    return out


def _priorities(current: Mapping[str, float], shares: Mapping[str, float], path: str) -> dict[str, float]:
    """Priorities with ``shares`` fixed and the other issues keeping their proportions in what is left."""
    total = sum(shares.values())
    if total > 1 + 1e-9:
        raise ScenarioError(path, {k: round(v, 3) for k, v in shares.items()}, "shares that add up to at most 1")
    rest = {k: w for k, w in current.items() if k not in shares}
    left = sum(rest.values())
    scale = max(0.0, 1 - total) / left if left > 0 else 0.0
    return {**{k: w * scale for k, w in rest.items()}, **shares}


def with_settings(data: dict, shipped: Scenario, settings: Mapping[str, Any]) -> dict:
    """A copy of the scenario mapping ``data`` with the dashboard's settings written into its ministries.

    Only keys of :func:`parameters` count, and the value a slider shows for the scenario's own (rounded to its
    step) stands for the exact value, so that untouched sliders give the scenario as shipped. A confidence moves
    the ministry's confidence in every ministry of that country by the same amount (keeping their differences);
    priority shares are set exactly, the other issues keeping their proportions; behaviour values replace the
    ministry's own.
    """
    known = parameters(shipped, list(shipped.issues))
    countries = {c.name: c for c in shipped.countries}
    data = copy.deepcopy(data)
    for m in shipped.ministries:
        prefix = f"{m.key}."
        mine = {
            k.removeprefix(prefix): v if abs(v - known[k].shown) >= known[k].step / 2 else known[k].value
            for k, v in settings.items()
            if k.startswith(prefix) and k in known
        }
        raw = data["countries"][m.country]["ministries"][m.name]
        confidence, shares = dict(m.confidence), {}
        for what, value in mine.items():
            kind, _, name = what.partition(".")
            if kind == "confidence":
                shift = value - known[prefix + what].value
                for x in countries[name].ministries:
                    confidence[x.key] = min(1.0, max(0.0, confidence[x.key] + shift))
            elif kind == "priority":
                shares[name] = value
            else:
                raw[kind] = value
        raw["confidence"] = confidence
        if any(m.priorities[k] != v for k, v in shares.items()):
            path = f"scenario.countries.{m.country}.ministries.{m.name}.priorities"
            raw["priorities"] = _priorities(m.priorities, shares, path)
    return data


def build_scenario(name: str, settings: Mapping[str, Any]) -> tuple[str, Scenario, str | None]:
    """The shipped scenario ``name`` with its ``settings`` applied (those keyed ``name:…``): (name, scenario, None).

    A mistake gives the scenario as shipped and the message instead, or the default scenario if ``name`` itself
    cannot be read, so that the page shows the error rather than failing.
    """
    try:
        data = read_yaml(config_dir() / "scenario" / f"{name}.yaml")
        shipped = Scenario.from_dict(data)
    except ScenarioError as e:
        return DEFAULT_SCENARIO, load_scenario(DEFAULT_SCENARIO), f"{e} — showing {DEFAULT_SCENARIO} instead"
    mine = {k.removeprefix(f"{name}:"): v for k, v in settings.items() if k.startswith(f"{name}:")}
    try:
        return name, Scenario.from_dict(with_settings(data, shipped, mine)), None
    except ScenarioError as e:
        return name, shipped, f"{e} — showing {name} as shipped"


# --- the model --------------------------------------------------------------------------------------------------------


class DashboardModel(NegotiationModel):
    """A :class:`NegotiationModel` built from flat keyword settings, as SolaraViz's Reset passes them.

    Args:
        scenario_name: a shipped scenario.
        seed: the run's seed; with no settings changed, the run is ``negsim run scenario=… seed=…``.
        settings: values keyed ``scenario_name:`` and a key of :func:`parameters`; others are ignored (those of
            another scenario, and Mesa's own ``scenario`` object, which SolaraViz's Reset also passes).
    """

    def __init__(self, scenario_name: str = DEFAULT_SCENARIO, seed: int = DEFAULT_SEED, **settings: Any):
        self.scenario_name, spec, self.error = build_scenario(scenario_name, settings)
        self.lock = threading.RLock()  # Play steps in a thread of its own while the page reads or injects
        super().__init__(spec, rng=seed)
        self._result: tuple[tuple[int, int], RunResult] | None = None

    def step(self) -> None:
        """One round (Mesa's step), never while the page reads the model."""
        with self.lock:
            super().step()

    def result(self) -> RunResult:
        """Everything recorded so far, built once per round and per injected event, its tables all of one moment."""
        with self.lock:
            key = (self.round, len(self.engine.recorder.events))
            if self._result is None or self._result[0] != key:
                result = super().result()
                for table in ("country_confidence", "meetings", "events", "summary"):  # read the recorder now
                    getattr(result, table)
                self._result = (key, result)
            return self._result[1]


def inject_event(model: NegotiationModel, cameo: str, source: str, target: str) -> Event:
    """Country ``target`` observes the CAMEO event ``cameo`` by country ``source`` now, between two rounds.

    The rule of a scheduled event (:meth:`sim.engine.Engine.strike`): every ministry of the source acts and every
    ministry of the target observes, each moved by its trust gain or loss by the event's Goldstein value. It is
    recorded in the coming round, the first to show it.
    """
    if source == target:
        raise ScenarioError("event.target", target, "a country other than the source")
    code = goldstein_table()[cameo]
    event = Event(model.round + 1, source, target, code.goldstein, cameo, f"{code.description} (injected)")
    model.engine.strike(event.round, event_plan(event, model.spec))
    return event


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


# --- figures ----------------------------------------------------------------------------------------------------------


def talks_figure(result: RunResult) -> Figure:
    """Each side's proposals as its own utility (dots), the least it would accept then (line) and its reservation
    value (dashed); a cross marks a proposal accepted at the table, a dashed vertical line a settlement."""
    talks = list(result.plan.talks.values())
    fig = Figure(figsize=(6.4, 4.4 * len(talks)))
    axes = fig.subplots(len(talks), 1, squeeze=False)[:, 0]
    fig.subplots_adjust(left=0.11, right=0.98, top=0.94, bottom=0.27, hspace=0.6)
    offers = result.offers
    for ax, plan in zip(axes, talks, strict=True):
        rows = offers[offers["talks"] == plan.name]
        handles = []
        for p, party in enumerate(plan.parties):
            color, name = country_color(result, party.name), display_name(party.name)
            own = rows[rows["proposer"] == party.name]
            least = np.where(rows["proposer"] == party.name, rows["level_proposer"], rows["level_responder"])
            (line,) = ax.plot(rows["round"], least, color=color, lw=1.4, alpha=0.8, label=f"{name}: least it accepts")
            dots = ax.scatter(own["round"], own["u_proposer"], color=color, s=26, zorder=4, label=f"{name}: its offers")
            dashed = ax.axhline(plan.reservation[p], color=color, ls="--", lw=1.2, label=f"{name}: reservation value")
            handles.append((line, dots, dashed))
        accepted = rows[rows["accepted"].astype(bool)]
        ax.scatter(accepted["round"], accepted["u_proposer"], marker="x", s=70, color="k", zorder=5)
        by_kind = [h for kind in zip(*handles, strict=True) for h in kind]  # filled by column: one row per party
        ax.legend(handles=by_kind, ncols=3, fontsize=8, loc="upper left", bbox_to_anchor=(0, -0.17), frameon=False)
        mark_settlements(ax, result)
        title = f"{plan.name.replace('_', ' ')}: each side's own utility (× accepted at the table)"
        ax.set_title(title, fontsize=10, loc="left")
        ax.set_xlim(0, max(result.rounds, MIN_LIVE_ROUNDS))
        ax.set_ylim(-0.03, 1.08)
        ax.set_xlabel("round")
        ax.set_ylabel("utility")
        ax.grid(alpha=0.3)
    return fig


# --- text (plain HTML: solara's Markdown would fetch KaTeX from a CDN) ------------------------------------------------


def _words(name: str) -> str:
    return escape(name.replace("_", " "))


def _terms(terms: Mapping[str, str]) -> str:
    return ", ".join(f"{_words(k)} <b>{_words(v)}</b>" for k, v in terms.items())


def talks_status(result: RunResult) -> list[str]:
    """Paragraphs on each set of talks: the settlement and its terms, or where the talks stand."""
    out = []
    for t in result.summary["talks"]:
        a, b = (escape(display_name(p)) for p in t["parties"])
        name = _words(t["talks"])
        ra, rb = t["reservation"]
        if t["settled"]:
            ua, ub = t["utility"]
            out.append(f"<b>{name}: settled in round {t['settled_round']}</b> on {_terms(t['terms'])}.")
            out.append(f"Utility {a} {ua:.2f} (reservation {ra:.2f}), {b} {ub:.2f} (reservation {rb:.2f}).")
        else:
            wa, wb = t["final_win_set_sizes"]
            sessions = f"{t['sessions']} session{'' if t['sessions'] == 1 else 's'}"
            out.append(f"<b>{name}: no settlement</b> after {sessions}.")
            out.append(
                f"Deals each side would ratify now: {a} {wa}, {b} {wb}, both <b>{t['final_win_set_overlap']}</b>"
                f" (reservation values: {a} {ra:.2f}, {b} {rb:.2f})."
            )
        if t["ratification_failures"]:
            out.append(f"Deals agreed at the table but rejected at home: {t['ratification_failures']}.")
        nash = t["reference_terms"]["nash"]
        if nash:
            out.append(f"Nash bargaining solution: {_terms(nash)}.")
    return out


def when(spec: Scenario, round_: int) -> str:
    """Round ``round_`` with its month if the scenario gives dates: ``Round 3 (January 2014)``."""
    if spec.calendar_start is None or round_ == 0:
        return f"Round {round_}"
    year, month = map(int, spec.calendar_start.split("-"))
    months = year * 12 + month - 1 + (round_ - 1) * spec.round_months
    return f"Round {round_} ({calendar.month_name[months % 12 + 1]} {months // 12})"


def status_line(model: DashboardModel, result: RunResult) -> str:
    """Round, seed and each directed country pair's confidence now and at the start."""
    k = result.country_states[:, 0]
    names = [escape(display_name(c)) for c in result.countries]
    pairs = [
        f"{names[a]} → {names[b]} <b>{k[-1, a, b]:.3f}</b> (start {k[0, a, b]:.3f})"
        for a in range(len(names))
        for b in range(len(names))
        if a != b
    ]
    head = f"<b>{when(model.spec, result.rounds)}</b> · {escape(model.scenario_name)} · seed {model.seed_value}"
    return " · ".join([head, *pairs])


def agenda_log(agenda: pd.DataFrame) -> pd.DataFrame:
    """The agenda table for reading, latest first: who did what about which item, at which meeting."""
    return pd.DataFrame(
        {
            "round": agenda["round"],
            "meeting": agenda["meeting"].str.replace("_", " "),
            "item": agenda["item"].str.replace("_", " "),
            "who": agenda["actor"].map(display_name) + " → " + agenda["counterpart"].map(display_name),
            "action": agenda["action"].str.replace("_", " "),
        }
    ).iloc[::-1]


def action_counts(agenda: pd.DataFrame) -> str:
    """How often each action occurs in the agenda log."""
    counts = agenda["action"].value_counts()
    return " · ".join(f"{_words(a)} <b>{n}</b>" for a, n in counts.items()) or "nothing on the agenda yet"


# --- the page ---------------------------------------------------------------------------------------------------------


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
                solara.FigureMatplotlib(talks_figure(result), format="png", dpi=PLOT_DPI)
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


def main(argv: list[str]) -> None:
    """``negsim dashboard [--host HOST] [--port PORT]``: serve the dashboard until interrupted.

    Solara serves everything from this machine (its scripts and styles from the ``solara-assets`` package, the
    figures as images), so the page works without internet, as in a lecture hall.
    """
    parser = argparse.ArgumentParser(
        prog="negsim dashboard", description="Serve the interactive dashboard (Mesa's SolaraViz) in the browser."
    )
    parser.add_argument("--host", default="localhost", help="address to listen on (default: %(default)s)")
    parser.add_argument("--port", type=int, default=8765, help="port to listen on (default: %(default)s)")
    args = parser.parse_args(argv)
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server will: a port just freed is free
        try:
            s.bind((args.host, args.port))
        except OSError as e:
            parser.error(f"cannot listen on {args.host}:{args.port} ({e.strerror}); choose another --port or --host")
    from solara.__main__ import run
    from solara.server import settings

    settings.telemetry.mixpanel_enable = False
    print(f"negsim: dashboard at http://{args.host}:{args.port}/ (Ctrl+C to stop)", flush=True)
    server = ["--host", args.host, "--port", str(args.port), "--production", "--theme-loader", "plain"]
    server += ["--no-open", "--no-check-version"]
    run.main(["sim.dashboard:Page", *server], standalone_mode=False)


if __name__ == "__main__":
    main(sys.argv[1:])
