"""Immutable network snapshot: what the engine analyses (storage rows map onto these).

Field names and units follow API-CONTRACT.md §2 and docs/nomenclature.md. Read-only fields that
the services compute (``effective_length_km``) are plain inputs here: the engine never looks up
geography or settings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from qnetplan.domain.enums import LinkMedium, LinkStatus, NodeRole, Protocol, SatelliteMode

#: Insertion loss of one pass when a transparent node leaves ``insertion_loss_db`` null
#: (docs/nomenclature.md: switch 1.0 dB, ROADM 6.0 dB, relay/source 0).
DEFAULT_INSERTION_LOSS_DB: Mapping[NodeRole, float] = MappingProxyType({
    NodeRole.OPTICAL_SWITCH: 1.0,
    NodeRole.ROADM: 6.0,
    NodeRole.UNTRUSTED_RELAY: 0.0,
    NodeRole.ENTANGLEMENT_SOURCE: 0.0,
    NodeRole.SATELLITE: 0.0,
    NodeRole.REPEATER: 0.0,
})

_KEY_HOLDING = frozenset({NodeRole.ENDPOINT, NodeRole.TRUSTED_NODE, NodeRole.GROUND_STATION})
_TRANSPARENT = frozenset({NodeRole.OPTICAL_SWITCH, NodeRole.ROADM, NodeRole.UNTRUSTED_RELAY,
                          NodeRole.ENTANGLEMENT_SOURCE})


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeSpec:
    """A site (API-CONTRACT.md §2 node)."""

    id: int
    role: NodeRole
    name: str = ""
    latitude_deg: float = 0.0
    longitude_deg: float = 0.0
    altitude_m: float = 0.0
    equipment_profile_id: int | None = None
    insertion_loss_db: float | None = None
    bypass: bool = False
    bypass_loss_db: float = 1.5
    relays_key: bool = False
    #: only for role ``satellite`` (from the satellites resource); null means trusted relay
    satellite_mode: SatelliteMode | None = None

    def __post_init__(self) -> None:  # accept plain strings for the enums
        object.__setattr__(self, "role", NodeRole(self.role))
        if self.satellite_mode is not None:
            object.__setattr__(self, "satellite_mode", SatelliteMode(self.satellite_mode))

    @property
    def holds_key(self) -> bool:
        if self.role is NodeRole.SATELLITE:
            return self.satellite_mode is not SatelliteMode.ENTANGLEMENT_SOURCE
        return self.role in _KEY_HOLDING

    @property
    def relays(self) -> bool:
        """May sit inside a route as a key-holding relay (an endpoint only with ``relays_key``)."""
        if not self.holds_key:
            return False
        return self.relays_key if self.role is NodeRole.ENDPOINT else True

    @property
    def is_transparent(self) -> bool:
        """Passes quantum signals inside a QKD link (switch, ROADM, bypassed amplifier,
        untrusted relay, entanglement source, entanglement-source satellite)."""
        if self.role is NodeRole.AMPLIFIER:
            return self.bypass
        if self.role is NodeRole.SATELLITE:
            return not self.holds_key
        return self.role in _TRANSPARENT

    @property
    def is_untrusted_station(self) -> bool:
        """An MDI/TF measurement station or an entanglement source (sets the relay position)."""
        return self.role in (NodeRole.UNTRUSTED_RELAY, NodeRole.ENTANGLEMENT_SOURCE) or (
            self.role is NodeRole.SATELLITE and not self.holds_key)

    @property
    def blocks_light(self) -> bool:
        """Sits in the optical path but stops quantum signals (amplifier without bypass) or is
        not modelled yet (repeater)."""
        return (self.role is NodeRole.AMPLIFIER and not self.bypass) or (
            self.role is NodeRole.REPEATER)

    @property
    def pass_loss_db(self) -> float:
        """Loss of one pass through this node when it is transparent [dB]."""
        if self.role is NodeRole.AMPLIFIER:
            return self.bypass_loss_db if self.bypass else 0.0
        if self.insertion_loss_db is not None:
            return self.insertion_loss_db
        return DEFAULT_INSERTION_LOSS_DB.get(self.role, 0.0)


@dataclass(frozen=True, slots=True, kw_only=True)
class LinkSpec:
    """A physical span (API-CONTRACT.md §2 link). ``effective_length_km`` is the length the
    budget uses (``length_km``, or geodesic × route factor, computed by the services)."""

    id: int
    a_node_id: int
    b_node_id: int
    effective_length_km: float
    medium: LinkMedium = LinkMedium.FIBER
    length_km: float | None = None
    attenuation_db_per_km: float = 0.2
    connector_count: int = 0
    loss_per_connector_db: float = 0.3
    splice_count: int = 0
    loss_per_splice_db: float = 0.05
    insertion_loss_db: float = 0.0
    extra_loss_db: float = 0.0
    ageing_margin_db: float = 0.0
    status: LinkStatus = LinkStatus.PLANNED
    shared_risk_groups: tuple[str, ...] = ()
    equipment_profile_id: int | None = None
    key_rate_override_bps: float | None = None
    relay_position_fraction: float = 0.5

    def __post_init__(self) -> None:
        object.__setattr__(self, "medium", LinkMedium(self.medium))
        object.__setattr__(self, "status", LinkStatus(self.status))
        object.__setattr__(self, "shared_risk_groups", tuple(self.shared_risk_groups))


@dataclass(frozen=True, slots=True, kw_only=True)
class EquipmentProfileSpec:
    """QKD equipment (API-CONTRACT.md §2 equipment_profile); ``system`` and ``finite_key`` are
    the calculator's objects, passed through untouched to the rate model."""

    id: int
    protocol: Protocol
    name: str = ""
    system: Mapping[str, Any] = field(default_factory=dict, hash=False)
    finite_key: Mapping[str, Any] | None = field(default=None, hash=False)
    max_channel_loss_db: float | None = None
    provenance: str = ""
    builtin: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "protocol", Protocol(self.protocol))


@dataclass(frozen=True, slots=True, kw_only=True)
class DemandSpec:
    id: int
    a_node_id: int
    b_node_id: int
    required_key_rate_bps: float
    priority: int = 1


def _keyed(items: Iterable[Any], what: str) -> Mapping[int, Any]:
    out: dict[int, Any] = {}
    for item in items:
        if item.id in out:
            raise ValueError(f"duplicate {what} id {item.id}")
        out[item.id] = item
    return MappingProxyType(out)


@dataclass(frozen=True, slots=True, kw_only=True)
class NetworkSnapshot:
    """Everything an analysis reads, keyed by integer id. Build it with :meth:`build`."""

    nodes: Mapping[int, NodeSpec] = field(hash=False)
    links: Mapping[int, LinkSpec] = field(hash=False)
    demands: Mapping[int, DemandSpec] = field(hash=False)
    equipment_profiles: Mapping[int, EquipmentProfileSpec] = field(hash=False)
    network_id: int = 0
    version: int = 0
    name: str = ""
    route_factor: float = 1.3
    default_equipment_profile_id: int | None = None

    @classmethod
    def build(cls, *, nodes: Iterable[NodeSpec], links: Iterable[LinkSpec] = (),
              demands: Iterable[DemandSpec] = (),
              equipment_profiles: Iterable[EquipmentProfileSpec] = (),
              network_id: int = 0, version: int = 0, name: str = "", route_factor: float = 1.3,
              default_equipment_profile_id: int | None = None) -> NetworkSnapshot:
        """Key the entities by id and check every reference (``ValueError`` when one dangles)."""
        snap = cls(nodes=_keyed(nodes, "node"), links=_keyed(links, "link"),
                   demands=_keyed(demands, "demand"),
                   equipment_profiles=_keyed(equipment_profiles, "equipment profile"),
                   network_id=network_id, version=version, name=name,
                   route_factor=route_factor,
                   default_equipment_profile_id=default_equipment_profile_id)
        snap.check()
        return snap

    def check(self) -> None:
        """Raise ``ValueError`` for a dangling reference (a programmer error: the API validates
        bodies before they reach the engine)."""
        profiles = self.equipment_profiles
        if (self.default_equipment_profile_id is not None
                and self.default_equipment_profile_id not in profiles):
            raise ValueError(f"unknown default profile {self.default_equipment_profile_id}")
        for link in self.links.values():
            if link.a_node_id not in self.nodes or link.b_node_id not in self.nodes:
                raise ValueError(f"link {link.id} names an unknown node")
            if link.a_node_id == link.b_node_id:
                raise ValueError(f"link {link.id} is a self-loop")
            if link.equipment_profile_id is not None and link.equipment_profile_id not in profiles:
                raise ValueError(f"link {link.id} names unknown profile")
        for demand in self.demands.values():
            if demand.a_node_id not in self.nodes or demand.b_node_id not in self.nodes:
                raise ValueError(f"demand {demand.id} names an unknown node")
