"""Equipment profiles: the built-in catalogue (read-only) and planners' own profiles."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qnetplan.errors import ConflictError, NotFoundError
from qnetplan.services.concurrency import check_if_match
from qnetplan.services.topology import PageRequest
from qnetplan.storage import repositories as repo
from qnetplan.storage.models import EquipmentProfileRow, utcnow

# Validates a profile's (protocol, system, finite_key) against the calculator's field table;
# raises InvalidInputError with pointers. Installed by the calculator wiring.
ProfileValidator = Callable[[str, dict[str, Any], dict[str, Any] | None], None]


def _validate(values: dict[str, Any], validator: ProfileValidator | None) -> None:
    if validator is not None:
        validator(values["protocol"], values.get("system") or {}, values.get("finite_key"))


def get_profile(session: Session, profile_id: int) -> EquipmentProfileRow:
    row = repo.profile(session, profile_id)
    if row is None:
        raise NotFoundError(f"Equipment profile {profile_id} does not exist.")
    return row


def list_profiles(session: Session, page: PageRequest) -> tuple[list[Any], int]:
    return repo.page(session, EquipmentProfileRow, [], page.limit, page.offset)


def create_profile(session: Session, values: dict[str, Any],
                   validator: ProfileValidator | None = None) -> EquipmentProfileRow:
    _validate(values, validator)
    row = EquipmentProfileRow(**values, builtin=False, version=1)
    session.add(row)
    session.flush()
    return row


def update_profile(session: Session, profile_id: int, changes: dict[str, Any],
                   if_match: str | None, validator: ProfileValidator | None = None
                   ) -> EquipmentProfileRow:
    row = get_profile(session, profile_id)
    if row.builtin:
        raise ConflictError(f"Equipment profile {profile_id} is built in and cannot be changed; "
                            "create your own profile instead.")
    check_if_match(if_match, row.version)
    merged = {"protocol": row.protocol, "system": row.system, "finite_key": row.finite_key,
              **changes}
    _validate(merged, validator)
    for name, value in changes.items():
        setattr(row, name, value)
    row.version += 1
    row.updated_at = utcnow()
    session.flush()
    return row


def delete_profile(session: Session, profile_id: int, if_match: str | None) -> None:
    row = get_profile(session, profile_id)
    if row.builtin:
        raise ConflictError(f"Equipment profile {profile_id} is built in and cannot be deleted.")
    check_if_match(if_match, row.version)
    if repo.profile_in_use(session, profile_id):
        raise ConflictError(f"Equipment profile {profile_id} is used by a network, node or "
                            "link; point them elsewhere first.")
    session.delete(row)
    session.flush()


def sync_builtin_profiles(session: Session, catalogue: list[dict[str, Any]]) -> int:
    """Insert or refresh the built-in catalogue by its stable ``key`` (ids stay stable)."""
    existing = {
        row.builtin_key: row
        for row in session.scalars(
            select(EquipmentProfileRow).where(EquipmentProfileRow.builtin.is_(True))
        )
    }
    for entry in catalogue:
        values = {k: entry[k] for k in ("name", "protocol", "system", "finite_key",
                                         "max_channel_loss_db", "provenance")}
        row = existing.get(entry["key"])
        if row is None:
            session.add(EquipmentProfileRow(**values, builtin=True, builtin_key=entry["key"],
                                            version=1))
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            row.version += 1
            row.updated_at = utcnow()
    session.flush()
    return len(catalogue)
