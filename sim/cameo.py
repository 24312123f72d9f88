"""The CAMEO event codes and their Goldstein values, shipped with the package.

The table (``data/cameo_goldstein.tsv``) is GDELT's public lookup of the 311 CAMEO codes with the Goldstein
(1992) conflict–cooperation value of each, from -10 (most conflictual) to +10 (most cooperative).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

GOLDSTEIN_MIN, GOLDSTEIN_MAX = -10.0, 10.0


@dataclass(frozen=True, slots=True)
class CameoCode:
    """One CAMEO event code with its Goldstein value and quad class."""

    code: str
    goldstein: float
    quad_class: str
    description: str


@cache
def goldstein_table() -> dict[str, CameoCode]:
    """All shipped CAMEO codes, keyed by code (codes are strings: ``"036"`` is not ``"36"``)."""
    text = files("sim").joinpath("data/cameo_goldstein.tsv").read_text(encoding="utf-8")
    rows = csv.DictReader(text.splitlines(), delimiter="\t")
    return {
        r["cameo_code"]: CameoCode(r["cameo_code"], float(r["goldstein"]), r["quad_class"], r["description"])
        for r in rows
    }
