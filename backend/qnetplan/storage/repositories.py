"""Queries over the topology store. Repositories only read and flush; the request commits."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from qnetplan.storage.models import (
    DemandRow,
    EquipmentProfileRow,
    LinkRow,
    NetworkRow,
    NodeRow,
    SatelliteRow,
)

RowT = TypeVar("RowT", NodeRow, LinkRow, DemandRow)


def page(session: Session, model: Any, where: Sequence[Any], limit: int, offset: int
         ) -> tuple[list[Any], int]:
    total = session.scalar(select(func.count()).select_from(model).where(*where)) or 0
    rows = session.scalars(
        select(model).where(*where).order_by(model.id).limit(limit).offset(offset)
    ).all()
    return list(rows), int(total)


def child(session: Session, model: type[RowT], network_id: int, child_id: int) -> RowT | None:
    row = session.get(model, child_id)
    if row is None or row.network_id != network_id:
        return None
    return row


def nodes_by_id(session: Session, network_id: int) -> dict[int, NodeRow]:
    rows = session.scalars(select(NodeRow).where(NodeRow.network_id == network_id)).all()
    return {row.id: row for row in rows}


def node_name_taken(session: Session, network_id: int, name: str, except_id: int | None) -> bool:
    stmt = select(NodeRow.id).where(NodeRow.network_id == network_id, NodeRow.name == name)
    if except_id is not None:
        stmt = stmt.where(NodeRow.id != except_id)
    return session.scalar(stmt.limit(1)) is not None


def links_of_node(session: Session, node_id: int) -> list[LinkRow]:
    return list(session.scalars(
        select(LinkRow).where(or_(LinkRow.a_node_id == node_id, LinkRow.b_node_id == node_id))
    ).all())


def demands_of_node(session: Session, node_id: int) -> list[DemandRow]:
    return list(session.scalars(
        select(DemandRow).where(
            or_(DemandRow.a_node_id == node_id, DemandRow.b_node_id == node_id)
        )
    ).all())


def profile_in_use(session: Session, profile_id: int) -> bool:
    columns = (NetworkRow.default_equipment_profile_id, NodeRow.equipment_profile_id,
               LinkRow.equipment_profile_id, SatelliteRow.equipment_profile_id)
    return any(
        session.scalar(select(func.count()).where(column == profile_id))
        for column in columns
    )


def profile(session: Session, profile_id: int) -> EquipmentProfileRow | None:
    return session.get(EquipmentProfileRow, profile_id)
