"""Files read safely: every file negsim reads from a path a user can name (a scenario, a study's ``scenario:``, a
config Hydra loads, an event record, a result folder's records) goes through :func:`read_file`.

It opens the path without waiting (a FIFO or a terminal would block ``open`` until someone writes), refuses anything
that is not a regular file (a FIFO, a device, a socket, a folder) and a file larger than the caller's limit, measured
before anything is read. :func:`read_record` reads a JSON record of a result folder the same way, naming the file and
what to do when it is damaged.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from sim.model.errors import ScenarioError

KINDS = {  # what a path that is not a regular file is, as a message says it
    stat.S_ISDIR: "a folder",
    stat.S_ISFIFO: "a FIFO (a named pipe)",
    stat.S_ISCHR: "a character device",
    stat.S_ISBLK: "a block device",
    stat.S_ISSOCK: "a socket",
}
MAX_RECORD_BYTES = 256 * 2**20  # a result folder's JSON record: far above what negsim writes; larger is refused


class Unreadable(Exception):
    """Why a path cannot be read as a regular file (the message: what is wrong, without the path); ``too_large`` when
    it is a regular file over the limit."""

    def __init__(self, problem: str, too_large: bool = False):
        super().__init__(problem)
        self.too_large = too_large


def read_file(path: str | Path, limit: int, allowed: str) -> bytes:
    """The bytes of the regular file at ``path``, at most ``limit`` of them; a :class:`ScenarioError` naming the path
    for a missing or unreadable file, anything that is not a regular file, or a larger one. ``allowed`` says what the
    caller wants (``"a YAML file"``)."""
    try:
        return file_bytes(path, limit)
    except Unreadable as e:
        wanted = f"{allowed} of at most {_size(limit)}" if e.too_large else allowed
        raise ScenarioError(str(path), None, wanted, problem=str(e)) from None


def file_bytes(path: str | Path, limit: int) -> bytes:
    """The bytes of the regular file at ``path`` (at most ``limit``), or :class:`Unreadable` saying why not."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except OSError as e:
        raise Unreadable(e.strerror or type(e).__name__) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = next((name for test, name in KINDS.items() if test(info.st_mode)), "not a regular file")
            raise Unreadable(f"this is {kind}, not a regular file")
        if info.st_size > limit:
            raise Unreadable(f"the file holds {info.st_size:,} bytes", too_large=True)
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(limit + 1)
    except OSError as e:
        raise Unreadable(e.strerror or type(e).__name__) from None
    finally:
        os.close(fd)
    if len(data) > limit:  # it grew since it was measured
        raise Unreadable(f"the file holds more than {limit:,} bytes", too_large=True)
    return data


def _size(limit: int) -> str:
    return f"{limit // 2**20} MiB" if limit % 2**20 == 0 else f"{limit:,} bytes"


def read_record(path: str | Path, keys: dict[str, type | tuple[type, ...]], rebuild: str) -> dict:
    """A JSON record of a result folder (``grid.json``, ``aggregate/sweep.json``, a cell's ``cell.json``): a mapping
    holding at least ``keys``, each of its type. A missing, unreadable or damaged file is a :class:`ScenarioError`
    naming it and what to do: ``rebuild`` (e.g. ``"rerun the sweep to rebuild it"``)."""
    path = Path(path)
    allowed = f"the file as negsim writes it: delete it and {rebuild}"
    try:
        data = json.loads(file_bytes(path, MAX_RECORD_BYTES))
    except Unreadable as e:
        raise ScenarioError(str(path), None, allowed, problem=f"unreadable ({e})") from None
    except ValueError as e:  # not UTF-8, not JSON
        raise ScenarioError(str(path), None, allowed, problem=f"damaged ({str(e).splitlines()[0]})") from None
    if not isinstance(data, dict):
        raise ScenarioError(str(path), None, allowed, problem=f"damaged (it holds a {type(data).__name__})")
    for key, kind in keys.items():
        if not isinstance(data.get(key), kind):
            raise ScenarioError(
                str(path), None, allowed, problem=f"damaged (its {key!r} is missing or of another kind)"
            )
    return data
