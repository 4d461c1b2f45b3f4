"""Use cases of the topology store: networks, nodes, links, demands (API-CONTRACT.md §1–2).

Every write bumps the resource's own version and its network's version. Services flush; the
request's unit of work commits, so a rejected request writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from qnetplan.errors import ConflictError, FieldProblem, NotFoundError, ProblemCollector
from qnetplan.services.concurrency import check_if_match
from qnetplan.services.rules import apply_role_rules, check_link_medium_fields, holds_key
from qnetplan.storage import repositories as repo
from qnetplan.storage.models import DemandRow, LinkRow, NetworkRow, NodeRow, utcnow

NODE_ROLE_FIELDS = ("insertion_loss_db", "bypass", "bypass_loss_db", "relays_key",
                    "ground_station")


@dataclass(frozen=True)
class PageRequest:
    limit: int = 100
    offset: int = 0


def touch(network: NetworkRow) -> None:
    """Every write inside a network bumps its version (API-CONTRACT.md §1)."""
    network.version += 1
    network.updated_at = utcnow()


def _bump(row: NodeRow | LinkRow | DemandRow) -> None:
    row.version += 1


def _add_child(session: Session, network: NetworkRow, row: Any) -> Any:
    """Insert a new child of ``network`` (a write inside it: its version moves)."""
    session.add(row)
    touch(network)
    session.flush()
    return row


# ---------------------------------------------------------------- networks
def get_network(session: Session, network_id: int) -> NetworkRow:
    row = session.get(NetworkRow, network_id)
    if row is None:
        raise NotFoundError(f"Network {network_id} does not exist.")
    return row


def list_networks(session: Session, page: PageRequest) -> tuple[list[NetworkRow], int]:
    rows, total = repo.page(session, NetworkRow, [], page.limit, page.offset)
    return rows, total


def check_profile_ref(session: Session, profile_id: int | None, pointer: str,
                      problems: ProblemCollector) -> None:
    if profile_id is not None and repo.profile(session, profile_id) is None:
        problems.add(pointer, f"equipment profile {profile_id} does not exist")


def create_network(session: Session, values: dict[str, Any]) -> NetworkRow:
    problems = ProblemCollector()
    check_profile_ref(session, values.get("default_equipment_profile_id"),
                      "/default_equipment_profile_id", problems)
    problems.raise_if_any()
    row = NetworkRow(**values, version=1)
    session.add(row)
    session.flush()
    return row


def update_network(session: Session, network_id: int, changes: dict[str, Any],
                   if_match: str | None) -> NetworkRow:
    row = get_network(session, network_id)
    check_if_match(if_match, row.version)
    problems = ProblemCollector()
    if "default_equipment_profile_id" in changes:
        check_profile_ref(session, changes["default_equipment_profile_id"],
                          "/default_equipment_profile_id", problems)
    problems.raise_if_any()
    for name, value in changes.items():
        setattr(row, name, value)
    touch(row)
    session.flush()
    return row


def delete_network(session: Session, network_id: int, if_match: str | None) -> None:
    row = get_network(session, network_id)
    check_if_match(if_match, row.version)
    session.delete(row)
    session.flush()


# ---------------------------------------------------------------- nodes
def get_node(session: Session, network_id: int, node_id: int) -> NodeRow:
    get_network(session, network_id)
    row = repo.child(session, NodeRow, network_id, node_id)
    if row is None:
        raise NotFoundError(f"Node {node_id} does not exist in network {network_id}.")
    return row


def list_children(session: Session, model: Any, network_id: int, page: PageRequest
                  ) -> tuple[list[Any], int]:
    get_network(session, network_id)
    return repo.page(session, model, [model.network_id == network_id], page.limit,
                     page.offset)


def _check_node_values(session: Session, network_id: int, values: dict[str, Any],
                       checked: set[str], node_id: int | None, pointer_prefix: str = ""
                       ) -> dict[str, Any]:
    problems = ProblemCollector()
    if "role" in checked and values["role"] == "satellite":
        problems.add(f"{pointer_prefix}/role",
                     "satellite nodes are created by the satellites resource")
    check_profile_ref(session, values.get("equipment_profile_id"),
                      f"{pointer_prefix}/equipment_profile_id", problems)
    out = apply_role_rules(values, checked, problems, pointer_prefix)
    if node_id is not None and "role" in checked and not holds_key(values["role"]):
        used_by = [d.id for d in repo.demands_of_node(session, node_id)]
        if used_by:
            problems.add(f"{pointer_prefix}/role",
                         f"demands {used_by} need this node to hold key; a {values['role']} "
                         "node holds none")
    problems.raise_if_any()
    if "name" in checked and repo.node_name_taken(session, network_id, values["name"], node_id):
        message = f"A node named {values['name']!r} already exists in network {network_id}."
        raise ConflictError(message, [FieldProblem(detail=message,
                                                   pointer=f"{pointer_prefix}/name")])
    return out


def create_node(session: Session, network_id: int, values: dict[str, Any]) -> NodeRow:
    network = get_network(session, network_id)
    clean = _check_node_values(session, network_id, values, set(values), None)
    return _add_child(session, network, NodeRow(network_id=network_id, version=1, **clean))


def update_node(session: Session, network_id: int, node_id: int, changes: dict[str, Any],
                if_match: str | None) -> NodeRow:
    row = get_node(session, network_id, node_id)
    check_if_match(if_match, row.version)
    if row.role == "satellite" and "role" in changes and changes["role"] != "satellite":
        problems = ProblemCollector()
        problems.add("/role", "a satellite node's role is fixed by its satellite")
        problems.raise_if_any()
    merged = {name: getattr(row, name) for name in ("name", "role", *NODE_ROLE_FIELDS)}
    if changes.get("role", row.role) != row.role:
        # A new role starts from that role's defaults for the fields the patch leaves out.
        for name in NODE_ROLE_FIELDS:
            merged[name] = None
    merged.update(changes)
    checked = set(changes)
    if row.role == "satellite":
        checked.discard("role")
    clean = _check_node_values(session, network_id, merged, checked, node_id)
    for name, value in changes.items():
        setattr(row, name, value)
    for name in NODE_ROLE_FIELDS:
        setattr(row, name, clean[name])
    _bump(row)
    touch(row.network)
    session.flush()
    return row


def delete_node(session: Session, network_id: int, node_id: int, cascade: bool,
                if_match: str | None) -> None:
    row = get_node(session, network_id, node_id)
    check_if_match(if_match, row.version)
    if row.role == "satellite":
        raise ConflictError("A satellite node is deleted with its satellite.")
    links = repo.links_of_node(session, node_id)
    demands = repo.demands_of_node(session, node_id)
    if (links or demands) and not cascade:
        raise ConflictError(
            f"Node {node_id} is used by links {[x.id for x in links]} and demands "
            f"{[d.id for d in demands]}; delete them first or pass ?cascade=true."
        )
    for dependent in (*links, *demands):
        session.delete(dependent)
    touch(row.network)
    session.delete(row)
    session.flush()


# ---------------------------------------------------------------- links and demands
def _check_ends(session: Session, network_id: int, values: dict[str, Any], checked: set[str],
                problems: ProblemCollector, pointer_prefix: str, need_key: bool,
                nodes: dict[int, NodeRow] | None = None) -> None:
    for end in ("a_node_id", "b_node_id"):
        node_id = values[end]
        node = nodes.get(node_id) if nodes is not None else repo.child(
            session, NodeRow, network_id, node_id)
        if node is None:
            problems.add(f"{pointer_prefix}/{end}",
                         f"node {node_id} does not exist in network {network_id}")
        elif need_key and not holds_key(node.role) and end in checked:
            problems.add(f"{pointer_prefix}/{end}",
                         f"node {node_id} ({node.role}) holds no key; a demand joins two "
                         "key-holding nodes")
    if values["a_node_id"] == values["b_node_id"] and checked & {"a_node_id", "b_node_id"}:
        problems.add(f"{pointer_prefix}/b_node_id", "must differ from a_node_id")


def check_link_values(session: Session, network_id: int, values: dict[str, Any],
                      checked: set[str], pointer_prefix: str = "",
                      nodes: dict[int, NodeRow] | None = None) -> dict[str, Any]:
    problems = ProblemCollector()
    _check_ends(session, network_id, values, checked, problems, pointer_prefix, False, nodes)
    check_profile_ref(session, values.get("equipment_profile_id"),
                      f"{pointer_prefix}/equipment_profile_id", problems)
    out = check_link_medium_fields(values, checked, problems, pointer_prefix)
    problems.raise_if_any()
    return out


def get_link(session: Session, network_id: int, link_id: int) -> LinkRow:
    get_network(session, network_id)
    row = repo.child(session, LinkRow, network_id, link_id)
    if row is None:
        raise NotFoundError(f"Link {link_id} does not exist in network {network_id}.")
    return row


def create_link(session: Session, network_id: int, values: dict[str, Any]) -> LinkRow:
    network = get_network(session, network_id)
    clean = check_link_values(session, network_id, values, set(values))
    return _add_child(session, network, LinkRow(network_id=network_id, version=1, **clean))


def update_link(session: Session, network_id: int, link_id: int, changes: dict[str, Any],
                if_match: str | None) -> LinkRow:
    row = get_link(session, network_id, link_id)
    check_if_match(if_match, row.version)
    merged = {name: getattr(row, name) for name in
              ("a_node_id", "b_node_id", "medium", "attenuation_db_per_km",
               "equipment_profile_id")}
    merged.update(changes)
    clean = check_link_values(session, network_id, merged, set(changes))
    for name, value in changes.items():
        setattr(row, name, value)
    row.attenuation_db_per_km = clean["attenuation_db_per_km"]
    _bump(row)
    touch(row.network)
    session.flush()
    return row


def delete_link(session: Session, network_id: int, link_id: int, if_match: str | None) -> None:
    row = get_link(session, network_id, link_id)
    check_if_match(if_match, row.version)
    touch(row.network)
    session.delete(row)
    session.flush()


def check_demand_values(session: Session, network_id: int, values: dict[str, Any],
                        checked: set[str], pointer_prefix: str = "",
                        nodes: dict[int, NodeRow] | None = None) -> None:
    problems = ProblemCollector()
    _check_ends(session, network_id, values, checked, problems, pointer_prefix, True, nodes)
    problems.raise_if_any()


def get_demand(session: Session, network_id: int, demand_id: int) -> DemandRow:
    get_network(session, network_id)
    row = repo.child(session, DemandRow, network_id, demand_id)
    if row is None:
        raise NotFoundError(f"Demand {demand_id} does not exist in network {network_id}.")
    return row


def create_demand(session: Session, network_id: int, values: dict[str, Any]) -> DemandRow:
    network = get_network(session, network_id)
    check_demand_values(session, network_id, values, set(values))
    return _add_child(session, network, DemandRow(network_id=network_id, version=1, **values))


def update_demand(session: Session, network_id: int, demand_id: int, changes: dict[str, Any],
                  if_match: str | None) -> DemandRow:
    row = get_demand(session, network_id, demand_id)
    check_if_match(if_match, row.version)
    merged = {"a_node_id": row.a_node_id, "b_node_id": row.b_node_id, **changes}
    check_demand_values(session, network_id, merged, set(changes))
    for name, value in changes.items():
        setattr(row, name, value)
    _bump(row)
    touch(row.network)
    session.flush()
    return row


def delete_demand(session: Session, network_id: int, demand_id: int,
                  if_match: str | None) -> None:
    row = get_demand(session, network_id, demand_id)
    check_if_match(if_match, row.version)
    touch(row.network)
    session.delete(row)
    session.flush()
