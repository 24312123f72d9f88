"""The ``negsim`` command: ``negsim run`` (Hydra), ``negsim scenarios``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from sim.errors import ScenarioError

COMMANDS: dict[str, str] = {
    "run": "run a scenario end to end and write its tables, summary and plot (Hydra overrides: seed=3 rounds=80 …)",
    "scenarios": "list the shipped scenarios",
}


def fail(error: Exception) -> None:
    """Report a user mistake in one line and exit non-zero, without a traceback."""
    print(f"negsim: error: {error}", file=sys.stderr)
    raise SystemExit(2)


def _hydra_command(app: Callable[[], None], name: str, argv: list[str]) -> None:
    """Run a Hydra app as if it were the program, with ``argv`` as its overrides."""
    sys.argv = [f"negsim {name}", *argv]
    app()


def _scenarios(argv: list[str]) -> None:
    from sim.library import available_scenarios, load_scenario

    if argv:
        fail(ScenarioError("negsim scenarios", " ".join(argv), "no arguments"))
    for name in available_scenarios():
        first = load_scenario(name).description.split(". ")[0]
        print(f"{name:24} {first}")


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
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
        from sim.apps import run_app

        _hydra_command(run_app, command, rest)
    elif command == "scenarios":
        _scenarios(rest)
