"""The shipped demo networks: well-formed whole-network documents with sourced numbers.

Checks every demo listed in ``backend/qnetplan/demo/index.json`` (so demos added later are
covered too) against the document format of API-CONTRACT.md §2, and pins the printed figures
the demos were built from (sources in ``backend/qnetplan/demo/README.md``).
"""

from __future__ import annotations

import json
import math
from importlib import resources
from typing import Any

import pytest

from qnetplan.demo import INDEX_FILE, DemoInfo, list_demos, load_demo_document

# API-CONTRACT.md §2 (read-only fields included: any GET body is a valid PUT) and §5.
NETWORK_FIELDS = {
    "id",
    "name",
    "description",
    "route_factor",
    "default_equipment_profile_id",
    "version",
    "created_at",
    "updated_at",
}
NODE_FIELDS = {
    "id",
    "network_id",
    "name",
    "role",
    "latitude_deg",
    "longitude_deg",
    "altitude_m",
    "equipment_profile_id",
    "insertion_loss_db",
    "bypass",
    "bypass_loss_db",
    "relays_key",
    "notes",
    "version",
    "ground_station",
}
LINK_FIELDS = {
    "id",
    "network_id",
    "a_node_id",
    "b_node_id",
    "medium",
    "length_km",
    "effective_length_km",
    "length_source",
    "attenuation_db_per_km",
    "connector_count",
    "loss_per_connector_db",
    "splice_count",
    "loss_per_splice_db",
    "insertion_loss_db",
    "extra_loss_db",
    "ageing_margin_db",
    "status",
    "shared_risk_groups",
    "equipment_profile_id",
    "key_rate_override_bps",
    "relay_position_fraction",
    "version",
}
DEMAND_FIELDS = {
    "id",
    "network_id",
    "a_node_id",
    "b_node_id",
    "required_key_rate_bps",
    "priority",
    "version",
}
ROLES = {
    "endpoint",
    "trusted_node",
    "ground_station",
    "satellite",
    "optical_switch",
    "roadm",
    "amplifier",
    "untrusted_relay",
    "entanglement_source",
    "repeater",
}
KEY_HOLDING_ROLES = {"endpoint", "trusted_node", "ground_station", "satellite"}
MEDIA = {"fiber", "free_space"}
STATUSES = {"existing", "planned", "candidate"}

DEMOS = list_demos()
DEMO_KEYS = [demo.key for demo in DEMOS]
EARTH_RADIUS_KM = 6371.0088


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def _span_loss_db(link: dict[str, Any]) -> float:
    return link["length_km"] * link["attenuation_db_per_km"] + link.get("extra_loss_db", 0.0)


@pytest.fixture(params=DEMO_KEYS)
def demo_doc(request: pytest.FixtureRequest) -> dict[str, Any]:
    return load_demo_document(request.param)


# ---------------------------------------------------------------- catalogue
def test_catalogue_lists_the_shipped_demos() -> None:
    assert {"tokyo_qkd_2010", "secoqc_vienna_2008", "beijing_shanghai_backbone"} <= set(DEMO_KEYS)
    assert len(DEMO_KEYS) == len(set(DEMO_KEYS))
    for demo in DEMOS:
        assert isinstance(demo, DemoInfo)
        assert demo.name and demo.description
        assert demo.sources and all(isinstance(s, str) and s for s in demo.sources)


def test_every_demo_file_is_in_the_index_and_exists() -> None:
    folder = resources.files("qnetplan.demo")
    index = json.loads(folder.joinpath(INDEX_FILE).read_text(encoding="utf-8"))
    listed = {entry["file"] for entry in index["demos"].values()}
    shipped = {p.name for p in folder.iterdir() if p.name.endswith(".json")} - {INDEX_FILE}
    assert listed == shipped


def test_unknown_key_raises_key_error() -> None:
    with pytest.raises(KeyError):
        load_demo_document("no_such_demo")


def test_documents_are_fresh_copies() -> None:
    first = load_demo_document(DEMO_KEYS[0])
    first["nodes"].clear()
    assert load_demo_document(DEMO_KEYS[0])["nodes"]


# ---------------------------------------------------------------- document shape
def test_document_envelope(demo_doc: dict[str, Any]) -> None:
    assert demo_doc["format"] == "qnetplan-network"
    assert demo_doc["format_version"] == 1
    for collection in ("nodes", "links", "demands", "equipment_profiles", "satellites"):
        assert isinstance(demo_doc[collection], list), collection
    network = demo_doc["network"]
    assert set(network) <= NETWORK_FIELDS
    assert isinstance(network["name"], str) and 1 <= len(network["name"]) <= 200
    assert isinstance(network["description"], str) and network["description"]
    assert _is_number(network.get("route_factor", 1.3)) and network.get("route_factor", 1.3) >= 1


def test_ids_are_unique_per_collection(demo_doc: dict[str, Any]) -> None:
    for collection in ("nodes", "links", "demands", "satellites", "equipment_profiles"):
        ids = [item["id"] for item in demo_doc[collection] if "id" in item]
        assert all(_is_id(i) for i in ids), collection
        assert len(ids) == len(set(ids)), f"duplicate id in {collection}"


def test_nodes(demo_doc: dict[str, Any]) -> None:
    names = [node["name"] for node in demo_doc["nodes"]]
    assert len(names) == len(set(names)), "node names must be unique within a network"
    for node in demo_doc["nodes"]:
        assert set(node) <= NODE_FIELDS, set(node) - NODE_FIELDS
        assert node["role"] in ROLES
        assert isinstance(node["name"], str) and 1 <= len(node["name"]) <= 200
        lat, lon = node["latitude_deg"], node["longitude_deg"]
        assert _is_number(lat) and -90 <= lat <= 90, node["name"]
        assert _is_number(lon) and -180 <= lon <= 180, node["name"]
        assert _is_number(node.get("altitude_m", 0.0))
        assert isinstance(node.get("relays_key", False), bool)
        if node["role"] != "endpoint":
            assert node.get("relays_key", False) is False, "relays_key is endpoint-only"


def test_every_node_has_notes_with_a_source(demo_doc: dict[str, Any]) -> None:
    for node in demo_doc["nodes"]:
        notes = node.get("notes", "")
        assert isinstance(notes, str) and "source" in notes.lower(), node["name"]


def test_links(demo_doc: dict[str, Any]) -> None:
    node_ids = {node["id"] for node in demo_doc["nodes"]}
    for link in demo_doc["links"]:
        assert set(link) <= LINK_FIELDS, set(link) - LINK_FIELDS
        assert link["a_node_id"] in node_ids and link["b_node_id"] in node_ids
        assert link["a_node_id"] != link["b_node_id"]
        assert link.get("medium", "fiber") in MEDIA
        assert link.get("status", "planned") in STATUSES
        length = link.get("length_km")
        assert length is None or (_is_number(length) and length > 0)
        attenuation = link.get("attenuation_db_per_km", 0.2)
        assert _is_number(attenuation) and 0 <= attenuation <= 100
        assert _is_number(link.get("extra_loss_db", 0.0)) and link.get("extra_loss_db", 0.0) >= 0
        rate = link.get("key_rate_override_bps")
        assert rate is None or (_is_number(rate) and rate >= 0)
        groups = link.get("shared_risk_groups", [])
        assert isinstance(groups, list)
        assert all(isinstance(g, str) and 1 <= len(g) <= 100 for g in groups)


def test_given_fiber_lengths_are_not_shorter_than_the_geodesic(demo_doc: dict[str, Any]) -> None:
    nodes = {node["id"]: node for node in demo_doc["nodes"]}
    for link in demo_doc["links"]:
        if link.get("medium", "fiber") != "fiber" or link.get("length_km") is None:
            continue
        a, b = nodes[link["a_node_id"]], nodes[link["b_node_id"]]
        geodesic = _great_circle_km(
            a["latitude_deg"], a["longitude_deg"], b["latitude_deg"], b["longitude_deg"]
        )
        assert link["length_km"] >= 0.99 * geodesic, (a["name"], b["name"])


def test_demands(demo_doc: dict[str, Any]) -> None:
    roles = {node["id"]: node["role"] for node in demo_doc["nodes"]}
    for demand in demo_doc["demands"]:
        assert set(demand) <= DEMAND_FIELDS, set(demand) - DEMAND_FIELDS
        assert demand["a_node_id"] in roles and demand["b_node_id"] in roles
        assert demand["a_node_id"] != demand["b_node_id"]
        assert roles[demand["a_node_id"]] in KEY_HOLDING_ROLES
        assert roles[demand["b_node_id"]] in KEY_HOLDING_ROLES
        assert _is_number(demand["required_key_rate_bps"]) and demand["required_key_rate_bps"] > 0
        priority = demand.get("priority", 1)
        assert isinstance(priority, int) and not isinstance(priority, bool) and priority >= 1


def test_no_non_finite_numbers_anywhere(demo_doc: dict[str, Any]) -> None:
    def walk(value: Any) -> None:
        if isinstance(value, float):
            assert math.isfinite(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(demo_doc)


# ---------------------------------------------------------------- printed figures
def _links_between(doc: dict[str, Any], a: str, b: str) -> list[dict[str, Any]]:
    ids = {node["name"]: node["id"] for node in doc["nodes"]}
    pair = {ids[a], ids[b]}
    return [link for link in doc["links"] if {link["a_node_id"], link["b_node_id"]} == pair]


def test_tokyo_printed_figures() -> None:
    """Sasaki et al., Opt. Express 19, 10387 (2011); Toshiba CRL: 45 km, 14.5 dB, 304 kb/s."""
    doc = load_demo_document("tokyo_qkd_2010")
    assert {n["name"] for n in doc["nodes"]} == {"Koganei", "Otemachi", "Hakusan", "Hongo"}
    toshiba = [
        link
        for link in _links_between(doc, "Koganei", "Otemachi")
        if link["key_rate_override_bps"] is not None
    ]
    assert len(toshiba) == 1
    assert toshiba[0]["length_km"] == 45.0
    assert _span_loss_db(toshiba[0]) == pytest.approx(14.5, abs=0.01)
    assert toshiba[0]["key_rate_override_bps"] == 304_000.0
    (hakusan,) = _links_between(doc, "Otemachi", "Hakusan")
    assert hakusan["length_km"] == 12.0 and hakusan["attenuation_db_per_km"] == 0.5
    (hongo,) = _links_between(doc, "Otemachi", "Hongo")
    assert hongo["length_km"] == 13.0 and hongo["attenuation_db_per_km"] == 0.5


def test_secoqc_printed_figures() -> None:
    """Peev et al. 2009 (longest link 83 km); Treiber et al. 2009; Fossier et al. 2009."""
    doc = load_demo_document("secoqc_vienna_2008")
    assert len(doc["nodes"]) == 6
    assert max(link["length_km"] or 0.0 for link in doc["links"]) == 83.0
    rates = sorted(
        link["key_rate_override_bps"]
        for link in doc["links"]
        if link["key_rate_override_bps"] is not None
    )
    assert rates == [2000.0, 8000.0]
    (cv_link,) = [link for link in doc["links"] if link["key_rate_override_bps"] == 8000.0]
    assert _span_loss_db(cv_link) == pytest.approx(3.0, abs=0.01)


def test_beijing_shanghai_backbone_totals() -> None:
    """Chen et al., Nature 589, 214 (2021): 32 trusted relays, more than 2,000 km of fibre."""
    doc = load_demo_document("beijing_shanghai_backbone")
    assert len(doc["nodes"]) == 32
    assert all(node["role"] == "trusted_node" for node in doc["nodes"])
    assert sum(link["length_km"] for link in doc["links"]) == pytest.approx(2000.0, abs=1.0)
    names = {node["name"] for node in doc["nodes"]}
    assert {"Beijing", "Jinan", "Hefei", "Shanghai"} <= names
    synthetic = [
        n for n in doc["nodes"] if n["name"] not in {"Beijing", "Jinan", "Hefei", "Shanghai"}
    ]
    assert all("SYNTHETIC" in node["notes"] for node in synthetic)
    # A single chain: 31 spans, every node of degree <= 2, the two termini of degree 1.
    assert len(doc["links"]) == 31
    degree: dict[int, int] = {node["id"]: 0 for node in doc["nodes"]}
    for link in doc["links"]:
        degree[link["a_node_id"]] += 1
        degree[link["b_node_id"]] += 1
    ids = {node["name"]: node["id"] for node in doc["nodes"]}
    assert degree[ids["Beijing"]] == 1 and degree[ids["Shanghai"]] == 1
    assert max(degree.values()) == 2
