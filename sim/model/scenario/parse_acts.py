"""Checked construction of the scenario's ``acts`` block: the CAMEO code each kind of act the model generates is
written with as event data (docs/model.md §3.1). Kinds left out keep their default (``ACT_CAMEO`` in the specs)."""

from __future__ import annotations

from sim.model import schema
from sim.model.cameo import lookup
from sim.model.scenario.specs import ACT_CAMEO


def parse_acts(raw: object, path: str) -> dict[str, str]:
    """Every act kind's CAMEO code: the scenario's (a code of the shipped Goldstein table) or the default."""
    schema.mapping(raw, path, set(ACT_CAMEO))
    return {kind: lookup(raw[kind], f"{path}.{kind}").code if kind in raw else code for kind, code in ACT_CAMEO.items()}
