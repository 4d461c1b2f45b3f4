"""Atmospheric transmittance (physics/atmosphere.py): Kasten & Young (1989) air mass,
secant, Beer-Lambert slant and horizontal paths."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from qnetplan.physics.atmosphere import (
    air_mass,
    air_mass_kasten_young,
    air_mass_secant,
    horizontal_path_transmittance,
    slant_path_transmittance,
)


def test_kasten_young_at_zenith_and_horizon() -> None:
    # Kasten & Young, Appl. Opt. 28, 4735 (1989), Eq. (3): m(90) = 0.9997 and, at the
    # horizon, 1 / (0.50572 x 6.07995^-1.6364) = 37.92 — within 1 % of their tabulated ~38.
    assert air_mass_kasten_young(90.0) == pytest.approx(0.9997, abs=1e-4)
    assert air_mass_kasten_young(0.0) == pytest.approx(37.92, abs=0.01)
    assert air_mass_kasten_young(0.0) == pytest.approx(38.0, rel=0.01)


def test_kasten_young_follows_the_secant_high_up_and_stays_finite_low_down() -> None:
    e = np.array([30.0, 45.0, 60.0, 80.0])
    assert air_mass_kasten_young(e) == pytest.approx(air_mass_secant(e), rel=5e-3)
    assert air_mass_secant(0.5) > 100.0
    assert air_mass_kasten_young(0.5) < 36.0
    assert math.isinf(air_mass_secant(0.0))


def test_below_the_horizon_nothing_arrives() -> None:
    assert math.isinf(air_mass_kasten_young(-1.0))
    assert slant_path_transmittance(-1.0) == 0.0
    assert slant_path_transmittance(-1.0, model="secant") == 0.0
    assert slant_path_transmittance(0.0, model="secant") == 0.0


def test_nan_propagates() -> None:
    assert np.isnan(air_mass_kasten_young(np.nan))
    assert np.isnan(slant_path_transmittance(np.nan))


def test_zenith_transmittance_is_returned_at_zenith() -> None:
    assert slant_path_transmittance(90.0, 0.8) == pytest.approx(0.8, rel=1e-3)
    assert slant_path_transmittance(90.0, 0.8, "secant") == pytest.approx(0.8, rel=1e-12)


@given(e1=st.floats(0.0, 89.0), de=st.floats(0.01, 10.0), tz=st.floats(0.05, 0.99))
def test_transmittance_increases_with_elevation(e1: float, de: float, tz: float) -> None:
    assert slant_path_transmittance(min(e1 + de, 90.0), tz) > slant_path_transmittance(e1, tz)


def test_vectorised_shapes() -> None:
    out = slant_path_transmittance(np.linspace(0, 90, 7)[:, None], np.array([0.7, 0.8, 0.9]))
    assert out.shape == (7, 3)
    assert np.shape(air_mass(20.0)) == ()


def test_unknown_model_raises() -> None:
    with pytest.raises(ValueError, match="airmass_model"):
        air_mass(30.0, "plane")


def test_horizontal_path_is_beer_lambert() -> None:
    assert horizontal_path_transmittance(10.0, 0.3) == pytest.approx(10 ** -0.3)
    assert horizontal_path_transmittance(np.array([0.0, 1.0]), 0.2).shape == (2,)
