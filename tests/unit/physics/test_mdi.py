"""MDI-QKD (Lo, Curty, Qi 2012; Ma & Razavi 2012; Xu, Curty, Qi, Lo 2013)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qnetplan.physics.bounds import plob_bound
from qnetplan.physics.conversions import db_to_transmittance
from qnetplan.physics.qkd.mdi import (
    MDI_DECOY_METHODS,
    mdi_detector_click_probability,
    mdi_polarization_gains,
    mdi_qkd_key_rate,
    mdi_single_photon_pair,
    mdi_two_decoy_bounds,
    optimize_mdi_signal_mean_photon_number,
    secret_key_rate_mdi_qkd,
)

# Lo, Curty, Qi, PRL 108, 130503 (2012), simulation parameters (from Ursin et al. 2007):
# detector efficiency 14.5 %, dark count 6.02e-6 per detector, e_d = 1.5 %, f = 1.16,
# fiber 0.2 dB/km.
LCQ: dict[str, Any] = {"detector_efficiency": 0.145, "dark_count_probability": 6.02e-6,
       "misalignment_error": 0.015, "error_correction_efficiency": 1.16}
DB_PER_KM = 0.2


def _cutoff_km(rates: np.ndarray, lengths_km: np.ndarray) -> float:
    return float(lengths_km[rates > 0].max())


def test_lcq_parameters_secure_beyond_200_km() -> None:
    # LCQ 2012 (Fig. 2 and text): decoy-state MDI-QKD with these parameters stays secure
    # beyond 200 km (PHYSICS.md anchor). Our model: cutoff about 201.5 km.
    lengths = np.arange(150.0, 260.0, 0.5)
    rates, _ = optimize_mdi_signal_mean_photon_number(lengths * DB_PER_KM, **LCQ)
    assert rates[lengths == 200.0][0] > 0.0
    assert 200.0 <= _cutoff_km(rates, lengths) < 230.0


def test_vacuum_weak_approaches_infinite_decoys_and_never_exceeds_them() -> None:
    # LCQ 2012 / Xu et al. 2013 Sec. 4: two decoys (vacuum + weak) come close to the
    # infinite-decoy curve when the weak decoy is small; a bound never beats the exact value.
    loss = np.array([0.0, 10.0, 20.0, 30.0])
    inf_rate, _ = optimize_mdi_signal_mean_photon_number(loss, **LCQ)
    for nu, min_ratio in ((0.1, 0.1), (0.01, 0.85), (1e-4, 0.99)):
        vw, _ = optimize_mdi_signal_mean_photon_number(
            loss, **LCQ, decoy_method="vacuum_weak", decoy_mean_photon_numbers=(nu, 0.0))
        assert np.all(vw <= inf_rate * (1 + 1e-12))
        assert np.all(vw / inf_rate >= min_ratio)


def test_ideal_devices_give_closed_form_rate_linear_in_transmittance() -> None:
    # Ma & Razavi 2012 App. B with Y0 = 0, e_d = 0, unit efficiency: Y11 = eta_a eta_b / 2,
    # e11 = 0, E_Z = 0, so R = mu^2 e^{-2 mu} T / 2 exactly — also at 60-100 dB (expm1 forms).
    loss = np.array([0.0, 3.0, 20.0, 60.0, 80.0, 100.0])
    mu = 0.3
    rate = secret_key_rate_mdi_qkd(loss, 1.0, 0.0, 0.0, 1.0, mu)
    expected = mu**2 * np.exp(-2 * mu) * db_to_transmittance(loss) / 2
    np.testing.assert_allclose(rate, expected, rtol=1e-9)


def _numeric_gains(eta_a: float, eta_b: float, mu_a: float, mu_b: float, y0: float,
                   n: int = 4001) -> tuple[float, float, float, float]:
    """Direct phase average of the four-detector BSM click statistics (e_d = 0).

    Independent of the closed forms: fields after the 50:50 beam splitter, each detector a
    threshold detector with dark count y0, success = exactly one H and one V detector click.
    Returns Q_Z, E_Z Q_Z, Q_X, E_X Q_X.
    """
    phi = np.linspace(0.0, 2 * np.pi, n, endpoint=False)
    a, b = np.sqrt(eta_a * mu_a), np.sqrt(eta_b * mu_b) * np.exp(1j * phi)

    def p_click(m: np.ndarray) -> np.ndarray:
        return 1 - (1 - y0) * np.exp(-m)

    def success(modes: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        pc = {k: p_click(np.abs(v) ** 2) for k, v in modes.items()}
        pn = {k: 1 - v for k, v in pc.items()}
        psi_minus = pc["1H"] * pn["1V"] * pn["2H"] * pc["2V"] + pn["1H"] * pc["1V"] \
            * pc["2H"] * pn["2V"]
        psi_plus = pc["1H"] * pc["1V"] * pn["2H"] * pn["2V"] + pn["1H"] * pn["1V"] \
            * pc["2H"] * pc["2V"]
        return psi_minus, psi_plus

    def ports(alice: tuple[complex, complex], bob: tuple[complex, complex]
              ) -> dict[str, np.ndarray]:
        (ah, av), (bh, bv) = alice, bob
        return {"1H": (a * ah + b * bh) / np.sqrt(2), "2H": (a * ah - b * bh) / np.sqrt(2),
                "1V": (a * av + b * bv) / np.sqrt(2), "2V": (a * av - b * bv) / np.sqrt(2)}

    h, v = (1.0, 0.0), (0.0, 1.0)
    d = 1 / np.sqrt(2)
    plus, minus = (d, d), (d, -d)
    qz = ez = qx = ex = 0.0
    for sa in (h, v):
        for sb in (h, v):
            m, p = success(ports(sa, sb))
            tot = float(np.mean(m + p)) / 4
            qz += tot
            if sa == sb:  # Z basis: equal polarisations are errors after bit flip
                ez += tot
    for sa in (plus, minus):
        for sb in (plus, minus):
            m, p = success(ports(sa, sb))
            qx += float(np.mean(m + p)) / 4
            # equal diagonal states: psi- is an error; different states: psi+ is an error
            ex += float(np.mean(m if sa == sb else p)) / 4
    return qz, ez, qx, ex


@pytest.mark.parametrize(("eta_a", "eta_b", "mu_a", "mu_b", "y0"), [
    (0.3, 0.3, 0.4, 0.4, 1e-3),
    (0.05, 0.2, 0.6, 0.1, 3e-2),
    (0.9, 0.01, 0.0, 0.5, 1e-2),
    (1e-3, 1e-3, 0.3, 0.3, 0.0),
])
def test_gains_match_direct_phase_average(eta_a: float, eta_b: float, mu_a: float,
                                          mu_b: float, y0: float) -> None:
    qz, ez, qx, ex = mdi_polarization_gains(eta_a, eta_b, mu_a, mu_b, y0, 0.0)
    nqz, nez, nqx, nex = _numeric_gains(eta_a, eta_b, mu_a, mu_b, y0)
    np.testing.assert_allclose([qz, ez, qx, ex], [nqz, nez, nqx, nex], rtol=1e-9, atol=1e-15)


@settings(deadline=None, max_examples=60)
@given(loss=st.floats(0.0, 60.0), frac=st.floats(0.0, 1.0), mu=st.floats(0.05, 1.2),
       nu_share=st.floats(0.02, 0.9), w_share=st.floats(0.0, 0.9), y0=st.floats(0.0, 1e-4),
       ed=st.floats(0.0, 0.1))
def test_two_decoy_bounds_bracket_exact_values(loss: float, frac: float, mu: float,
                                               nu_share: float, w_share: float, y0: float,
                                               ed: float) -> None:
    # Xu et al. 2013 Eqs. (4)-(5) are bounds: Y11^L <= Y11 and e11^U >= e11.
    nu = mu * nu_share
    w = nu * w_share
    eta_a = 0.5 * db_to_transmittance(frac * loss)
    eta_b = 0.5 * db_to_transmittance((1 - frac) * loss)
    y11, e11 = mdi_single_photon_pair(eta_a, eta_b, y0, ed)
    y11_l, e11_u = mdi_two_decoy_bounds(eta_a, eta_b, mu, nu, w, y0, ed)
    assert y11_l <= y11 * (1 + 1e-9) + 1e-300
    if y11_l > 0 and e11 < 0.5:
        assert e11_u >= float(e11) * (1 - 1e-7)


params = st.fixed_dictionaries({
    "detector_efficiency": st.floats(0.05, 1.0),
    "dark_count_probability": st.floats(0.0, 1e-4),
    "misalignment_error": st.floats(0.0, 0.08),
    "error_correction_efficiency": st.floats(1.0, 1.3),
    "signal_mean_photon_number": st.floats(0.02, 1.0),
    "relay_position_fraction": st.floats(0.0, 1.0),
    "decoy_method": st.sampled_from(MDI_DECOY_METHODS),
})


def _kwargs(p: dict[str, Any]) -> dict[str, Any]:
    kw = dict(p)
    if kw["decoy_method"] == "vacuum_weak":
        kw["decoy_mean_photon_numbers"] = (kw["signal_mean_photon_number"] / 5, 0.0)
    return kw


@settings(deadline=None, max_examples=60)
@given(p=params)
def test_invariants_monotone_zero_past_cutoff_below_plob(p: dict[str, Any]) -> None:
    loss = np.linspace(0.0, 100.0, 201)
    rate = secret_key_rate_mdi_qkd(loss, **_kwargs(p))
    assert np.all(np.isfinite(rate)) and np.all(rate >= 0)
    assert np.all(np.diff(rate) <= 1e-15 + 1e-9 * rate[:-1])  # non-increasing with loss
    positive = np.nonzero(rate > 0)[0]
    if positive.size:
        assert np.all(rate[positive.max() + 1:] == 0.0)  # exactly 0 past the cutoff
    # never above the PLOB bound of the whole Alice-Bob channel (PHYSICS.md, convention 6)
    with np.errstate(divide="ignore"):
        assert np.all(rate <= plob_bound(db_to_transmittance(loss)))


@settings(deadline=None, max_examples=30)
@given(loss=st.floats(5.0, 60.0), frac=st.floats(0.0, 1.0))
def test_relay_position_symmetry_and_asymmetry_penalty(loss: float, frac: float) -> None:
    # Xu et al. 2013 Sec. 5: with equal intensities an asymmetric relay lowers the rate; the
    # model is symmetric under swapping Alice and Bob. (Below about 3 dB the multi-photon
    # terms make the asymmetric split marginally better, by < 1e-4 relative: not asserted.)
    kw: dict[str, Any] = {**LCQ, "signal_mean_photon_number": 0.3}
    r = secret_key_rate_mdi_qkd(loss, relay_position_fraction=frac, **kw)
    r_swap = secret_key_rate_mdi_qkd(loss, relay_position_fraction=1 - frac, **kw)
    r_mid = secret_key_rate_mdi_qkd(loss, relay_position_fraction=0.5, **kw)
    np.testing.assert_allclose(r, r_swap, rtol=1e-9, atol=1e-300)
    assert r <= r_mid * (1 + 1e-9)


def test_shapes_scalars_arrays_and_nan() -> None:
    assert np.shape(secret_key_rate_mdi_qkd(10.0, 0.5, 1e-6)) == ()
    grid = np.linspace(0, 40, 12).reshape(3, 4)
    assert secret_key_rate_mdi_qkd(grid, 0.5, 1e-6).shape == (3, 4)
    out = mdi_qkd_key_rate(np.array([10.0, np.nan]), np.array([[0.5], [0.9]]), 1e-6)
    assert out.secret_key_rate_per_pulse.shape == (2, 2) and out.qber.shape == (2, 2)
    assert np.isnan(out.secret_key_rate_per_pulse[0, 1])
    rate, mu = optimize_mdi_signal_mean_photon_number(grid, 0.5, 1e-6)
    assert rate.shape == mu.shape == (3, 4)


def test_high_loss_is_exactly_zero_and_warning_free() -> None:
    loss = np.array([60.0, 80.0, 100.0, 150.0, 200.0])
    for method, decoys in (("infinite", ()), ("vacuum_weak", (0.05, 0.0))):
        rate = secret_key_rate_mdi_qkd(loss, **LCQ, decoy_method=method,
                                       decoy_mean_photon_numbers=decoys)
        assert np.all(rate == 0.0)


def test_optimised_rate_beats_fixed_intensity() -> None:
    loss = np.array([5.0, 20.0, 35.0])
    fixed = secret_key_rate_mdi_qkd(loss, **LCQ, signal_mean_photon_number=0.05)
    best, mu = optimize_mdi_signal_mean_photon_number(loss, **LCQ)
    assert np.all(best >= fixed) and np.all((mu >= 1e-6) & (mu <= 1.5))
    grid = np.linspace(0.01, 1.5, 3000)
    brute = secret_key_rate_mdi_qkd(loss[:, None], **LCQ, signal_mean_photon_number=grid)
    np.testing.assert_allclose(best, brute.max(axis=1), rtol=1e-4)


def test_invalid_inputs_raise() -> None:
    with pytest.raises(ValueError, match="decoy_method"):
        secret_key_rate_mdi_qkd(10.0, 0.5, 1e-6, decoy_method="one_decoy")
    with pytest.raises(ValueError, match="vacuum_weak"):
        secret_key_rate_mdi_qkd(10.0, 0.5, 1e-6, decoy_method="vacuum_weak")
    with pytest.raises(ValueError, match="nu > omega"):
        secret_key_rate_mdi_qkd(10.0, 0.5, 1e-6, decoy_method="vacuum_weak",
                                decoy_mean_photon_numbers=(0.1, 0.2))
    with pytest.raises(ValueError, match="detector_efficiency"):
        secret_key_rate_mdi_qkd(10.0, 1.5, 1e-6)


def test_detector_click_probability_for_dead_time() -> None:
    # a quarter of the light of both arms reaches each of the four detectors
    np.testing.assert_allclose(mdi_detector_click_probability(0.0, 1.0, 0.0, 0.4),
                               -np.expm1(-0.2), rtol=1e-12)
    np.testing.assert_allclose(mdi_detector_click_probability(300.0, 0.5, 1e-6, 0.4), 1e-6,
                               rtol=1e-9)
    asym = mdi_detector_click_probability(20.0, 1.0, 0.0, 0.4, relay_position_fraction=0.0)
    np.testing.assert_allclose(asym, -np.expm1(-(1 + 0.01) * 0.4 / 4), rtol=1e-12)
