"""Satellites through the HTTP API (API-CONTRACT.md §5): CRUD with its node, TLE and beam
validation, passes compared with the engine, key per pass and key volume, documents."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from qnetplan.engine.passes import PassStation, find_passes, parse_tle
from tests.integration.api.helpers import API, assert_problem, make_network, make_node

# Public Micius TLE (NORAD 41731) of December 2016 (PHYSICS.md §3).
L1 = "1 41731U 16051A   16353.90152003  .00000364  00000-0  17957-4 0  9993"
L2 = "2 41731  97.3699 267.4500 0013200 178.5836 246.0824 15.23915303 19063"
XINGLONG = {"lat": 40.39333, "lon": 117.57722, "altitude_m": 900.0}
GRAZ = {"lat": 47.0671, "lon": 15.4933, "altitude_m": 539.0}

SATELLITE = {"name": "Micius", "tle_line1": L1, "tle_line2": L2, "mode": "trusted_relay",
             "wavelength_nm": 850.0, "divergence_full_angle_urad": 10.0,
             "divergence_convention": "gaussian_1e2"}


def _station(client: TestClient, nid: int, name: str, site: dict[str, float],
             aperture: float | None = 1.0) -> dict[str, Any]:
    params = None if aperture is None else {"receiver_aperture_m": aperture}
    return make_node(client, nid, name, role="ground_station", lat=site["lat"], lon=site["lon"],
                     altitude_m=site["altitude_m"], ground_station=params)


def _create(client: TestClient, nid: int, **fields: Any) -> Any:
    return client.post(f"{API}/networks/{nid}/satellites", json={**SATELLITE, **fields})


def _bb84_profile(client: TestClient) -> dict[str, Any]:
    """A built-in vacuum + weak decoy BB84 profile, else a user profile of that kind."""
    items = client.get(f"{API}/equipment-profiles", params={"limit": 1000}).json()["items"]
    for profile in items:
        if profile["protocol"] == "bb84_decoy" and profile["builtin"] \
                and profile["system"].get("decoy_method") == "vacuum_weak":
            return profile  # type: ignore[no-any-return]
    response = client.post(f"{API}/equipment-profiles", json={
        "name": "satellite BB84", "protocol": "bb84_decoy", "provenance": "test",
        "system": {"detector_efficiency": 0.5, "dark_count_probability": 1e-7,
                   "repetition_rate_hz": 1e8, "decoy_method": "vacuum_weak",
                   "signal_mean_photon_number": 0.8,
                   "decoy_mean_photon_numbers": [0.1, 0.0]}})
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


@pytest.fixture
def micius(client: TestClient) -> dict[str, Any]:
    """A network with Xinglong and Graz (receivers) and the Micius satellite."""
    net = make_network(client, name="micius net")
    xinglong = _station(client, net["id"], "Xinglong", XINGLONG, 1.0)
    graz = _station(client, net["id"], "Graz", GRAZ, 0.8)
    response = _create(client, net["id"])
    assert response.status_code == 201, response.text
    return {"network": net, "xinglong": xinglong, "graz": graz, "satellite": response.json(),
            "base": f"{API}/networks/{net['id']}/satellites/{response.json()['id']}"}


# ---------------------------------------------------------------- CRUD
def test_create_returns_the_satellite_and_makes_its_node(client: TestClient) -> None:
    net = make_network(client)
    before = client.get(f"{API}/networks/{net['id']}").json()["version"]
    response = _create(client, net["id"])
    assert response.status_code == 201, response.text
    sat = response.json()
    assert response.headers["location"] == f"{API}/networks/{net['id']}/satellites/{sat['id']}"
    assert response.headers["etag"] == 'W/"1"'
    assert {k: sat[k] for k in SATELLITE} == SATELLITE
    assert sat["transmit_aperture_m"] is None and sat["beam_quality_m2"] == 1.0
    assert sat["pointing_jitter_urad"] == 0.0 and sat["equipment_profile_id"] is None
    assert sat["finite_key"] is None and sat["version"] == 1
    assert sat["tle_epoch_utc"].startswith("2016-12-18T21:38:11") and \
        sat["tle_epoch_utc"].endswith("Z")
    node = client.get(f"{API}/networks/{net['id']}/nodes/{sat['node_id']}").json()
    assert node["role"] == "satellite" and node["name"] == "Micius"
    assert 400_000 < node["altitude_m"] < 650_000  # a ~500 km sun-synchronous orbit
    assert -97.4 <= node["latitude_deg"] <= 97.4 and "Source" in node["notes"]
    listed = client.get(f"{API}/networks/{net['id']}/nodes").json()
    assert [n["id"] for n in listed["items"]] == [sat["node_id"]]
    assert client.get(f"{API}/networks/{net['id']}").json()["version"] > before
    page = client.get(f"{API}/networks/{net['id']}/satellites").json()
    assert page["total"] == 1 and page["limit"] == 100 and page["offset"] == 0
    assert page["items"][0] == sat
    got = client.get(f"{API}/networks/{net['id']}/satellites/{sat['id']}")
    assert got.json() == sat and got.headers["etag"] == 'W/"1"'


@pytest.mark.parametrize(("line1", "line2", "pointer"), [
    (L1[:-1] + "4", L2, "/tle_line1"),  # checksum
    (L1, L2[:-1] + "0", "/tle_line2"),  # checksum
    (L1, L2.replace("97.3699", "97.36x9"), "/tle_line2"),  # bad column
    (L1[:30], L2, "/tle_line1"),  # too short
])
def test_malformed_tle_points_to_the_line(client: TestClient, line1: str, line2: str,
                                          pointer: str) -> None:
    net = make_network(client)
    body = assert_problem(_create(client, net["id"], tle_line1=line1, tle_line2=line2), 422,
                          pointer)
    assert "TLE line" in body["detail"] or body["errors"]
    assert client.get(f"{API}/networks/{net['id']}/satellites").json()["total"] == 0
    assert client.get(f"{API}/networks/{net['id']}/nodes").json()["total"] == 0


@pytest.mark.parametrize(("fields", "pointer"), [
    ({"transmit_aperture_m": 0.3}, "/transmit_aperture_m"),  # both
    ({"divergence_full_angle_urad": None, "divergence_convention": None},
     "/divergence_full_angle_urad"),  # neither
    ({"divergence_convention": None}, "/divergence_convention"),
    ({"divergence_full_angle_urad": None, "transmit_aperture_m": 0.3},
     "/divergence_convention"),  # a convention without a divergence
    ({"divergence_convention": "top_hat"}, "/divergence_convention"),
    ({"wavelength_nm": True}, "/wavelength_nm"),
    ({"mode": "relay"}, "/mode"),
])
def test_divergence_or_aperture_rules(client: TestClient, fields: dict[str, Any],
                                      pointer: str) -> None:
    net = make_network(client)
    assert_problem(_create(client, net["id"], **fields), 422, pointer)
    assert client.get(f"{API}/networks/{net['id']}/nodes").json()["total"] == 0


def test_transmit_aperture_alone_is_fine_and_required_fields(client: TestClient) -> None:
    net = make_network(client)
    response = _create(client, net["id"], divergence_full_angle_urad=None,
                       divergence_convention=None, transmit_aperture_m=0.3)
    assert response.status_code == 201, response.text
    assert response.json()["transmit_aperture_m"] == 0.3
    for missing in ("name", "tle_line1", "mode", "wavelength_nm"):
        body = {k: v for k, v in SATELLITE.items() if k != missing}
        assert_problem(client.post(f"{API}/networks/{net['id']}/satellites", json=body), 422,
                       f"/{missing}")


def test_name_clash_with_a_node_is_409(client: TestClient) -> None:
    net = make_network(client)
    make_node(client, net["id"], "Micius")
    assert_problem(_create(client, net["id"]), 409, "/name")
    assert client.get(f"{API}/networks/{net['id']}/satellites").json()["total"] == 0


def test_unknown_profile_and_network_and_ids(client: TestClient) -> None:
    net = make_network(client)
    assert_problem(_create(client, net["id"], equipment_profile_id=999999), 422,
                   "/equipment_profile_id")
    assert_problem(_create(client, 999999), 404)
    assert_problem(client.get(f"{API}/networks/{net['id']}/satellites/999999"), 404)
    assert_problem(client.get(f"{API}/networks/{net['id']}/satellites/abc"), 404)
    other = make_network(client, name="other")
    sat = _create(client, other["id"]).json()
    assert_problem(client.get(f"{API}/networks/{net['id']}/satellites/{sat['id']}"), 404)


def test_patch_is_partial_moves_the_node_and_checks_if_match(client: TestClient,
                                                              micius: dict[str, Any]) -> None:
    base, sat = micius["base"], micius["satellite"]
    nid = micius["network"]["id"]
    assert_problem(client.patch(base, json={"pointing_jitter_urad": 1.0},
                                headers={"If-Match": 'W/"7"'}), 412)
    response = client.patch(base, json={"pointing_jitter_urad": 1.0, "name": "QUESS"},
                            headers={"If-Match": 'W/"1"'})
    assert response.status_code == 200, response.text
    assert response.json()["pointing_jitter_urad"] == 1.0 and response.json()["version"] == 2
    assert response.headers["etag"] == 'W/"2"'
    assert response.json()["wavelength_nm"] == 850.0
    node = client.get(f"{API}/networks/{nid}/nodes/{sat['node_id']}").json()
    assert node["name"] == "QUESS"
    # A newer TLE (one day later in mean anomaly terms: the same lines, other epoch) moves it.
    assert_problem(client.patch(base, json={"tle_line2": L2[:-1] + "0"}), 422, "/tle_line2")
    assert_problem(client.patch(base, json={"transmit_aperture_m": 0.3}), 422,
                   "/transmit_aperture_m")
    switched = client.patch(base, json={"transmit_aperture_m": 0.3,
                                        "divergence_full_angle_urad": None,
                                        "divergence_convention": None})
    assert switched.status_code == 200, switched.text
    assert switched.json()["divergence_full_angle_urad"] is None
    assert_problem(client.patch(base, json={"name": None}), 422, "/name")
    assert_problem(client.patch(base, json={"name": "Graz"}), 409, "/name")
    # The satellite node's role is fixed and it is deleted only with its satellite.
    assert_problem(client.patch(f"{API}/networks/{nid}/nodes/{sat['node_id']}",
                                json={"role": "trusted_node"}), 422, "/role")
    assert_problem(client.delete(f"{API}/networks/{nid}/nodes/{sat['node_id']}"), 409)


def test_delete_follows_node_delete_semantics(client: TestClient,
                                              micius: dict[str, Any]) -> None:
    nid, sat = micius["network"]["id"], micius["satellite"]
    demand = client.post(f"{API}/networks/{nid}/demands", json={
        "a_node_id": sat["node_id"], "b_node_id": micius["graz"]["id"],
        "required_key_rate_bps": 1.0})
    assert demand.status_code == 201, demand.text
    assert_problem(client.delete(micius["base"]), 409)
    assert_problem(client.delete(micius["base"], params={"cascade": "true"},
                                 headers={"If-Match": 'W/"9"'}), 412)
    version = client.get(f"{API}/networks/{nid}").json()["version"]
    assert client.delete(micius["base"], params={"cascade": "true"}).status_code == 204
    assert_problem(client.get(micius["base"]), 404)
    assert_problem(client.get(f"{API}/networks/{nid}/nodes/{sat['node_id']}"), 404)
    assert client.get(f"{API}/networks/{nid}/demands").json()["total"] == 0
    assert client.get(f"{API}/networks/{nid}").json()["version"] > version
    assert client.get(f"{API}/networks/{nid}/nodes").json()["total"] == 2


def test_delete_without_dependents(client: TestClient, micius: dict[str, Any]) -> None:
    assert client.delete(micius["base"], headers={"If-Match": 'W/"1"'}).status_code == 204
    assert client.get(f"{API}/networks/{micius['network']['id']}/satellites").json()[
        "total"] == 0


# ---------------------------------------------------------------- passes
def test_passes_match_the_engine(client: TestClient, micius: dict[str, Any]) -> None:
    response = client.get(f"{micius['base']}/passes")
    assert response.status_code == 200, response.text
    passes = response.json()["passes"]
    tle = parse_tle(L1, L2)
    stations = [PassStation(micius["xinglong"]["id"], XINGLONG["lat"], XINGLONG["lon"], 900.0),
                PassStation(micius["graz"]["id"], GRAZ["lat"], GRAZ["lon"], 539.0)]
    expected = find_passes(tle, stations)  # TLE epoch to one day later
    assert len(passes) == len(expected) >= 2
    for got, want in zip(passes, expected, strict=True):
        assert got["station_id"] == want.station_id
        assert set(got) == {"station_id", "rise_utc", "culmination_utc", "set_utc",
                            "max_elevation_deg", "min_range_km", "night", "key_bits"}
        for key in ("rise_utc", "culmination_utc", "set_utc"):
            assert got[key].endswith("Z")
            moment = datetime.fromisoformat(got[key].replace("Z", "+00:00"))
            assert abs((moment - getattr(want, key)).total_seconds()) < 0.05
        assert got["max_elevation_deg"] == pytest.approx(want.max_elevation_deg, abs=1e-6)
        assert got["min_range_km"] == pytest.approx(want.min_range_km, rel=1e-9)
        assert got["night"] is want.night
        assert got["key_bits"] is None  # no equipment profile applies
        assert 10.0 <= got["max_elevation_deg"] <= 90.0 and got["rise_utc"] < got["set_utc"]
    epoch = tle.epoch_utc
    culminations = [datetime.fromisoformat(p["culmination_utc"].replace("Z", "+00:00"))
                    for p in passes]
    assert all(epoch <= c < epoch + timedelta(days=1) for c in culminations)
    assert culminations == sorted(culminations)


def test_passes_window_and_station_filter(client: TestClient, micius: dict[str, Any]) -> None:
    base, graz = micius["base"], micius["graz"]["id"]
    one = client.get(f"{base}/passes", params={"start": "2016-12-19T00:00:00Z",
                                               "end": "2016-12-21T00:00:00Z",
                                               "station_id": graz}).json()["passes"]
    assert one and {p["station_id"] for p in one} == {graz}
    assert all("2016-12-19" <= p["culmination_utc"] < "2016-12-21" for p in one)
    assert_problem(client.get(f"{base}/passes", params={"station_id": 999999}), 404)
    assert_problem(client.get(f"{base}/passes", params={"station_id": micius["satellite"][
        "node_id"]}), 422, parameter="station_id")
    assert_problem(client.get(f"{base}/passes", params={"start": "2016-12-19T00:00:00Z",
                                                        "end": "2017-12-21T00:00:00Z"}),
                   422, parameter="end")
    assert_problem(client.get(f"{base}/passes", params={"start": "2016-12-19T00:00:00Z",
                                                        "end": "2016-12-18T00:00:00Z"}),
                   422, parameter="end")
    assert_problem(client.get(f"{base}/passes", params={"start": "soon"}), 422,
                   parameter="start")
    assert_problem(client.get(f"{base}/key-volume", params={"days": 367}), 422,
                   parameter="days")
    assert_problem(client.get(f"{base}/key-volume", params={"days": 0}), 422,
                   parameter="days")
    assert_problem(client.get(f"{API}/networks/{micius['network']['id']}/satellites/999999/"
                              "passes"), 404)


def test_key_bits_with_a_bb84_decoy_profile(client: TestClient,
                                            micius: dict[str, Any]) -> None:
    profile = _bb84_profile(client)
    nid = micius["network"]["id"]
    no_receiver = _station(client, nid, "Old dome", GRAZ | {"lat": 47.5}, aperture=None)
    patched = client.patch(micius["base"], json={"equipment_profile_id": profile["id"]})
    assert patched.status_code == 200, patched.text
    passes = client.get(f"{micius['base']}/passes", params={"end": "2016-12-21T00:00:00Z"}
                        ).json()["passes"]
    by_station: dict[int, list[dict[str, Any]]] = {}
    for p in passes:
        by_station.setdefault(p["station_id"], []).append(p)
    assert set(by_station) == {micius["xinglong"]["id"], micius["graz"]["id"],
                               no_receiver["id"]}
    assert all(p["key_bits"] is None for p in by_station[no_receiver["id"]])
    keyed = [p for p in passes if p["station_id"] != no_receiver["id"]]
    assert all(p["key_bits"] == 0 for p in keyed if not p["night"])
    assert any(p["key_bits"] > 0 for p in keyed if p["night"])
    assert all(isinstance(p["key_bits"], float | int) for p in keyed)
    # The network default applies when the satellite names no profile.
    client.patch(micius["base"], json={"equipment_profile_id": None})
    assert all(p["key_bits"] is None for p in client.get(
        f"{micius['base']}/passes").json()["passes"])
    client.patch(f"{API}/networks/{nid}", json={"default_equipment_profile_id": profile["id"]})
    again = client.get(f"{micius['base']}/passes", params={"end": "2016-12-21T00:00:00Z"}
                       ).json()["passes"]
    assert [p["key_bits"] for p in again] == [p["key_bits"] for p in passes]
    # An entanglement-source satellite gives no single-station key.
    client.patch(micius["base"], json={"mode": "entanglement_source"})
    assert all(p["key_bits"] is None for p in client.get(
        f"{micius['base']}/passes").json()["passes"])


def test_key_volume_shape(client: TestClient, micius: dict[str, Any]) -> None:
    base = micius["base"]
    empty = client.get(f"{base}/key-volume", params={"days": 3}).json()
    assert set(empty) == {"days", "stations"}
    assert all(d["key_bits"] is None for d in empty["days"])
    assert all(s["average_key_rate_bps"] is None and s["key_store_bits_needed"] is None
               for s in empty["stations"])
    client.patch(base, json={"equipment_profile_id": _bb84_profile(client)["id"]})
    response = client.get(f"{base}/key-volume", params={"days": 3,
                                                        "start": "2016-12-19T00:00:00Z"})
    assert response.status_code == 200, response.text
    volume = response.json()
    ids = sorted([micius["xinglong"]["id"], micius["graz"]["id"]])
    assert [d["date"] for d in volume["days"]] == ["2016-12-19", "2016-12-20",
                                                   "2016-12-21"] * 2
    assert sorted({d["station_id"] for d in volume["days"]}) == ids
    assert {s["station_id"] for s in volume["stations"]} == set(ids)
    for station in volume["stations"]:
        total = sum(d["key_bits"] for d in volume["days"]
                    if d["station_id"] == station["station_id"])
        assert station["average_key_rate_bps"] == pytest.approx(total / (3 * 86400.0))
        assert station["key_store_bits_needed"] >= 0.0
    assert any(s["average_key_rate_bps"] > 0 for s in volume["stations"])
    passes = client.get(f"{base}/passes", params={"start": "2016-12-19T00:00:00Z",
                                                  "end": "2016-12-22T00:00:00Z"}).json()
    assert sum(d["key_bits"] for d in volume["days"]) == pytest.approx(
        sum(p["key_bits"] for p in passes["passes"]))


# ---------------------------------------------------------------- documents
def test_document_round_trip_with_a_satellite(client: TestClient,
                                              micius: dict[str, Any]) -> None:
    nid, sat = micius["network"]["id"], micius["satellite"]
    profile = client.post(f"{API}/equipment-profiles", json={
        "name": "sat BB84", "protocol": "bb84_decoy", "provenance": "test",
        "system": {"detector_efficiency": 0.5, "dark_count_probability": 1e-7}}).json()
    client.patch(micius["base"], json={"equipment_profile_id": profile["id"],
                                       "finite_key": {"security_epsilon": 1e-9}})
    client.post(f"{API}/networks/{nid}/demands", json={
        "a_node_id": sat["node_id"], "b_node_id": micius["xinglong"]["id"],
        "required_key_rate_bps": 2.0})
    doc = client.get(f"{API}/networks/{nid}/document").json()
    assert [s["id"] for s in doc["satellites"]] == [sat["id"]]
    assert doc["satellites"][0]["node_id"] == sat["node_id"]
    assert doc["satellites"][0]["finite_key"]["security_epsilon"] == 1e-9
    assert [p["name"] for p in doc["equipment_profiles"]] == ["sat BB84"]
    assert sat["node_id"] in [n["id"] for n in doc["nodes"]]

    # PUT of the GET output verbatim keeps every id.
    response = client.put(f"{API}/networks/{nid}/document", json=doc)
    assert response.status_code == 200, response.text
    after = response.json()
    assert [s["id"] for s in after["satellites"]] == [sat["id"]]
    assert after["satellites"][0]["version"] == doc["satellites"][0]["version"] + 1
    assert [n["id"] for n in after["nodes"]] == [n["id"] for n in doc["nodes"]]

    # Renaming the satellite in the document renames its node.
    renamed = copy.deepcopy(after)
    renamed["satellites"][0]["name"] = "Mozi"
    after = client.put(f"{API}/networks/{nid}/document", json=renamed).json()
    node = next(n for n in after["nodes"] if n["id"] == sat["node_id"])
    assert node["name"] == "Mozi" and node["role"] == "satellite"

    # Import as a new network: satellite, node and demand come along with new ids.
    imported = client.post(f"{API}/networks/import-document", json=after)
    assert imported.status_code == 201, imported.text
    copy_doc = client.get(f"{API}/networks/{imported.json()['id']}/document").json()
    (new_sat,) = copy_doc["satellites"]
    assert new_sat["id"] != sat["id"] and new_sat["name"] == "Mozi"
    assert new_sat["equipment_profile_id"] != profile["id"]  # the user profile is copied
    new_node = next(n for n in copy_doc["nodes"] if n["id"] == new_sat["node_id"])
    assert new_node["role"] == "satellite" and new_node["name"] == "Mozi"
    assert copy_doc["demands"][0]["a_node_id"] == new_sat["node_id"]
    keys = ("tle_line1", "tle_line2", "mode", "wavelength_nm", "divergence_full_angle_urad",
            "divergence_convention", "finite_key")
    assert {k: new_sat[k] for k in keys} == {k: after["satellites"][0][k] for k in keys}

    # Dropping the satellite, its node and the demand deletes them.
    dropped = copy.deepcopy(after)
    dropped["satellites"] = []
    dropped["demands"] = []
    dropped["nodes"] = [n for n in dropped["nodes"] if n["role"] != "satellite"]
    response = client.put(f"{API}/networks/{nid}/document", json=dropped)
    assert response.status_code == 200, response.text
    assert response.json()["satellites"] == []
    assert_problem(client.get(f"{API}/networks/{nid}/nodes/{sat['node_id']}"), 404)


def test_document_adds_a_satellite_without_a_node(client: TestClient) -> None:
    net = make_network(client)
    doc = client.get(f"{API}/networks/{net['id']}/document").json()
    doc["satellites"] = [{**SATELLITE, "id": 5}]
    response = client.put(f"{API}/networks/{net['id']}/document", json=doc)
    assert response.status_code == 200, response.text
    (sat,) = response.json()["satellites"]
    (node,) = response.json()["nodes"]
    assert sat["node_id"] == node["id"] and node["role"] == "satellite"
    assert node["name"] == "Micius"


@pytest.mark.parametrize(("mutate", "pointer"), [
    (lambda d: d["satellites"][0].__setitem__("tle_line2", L2[:-1] + "0"),
     "/satellites/0/tle_line2"),
    (lambda d: d["satellites"][0].__setitem__("transmit_aperture_m", 0.3),
     "/satellites/0/transmit_aperture_m"),
    (lambda d: d["satellites"][0].__setitem__("wavelength_nm", "850"),
     "/satellites/0/wavelength_nm"),
    (lambda d: d["satellites"].clear(), "/nodes/2/role"),  # an orphan satellite node
    (lambda d: d["satellites"].append({**SATELLITE, "name": "Graz"}), "/satellites/1/name"),
    (lambda d: d["satellites"][0].__setitem__("node_id", d["nodes"][0]["id"]),
     "/satellites/0/node_id"),
    (lambda d: d["satellites"][0].__setitem__("equipment_profile_id", 999999),
     "/satellites/0/equipment_profile_id"),
    (lambda d: d["satellites"].append(copy.deepcopy(d["satellites"][0])),
     "/satellites/1/id"),
])
def test_bad_satellites_in_a_document_write_nothing(client: TestClient,
                                                    micius: dict[str, Any], mutate: Any,
                                                    pointer: str) -> None:
    nid = micius["network"]["id"]
    before = client.get(f"{API}/networks/{nid}/document").json()
    bad = copy.deepcopy(before)
    mutate(bad)
    assert_problem(client.put(f"{API}/networks/{nid}/document", json=bad), 422, pointer)
    assert client.get(f"{API}/networks/{nid}/document").json() == before


def test_micius_demo_loads_with_its_satellite(client: TestClient) -> None:
    response = client.post(f"{API}/demo-networks/micius")
    assert response.status_code == 201, response.text
    nid = response.json()["id"]
    doc = client.get(f"{API}/networks/{nid}/document").json()
    (sat,) = doc["satellites"]
    assert sat["tle_line1"] == L1 and sat["mode"] == "trusted_relay"
    assert len([n for n in doc["nodes"] if n["role"] == "ground_station"]) == 6
    passes = client.get(f"{API}/networks/{nid}/satellites/{sat['id']}/passes").json()["passes"]
    assert len({p["station_id"] for p in passes}) == 6
    # The demo's own profile gives finite-key key at night and none by day (night-only).
    assert all(p["key_bits"] is not None for p in passes)
    assert all(p["key_bits"] == 0 for p in passes if not p["night"])
    assert any(p["key_bits"] > 0 for p in passes if p["night"])
