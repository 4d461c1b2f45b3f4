"""Analyses (API-CONTRACT.md §4): load an immutable snapshot, run the engine, store the result
with its input hash, network version, engine version and parameters."""

from __future__ import annotations

import hashlib
import json
import math
import threading
from collections import OrderedDict
from dataclasses import asdict, fields, is_dataclass
from enum import Enum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qnetplan.domain import (
    AnalysisParams,
    AnalysisResult,
    DemandSpec,
    EquipmentProfileSpec,
    FailureScenario,
    LinkMedium,
    LinkSpec,
    LinkStatus,
    NetworkSnapshot,
    NodeSpec,
    Protocol,
    Route,
    RoutingObjective,
)
from qnetplan.engine.analysis import ENGINE_VERSION, run_analysis
from qnetplan.engine.graph import DEFAULT_STATUSES, build_qkd_graph
from qnetplan.engine.routing import RoutingIndex, k_best_routes
from qnetplan.errors import FieldProblem, InvalidInputError, NotFoundError
from qnetplan.services.document import export_document
from qnetplan.services.rates import PrefetchedRateModel
from qnetplan.services.satellites import key_volume_of
from qnetplan.services.topology import get_network
from qnetplan.services.views import as_utc
from qnetplan.storage.models import AnalysisRow, EquipmentProfileRow, utcnow

NODE_SPEC_FIELDS = ("id", "role", "name", "latitude_deg", "longitude_deg", "altitude_m",
                    "equipment_profile_id", "insertion_loss_db", "bypass", "bypass_loss_db",
                    "relays_key")
LINK_SPEC_FIELDS = tuple(f.name for f in fields(LinkSpec))


# ---------------------------------------------------------------- snapshot
def satellite_relay_links(session: Session, network_id: int, doc: dict[str, Any],
                          days: int) -> tuple[list[LinkSpec], dict[int, dict[str, int]]]:
    """A trusted-relay satellite is a node joined to each ground station by an edge whose
    capacity is that station's time-averaged key over ``days`` from the TLE epoch
    (bits / (days x 86400 s); PHYSICS.md §3, Liao et al., PRL 120, 030501 (2018)). The edges
    are virtual spans with negative ids; ``virtual`` maps each id to its satellite and station.
    Stations the satellite never gives key (no profile, no receiver) get no edge."""
    links: list[LinkSpec] = []
    virtual: dict[int, dict[str, int]] = {}
    for sat in doc["satellites"]:
        if sat["mode"] != "trusted_relay":
            continue
        volume = key_volume_of(session, network_id, sat["id"], None, days, None)
        for station in volume["stations"]:
            rate = station["average_key_rate_bps"]
            if rate is None:
                continue
            link_id = -(len(links) + 1)
            links.append(LinkSpec(id=link_id, a_node_id=sat["node_id"],
                                  b_node_id=station["station_id"], effective_length_km=0.0,
                                  medium=LinkMedium.FREE_SPACE, status=LinkStatus.EXISTING,
                                  key_rate_override_bps=float(rate)))
            virtual[link_id] = {"satellite_id": sat["id"], "station_id": station["station_id"]}
    return links, virtual


def load_snapshot(session: Session, network_id: int, satellite_days: int = 7
                  ) -> tuple[NetworkSnapshot, dict[str, Any]]:
    """The network as the engine sees it (trusted-relay satellites joined to their ground
    stations by time-averaged key rates), and the canonical document it came from."""
    doc = export_document(session, network_id)
    relay_links, virtual = satellite_relay_links(session, network_id, doc, satellite_days)
    modes = {sat["node_id"]: sat["mode"] for sat in doc["satellites"]}
    referenced = {doc["network"]["default_equipment_profile_id"]}
    referenced |= {n["equipment_profile_id"] for n in doc["nodes"]}
    referenced |= {x["equipment_profile_id"] for x in doc["links"]}
    profile_rows = session.scalars(select(EquipmentProfileRow).where(
        EquipmentProfileRow.id.in_([p for p in referenced if p is not None]))).all()
    profiles = [EquipmentProfileSpec(
        id=p.id, protocol=Protocol(p.protocol), name=p.name, system=dict(p.system or {}),
        finite_key=None if p.finite_key is None else dict(p.finite_key),
        max_channel_loss_db=p.max_channel_loss_db, provenance=p.provenance,
        builtin=p.builtin) for p in profile_rows]
    snapshot = NetworkSnapshot.build(
        nodes=[NodeSpec(**{k: n[k] for k in NODE_SPEC_FIELDS},
                        satellite_mode=modes.get(n["id"])) for n in doc["nodes"]],
        links=[*(LinkSpec(**{k: x[k] for k in LINK_SPEC_FIELDS}) for x in doc["links"]),
               *relay_links],
        demands=[DemandSpec(id=d["id"], a_node_id=d["a_node_id"], b_node_id=d["b_node_id"],
                            required_key_rate_bps=d["required_key_rate_bps"],
                            priority=d["priority"]) for d in doc["demands"]],
        equipment_profiles=profiles,
        network_id=network_id, version=doc["network"]["version"], name=doc["network"]["name"],
        route_factor=doc["network"]["route_factor"],
        default_equipment_profile_id=doc["network"]["default_equipment_profile_id"],
    )
    canonical = {k: v for k, v in doc.items() if k != "network"}
    canonical["network"] = {k: v for k, v in doc["network"].items()
                            if k not in ("version", "created_at", "updated_at")}
    canonical["profiles"] = sorted(
        ({"id": p.id, "protocol": str(p.protocol), "system": dict(p.system),
          "finite_key": p.finite_key and dict(p.finite_key),
          "max_channel_loss_db": p.max_channel_loss_db} for p in profiles),
        key=lambda p: p["id"])
    canonical["satellite_days"] = satellite_days
    canonical["virtual_links"] = {str(k): v for k, v in virtual.items()}
    return snapshot, canonical


def input_hash(canonical: dict[str, Any], parameters: dict[str, Any]) -> str:
    """SHA-256 over the snapshot's content, the parameters and the engine version."""
    payload = json.dumps({"network": canonical, "parameters": parameters,
                          "engine": ENGINE_VERSION}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def parse_params(parameters: dict[str, Any]) -> AnalysisParams:
    return AnalysisParams(
        objective=RoutingObjective(parameters["objective"]),
        k_paths=parameters["k_paths"],
        failure_scenarios=tuple(FailureScenario(s) for s in parameters["failure_scenarios"]),
        statuses=tuple(LinkStatus(s) for s in parameters["statuses"]),
    )


def compute(snapshot: NetworkSnapshot, params: AnalysisParams,
            virtual: dict[int, dict[str, int]] | None = None) -> dict[str, Any]:
    """Pure: the analysis result in the API's JSON shape."""
    rates = PrefetchedRateModel()
    rates.prefetch(snapshot, params.statuses)
    return result_json(run_analysis(snapshot, params, rates), virtual)


def virtual_links(canonical: dict[str, Any]) -> dict[int, dict[str, int]]:
    return {int(k): v for k, v in canonical.get("virtual_links", {}).items()}


# ---------------------------------------------------------------- JSON shape
def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _route_json(route: Route) -> dict[str, Any]:
    via_satellite = any(i < 0 for i in route.link_ids)
    return {"node_ids": list(route.node_ids), "link_ids": [i for i in route.link_ids if i >= 0],
            "bottleneck_bps": _plain(route.bottleneck_bps),
            "loss_db": None if via_satellite else _plain(route.loss_db),
            "trusted_node_ids": list(route.trusted_node_ids)}


def result_json(result: AnalysisResult,
                virtual: dict[int, dict[str, int]] | None = None) -> dict[str, Any]:
    """The API shape. Virtual satellite-station edges (negative ids) are not stored spans:
    they are left out of ``links`` and of every ``link_ids``; a QKD link made of one carries
    ``satellite_id`` and a null loss (the loss varies over each pass)."""
    virtual = virtual or {}
    qkd_links = []
    for q in result.qkd_links:
        sat = next((virtual[i] for i in q.link_ids if i in virtual), None)
        qkd_links.append(_plain({
            "a_node_id": q.a_node_id, "b_node_id": q.b_node_id,
            "link_ids": [i for i in q.link_ids if i >= 0],
            "satellite_id": None if sat is None else sat["satellite_id"],
            "via_node_ids": q.via_node_ids, "loss_db": None if sat else q.loss_db,
            "key_rate_bps": q.key_rate_bps,
            "protocol": q.protocol, "equipment_profile_id": q.equipment_profile_id,
            "feasible": q.feasible, "reason": q.reason,
            "loss_headroom_db": q.loss_headroom_db,
            "used_key_rate_bps": q.used_key_rate_bps, "utilization": q.utilization}))
    links = [_plain({
        "link_id": x.link_id,
        "loss_budget": {"items": [asdict(i) for i in x.loss_budget.items],
                        "total_db": x.loss_budget.total_db},
        "key_rate_bps": x.key_rate_bps, "feasible": x.feasible,
        "loss_headroom_db": x.loss_headroom_db, "reason": x.reason}) for x in result.links
        if x.link_id >= 0]
    demands = []
    for d in result.demands:
        demands.append(_plain({
            "demand_id": d.demand_id, "satisfied": d.satisfied,
            "allocated_key_rate_bps": d.allocated_key_rate_bps, "max_flow_bps": d.max_flow_bps,
            "routes": [_route_json(r) for r in d.routes],
            "exposed_trusted_node_ids": d.exposed_trusted_node_ids,
            "nodes_to_compromise": d.nodes_to_compromise,
            "multipath_xor_rate_bps": d.multipath_xor_rate_bps,
            "blocking_reason": d.blocking_reason, "shortfall_bps": d.shortfall_bps,
            "remedies": [asdict(r) if is_dataclass(r) else r for r in d.remedies]}))
    summary = result.summary
    return {
        "summary": _plain({"lambda": summary.lambda_, "demands_total": summary.demands_total,
                           "demands_satisfied": summary.demands_satisfied,
                           "single_failure_survival_fraction":
                               summary.single_failure_survival_fraction}),
        "links": links,
        "qkd_links": qkd_links,
        "demands": demands,
        "nodes": [_plain({"node_id": n.node_id, "relayed_key_rate_bps": n.relayed_key_rate_bps,
                          "exposed_demand_ids": n.exposed_demand_ids}) for n in result.nodes],
        "resilience": [_plain({"scenario": r.scenario, "element": r.element,
                               "demand_ids_below_requirement": r.demand_ids_below_requirement})
                       for r in result.resilience],
    }


# ---------------------------------------------------------------- use cases
def new_analysis_row(session: Session, network_id: int, parameters: dict[str, Any]
                     ) -> tuple[AnalysisRow, NetworkSnapshot, dict[int, dict[str, int]]]:
    snapshot, canonical = load_snapshot(session, network_id,
                                        parameters.get("satellite_averaging_days", 7))
    row = AnalysisRow(
        network_id=network_id, network_version=snapshot.version,
        input_hash=input_hash(canonical, parameters), engine_version=ENGINE_VERSION,
        parameters=parameters, status="running", progress=0.0, created_at=utcnow())
    session.add(row)
    session.flush()
    return row, snapshot, virtual_links(canonical)


def finish(row: AnalysisRow, result: dict[str, Any] | None, error: str | None) -> None:
    row.result = result
    row.error = error
    row.status = "succeeded" if error is None else "failed"
    row.progress = 1.0
    row.finished_at = utcnow()


def get_analysis(session: Session, analysis_id: int) -> AnalysisRow:
    row = session.get(AnalysisRow, analysis_id)
    if row is None:
        raise NotFoundError(f"Analysis {analysis_id} does not exist.")
    return row


def analysis_view(row: AnalysisRow) -> dict[str, Any]:
    result = row.result or {}
    return {
        "id": row.id, "network_id": row.network_id, "network_version": row.network_version,
        "input_hash": row.input_hash, "engine_version": row.engine_version,
        "parameters": row.parameters, "status": row.status, "progress": row.progress,
        "error": row.error, "created_at": as_utc(row.created_at),
        "finished_at": None if row.finished_at is None else as_utc(row.finished_at),
        "summary": result.get("summary"), "links": result.get("links", []),
        "qkd_links": result.get("qkd_links", []), "demands": result.get("demands", []),
        "nodes": result.get("nodes", []), "resilience": result.get("resilience", []),
    }


class RoutingIndexCache:
    """The routing indexes of the last few network states, for ``GET .../routes``: loading a
    1,000-node network and forming its QKD links takes ~0.6 s, a route query on the index
    ~20 ms. Keyed by the state's identity (database, network id, version and creation time,
    and every equipment profile's id, version and creation time): any write to the network
    or to a profile gives a new key, so a cached index is never stale."""

    def __init__(self, size: int = 4) -> None:
        self._size = size
        self._items: OrderedDict[tuple[Any, ...], RoutingIndex] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> RoutingIndex | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: tuple[Any, ...], index: RoutingIndex) -> None:
        with self._lock:
            self._items[key] = index
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


routing_indexes = RoutingIndexCache()


def _state_key(session: Session, network_id: int) -> tuple[Any, ...]:
    network = get_network(session, network_id)
    profiles = session.execute(select(
        EquipmentProfileRow.id, EquipmentProfileRow.version, EquipmentProfileRow.created_at
    ).order_by(EquipmentProfileRow.id)).all()
    return (str(session.get_bind().engine.url), network_id, network.version, network.created_at,
            tuple(tuple(p) for p in profiles))


def routing_index(session: Session, network_id: int) -> RoutingIndex:
    """The routing index of the network as stored now (default statuses), cached."""
    key = _state_key(session, network_id)
    index = routing_indexes.get(key)
    if index is None:
        snapshot, _ = load_snapshot(session, network_id)
        rates = PrefetchedRateModel()
        rates.prefetch(snapshot, DEFAULT_STATUSES)
        index = RoutingIndex(build_qkd_graph(snapshot, rates, DEFAULT_STATUSES))
        routing_indexes.put(key, index)
    return index


def routes(session: Session, network_id: int, source: int, target: int, objective: str, k: int
           ) -> list[dict[str, Any]]:
    index = routing_index(session, network_id)
    nodes = index.graph.snapshot.nodes
    for name, node_id in (("source", source), ("target", target)):
        node = nodes.get(node_id)
        if node is None:
            raise InvalidInputError(f"{name} {node_id} is not a node of network {network_id}",
                                    [FieldProblem(detail="no such node", parameter=name)])
        if not node.holds_key:
            raise InvalidInputError(f"{name} {node_id} ({node.role}) holds no key",
                                    [FieldProblem(detail="not a key-holding node",
                                                  parameter=name)])
    if source == target:
        raise InvalidInputError("source and target are the same node",
                                [FieldProblem(detail="must differ from source",
                                              parameter="target")])
    found = k_best_routes(index, source, target, RoutingObjective(objective), k)
    return [_route_json(r) for r in found]
