"""Twin-field QKD: SNS (Wang, Yu, Hu 2018) and PM (Ma, Zeng, Zhou 2018)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qnetplan.physics.bounds import plob_bound
from qnetplan.physics.conversions import db_to_transmittance
from qnetplan.physics.qkd.twin_field import (
    TF_VARIANTS,
    _one_click_random_phase,
    optimize_tf_parameters,
    phase_slice_error,
    secret_key_rate_tf_qkd,
    tf_detector_click_probability,
    tf_qkd_key_rate,
)

IDEAL: dict[str, Any] = {"detector_efficiency": 1.0, "dark_count_probability": 0.0,
                         "misalignment_error": 0.0, "error_correction_efficiency": 1.0}
REALISTIC: dict[str, Any] = {"detector_efficiency": 0.3, "dark_count_probability": 1e-8,
                             "misalignment_error": 0.03, "error_correction_efficiency": 1.16}


@pytest.mark.parametrize("variant", TF_VARIANTS)
@pytest.mark.parametrize("start_db", [50.0, 60.0, 80.0])
def test_rate_scales_as_square_root_of_transmittance(variant: str, start_db: float) -> None:
    # Lucamarini et al., Nature 557, 400 (2018): TF-QKD's rate scales as eta^(1/2): +10 dB of
    # channel loss costs a factor 10^(-1/2) (held intensities, negligible dark counts).
    loss = np.array([start_db, start_db + 10.0])
    rate = secret_key_rate_tf_qkd(loss, 0.8, 1e-12, 0.03, 1.16, 0.1, variant, 0.05)
    assert rate[0] > 0
    np.testing.assert_allclose(rate[1] / rate[0], 10 ** -0.5, rtol=0.005)


def test_ideal_sns_beats_plob_near_200_km() -> None:
    # Lucamarini et al. 2018 (PHYSICS.md anchor): ideal TF-QKD beats the repeaterless bound
    # beyond about 200 km of 0.2 dB/km fiber; below it at 100 km.
    lengths = np.arange(100.0, 301.0, 5.0)
    loss = 0.2 * lengths
    rate, _, _ = optimize_tf_parameters(loss, **IDEAL, tf_variant="sns")
    ratio = rate / plob_bound(db_to_transmittance(loss))
    assert ratio[lengths == 100.0][0] < 0.2
    assert ratio[lengths == 250.0][0] > 2.0
    crossing_km = lengths[np.argmax(ratio > 1.0)]
    assert 170.0 <= crossing_km <= 230.0


def test_pm_and_realistic_tf_exceed_plob_at_long_distance() -> None:
    # TF-QKD is the protocol that may exceed PLOB (PHYSICS.md convention 6): with realistic
    # devices both variants do at 350 km (70 dB).
    for variant in TF_VARIANTS:
        rate, _, _ = optimize_tf_parameters(70.0, **REALISTIC, tf_variant=variant)
        assert rate > plob_bound(db_to_transmittance(70.0))


def test_both_send_click_probability_matches_phase_average() -> None:
    # Independent check of the Bessel form: average over the random relative phase of
    # P(exactly one of the two detectors clicks).
    phi = np.linspace(0, 2 * np.pi, 20001)[:-1]
    for ma, mb, pd in ((0.2, 0.2, 1e-3), (1.5, 0.1, 0.05), (1e-6, 1e-6, 0.0)):
        i1 = (ma + mb) / 2 + np.sqrt(ma * mb) * np.cos(phi)
        i2 = (ma + mb) / 2 - np.sqrt(ma * mb) * np.cos(phi)
        c1, c2 = 1 - (1 - pd) * np.exp(-i1), 1 - (1 - pd) * np.exp(-i2)
        numeric = float(np.mean(c1 * (1 - c2) + c2 * (1 - c1)))
        closed = float(_one_click_random_phase(np.array(ma), np.array(mb), np.array(pd)))
        np.testing.assert_allclose(closed, numeric, rtol=1e-9)


def test_phase_slice_error_matches_triangular_average() -> None:
    # Ma, Zeng, Zhou 2018: same-slice phase difference is triangular on [-2pi/D, 2pi/D].
    for d in (8, 16, 32):
        a = 2 * np.pi / d
        delta = np.linspace(-a, a, 400001)
        weight = (a - np.abs(delta)) / a**2
        numeric = float(np.trapezoid(weight * np.sin(delta / 2) ** 2, delta))
        np.testing.assert_allclose(phase_slice_error(d), numeric, rtol=1e-6)
    assert 0.006 < phase_slice_error(16) < 0.0065


def test_pm_phase_error_is_even_photon_share_at_high_loss() -> None:
    # MZZ18 Eq. (8) with infinite decoys and no dark counts: at high loss the detected events'
    # even-photon-number share tends to (1 - e^{-4 mu}) / 2.
    for mu in (0.01, 0.05, 0.2):
        res = tf_qkd_key_rate(80.0, 1.0, 0.0, 0.0, 1.0, mu, "pm")
        np.testing.assert_allclose(res.phase_error, (1 - np.exp(-4 * mu)) / 2, rtol=1e-4)


def test_sns_phase_error_equals_misalignment_without_dark_counts() -> None:
    res = tf_qkd_key_rate(np.array([10.0, 60.0]), 0.5, 0.0, 0.07, 1.16, 0.3, "sns", 0.05)
    np.testing.assert_allclose(res.phase_error, 0.07, rtol=1e-12)
    # E_Z: both-send windows dominate; at high loss E_Z -> eps (1+...) / ... stays below 1/2
    assert np.all(res.qber < 0.5)


variant_params = st.fixed_dictionaries({
    "detector_efficiency": st.floats(0.05, 1.0),
    "dark_count_probability": st.floats(0.0, 1e-5),
    "misalignment_error": st.floats(0.0, 0.1),
    "error_correction_efficiency": st.floats(1.0, 1.3),
    "signal_mean_photon_number": st.floats(0.01, 1.0),
    "tf_variant": st.sampled_from(TF_VARIANTS),
    "sns_sending_probability": st.floats(0.005, 0.4),
})


@settings(deadline=None, max_examples=80)
@given(p=variant_params)
def test_invariants_monotone_and_zero_past_cutoff(p: dict[str, Any]) -> None:
    # TF is exempt from PLOB (it may exceed it); it is still non-increasing with loss, never
    # negative or NaN, exactly 0 past its cutoff.
    loss = np.linspace(0.0, 200.0, 401)
    rate = secret_key_rate_tf_qkd(loss, **p)
    assert np.all(np.isfinite(rate)) and np.all(rate >= 0)
    assert np.all(np.diff(rate) <= 1e-15 + 1e-9 * rate[:-1])
    positive = np.nonzero(rate > 0)[0]
    if positive.size:
        assert np.all(rate[positive.max() + 1:] == 0.0)


def test_optimiser_matches_brute_force() -> None:
    loss = np.array([20.0, 50.0])
    rate, mu, eps = optimize_tf_parameters(loss, **REALISTIC, tf_variant="sns")
    mus = np.exp(np.linspace(np.log(1e-3), np.log(1.5), 300))
    epss = np.exp(np.linspace(np.log(1e-3), np.log(0.5), 120))
    brute = secret_key_rate_tf_qkd(loss[:, None, None], **REALISTIC,
                                   signal_mean_photon_number=mus[None, :, None],
                                   sns_sending_probability=epss[None, None, :])
    best = brute.reshape(2, -1).max(axis=1)
    assert np.all(rate >= best * (1 - 2e-3))
    np.testing.assert_allclose(rate, secret_key_rate_tf_qkd(
        loss, **REALISTIC, signal_mean_photon_number=mu, sns_sending_probability=eps))
    pm_rate, _pm_mu, pm_eps = optimize_tf_parameters(loss, **REALISTIC, tf_variant="pm")
    assert np.all(np.isnan(pm_eps))
    pm_brute = secret_key_rate_tf_qkd(loss[:, None], **REALISTIC, tf_variant="pm",
                                      signal_mean_photon_number=mus[None, :]).max(axis=1)
    assert np.all(pm_rate >= pm_brute * (1 - 1e-3))


def test_shapes_and_nan() -> None:
    assert np.shape(secret_key_rate_tf_qkd(10.0, 0.5, 1e-8)) == ()
    grid = np.linspace(0, 80, 12).reshape(4, 3)
    for variant in TF_VARIANTS:
        assert secret_key_rate_tf_qkd(grid, 0.5, 1e-8, tf_variant=variant).shape == (4, 3)
        out = secret_key_rate_tf_qkd(np.array([10.0, np.nan]), 0.5, 1e-8, tf_variant=variant)
        assert out[0] > 0 and np.isnan(out[1])
    rate, mu, eps = optimize_tf_parameters(grid, 0.5, 1e-8)
    assert rate.shape == mu.shape == eps.shape == (4, 3)


def test_invalid_inputs_raise() -> None:
    with pytest.raises(ValueError, match="tf_variant"):
        secret_key_rate_tf_qkd(10.0, 0.5, 1e-8, tf_variant="lucamarini")
    with pytest.raises(ValueError, match="phase_slices"):
        secret_key_rate_tf_qkd(10.0, 0.5, 1e-8, tf_variant="pm", phase_slices=3)
    with pytest.raises(ValueError, match="dark_count_probability"):
        secret_key_rate_tf_qkd(10.0, 0.5, -1e-8)


def test_detector_click_probability_for_dead_time() -> None:
    # half of the mean light arriving at the relay reaches each detector
    np.testing.assert_allclose(tf_detector_click_probability(20.0, 0.5, 0.0, 0.2, "pm"),
                               -np.expm1(-0.5 * 0.1 * 0.2), rtol=1e-12)
    np.testing.assert_allclose(tf_detector_click_probability(20.0, 0.5, 0.0, 0.2, "sns", 0.1),
                               -np.expm1(-0.1 * 0.5 * 0.1 * 0.2), rtol=1e-12)
    np.testing.assert_allclose(tf_detector_click_probability(400.0, 0.5, 1e-8), 1e-8, rtol=1e-9)
