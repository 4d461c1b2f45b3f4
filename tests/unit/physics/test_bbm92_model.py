"""BBM92 with a PDC source (Ma, Fung, Lo, PRA 76, 012307 (2007))."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qnetplan.physics.bounds import plob_bound
from qnetplan.physics.conversions import db_to_transmittance
from qnetplan.physics.optimize import maximize_log_grid
from qnetplan.physics.qkd.bb84_decoy import secret_key_rate_bb84_decoy
from qnetplan.physics.qkd.bbm92 import bbm92_gain_and_error, secret_key_rate_bbm92

GYS = dict(
    detector_efficiency=0.045,
    dark_count_probability=1 - math.sqrt(1 - 1.7e-6),
    misalignment_error=0.033,
    error_correction_efficiency=1.22,
    sifting_factor=0.5,
)


def test_gain_matches_published_form() -> None:
    """The cancellation-free form equals MFL 2007's Q_lambda and E_lambda Q_lambda."""
    lam, ea, eb, ya, yb, ed = 0.1, 0.3, 0.02, 1e-5, 3e-6, 0.02
    d = 1 + ea * lam + eb * lam - ea * eb * lam
    q = (
        1
        - (1 - ya) / (1 + ea * lam) ** 2
        - (1 - yb) / (1 + eb * lam) ** 2
        + (1 - ya) * (1 - yb) / d**2
    )
    eq = 0.5 * q - 2 * (0.5 - ed) * ea * eb * lam * (1 + lam) / (
        (1 + ea * lam) * (1 + eb * lam) * d
    )
    g, e = bbm92_gain_and_error(lam, ea, eb, ya, yb, ed)
    assert g == pytest.approx(q, rel=1e-10)
    assert e == pytest.approx(eq, rel=1e-9)
    # at 100 dB per arm the stable form stays positive and finite
    g2, e2 = bbm92_gain_and_error(0.05, 1e-10, 1e-10, 0.0, 0.0, 0.01)
    assert g2 > 0 and 0 < e2 / g2 <= 0.5


def opt(fn, t):
    v, _ = maximize_log_grid(lambda m: fn(t[..., None], m), 1e-6, 1.5, t.shape)
    return np.maximum(v, 0)


def test_more_loss_tolerant_but_less_key_than_decoy_bb84() -> None:
    """Ma, Fung, Lo 2007: with the source in the middle, BBM92 tolerates much more loss than
    decoy BB84 on the same detectors (GYS set), but gives less key at low loss."""
    loss = np.array([0.0, 10.0, 25.0, 40.0, 55.0])
    t = db_to_transmittance(loss)
    ent = opt(lambda tt, m: secret_key_rate_bbm92(tt, 0.5, source_mean_pair_number=m, **GYS), t)
    dec = opt(lambda tt, m: secret_key_rate_bb84_decoy(tt, signal_mean_photon_number=m, **GYS), t)
    assert ent[0] < dec[0] and ent[1] < dec[1]
    assert dec[3] == 0.0 and dec[4] == 0.0
    assert ent[3] > 0.0 and ent[4] > 0.0


@settings(deadline=None, max_examples=60)
@given(
    st.floats(0.0, 1.0),
    st.floats(0.0, 1.0),
    st.floats(0.0, 1e-4),
    st.floats(0.0, 0.1),
    st.floats(1e-4, 1.5),
    st.floats(0.0, 80.0),
    st.floats(0.0, 10.0),
)
def test_invariants(s, det, p_d, e_d, pairs, loss, step) -> None:
    losses = np.array([loss, loss + step, 200.0])
    t = db_to_transmittance(losses)
    r = secret_key_rate_bbm92(t, s, det, p_d, e_d, 1.16, 0.5, pairs)
    assert np.all(np.isfinite(r)) and np.all(r >= 0)
    assert r[1] <= r[0] * (1 + 1e-9) + 1e-300
    assert np.all(r <= plob_bound(t))


def test_source_position_and_shapes() -> None:
    t = db_to_transmittance(40.0)
    mid = secret_key_rate_bbm92(t, 0.5, 0.1, 1e-6, 0.01, 1.16, 0.5, 0.05)
    end = secret_key_rate_bbm92(t, 0.0, 0.1, 1e-6, 0.01, 1.16, 0.5, 0.05)
    assert mid > end  # dark counts hurt least with the loss split evenly
    assert secret_key_rate_bbm92(np.full((2, 2), 0.1), 0.5, 0.1, 1e-6).shape == (2, 2)
    assert np.isnan(secret_key_rate_bbm92(np.nan, 0.5, 0.1, 1e-6))
