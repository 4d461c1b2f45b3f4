"""Role rules of API-CONTRACT.md §2: which node fields apply to which role, and which roles
hold key. Pure functions over plain values, shared by the CRUD and document services."""

from __future__ import annotations

import json
from typing import Any

from qnetplan.domain.network import DEFAULT_INSERTION_LOSS_DB
from qnetplan.errors import ProblemCollector

KEY_HOLDING_ROLES = frozenset({"endpoint", "trusted_node", "ground_station", "satellite"})
TRANSPARENT_ROLES = frozenset(
    {"optical_switch", "roadm", "untrusted_relay", "entanglement_source"}
)

# Role-specific node fields: (the roles they apply to, their value for every other role).
ROLE_FIELDS: dict[str, tuple[frozenset[str], Any]] = {
    "insertion_loss_db": (TRANSPARENT_ROLES, None),
    "bypass": (frozenset({"amplifier"}), False),
    "bypass_loss_db": (frozenset({"amplifier"}), 1.5),
    "relays_key": (frozenset({"endpoint"}), False),
    "ground_station": (frozenset({"ground_station"}), None),
}


def holds_key(role: str) -> bool:
    return role in KEY_HOLDING_ROLES


def apply_role_rules(
    values: dict[str, Any],
    checked: set[str],
    problems: ProblemCollector,
    pointer_prefix: str = "",
) -> dict[str, Any]:
    """Check the role-specific fields in ``checked`` against ``values["role"]`` and return the
    values with inapplicable fields at their canonical value and role defaults filled in.

    A field of another role may be sent only at its default or ``null`` (so any GET body is a
    valid PUT); anything else is a problem with a pointer to the field.
    """
    role = values["role"]
    out = dict(values)
    for name, (roles, default) in ROLE_FIELDS.items():
        if role in roles:
            continue
        value = out.get(name)
        if name in checked and value is not None and value != default:
            problems.add(
                f"{pointer_prefix}/{name}",
                f"applies to role(s) {', '.join(sorted(roles))} only; a {role} node takes "
                f"{json.dumps(default)} or null",
            )
        out[name] = default
    if role in TRANSPARENT_ROLES and out.get("insertion_loss_db") is None:
        out["insertion_loss_db"] = DEFAULT_INSERTION_LOSS_DB[role]
    for name in ("bypass", "relays_key"):
        if out.get(name) is None:
            out[name] = False
    if out.get("bypass_loss_db") is None:
        out["bypass_loss_db"] = 1.5
    return out


def check_link_medium_fields(
    values: dict[str, Any], checked: set[str], problems: ProblemCollector, pointer_prefix: str = ""
) -> dict[str, Any]:
    """``attenuation_db_per_km`` is a fiber field: a free-space span takes it only at 0.2 or
    null (its loss comes from the free-space budget or ``extra_loss_db``)."""
    out = dict(values)
    if out.get("medium") == "free_space":
        value = out.get("attenuation_db_per_km")
        if "attenuation_db_per_km" in checked and value not in (None, 0.2):
            problems.add(
                f"{pointer_prefix}/attenuation_db_per_km",
                "applies to fiber links only; a free_space link takes 0.2 or null",
            )
        out["attenuation_db_per_km"] = 0.2
    elif out.get("attenuation_db_per_km") is None:
        out["attenuation_db_per_km"] = 0.2
    return out
