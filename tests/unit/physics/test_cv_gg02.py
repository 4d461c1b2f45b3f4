"""GG02 CV-QKD, reverse reconciliation, trusted detector noise (Lodewyck 2007; Laudenbach 2018)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qnetplan.physics.bounds import plob_bound
from qnetplan.physics.conversions import db_to_transmittance
from qnetplan.physics.qkd.cv_gg02 import (
    CV_DETECTIONS,
    cv_gg02_key_rate,
    optimize_cv_modulation_variance,
    secret_key_rate_cv_gg02,
)

PURE_LOSS_IDEAL: dict[str, Any] = {"excess_noise_snu": 0.0, "detector_efficiency": 1.0,
                   "electronic_noise_snu": 0.0, "reconciliation_efficiency": 1.0}


# --- independent Holevo bound from the covariance matrix (entanglement-based picture) -------

def _entropy(cov: np.ndarray) -> float:
    n = cov.shape[0] // 2
    omega = np.kron(np.eye(n), np.array([[0.0, 1.0], [-1.0, 0.0]]))
    nus = np.sort(np.abs(np.linalg.eigvals(1j * omega @ cov)))[::2]
    x = np.maximum((nus - 1) / 2, 0.0)
    return float(np.sum((x + 1) * np.log2(x + 1) - np.where(x > 0, x * np.log2(
        np.where(x > 0, x, 1.0)), 0.0)))


def _holevo_matrix(t: float, va: float, xi: float, eta: float, vel: float, det: str) -> float:
    """chi_BE = S(AB) - S(A F G | x_B): EPR source, entangling cloner, Bob's inefficiency as a
    beam splitter mixing an EPR mode F0 (variance w) whose twin G is trusted."""
    v = va + 1
    eye, z = np.eye(2), np.diag([1.0, -1.0])
    c = np.sqrt(t * (v * v - 1))
    g_ab = np.block([[v * eye, c * z], [c * z, t * (v + 1 / t - 1 + xi) * eye]])
    w = 1 + (1 if det == "homodyne" else 2) * vel / (1 - eta) if eta < 1 else 1.0
    cov = np.zeros((8, 8))
    cov[:4, :4] = g_ab
    cw = np.sqrt(w * w - 1)
    cov[4:8, 4:8] = np.block([[w * eye, cw * z], [cw * z, w * eye]])
    bs = np.eye(8)
    se, sf = np.sqrt(eta), np.sqrt(1 - eta)
    bs[2:4, 2:4], bs[2:4, 4:6], bs[4:6, 2:4], bs[4:6, 4:6] = se * eye, sf * eye, -sf * eye, \
        se * eye
    cov = bs @ cov @ bs.T
    keep, b = [0, 1, 4, 5, 6, 7], [2, 3]
    g_x, g_b, s_xb = cov[np.ix_(keep, keep)], cov[np.ix_(b, b)], cov[np.ix_(keep, b)]
    if det == "homodyne":
        proj = np.diag([1.0, 0.0])
        m = np.linalg.pinv(proj @ g_b @ proj)
    else:
        m = np.linalg.inv(g_b + eye)
    return _entropy(g_ab) - _entropy(g_x - s_xb @ m @ s_xb.T)


@settings(deadline=None, max_examples=60)
@given(loss=st.floats(0.01, 30.0), va=st.floats(0.5, 60.0), xi=st.floats(0.0, 0.1),
       eta=st.floats(0.2, 0.95), vel=st.floats(0.0, 0.3), det=st.sampled_from(CV_DETECTIONS))
def test_closed_form_holevo_matches_covariance_matrix(loss: float, va: float, xi: float,
                                                      eta: float, vel: float, det: str) -> None:
    # The closed-form symplectic eigenvalues (Lodewyck et al. 2007 Sec. II.C; Laudenbach et al.
    # 2018 Sec. 4) against a direct computation from the covariance matrix.
    res = cv_gg02_key_rate(loss, va, xi, eta, vel, 1.0, det)
    expected = _holevo_matrix(float(db_to_transmittance(loss)), va, xi, eta, vel, det)
    np.testing.assert_allclose(res.holevo_information, expected, rtol=1e-7, atol=1e-9)


def test_mutual_information_homodyne_and_heterodyne() -> None:
    # I_AB = 1/2 log2(1 + SNR) (homodyne) and log2(1 + SNR) (heterodyne), SNR = V_A/(1+chi_tot)
    t, va, xi, eta, vel = 0.1, 5.0, 0.02, 0.7, 0.05
    chi_line = 1 / t - 1 + xi
    hom = cv_gg02_key_rate(10.0, va, xi, eta, vel, 1.0, "homodyne").mutual_information
    het = cv_gg02_key_rate(10.0, va, xi, eta, vel, 1.0, "heterodyne").mutual_information
    chi_hom = chi_line + ((1 - eta) + vel) / eta / t
    chi_het = chi_line + (1 + (1 - eta) + 2 * vel) / eta / t
    np.testing.assert_allclose(hom, 0.5 * np.log2(1 + va / (1 + chi_hom)), rtol=1e-12)
    np.testing.assert_allclose(het, np.log2(1 + va / (1 + chi_het)), rtol=1e-12)


@pytest.mark.parametrize("va", [1e5, 1e6])
def test_pure_loss_homodyne_rr_tends_to_half_plob(va: float) -> None:
    # Pirandola et al., Nat. Commun. 8, 15043 (2017): on a pure-loss channel the coherent-state
    # protocol with homodyne detection and reverse reconciliation reaches, for large modulation,
    # -(1/2) log2(1 - eta)... i.e. half the PLOB bound (1/(2 ln 2) eta at high loss).
    loss = np.array([3.0, 10.0, 20.0, 40.0, 60.0, 80.0, 100.0])
    rate = secret_key_rate_cv_gg02(loss, va, **PURE_LOSS_IDEAL, detection="homodyne")
    ratio = rate / plob_bound(db_to_transmittance(loss))
    np.testing.assert_allclose(ratio, 0.5, rtol=2e-4)


def test_reverse_reconciliation_beats_3_db_limit() -> None:
    # Grosshans et al., Nature 421, 238 (2003): direct reconciliation stops at 3 dB of loss
    # (T = 1/2); reverse reconciliation keeps a positive rate well beyond it.
    loss = np.array([3.5, 6.0, 10.0, 20.0, 30.0])
    for det in CV_DETECTIONS:
        assert np.all(secret_key_rate_cv_gg02(loss, 10.0, **PURE_LOSS_IDEAL, detection=det) > 0)
    realistic = secret_key_rate_cv_gg02(loss, 4.0, 0.01, 0.6, 0.01, 0.95)
    assert np.all(realistic > 0)


def test_default_system_values_are_sane_and_decrease_with_excess_noise() -> None:
    rate = secret_key_rate_cv_gg02(np.array([2.0, 10.0]))
    assert 0.05 < rate[0] < 1.0 and 0 < rate[1] < rate[0]
    noisy = secret_key_rate_cv_gg02(10.0, excess_noise_snu=0.05)
    assert noisy < rate[1]
    assert secret_key_rate_cv_gg02(10.0, excess_noise_snu=0.3) == 0.0


cv_params = st.fixed_dictionaries({
    "modulation_variance_snu": st.floats(0.1, 1e3),
    "excess_noise_snu": st.floats(0.0, 0.1),
    "detector_efficiency": st.floats(0.1, 1.0),
    "electronic_noise_snu": st.floats(0.0, 0.2),
    "reconciliation_efficiency": st.floats(0.8, 1.0),
    "detection": st.sampled_from(CV_DETECTIONS),
})


@settings(deadline=None, max_examples=80)
@given(p=cv_params)
def test_invariants_below_plob_monotone_zero_past_cutoff(p: dict[str, Any]) -> None:
    loss = np.linspace(0.0, 100.0, 201)
    rate = secret_key_rate_cv_gg02(loss, **p)
    assert np.all(np.isfinite(rate)) and np.all(rate >= 0)
    with np.errstate(divide="ignore"):
        assert np.all(rate <= plob_bound(db_to_transmittance(loss)))
    assert np.all(np.diff(rate) <= 1e-15 + 1e-9 * rate[:-1])
    positive = np.nonzero(rate > 0)[0]
    if positive.size:
        assert np.all(rate[positive.max() + 1:] == 0.0)


def test_optimiser_finds_interior_optimum_and_respects_bounds() -> None:
    loss = np.array([1.0, 10.0, 20.0])
    best, va = optimize_cv_modulation_variance(loss)
    grid = np.exp(np.linspace(np.log(0.1), np.log(1e3), 4000))
    brute = secret_key_rate_cv_gg02(loss[:, None], grid[None, :]).max(axis=1)
    np.testing.assert_allclose(best, brute, rtol=1e-4)
    assert np.all((va >= 0.1) & (va <= 1e3))
    assert np.all(best >= secret_key_rate_cv_gg02(loss))
    # with beta = 1 on a pure-loss channel more modulation always helps: the top of the range
    _, va_ideal = optimize_cv_modulation_variance(20.0, 0.0, 1.0, 0.0, 1.0)
    np.testing.assert_allclose(va_ideal, 1e3)


def test_shapes_lossless_and_nan() -> None:
    assert np.shape(secret_key_rate_cv_gg02(10.0)) == ()
    grid = np.linspace(0, 30, 6).reshape(2, 3)
    assert secret_key_rate_cv_gg02(grid).shape == (2, 3)
    out = secret_key_rate_cv_gg02(np.array([0.0, np.nan]), np.array([[4.0], [10.0]]))
    assert out.shape == (2, 2) and np.all(np.isfinite(out[:, 0])) and np.all(np.isnan(out[:, 1]))
    rate, va = optimize_cv_modulation_variance(grid)
    assert rate.shape == va.shape == (2, 3)


def test_invalid_inputs_raise() -> None:
    with pytest.raises(ValueError, match="detection"):
        secret_key_rate_cv_gg02(10.0, detection="photon_counting")
    with pytest.raises(ValueError, match="modulation_variance_snu"):
        secret_key_rate_cv_gg02(10.0, modulation_variance_snu=0.0)
    with pytest.raises(ValueError, match="reconciliation_efficiency"):
        secret_key_rate_cv_gg02(10.0, reconciliation_efficiency=1.1)
