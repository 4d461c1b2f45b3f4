"""Satellite pass and key benchmarks: prints figures, asserts nothing.

Run: ``.venv/bin/python bench/bench_satellites.py``

1. One year of passes of one satellite (the public Micius TLE) over ten stations (goal < 5 s).
2. One day of passes of 100 satellites (Micius-like elements, spread in RAAN and mean anomaly)
   over 20 stations.
3. One year of per-pass finite-key blocks (Lim et al. 2014) for one station.

A TLE propagated for a year is not a forecast (drag and manoeuvres are not in it): these runs
measure speed, not where Micius was in 2017.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

import numpy as np

from qnetplan.engine.passes import (
    PassStation,
    TwoLineElement,
    find_passes,
    find_passes_many,
    parse_tle,
)
from qnetplan.engine.satellites import (
    DecoyBB84PassParameters,
    GroundStation,
    SatelliteTerminal,
    decoy_bb84_pass_model,
    pass_keys,
)

T = TypeVar("T")

L1 = "1 41731U 16051A   16353.90152003  .00000364  00000-0  17957-4 0  9993"
L2 = "2 41731  97.3699 267.4500 0013200 178.5836 246.0824 15.23915303 19063"

# The six Micius ground stations (PHYSICS.md §3) and four European optical ground stations
# (approximate coordinates, bench only).
TEN_STATIONS = [
    PassStation(1, 37.37901, 97.72695, 3153.0),  # Delingha
    PassStation(2, 43.47546, 87.17669, 2028.0),  # Nanshan
    PassStation(3, 26.69393, 100.02932, 3193.0),  # Lijiang
    PassStation(4, 32.32502, 80.02616, 5100.0),  # Ngari
    PassStation(5, 40.39333, 117.57722, 900.0),  # Xinglong
    PassStation(6, 47.0671, 15.4933, 539.0),  # Graz
    PassStation(7, 28.30, -16.51, 2390.0),  # Tenerife OGS (approx.)
    PassStation(8, 40.65, 16.70, 540.0),  # Matera (approx.)
    PassStation(9, 49.14, 12.88, 660.0),  # Wettzell (approx.)
    PassStation(10, 48.15, 11.28, 600.0),  # Oberpfaffenhofen (approx.)
]


def _checksummed(line: str) -> str:
    total = sum(int(c) if c.isdigit() else (1 if c == "-" else 0) for c in line[:68])
    return line[:68] + str(total % 10)


def constellation(n: int) -> list[TwoLineElement]:
    """``n`` Micius-like element sets spread over RAAN and mean anomaly."""
    out = []
    for i in range(n):
        raan = (267.45 + 360.0 * (i % 10) / 10.0) % 360.0
        anomaly = (246.0824 + 360.0 * (i // 10) / max(1, n // 10) + 7.0 * i) % 360.0
        l1 = _checksummed(f"1 {90000 + i:05d}U 16051A   16353.90152003  .00000364  00000-0"
                          f"  17957-4 0  999 ")
        l2 = _checksummed(f"2 {90000 + i:05d}  97.3699 {raan:8.4f} 0013200 178.5836 "
                          f"{anomaly:8.4f} 15.23915303 19063 ")
        out.append(parse_tle(l1, l2))
    return out


def twenty_stations() -> list[PassStation]:
    lats = np.linspace(-50.0, 60.0, 20)
    lons = np.linspace(-170.0, 170.0, 20)
    return [PassStation(i + 1, float(la), float(lo), 0.0) for i, (la, lo) in
            enumerate(zip(lats, lons, strict=True))]


def _timed(label: str, fn: Callable[[], T]) -> tuple[T, float]:
    t0 = time.perf_counter()
    out = fn()
    dt = time.perf_counter() - t0
    print(f"{label}: {dt:.2f} s")
    return out, dt


def main() -> None:
    tle = parse_tle(L1, L2)
    start = tle.epoch_utc
    year = start + timedelta(days=365)

    find_passes(tle, TEN_STATIONS, start, start + timedelta(days=1))  # warm-up
    passes, dt = _timed("1 satellite x 10 stations x 365 days (step 20 s)",
                        lambda: find_passes(tle, TEN_STATIONS, start, year))
    per_station = {s.station_id: 0 for s in TEN_STATIONS}
    for p in passes:
        per_station[p.station_id] += 1
    print(f"  {len(passes)} passes ({len(passes) / 3650:.2f} per station-day); "
          f"night {sum(p.night for p in passes)}; goal < 5 s: {'met' if dt < 5 else 'MISSED'}")

    sats = constellation(100)
    stations20 = twenty_stations()
    many, _ = _timed("100 satellites x 20 stations x 1 day (step 20 s)",
                     lambda: find_passes_many(sats, stations20, start,
                                              start + timedelta(days=1)))
    print(f"  {sum(len(m) for m in many)} passes")

    xinglong = GroundStation(5, 40.39333, 117.57722, 1.0, altitude_m=900.0, extra_loss_db=10.0)
    terminal = SatelliteTerminal(850.0, 10.0, "gaussian_1e2", pointing_jitter_urad=1.0)
    model = decoy_bb84_pass_model(DecoyBB84PassParameters(
        repetition_rate_hz=1e8, detector_efficiency=0.5, dark_count_probability=1e-7,
        intensities=(0.8, 0.1, 0.0), intensity_probabilities=(0.5, 0.25, 0.25)))
    mine = [p for p in passes if p.station_id == 5]
    keys, _ = _timed(f"finite-key blocks for {len(mine)} Xinglong passes of one year (5 s "
                     "sampling)",
                     lambda: pass_keys(tle, terminal, xinglong, mine, model))
    total = sum(k.key_bits or 0.0 for k in keys)
    print(f"  {sum(1 for k in keys if (k.key_bits or 0) > 0)} passes with key, "
          f"{total / 1e6:.1f} Mbit in total (illustrative parameters, not a calibration)")


if __name__ == "__main__":
    main()
