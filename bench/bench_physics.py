"""Physics and calculator throughput (Physics I): prints figures, asserts nothing.

Goals (from the issue): >= 1e5 asymptotic decoy-BB84 link evaluations per second at fixed
intensities (vectorised); a 500-point curve in < 1 s for asymptotic methods; finite-key
reported separately.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from qnetplan.engine.calculator import evaluate_curve, evaluate_key_rate
from qnetplan.physics.conversions import db_to_transmittance
from qnetplan.physics.optimize import INTENSITY_RANGE, maximize_log_grid
from qnetplan.physics.qkd.bb84_decoy import secret_key_rate_bb84_decoy
from qnetplan.physics.qkd.bbm92 import secret_key_rate_bbm92

DV = {"detector_efficiency": 0.1, "dark_count_probability": 1e-6}


def _best_of(fn: Callable[[], object], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    n = 200_000
    t = db_to_transmittance(np.random.default_rng(1).uniform(0.0, 60.0, n))
    print(f"links per evaluation batch: {n}")
    for method, decoys in (
        ("infinite", ()),
        ("vacuum_weak", (0.1, 0.0)),
        ("one_decoy", (0.1,)),
        ("none", ()),
    ):
        s = _best_of(
            lambda m=method, d=decoys: secret_key_rate_bb84_decoy(
                t, 0.1, 1e-6, 0.01, 1.16, 0.5, 0.5, m, d
            )
        )
        print(f"  bb84_decoy {method:<12} fixed intensities: {n / s:12.3e} links/s")
    s = _best_of(lambda: secret_key_rate_bbm92(t, 0.5, 0.1, 1e-6, 0.01, 1.16, 0.5, 0.05))
    print(f"  bbm92                    fixed pair number: {n / s:12.3e} links/s")

    m = 20_000
    tm = t[:m]
    for method, decoys, lower in (("infinite", (), 1e-6), ("vacuum_weak", (0.1, 0.0), 0.1001)):
        s = _best_of(
            lambda md=method, d=decoys, lo=lower: maximize_log_grid(
                lambda mu: secret_key_rate_bb84_decoy(
                    tm[:, None], 0.1, 1e-6, 0.01, 1.16, 0.5, mu, md, d
                ),
                lo,
                INTENSITY_RANGE[1],
                tm.shape,
            ),
            repeat=1,
        )
        print(f"  bb84_decoy {method:<12} optimised per link: {m / s:12.3e} links/s")

    print("500-point curves through the calculator (intensities optimised at every point):")
    lengths = list(np.linspace(0.0, 250.0, 500))
    cases = [
        ("bb84_decoy infinite", "bb84_decoy", DV, None),
        (
            "bb84_decoy vacuum_weak",
            "bb84_decoy",
            {**DV, "decoy_method": "vacuum_weak", "decoy_mean_photon_numbers": [0.1, 0.0]},
            None,
        ),
        (
            "bb84_decoy one_decoy",
            "bb84_decoy",
            {**DV, "decoy_method": "one_decoy", "decoy_mean_photon_numbers": [0.1]},
            None,
        ),
        ("bb84_decoy none", "bb84_decoy", {**DV, "decoy_method": "none"}, None),
        ("bbm92", "bbm92", DV, None),
        (
            "bb84_decoy finite-key (N = 1e12)",
            "bb84_decoy",
            {**DV, "decoy_method": "vacuum_weak", "decoy_mean_photon_numbers": [0.1, 0.0002]},
            {"block_size_pulses": 1e12},
        ),
    ]
    for label, protocol, system, fk in cases:
        s = _best_of(
            lambda p=protocol, sy=system, f=fk: evaluate_curve(p, None, sy, f, lengths_km=lengths),
            repeat=2,
        )
        print(f"  {label:<34} {s * 1e3:9.1f} ms")
    print("single link incl. max-loss search (evaluate_key_rate):")
    for label, protocol, system, fk in cases:
        s = _best_of(
            lambda p=protocol, sy=system, f=fk: evaluate_key_rate(p, {"length_km": 50.0}, sy, f),
            repeat=2,
        )
        print(f"  {label:<34} {s * 1e3:9.1f} ms")


if __name__ == "__main__":
    main()
