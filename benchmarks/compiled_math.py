"""Could a rule compiled with numba give the same bits as its NumPy form? The check behind issue 18's choice.

    pip install numba   # not a dependency of negsim: this script is the evidence for not using it
    python benchmarks/compiled_math.py [--size 1000000]

The rules raise e to a power (concession_exponent, patience), raise a time or a discount to a power (aspiration,
patience) and take logarithms (delegation_exponent). Issue 18 allows a compiled path only as one implementation with a
NumPy fallback tested equal, and a run's decisions are thresholds on these values, so one unit in the last place
(ULP) can flip an acceptance and change a whole history. For each function this prints the share of float64 inputs,
over the ranges the rules use, where numba's compiled result differs from NumPy's, and the largest difference in ULPs.

Then what such differences do to runs, with or without numba: the talks' aspiration, concession exponent and patience
are moved by one ULP in a share of their results (drawn from a generator of this script's own), and ensembles of
``tokyo_2013`` under both protocols are compared with unmoved runs of the same seeds: replicates whose settlement,
round of settlement or final confidence differ.
"""

from __future__ import annotations

import argparse
import copy
import importlib.util
import platform
import sys
from contextlib import contextmanager
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sim.io.library import scenario_data
from sim.model import talks
from sim.model.run import replicate_seeds, simulate_ensemble


def compiled():
    """The three functions compiled by numba, as the rules would use them inside a compiled kernel."""
    import numba  # optional: only this script needs it

    @numba.njit
    def exp(x):
        return np.exp(x)

    @numba.njit
    def power(x, y):
        return x**y

    @numba.njit
    def log(x):
        return np.log(x)

    return numba.__version__, exp, power, log


def ulps(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """How many representable float64 values lie between ``a`` and ``b`` (both finite and positive here)."""
    return np.abs(a.view(np.int64) - b.view(np.int64))


@contextmanager
def one_ulp_off(share: float, seed: int = 0):
    """The talks' transcendental rules, each result moved one ULP up or down with probability ``share``."""
    rng = np.random.default_rng(seed)
    rules = {name: getattr(talks, name) for name in ("aspiration", "concession_exponent", "patience")}

    def moved(rule):
        def rule_one_ulp_off(*args):
            x = np.asarray(rule(*args), float)
            towards = np.where(rng.random(x.shape) < 0.5, np.inf, -np.inf)
            return np.where(rng.random(x.shape) < share, np.nextafter(x, towards), x)

        return rule_one_ulp_off

    try:
        for name, rule in rules.items():
            setattr(talks, name, moved(rule))
        yield
    finally:
        for name, rule in rules.items():
            setattr(talks, name, rule)


def variants(protocol: str) -> dict[str, dict]:
    """``tokyo_2013`` under ``protocol``: as shipped (a settlement is rare), and hopeful (it is usual): every ministry
    starts at 0.55 confidence in the other side, and Russia's leader is less hawkish (0.4)."""
    shipped = scenario_data("tokyo_2013")
    shipped["talks"] = {k: {**v, "protocol": protocol} for k, v in shipped["talks"].items()}
    hopeful = copy.deepcopy(shipped)
    for country in hopeful["countries"].values():
        for ministry in country["ministries"].values():
            ministry["confidence"] = dict.fromkeys(ministry.get("confidence", {}), 0.55)
    hopeful["countries"]["russia"]["ministries"]["leader"]["hawkishness"] = 0.4
    return {f"{protocol}, as shipped": shipped, f"{protocol}, hopeful": hopeful}


def runs_changed(scenario: dict, share: float, seeds: list[int], rounds: int) -> tuple[int, int, int]:
    """Replicates whose settlement, its round or final confidence changed when results are one ULP off; replicates
    that settled; offers made."""
    exact = simulate_ensemble(scenario, seeds, rounds=rounds)
    with one_ulp_off(share):
        moved = simulate_ensemble(scenario, seeds, rounds=rounds)
    differs = (exact.final_confidence != moved.final_confidence).reshape(len(seeds), -1).any(axis=1)
    for name in exact.settlement:
        differs |= exact.settlement[name] != moved.settlement[name]
        differs |= exact.settled_round[name] != moved.settled_round[name]
    settled = sum(int((s >= 0).sum()) for s in exact.settlement.values())
    return int(differs.sum()), settled, len(exact.offers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=1_000_000, help="inputs drawn for each function")
    parser.add_argument("--share", type=float, default=0.05, help="share of the talks' results moved one ULP")
    parser.add_argument("--replicates", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=120)
    args = parser.parse_args()
    print(
        f"tokyo_2013, {args.replicates:,} replicates × {args.rounds} rounds, {args.share:.0%} of the talks'"
        " aspiration, concession exponent and patience results one ULP off:"
    )
    print(f"  {'scenario':40} {'replicates changed':>18} {'settled':>8} {'offers':>8}")
    seeds = replicate_seeds(2013, args.replicates)
    for protocol in ("concession", "alternating_offers"):
        for name, scenario in variants(protocol).items():
            changed, settled, offers = runs_changed(scenario, args.share, seeds, args.rounds)
            print(f"  {name:40} {changed:>18,} {settled:>8,} {offers:>8,}")
    if importlib.util.find_spec("numba") is None:
        sys.exit("numba is not installed: `pip install numba` to compare its compiled math (negsim does not use it)")
    version, exp, power, log = compiled()
    rng = np.random.default_rng(0)
    effect = rng.uniform(-4.0, 4.0, args.size)  # effect·(c − ½): the exponents' arguments
    base = rng.uniform(1e-6, 1.0, args.size)  # a time in [0, 1] or a discount in (0, 1)
    exponent = rng.uniform(0.05, 20.0, args.size)  # 1/e for concession exponents e in [0.05, 20]
    styles = rng.uniform(0.05, 20.0, args.size)  # concession exponents, whose logarithms are averaged
    cases = {
        "exp(x), x in [-4, 4]": (exp(effect), np.exp(effect)),
        "t ** y, t in (0, 1], y in [0.05, 20]": (power(base, exponent), base**exponent),
        "log(e), e in [0.05, 20]": (log(styles), np.log(styles)),
    }
    print(
        f"numba {version} against NumPy {np.__version__} (Python {platform.python_version()}, {platform.machine()});"
        f" {args.size:,} inputs each"
    )
    print(f"{'function':40} {'results that differ':>20} {'largest difference':>20}")
    for name, (got, want) in cases.items():
        differ = got != want
        print(f"{name:40} {differ.mean():>20.2%} {int(ulps(got, want).max()):>15,} ULP")


if __name__ == "__main__":
    main()
