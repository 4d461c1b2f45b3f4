"""Calculator core: bb84_decoy and bbm92 wiring, validation pointers, dead time, max loss,
curves, loss budget and the built-in catalogue (API-CONTRACT §3)."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qnetplan.engine.calculator import (
    PROTOCOLS,
    CalculatorInputError,
    ProtocolEvaluation,
    ProtocolModel,
    evaluate_curve,
    evaluate_key_rate,
    evaluate_loss_budget,
)
from qnetplan.engine.calculator.core import _max_channel_loss_db
from qnetplan.engine.catalogue import builtin_profiles, get_builtin_profile

DV: dict[str, Any] = {"detector_efficiency": 0.1, "dark_count_probability": 1e-6}


def test_defaults_and_required_fields_per_contract() -> None:
    bb84 = PROTOCOLS["bb84_decoy"]
    assert bb84.required_fields == {"detector_efficiency", "dark_count_probability"}
    assert bb84.defaults == {
        "repetition_rate_hz": 1e9,
        "misalignment_error": 0.01,
        "error_correction_efficiency": 1.16,
        "sifting_factor": 0.5,
        "decoy_method": "infinite",
        "signal_mean_photon_number": 0.5,
        "decoy_mean_photon_numbers": (),
        "optimize_intensities": True,
        "detector_dead_time_s": None,
    }
    bbm92 = PROTOCOLS["bbm92"]
    assert bbm92.required_fields == {"detector_efficiency", "dark_count_probability"}
    assert bbm92.defaults["source_mean_pair_number"] == 0.05
    assert "sifting_factor" in bbm92.allowed_fields and "decoy_method" not in bbm92.allowed_fields


@pytest.mark.parametrize(
    ("protocol", "channel", "system", "finite_key", "pointer"),
    [
        ("bb84", {"length_km": 1}, DV, None, "/protocol"),
        (
            "bb84_decoy",
            {"length_km": 1},
            {"dark_count_probability": 1e-6},
            None,
            "/system/detector_efficiency",
        ),
        (
            "bb84_decoy",
            {"length_km": 1},
            {**DV, "detector_efficiency": True},
            None,
            "/system/detector_efficiency",
        ),
        (
            "bb84_decoy",
            {"length_km": 1},
            {**DV, "detector_efficiency": 1.5},
            None,
            "/system/detector_efficiency",
        ),
        (
            "bb84_decoy",
            {"length_km": 1},
            {**DV, "error_correction_efficiency": 0.9},
            None,
            "/system/error_correction_efficiency",
        ),
        (
            "bb84_decoy",
            {"length_km": 1},
            {**DV, "source_mean_pair_number": 0.1},
            None,
            "/system/source_mean_pair_number",
        ),
        (
            "bb84_decoy",
            {"length_km": 1},
            {**DV, "optimize_intensities": 1},
            None,
            "/system/optimize_intensities",
        ),
        (
            "bb84_decoy",
            {"length_km": 1},
            {**DV, "decoy_method": "vacuum_weak"},
            None,
            "/system/decoy_mean_photon_numbers",
        ),
        (
            "bb84_decoy",
            {"length_km": 1},
            {**DV, "decoy_method": "vacuum_weak", "decoy_mean_photon_numbers": [0.1, 0.2]},
            None,
            "/system/decoy_mean_photon_numbers/1",
        ),
        (
            "bb84_decoy",
            {"length_km": 1},
            {**DV, "decoy_method": "one_decoy", "decoy_mean_photon_numbers": [0.0]},
            None,
            "/system/decoy_mean_photon_numbers/0",
        ),
        (
            "bb84_decoy",
            {"length_km": 1},
            {
                **DV,
                "optimize_intensities": False,
                "decoy_method": "one_decoy",
                "decoy_mean_photon_numbers": [0.6],
            },
            None,
            "/system/signal_mean_photon_number",
        ),
        ("bb84_decoy", {"length_km": 1}, DV, {"block_size_pulses": 1e10}, "/finite_key"),
        (
            "bb84_decoy",
            {"length_km": 1},
            {**DV, "decoy_method": "vacuum_weak", "decoy_mean_photon_numbers": [0.1, 0]},
            {"block_size_pulses": 1e10, "extra": 1},
            "/finite_key/extra",
        ),
        (
            "bb84_decoy",
            {"length_km": 1},
            {**DV, "decoy_method": "vacuum_weak", "decoy_mean_photon_numbers": [0.1, 0]},
            {},
            "/finite_key/block_size_pulses",
        ),
        ("bbm92", {"length_km": 1}, DV, {"block_size_pulses": 1e10}, "/finite_key"),
        (
            "bb84_decoy",
            {"length_km": 1, "relay_position_fraction": 0.5},
            DV,
            None,
            "/channel/relay_position_fraction",
        ),
        (
            "bbm92",
            {"length_km": 1, "relay_position_fraction": 1.5},
            DV,
            None,
            "/channel/relay_position_fraction",
        ),
        ("bb84_decoy", {"length_km": 1, "loss_db": 3}, DV, None, "/channel/length_km"),
        ("bb84_decoy", {}, DV, None, "/channel"),
        ("bb84_decoy", {"length_km": -1}, DV, None, "/channel/length_km"),
        ("bb84_decoy", {"loss_db": "3"}, DV, None, "/channel/loss_db"),
        ("bb84_decoy", {"lenght_km": 3}, DV, None, "/channel/lenght_km"),
    ],
)
def test_validation_pointers(protocol, channel, system, finite_key, pointer) -> None:
    with pytest.raises(CalculatorInputError) as info:
        evaluate_key_rate(protocol, channel, system, finite_key)
    assert info.value.field_path == pointer


def test_result_fields_and_json() -> None:
    r = evaluate_key_rate("bb84_decoy", {"length_km": 50.0}, DV)
    d = r.to_dict()
    for key in (
        "secret_key_rate_per_pulse",
        "secret_key_rate_bps",
        "saturation_limited",
        "qber",
        "channel_loss_db",
        "channel_transmittance",
        "max_channel_loss_db",
        "max_distance_km",
        "plob_bound_per_pulse",
        "intensities_used",
        "model",
        "references",
    ):
        assert key in d
    json.dumps(d, allow_nan=False)
    assert d["model"] == "bb84_decoy/lo2005/infinite"
    assert d["channel_loss_db"] == pytest.approx(10.0)
    assert d["channel_transmittance"] == pytest.approx(0.1)
    assert d["secret_key_rate_bps"] == pytest.approx(d["secret_key_rate_per_pulse"] * 1e9)
    assert 0 < d["secret_key_rate_per_pulse"] < d["plob_bound_per_pulse"]
    assert set(d["intensities_used"]) == {"signal_mean_photon_number"}
    assert d["max_distance_km"] == pytest.approx(d["max_channel_loss_db"] / 0.2)
    assert all(set(ref) == {"citation", "doi", "equations"} for ref in d["references"])


def test_max_loss_is_the_cutoff() -> None:
    r = evaluate_key_rate("bb84_decoy", {"length_km": 10.0, "extra_loss_db": 3.0}, DV)
    assert r.max_channel_loss_db is not None and r.max_distance_km is not None
    below = evaluate_key_rate("bb84_decoy", {"loss_db": r.max_channel_loss_db - 0.01}, DV)
    above = evaluate_key_rate("bb84_decoy", {"loss_db": r.max_channel_loss_db + 0.01}, DV)
    assert below.secret_key_rate_per_pulse > 0.0 and above.secret_key_rate_per_pulse == 0.0
    assert r.max_distance_km == pytest.approx((r.max_channel_loss_db - 3.0) / 0.2)


def test_lossless_channel_without_key_gives_zero_limits() -> None:
    r = evaluate_key_rate("bb84_decoy", {"loss_db": 0.0}, {**DV, "misalignment_error": 0.2})
    assert r.secret_key_rate_per_pulse == 0.0
    assert r.max_channel_loss_db == 0.0 and r.max_distance_km == 0.0
    assert r.plob_bound_per_pulse is None  # unbounded at eta = 1


def test_ceiling_gives_none() -> None:
    def always(loss, relay, system, fk):  # type: ignore[no-untyped-def]
        ones = np.ones_like(loss)
        return ProtocolEvaluation(ones, None, (), {}, "stub", ())

    stub = ProtocolModel(name="stub", fields={}, evaluate=always)
    assert _max_channel_loss_db(stub, 0.5, {}, None) is None


def test_dead_time_saturation() -> None:
    fast = {**DV, "detector_efficiency": 0.9, "detector_dead_time_s": 1e-7}
    r = evaluate_key_rate("bb84_decoy", {"length_km": 1.0}, fast)
    free = evaluate_key_rate(
        "bb84_decoy", {"length_km": 1.0}, {**fast, "detector_dead_time_s": None}
    )
    assert r.saturation_limited and not free.saturation_limited
    assert r.secret_key_rate_per_pulse == free.secret_key_rate_per_pulse
    p_click = 1 - (1 - 1e-6) * math.exp(
        -0.9 * 10 ** (-0.02) * r.intensities_used["signal_mean_photon_number"] / 2
    )
    d = 1e9 * p_click
    assert r.secret_key_rate_bps == pytest.approx(
        free.secret_key_rate_bps / (1 + d * 1e-7), rel=1e-9
    )


def test_fixed_intensities_are_kept() -> None:
    sys = {
        **DV,
        "optimize_intensities": False,
        "signal_mean_photon_number": 0.3,
        "decoy_method": "vacuum_weak",
        "decoy_mean_photon_numbers": [0.1, 0.0],
    }
    r = evaluate_key_rate("bb84_decoy", {"length_km": 20.0}, sys)
    assert r.intensities_used == {
        "signal_mean_photon_number": 0.3,
        "decoy_mean_photon_numbers": [0.1, 0.0],
    }
    assert r.model == "bb84_decoy/ma2005/vacuum_weak"
    opt = evaluate_key_rate(
        "bb84_decoy", {"length_km": 20.0}, {**sys, "optimize_intensities": True}
    )
    assert opt.secret_key_rate_per_pulse >= r.secret_key_rate_per_pulse


def test_finite_key_below_asymptotic() -> None:
    sys = {**DV, "decoy_method": "vacuum_weak", "decoy_mean_photon_numbers": [0.1, 0.0002]}
    asym = evaluate_key_rate("bb84_decoy", {"length_km": 50.0}, sys)
    small = evaluate_key_rate("bb84_decoy", {"length_km": 50.0}, sys, {"block_size_pulses": 1e9})
    big = evaluate_key_rate("bb84_decoy", {"length_km": 50.0}, sys, {"block_size_pulses": 1e12})
    assert (
        0.0
        < small.secret_key_rate_per_pulse
        < big.secret_key_rate_per_pulse
        < asym.secret_key_rate_per_pulse
    )
    assert big.model == "bb84_decoy/lim2014/finite_key"
    assert big.max_channel_loss_db is not None and asym.max_channel_loss_db is not None
    assert big.max_channel_loss_db < asym.max_channel_loss_db
    assert big.finite_key_details is not None
    assert sum(big.finite_key_details["intensity_probabilities"]) == pytest.approx(1.0)


def test_bbm92_relay_position() -> None:
    mid = evaluate_key_rate("bbm92", {"loss_db": 30.0}, DV)
    end = evaluate_key_rate("bbm92", {"loss_db": 30.0, "relay_position_fraction": 0.0}, DV)
    assert mid.model == "bbm92/ma2007/pdc"
    assert mid.secret_key_rate_per_pulse > end.secret_key_rate_per_pulse > 0
    assert mid.max_channel_loss_db is not None and end.max_channel_loss_db is not None
    assert mid.max_channel_loss_db > end.max_channel_loss_db
    assert set(mid.intensities_used) == {"source_mean_pair_number"}


def test_curve_shapes_and_nulls() -> None:
    c = evaluate_curve(
        "bb84_decoy", {"attenuation_db_per_km": 0.25}, DV, lengths_km=[0, 50, 100, 400]
    )
    d = c.to_dict()
    n = 4
    for key in (
        "lengths_km",
        "secret_key_rate_per_pulse",
        "secret_key_rate_bps",
        "qber",
        "plob_bound_per_pulse",
    ):
        assert len(d[key]) == n
    assert "losses_db" not in d
    assert d["plob_bound_per_pulse"][0] is None
    assert d["secret_key_rate_per_pulse"][-1] == 0.0
    assert d["channel_loss_db"] == pytest.approx([0.0, 12.5, 25.0, 100.0])
    single = evaluate_key_rate("bb84_decoy", {"length_km": 50, "attenuation_db_per_km": 0.25}, DV)
    assert d["secret_key_rate_per_pulse"][1] == pytest.approx(
        single.secret_key_rate_per_pulse, rel=1e-12
    )
    c2 = evaluate_curve("bbm92", None, DV, losses_db=[10.0, 20.0])
    assert c2.lengths_km is None and c2.losses_db == (10.0, 20.0)
    with pytest.raises(CalculatorInputError) as info:
        evaluate_curve("bb84_decoy", None, DV, lengths_km=[1.0], losses_db=[1.0])
    assert info.value.field_path == "/lengths_km"
    with pytest.raises(CalculatorInputError) as info:
        evaluate_curve("bb84_decoy", None, DV, losses_db=[1.0, -2.0])
    assert info.value.field_path == "/losses_db/1"


@settings(deadline=None, max_examples=15)
@given(
    st.sampled_from(["bb84_decoy", "bbm92"]),
    st.floats(0.05, 1.0),
    st.floats(0.0, 1e-5),
    st.floats(0.0, 0.05),
)
def test_curve_invariants(protocol, det, p_d, e_d) -> None:
    """Optimised rates: non-increasing with distance, never above PLOB, exactly 0 past the
    cutoff reported by evaluate_key_rate."""
    sys = {"detector_efficiency": det, "dark_count_probability": p_d, "misalignment_error": e_d}
    losses = list(np.linspace(0.0, 120.0, 61))
    c = evaluate_curve(protocol, None, sys, losses_db=losses)
    r = np.array(c.secret_key_rate_per_pulse)
    assert np.all(np.diff(r) <= 1e-12 * r[:-1] + 1e-300)
    plob = np.array([np.inf if v is None else v for v in c.plob_bound_per_pulse])
    assert np.all(r <= plob)
    limit = evaluate_key_rate(protocol, {"loss_db": 1.0}, sys).max_channel_loss_db
    if limit is None:  # still positive at the 200 dB ceiling (e.g. no dark counts)
        assert p_d == 0.0 or np.all(r > 0.0)
    else:
        assert np.all(r[np.array(losses) > limit + 1e-6] == 0.0)


def test_loss_budget() -> None:
    b = evaluate_loss_budget({"length_km": 40, "connector_count": 4, "splice_count": 8})
    assert b.total_db == pytest.approx(8.0 + 1.2 + 0.4)
    assert math.fsum(i.value_db for i in b.items) == b.total_db
    for bad, pointer in [
        ({}, "/length_km"),
        ({"length_km": 1, "connector_count": 1.5}, "/connector_count"),
        ({"length_km": 1, "colour": "red"}, "/colour"),
        ({"length_km": 1, "splice_count": True}, "/splice_count"),
    ]:
        with pytest.raises(CalculatorInputError) as info:
            evaluate_loss_budget(bad)
        assert info.value.field_path == pointer


def test_catalogue_profiles_validate_and_evaluate() -> None:
    profiles = builtin_profiles()
    keys = [p["key"] for p in profiles]
    assert len(keys) == len(set(keys))
    assert {"bb84_decoy", "bbm92"} <= {p["protocol"] for p in profiles}
    for p in profiles:
        assert set(p) == {
            "key",
            "name",
            "protocol",
            "system",
            "finite_key",
            "max_channel_loss_db",
            "provenance",
        }
        assert p["provenance"]
        r = evaluate_key_rate(p["protocol"], {"length_km": 25.0}, p["system"], p["finite_key"])
        assert r.secret_key_rate_bps > 0


def test_gys_profile_reaches_over_140_km() -> None:
    """Ma et al. 2005 with the GYS set: infinite decoys reach "over 140 km" (0.21 dB/km)."""
    p = get_builtin_profile("gys-2004-decoy-bb84")
    r = evaluate_key_rate(
        "bb84_decoy", {"length_km": 100.0, "attenuation_db_per_km": 0.21}, p["system"]
    )
    assert r.max_distance_km is not None and 140.0 < r.max_distance_km < 145.0
    y0 = 1 - (1 - p["system"]["dark_count_probability"]) ** 2
    assert y0 == pytest.approx(1.7e-6, rel=1e-12)
    with pytest.raises(KeyError):
        get_builtin_profile("nope")
