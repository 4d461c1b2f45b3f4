"""Small builders for hand-made networks in the engine tests (not a test module)."""

from __future__ import annotations

from typing import Any

from qnetplan.domain import (
    DemandSpec,
    EquipmentProfileSpec,
    KeyRateEval,
    LinkSpec,
    LinkStatus,
    NetworkSnapshot,
    NodeRole,
    NodeSpec,
    Protocol,
)

#: A fake profile: key rate = RATE0 * 10^(-loss/10), cutoff CUTOFF dB.
RATE0 = 1.0e6
CUTOFF_DB = 40.0


def fake_rate_model(profile: EquipmentProfileSpec, loss_db: float,
                    relay_position_fraction: float | None) -> KeyRateEval:
    rate0 = float(profile.system.get("rate0_bps", RATE0))
    cutoff = float(profile.system.get("cutoff_db", CUTOFF_DB))
    rate = rate0 * 10.0 ** (-loss_db / 10.0) if loss_db <= cutoff else 0.0
    return KeyRateEval(key_rate_bps=rate, max_channel_loss_db=cutoff, model="fake")


def profile(pid: int = 1, protocol: Protocol = Protocol.BB84_DECOY, **system: Any
            ) -> EquipmentProfileSpec:
    return EquipmentProfileSpec(id=pid, protocol=protocol, name=f"p{pid}", system=system)


def node(nid: int, role: NodeRole | str = NodeRole.TRUSTED_NODE, **kw: Any) -> NodeSpec:
    return NodeSpec(id=nid, role=NodeRole(role), name=f"n{nid}", **kw)


def link(lid: int, a: int, b: int, km: float = 10.0, **kw: Any) -> LinkSpec:
    kw.setdefault("status", LinkStatus.EXISTING)
    return LinkSpec(id=lid, a_node_id=a, b_node_id=b, effective_length_km=km, length_km=km, **kw)


def rated(lid: int, a: int, b: int, rate_bps: float, km: float = 10.0, **kw: Any) -> LinkSpec:
    """A span whose QKD link rate is fixed by an override (loss still from ``km``)."""
    return link(lid, a, b, km, key_rate_override_bps=rate_bps, **kw)


def demand(did: int, a: int, b: int, req: float, priority: int = 1) -> DemandSpec:
    return DemandSpec(id=did, a_node_id=a, b_node_id=b, required_key_rate_bps=req,
                      priority=priority)


def snapshot(nodes: list[NodeSpec], links: list[LinkSpec], demands: list[DemandSpec] = (),  # type: ignore[assignment]
             profiles: list[EquipmentProfileSpec] = (),  # type: ignore[assignment]
             default_profile: int | None = None) -> NetworkSnapshot:
    return NetworkSnapshot.build(nodes=nodes, links=links, demands=demands,
                                 equipment_profiles=profiles,
                                 default_equipment_profile_id=default_profile)


def trusted(*ids: int) -> list[NodeSpec]:
    return [node(i) for i in ids]
