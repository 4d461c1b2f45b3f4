"""Analyses and routes through the HTTP API on both databases (API-CONTRACT.md §4)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.integration.api.helpers import API, assert_problem, make_link, make_network, make_node


@pytest.fixture
def chain(client: TestClient) -> dict[str, Any]:
    """A - T1 - B with measured rates, a parallel A - S(switch) - T2 - B path on a profile,
    and a demand A-B."""
    profile = next(p for p in client.get(f"{API}/equipment-profiles").json()["items"]
                   if p["protocol"] == "bb84_decoy")
    net = make_network(client, name="chain")
    nid = net["id"]
    a = make_node(client, nid, "A", role="endpoint", lon=16.0)
    t1 = make_node(client, nid, "T1", lon=16.3)
    b = make_node(client, nid, "B", role="endpoint", lon=16.6)
    s = make_node(client, nid, "S", role="optical_switch", lat=48.0, lon=16.2)
    t2 = make_node(client, nid, "T2", lat=48.0, lon=16.4)
    l1 = make_link(client, nid, a["id"], t1["id"], key_rate_override_bps=5000.0,
                   status="existing")
    l2 = make_link(client, nid, t1["id"], b["id"], key_rate_override_bps=3000.0,
                   status="existing")
    l3 = make_link(client, nid, a["id"], s["id"], length_km=10.0,
                   equipment_profile_id=profile["id"])
    l4 = make_link(client, nid, s["id"], t2["id"], length_km=15.0,
                   equipment_profile_id=profile["id"])
    l5 = make_link(client, nid, t2["id"], b["id"], length_km=30.0,
                   equipment_profile_id=profile["id"])
    demand = client.post(f"{API}/networks/{nid}/demands", json={
        "a_node_id": a["id"], "b_node_id": b["id"], "required_key_rate_bps": 1000.0}).json()
    return {"net": net, "nodes": {"A": a, "T1": t1, "B": b, "S": s, "T2": t2},
            "links": [l1, l2, l3, l4, l5], "demand": demand, "profile": profile}


def test_analysis_runs_and_is_stored(client: TestClient, chain: dict[str, Any]) -> None:
    nid = chain["net"]["id"]
    response = client.post(f"{API}/networks/{nid}/analyses", json={"k_paths": 2})
    assert response.status_code == 201, response.text
    result = response.json()
    assert result["status"] == "succeeded" and result["error"] is None
    assert result["network_version"] == client.get(f"{API}/networks/{nid}").json()["version"]
    assert len(result["input_hash"]) == 64 and result["engine_version"]
    assert result["parameters"]["k_paths"] == 2
    ids = {k: v["id"] for k, v in chain["nodes"].items()}
    # The switch is transparent: A-S-T2 is one QKD link over spans 3 and 4.
    via_switch = [q for q in result["qkd_links"] if q["via_node_ids"] == [ids["S"]]]
    assert len(via_switch) == 1
    assert via_switch[0]["link_ids"] == [chain["links"][2]["id"], chain["links"][3]["id"]]
    assert {via_switch[0]["a_node_id"], via_switch[0]["b_node_id"]} == {ids["A"], ids["T2"]}
    spans = {x["link_id"]: x for x in result["links"]}
    assert via_switch[0]["loss_db"] == pytest.approx(
        spans[chain["links"][2]["id"]]["loss_budget"]["total_db"]
        + spans[chain["links"][3]["id"]]["loss_budget"]["total_db"] + 1.0)  # switch 1 dB
    # a span's budget in the analysis is the calculator's budget of its fields, item by item
    calc = client.post(f"{API}/calc/loss-budget", json={
        "length_km": 15.0, "attenuation_db_per_km": 0.2}).json()
    span4 = spans[chain["links"][3]["id"]]["loss_budget"]
    assert [(i["name"], i["value_db"]) for i in span4["items"]] == [
        (i["name"], i["value_db"]) for i in calc["items"]]
    demand = result["demands"][0]
    assert demand["satisfied"] and demand["allocated_key_rate_bps"] == pytest.approx(1000.0)
    assert demand["max_flow_bps"] >= 3000.0
    assert len(demand["routes"]) == 2
    assert demand["routes"][0]["bottleneck_bps"] >= demand["routes"][1]["bottleneck_bps"]
    assert result["summary"]["demands_total"] == 1 and result["summary"]["lambda"] >= 1
    stored = client.get(f"{API}/analyses/{result['id']}")
    assert stored.status_code == 200 and stored.json() == result


def test_analysis_is_tied_to_its_input(client: TestClient, chain: dict[str, Any]) -> None:
    nid = chain["net"]["id"]
    first = client.post(f"{API}/networks/{nid}/analyses", json={}).json()
    again = client.post(f"{API}/networks/{nid}/analyses", json={}).json()
    assert again["input_hash"] == first["input_hash"]
    client.patch(f"{API}/networks/{nid}/links/{chain['links'][0]['id']}",
                 json={"key_rate_override_bps": 10.0})
    changed = client.post(f"{API}/networks/{nid}/analyses", json={}).json()
    assert changed["input_hash"] != first["input_hash"]
    assert changed["network_version"] > first["network_version"]
    # The stored analysis is immutable: the old result is unchanged.
    assert client.get(f"{API}/analyses/{first['id']}").json() == first


def test_routes_endpoint(client: TestClient, chain: dict[str, Any]) -> None:
    nid, ids = chain["net"]["id"], {k: v["id"] for k, v in chain["nodes"].items()}
    response = client.get(f"{API}/networks/{nid}/routes",
                          params={"source": ids["A"], "target": ids["B"], "k": 5})
    assert response.status_code == 200, response.text
    routes = response.json()["routes"]
    assert routes and routes[0]["node_ids"][0] == ids["A"] and routes[0]["node_ids"][-1] == ids["B"]
    fewest = client.get(f"{API}/networks/{nid}/routes", params={
        "source": ids["A"], "target": ids["B"], "objective": "fewest_trusted_nodes"}).json()
    assert len(fewest["routes"][0]["trusted_node_ids"]) == 1
    assert_problem(client.get(f"{API}/networks/{nid}/routes", params={
        "source": ids["A"], "target": ids["S"]}), 422, parameter="target")
    assert_problem(client.get(f"{API}/networks/{nid}/routes", params={
        "source": ids["A"], "target": ids["B"], "objective": "shortest"}), 422,
        parameter="objective")
    assert_problem(client.get(f"{API}/networks/{nid}/routes", params={
        "source": ids["A"], "target": 999999}), 422, parameter="target")


def test_analysis_errors(client: TestClient, chain: dict[str, Any]) -> None:
    nid = chain["net"]["id"]
    assert_problem(client.post(f"{API}/networks/999999/analyses", json={}), 404)
    assert_problem(client.post(f"{API}/networks/{nid}/analyses",
                               json={"objective": "fastest"}), 422, "/objective")
    assert_problem(client.post(f"{API}/networks/{nid}/analyses", json={"k_paths": 0}), 422,
                   "/k_paths")
    assert_problem(client.get(f"{API}/analyses/999999"), 404)


def test_no_profile_gives_null_rate_and_reason(client: TestClient) -> None:
    net = make_network(client)
    a = make_node(client, net["id"], "A")
    b = make_node(client, net["id"], "B", lon=16.9)
    make_link(client, net["id"], a["id"], b["id"])
    client.post(f"{API}/networks/{net['id']}/demands", json={
        "a_node_id": a["id"], "b_node_id": b["id"], "required_key_rate_bps": 1.0})
    result = client.post(f"{API}/networks/{net['id']}/analyses", json={}).json()
    assert result["links"][0]["key_rate_bps"] is None
    assert result["links"][0]["reason"] == "no_equipment_profile"
    assert result["demands"][0]["blocking_reason"] == "no_equipment_profile"
    assert result["summary"]["lambda"] is None


def test_trusted_relay_satellite_is_a_routed_exposed_node(client: TestClient) -> None:
    """Liao et al., PRL 120, 030501 (2018): Micius relays key between Xinglong and Graz, so the
    satellite holds both keys: it is on the route, exposed, and the one node to compromise."""
    nid = client.post(f"{API}/demo-networks/micius").json()["id"]
    satellite = client.get(f"{API}/networks/{nid}/satellites").json()["items"][0]
    nodes = {n["name"]: n["id"] for n in client.get(f"{API}/networks/{nid}/nodes").json()["items"]}
    volume = client.get(f"{API}/networks/{nid}/satellites/{satellite['id']}/key-volume",
                        params={"days": 7}).json()
    average = {s["station_id"]: s["average_key_rate_bps"] for s in volume["stations"]}
    result = client.post(f"{API}/networks/{nid}/analyses", json={}).json()
    assert result["status"] == "succeeded", result["error"]
    downlinks = [q for q in result["qkd_links"] if q["satellite_id"] == satellite["id"]]
    assert len(downlinks) == len([v for v in average.values() if v])
    for q in downlinks:
        station = q["b_node_id"] if q["a_node_id"] == satellite["node_id"] else q["a_node_id"]
        assert q["key_rate_bps"] == pytest.approx(average[station])
        assert q["link_ids"] == [] and q["loss_db"] is None
    demand = result["demands"][0]
    route = demand["routes"][0]
    assert route["node_ids"] == [nodes["Xinglong"], satellite["node_id"], nodes["Graz"]]
    assert demand["exposed_trusted_node_ids"] == [satellite["node_id"]]
    assert demand["nodes_to_compromise"] == 1
    # One path through the satellite: its bottleneck is the weaker station's average.
    expected = min(average[nodes["Xinglong"]], average[nodes["Graz"]])
    assert demand["max_flow_bps"] == pytest.approx(expected)


def test_routes_follow_every_write_to_the_network_and_its_profiles(client: TestClient) -> None:
    """Route queries reuse the network's routing index while nothing changes; a write to the
    network or to an equipment profile it uses must show in the next answer."""
    profile = client.post(f"{API}/equipment-profiles", json={
        "name": "route-cache SNSPD", "protocol": "bb84_decoy",
        "system": {"detector_efficiency": 0.8, "dark_count_probability": 1e-8}}).json()
    nid = make_network(client, name="cache")["id"]
    a = make_node(client, nid, "A", lon=16.0)["id"]
    t = make_node(client, nid, "T", lat=48.5, lon=16.3)["id"]
    b = make_node(client, nid, "B", lon=16.6)["id"]
    make_link(client, nid, a, b, length_km=50.0, equipment_profile_id=profile["id"])
    make_link(client, nid, a, t, key_rate_override_bps=1000.0)
    tb = make_link(client, nid, t, b, key_rate_override_bps=1000.0)

    def best() -> dict[str, Any]:
        response = client.get(f"{API}/networks/{nid}/routes",
                              params={"source": a, "target": b, "k": 2})
        assert response.status_code == 200, response.text
        return response.json()["routes"][0]  # type: ignore[no-any-return]

    assert best()["node_ids"] == [a, b] and best()["node_ids"] == [a, b]
    # the profile now tolerates less loss than the 50 km span has: the direct link is gone
    client.patch(f"{API}/equipment-profiles/{profile['id']}", json={"max_channel_loss_db": 5.0})
    assert best()["node_ids"] == [a, t, b] and best()["bottleneck_bps"] == 1000.0
    client.patch(f"{API}/networks/{nid}/links/{tb['id']}", json={"key_rate_override_bps": 10.0})
    assert best()["bottleneck_bps"] == 10.0
