"""The CAMEO event codes and their Goldstein values, shipped with the package.

The table (``data/cameo_goldstein.tsv``) is GDELT's public lookup of the 311 CAMEO codes with the Goldstein
(1992) conflict–cooperation value of each, from -10 (most conflictual) to +10 (most cooperative).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from sim.model.errors import ScenarioError

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


def lookup(code: object, path: str) -> CameoCode:
    """The shipped entry for ``code``; otherwise a :class:`ScenarioError` at ``path``, with a hint for likely slips."""
    table = goldstein_table()
    if isinstance(code, str) and code in table:
        return table[code]
    if isinstance(code, int) and not isinstance(code, bool):
        hint = " (quote codes: '036', not 036, which YAML reads as the octal number 30)"
    elif isinstance(code, str) and code.strip() in table:
        hint = f" (did you mean {code.strip()!r}, without spaces?)"
    elif isinstance(code, str) and code.isdigit() and code.zfill(3) in table:
        hint = f" (did you mean {code.zfill(3)!r}? a spreadsheet may have dropped the leading zero)"
    else:
        hint = ""
    raise ScenarioError(path, code, f"a CAMEO code from the shipped Goldstein table{hint}")


def weighted(goldstein: float, weight: float, path: str) -> float:
    """``goldstein × weight``, checked to stay on the Goldstein scale (an event's ``weight`` scales its value)."""
    value = goldstein * weight
    if not GOLDSTEIN_MIN <= value <= GOLDSTEIN_MAX:
        raise ScenarioError(path, weight, f"a weight keeping {goldstein:g} × weight within [-10, 10]")
    return value
