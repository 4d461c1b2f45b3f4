"""Finite-key two-decoy BB84 (Lim, Curty, Walenta, Xu, Zbinden, PRA 89, 022307 (2014))."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qnetplan.physics.conversions import db_to_transmittance
from qnetplan.physics.detectors import background_yield
from qnetplan.physics.qkd.bb84_decoy import secret_key_rate_bb84_decoy
from qnetplan.physics.qkd.finite_key import (
    bb84_finite_key_rate,
    lim2014_key_length,
    lim2014_phase_error_deviation,
)

# Lim et al. 2014, Sec. IV: InGaAs APDs eta_Bob 10 %, p_dc 6e-7, p_ap 4e-2, mu3 2e-4,
# e_mis 5e-3, f_EC 1.16, eps_cor 1e-15, eps_sec = kappa l with kappa 1e-15, 0.2 dB/km.
P_DC, P_AP, ETA_BOB, E_MIS, F_EC, MU3, KAPPA = 6e-7, 4e-2, 0.1, 5e-3, 1.16, 2e-4, 1e-15


def lim_rate_fixed_nx(length_km: float, n_x: float) -> float:
    """Rate l/N for a post-processing block of n_X X-basis detections, optimised over
    (q_x, p_mu1, p_mu2, mu1, mu2) on a grid, eps_sec = kappa l by fixed-point iteration."""
    qx = np.linspace(0.5, 0.98, 13)[:, None, None, None, None]
    p1 = np.linspace(0.3, 0.9, 7)[None, :, None, None, None]
    p2 = np.linspace(0.05, 0.6, 8)[None, None, :, None, None]
    mu1 = np.geomspace(0.1, 1.0, 12)[None, None, None, :, None]
    mu2 = np.geomspace(0.01, 0.5, 12)[None, None, None, None, :]
    p3 = 1.0 - p1 - p2
    eta = db_to_transmittance(0.2 * length_km) * ETA_BOB
    y0 = background_yield(P_DC, 2)
    mus, ps = (mu1, mu2, MU3), (p1, p2, p3)
    det = [-np.expm1(np.log1p(-y0) - eta * k) for k in mus]
    rates = [d * (1 + P_AP) for d in det]
    errs = [
        0.5 * y0 + E_MIS * (1 - y0) * -np.expm1(-eta * k) + P_AP * d / 2
        for k, d in zip(mus, det, strict=True)
    ]
    n_pulses = n_x / (qx**2 * sum(p * r for p, r in zip(ps, rates, strict=True)))
    wx, wz = n_pulses * qx**2, n_pulses * (1 - qx) ** 2
    counts = [
        tuple(w * p * r for p, r in zip(ps, v, strict=True))
        for w in (wx, wz)
        for v in (rates, errs)
    ]
    eps = 1e-10
    for _ in range(6):
        length = lim2014_key_length(*counts, mus, ps, F_EC, eps, 1e-15)
        r = np.where(p3 > 0.005, length / n_pulses, 0.0)
        best = float(length.flat[np.argmax(r)])
        if best <= 0:
            return 0.0
        eps = KAPPA * best
    return float(r.max())


def test_lim2014_block_size_ratio_at_100_km() -> None:
    """Lim et al. 2014, Sec. IV: "at a fiber length of 100 km, the secret key rate obtained
    with n_X = 1e9 is about 1.75 times the one based on n_X = 1e7"."""
    ratio = lim_rate_fixed_nx(100.0, 1e9) / lim_rate_fixed_nx(100.0, 1e7)
    assert ratio == pytest.approx(1.75, abs=0.15)


def test_gamma_formula() -> None:
    """Eq. (5): gamma(a, b, c, d) written out."""
    a, b, c, d = 1e-10, 0.02, 1e5, 1e6
    expected = np.sqrt(
        (c + d)
        * (1 - b)
        * b
        / (c * d * np.log(2))
        * np.log2((c + d) / (c * d * (1 - b) * b) * 21**2 / a**2)
    )
    assert lim2014_phase_error_deviation(a, b, c, d) == pytest.approx(expected, rel=1e-12)


COMMON = dict(
    detector_efficiency=0.1,
    dark_count_probability=6e-7,
    misalignment_error=0.005,
    error_correction_efficiency=1.16,
    x_basis_probability=np.sqrt(0.5),
    intensities=(0.5, 0.1, 2e-4),
    intensity_probabilities=(0.7, 0.2, 0.1),
)


@settings(deadline=None, max_examples=40)
@given(st.floats(0.0, 30.0), st.floats(8.0, 13.0), st.floats(0.2, 2.0))
def test_rises_with_block_size_and_stays_below_asymptotic(loss, log_n, step) -> None:
    """Larger blocks never give less key per pulse; the finite rate stays below the
    asymptotic infinite-decoy rate at the same sifting factor (q_x^2 = 1/2)."""
    t = db_to_transmittance(loss)
    n = np.array([10**log_n, 10 ** (log_n + step)])
    r = bb84_finite_key_rate(t, block_size_pulses=n, **COMMON).secret_key_rate_per_pulse
    assert r[1] >= r[0]
    asym = secret_key_rate_bb84_decoy(t, 0.1, 6e-7, 0.005, 1.16, 0.5, 0.5, "infinite")
    assert np.all(r <= asym)


@settings(deadline=None, max_examples=40)
@given(st.floats(0.0, 40.0), st.floats(0.0, 20.0))
def test_non_increasing_with_loss_and_zero_past_cutoff(loss, step) -> None:
    t = db_to_transmittance(np.array([loss, loss + step, 100.0, 200.0]))
    r = bb84_finite_key_rate(t, block_size_pulses=1e11, **COMMON).secret_key_rate_per_pulse
    assert r[1] <= r[0]
    assert r[2] == 0.0 and r[3] == 0.0


def test_shapes_nan_and_invalid_intensities() -> None:
    out = bb84_finite_key_rate(np.array([0.1, np.nan]), block_size_pulses=1e10, **COMMON)
    assert out.secret_key_rate_per_pulse[0] > 0 and np.isnan(out.secret_key_rate_per_pulse[1])
    bad = {**COMMON, "intensities": (0.1, 0.1, 2e-4)}  # mu1 <= mu2 + mu3
    assert bb84_finite_key_rate(0.1, block_size_pulses=1e10, **bad).secret_key_rate_per_pulse == 0.0
