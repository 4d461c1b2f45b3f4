"""Enumerations shared by every layer (values are the API contract's exact strings)."""

from __future__ import annotations

from enum import StrEnum


class NodeRole(StrEnum):
    """Role of a node (API-CONTRACT.md §2, node roles table)."""

    ENDPOINT = "endpoint"
    TRUSTED_NODE = "trusted_node"
    GROUND_STATION = "ground_station"
    SATELLITE = "satellite"
    OPTICAL_SWITCH = "optical_switch"
    ROADM = "roadm"
    AMPLIFIER = "amplifier"
    UNTRUSTED_RELAY = "untrusted_relay"
    ENTANGLEMENT_SOURCE = "entanglement_source"
    REPEATER = "repeater"


class SatelliteMode(StrEnum):
    """Mode of a satellite node: a trusted relay holds key, an entanglement source does not."""

    TRUSTED_RELAY = "trusted_relay"
    ENTANGLEMENT_SOURCE = "entanglement_source"


class LinkMedium(StrEnum):
    FIBER = "fiber"
    FREE_SPACE = "free_space"


class LinkStatus(StrEnum):
    EXISTING = "existing"
    PLANNED = "planned"
    CANDIDATE = "candidate"


class Protocol(StrEnum):
    BB84_DECOY = "bb84_decoy"
    BBM92 = "bbm92"
    MDI_QKD = "mdi_qkd"
    TF_QKD = "tf_qkd"
    CV_QKD = "cv_qkd"

    @property
    def uses_relay_position(self) -> bool:
        """True when the rate depends on where the relay or source sits (MDI, TF, BBM92)."""
        return self in (Protocol.MDI_QKD, Protocol.TF_QKD, Protocol.BBM92)


class BlockingReason(StrEnum):
    """Why a QKD link, span or demand cannot deliver key (API-CONTRACT.md §4)."""

    NO_PATH = "no_path"
    LINK_LOSS_EXCEEDS_BUDGET = "link_loss_exceeds_budget"
    INSUFFICIENT_KEY_RATE = "insufficient_key_rate"
    NO_EQUIPMENT_PROFILE = "no_equipment_profile"
    AMPLIFIER_ON_PATH = "amplifier_on_path"
    PROFILE_CONFLICT = "profile_conflict"
    UNSUPPORTED_NODE_ROLE = "unsupported_node_role"


class RoutingObjective(StrEnum):
    WIDEST = "widest"
    MIN_LOSS = "min_loss"
    FEWEST_TRUSTED_NODES = "fewest_trusted_nodes"


class FailureScenario(StrEnum):
    SINGLE_LINK = "single_link"
    SINGLE_NODE = "single_node"
    SHARED_RISK_GROUP = "shared_risk_group"


class RemedyKind(StrEnum):
    SPLIT_WITH_TRUSTED_NODE = "split_with_trusted_node"
    LOWER_LOSS_FIBER = "lower_loss_fiber"
    EQUIPMENT_PROFILE = "equipment_profile"
    PARALLEL_ROUTE = "parallel_route"
    BYPASS_AMPLIFIER = "bypass_amplifier"
