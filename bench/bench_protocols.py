"""Key rate vs distance of the five QKD protocols and the PLOB bound on one plotly figure,
plus timings of 500-point curves per protocol (``python -m bench protocols``).

Writes ``bench/out/protocols.html`` (plotly.js embedded, works offline) and
``bench/out/protocols.png`` when kaleido and a Chromium are available. Prints figures only.

One illustrative device set for every discrete-variable protocol (an assumption for the
comparison, not a catalogue entry): detector efficiency 0.5, dark count probability 1e-7 per
detector per window, f = 1.16, misalignment 0.01 (0.03 for TF, the contract default); CV-QKD
with the contract defaults (V_A optimised in [0.1, 1e3]). Fiber 0.2 dB/km, relay or source in
the middle; intensities optimised at every point (grid then refinement). The BB84 and BBM92
curves come from ``physics/qkd/bb84_decoy.py`` and ``physics/qkd/bbm92.py`` when present.
"""

from __future__ import annotations

import importlib
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from qnetplan.physics.bounds import plob_bound
from qnetplan.physics.conversions import db_to_transmittance
from qnetplan.physics.optimize import INTENSITY_RANGE, maximize_log_grid
from qnetplan.physics.qkd.cv_gg02 import optimize_cv_modulation_variance
from qnetplan.physics.qkd.mdi import optimize_mdi_signal_mean_photon_number
from qnetplan.physics.qkd.twin_field import optimize_tf_parameters

OUT = Path(__file__).resolve().parent / "out"
DB_PER_KM = 0.2
N_POINTS = 500
DEVICE: dict[str, Any] = {"detector_efficiency": 0.5, "dark_count_probability": 1e-7,
                          "error_correction_efficiency": 1.16}


def _bb84(loss_db: np.ndarray) -> np.ndarray | None:
    try:
        from qnetplan.physics.qkd.bb84_decoy import secret_key_rate_bb84_decoy
    except ImportError:
        return None
    t = db_to_transmittance(loss_db)[..., None]

    def objective(mu: np.ndarray) -> np.ndarray:
        return secret_key_rate_bb84_decoy(t, DEVICE["detector_efficiency"],
                                          DEVICE["dark_count_probability"], 0.01,
                                          DEVICE["error_correction_efficiency"], 0.5, mu)
    rate, _ = maximize_log_grid(objective, *INTENSITY_RANGE, loss_db.shape)
    return rate


def _bbm92(loss_db: np.ndarray) -> np.ndarray | None:
    try:
        bbm92 = importlib.import_module("qnetplan.physics.qkd.bbm92")
    except ImportError:
        return None
    fn = getattr(bbm92, "secret_key_rate_bbm92", None)
    if fn is None:
        return None
    t = db_to_transmittance(loss_db)[..., None]

    def objective(pairs: np.ndarray) -> np.ndarray:
        return np.asarray(fn(t, 0.5, DEVICE["detector_efficiency"],
                             DEVICE["dark_count_probability"],
                             misalignment_error=0.01,
                             error_correction_efficiency=DEVICE["error_correction_efficiency"],
                             sifting_factor=0.5, source_mean_pair_number=pairs), dtype=float)
    rate, _ = maximize_log_grid(objective, *INTENSITY_RANGE, loss_db.shape)
    return rate


def _mdi(loss_db: np.ndarray) -> np.ndarray:
    return optimize_mdi_signal_mean_photon_number(loss_db, **DEVICE, misalignment_error=0.01)[0]


def _tf(variant: str) -> Callable[[np.ndarray], np.ndarray]:
    def run(loss_db: np.ndarray) -> np.ndarray:
        return optimize_tf_parameters(loss_db, **DEVICE, misalignment_error=0.03,
                                      tf_variant=variant)[0]
    return run


def _cv(loss_db: np.ndarray) -> np.ndarray:
    return optimize_cv_modulation_variance(loss_db)[0]


PROTOCOLS: dict[str, Callable[[np.ndarray], np.ndarray | None]] = {
    "BB84 decoy (infinite)": _bb84,
    "BBM92 (source in the middle)": _bbm92,
    "MDI-QKD (infinite decoys)": _mdi,
    "TF-QKD SNS": _tf("sns"),
    "TF-QKD PM": _tf("pm"),
    "CV-QKD GG02 homodyne RR": _cv,
}


def _time(fn: Callable[[np.ndarray], Any], loss_db: np.ndarray, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn(loss_db)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    lengths_km = np.linspace(0.0, 500.0, N_POINTS)
    loss_db = lengths_km * DB_PER_KM
    curves: dict[str, np.ndarray] = {}
    print(f"{N_POINTS}-point curves, intensities optimised at every point (median of 3 runs)")
    print(f"{'protocol':32s} {'time':>9s} {'max distance':>13s} {'rate at 100 km':>15s}")
    for name, fn in PROTOCOLS.items():
        rate = fn(loss_db)
        if rate is None:
            print(f"{name:32s} {'skipped: physics module not available yet':>40s}")
            continue
        seconds = _time(fn, loss_db)
        curves[name] = rate
        reach = lengths_km[rate > 0].max() if np.any(rate > 0) else 0.0
        reach_text = f">= {reach:.0f}" if rate[-1] > 0 else f"{reach:.0f}"
        at100 = float(np.interp(100.0, lengths_km, rate))
        print(f"{name:32s} {seconds * 1e3:7.1f} ms {reach_text:>10s} km {at100:15.3e}")
    with np.errstate(divide="ignore"):
        plob = plob_bound(db_to_transmittance(loss_db))
    _figure(lengths_km, curves, plob)


def _figure(lengths_km: np.ndarray, curves: dict[str, np.ndarray], plob: np.ndarray) -> None:
    try:
        import plotly.graph_objects as go
    except ImportError:
        print("plotly not installed: no figure")
        return
    OUT.mkdir(parents=True, exist_ok=True)
    fig = go.Figure()
    for name, rate in curves.items():
        y = np.where(rate > 0, rate, np.nan)
        fig.add_trace(go.Scatter(x=lengths_km, y=y, mode="lines", name=name))
    fig.add_trace(go.Scatter(x=lengths_km[1:], y=plob[1:], mode="lines", name="PLOB bound",
                             line={"dash": "dash", "color": "black"}))
    fig.update_layout(
        title="Secret key rate vs distance (0.2 dB/km; asymptotic; illustrative devices)",
        xaxis_title="Alice-Bob fiber length [km]",
        yaxis_title="secret key rate [bits per pulse / slot / symbol]",
        yaxis_type="log", yaxis_range=[-12, 0.5], template="plotly_white")
    html = OUT / "protocols.html"
    fig.write_html(html, include_plotlyjs=True)
    print(f"figure: {html.relative_to(OUT.parents[1])}")
    png = OUT / "protocols.png"
    try:
        _screenshot(html, png)
        print(f"figure: {png.relative_to(OUT.parents[1])}")
    except Exception as exc:  # a missing browser only costs the PNG
        print(f"PNG not written ({type(exc).__name__}: {exc}); HTML only")


def _screenshot(html: Path, png: Path) -> None:
    """The HTML figure as a PNG, through Debian's headless Chromium (make sysdeps)."""
    from playwright.sync_api import sync_playwright

    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                    args=args)
        page = browser.new_page(viewport={"width": 1100, "height": 650})
        page.goto(html.resolve().as_uri())
        page.wait_for_selector(".main-svg")
        page.screenshot(path=str(png))
        browser.close()


if __name__ == "__main__":
    main()
