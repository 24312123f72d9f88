"""Synthetic scenarios of any size, for scaling studies: N countries with the same ministries and issues."""

from __future__ import annotations

import numpy as np

ROLES = ("leader", "foreign", "defence")


def synthetic_scenario(
    countries: int,
    *,
    seed: int = 0,
    partners: int = 2,
    forum_every: int = 12,
    talks_share: float = 0.1,
) -> dict:
    """A scenario dict with ``countries`` countries of three ministries each, on a ring.

    Each country meets its ``partners`` nearest neighbours on each side every three rounds (foreign ministers,
    cooperation and frictions on the agenda), all meet yearly in a forum, and ``talks_share`` of neighbouring pairs
    hold two-issue settlement talks. Starting confidence, priorities and behaviour are drawn from ``seed``.
    """
    rng = np.random.default_rng(seed)
    names = [f"c{i:03d}" for i in range(countries)]
    issues = ["joint_exercises", "information_sharing", "trade_projects", "border_dispute", "territory", "guarantee"]
    ring = [(names[i], names[(i + k) % countries]) for k in range(1, partners + 1) for i in range(countries)]
    ring = list(dict.fromkeys(tuple(sorted(p)) for p in ring if p[0] != p[1]))
    with_talks = [p for p in ring[:countries] if rng.random() < talks_share] or ring[:1]

    def ministry(country: str, role: str) -> dict:
        w = dict(zip(issues, rng.dirichlet(np.ones(len(issues))), strict=True))
        priorities = {i: float(w[i]) for i in issues[:4]}
        for a, b in with_talks:  # the territory and guarantee weights apply to each of its own talks
            if country in (a, b):
                priorities |= {f"territory_{a}_{b}": float(w["territory"]), f"guarantee_{a}_{b}": float(w["guarantee"])}
        return {
            "role": role,
            "influence": float(rng.uniform(0.2, 0.6)),
            "veto": role == "leader",
            "priorities": priorities,
            "hawkishness": float(rng.uniform(0.0, 0.6)),
            "concession": float(rng.choice([0.5, 1.0, 2.0])),
        }

    return {
        "name": f"synthetic_{countries}",
        "description": f"{countries} synthetic countries on a ring, for scaling studies (any size from 2 to 500).",
        "ministry_defaults": {"confidence": 0.45},
        "countries": {n: {"ministries": {r: ministry(n, r) for r in ROLES}} for n in names},
        "cooperation": {
            "joint_exercises": {"lead": "defence", "benefit": 0.5, "exposure": 0.3},
            "information_sharing": {"lead": "foreign", "benefit": 0.4, "exposure": 0.2},
            "trade_projects": {"lead": "leader", "benefit": 0.5, "exposure": 0.35},
        },
        "frictions": {"border_dispute": {"raised_by": names[0], "against": names[1], "severity": 0.5}},
        "talks": {
            f"talks_{a}_{b}": {
                "parties": [a, b],
                "horizon": 20,
                "status_quo": {f"territory_{a}_{b}": "none", f"guarantee_{a}_{b}": "none"},
                "dimensions": {
                    f"territory_{a}_{b}": {
                        "options": ["none", "half", "all"],
                        "values": {a: [0, 0.5, 1], b: [1, 0.5, 0]},
                    },
                    f"guarantee_{a}_{b}": {"options": ["none", "guarantee"], "values": {a: [1, 0.6], b: [0, 1]}},
                },
            }
            for a, b in with_talks
        },
        "formats": {
            "ministers": {
                "roles": ["foreign", "defence"],
                "agenda": [
                    "joint_exercises",
                    "information_sharing",
                    "border_dispute",
                    *(f"talks_{a}_{b}" for a, b in with_talks),
                ],
            },
            "forum": {"roles": ["leader"], "agenda": ["trade_projects"], "weight": 0.3},
        },
        "calendar": {
            "neighbours": {"format": "ministers", "pairs": [list(p) for p in ring], "every": 3},
            "forum": {"format": "forum", "countries": names, "every": forum_every, "start": 6},
        },
    }
