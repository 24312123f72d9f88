"""How every negsim command ends when something goes wrong: one line on standard error and an exit code that says what
happened, never a traceback unless asked for.

    negsim: error: <what> <where>: <why>; <what is allowed or what to do>

======  ==============================================================================
exit    meaning
======  ==============================================================================
2       bad input: a setting, an override, a file, a flag (``ScenarioError``); nothing was written
1       a run or a sweep cell failed, or negsim itself failed (any other exception)
130     interrupted (Ctrl-C): finished outputs are kept, unfinished ones removed
======  ==============================================================================

The full traceback is printed with ``NEGSIM_DEBUG=1`` or ``negsim --debug …``; when a command has said where its
outputs go (:func:`log_beside`), an unexpected failure's traceback is also written there, in ``negsim-error.log``.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sim.model.errors import ScenarioError

EXIT_INPUT, EXIT_FAILED, EXIT_INTERRUPTED = 2, 1, 130
DEBUG = "NEGSIM_DEBUG"
LOG_FILE = "negsim-error.log"
MESSAGE_CHARS = 300  # an unexpected error's own text is cut to this many characters

_log_dir: list[Path] = []  # where the command writes its outputs, once known

EXTRAS = {  # an optional part of negsim (pyproject.toml): what needs it, and a module it installs
    "viz": ("the dashboard", "solara"),
    "discover": ("scenario discovery", "ema_workbench"),
    "calibrate": ("calibration", "pyabc"),
    "ray": ("sweep.backend=ray", "ray"),
    "parallel": ("hydra/launcher=joblib", "hydra_plugins.hydra_joblib_launcher"),
    "slurm": ("hydra/launcher=slurm", "hydra_plugins.hydra_submitit_launcher"),
}
LAUNCHERS = {"joblib": "parallel", "slurm": "slurm", "submitit_slurm": "slurm", "submitit_local": "slurm"}


class MissingExtra(ScenarioError):
    """A command needs an optional extra that is not installed: one line naming the extra and how to install it."""

    def __init__(self, extra: str):
        what, module = EXTRAS[extra]
        install = f"pip install -e '.[{extra}]'"
        super().__init__(what, module, install)
        self.args = (f"{what} needs the {extra} extra ({module} is not installed): {install}",)


def installed(extra: str) -> bool:
    """Whether the optional ``extra`` is installed (its module looked up, not imported)."""
    return importlib.util.find_spec(EXTRAS[extra][1]) is not None


def require_extra(extra: str) -> None:
    """Raise :class:`MissingExtra` unless the optional ``extra`` is installed."""
    if not installed(extra):
        raise MissingExtra(extra)


def debugging() -> bool:
    return os.environ.get(DEBUG, "") not in ("", "0")


def log_beside(directory: str | Path) -> None:
    """From now on, an unexpected failure's traceback is also written to ``directory/negsim-error.log``."""
    _log_dir[:] = [Path(directory)]


def say(message: str) -> None:
    """One line on standard error: ``negsim: error: message``."""
    print(f"negsim: error: {message}", file=sys.stderr, flush=True)


def fail(error: Exception) -> None:
    """Report a user mistake in one line and exit 2, without a traceback."""
    if debugging():
        traceback.print_exception(error, file=sys.stderr)
    say(str(error))
    raise SystemExit(EXIT_INPUT)


@contextmanager
def reported(command: str) -> Iterator[None]:
    """Run a command's body, turning whatever escapes it into one line and an exit code."""
    try:
        yield
    except ScenarioError as error:
        fail(error)
    except KeyboardInterrupt:
        if debugging():
            traceback.print_exc()
        print(f"{command}: interrupted; finished outputs are kept, unfinished ones removed", file=sys.stderr)
        raise SystemExit(EXIT_INTERRUPTED) from None
    except Exception as error:
        details = traceback.format_exc()
        if debugging():
            print(details, file=sys.stderr, end="")
        text = " ".join(str(error).split())
        what = f"{type(error).__name__}: {text[:MESSAGE_CHARS]}" if text else type(error).__name__
        say(f"{command} failed: {what}; {keep_traceback(details)}")
        raise SystemExit(EXIT_FAILED) from None
    finally:
        _log_dir.clear()


def keep_traceback(details: str) -> str:
    """Write the traceback beside the outputs, if the command has any; say where to find it."""
    for directory in _log_dir:
        try:
            (directory / LOG_FILE).write_text(details)
        except OSError:
            break
        return f"the traceback is in {directory / LOG_FILE}"
    return f"rerun with --debug (or {DEBUG}=1) to see the traceback, and report it if negsim is at fault"
