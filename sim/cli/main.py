"""The ``negsim`` command: ``run`` and ``sweep`` (Hydra apps), ``plot``, ``sensitivity``, ``dashboard``, ``scenarios``,
``experiments``."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable

from sim.cli.errors import fail
from sim.model.errors import ScenarioError

COMMANDS: dict[str, str] = {
    "run": "run a scenario end to end and write its tables, summary and plot (Hydra overrides: seed=3 rounds=80 …)",
    "sweep": "run a sweep, one cell per point, each an ensemble of replicates: negsim sweep experiment=NAME […]",
    "plot": "redraw a sweep's plots from its files: negsim plot multirun/NAME",
    "sensitivity": "which parameters matter (SALib Morris/Sobol'): negsim sensitivity config=NAME [overrides]",
    "dashboard": "serve the interactive dashboard in the browser: negsim dashboard [--port 8765] [--host localhost]",
    "scenarios": "list the shipped scenarios",
    "experiments": "list the shipped experiments",
}


def _hydra_command(app: Callable[[], None], name: str, argv: list[str]) -> None:
    """Run a Hydra app as if it were the program, with ``argv`` as its overrides."""
    sys.argv = [f"negsim {name}", *argv]
    app()


def _scenarios(argv: list[str]) -> None:
    from sim.io.library import available_scenarios, load_scenario

    if argv:
        fail(ScenarioError("negsim scenarios", " ".join(argv), "no arguments"))
    for name in available_scenarios():
        first = load_scenario(name).description.split(". ")[0]
        print(f"{name:24} {first}")


def _experiments(argv: list[str]) -> None:
    from sim.io.library import config_dir

    if argv:
        fail(ScenarioError("negsim experiments", " ".join(argv), "no arguments"))
    for path in sorted((config_dir() / "experiment").glob("*.yaml")):
        question = next((line[2:].strip() for line in path.read_text().splitlines() if line.startswith("# ")), "")
        print(f"{path.stem:24} {question}")


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    os.environ.setdefault("MPLBACKEND", "Agg")  # the command draws into files, never windows (a library leaves it be)
    parser = argparse.ArgumentParser(
        prog="negsim",
        description="Agent-based simulation of diplomatic negotiation.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="commands:\n" + "\n".join(f"  {k:10} {v}" for k, v in COMMANDS.items()) + "\n\n"
        "`negsim COMMAND --help` describes a command.",
    )
    parser.add_argument("command", choices=COMMANDS, metavar="COMMAND", help="one of: " + ", ".join(COMMANDS))
    if not argv or argv[0] in ("-h", "--help"):
        parser.print_help()
        raise SystemExit(0 if argv else 2)
    command, rest = parser.parse_args(argv[:1]).command, argv[1:]
    if command == "run":
        from sim.cli.hydra_apps import run_app

        _hydra_command(run_app, command, rest)
    elif command == "sweep":
        try:
            from sim.cli.sweep_app import sweep_command
        except KeyboardInterrupt:  # Ctrl-C while negsim starts: nothing is written yet
            print("negsim: error: interrupted", file=sys.stderr)
            raise SystemExit(130) from None
        sweep_command(rest)
    elif command == "plot":
        from sim.cli.sweep_app import plot_command

        plot_command(rest)
    elif command == "sensitivity":
        from sim.cli.sensitivity import main as sensitivity

        sensitivity(rest)
    elif command == "dashboard":
        try:
            from sim.dashboard.server import main as dashboard
        except ImportError as error:
            fail(ScenarioError("negsim dashboard", error.name, "the viz extra installed: pip install -e '.[viz]'"))
        dashboard(rest)
    elif command == "scenarios":
        _scenarios(rest)
    elif command == "experiments":
        _experiments(rest)
