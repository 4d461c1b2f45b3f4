"""The stateless slant-range and free-space budget calculators (API-CONTRACT.md §3)."""

from __future__ import annotations

import math
from typing import Any

import pytest
from fastapi.testclient import TestClient

from qnetplan.physics.free_space import free_space_budget
from qnetplan.physics.orbits import slant_range_km
from tests.integration.api.helpers import API, assert_problem

BUDGET = {"range_km": 1200.0, "elevation_deg": 30.0, "wavelength_nm": 850.0,
          "divergence_full_angle_urad": 10.0, "divergence_convention": "gaussian_1e2",
          "receiver_aperture_m": 1.0}
ITEMS = ["geometric", "pointing", "atmosphere", "turbulence", "optics", "detector", "extra"]


def _post(client: TestClient, path: str, body: dict[str, Any]) -> Any:
    return client.post(f"{API}/calc/{path}", json=body)


def test_slant_range_number_and_list(client: TestClient) -> None:
    one = _post(client, "slant-range", {"altitude_km": 500.0, "elevation_deg": 90.0})
    assert one.status_code == 200, one.text
    assert one.json() == {"range_km": pytest.approx(500.0)}
    many = _post(client, "slant-range", {"altitude_km": 500.0,
                                         "elevation_deg": [90.0, 30.0, 10.0, 0.0],
                                         "station_altitude_km": 1.0}).json()["range_km"]
    expected = slant_range_km(500.0, [90.0, 30.0, 10.0, 0.0], 1.0)
    assert many == pytest.approx(expected.tolist())
    assert many[0] == pytest.approx(499.0) and many[1] < many[2] < many[3]
    # Law of cosines on the sphere: at the horizon d = sqrt(r_o^2 - r_s^2).
    r = 6371.0088
    assert many[3] == pytest.approx(math.sqrt((r + 500.0) ** 2 - (r + 1.0) ** 2))


@pytest.mark.parametrize(("body", "pointer"), [
    ({"altitude_km": 500.0, "elevation_deg": 91.0}, "/elevation_deg"),
    ({"altitude_km": True, "elevation_deg": 10.0}, "/altitude_km"),
    ({"altitude_km": 500.0, "elevation_deg": "10"}, "/elevation_deg"),
    ({"altitude_km": 500.0, "elevation_deg": []}, "/elevation_deg"),
    ({"altitude_km": 0.5, "elevation_deg": 10.0, "station_altitude_km": 1.0}, "/altitude_km"),
    ({"altitude_km": 500.0, "elevation_deg": 10.0, "extra": 1}, "/extra"),
])
def test_slant_range_rejects(client: TestClient, body: dict[str, Any], pointer: str) -> None:
    response = _post(client, "slant-range", body)
    assert_problem(response, 422)
    pointers = [e.get("pointer", "") for e in response.json()["errors"]]
    assert any(p.startswith(pointer) for p in pointers), pointers


def test_free_space_budget_items_sum_to_total(client: TestClient) -> None:
    response = _post(client, "free-space-budget", {**BUDGET, "pointing_jitter_urad": 1.0,
                                                   "optics_efficiency": 0.5,
                                                   "detector_efficiency": 0.6,
                                                   "turbulence_loss_db": 3.0,
                                                   "extra_loss_db": 1.0})
    assert response.status_code == 200, response.text
    out = response.json()
    assert [i["name"] for i in out["items"]] == ITEMS
    assert all(i["detail"] for i in out["items"])
    assert sum(i["value_db"] for i in out["items"]) == pytest.approx(out["total_db"])
    assert all(i["value_db"] >= 0 for i in out["items"])
    assert out["transmittance"] == pytest.approx(10 ** (-out["total_db"] / 10))
    values = {i["name"]: i["value_db"] for i in out["items"]}
    assert values["turbulence"] == 3.0 and values["extra"] == 1.0
    assert values["optics"] == pytest.approx(3.0103, abs=1e-3)
    engine = free_space_budget(1200.0, wavelength_nm=850.0, receiver_aperture_m=1.0,
                               elevation_deg=30.0, divergence_full_angle_urad=10.0,
                               divergence_convention="gaussian_1e2", pointing_jitter_urad=1.0,
                               optics_efficiency=0.5, detector_efficiency=0.6,
                               turbulence_loss_db=3.0, extra_loss_db=1.0)
    assert out["total_db"] == pytest.approx(float(engine.total_db))
    # Defaults: no hidden margin.
    plain = _post(client, "free-space-budget", BUDGET).json()
    plain_values = {i["name"]: i["value_db"] for i in plain["items"]}
    assert all(plain_values[k] == 0 for k in ("pointing", "turbulence", "optics", "detector",
                                              "extra"))


def test_flat_top_loses_about_3_db_against_gaussian(client: TestClient) -> None:
    """PHYSICS.md §3: 10 urad as a Gaussian 1/e^2 full angle vs a flat-top cone differs by
    ~3 dB at 1200 km with a 1 m receiver."""
    gaussian = _post(client, "free-space-budget", BUDGET).json()["items"][0]["value_db"]
    flat = _post(client, "free-space-budget",
                 {**BUDGET, "divergence_convention": "flat_top"}).json()["items"][0]["value_db"]
    assert flat - gaussian == pytest.approx(3.0, abs=0.1)


def test_free_space_budget_lists_keep_their_shape_and_null_non_finite(
        client: TestClient) -> None:
    body = {**BUDGET, "range_km": [600.0, 1200.0, 1500.0], "elevation_deg": [60.0, 20.0, -1.0]}
    out = _post(client, "free-space-budget", body).json()
    assert len(out["total_db"]) == 3 and len(out["transmittance"]) == 3
    assert all(len(i["value_db"]) == 3 for i in out["items"])
    assert out["total_db"][2] is None and out["transmittance"][2] == 0.0
    assert out["total_db"][0] < out["total_db"][1]
    for k in range(2):
        assert sum(i["value_db"][k] for i in out["items"]) == pytest.approx(out["total_db"][k])
    # One list and one number broadcast.
    out = _post(client, "free-space-budget", {**BUDGET, "elevation_deg": [20.0, 40.0]}).json()
    assert len(out["total_db"]) == 2 and out["total_db"][0] > out["total_db"][1]
    aperture = _post(client, "free-space-budget", {
        **{k: v for k, v in BUDGET.items() if not k.startswith("divergence")},
        "transmit_aperture_m": 0.3}).json()
    assert isinstance(aperture["total_db"], float)
    assert "diffraction-limited" in aperture["items"][0]["detail"]


@pytest.mark.parametrize(("changes", "pointer"), [
    ({"transmit_aperture_m": 0.3}, "/transmit_aperture_m"),
    ({"divergence_full_angle_urad": None}, "/divergence_full_angle_urad"),
    ({"divergence_convention": None}, "/divergence_convention"),
    ({"divergence_convention": "cone"}, "/divergence_convention"),
    ({"range_km": [1.0, 2.0], "elevation_deg": [1.0, 2.0, 3.0]}, "/elevation_deg"),
    ({"range_km": -1.0}, "/range_km"),
    ({"receiver_aperture_m": False}, "/receiver_aperture_m"),
    ({"airmass_model": "plane"}, "/airmass_model"),
    ({"optics_efficiency": 1.5}, "/optics_efficiency"),
])
def test_free_space_budget_rejects(client: TestClient, changes: dict[str, Any],
                                   pointer: str) -> None:
    response = _post(client, "free-space-budget", {**BUDGET, **changes})
    assert_problem(response, 422)
    pointers = [e.get("pointer", "") for e in response.json()["errors"]]
    assert any(p.startswith(pointer) for p in pointers), pointers


def test_operation_ids(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert paths[f"{API}/calc/slant-range"]["post"]["operationId"] == "calc-slant_range"
    assert paths[f"{API}/calc/free-space-budget"]["post"]["operationId"] == \
        "calc-free_space_budget"
    sats = paths[f"{API}/networks/{{id}}/satellites/{{satellite_id}}/key-volume"]
    assert sats["get"]["operationId"] == "satellites-key_volume"
