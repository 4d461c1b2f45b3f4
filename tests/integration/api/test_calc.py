"""The calculator API (API-CONTRACT.md §3) for the DV protocols, on both databases."""

from __future__ import annotations

import itertools
import math

import pytest
from fastapi.testclient import TestClient

from tests.integration.api.helpers import API, assert_problem

# Gobby, Yuan, Shields, APL 84, 3762 (2004) as tabulated by Ma et al., PRA 72, 012326 (2005).
GYS = {"detector_efficiency": 0.045, "dark_count_probability": 8.5e-7,
       "misalignment_error": 0.033, "error_correction_efficiency": 1.22,
       "repetition_rate_hz": 2e6}


def test_key_rate_shape_and_invariants(client: TestClient) -> None:
    body = {"protocol": "bb84_decoy", "channel": {"length_km": 50.0, "attenuation_db_per_km": 0.21},
            "system": GYS}
    response = client.post(f"{API}/calc/key-rate", json=body)
    assert response.status_code == 200, response.text
    out = response.json()
    assert out["channel_loss_db"] == pytest.approx(10.5)
    assert out["channel_transmittance"] == pytest.approx(10 ** -1.05)
    assert 0 < out["secret_key_rate_per_pulse"] < out["plob_bound_per_pulse"]
    assert out["secret_key_rate_bps"] == pytest.approx(out["secret_key_rate_per_pulse"] * 2e6)
    assert out["model"].startswith("bb84_decoy/")
    assert out["references"] and all(r["doi"] for r in out["references"])
    assert "signal_mean_photon_number" in out["intensities_used"]
    # Ma et al. 2005: infinite decoys with GYS reach "over 140 km" (0.21 dB/km).
    assert out["max_distance_km"] > 140
    assert out["max_distance_km"] == pytest.approx(out["max_channel_loss_db"] / 0.21, rel=1e-6)


def test_lossless_channel_has_unbounded_plob_as_null(client: TestClient) -> None:
    out = client.post(f"{API}/calc/key-rate", json={
        "protocol": "bb84_decoy", "channel": {"loss_db": 0.0}, "system": GYS}).json()
    assert out["plob_bound_per_pulse"] is None


def test_curve_arrays_have_equal_length_and_never_rise(client: TestClient) -> None:
    lengths = [0.0, 25.0, 50.0, 100.0, 150.0, 200.0, 300.0, 600.0]
    out = client.post(f"{API}/calc/key-rate-curve", json={
        "protocol": "bbm92", "channel": {"length_km": 0.0}, "system": GYS,
        "lengths_km": lengths}).json()
    assert out["lengths_km"] == lengths and "losses_db" not in out
    for key in ("secret_key_rate_per_pulse", "secret_key_rate_bps", "qber",
                "plob_bound_per_pulse"):
        assert len(out[key]) == len(lengths)
    rates = out["secret_key_rate_per_pulse"]
    assert all(a >= b for a, b in itertools.pairwise(rates))
    assert rates[-1] == 0.0


def test_equipment_profile_id_replaces_protocol_and_system(client: TestClient) -> None:
    builtin = client.get(f"{API}/equipment-profiles").json()["items"][0]
    out = client.post(f"{API}/calc/key-rate", json={
        "equipment_profile_id": builtin["id"], "channel": {"length_km": 20.0}})
    assert out.status_code == 200, out.text
    assert out.json()["equipment_profile_id"] == builtin["id"]
    assert_problem(client.post(f"{API}/calc/key-rate", json={
        "equipment_profile_id": 999999, "channel": {"length_km": 20.0}}), 422,
        "/equipment_profile_id")


@pytest.mark.parametrize(("body", "pointer"), [
    ({"protocol": "bb84_decoy", "channel": {"length_km": 10.0}, "system": {
        **GYS, "tf_variant": "sns"}}, "/system/tf_variant"),
    ({"protocol": "bb84_decoy", "channel": {"length_km": 10.0},
      "system": {"dark_count_probability": 1e-6}}, "/system/detector_efficiency"),
    ({"protocol": "bb84_decoy", "channel": {"length_km": 10.0}, "system": {
        **GYS, "detector_efficiency": 1.5}}, "/system/detector_efficiency"),
    ({"protocol": "bb84_decoy", "channel": {"length_km": 10.0}, "system": {
        **GYS, "detector_efficiency": True}}, "/system/detector_efficiency"),
    ({"protocol": "bb84_decoy", "channel": {"length_km": 10.0, "loss_db": 3.0},
      "system": GYS}, None),
    ({"protocol": "bb84_decoy", "channel": {"length_km": 10.0,
                                            "relay_position_fraction": 0.3},
      "system": GYS}, None),
    ({"protocol": "bbm92", "channel": {"length_km": 10.0}, "system": GYS,
      "finite_key": {"block_size_pulses": 1e10}}, None),
    ({"protocol": "bb85", "channel": {"length_km": 10.0}, "system": GYS}, "/protocol"),
])
def test_inapplicable_or_invalid_inputs_are_422(client: TestClient, body: dict[str, object],
                                                pointer: str | None) -> None:
    assert_problem(client.post(f"{API}/calc/key-rate", json=body), 422, pointer)


def test_loss_budget_items_sum_to_total(client: TestClient) -> None:
    out = client.post(f"{API}/calc/loss-budget", json={
        "length_km": 80.0, "attenuation_db_per_km": 0.17, "connector_count": 4,
        "splice_count": 20, "insertion_loss_db": 1.0, "extra_loss_db": 0.5,
        "ageing_margin_db": 3.0}).json()
    assert out["total_db"] == pytest.approx(sum(i["value_db"] for i in out["items"]))
    assert out["total_db"] == pytest.approx(13.6 + 1.2 + 1.0 + 1.0 + 0.5 + 3.0)
    assert out["transmittance"] == pytest.approx(10 ** (-out["total_db"] / 10))
    assert all(math.isfinite(i["value_db"]) and i["value_db"] >= 0 for i in out["items"])
    assert_problem(client.post(f"{API}/calc/loss-budget", json={"length_km": -1.0}), 422,
                   "/length_km")


def test_user_profile_is_validated_like_the_calculator(client: TestClient) -> None:
    assert_problem(client.post(f"{API}/equipment-profiles", json={
        "name": "bad", "protocol": "bbm92", "system": {**GYS, "decoy_method": "infinite"}}),
        422, "/system/decoy_method")
