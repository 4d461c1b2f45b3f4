"""Key from satellite passes (engine/satellites.py): published Micius geometry, per-pass
finite-key blocks, night-only operation, key volume, relay edges, entanglement mode."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray
from pyproj import Geod

from qnetplan.engine.passes import SatellitePass, TwoLineElement, find_passes, parse_tle
from qnetplan.engine.satellites import (
    DecoyBB84PassParameters,
    GroundStation,
    PassKey,
    SatelliteTerminal,
    decoy_bb84_pass_model,
    downlink_transmittance,
    entanglement_key,
    entanglement_windows,
    finite_key_pass_model,
    key_volume,
    pass_keys,
    passes_with_keys,
    sample_passes,
    satellite_key_volume,
    trusted_relay_edge_rates_bps,
)
from qnetplan.physics.detectors import background_yield
from qnetplan.physics.orbits import geodetic_to_ecef_km, look_angles
from qnetplan.physics.qkd.bb84_decoy import secret_key_rate_bb84_decoy
from qnetplan.physics.qkd.finite_key import lim2014_key_length

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]

L1 = "1 41731U 16051A   16353.90152003  .00000364  00000-0  17957-4 0  9993"
L2 = "2 41731  97.3699 267.4500 0013200 178.5836 246.0824 15.23915303 19063"

# PHYSICS.md §3 coordinates (Delingha, Nanshan: Yin et al., Nature 582, 501 (2020); Lijiang:
# CAS release 2018-01-20; Xinglong: NAOC; Graz: ILRS 7839). Receivers: Delingha 1.2 m,
# Lijiang 1.8 m (Yin et al., Science 356, 1140 (2017)); Xinglong 1.0 m (Liao et al., Nature
# 549, 43 (2017)); Graz 0.8 m (illustrative).
DELINGHA = GroundStation(1, 37.37901, 97.72695, 1.2, altitude_m=3153.0)
LIJIANG = GroundStation(2, 26.69393, 100.02932, 1.8, altitude_m=3193.0)
NANSHAN = GroundStation(3, 43.47546, 87.17669, 1.2, altitude_m=2028.0)
XINGLONG = GroundStation(4, 40.39333, 117.57722, 1.0, altitude_m=900.0, extra_loss_db=10.0)
GRAZ = GroundStation(5, 47.0671, 15.4933, 0.8, altitude_m=539.0, extra_loss_db=10.0)

# Illustrative downlink (Micius-like: 850 nm, 10 urad 1/e^2 full angle, 1 urad jitter).
TERMINAL = SatelliteTerminal(wavelength_nm=850.0, divergence_full_angle_urad=10.0,
                             divergence_convention="gaussian_1e2", pointing_jitter_urad=1.0)
# Illustrative decoy BB84 settings of the Micius downlink kind (Liao et al. 2017: 100 MHz,
# signal 0.8, decoy 0.1, vacuum; our detector numbers are assumptions).
BB84 = DecoyBB84PassParameters(
    repetition_rate_hz=1e8, detector_efficiency=0.5, dark_count_probability=1e-7,
    intensities=(0.8, 0.1, 0.0), intensity_probabilities=(0.5, 0.25, 0.25),
    misalignment_error=0.01)


@pytest.fixture(scope="module")
def tle() -> TwoLineElement:
    return parse_tle(L1, L2)


# ----------------------------------------------------------------------------- published
def _geodesic_km(a: GroundStation, b: GroundStation) -> float:
    _, _, d = Geod(ellps="WGS84").inv(a.longitude_deg, a.latitude_deg, b.longitude_deg,
                                      b.latitude_deg)
    return float(d) / 1000.0


def test_station_separations_match_the_published_figures() -> None:
    """Delingha-Lijiang 1,203 km (Yin et al., Science 356, 1140 (2017)) and Delingha-Nanshan
    1,120 km (Yin et al., Nature 582, 501 (2020)). From the published coordinates on WGS84
    we get 1,204.5 km and 1,120.9 km: tolerance 2 km (PHYSICS.md §3)."""
    assert _geodesic_km(DELINGHA, LIJIANG) == pytest.approx(1203.0, abs=2.0)
    assert _geodesic_km(DELINGHA, NANSHAN) == pytest.approx(1120.0, abs=2.0)


def test_smallest_summed_two_downlink_range_for_a_500_km_orbit() -> None:
    """Yin et al. 2017: the two downlinks from a ~500 km orbit to stations 1,203 km apart sum
    to "1,600-2,400 km". The geometric minimum over a 500 km shell is 1,597 km: the lower
    published figure is that minimum (tolerance 1 %)."""
    lat, lon = np.meshgrid(np.linspace(25.0, 40.0, 151), np.linspace(95.0, 103.0, 161))
    sat = geodetic_to_ecef_km(lat, lon, 500.0)
    _, ea, ra = look_angles(sat, DELINGHA.latitude_deg, DELINGHA.longitude_deg, 3.153)
    _, eb, rb = look_angles(sat, LIJIANG.latitude_deg, LIJIANG.longitude_deg, 3.193)
    summed = (ra + rb)[(ea >= 10.0) & (eb >= 10.0)]
    assert summed.min() == pytest.approx(1600.0, rel=0.01)
    assert 1600.0 * 0.99 <= summed.min() <= 2400.0


def test_micius_tle_windows_reach_the_published_summed_range(tle: TwoLineElement) -> None:
    """With the public December 2016 TLE, five days of Delingha-Lijiang simultaneous
    visibility (both >= 10 deg): the best window's smallest summed range lies in
    1,600-2,400 km (1 % tolerance) and no window goes below the geometric minimum."""
    end = tle.epoch_utc + timedelta(days=5)
    passes = find_passes(tle, [DELINGHA.pass_station(), LIJIANG.pass_station()], end=end)
    windows = entanglement_windows(DELINGHA, [p for p in passes if p.station_id == 1],
                                   LIJIANG, [p for p in passes if p.station_id == 2])
    assert len(windows) >= 5

    def toy(eta: FloatArray, dt: FloatArray, idx: IntArray, n: int) -> FloatArray:
        return np.asarray(np.bincount(idx, weights=eta * dt, minlength=n), dtype=np.float64)

    _, summed = entanglement_key(tle, TERMINAL, DELINGHA, LIJIANG, windows, toy,
                                 night_only=False, step_s=1.0)
    assert 1600.0 * 0.99 <= summed.min() <= 2400.0
    assert summed.min() >= 1597.0 - 15.0  # the orbit is not exactly 500 km high


# ----------------------------------------------------------------------------- per pass
def test_finite_key_adapter_equals_the_explicit_count_total(tle: TwoLineElement) -> None:
    """One pass = one block: the pulse-weighted mean transmittance gives the same key as the
    exact sum of the expected counts sample by sample (Lim et al. 2014, Sec. IV count model)
    to better than 0.1 %."""
    passes = [p for p in find_passes(tle, [XINGLONG.pass_station()],
                                     end=tle.epoch_utc + timedelta(days=2)) if p.night]
    samples = sample_passes(tle, XINGLONG, passes, step_s=2.0)
    eta = downlink_transmittance(TERMINAL, XINGLONG, samples.range_km, samples.elevation_deg)
    model = decoy_bb84_pass_model(BB84)
    ours = model(eta, samples.duration_s, samples.pass_index, len(passes))

    y0 = float(background_yield(BB84.dark_count_probability, 2))
    qx = BB84.x_basis_probability
    for i in range(len(passes)):
        sel = samples.pass_index == i
        pulses = BB84.repetition_rate_hz * samples.duration_s[sel]
        e = eta[sel] * BB84.detector_efficiency
        d = [np.sum(pulses * p * (1 - (1 - y0) * np.exp(-e * mu)))
             for mu, p in zip(BB84.intensities, BB84.intensity_probabilities, strict=True)]
        m = [np.sum(pulses * p * (0.5 * y0 + BB84.misalignment_error * (1 - y0)
                                  * -np.expm1(-e * mu)))
             for mu, p in zip(BB84.intensities, BB84.intensity_probabilities, strict=True)]
        exact = lim2014_key_length(
            tuple(qx**2 * x for x in d), tuple(qx**2 * x for x in m),
            tuple((1 - qx) ** 2 * x for x in d),
            tuple((1 - qx) ** 2 * x for x in m),
            BB84.intensities, BB84.intensity_probabilities, BB84.error_correction_efficiency)
        assert float(exact) > 0
        assert ours[i] == pytest.approx(float(exact), rel=1e-3)


def test_finite_key_is_below_the_asymptotic_integral(tle: TwoLineElement) -> None:
    """PHYSICS.md §3: integrating the asymptotic rate over a pass overestimates the key."""
    keys = passes_with_keys(tle, TERMINAL, [XINGLONG], decoy_bb84_pass_model(BB84),
                            end=tle.epoch_utc + timedelta(days=2))
    night = [k for k in keys if k.satellite_pass.night]
    samples = sample_passes(tle, XINGLONG, [k.satellite_pass for k in night], step_s=2.0)
    eta = downlink_transmittance(TERMINAL, XINGLONG, samples.range_km, samples.elevation_deg)
    rate = secret_key_rate_bb84_decoy(eta, BB84.detector_efficiency,
                                      BB84.dark_count_probability, BB84.misalignment_error,
                                      BB84.error_correction_efficiency, 0.5,
                                      BB84.intensities[0])
    asymptotic = np.bincount(samples.pass_index,
                             weights=rate * BB84.repetition_rate_hz * samples.duration_s)
    finite = np.array([k.key_bits for k in night])
    assert np.all(finite < asymptotic)
    assert np.all(finite > 0)


def test_no_key_in_daylight_when_night_only(tle: TwoLineElement) -> None:
    model = decoy_bb84_pass_model(BB84)
    keys = passes_with_keys(tle, TERMINAL, [XINGLONG, GRAZ], model,
                            end=tle.epoch_utc + timedelta(days=3))
    day = [k for k in keys if not k.satellite_pass.night]
    night = [k for k in keys if k.satellite_pass.night]
    assert day and night
    assert all(k.key_bits == 0.0 for k in day)
    assert any((k.key_bits or 0) > 0 for k in night)
    anytime = passes_with_keys(tle, TERMINAL, [XINGLONG, GRAZ], model,
                               end=tle.epoch_utc + timedelta(days=3), night_only=False)
    assert any((k.key_bits or 0) > 0 for k in anytime if not k.satellite_pass.night)
    # nothing below the mask: every pass culminates above each station's mask
    assert all(k.satellite_pass.max_elevation_deg >= 10.0 for k in keys)


def test_key_grows_with_elevation_and_needs_a_model(tle: TwoLineElement) -> None:
    keys = passes_with_keys(tle, TERMINAL, [XINGLONG, GRAZ], decoy_bb84_pass_model(BB84),
                            end=tle.epoch_utc + timedelta(days=3))
    night = sorted((k for k in keys if k.satellite_pass.night),
                   key=lambda k: k.satellite_pass.max_elevation_deg)
    assert (night[-1].key_bits or 0.0) > (night[0].key_bits or 0.0)
    assert night[-1].mean_channel_loss_db < night[0].mean_channel_loss_db
    unmodelled = passes_with_keys(tle, TERMINAL, [XINGLONG], None)
    assert unmodelled and all(k.key_bits is None for k in unmodelled)


def test_finite_key_pass_model_handles_empty_and_zero_blocks() -> None:
    model = finite_key_pass_model(lambda eta, n: eta * n, 1e6)
    out = model(np.array([1e-3, 1e-3]), np.array([1.0, 1.0]), np.array([0, 0]), 3)
    assert out == pytest.approx([2e3, 0.0, 0.0])


def test_pass_keys_of_no_passes(tle: TwoLineElement) -> None:
    assert pass_keys(tle, TERMINAL, XINGLONG, [], decoy_bb84_pass_model(BB84)) == []


# ----------------------------------------------------------------------------- key volume
T0 = datetime(2017, 1, 1, tzinfo=UTC)


def _fake(station_id: int, set_s: float, bits: float | None) -> PassKey:
    t = T0 + timedelta(seconds=set_s)
    p = SatellitePass(station_id, t - timedelta(seconds=200), t - timedelta(seconds=100), t,
                      60.0, 550.0, True, -30.0)
    return PassKey(p, bits, 30.0)


@pytest.mark.parametrize(
    ("deliveries", "expected_store"),
    [
        ([(0.0, 100.0)], 100.0),  # one pass at the start: it must last the whole period
        ([(43200.0, 100.0)], 100.0),  # mid-period: half the stock bridges the first half
        ([(0.0, 100.0), (43200.0, 100.0)], 100.0),  # evenly spaced
        ([(0.0, 100.0), (8640.0, 100.0)], 180.0),  # bunched: 2 x 100 - 20 consumed between
    ],
)
def test_key_store_bridges_the_gaps(deliveries: list[tuple[float, float]],
                                    expected_store: float) -> None:
    vol = key_volume({7: [_fake(7, t, b) for t, b in deliveries]}, T0, 1)
    (summary,) = vol.stations
    total = sum(b for _, b in deliveries)
    assert summary.total_key_bits == total
    assert summary.average_key_rate_bps == pytest.approx(total / 86400.0)
    assert summary.key_store_bits_needed == pytest.approx(expected_store)


def test_daily_key_cloud_fraction_and_relay_rates() -> None:
    keys = {1: [_fake(1, 3600.0, 100.0), _fake(1, 86400.0 + 3600.0, 300.0)],
            2: [_fake(2, 7200.0, 50.0)], 3: []}
    vol = key_volume(keys, T0, 2, cloud_free_fraction={1: 0.5})
    by = {(d.station_id, d.date): d.key_bits for d in vol.days}
    assert by[(1, date(2017, 1, 1))] == 50.0 and by[(1, date(2017, 1, 2))] == 150.0
    assert by[(2, date(2017, 1, 1))] == 50.0 and by[(2, date(2017, 1, 2))] == 0.0
    assert by[(3, date(2017, 1, 1))] == 0.0
    rates = trusted_relay_edge_rates_bps(vol)
    assert rates[1] == pytest.approx(200.0 / (2 * 86400.0))
    assert rates[2] == pytest.approx(50.0 / (2 * 86400.0))
    assert rates[3] == 0.0


def test_key_volume_without_a_model_is_null() -> None:
    vol = key_volume({1: [_fake(1, 3600.0, None)]}, T0, 1)
    assert vol.stations[0].average_key_rate_bps is None
    assert all(d.key_bits is None for d in vol.days)
    with pytest.raises(ValueError):
        key_volume({}, T0, 0)


def test_satellite_key_volume_end_to_end(tle: TwoLineElement) -> None:
    vol = satellite_key_volume(tle, TERMINAL, [XINGLONG, GRAZ], decoy_bb84_pass_model(BB84),
                               days=2)
    assert vol.start_utc == tle.epoch_utc
    assert {d.station_id for d in vol.days} == {4, 5}
    for s in vol.stations:
        assert s.total_key_bits is not None and s.total_key_bits > 0
        assert s.average_key_rate_bps == pytest.approx(s.total_key_bits / (2 * 86400.0))
        assert s.key_store_bits_needed is not None
        assert s.key_store_bits_needed >= max(
            d.key_bits or 0.0 for d in vol.days if d.station_id == s.station_id) / 2


# ----------------------------------------------------------------------------- entanglement
def test_entanglement_key_only_while_both_see_the_satellite(tle: TwoLineElement) -> None:
    end = tle.epoch_utc + timedelta(days=3)
    passes = find_passes(tle, [DELINGHA.pass_station(), NANSHAN.pass_station()], end=end)
    pa = [p for p in passes if p.station_id == 1]
    pb = [p for p in passes if p.station_id == 3]
    windows = entanglement_windows(DELINGHA, pa, NANSHAN, pb)
    assert windows
    for w in windows:
        assert any(p.rise_utc <= w.start_utc and w.end_utc <= p.set_utc for p in pa)
        assert any(p.rise_utc <= w.start_utc and w.end_utc <= p.set_utc for p in pb)
    total_single = sum(p.duration_s for p in pa)
    assert sum(w.duration_s for w in windows) < total_single

    seen: dict[str, FloatArray] = {}

    def spy(eta: FloatArray, dt: FloatArray, idx: IntArray, n: int) -> FloatArray:
        seen["eta"] = eta
        return np.asarray(np.bincount(idx, weights=eta * dt * 1e9, minlength=n),
                          dtype=np.float64)

    bits, _ = entanglement_key(tle, TERMINAL, DELINGHA, NANSHAN, windows, spy)
    night = np.array([w.night for w in windows])
    assert np.all(bits[~night] == 0.0)
    # two downlinks: the pair transmittance is a product, below the product of the two
    # best single links (each at zenith from 500 km)
    best = downlink_transmittance(TERMINAL, DELINGHA, 495.0, 90.0) * downlink_transmittance(
        TERMINAL, NANSHAN, 495.0, 90.0)
    assert 0.0 < np.max(seen["eta"]) < float(best)


# ----------------------------------------------------------------------------- Micius demo
MICIUS_DOC = Path(__file__).resolve().parents[3] / "backend" / "qnetplan" / "demo" / "micius.json"
SATELLITE_FIELDS = {"id", "name", "tle_line1", "tle_line2", "mode", "wavelength_nm",
                    "divergence_full_angle_urad", "divergence_convention", "transmit_aperture_m",
                    "beam_quality_m2", "pointing_jitter_urad", "equipment_profile_id",
                    "finite_key"}
GROUND_STATION_FIELDS = {"receiver_aperture_m", "obscuration_ratio", "optics_efficiency",
                         "minimum_elevation_deg", "zenith_transmittance",
                         "night_sun_elevation_deg", "cloud_free_fraction", "extra_loss_db"}


def test_micius_demo_document_is_usable() -> None:
    """The Micius demo (API-CONTRACT.md §2 document, §5 satellite and ground-station fields)
    holds the PHYSICS.md §3 stations and TLE, and its stations see the satellite."""
    doc = json.loads(MICIUS_DOC.read_text(encoding="utf-8"))
    assert doc["format"] == "qnetplan-network" and doc["format_version"] == 1
    assert doc["links"] == []
    (profile,) = doc["equipment_profiles"]
    assert profile["protocol"] == "bb84_decoy" and "Liao" in profile["provenance"]
    nodes = {n["name"]: n for n in doc["nodes"]}
    assert set(nodes) == {"Delingha", "Nanshan", "Lijiang", "Ngari", "Xinglong", "Graz"}
    expected = {"Delingha": DELINGHA, "Nanshan": NANSHAN, "Lijiang": LIJIANG,
                "Xinglong": XINGLONG, "Graz": GRAZ}
    for name, station in expected.items():
        assert (nodes[name]["latitude_deg"], nodes[name]["longitude_deg"]) == (
            station.latitude_deg, station.longitude_deg)
    for node in doc["nodes"]:
        assert node["role"] == "ground_station" and "Source:" in node["notes"]
        assert set(node["ground_station"]) == GROUND_STATION_FIELDS
    (sat,) = doc["satellites"]
    assert set(sat) == SATELLITE_FIELDS and sat["mode"] == "trusted_relay"
    tle = parse_tle(sat["tle_line1"], sat["tle_line2"])
    assert (sat["tle_line1"], sat["tle_line2"]) == (L1, L2)
    (demand,) = doc["demands"]
    ends = {n["id"]: n["name"] for n in doc["nodes"]}
    assert {ends[demand["a_node_id"]], ends[demand["b_node_id"]]} == {"Xinglong", "Graz"}
    stations = [GroundStation(n["id"], n["latitude_deg"], n["longitude_deg"],
                              altitude_m=n["altitude_m"], **n["ground_station"])
                for n in doc["nodes"]]
    terminal = SatelliteTerminal(sat["wavelength_nm"], sat["divergence_full_angle_urad"],
                                 sat["divergence_convention"],
                                 pointing_jitter_urad=sat["pointing_jitter_urad"])
    keys = passes_with_keys(tle, terminal, stations, None)
    assert {k.satellite_pass.station_id for k in keys} >= {5, 6}
