"""Folders that appear whole or not at all: written under a temporary name beside their target, then renamed.

Every folder negsim writes (a run, a sweep cell, a sweep's aggregate, a sensitivity analysis) goes through
:class:`AtomicDir`, so a failure or an interruption part-way leaves no half-written folder behind. A folder negsim
reads back (a sweep cell, an aggregate) also gets a manifest, written last: every file's name, size and SHA-256
digest (:func:`write_manifest`). Such a folder is whole only if every file its manifest lists is there as written
(:func:`manifest_problem`): a file lost or damaged later is found, named, and the folder recomputed or refused, never
read as if it were complete.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from types import TracebackType

from sim.io.files import MAX_RECORD_BYTES, Unreadable, file_bytes

PARTIAL = ".partial-"  # the temporary folder of ``name`` is ``.name.partial-<pid>``
MANIFEST = "manifest.json"


def free_path(path: Path) -> Path:
    """``path``, or ``path-1``, ``path-2``… if it is taken."""
    candidate, k = path, 0
    while os.path.lexists(candidate):  # a dangling symbolic link takes the name too
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


def partial_path(target: Path, pid: int | None = None) -> Path:
    """The temporary folder in which process ``pid`` (this one by default) writes ``target``."""
    return target.with_name(f".{target.name}{PARTIAL}{os.getpid() if pid is None else pid}")


def remove_partials(root: Path) -> None:
    """Remove every temporary folder this process left under ``root`` (after an interruption)."""
    for partial in list(Path(root).rglob(f".*{PARTIAL}{os.getpid()}")):
        shutil.rmtree(partial, ignore_errors=True)


class AtomicDir:
    """A folder written at ``path`` (a fresh temporary folder) and put in place at ``target`` by :meth:`commit`.

    ``replace`` lets :meth:`commit` replace an existing ``target``; ``manifest`` writes the folder's manifest before it
    is put in place; ``free`` puts the folder at the first free name of
    ``target``, ``target-1``… (:func:`free_path`), when it is written and again when it is committed; otherwise an
    existing target is an error. Used as a context manager, it commits when the block ends normally and removes the
    temporary folder on any exception::

        with AtomicDir(out / "analysis", replace=True) as tmp:
            table.to_parquet(tmp / "indices.parquet")
    """

    def __init__(self, target: str | Path, *, replace: bool = False, free: bool = False, manifest: bool = False):
        self.wanted = Path(target).expanduser()
        self.target = free_path(self.wanted) if free else self.wanted
        self.replace, self.free, self.manifest = replace, free, manifest
        self.target.parent.mkdir(parents=True, exist_ok=True)
        for stale in self.target.parent.glob(f".{self.target.name}{PARTIAL}*"):  # left by a run that was killed
            if not _running(stale.name.rpartition(PARTIAL)[2]):  # not another process's folder in the making
                shutil.rmtree(stale, ignore_errors=True)
        self.path = partial_path(self.target)
        self.path.mkdir()

    def commit(self) -> Path:
        """Write the manifest (if asked for), put the folder in place (replacing the old one if allowed); return the
        target."""
        if self.manifest:
            write_manifest(self.path)
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


def _digest(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def write_manifest(folder: Path) -> None:
    """``folder/manifest.json``: every file under ``folder`` (path relative to it, bytes, SHA-256), written last."""
    files = {
        p.relative_to(folder).as_posix(): {"bytes": p.stat().st_size, "sha256": _digest(p)}
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != MANIFEST
    }
    (folder / MANIFEST).write_text(json.dumps({"files": files}, indent=1))


def manifest_problem(folder: Path) -> tuple[Path, str] | None:
    """Why ``folder`` is not whole as its manifest says: the file at fault and what is wrong with it (no manifest, or a
    damaged one; a file missing, of another size, or with other content); None if it is whole. Files added since
    (plots) are not its business."""
    manifest = folder / MANIFEST
    try:
        files = json.loads(file_bytes(manifest, MAX_RECORD_BYTES))["files"]
        listed = [(folder / name, int(e["bytes"]), str(e["sha256"])) for name, e in files.items()]
    except Unreadable as e:
        return manifest, f"missing or unreadable ({e}): the folder was not written whole, or by an older negsim"
    except (ValueError, TypeError, KeyError, AttributeError):
        return manifest, "damaged (not the list of files negsim writes)"
    for path, size, digest in listed:
        if not path.is_file():
            return path, f"missing (listed in {MANIFEST})"
        if path.stat().st_size != size:
            return path, f"holds {path.stat().st_size:,} bytes, not the {size:,} written"
        if _digest(path) != digest:
            return path, "damaged: its content is not what was written (another SHA-256)"
    return None


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
