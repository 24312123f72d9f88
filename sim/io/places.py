"""Where a command's outputs go, checked before any work: every place a command writes (``output_dir``, a sensitivity
study's or a calibration's, Hydra's ``hydra.run.dir`` and ``hydra.sweep.dir``) goes through :func:`output_place`.

A place passes only if everything that will later be written there can be: its folder exists or can be created (no
file, no dangling symbolic link on the way), this process can write there (tried, not guessed from permissions), each
name fits the file system, the temporary name it is first written under (``.NAME-N.partial-PID``,
:mod:`sim.io.atomic`) too, and so do the deepest paths written inside it. ``~`` is the user's home where negsim writes
the folder itself; Hydra does not expand it in its own places, so there it is refused with the path to write instead.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from sim.io.atomic import PARTIAL
from sim.model.errors import ScenarioError, quote

NAME_MAX, PATH_MAX = 255, 4096  # bytes of a name and of a path on Linux, if the file system does not say
PID_DIGITS = 7  # a Linux process id has at most 7 digits (PID_MAX_LIMIT is 2^22)
FREE_SUFFIX = "-999"  # a run written beside older ones of the same name (sim.io.atomic.free_path), with room to spare
DEEPEST = 96  # bytes below an output folder of its deepest path (cells/.<hash>.partial-<pid>/…/part-….parquet: 81)


def output_place(value: object, path: str, *, hydra: bool = False) -> Path:
    """The folder ``value`` names (``~`` expanded), once it is a place where the command can write everything it
    will; a :class:`ScenarioError` naming ``path`` (the setting) otherwise. ``hydra``: a place Hydra creates itself
    (no ``~``, no temporary name)."""
    if not isinstance(value, str | Path) or not str(value).strip():
        raise ScenarioError(path, value, "a folder path")
    text = str(value)
    folder = _expanded(text, path, hydra)
    try:
        absolute = Path(os.path.abspath(folder))
        existing = next(p for p in [absolute, *absolute.parents] if os.path.lexists(p))
        if existing.is_symlink() and not existing.exists():
            problem = f"{quote(text)}: {existing} is a symbolic link to {os.readlink(existing)}, which does not exist"
            raise ScenarioError(path, text, "a folder that exists or can be created", problem=problem)
        is_dir = existing.is_dir()
    except (OSError, ValueError) as e:  # a NUL character…
        raise ScenarioError(path, text, "a folder path", problem=str(e)) from None
    if not is_dir:
        problem = f"{quote(text)} lies under {existing}, which is not a folder"
        raise ScenarioError(path, text, "a folder that exists or can be created", problem=problem)
    _check_names(absolute, existing, text, path, hydra)
    try:
        Path(tempfile.mkdtemp(prefix=".negsim-check-", dir=existing)).rmdir()
    except OSError as e:
        problem = f"{quote(text)}: cannot write in {existing} ({e.strerror})"
        raise ScenarioError(path, text, "a folder where negsim may write", problem=problem) from None
    return folder


def _expanded(text: str, path: str, hydra: bool) -> Path:
    if not text.startswith("~"):
        return Path(text)
    if hydra:
        home = Path("~").expanduser()
        allowed = f"a folder path without ~ (Hydra does not expand it here): write it out, e.g. {home}{text[1:]}"
        raise ScenarioError(path, text, allowed)
    try:
        return Path(text).expanduser()
    except RuntimeError:  # ~USER of no user on this machine
        user = text[1:].partition("/")[0]
        problem = f"{quote(text)}: no user {user!r} on this machine to expand ~{user}"
        raise ScenarioError(
            path, text, "a folder path (~ or ~USER of a user on this machine)", problem=problem
        ) from None


def _check_names(absolute: Path, existing: Path, text: str, path: str, hydra: bool) -> None:
    """Each name of the folder's path, its temporary name and its deepest path fit the file system's limits."""
    name_max, path_max = _limit(existing, "PC_NAME_MAX", NAME_MAX), _limit(existing, "PC_PATH_MAX", PATH_MAX)
    added = 0 if hydra else len(f".{FREE_SUFFIX}{PARTIAL}") + PID_DIGITS  # around the name, while it is written
    for part in absolute.relative_to(existing).parts if absolute != existing else [absolute.name]:
        size = len(os.fsencode(part)) + (added if part == absolute.name else 0)
        if size > name_max:
            problem = (
                f"{quote(text)}: the name {quote(part, 40)} takes {size:,} bytes"
                + (f" as the temporary .NAME{FREE_SUFFIX}{PARTIAL}PID it is written under" if added else "")
                + f", and the file system takes at most {name_max}"
            )
            allowed = f"a folder of names of at most {name_max - added if part == absolute.name else name_max} bytes"
            raise ScenarioError(path, text, allowed, problem=problem)
    length = len(os.fsencode(str(absolute))) + DEEPEST
    if length > path_max:
        problem = f"{quote(text)}: the files written inside would have paths of {length:,} bytes (at most {path_max})"
        raise ScenarioError(path, text, f"a folder path of at most {path_max - DEEPEST:,} bytes", problem=problem)


def _limit(folder: Path, name: str, default: int) -> int:
    try:
        return os.pathconf(folder, name)
    except (OSError, ValueError):
        return default
