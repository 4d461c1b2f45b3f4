"""Topology store through the HTTP API, on SQLite and PostgreSQL (API-CONTRACT.md §1–2)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.integration.api.helpers import API, assert_problem, make_link, make_network, make_node


def test_health_names_the_database(client: TestClient, database_url: str) -> None:
    body = client.get(f"{API}/health").json()
    assert body["status"] == "ok"
    assert body["database"] == ("sqlite" if database_url.startswith("sqlite") else "postgresql")


def test_network_lifecycle_with_versions_and_etags(client: TestClient) -> None:
    created = client.post(f"{API}/networks", json={"name": "Vienna", "description": "d"})
    assert created.status_code == 201
    net = created.json()
    assert created.headers["location"] == f"{API}/networks/{net['id']}"
    assert created.headers["etag"] == 'W/"1"'
    assert net["route_factor"] == 1.3 and net["version"] == 1
    assert net["default_equipment_profile_id"] is None
    assert net["created_at"].endswith("Z") or "+00:00" in net["created_at"]

    got = client.get(f"{API}/networks/{net['id']}")
    assert got.status_code == 200 and got.headers["etag"] == 'W/"1"'

    patched = client.patch(f"{API}/networks/{net['id']}", json={"route_factor": 1.5},
                           headers={"If-Match": '"1"'})
    assert patched.status_code == 200 and patched.json()["version"] == 2
    assert patched.json()["route_factor"] == 1.5 and patched.json()["name"] == "Vienna"

    listing = client.get(f"{API}/networks", params={"limit": 1, "offset": 0}).json()
    assert listing["total"] == 1 and listing["limit"] == 1 and listing["offset"] == 0
    assert [n["id"] for n in listing["items"]] == [net["id"]]

    assert client.delete(f"{API}/networks/{net['id']}").status_code == 204
    assert_problem(client.get(f"{API}/networks/{net['id']}"), 404)


def test_every_write_in_a_network_bumps_its_version(client: TestClient) -> None:
    net = make_network(client)
    versions = [net["version"]]

    def current() -> int:
        return int(client.get(f"{API}/networks/{net['id']}").json()["version"])

    a = make_node(client, net["id"], "A")
    versions.append(current())
    b = make_node(client, net["id"], "B", lon=16.5)
    link = make_link(client, net["id"], a["id"], b["id"])
    versions.append(current())
    # A write that changes nothing still bumps the version.
    assert client.patch(f"{API}/networks/{net['id']}/links/{link['id']}", json={}).json()[
        "version"] == 2
    versions.append(current())
    demand = client.post(f"{API}/networks/{net['id']}/demands", json={
        "a_node_id": a["id"], "b_node_id": b["id"], "required_key_rate_bps": 1000.0})
    assert demand.status_code == 201 and demand.json()["priority"] == 1
    versions.append(current())
    assert client.delete(f"{API}/networks/{net['id']}/demands/{demand.json()['id']}"
                         ).status_code == 204
    versions.append(current())
    assert versions == sorted(set(versions)), versions


def test_list_envelope_and_paging(client: TestClient) -> None:
    net = make_network(client)
    for i in range(5):
        make_node(client, net["id"], f"N{i}", lon=10 + i)
    page = client.get(f"{API}/networks/{net['id']}/nodes", params={"limit": 2, "offset": 2})
    body = page.json()
    assert body["total"] == 5 and body["limit"] == 2 and body["offset"] == 2
    assert [n["name"] for n in body["items"]] == ["N2", "N3"]
    assert_problem(client.get(f"{API}/networks/{net['id']}/nodes", params={"limit": 1001}),
                   422, parameter="limit")
    assert_problem(client.get(f"{API}/networks", params={"offset": -1}), 422,
                   parameter="offset")


@pytest.mark.parametrize("path", ["/networks/abc", "/networks/0", "/networks/99999",
                                  "/networks/99999999999999", "/equipment-profiles/99999"])
def test_unknown_or_malformed_path_ids_are_404(client: TestClient, path: str) -> None:
    assert_problem(client.get(API + path), 404)


def test_child_of_another_network_is_404(client: TestClient) -> None:
    n1, n2 = make_network(client), make_network(client)
    node = make_node(client, n1["id"], "A")
    assert_problem(client.get(f"{API}/networks/{n2['id']}/nodes/{node['id']}"), 404)
    assert_problem(client.patch(f"{API}/networks/{n2['id']}/nodes/{node['id']}",
                                json={"notes": "x"}), 404)
    assert_problem(client.delete(f"{API}/networks/{n2['id']}/nodes/{node['id']}"), 404)


def test_malformed_json_is_400(client: TestClient) -> None:
    response = client.post(f"{API}/networks", content=b'{"name": ',
                           headers={"content-type": "application/json"})
    assert_problem(response, 400)


def test_too_large_body_is_413(database_url: str) -> None:
    from qnetplan.config import Settings
    from qnetplan.main import create_app

    app = create_app(Settings(database_url=database_url, max_upload_bytes=100))
    with TestClient(app) as small:
        response = small.post(f"{API}/networks", json={"name": "x" * 200})
        assert_problem(response, 413)
        assert small.get(f"{API}/networks").json()["total"] == 0
    app.state.engine.dispose()


@pytest.mark.parametrize(("field", "value", "pointer"), [
    ("latitude_deg", 90.0001, "/latitude_deg"),
    ("latitude_deg", -90.0001, "/latitude_deg"),
    ("longitude_deg", 180.5, "/longitude_deg"),
    ("latitude_deg", False, "/latitude_deg"),
    ("latitude_deg", "48.2", "/latitude_deg"),
    ("role", "Trusted_Node", "/role"),
    ("role", "satellite", "/role"),
    ("bypass", True, "/bypass"),
    ("relays_key", 1, "/relays_key"),
    ("altitude_m", None, "/altitude_m"),
    ("unknown_field", 1, "/unknown_field"),
    ("name", "", "/name"),
    ("name", "a\x00b", "/name"),
])
def test_node_validation(client: TestClient, field: str, value: object, pointer: str) -> None:
    net = make_network(client)
    body = {"name": "A", "role": "trusted_node", "latitude_deg": 48.2, "longitude_deg": 16.4}
    body[field] = value
    assert_problem(client.post(f"{API}/networks/{net['id']}/nodes", json=body), 422, pointer)
    assert client.get(f"{API}/networks/{net['id']}/nodes").json()["total"] == 0
    assert client.get(f"{API}/networks/{net['id']}").json()["version"] == 1


def test_role_specific_fields(client: TestClient) -> None:
    net = make_network(client)
    switch = make_node(client, net["id"], "S", role="optical_switch")
    assert switch["insertion_loss_db"] == 1.0  # role default filled in
    amp = make_node(client, net["id"], "E", role="amplifier", bypass=True, bypass_loss_db=2.0)
    assert amp["bypass"] is True and amp["bypass_loss_db"] == 2.0
    # Any GET body is a valid request: other roles' fields at their default or null.
    ep = make_node(client, net["id"], "U", role="endpoint", relays_key=True, bypass=False,
                   bypass_loss_db=1.5, insertion_loss_db=None, ground_station=None)
    assert ep["relays_key"] is True
    # Changing the role resets the old role's fields.
    changed = client.patch(f"{API}/networks/{net['id']}/nodes/{amp['id']}",
                           json={"role": "trusted_node"})
    assert changed.status_code == 200
    assert changed.json()["bypass"] is False and changed.json()["bypass_loss_db"] == 1.5
    gs = make_node(client, net["id"], "G", role="ground_station",
                   ground_station={"receiver_aperture_m": 1.2})
    assert gs["ground_station"]["minimum_elevation_deg"] == 10.0
    assert_problem(client.post(f"{API}/networks/{net['id']}/nodes", json={
        "name": "G2", "role": "trusted_node", "latitude_deg": 1.0, "longitude_deg": 1.0,
        "ground_station": {"receiver_aperture_m": 1.0}}), 422, "/ground_station")
    assert_problem(client.post(f"{API}/networks/{net['id']}/nodes", json={
        "name": "G3", "role": "ground_station", "latitude_deg": 1.0, "longitude_deg": 1.0,
        "ground_station": {"receiver_aperture_m": 0}}), 422, "/ground_station/receiver_aperture_m")


def test_duplicate_node_name_is_409_and_names_are_per_network(client: TestClient) -> None:
    n1, n2 = make_network(client), make_network(client)
    make_node(client, n1["id"], "Hub")
    make_node(client, n2["id"], "Hub")
    body = {"name": "Hub", "role": "endpoint", "latitude_deg": 1.0, "longitude_deg": 2.0}
    assert_problem(client.post(f"{API}/networks/{n1['id']}/nodes", json=body), 409, "/name")
    other = make_node(client, n1["id"], "Other")
    assert_problem(client.patch(f"{API}/networks/{n1['id']}/nodes/{other['id']}",
                                json={"name": "Hub"}), 409)


def test_link_validation(client: TestClient) -> None:
    n1, n2 = make_network(client), make_network(client)
    a = make_node(client, n1["id"], "A")
    b = make_node(client, n1["id"], "B", lon=16.9)
    foreign = make_node(client, n2["id"], "F")
    url = f"{API}/networks/{n1['id']}/links"
    assert_problem(client.post(url, json={"a_node_id": a["id"], "b_node_id": a["id"]}), 422,
                   "/b_node_id")
    assert_problem(client.post(url, json={"a_node_id": a["id"], "b_node_id": foreign["id"]}),
                   422, "/b_node_id")
    assert_problem(client.post(url, json={"a_node_id": a["id"], "b_node_id": 999999}), 422,
                   "/b_node_id")
    assert_problem(client.post(url, json={"a_node_id": a["id"], "b_node_id": b["id"],
                                          "length_km": False}), 422, "/length_km")
    assert_problem(client.post(url, json={"a_node_id": a["id"], "b_node_id": b["id"],
                                          "length_km": -1.0}), 422, "/length_km")
    assert_problem(client.post(url, json={"a_node_id": a["id"], "b_node_id": b["id"],
                                          "status": "Existing"}), 422, "/status")
    assert_problem(client.post(url, json={"a_node_id": a["id"], "b_node_id": b["id"],
                                          "equipment_profile_id": 999999}), 422,
                   "/equipment_profile_id")
    assert_problem(client.post(url, json={"a_node_id": a["id"], "b_node_id": b["id"],
                                          "medium": "free_space",
                                          "attenuation_db_per_km": 0.5}), 422,
                   "/attenuation_db_per_km")
    assert client.get(url).json()["total"] == 0


def test_link_length_follows_the_geodesic_and_route_factor(client: TestClient) -> None:
    net = make_network(client, route_factor=1.5)
    # Two points on the equator 1 degree apart: 111.32 km on WGS84.
    a = make_node(client, net["id"], "A", lat=0.0, lon=0.0)
    b = make_node(client, net["id"], "B", lat=0.0, lon=1.0)
    link = make_link(client, net["id"], a["id"], b["id"])
    assert link["length_source"] == "geodesic"
    assert link["effective_length_km"] == pytest.approx(111.319 * 1.5, rel=1e-4)
    client.patch(f"{API}/networks/{net['id']}/nodes/{b['id']}", json={"longitude_deg": 2.0})
    moved = client.get(f"{API}/networks/{net['id']}/links/{link['id']}").json()
    assert moved["effective_length_km"] == pytest.approx(2 * 111.319 * 1.5, rel=1e-4)
    given = client.patch(f"{API}/networks/{net['id']}/links/{link['id']}",
                         json={"length_km": 50.0}).json()
    assert given["effective_length_km"] == 50.0 and given["length_source"] == "given"


def test_delete_used_node_needs_cascade(client: TestClient) -> None:
    net = make_network(client)
    a, b = make_node(client, net["id"], "A"), make_node(client, net["id"], "B", lon=17.0)
    link = make_link(client, net["id"], a["id"], b["id"])
    demand = client.post(f"{API}/networks/{net['id']}/demands", json={
        "a_node_id": a["id"], "b_node_id": b["id"], "required_key_rate_bps": 10.0}).json()
    assert_problem(client.delete(f"{API}/networks/{net['id']}/nodes/{a['id']}"), 409)
    assert client.get(f"{API}/networks/{net['id']}/links/{link['id']}").status_code == 200
    response = client.delete(f"{API}/networks/{net['id']}/nodes/{a['id']}",
                             params={"cascade": "true"})
    assert response.status_code == 204
    assert_problem(client.get(f"{API}/networks/{net['id']}/links/{link['id']}"), 404)
    assert_problem(client.get(f"{API}/networks/{net['id']}/demands/{demand['id']}"), 404)
    assert client.get(f"{API}/networks/{net['id']}/nodes/{b['id']}").status_code == 200


def test_stale_if_match_is_412_and_changes_nothing(client: TestClient) -> None:
    net = make_network(client)
    node = make_node(client, net["id"], "A")
    url = f"{API}/networks/{net['id']}/nodes/{node['id']}"
    first = client.patch(url, json={"notes": "first"}, headers={"If-Match": 'W/"1"'})
    assert first.status_code == 200 and first.headers["etag"] == 'W/"2"'
    net_version = client.get(f"{API}/networks/{net['id']}").json()["version"]
    stale = client.patch(url, json={"notes": "second"}, headers={"If-Match": 'W/"1"'})
    assert_problem(stale, 412)
    after = client.get(url).json()
    assert after["notes"] == "first" and after["version"] == 2
    assert client.get(f"{API}/networks/{net['id']}").json()["version"] == net_version
    assert client.patch(url, json={"notes": "any"}, headers={"If-Match": "*"}).status_code == 200
    assert_problem(client.delete(url, headers={"If-Match": '"1"'}), 412)
    assert client.get(url).status_code == 200


def test_demand_validation(client: TestClient) -> None:
    net = make_network(client)
    a = make_node(client, net["id"], "A", role="endpoint")
    b = make_node(client, net["id"], "B", role="endpoint", lon=17.0)
    switch = make_node(client, net["id"], "S", role="optical_switch", lon=16.7)
    url = f"{API}/networks/{net['id']}/demands"
    assert_problem(client.post(url, json={"a_node_id": a["id"], "b_node_id": switch["id"],
                                          "required_key_rate_bps": 1.0}), 422, "/b_node_id")
    assert_problem(client.post(url, json={"a_node_id": a["id"], "b_node_id": b["id"],
                                          "required_key_rate_bps": True}), 422,
                   "/required_key_rate_bps")
    assert_problem(client.post(url, json={"a_node_id": a["id"], "b_node_id": b["id"],
                                          "required_key_rate_bps": 1.0, "priority": 0}), 422,
                   "/priority")
    ok = client.post(url, json={"a_node_id": a["id"], "b_node_id": b["id"],
                                "required_key_rate_bps": 1.0, "priority": 2})
    assert ok.status_code == 201
    # The node a demand uses cannot stop holding key.
    assert_problem(client.patch(f"{API}/networks/{net['id']}/nodes/{a['id']}",
                                json={"role": "roadm"}), 422, "/role")


def test_equipment_profiles_crud(client: TestClient) -> None:
    body = {"name": "My SNSPD", "protocol": "bb84_decoy",
            "system": {"detector_efficiency": 0.8, "dark_count_probability": 1e-8},
            "provenance": "vendor datasheet"}
    created = client.post(f"{API}/equipment-profiles", json=body)
    assert created.status_code == 201, created.text
    profile = created.json()
    assert profile["builtin"] is False and profile["finite_key"] is None
    url = f"{API}/equipment-profiles/{profile['id']}"
    assert client.patch(url, json={"max_channel_loss_db": 30.0}).json()["version"] == 2
    assert_problem(client.patch(url, json={"protocol": "bb85"}), 422, "/protocol")
    net = make_network(client, default_equipment_profile_id=profile["id"])
    assert_problem(client.delete(url), 409)  # in use
    client.patch(f"{API}/networks/{net['id']}", json={"default_equipment_profile_id": None})
    assert client.delete(url).status_code == 204
    assert_problem(client.get(url), 404)


def test_builtin_profiles_are_read_only(client: TestClient) -> None:
    items = client.get(f"{API}/equipment-profiles", params={"limit": 1000}).json()["items"]
    builtins = [p for p in items if p["builtin"]]
    if not builtins:
        pytest.fail("the built-in catalogue is empty")
    url = f"{API}/equipment-profiles/{builtins[0]['id']}"
    assert_problem(client.patch(url, json={"name": "mine"}), 409)
    assert_problem(client.delete(url), 409)
    assert client.get(url).json()["name"] == builtins[0]["name"]


def test_unknown_api_path_is_problem_404(client: TestClient) -> None:
    assert_problem(client.get(f"{API}/nothing-here"), 404)


def test_spa_fallback_serves_app_paths(client: TestClient) -> None:
    page = client.get("/networks/12")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert client.get("/openapi.json").json()["info"]["title"] == "QNetPlan API"
    assert client.get("/docs").status_code == 200
