"""Rows -> plain dictionaries in the API's shape (read-only fields computed here)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from qnetplan.engine.geodesy import geodesic_distance_km
from qnetplan.storage.models import (
    DemandRow,
    EquipmentProfileRow,
    LinkRow,
    NetworkRow,
    NodeRow,
)

NETWORK_FIELDS = ("id", "name", "description", "route_factor", "default_equipment_profile_id",
                  "version", "created_at", "updated_at")
NODE_FIELDS = ("id", "network_id", "name", "role", "latitude_deg", "longitude_deg", "altitude_m",
               "equipment_profile_id", "insertion_loss_db", "bypass", "bypass_loss_db",
               "relays_key", "notes", "ground_station", "version")
LINK_STORED_FIELDS = ("id", "network_id", "a_node_id", "b_node_id", "medium", "length_km",
                      "attenuation_db_per_km", "connector_count", "loss_per_connector_db",
                      "splice_count", "loss_per_splice_db", "insertion_loss_db", "extra_loss_db",
                      "ageing_margin_db", "status", "shared_risk_groups", "equipment_profile_id",
                      "key_rate_override_bps", "relay_position_fraction", "version")
DEMAND_FIELDS = ("id", "network_id", "a_node_id", "b_node_id", "required_key_rate_bps",
                 "priority", "version")
PROFILE_FIELDS = ("id", "name", "protocol", "system", "finite_key", "max_channel_loss_db",
                  "provenance", "builtin", "version")


def _pick(row: object, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(row, name) for name in fields}


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC (API-CONTRACT.md §1)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def network_view(row: NetworkRow) -> dict[str, Any]:
    out = _pick(row, NETWORK_FIELDS)
    out["created_at"], out["updated_at"] = as_utc(row.created_at), as_utc(row.updated_at)
    return out


def node_view(row: NodeRow) -> dict[str, Any]:
    return _pick(row, NODE_FIELDS)


def effective_length_km(
    link: LinkRow, a: NodeRow, b: NodeRow, route_factor: float
) -> tuple[float, str]:
    """``length_km`` when given, else the WGS84 geodesic between the end nodes times the
    network's ``route_factor`` for fiber (a fiber route is longer than the geodesic); free-space
    links are line of sight and take the geodesic itself."""
    if link.length_km is not None:
        return float(link.length_km), "given"
    geodesic = float(geodesic_distance_km(a.latitude_deg, a.longitude_deg,
                                          b.latitude_deg, b.longitude_deg))
    factor = route_factor if link.medium == "fiber" else 1.0
    return geodesic * factor, "geodesic"


def fill_effective_lengths(links: list[dict[str, Any]], nodes: dict[int, dict[str, Any]],
                           route_factor: float) -> None:
    """Vectorised :func:`effective_length_km` over link dictionaries (in place)."""
    missing = [x for x in links if x["length_km"] is None]
    if missing:
        a = [nodes[x["a_node_id"]] for x in missing]
        b = [nodes[x["b_node_id"]] for x in missing]
        geodesic = geodesic_distance_km([n["latitude_deg"] for n in a],
                                        [n["longitude_deg"] for n in a],
                                        [n["latitude_deg"] for n in b],
                                        [n["longitude_deg"] for n in b])
        for link, km in zip(missing, geodesic.tolist(), strict=True):
            link["effective_length_km"] = km * (route_factor if link["medium"] == "fiber"
                                                else 1.0)
            link["length_source"] = "geodesic"
    for link in links:
        if link["length_km"] is not None:
            link["effective_length_km"] = float(link["length_km"])
            link["length_source"] = "given"


def link_view(row: LinkRow, nodes: dict[int, NodeRow], route_factor: float) -> dict[str, Any]:
    out = _pick(row, LINK_STORED_FIELDS)
    out["shared_risk_groups"] = list(row.shared_risk_groups or [])
    length, source = effective_length_km(row, nodes[row.a_node_id], nodes[row.b_node_id],
                                         route_factor)
    out["effective_length_km"] = length
    out["length_source"] = source
    return out


def demand_view(row: DemandRow) -> dict[str, Any]:
    return _pick(row, DEMAND_FIELDS)


def profile_view(row: EquipmentProfileRow) -> dict[str, Any]:
    return _pick(row, PROFILE_FIELDS)
