"""Calculator wiring of mdi_qkd, tf_qkd and cv_qkd (API-CONTRACT.md §3)."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

from qnetplan.engine.calculator import (
    PROTOCOLS,
    CalculatorInputError,
    evaluate_curve,
    evaluate_key_rate,
)
from qnetplan.physics.bounds import plob_bound
from qnetplan.physics.conversions import db_to_transmittance
from qnetplan.physics.qkd.cv_gg02 import secret_key_rate_cv_gg02
from qnetplan.physics.qkd.mdi import (
    optimize_mdi_signal_mean_photon_number,
    secret_key_rate_mdi_qkd,
)
from qnetplan.physics.qkd.twin_field import secret_key_rate_tf_qkd

DV: dict[str, Any] = {"detector_efficiency": 0.5, "dark_count_probability": 1e-7}
LCQ: dict[str, Any] = {"detector_efficiency": 0.145, "dark_count_probability": 6.02e-6,
                       "misalignment_error": 0.015, "error_correction_efficiency": 1.16}

# --- field table, exactly per API-CONTRACT.md §3 ---------------------------------------------
EXPECTED_DEFAULTS = {
    "mdi_qkd": {"repetition_rate_hz": 1e9, "misalignment_error": 0.01,
                "error_correction_efficiency": 1.16, "decoy_method": "infinite",
                "signal_mean_photon_number": 0.3, "decoy_mean_photon_numbers": (),
                "optimize_intensities": True, "detector_dead_time_s": None},
    "tf_qkd": {"repetition_rate_hz": 1e9, "misalignment_error": 0.03,
               "error_correction_efficiency": 1.16, "signal_mean_photon_number": 0.1,
               "tf_variant": "sns", "sns_sending_probability": 0.05,
               "optimize_intensities": True, "detector_dead_time_s": None},
    "cv_qkd": {"repetition_rate_hz": 1e8, "detector_efficiency": 0.6, "detection": "homodyne",
               "modulation_variance_snu": 4.0, "excess_noise_snu": 0.01,
               "electronic_noise_snu": 0.01, "reconciliation_efficiency": 0.95,
               "optimize_intensities": False},
}
EXPECTED_REQUIRED = {
    "mdi_qkd": {"detector_efficiency", "dark_count_probability"},
    "tf_qkd": {"detector_efficiency", "dark_count_probability"},
    "cv_qkd": set(),
}


@pytest.mark.parametrize("name", ["mdi_qkd", "tf_qkd", "cv_qkd"])
def test_field_table_matches_contract(name: str) -> None:
    model = PROTOCOLS[name]
    assert model.defaults == EXPECTED_DEFAULTS[name]
    assert model.required_fields == EXPECTED_REQUIRED[name]
    assert model.allowed_fields == set(EXPECTED_DEFAULTS[name]) | EXPECTED_REQUIRED[name]
    assert model.loss_ceiling_db == (100.0 if name == "cv_qkd" else 200.0)


def _error(protocol: str, channel: dict[str, Any], system: dict[str, Any],
           finite_key: dict[str, Any] | None = None) -> str:
    with pytest.raises(CalculatorInputError) as info:
        evaluate_key_rate(protocol, channel, system, finite_key)
    return info.value.field_path


@pytest.mark.parametrize(("protocol", "channel", "system", "pointer"), [
    ("mdi_qkd", {"loss_db": 10}, {**DV, "decoy_method": "one_decoy"}, "/system/decoy_method"),
    ("mdi_qkd", {"loss_db": 10}, {**DV, "decoy_method": "none"}, "/system/decoy_method"),
    ("mdi_qkd", {"loss_db": 10}, {**DV, "decoy_method": "vacuum_weak"},
     "/system/decoy_mean_photon_numbers"),
    ("mdi_qkd", {"loss_db": 10}, {**DV, "decoy_method": "vacuum_weak",
                                  "decoy_mean_photon_numbers": [0.1, 0.2]},
     "/system/decoy_mean_photon_numbers/1"),
    ("mdi_qkd", {"loss_db": 10}, {**DV, "decoy_method": "vacuum_weak",
                                  "decoy_mean_photon_numbers": [0.0, 0.0]},
     "/system/decoy_mean_photon_numbers/0"),
    ("mdi_qkd", {"loss_db": 10}, {**DV, "decoy_mean_photon_numbers": [0.1]},
     "/system/decoy_mean_photon_numbers"),
    ("mdi_qkd", {"loss_db": 10}, {**DV, "decoy_method": "vacuum_weak",
                                  "decoy_mean_photon_numbers": [0.4, 0.0],
                                  "optimize_intensities": False},
     "/system/signal_mean_photon_number"),
    ("mdi_qkd", {"loss_db": 10}, {**DV, "sifting_factor": 0.5}, "/system/sifting_factor"),
    ("mdi_qkd", {"loss_db": 10}, {"detector_efficiency": 0.5},
     "/system/dark_count_probability"),
    ("mdi_qkd", {"loss_db": 10}, DV, "/finite_key"),
    ("tf_qkd", {"loss_db": 10, "relay_position_fraction": 0.3}, DV,
     "/channel/relay_position_fraction"),
    ("tf_qkd", {"loss_db": 10}, {**DV, "tf_variant": "lucamarini"}, "/system/tf_variant"),
    ("tf_qkd", {"loss_db": 10}, {**DV, "decoy_method": "infinite"}, "/system/decoy_method"),
    ("tf_qkd", {"loss_db": 10}, {**DV, "sns_sending_probability": 1.5},
     "/system/sns_sending_probability"),
    ("cv_qkd", {"loss_db": 10, "relay_position_fraction": 0.5}, {},
     "/channel/relay_position_fraction"),
    ("cv_qkd", {"loss_db": 10}, {"dark_count_probability": 1e-6},
     "/system/dark_count_probability"),
    ("cv_qkd", {"loss_db": 10}, {"detector_dead_time_s": 1e-8}, "/system/detector_dead_time_s"),
    ("cv_qkd", {"loss_db": 10}, {"reconciliation_efficiency": 1.2},
     "/system/reconciliation_efficiency"),
    ("cv_qkd", {"loss_db": 10}, {"modulation_variance_snu": 0}, "/system/modulation_variance_snu"),
    ("cv_qkd", {"loss_db": 10}, {"modulation_variance_snu": True},
     "/system/modulation_variance_snu"),
    ("cv_qkd", {"loss_db": 10}, {"detection": "photon_counting"}, "/system/detection"),
])
def test_invalid_inputs_point_at_the_field(protocol: str, channel: dict[str, Any],
                                           system: dict[str, Any], pointer: str) -> None:
    fk = {"block_size_pulses": 1e10} if pointer == "/finite_key" else None
    assert _error(protocol, channel, system, fk) == pointer


def test_mdi_matches_physics_and_lcq_reach() -> None:
    # LCQ 2012 parameters: secure beyond 200 km at 0.2 dB/km (cutoff about 201.5 km here).
    res = evaluate_key_rate("mdi_qkd", {"length_km": 150}, LCQ)
    best, mu = optimize_mdi_signal_mean_photon_number(30.0, **LCQ)
    assert res.secret_key_rate_per_pulse == pytest.approx(float(best), rel=1e-12)
    assert res.intensities_used["signal_mean_photon_number"] == pytest.approx(float(mu))
    assert res.model == "mdi_qkd/lcq2012/infinite"
    assert res.secret_key_rate_bps == pytest.approx(res.secret_key_rate_per_pulse * 1e9)
    assert res.max_distance_km is not None and 200.0 < res.max_distance_km < 205.0
    assert res.max_channel_loss_db == pytest.approx(0.2 * res.max_distance_km, abs=1e-3)
    assert res.plob_bound_per_pulse is not None and res.qber is not None
    assert res.secret_key_rate_per_pulse <= res.plob_bound_per_pulse
    assert 0 < res.qber < 0.5


def test_mdi_fixed_intensities_asymmetric_relay_and_vacuum_weak() -> None:
    system = {**LCQ, "optimize_intensities": False, "signal_mean_photon_number": 0.4}
    mid = evaluate_key_rate("mdi_qkd", {"loss_db": 20}, system)
    side = evaluate_key_rate("mdi_qkd", {"loss_db": 20, "relay_position_fraction": 0.1}, system)
    assert mid.intensities_used == {"signal_mean_photon_number": 0.4}
    assert mid.secret_key_rate_per_pulse == pytest.approx(
        float(secret_key_rate_mdi_qkd(20.0, **LCQ, signal_mean_photon_number=0.4)), rel=1e-12)
    assert side.secret_key_rate_per_pulse < mid.secret_key_rate_per_pulse
    assert side.max_channel_loss_db is not None and mid.max_channel_loss_db is not None
    assert side.max_channel_loss_db < mid.max_channel_loss_db
    vw = evaluate_key_rate("mdi_qkd", {"loss_db": 20}, {
        **LCQ, "decoy_method": "vacuum_weak", "decoy_mean_photon_numbers": [0.05, 0.0]})
    inf = evaluate_key_rate("mdi_qkd", {"loss_db": 20}, LCQ)
    assert 0 < vw.secret_key_rate_per_pulse <= inf.secret_key_rate_per_pulse
    assert vw.intensities_used["decoy_mean_photon_numbers"] == [0.05, 0.0]
    assert vw.intensities_used["signal_mean_photon_number"] > 0.05
    assert vw.model == "mdi_qkd/lcq2012/vacuum_weak"
    assert any("113007" in r.doi for r in vw.references)


def test_mdi_dead_time_saturates_at_short_distance() -> None:
    system = {**DV, "detector_efficiency": 0.9, "detector_dead_time_s": 1e-7,
              "optimize_intensities": False, "signal_mean_photon_number": 0.5}
    res = evaluate_key_rate("mdi_qkd", {"loss_db": 0}, system)
    assert res.saturation_limited
    # one detector clicks with p = 1 - exp(-0.9*2*0.5/4); D = 1e9 p; live = 1/(1 + D tau)
    p = -np.expm1(-0.9 * 2 * 0.5 / 4)
    live = 1 / (1 + 1e9 * p * 1e-7)
    assert res.secret_key_rate_bps == pytest.approx(res.secret_key_rate_per_pulse * 1e9 * live)
    far = evaluate_key_rate("mdi_qkd", {"loss_db": 60}, system)  # D tau ~ 0.02
    assert not far.saturation_limited


@pytest.mark.parametrize("variant", ["sns", "pm"])
def test_tf_variants(variant: str) -> None:
    system = {**DV, "tf_variant": variant}
    res = evaluate_key_rate("tf_qkd", {"length_km": 350}, system)
    # TF may exceed PLOB (Lucamarini et al. 2018): it does at 350 km with these devices
    assert res.plob_bound_per_pulse is not None
    assert res.secret_key_rate_per_pulse > res.plob_bound_per_pulse
    assert res.model == {"sns": "tf_qkd/wang2018/sns", "pm": "tf_qkd/ma2018/pm"}[variant]
    assert ("sns_sending_probability" in res.intensities_used) == (variant == "sns")
    assert res.max_channel_loss_db is not None and res.max_channel_loss_db > 70.0
    fixed = evaluate_key_rate("tf_qkd", {"loss_db": 40, "relay_position_fraction": 0.5},
                              {**system, "optimize_intensities": False})
    assert fixed.secret_key_rate_per_pulse == pytest.approx(float(secret_key_rate_tf_qkd(
        40.0, 0.5, 1e-7, 0.03, 1.16, 0.1, variant, 0.05)), rel=1e-12)
    assert fixed.intensities_used["signal_mean_photon_number"] == 0.1


def test_cv_defaults_ceiling_and_optimisation() -> None:
    res = evaluate_key_rate("cv_qkd", {"length_km": 25}, {})
    assert res.qber is None and res.model == "cv_qkd/laudenbach2018/homodyne"
    assert res.intensities_used == {"modulation_variance_snu": 4.0}
    assert res.secret_key_rate_per_pulse == pytest.approx(float(secret_key_rate_cv_gg02(5.0)))
    assert res.secret_key_rate_bps == pytest.approx(res.secret_key_rate_per_pulse * 1e8)
    # constant beta and input-referred noise: still positive at the 100 dB ceiling -> null
    assert res.max_channel_loss_db is None and res.max_distance_km is None
    noisy = evaluate_key_rate("cv_qkd", {"length_km": 25}, {"excess_noise_snu": 0.05,
                                                            "reconciliation_efficiency": 0.9})
    assert noisy.max_channel_loss_db is not None and 0 < noisy.max_channel_loss_db < 100
    opt = evaluate_key_rate("cv_qkd", {"length_km": 25}, {"optimize_intensities": True})
    va = opt.intensities_used["modulation_variance_snu"]
    assert 0.1 <= va <= 1e3 and opt.secret_key_rate_per_pulse >= res.secret_key_rate_per_pulse
    het = evaluate_key_rate("cv_qkd", {"loss_db": 5}, {"detection": "heterodyne"})
    assert het.model == "cv_qkd/laudenbach2018/heterodyne" and het.secret_key_rate_per_pulse > 0
    assert not het.saturation_limited


@pytest.mark.parametrize(("protocol", "system"), [
    ("mdi_qkd", DV), ("tf_qkd", DV), ("tf_qkd", {**DV, "tf_variant": "pm"}), ("cv_qkd", {}),
])
def test_curves_are_consistent_and_json_ready(protocol: str, system: dict[str, Any]) -> None:
    lengths = list(np.linspace(0.0, 400.0, 41))
    curve = evaluate_curve(protocol, {}, system, lengths_km=lengths)
    rate = np.array(curve.secret_key_rate_per_pulse)
    assert len(rate) == len(curve.qber) == len(curve.plob_bound_per_pulse) == len(lengths)
    assert np.all(rate >= 0) and np.all(np.diff(rate) <= 1e-18)
    plob = plob_bound(db_to_transmittance(0.2 * np.asarray(lengths)))
    if protocol != "tf_qkd":
        assert np.all(rate[1:] <= plob[1:])
    single = evaluate_key_rate(protocol, {"length_km": lengths[10]}, system)
    assert single.secret_key_rate_per_pulse == pytest.approx(rate[10], rel=1e-9)
    json.dumps(curve.to_dict(), allow_nan=False)
    json.dumps(single.to_dict(), allow_nan=False)
