"""Independent cross-check of decoy BB84 and BBM92 against TNO's open-source
``tno.quantum.communication.qkd_key_rate`` (PyPI), run from a separate cached venv.

Usage: ``.venv/bin/python -m bench.crosscheck_tno`` (or ``python bench/crosscheck_tno.py``).

The TNO package pins pandas/matplotlib and its own numpy/scipy, so it never enters the app's
environment: this script creates (once) ``.cache/xcheck-venv`` (gitignored), installs the
package there with pip, runs the TNO side in that interpreter as a subprocess and the QNetPlan
side in this one, both on the same parameters, and prints a table of relative differences.
It prints figures and asserts nothing (bench/ convention).

Parameter mapping (what each side calls the same physics):

* channel: TNO ``attenuation`` [dB] = our channel loss; ``efficiency_party`` = our
  ``detector_efficiency``.
* BB84: TNO's ``dark_count_rate`` is per detector with Y0 = 1 - (1 - p)^2 (as ours); TNO's
  misalignment is a polarisation rotation ``polarization_drift`` theta, so e_d = sin^2(theta)
  in the linear regime; TNO uses no sifting factor and f = 1 (h2 of the QBER), so our side runs
  with ``sifting_factor = 1`` and ``error_correction_efficiency = 1``. TNO's key formula keeps
  the vacuum term P0 Y0 = exp(-mu) Y0 of Lo, Ma, Chen 2005; ours (API contract) does not: the
  column ``ours+vac`` adds that term to our unclipped rate, to show that it explains the gap
  near the cutoff.
* BB84 with two decoys: TNO solves linear programs for Y1 and e1 from the three intensities
  [mu, nu, omega]; ours uses the analytical vacuum + weak bounds (Ma et al. 2005 / Lim et al.
  2014 asymptotic).
* BBM92: TNO's ``mu`` is the mean pair number per pulse (2 lambda of Ma, Fung, Lo 2007) = our
  ``source_mean_pair_number``; TNO's ``dark_count_rate`` is each side's background yield Y0,
  ours is per detector with Y0 = 1 - (1 - p)^2, so TNO gets 1 - (1 - p)^2; misalignment =
  TNO ``error_detector``; no sifting factor and f = 1 on both sides; source in the middle.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "backend") not in sys.path:
    sys.path.insert(0, str(ROOT / "backend"))

VENV = ROOT / ".cache" / "xcheck-venv"
PACKAGE = "tno.quantum.communication.qkd_key_rate"

LOSSES_DB = [0.0, 10.0, 20.0, 30.0, 40.0, 45.0, 50.0]
BB84_CASES = [
    # detector_efficiency, dark_count_probability, misalignment_error, mu
    {"detector_efficiency": 0.1, "dark_count_probability": 1e-6, "misalignment_error": 0.015,
     "mu": 0.5},
    {"detector_efficiency": 0.6, "dark_count_probability": 1e-7, "misalignment_error": 0.01,
     "mu": 0.7},
]
BB84_DECOY_CASE = {"detector_efficiency": 0.1, "dark_count_probability": 1e-6,
                   "misalignment_error": 0.015, "mu": 0.5, "nu": 0.1, "omega": 0.0}
BBM92_CASES = [
    {"detector_efficiency": 0.3, "dark_count_probability": 1e-6, "misalignment_error": 0.015,
     "pairs": 0.05},
    {"detector_efficiency": 0.8, "dark_count_probability": 1e-7, "misalignment_error": 0.01,
     "pairs": 0.1},
]
BBM92_LOSSES_DB = [0.0, 10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 65.0, 70.0]

TNO_SCRIPT = textwrap.dedent('''
    import json, sys, math, warnings
    warnings.filterwarnings("ignore")
    from tno.quantum.communication.qkd_key_rate.quantum import standard_detector
    from tno.quantum.communication.qkd_key_rate.quantum.bb84 import (
        BB84FullyAsymptoticKeyRateEstimate, BB84AsymptoticKeyRateEstimate,
        compute_gain_and_error_rate)
    from tno.quantum.communication.qkd_key_rate.quantum.bbm92 import (
        BBM92AsymptoticKeyRateEstimate)
    spec = json.load(sys.stdin)
    out = []
    def det(eff, dark, e_d=None, err_det=0.0):
        kw = dict(dark_count_rate=dark, efficiency_party=eff, error_detector=err_det)
        kw["polarization_drift"] = 0.0 if e_d is None else math.asin(math.sqrt(e_d))
        return standard_detector.customise(**kw)
    for job in spec:
        kind, c = job["kind"], job["case"]
        if kind == "bb84":
            d = det(c["detector_efficiency"], c["dark_count_probability"],
                    c["misalignment_error"])
            est = BB84FullyAsymptoticKeyRateEstimate(detector=d)
            rate = est.compute_rate(mu=c["mu"], attenuation=job["loss_db"])
            gain, err = compute_gain_and_error_rate(d, [c["mu"]], job["loss_db"])
            out.append({"rate": max(rate, 0.0), "gain": float(gain[0]),
                        "qber": float(err[0])})
        elif kind == "bb84_decoy":
            d = det(c["detector_efficiency"], c["dark_count_probability"],
                    c["misalignment_error"])
            est = BB84AsymptoticKeyRateEstimate(detector=d, number_of_decoy=2)
            try:
                rate = est.compute_rate(mu=[c["mu"], c["nu"], c["omega"]],
                                        attenuation=job["loss_db"])
            except Exception as exc:  # LP infeasible etc.
                rate = float("nan")
            out.append({"rate": max(rate, 0.0) if rate == rate else rate})
        elif kind == "bbm92":
            y0 = 1 - (1 - c["dark_count_probability"]) ** 2
            d = det(c["detector_efficiency"], y0, None, c["misalignment_error"])
            est = BBM92AsymptoticKeyRateEstimate(detector=d)
            rate = est.compute_rate(mu=c["pairs"], attenuation=job["loss_db"])
            out.append({"rate": max(rate, 0.0)})
    json.dump(out, sys.stdout)
''')


def ensure_venv() -> Path:
    """Create the side venv and install the TNO package once; return its python."""
    python = VENV / "bin" / "python"
    probe = [str(python), "-c", f"import {PACKAGE}"]
    if python.exists() and subprocess.run(probe, capture_output=True).returncode == 0:
        return python
    print(f"creating {VENV} and installing {PACKAGE} (one-off) ...", flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                    PACKAGE], check=True)
    return python


def run_tno(python: Path, jobs: list[dict[str, Any]]) -> list[dict[str, float]]:
    proc = subprocess.run([str(python), "-c", TNO_SCRIPT], input=json.dumps(jobs),
                          capture_output=True, text=True, check=True)
    result: list[dict[str, float]] = json.loads(proc.stdout)
    return result


def _rel(ours: float, theirs: float) -> str:
    if not np.isfinite(theirs) or not np.isfinite(ours):
        return "   n/a"
    if theirs == 0.0 and ours == 0.0:
        return "  both 0"
    if theirs == 0.0 or ours == 0.0:
        return "  one 0"
    return f"{(ours - theirs) / theirs:+8.2%}"


def main() -> None:
    from qnetplan.physics.conversions import binary_entropy, db_to_transmittance
    from qnetplan.physics.qkd import bb84_decoy

    bbm92_module: Any
    try:  # the other helper's module may not exist yet
        bbm92_module = importlib.import_module("qnetplan.physics.qkd.bbm92")
    except ImportError:
        bbm92_module = None

    python = ensure_venv()
    version = subprocess.run([str(python), "-m", "pip", "show", PACKAGE], capture_output=True,
                             text=True).stdout.split("Version:")[-1].split()[0]
    jobs: list[dict[str, Any]] = []
    for case in BB84_CASES:
        jobs += [{"kind": "bb84", "case": case, "loss_db": loss} for loss in LOSSES_DB]
    jobs += [{"kind": "bb84_decoy", "case": BB84_DECOY_CASE, "loss_db": loss}
             for loss in LOSSES_DB]
    if bbm92_module is not None:
        for case in BBM92_CASES:
            jobs += [{"kind": "bbm92", "case": case, "loss_db": loss}
                     for loss in BBM92_LOSSES_DB]
    t0 = time.perf_counter()
    theirs = run_tno(python, jobs)
    t_tno = time.perf_counter() - t0
    print(f"TNO {PACKAGE} {version} (side venv {VENV.relative_to(ROOT)}), "
          f"{len(jobs)} points in {t_tno:.1f} s\n")

    rows: list[tuple[str, ...]] = []
    worst: dict[str, float] = {}
    for job, tno in zip(jobs, theirs, strict=True):
        c, loss = job["case"], job["loss_db"]
        t = float(db_to_transmittance(loss))
        if job["kind"] in ("bb84", "bb84_decoy"):
            method = "infinite" if job["kind"] == "bb84" else "vacuum_weak"
            decoys = () if method == "infinite" else (c["nu"], c["omega"])
            res = bb84_decoy.bb84_decoy_key_rate(
                t, c["detector_efficiency"], c["dark_count_probability"],
                c["misalignment_error"], 1.0, 1.0, c["mu"], method, decoys)
            ours = float(res.secret_key_rate_per_pulse)
            y0 = 1 - (1 - c["dark_count_probability"]) ** 2
            vac = float(np.exp(-c["mu"]) * y0)  # Lo-Ma-Chen vacuum term P0 Y0 (TNO keeps it)
            raw = float(res.single_photon_yield) * c["mu"] * np.exp(-c["mu"]) * (
                1 - float(binary_entropy(res.single_photon_error_rate))) - float(
                res.gain) * float(binary_entropy(res.qber))
            ours_vac = max(raw + vac, 0.0)
            label = f"{job['kind']} eta_d={c['detector_efficiency']} mu={c['mu']}"
            extra = ""
            if job["kind"] == "bb84":
                extra = (f" gain {_rel(float(res.gain), tno['gain'])}"
                         f" qber {_rel(float(res.qber), tno['qber'])}")
            rows.append((label, f"{loss:5.1f}", f"{tno['rate']:.4e}", f"{ours:.4e}",
                         _rel(ours, tno["rate"]), f"{ours_vac:.4e}",
                         _rel(ours_vac, tno["rate"]), extra))
            if np.isfinite(tno["rate"]) and tno["rate"] > 0 and ours > 0:
                key = f"{job['kind']} (ours+vac)"
                worst[key] = max(worst.get(key, 0.0), abs(ours_vac / tno["rate"] - 1))
                key = f"{job['kind']} (raw)"
                worst[key] = max(worst.get(key, 0.0), abs(ours / tno["rate"] - 1))
        else:
            assert bbm92_module is not None
            ours = float(_bbm92_rate(bbm92_module, loss, c))
            label = f"bbm92 eta_d={c['detector_efficiency']} pairs={c['pairs']}"
            rows.append((label, f"{loss:5.1f}", f"{tno['rate']:.4e}", f"{ours:.4e}",
                         _rel(ours, tno["rate"]), "", "", ""))
            if tno["rate"] > 0 and ours > 0:
                worst["bbm92"] = max(worst.get("bbm92", 0.0), abs(ours / tno["rate"] - 1))

    header = ("case", "loss", "TNO", "QNetPlan", "rel diff", "ours+vac", "rel diff", "")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for r in [header, *rows]:
        print("  ".join(s.ljust(w) for s, w in zip(r, widths, strict=True)).rstrip())
    print("\nlargest |relative difference| where both rates are positive:")
    for key, value in sorted(worst.items()):
        print(f"  {key:24s} {value:.2e}")
    if bbm92_module is None:
        print("\nbbm92: qnetplan.physics.qkd.bbm92 not available yet - skipped")


def _bbm92_rate(module: Any, loss_db: float, c: dict[str, float]) -> float:
    """Call the other helper's BBM92 model with f = 1, no sifting, source in the middle."""
    fn = module.secret_key_rate_bbm92
    t = float(10 ** (-loss_db / 10))
    return float(fn(t, 0.5, c["detector_efficiency"], c["dark_count_probability"],
                    misalignment_error=c["misalignment_error"], error_correction_efficiency=1.0,
                    sifting_factor=1.0, source_mean_pair_number=c["pairs"]))


if __name__ == "__main__":
    main()
