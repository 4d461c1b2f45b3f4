"""Asymptotic decoy-state BB84 against numbers printed in Ma, Qi, Zhao, Lo, PRA 72, 012326
(2005) and Lo, Ma, Chen, PRL 94, 230504 (2005), plus invariants."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qnetplan.physics.bounds import plob_bound
from qnetplan.physics.conversions import db_to_transmittance
from qnetplan.physics.optimize import maximize_log_grid
from qnetplan.physics.qkd.bb84_decoy import (
    bb84_decoy_key_rate,
    bb84_gain_and_error,
    secret_key_rate_bb84_decoy,
)

# GYS parameter set (Gobby, Yuan, Shields, APL 84, 3762 (2004)) as tabulated in Ma et al.
# 2005, Table I: 0.21 dB/km, e_detector 3.3 %, Y0 1.7e-6 (Bob's total), eta_Bob 4.5 %, f 1.22.
GYS_ALPHA = 0.21
GYS = {
    "detector_efficiency": 0.045,
    "dark_count_probability": 1.0 - math.sqrt(1.0 - 1.7e-6),
    "misalignment_error": 0.033,
    "error_correction_efficiency": 1.22,
    "sifting_factor": 0.5,
}


def optimal_rate(t: np.ndarray, method: str = "infinite", decoys=(), lower: float = 1e-6, **kw):
    params = {**GYS, **kw}
    value, mu = maximize_log_grid(
        lambda m: secret_key_rate_bb84_decoy(
            t[..., None],
            signal_mean_photon_number=m,
            decoy_method=method,
            decoy_mean_photon_numbers=decoys,
            **params,
        ),
        lower,
        1.5,
        t.shape,
    )
    return np.maximum(value, 0.0), mu


def test_gys_infinite_decoy_reaches_over_140_km() -> None:
    """Ma et al. 2005 (and Lo, Ma, Chen 2005): with the GYS set, infinite-decoy BB84 reaches
    "over 140 km" (142 km in Ma et al.'s simulation) with optimal mu ~ 0.48."""
    lengths = np.array([100.0, 140.0, 145.0, 150.0])
    rate, mu = optimal_rate(db_to_transmittance(GYS_ALPHA * lengths))
    assert rate[0] > 0 and rate[1] > 0
    assert rate[2] == 0.0 and rate[3] == 0.0
    assert 0.4 < mu[0] < 0.55


def test_decoys_turn_eta_squared_into_eta() -> None:
    """Lo, Ma, Chen 2005: plain GLLP (no decoys) scales as O(eta^2), decoy states as O(eta).
    Log-log slopes of the optimised rates at high loss, without dark counts (so that the
    no-decoy curve stays positive)."""
    loss = np.linspace(20.0, 40.0, 9)
    t = db_to_transmittance(loss)
    ideal = {"dark_count_probability": 0.0, "misalignment_error": 0.01}
    decoy, _ = optimal_rate(t, "infinite", **ideal)
    plain, _ = optimal_rate(t, "none", **ideal)
    assert np.all(decoy > 0) and np.all(plain > 0)
    slope_decoy = np.polyfit(np.log(t), np.log(decoy), 1)[0]
    slope_plain = np.polyfit(np.log(t), np.log(plain), 1)[0]
    assert slope_decoy == pytest.approx(1.0, abs=0.05)
    assert slope_plain == pytest.approx(2.0, abs=0.1)


def test_vacuum_weak_approaches_infinite_decoys() -> None:
    """Ma et al. 2005: vacuum + weak decoy asymptotically approaches the infinite-decoy limit
    as nu -> 0; it never exceeds it."""
    lengths = np.array([20.0, 60.0, 100.0, 120.0])
    t = db_to_transmittance(GYS_ALPHA * lengths)
    inf, _ = optimal_rate(t)
    previous = np.zeros_like(inf)
    for nu in (0.2, 0.1, 0.05, 0.01):
        vw, _ = optimal_rate(t, "vacuum_weak", (nu, 0.0), lower=nu * 1.001)
        assert np.all(vw <= inf * (1 + 1e-9))
        assert np.all(vw >= previous * (1 - 1e-6))
        previous = vw
    assert np.all(previous / inf > 0.97)


def test_vacuum_weak_equals_ma2005_formula() -> None:
    """With a true vacuum, the bounds are Ma et al.'s Y1^{L,nu,0} and e1^{U,nu,0}, written out
    here independently of the implementation."""
    mu, nu, t = 0.5, 0.1, 10 ** (-0.21 * 60 / 10)
    res = bb84_decoy_key_rate(
        t,
        **GYS,
        signal_mean_photon_number=mu,
        decoy_method="vacuum_weak",
        decoy_mean_photon_numbers=(nu, 0.0),
    )
    eta = t * GYS["detector_efficiency"]
    y0 = 1.7e-6
    q_mu, eq_mu = bb84_gain_and_error(mu, eta, y0, GYS["misalignment_error"])
    q_nu, eq_nu = bb84_gain_and_error(nu, eta, y0, GYS["misalignment_error"])
    y1 = (
        mu
        / (mu * nu - nu**2)
        * (q_nu * math.exp(nu) - q_mu * math.exp(mu) * nu**2 / mu**2 - (mu**2 - nu**2) / mu**2 * y0)
    )
    e1 = (eq_nu * math.exp(nu) - 0.5 * y0) / (y1 * nu)
    assert res.single_photon_yield == pytest.approx(y1, rel=1e-9)
    assert res.single_photon_error_rate == pytest.approx(e1, rel=1e-9)
    h = lambda x: -x * math.log2(x) - (1 - x) * math.log2(1 - x)  # noqa: E731
    expected = 0.5 * (mu * math.exp(-mu) * y1 * (1 - h(e1)) - 1.22 * q_mu * h(eq_mu / q_mu))
    assert res.secret_key_rate_per_pulse == pytest.approx(expected, rel=1e-9)


def test_one_decoy_below_vacuum_weak() -> None:
    t = db_to_transmittance(GYS_ALPHA * np.array([10.0, 50.0]))
    one, _ = optimal_rate(t, "one_decoy", (0.1,), lower=0.1001)
    two, _ = optimal_rate(t, "vacuum_weak", (0.1, 0.0), lower=0.1001)
    assert np.all(one > 0) and np.all(one <= two)


def test_shapes_nan_and_high_loss() -> None:
    kw = {**GYS, "decoy_method": "vacuum_weak", "decoy_mean_photon_numbers": (0.1, 0.0)}
    assert secret_key_rate_bb84_decoy(0.1, **kw).shape == ()
    assert secret_key_rate_bb84_decoy(np.ones((2, 3)) * 0.1, **kw).shape == (2, 3)
    out = secret_key_rate_bb84_decoy(np.array([0.1, np.nan]), **kw)
    assert out[0] > 0 and np.isnan(out[1])
    deep = secret_key_rate_bb84_decoy(
        db_to_transmittance(np.array([60.0, 80.0, 100.0, 200.0])), **kw
    )
    assert np.all(deep == 0.0)
    with pytest.raises(ValueError):
        secret_key_rate_bb84_decoy(0.1, **GYS, decoy_method="two")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        secret_key_rate_bb84_decoy(0.1, **GYS, decoy_method="vacuum_weak")


METHODS = st.sampled_from(
    [
        ("infinite", ()),
        ("vacuum_weak", (0.1, 0.0)),
        ("vacuum_weak", (0.05, 0.001)),
        ("one_decoy", (0.1,)),
        ("none", ()),
    ]
)


@settings(deadline=None, max_examples=60)
@given(
    METHODS,
    st.floats(0.0, 1.0),
    st.floats(0.0, 1e-4),
    st.floats(0.0, 0.1),
    st.floats(0.3, 1.2),
    st.floats(0.0, 60.0),
    st.floats(0.0, 10.0),
)
def test_invariants_fixed_intensity(method, det, p_d, e_d, mu, loss, step) -> None:
    """Non-increasing with loss, exactly 0 past the cutoff, never above PLOB on the channel."""
    name, decoys = method
    losses = np.array([loss, loss + step, loss + step + 60.0, 200.0])
    t = db_to_transmittance(losses)
    r = secret_key_rate_bb84_decoy(t, det, p_d, e_d, 1.16, 0.5, mu, name, decoys)
    assert np.all(np.isfinite(r)) and np.all(r >= 0.0)
    assert r[1] <= r[0] * (1 + 1e-9) + 1e-300
    assert np.all(r <= plob_bound(t))
    if r[1] == 0.0:
        assert np.all(r[2:] == 0.0)
