"""Would compiling the engine's round with numba pay, and would it keep the results? The checks behind issue 18.

    python benchmarks/compiled_kernel.py [--share 0.05] [--replicates 1000] [--rounds 120] [--size 1000000]
    pip install numba   # for the last two parts; negsim does not depend on it

1. What last-bit differences do to runs (no numba needed). The talks' aspiration, concession exponent and patience
   are computed with ``exp`` and ``**``, and a compiled kernel computes those with other code than NumPy's. Here a
   share of their results is moved by one unit in the last place (ULP), up or down (drawn from a generator of this
   script's own), and ensembles of ``tokyo_2013`` under both protocols, as shipped and in a variant where every
   replicate settles, are compared with unmoved runs of the same seeds: replicates whose settlement, round of
   settlement or final confidence differ.
2. How often numba's ``exp``, ``**`` and ``log`` differ from NumPy's, over the ranges the rules use, and by how many
   ULPs.
3. What a compiled kernel costs and saves: the proposer's choice of offer (the ratification vote of
   ``win_set_at`` and ``first_offer``) written as loops, checked to pick what the NumPy rules pick, then timed
   against them at one replicate and at 1,000, with the time its first call takes to compile.
"""

from __future__ import annotations

import argparse
import copy
import importlib.util
import platform
import sys
import time
import timeit
from contextlib import contextmanager
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sim.io.library import scenario_data
from sim.model.engine import talks  # the engine's party at the talks reads these rules
from sim.model.rules.bargaining import first_offer
from sim.model.rules.ratification import win_set_at
from sim.model.run import replicate_seeds, simulate_ensemble


def compiled():
    """numba's ``exp``, ``**`` and ``log``, as a compiled kernel would use them, and an illustrative kernel: the offer
    :func:`~sim.model.rules.bargaining.first_offer` picks among the candidates
    :func:`~sim.model.rules.ratification.win_set_at` admits, in loops (the order computed once, outside)."""
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

    @numba.njit
    def offer(order, confidence, needed, influence, veto, quota, u_proposer, level):
        picks = np.full(confidence.shape[0], -1)
        for r in range(confidence.shape[0]):
            for k in order:  # best for the responder first
                if u_proposer[k] < level[r] - 1e-12:
                    continue
                votes, blocked = 0.0, False
                for j in range(confidence.shape[1]):
                    if confidence[r, j] >= needed[j, k]:
                        votes += influence[j]
                    elif veto[j]:
                        blocked = True
                if votes >= quota - 1e-12 and not blocked:
                    picks[r] = k
                    break
        return picks

    return numba.__version__, exp, power, log, offer


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
    version, exp, power, log, offer = compiled()
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
    kernel_against_rules(offer)


def kernel_against_rules(offer, candidates: int = 30, ministries: int = 3, repeat: int = 7) -> None:
    """Times the compiled offer kernel against the NumPy rules on random talks, after checking they agree."""
    rng = np.random.default_rng(1)
    needed = rng.random((ministries, candidates))
    needed[needed > 0.9] = np.inf  # some ministries never support some candidates
    influence, veto, quota = np.array([0.5, 0.3, 0.2]), np.array([True, False, False]), 0.5
    u_proposer, u_responder = rng.random((2, candidates))
    order = np.lexsort((-u_proposer, -u_responder))

    def rules(confidence, level):
        admissible = win_set_at(confidence, needed, influence, veto, quota)
        return first_offer(u_proposer, u_responder, admissible, level)

    def kernel(confidence, level):
        return offer(order, confidence, needed, influence, veto, quota, u_proposer, level)

    start = time.perf_counter()
    kernel(rng.random((1, ministries)), rng.random(1))
    compiling = time.perf_counter() - start
    size = f"{candidates} candidates, {ministries} ministries"
    print(f"the offer kernel ({size}): compiled at its first call, {compiling:.2f} s")
    for replicates in (1, 1000):
        args = rng.random((replicates, ministries)), rng.random(replicates)
        assert np.array_equal(rules(*args), kernel(*args)), "the kernel picks other offers than the rules"
        calls = max(1, 2000 // replicates)
        numpy_, compiled_ = (
            min(timeit.repeat(lambda f=f, a=args: f(*a), number=calls, repeat=repeat)) / calls for f in (rules, kernel)
        )
        print(
            f"  {replicates:>5,} replicates: the NumPy rules {1e6 * numpy_:6.1f} µs, compiled {1e6 * compiled_:6.1f} µs"
            f" ({numpy_ / compiled_:.0f}× faster), the same picks"
        )


if __name__ == "__main__":
    main()
