"""conversions, bounds, fiber budget, detectors: values and invariants."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qnetplan.physics.bounds import plob_bound, tgw_bound
from qnetplan.physics.conversions import (
    binary_entropy,
    db_to_linear,
    db_to_transmittance,
    linear_to_db,
    transmittance_to_db,
)
from qnetplan.physics.detectors import (
    background_yield,
    dead_time_corrected_rate,
    dead_time_live_fraction,
    is_saturation_limited,
    threshold_click_probability,
)
from qnetplan.physics.fiber import fiber_loss_budget, fiber_transmittance

LOSS = st.floats(0.0, 300.0, allow_nan=False)


def test_db_conversions_values() -> None:
    assert db_to_transmittance(10.0) == pytest.approx(0.1, rel=1e-15)
    assert db_to_transmittance(100.0) == pytest.approx(1e-10, rel=1e-13)
    assert transmittance_to_db(1e-6) == pytest.approx(60.0, rel=1e-14)
    assert transmittance_to_db(0.0) == math.inf
    assert db_to_linear(3.0) == pytest.approx(1.9952623149688795)
    assert linear_to_db(2.0) == pytest.approx(3.010299956639812)


@settings(deadline=None, max_examples=50)
@given(LOSS)
def test_db_round_trip(loss: float) -> None:
    assert transmittance_to_db(db_to_transmittance(loss)) == pytest.approx(loss, abs=1e-9)


def test_shapes_and_nan() -> None:
    assert db_to_transmittance(3.0).shape == ()
    assert db_to_transmittance([[1.0, 2.0]]).shape == (1, 2)
    assert np.isnan(db_to_transmittance(np.nan))
    assert np.isnan(binary_entropy(np.nan))
    assert np.isnan(plob_bound(np.nan))


def test_binary_entropy_values() -> None:
    assert binary_entropy(0.0) == 0.0
    assert binary_entropy(0.5) == pytest.approx(1.0)
    # h2(0.11) ~ 0.5: the BB84 Shor-Preskill threshold 1 - 2 h2(e) = 0 near e = 11 %.
    assert binary_entropy(0.110028) == pytest.approx(0.5, abs=1e-5)
    # never evaluated above 1/2: clipped
    assert binary_entropy(0.8) == pytest.approx(1.0)


def test_plob_and_tgw_high_loss_limits() -> None:
    """Pirandola et al. 2017: PLOB ~ 1.44 eta at high loss; Takeoka et al. 2014: TGW ~ 2.88
    eta (log2((1+eta)/(1-eta)) ~ 2 eta / ln 2)."""
    eta = np.array([1e-4, 1e-6, 1e-10])
    assert np.allclose(plob_bound(eta) / eta, 1.0 / math.log(2.0), rtol=1e-4)
    assert np.allclose(tgw_bound(eta) / eta, 2.0 / math.log(2.0), rtol=1e-4)
    assert plob_bound(eta)[0] / eta[0] == pytest.approx(1.44, abs=0.005)
    assert tgw_bound(eta)[0] / eta[0] == pytest.approx(2.88, abs=0.01)
    assert plob_bound(1.0) == math.inf
    assert tgw_bound(1.0) == math.inf
    assert plob_bound(0.5) == pytest.approx(1.0)


@settings(deadline=None, max_examples=60)
@given(st.floats(0.0, 0.999999))
def test_tgw_above_plob(eta: float) -> None:
    assert tgw_bound(eta) >= plob_bound(eta) - 1e-15


@settings(deadline=None, max_examples=60)
@given(
    st.floats(0.0, 500.0),
    st.floats(0.0, 1.0),
    st.integers(0, 50),
    st.floats(0.0, 2.0),
    st.integers(0, 200),
    st.floats(0.0, 0.5),
    st.floats(0.0, 20.0),
    st.floats(0.0, 10.0),
    st.floats(0.0, 10.0),
)
def test_budget_items_sum_to_total(
    length: float,
    att: float,
    nc: int,
    lc: float,
    ns: int,
    ls: float,
    ins: float,
    ex: float,
    age: float,
) -> None:
    b = fiber_loss_budget(length, att, nc, lc, ns, ls, ins, ex, age)
    assert math.fsum(i.value_db for i in b.items) == b.total_db
    assert all(i.value_db >= 0.0 for i in b.items)
    assert [i.name for i in b.items] == [
        "fiber_attenuation",
        "connectors",
        "splices",
        "insertion_loss",
        "extra_loss",
        "ageing_margin",
    ]
    assert b.transmittance == pytest.approx(10 ** (-b.total_db / 10), rel=1e-12)


def test_budget_example_and_errors() -> None:
    b = fiber_loss_budget(50.0, 0.2, connector_count=2, splice_count=10, ageing_margin_db=3.0)
    assert [i.value_db for i in b.items] == pytest.approx([10.0, 0.6, 0.5, 0.0, 0.0, 3.0])
    assert b.total_db == pytest.approx(14.1)
    with pytest.raises(ValueError):
        fiber_loss_budget(-1.0)
    with pytest.raises(ValueError):
        fiber_loss_budget(1.0, float("nan"))
    assert fiber_transmittance(50.0, 0.2, 0.0) == pytest.approx(0.1)


def test_background_yield_and_clicks() -> None:
    assert background_yield(1e-6) == pytest.approx(2e-6 - 1e-12, rel=1e-12)
    assert background_yield(0.5, 1) == pytest.approx(0.5)
    assert threshold_click_probability(0.0, 1e-6) == pytest.approx(1e-6)
    assert threshold_click_probability(1e-12, 0.0) == pytest.approx(1e-12, rel=1e-9)


@settings(deadline=None, max_examples=60)
@given(st.floats(0.0, 1e12), st.floats(1e-12, 1e-3))
def test_dead_time_non_paralysable(rate: float, tau: float) -> None:
    corrected = float(dead_time_corrected_rate(rate, tau))
    assert corrected <= rate * (1 + 1e-12)
    assert corrected <= 1.0 / tau * (1 + 1e-12)
    assert corrected == pytest.approx(rate / (1.0 + rate * tau), rel=1e-12)


def test_dead_time_none_and_flag() -> None:
    assert dead_time_live_fraction(1e9, None) == 1.0
    assert dead_time_corrected_rate([1e6, 1e9], None).tolist() == [1e6, 1e9]
    assert not is_saturation_limited(1e9, None)
    assert not is_saturation_limited(1e5, 1e-6)  # 9 % lost
    assert is_saturation_limited(1e6, 1e-6)  # half lost
