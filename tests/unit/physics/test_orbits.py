"""Satellite geometry (physics/orbits.py): slant range, GMST, TEME -> Earth-fixed, look angles,
low-precision Sun. Independent oracles: sgp4's own ``gstime``, skyfield's ``TEME_to_ITRF``
(test-only), pyproj's geodetic -> geocentric transformation, and astronomical facts."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pyproj import Transformer
from sgp4.api import jday
from sgp4.propagation import gstime
from skyfield.sgp4lib import TEME_to_ITRF

from qnetplan.physics.orbits import (
    EARTH_MEAN_RADIUS_KM,
    elevation_from_slant_range_deg,
    geodetic_to_ecef_km,
    gmst_rad,
    look_angles,
    slant_range_km,
    sun_elevation_deg,
    sun_position_radec,
    teme_to_ecef_km,
)

R = EARTH_MEAN_RADIUS_KM


# ----------------------------------------------------------------------------- slant range
def test_slant_range_at_zenith_is_the_height_difference() -> None:
    assert slant_range_km(500.0, 90.0) == pytest.approx(500.0, abs=1e-9)
    assert slant_range_km(500.0, 90.0, station_altitude_km=3.153) == pytest.approx(496.847)


def test_slant_range_at_the_horizon_is_the_tangent_length() -> None:
    expected = math.sqrt((R + 500.0) ** 2 - R**2)
    assert slant_range_km(500.0, 0.0) == pytest.approx(expected, rel=1e-12)
    assert expected == pytest.approx(2573.1, abs=0.5)


def test_slant_range_is_vectorised_and_keeps_shapes() -> None:
    assert np.shape(slant_range_km(500.0, 45.0)) == ()
    elev = np.array([[10.0, 20.0], [30.0, 90.0]])
    assert slant_range_km(500.0, elev).shape == (2, 2)
    out = slant_range_km(np.array([500.0, 1000.0])[:, None], np.array([10.0, 45.0, 90.0]))
    assert out.shape == (2, 3)
    assert out[1, 2] == pytest.approx(1000.0)


def test_slant_range_nan_when_the_orbit_is_below_the_station() -> None:
    assert np.isnan(slant_range_km(1.0, 45.0, station_altitude_km=2.0))


@given(h=st.floats(200.0, 40000.0), e=st.floats(-5.0, 90.0), hs=st.floats(0.0, 5.0))
def test_elevation_from_range_inverts_slant_range(h: float, e: float, hs: float) -> None:
    d = slant_range_km(h, e, hs)
    back = elevation_from_slant_range_deg(h, d, hs)
    # Near zenith the range is stationary in elevation (d(range)/d(elevation) -> 0), so the
    # inverse is ill-conditioned there: check the round trip in range everywhere, and the
    # elevation itself away from zenith.
    assert slant_range_km(h, back, hs) == pytest.approx(d, rel=1e-9)
    if e < 85.0:
        assert back == pytest.approx(e, abs=1e-6)


@given(h=st.floats(200.0, 40000.0), e1=st.floats(0.0, 89.0), de=st.floats(0.01, 10.0))
def test_slant_range_decreases_with_elevation(h: float, e1: float, de: float) -> None:
    assert slant_range_km(h, min(e1 + de, 90.0)) < slant_range_km(h, e1)


# ----------------------------------------------------------------------------- GMST, frames
def test_gmst_at_j2000_matches_the_iau_1982_value() -> None:
    # GMST at 2000-01-01 12:00 UT1 = 18h 41m 50.54841s (the IAU 1982 constant + 12 h).
    expected = (18 + 41 / 60 + 50.54841 / 3600) / 24 * 2 * math.pi
    assert gmst_rad(2451545.0, 0.0) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("jd", [2451545.0, 2457741.40152003, 2460000.123, 2436000.7])
def test_gmst_matches_sgp4_gstime(jd: float) -> None:
    assert gmst_rad(jd, 0.0) == pytest.approx(gstime(jd), abs=1e-9)


def test_gmst_two_part_date_equals_one_part() -> None:
    assert gmst_rad(2457740.5, 0.90152003) == pytest.approx(gmst_rad(2457741.40152003), abs=1e-9)


def test_teme_to_ecef_matches_skyfield() -> None:
    rng = np.random.default_rng(1)
    r = rng.normal(size=(5, 3)) * 7000.0
    jd, fr = 2457740.5, np.linspace(0.1, 0.9, 5)
    ours = teme_to_ecef_km(r, jd, fr)
    for i in range(5):
        ref, _ = TEME_to_ITRF(jd, r[i], np.zeros(3), fraction_ut1=fr[i])
        assert ours[i] == pytest.approx(ref, abs=1e-6)


def test_teme_rotation_preserves_length_and_z() -> None:
    r = np.array([[7000.0, -1000.0, 300.0]])
    out = teme_to_ecef_km(r, 2457741.0, 0.3)
    assert np.linalg.norm(out) == pytest.approx(np.linalg.norm(r))
    assert out[0, 2] == r[0, 2]


def test_geodetic_to_ecef_matches_pyproj() -> None:
    to_xyz = Transformer.from_crs("EPSG:4979", "EPSG:4978", always_xy=True)
    for lat, lon, alt_m in [(37.37901, 97.72695, 3153.0), (47.0671, 15.4933, 539.0),
                            (-33.9, 151.2, 0.0), (89.9, -45.0, 100.0)]:
        x, y, z = to_xyz.transform(lon, lat, alt_m)
        ours = geodetic_to_ecef_km(lat, lon, alt_m / 1000.0)
        assert ours == pytest.approx(np.array([x, y, z]) / 1000.0, abs=1e-9)


def test_look_angles_straight_up_and_north() -> None:
    lat, lon = 40.0, 117.0
    station = geodetic_to_ecef_km(lat, lon, 0.0)
    up = np.array([math.cos(math.radians(lat)) * math.cos(math.radians(lon)),
                   math.cos(math.radians(lat)) * math.sin(math.radians(lon)),
                   math.sin(math.radians(lat))])
    _, el, rng = look_angles(station + 500.0 * up, lat, lon, 0.0)
    assert el == pytest.approx(90.0, abs=1e-9)
    assert rng == pytest.approx(500.0, abs=1e-9)
    # a point slightly north along the meridian, same height: azimuth 0, elevation ~ 0
    north = geodetic_to_ecef_km(40.01, lon, 0.0)
    az, el, _ = look_angles(north, lat, lon, 0.0)
    assert az == pytest.approx(0.0, abs=1e-6) or az == pytest.approx(360.0, abs=1e-6)
    assert abs(el) < 0.01


def test_look_angles_broadcast_over_stations_and_times() -> None:
    pos = geodetic_to_ecef_km(np.array([38.0, 39.0, 40.0]), 100.0, 500.0)  # (3, 3)
    az, el, rng = look_angles(pos[None, :, :], np.array([[37.0], [27.0]]), 100.0, 3.0)
    assert az.shape == el.shape == rng.shape == (2, 3)
    assert np.all(el[0] > el[1])  # the southern station sees them lower


# ----------------------------------------------------------------------------- the Sun
def _jd(y: int, mo: int, d: int, h: float) -> tuple[float, float]:
    return jday(y, mo, d, int(h), int((h % 1) * 60), 0.0)


def test_sun_declination_at_solstices_and_equinox() -> None:
    eps = 23.4367  # obliquity in 2016 [deg]
    _, dec_june = sun_position_radec(*_jd(2016, 6, 20, 22.57))  # June solstice 22:34 UTC
    _, dec_dec = sun_position_radec(*_jd(2016, 12, 21, 10.73))  # December solstice 10:44 UTC
    ra_mar, dec_mar = sun_position_radec(*_jd(2016, 3, 20, 4.5))  # March equinox 04:30 UTC
    assert math.degrees(dec_june) == pytest.approx(eps, abs=0.01)
    assert math.degrees(dec_dec) == pytest.approx(-eps, abs=0.01)
    assert math.degrees(dec_mar) == pytest.approx(0.0, abs=0.01)
    assert min(ra_mar, 2 * math.pi - ra_mar) < math.radians(0.02)


def test_sun_elevation_at_local_noon_and_midnight() -> None:
    # Graz at the December solstice: noon elevation 90 - 47.07 - 23.44 = 19.5 deg; at local
    # midnight the Sun is 90 - 47.07 + 23.44 = 66.4 deg below the horizon.
    lat, lon = 47.0671, 15.4933
    noon_utc = 12.0 - lon / 15.0  # mean noon; the equation of time (~2 min) moves it < 0.01 deg
    elev_noon = sun_elevation_deg(*_jd(2016, 12, 21, noon_utc), lat, lon)
    elev_night = sun_elevation_deg(*_jd(2016, 12, 21, noon_utc + 12.0), lat, lon)
    assert elev_noon == pytest.approx(90 - lat - 23.437, abs=0.1)
    assert elev_night == pytest.approx(-(90 - lat + 23.437), abs=0.1)


def test_sun_elevation_is_vectorised() -> None:
    jd, fr = _jd(2016, 12, 19, 0.0)
    out = sun_elevation_deg(jd, fr + np.linspace(0, 1, 25), 40.0, np.array([[0.0], [117.0]]))
    assert out.shape == (2, 25)
    assert out.max() < 30.0 and out.min() > -80.0
