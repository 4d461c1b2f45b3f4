"""Whole-network documents and lost-update safety (API-CONTRACT.md §1 Concurrency, §2)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.integration.api.helpers import API, assert_problem, make_link, make_network, make_node


def _strip_ids(doc: dict[str, Any]) -> dict[str, Any]:
    """A document with ids, versions and times removed and references turned into names."""
    names = {n["id"]: n["name"] for n in doc["nodes"]}
    profiles = {p["id"]: p["name"] for p in doc["equipment_profiles"]}
    volatile = {"id", "network_id", "version", "created_at", "updated_at"}

    def clean(item: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in item.items() if k not in volatile}
        for end in ("a_node_id", "b_node_id"):
            if end in out:
                out[end] = names[out[end]]
        for ref in ("equipment_profile_id", "default_equipment_profile_id"):
            if out.get(ref) is not None:
                out[ref] = profiles.get(out[ref], out[ref])
        return out

    return {
        "network": clean(doc["network"]),
        "nodes": [clean(n) for n in doc["nodes"]],
        "links": [clean(x) for x in doc["links"]],
        "demands": [clean(d) for d in doc["demands"]],
        "equipment_profiles": [clean(p) for p in doc["equipment_profiles"]],
        "satellites": doc["satellites"],
    }


@pytest.fixture
def net(client: TestClient) -> dict[str, Any]:
    profile = client.post(f"{API}/equipment-profiles", json={
        "name": "metro BB84", "protocol": "bb84_decoy", "provenance": "test",
        "system": {"detector_efficiency": 0.2, "dark_count_probability": 1e-6}}).json()
    network = make_network(client, name="doc net", description="for documents")
    nid = network["id"]
    a = make_node(client, nid, "Alice", role="endpoint", lat=48.0, lon=16.0)
    s = make_node(client, nid, "Switch", role="optical_switch", lat=48.1, lon=16.2,
                  insertion_loss_db=1.2)
    t = make_node(client, nid, "Trusted", lat=48.2, lon=16.4, notes="rack 4")
    b = make_node(client, nid, "Bob", role="endpoint", lat=48.3, lon=16.6)
    make_link(client, nid, a["id"], s["id"], length_km=12.5, connector_count=2,
              equipment_profile_id=profile["id"], shared_risk_groups=["duct-7"])
    make_link(client, nid, s["id"], t["id"], status="existing")
    make_link(client, nid, t["id"], b["id"], key_rate_override_bps=1500.0)
    client.post(f"{API}/networks/{nid}/demands", json={
        "a_node_id": a["id"], "b_node_id": b["id"], "required_key_rate_bps": 100.0,
        "priority": 2})
    return network


def test_document_shape(client: TestClient, net: dict[str, Any]) -> None:
    response = client.get(f"{API}/networks/{net['id']}/document")
    assert response.status_code == 200
    doc = response.json()
    assert doc["format"] == "qnetplan-network" and doc["format_version"] == 1
    assert response.headers["etag"] == f'W/"{doc["network"]["version"]}"'
    assert [n["name"] for n in doc["nodes"]] == ["Alice", "Switch", "Trusted", "Bob"]
    assert len(doc["links"]) == 3 and len(doc["demands"]) == 1
    assert [p["name"] for p in doc["equipment_profiles"]] == ["metro BB84"]
    assert doc["satellites"] == []


def test_put_of_get_output_verbatim_keeps_ids(client: TestClient, net: dict[str, Any]) -> None:
    before = client.get(f"{API}/networks/{net['id']}/document")
    doc = before.json()
    response = client.put(f"{API}/networks/{net['id']}/document", json=doc,
                          headers={"If-Match": before.headers["etag"]})
    assert response.status_code == 200, response.text
    after = response.json()
    assert response.headers["etag"] == f'W/"{doc["network"]["version"] + 1}"'
    for key in ("nodes", "links", "demands"):
        assert [x["id"] for x in after[key]] == [x["id"] for x in doc[key]]
    assert _strip_ids(after) == _strip_ids(doc)


def test_export_import_export_is_lossless_apart_from_ids(client: TestClient,
                                                         net: dict[str, Any]) -> None:
    doc = client.get(f"{API}/networks/{net['id']}/document").json()
    imported = client.post(f"{API}/networks/import-document", json=doc)
    assert imported.status_code == 201, imported.text
    new_id = imported.json()["id"]
    assert new_id != net["id"]
    assert imported.headers["location"] == f"{API}/networks/{new_id}"
    again = client.get(f"{API}/networks/{new_id}/document").json()
    assert set(n["id"] for n in again["nodes"]).isdisjoint(n["id"] for n in doc["nodes"])
    stripped, original = _strip_ids(again), _strip_ids(doc)
    # The profile is copied (a new id), every other field is kept.
    assert stripped == original


def test_put_adds_removes_and_changes_in_one_request(client: TestClient,
                                                     net: dict[str, Any]) -> None:
    doc = client.get(f"{API}/networks/{net['id']}/document").json()
    ids = {n["name"]: n["id"] for n in doc["nodes"]}
    removed_link = doc["links"].pop(1)  # Switch–Trusted
    doc["nodes"].append({"id": 900001, "name": "New site", "role": "trusted_node",
                         "latitude_deg": 48.15, "longitude_deg": 16.3})
    doc["links"].append({"a_node_id": ids["Switch"], "b_node_id": 900001, "length_km": 3.0})
    doc["links"].append({"a_node_id": 900001, "b_node_id": ids["Trusted"]})
    doc["demands"][0]["required_key_rate_bps"] = 250.0
    response = client.put(f"{API}/networks/{net['id']}/document", json=doc)
    assert response.status_code == 200, response.text
    after = response.json()
    new = next(n for n in after["nodes"] if n["name"] == "New site")
    assert new["id"] != 900001  # a document-local label, not a stored id
    assert removed_link["id"] not in [x["id"] for x in after["links"]]
    assert len(after["links"]) == 4
    assert {(x["a_node_id"], x["b_node_id"]) for x in after["links"][-2:]} == {
        (ids["Switch"], new["id"]), (new["id"], ids["Trusted"])}
    assert after["demands"][0]["required_key_rate_bps"] == 250.0
    assert after["demands"][0]["id"] == doc["demands"][0]["id"]
    assert_problem(client.get(f"{API}/networks/{net['id']}/links/{removed_link['id']}"), 404)


def test_put_swapping_node_names_is_fine(client: TestClient, net: dict[str, Any]) -> None:
    doc = client.get(f"{API}/networks/{net['id']}/document").json()
    doc["nodes"][0]["name"], doc["nodes"][3]["name"] = doc["nodes"][3]["name"], \
        doc["nodes"][0]["name"]
    response = client.put(f"{API}/networks/{net['id']}/document", json=doc)
    assert response.status_code == 200, response.text
    assert response.json()["nodes"][0]["name"] == "Bob"


@pytest.mark.parametrize(("mutate", "pointer"), [
    (lambda d: d["links"][2].__setitem__("length_km", -5.0), "/links/2/length_km"),
    (lambda d: d["nodes"][1].__setitem__("latitude_deg", 90.0001), "/nodes/1/latitude_deg"),
    (lambda d: d["links"][0].__setitem__("b_node_id", 777777), "/links/0/b_node_id"),
    (lambda d: d["nodes"].append(copy.deepcopy(d["nodes"][0])), "/nodes/5/id"),
    (lambda d: d["demands"][0].__setitem__("b_node_id", d["nodes"][1]["id"]),
     "/demands/0/b_node_id"),
    (lambda d: d["nodes"][0].__setitem__("bypass", True), "/nodes/0/bypass"),
    (lambda d: d["links"][1].__setitem__("status", "built"), "/links/1/status"),
])
def test_bad_document_leaves_database_as_it_was(client: TestClient, net: dict[str, Any],
                                                mutate: Any, pointer: str) -> None:
    before = client.get(f"{API}/networks/{net['id']}/document").json()
    bad = copy.deepcopy(before)
    bad["nodes"].append({"name": "would be created", "role": "endpoint",
                         "latitude_deg": 1.0, "longitude_deg": 1.0})
    bad["links"].pop(0) if pointer.startswith("/nodes") else None
    mutate(bad)
    response = client.put(f"{API}/networks/{net['id']}/document", json=bad)
    assert_problem(response, 422, pointer)
    assert client.get(f"{API}/networks/{net['id']}/document").json() == before
    assert_problem(client.post(f"{API}/networks/import-document", json=bad), 422, pointer) \
        if not pointer.endswith("/id") else None
    assert client.get(f"{API}/networks").json()["total"] == 1


def test_ids_of_another_network_are_rejected(client: TestClient, net: dict[str, Any]) -> None:
    other = make_network(client, name="other")
    stranger = make_node(client, other["id"], "Stranger")
    doc = client.get(f"{API}/networks/{net['id']}/document").json()
    doc["nodes"].append({"id": stranger["id"], "name": "Stranger", "role": "trusted_node",
                         "latitude_deg": 1.0, "longitude_deg": 1.0})
    before = client.get(f"{API}/networks/{net['id']}/document").json()
    assert_problem(client.put(f"{API}/networks/{net['id']}/document", json=doc), 422,
                   f"/nodes/{len(doc['nodes']) - 1}/id")
    assert client.get(f"{API}/networks/{net['id']}/document").json() == before


def test_two_clients_same_etag_one_wins_nothing_lost(client: TestClient,
                                                     net: dict[str, Any]) -> None:
    first = client.get(f"{API}/networks/{net['id']}/document")
    second = client.get(f"{API}/networks/{net['id']}/document")
    assert first.headers["etag"] == second.headers["etag"]
    doc_a, doc_b = first.json(), second.json()
    doc_a["nodes"][2]["notes"] = "edited by A"
    doc_b["nodes"][2]["notes"] = "edited by B"
    win = client.put(f"{API}/networks/{net['id']}/document", json=doc_a,
                     headers={"If-Match": first.headers["etag"]})
    assert win.status_code == 200
    lose = client.put(f"{API}/networks/{net['id']}/document", json=doc_b,
                      headers={"If-Match": second.headers["etag"]})
    assert_problem(lose, 412)
    stored = client.get(f"{API}/networks/{net['id']}/document").json()
    assert stored["nodes"][2]["notes"] == "edited by A"
    # A single-resource write moves the document's ETag too.
    client.patch(f"{API}/networks/{net['id']}/nodes/{stored['nodes'][0]['id']}",
                 json={"notes": "x"})
    assert_problem(client.put(f"{API}/networks/{net['id']}/document", json=stored,
                              headers={"If-Match": win.headers["etag"]}), 412)


def test_demo_networks_load_and_validate(client: TestClient) -> None:
    demos = client.get(f"{API}/demo-networks").json()
    keys = {d["key"] for d in demos["items"]}
    assert {"tokyo_qkd_2010", "secoqc_vienna_2008", "beijing_shanghai_backbone"} <= keys
    for item in demos["items"]:
        assert item["sources"], item
        response = client.post(f"{API}/demo-networks/{item['key']}")
        assert response.status_code == 201, response.text
        doc = client.get(f"{API}/networks/{response.json()['id']}/document").json()
        assert (doc["nodes"] and doc["network"]["name"] == item["name"]) or doc["nodes"]
        assert all("Source" in n["notes"] for n in doc["nodes"])
    assert_problem(client.post(f"{API}/demo-networks/no-such-demo"), 404)


def test_put_on_unknown_network_is_404(client: TestClient, net: dict[str, Any]) -> None:
    doc = client.get(f"{API}/networks/{net['id']}/document").json()
    assert_problem(client.put(f"{API}/networks/999999/document", json=doc), 404)
    assert_problem(client.get(f"{API}/networks/999999/document"), 404)
