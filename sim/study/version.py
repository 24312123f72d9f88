"""The version of the code that computes a sweep cell's results, part of every cell's identity.

A cell computed by other code must never be reused, so the version is the package's version plus a digest of every
source file that can change a cell's tables: the model (``sim/model``), its data (``sim/data``), scenario loading
(``sim/io``) and the reduction of replicates (``sim/study``). It is a digest rather than a hand-kept number because a
number is only as good as the memory of whoever changes a rule; the digest cannot be forgotten. Its price is that a
change that cannot change results (a comment, a docstring, a sensitivity report) also recomputes cells: a rerun too
many is safe, a stale cell reused is not. Figures, the command line and the dashboard are left out.
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]  # the ``sim`` package
COMPUTING = ("model", "data", "io", "study")  # the subpackages whose files can change a cell's tables


def source_files(package: Path = PACKAGE) -> list[Path]:
    """The files the digest covers, in a fixed order."""
    return sorted(
        p
        for part in COMPUTING
        for p in (package / part).rglob("*")
        if p.is_file() and p.suffix in (".py", ".tsv", ".csv", ".yaml") and "__pycache__" not in p.parts
    )


def source_digest(package: Path = PACKAGE) -> str:
    """A digest of :func:`source_files`: their paths (relative to the package) and contents."""
    digest = hashlib.sha256()
    for path in source_files(package):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


@cache
def model_version() -> str:
    """``<package version>+<source digest>``, e.g. ``0.1.0+3f2a9c1d0b7e``."""
    try:
        package = version("negsim")
    except PackageNotFoundError:  # a source tree that is not installed
        package = "0"
    return f"{package}+{source_digest()}"
