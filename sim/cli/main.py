"""The ``negsim`` command: ``run`` and ``sweep`` (Hydra apps), ``plot``, ``sensitivity``, ``calibrate``, ``discover``,
``dashboard``, ``brief``, ``class``, ``scenarios``, ``experiments``."""

from __future__ import annotations

import argparse
import gc
import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, NoReturn

from sim.cli.errors import DEBUG, EXIT_INTERRUPTED, fail, reported, require_extra
from sim.model.errors import ScenarioError, one_of

if TYPE_CHECKING:
    from omegaconf import DictConfig

COMMANDS: dict[str, str] = {
    "run": "run a scenario end to end and write its tables, summary and plot (Hydra overrides: seed=3 rounds=80 …)",
    "sweep": "run a sweep, one cell per point, each an ensemble of replicates: negsim sweep experiment=NAME […]",
    "plot": "redraw a sweep's plots from its files: negsim plot multirun/NAME",
    "sensitivity": "which parameters matter (SALib Morris/Sobol'): negsim sensitivity config=NAME [overrides]",
    "calibrate": "which values fit an event record (ABC-SMC, pyabc): negsim calibrate [check] config=NAME [overrides]",
    "discover": "where in a sweep an outcome holds (PRIM): negsim discover SWEEP_DIR outcome=COLUMN [threshold=X]",
    "dashboard": "serve the interactive dashboard in the browser: negsim dashboard [--port 8765] [--host localhost]",
    "brief": "a seat's brief for a game in class: negsim brief SCENARIO SEAT [rounds=6] [html=FILE]",
    "class": "a class's debriefs side by side: negsim class FOLDER",
    "scenarios": "list the shipped scenarios",
    "experiments": "list the shipped experiments",
}


HELP = ("-h", "--help")
USAGES: dict[str, str] = {
    "plot": "usage: negsim plot multirun/NAME\n\nRedraw a sweep's plots (and its aggregate, if missing) from the files "
    "under multirun/NAME.\nexample: negsim plot multirun/confidence_concession",
    "scenarios": "usage: negsim scenarios\n\nList the shipped scenarios (conf/scenario/), each with its first sentence."
    "\nexample: negsim scenarios; then negsim run scenario=NAME",
    "experiments": "usage: negsim experiments\n\nList the shipped studies (conf/experiment/), each with its question."
    "\nexample: negsim experiments; then negsim sweep experiment=NAME",
}


def _check_hydra_command(argv: list[str]) -> list[DictConfig]:
    """Check a Hydra command line before its app is imported or run: overrides, settings and output places, so that
    a mistake is refused in one line, in a second or two, before anything is written. Returns the configs checked."""
    from sim.cli.errors import log_beside
    from sim.cli.overrides import checked_configs, hydra_arguments
    from sim.cli.settings import SWEEP, check_run, check_sweep

    multirun = hydra_arguments(argv).multirun
    check = check_sweep if multirun else check_run
    configs = checked_configs(argv, multirun=multirun, by_value=SWEEP if multirun else {})
    places = {check(config) for config in configs}
    if multirun and len(places) == 1:
        log_beside(*places)
    return configs


def _own_help(name: str, argv: list[str]) -> NoReturn:
    """``negsim run --help``, ``negsim sweep --help``: the command's own page (``conf/hydra/help/negsim_<name>.yaml``)
    rather than Hydra's dump of the config, with the values the other overrides give. Drawn from the config composed
    to check the command line: Hydra's app would first list every option of every config group (seconds)."""
    from omegaconf import OmegaConf

    from sim.cli.overrides import resolved
    from sim.io.library import config_dir

    def options(group: str) -> str:
        return ", ".join(sorted(p.stem for p in (config_dir() / group).glob("*.yaml")))

    OmegaConf.register_new_resolver("negsim_options", options, replace=True)
    config = _check_hydra_command([f"hydra/help=negsim_{name}", *(a for a in argv if a not in HELP)])[0]
    print(resolved(config, "hydra.help.template"))
    raise SystemExit(0)


@contextmanager
def _hydra_reported(argv: list[str]) -> Iterator[None]:
    """Around a Hydra app (its overrides checked already): whatever Hydra raises reaches negsim's error report
    (``HYDRA_FULL_ERROR``: Hydra re-raises instead of printing), and every config file it loads is read safely first."""
    from sim.cli.overrides import hydra_errors, screened_config_files

    os.environ["HYDRA_FULL_ERROR"] = "1"
    try:
        with hydra_errors(argv), screened_config_files():
            yield
    finally:
        os.environ.pop("HYDRA_FULL_ERROR", None)  # not inherited by workers started later


def _hydra_command(app: Callable[[], None], name: str, argv: list[str]) -> None:
    """Run a Hydra app as if it were the program, with ``argv`` as its overrides."""
    sys.argv = [f"negsim {name}", *argv]
    with _hydra_reported(argv):
        app()


def _command(word: str) -> str:
    if word not in COMMANDS:
        raise ScenarioError(
            "negsim",
            word,
            f"a command: {one_of(COMMANDS, word)}; negsim --help lists them",
            problem=f"no command {word!r}",
        )
    return word


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
        print(f"{path.stem:24} {_question(path.read_text())}")


def _question(text: str) -> str:
    """A study's question: the first comment line that is not a Hydra directive, without its ``(a)`` label."""
    comments = (line.removeprefix("#").strip() for line in text.splitlines() if line.startswith("#"))
    first = next((c for c in comments if c and not c.startswith("@")), "")
    return re.sub(r"^\([a-z]\)\s*", "", first)


def main(argv: list[str] | None = None) -> None:
    """The ``negsim`` command with ``argv``, or as the program, with its own arguments (``argv`` None)."""
    if argv is None:
        with _quick_exit_after_ctrl_c():
            return main(sys.argv[1:])
    argv = list(argv)
    if "--debug" in argv:  # anywhere on the line: the full traceback of any failure
        argv = [a for a in argv if a != "--debug"]
        os.environ[DEBUG] = "1"
    os.environ.setdefault("MPLBACKEND", "Agg")  # the command draws into files, never windows (a library leaves it be)
    width = max(map(len, COMMANDS))
    parser = argparse.ArgumentParser(
        prog="negsim",
        description="Agent-based simulation of diplomatic negotiation.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="commands:\n" + "\n".join(f"  {k:{width}}  {v}" for k, v in COMMANDS.items()) + "\n\n"
        "`negsim COMMAND --help` describes a command. `--debug` (or NEGSIM_DEBUG=1) shows the traceback of a failure.",
    )
    parser.add_argument("command", choices=COMMANDS, metavar="COMMAND", help="one of: " + ", ".join(COMMANDS))
    if not argv or argv[0] in ("-h", "--help"):
        parser.print_help()
        raise SystemExit(0 if argv else 2)
    with reported("negsim"):
        command, rest = _command(argv[0]), argv[1:]
    with reported(f"negsim {command}"):
        _dispatch(command, rest)


@contextmanager
def _quick_exit_after_ctrl_c() -> Iterator[None]:
    """The program ending after Ctrl-C (exit 130), its clean-up done: the objects the interrupted work left are kept
    out of the interpreter's last garbage collections, which would walk them all before the prompt comes back. Only
    the program does this: a caller of ``main(argv)`` keeps its heap as it was."""
    try:
        yield
    except SystemExit as exit_:
        if exit_.code == EXIT_INTERRUPTED:
            gc.freeze()
        raise


def _dispatch(command: str, rest: list[str]) -> None:
    if command in USAGES and any(a in HELP for a in rest):
        print(USAGES[command])
        raise SystemExit(0)
    if command == "run" and any(a in HELP for a in rest):
        _own_help(command, rest)
    elif command == "run":
        _check_hydra_command(rest)
        from sim.cli.hydra_apps import run_app

        _hydra_command(run_app, command, rest)
    elif command == "sweep":
        try:
            from sim.cli.sweep_app import INSPECTING, named, sweep_command
        except KeyboardInterrupt:  # Ctrl-C while negsim starts: nothing is written yet
            print("negsim: error: interrupted", file=sys.stderr)
            raise SystemExit(EXIT_INTERRUPTED) from None
        rest = named(rest)
        if any(a in HELP for a in rest):
            _own_help(command, rest)
        inspecting = any(a.split("=", 1)[0] in INSPECTING for a in rest)  # --cfg …: no multirun
        _check_hydra_command(rest if inspecting else ["--multirun", *rest])
        with _hydra_reported(rest):
            sweep_command(rest)
    elif command == "plot":
        from sim.cli.sweep_app import plot_command

        plot_command(rest)
    elif command == "sensitivity":
        from sim.cli.sensitivity import main as sensitivity

        sensitivity(rest)
    elif command == "calibrate":
        from sim.cli.calibrate import main as calibrate

        calibrate(rest)
    elif command == "discover":
        from sim.cli.discover import main as discover

        discover(rest)
    elif command == "dashboard":
        require_extra("viz")
        from sim.dashboard.server import main as dashboard

        dashboard(rest)
    elif command == "brief":
        from sim.cli.teaching import brief

        brief(rest)
    elif command == "class":
        from sim.cli.teaching import class_report

        class_report(rest)
    elif command == "scenarios":
        _scenarios(rest)
    elif command == "experiments":
        _experiments(rest)
