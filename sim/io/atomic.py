"""Folders that appear whole or not at all: written under a temporary name beside their target, then renamed.

Every folder negsim writes (a run, a sweep cell, a sweep's aggregate, a sensitivity analysis) goes through
:class:`AtomicDir`, so a failure or an interruption part-way leaves no half-written folder behind.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from types import TracebackType

PARTIAL = ".partial-"  # the temporary folder of ``name`` is ``.name.partial-<pid>``


def free_path(path: Path) -> Path:
    """``path``, or ``path-1``, ``path-2``… if it is taken."""
    candidate, k = path, 0
    while candidate.exists():
        k += 1
        candidate = path.with_name(f"{path.name}-{k}")
    return candidate


def _running(pid: str) -> bool:
    """Whether the process ``pid`` (a folder name's suffix) is alive."""
    try:
        os.kill(int(pid), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


class AtomicDir:
    """A folder written at ``path`` (a fresh temporary folder) and put in place at ``target`` by :meth:`commit`.

    ``replace`` lets :meth:`commit` replace an existing ``target``; ``free`` puts the folder at the first free name of
    ``target``, ``target-1``… (:func:`free_path`), when it is written and again when it is committed; otherwise an
    existing target is an error. Used as a context manager, it commits when the block ends normally and removes the
    temporary folder on any exception::

        with AtomicDir(out / "analysis", replace=True) as tmp:
            table.to_parquet(tmp / "indices.parquet")
    """

    def __init__(self, target: str | Path, *, replace: bool = False, free: bool = False):
        self.wanted = Path(target)
        self.target = free_path(self.wanted) if free else self.wanted
        self.replace, self.free = replace, free
        self.target.parent.mkdir(parents=True, exist_ok=True)
        for stale in self.target.parent.glob(f".{self.target.name}{PARTIAL}*"):  # left by a run that was killed
            if not _running(stale.name.rpartition(PARTIAL)[2]):  # not another process's folder in the making
                shutil.rmtree(stale, ignore_errors=True)
        self.path = self.target.with_name(f".{self.target.name}{PARTIAL}{os.getpid()}")
        self.path.mkdir()

    def commit(self) -> Path:
        """Put the folder in place (replacing the old one if allowed); return the target."""
        if self.replace and self.target.exists():
            shutil.rmtree(self.target)
        while True:
            try:
                self.path.rename(self.target)
                return self.target
            except OSError:
                if not (self.free and self.target.exists()):
                    raise
                self.target = free_path(self.wanted)  # another process took the name first

    def abort(self) -> None:
        """Remove the temporary folder and everything in it."""
        shutil.rmtree(self.path, ignore_errors=True)

    def __enter__(self) -> Path:
        return self.path

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if kind is None:
            try:
                self.commit()
            except BaseException:
                self.abort()
                raise
        else:
            self.abort()


def write_text(path: str | Path, text: str) -> Path:
    """Write ``text`` to ``path`` whole or not at all: to a temporary name beside it, then renamed."""
    path = Path(path)
    partial = path.with_name(f".{path.name}{PARTIAL}{os.getpid()}")
    try:
        partial.write_text(text, encoding="utf-8")
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return path
