"""SQLAlchemy 2 typed models: the persistent topology store (API-CONTRACT.md §2).

Read-only, derived quantities (``effective_length_km``, ``length_source``) are not stored:
they are computed from node positions and the network's ``route_factor`` on every read.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qnetplan.storage.base import Base

NODE_ROLES = (
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
)
LINK_MEDIA = ("fiber", "free_space")
LINK_STATUSES = ("existing", "planned", "candidate")
PROTOCOLS = ("bb84_decoy", "bbm92", "mdi_qkd", "tf_qkd", "cv_qkd")


def utcnow() -> datetime:
    return datetime.now(UTC)


def _enum(values: tuple[str, ...], name: str) -> Enum:
    return Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


class EquipmentProfileRow(Base):
    __tablename__ = "equipment_profile"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    protocol: Mapped[str] = mapped_column(_enum(PROTOCOLS, "protocol"))
    system: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    finite_key: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    max_channel_loss_db: Mapped[float | None] = mapped_column(Float, nullable=True)
    provenance: Mapped[str] = mapped_column(Text, default="")
    builtin: Mapped[bool] = mapped_column(Boolean, default=False)
    builtin_key: Mapped[str | None] = mapped_column(String(100), nullable=True, unique=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class NetworkRow(Base):
    __tablename__ = "network"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    route_factor: Mapped[float] = mapped_column(Float, default=1.3)
    default_equipment_profile_id: Mapped[int | None] = mapped_column(
        ForeignKey("equipment_profile.id", ondelete="RESTRICT"), nullable=True
    )
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    nodes: Mapped[list[NodeRow]] = relationship(
        back_populates="network", cascade="all, delete-orphan", passive_deletes=True,
        order_by="NodeRow.id",
    )
    links: Mapped[list[LinkRow]] = relationship(
        back_populates="network", cascade="all, delete-orphan", passive_deletes=True,
        order_by="LinkRow.id",
    )
    demands: Mapped[list[DemandRow]] = relationship(
        back_populates="network", cascade="all, delete-orphan", passive_deletes=True,
        order_by="DemandRow.id",
    )

    __table_args__ = (CheckConstraint("route_factor >= 1", name="route_factor_min"),)


class NodeRow(Base):
    __tablename__ = "node"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    network_id: Mapped[int] = mapped_column(
        ForeignKey("network.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(_enum(NODE_ROLES, "node_role"))
    latitude_deg: Mapped[float] = mapped_column(Float)
    longitude_deg: Mapped[float] = mapped_column(Float)
    altitude_m: Mapped[float] = mapped_column(Float, default=0.0)
    equipment_profile_id: Mapped[int | None] = mapped_column(
        ForeignKey("equipment_profile.id", ondelete="RESTRICT"), nullable=True
    )
    insertion_loss_db: Mapped[float | None] = mapped_column(Float, nullable=True)
    bypass: Mapped[bool] = mapped_column(Boolean, default=False)
    bypass_loss_db: Mapped[float] = mapped_column(Float, default=1.5)
    relays_key: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str] = mapped_column(Text, default="")
    ground_station: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    network: Mapped[NetworkRow] = relationship(back_populates="nodes")

    __table_args__ = (UniqueConstraint("network_id", "name", name="network_name"),)


class LinkRow(Base):
    __tablename__ = "link"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    network_id: Mapped[int] = mapped_column(
        ForeignKey("network.id", ondelete="CASCADE"), index=True
    )
    a_node_id: Mapped[int] = mapped_column(ForeignKey("node.id", ondelete="CASCADE"), index=True)
    b_node_id: Mapped[int] = mapped_column(ForeignKey("node.id", ondelete="CASCADE"), index=True)
    medium: Mapped[str] = mapped_column(_enum(LINK_MEDIA, "link_medium"), default="fiber")
    length_km: Mapped[float | None] = mapped_column(Float, nullable=True)
    attenuation_db_per_km: Mapped[float] = mapped_column(Float, default=0.2)
    connector_count: Mapped[int] = mapped_column(Integer, default=0)
    loss_per_connector_db: Mapped[float] = mapped_column(Float, default=0.3)
    splice_count: Mapped[int] = mapped_column(Integer, default=0)
    loss_per_splice_db: Mapped[float] = mapped_column(Float, default=0.05)
    insertion_loss_db: Mapped[float] = mapped_column(Float, default=0.0)
    extra_loss_db: Mapped[float] = mapped_column(Float, default=0.0)
    ageing_margin_db: Mapped[float] = mapped_column(Float, default=0.0)
    status: Mapped[str] = mapped_column(_enum(LINK_STATUSES, "link_status"), default="planned")
    shared_risk_groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    equipment_profile_id: Mapped[int | None] = mapped_column(
        ForeignKey("equipment_profile.id", ondelete="RESTRICT"), nullable=True
    )
    key_rate_override_bps: Mapped[float | None] = mapped_column(Float, nullable=True)
    relay_position_fraction: Mapped[float] = mapped_column(Float, default=0.5)
    version: Mapped[int] = mapped_column(Integer, default=1)

    network: Mapped[NetworkRow] = relationship(back_populates="links")

    __table_args__ = (CheckConstraint("a_node_id <> b_node_id", name="not_self_loop"),)


class DemandRow(Base):
    __tablename__ = "demand"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    network_id: Mapped[int] = mapped_column(
        ForeignKey("network.id", ondelete="CASCADE"), index=True
    )
    a_node_id: Mapped[int] = mapped_column(ForeignKey("node.id", ondelete="CASCADE"), index=True)
    b_node_id: Mapped[int] = mapped_column(ForeignKey("node.id", ondelete="CASCADE"), index=True)
    required_key_rate_bps: Mapped[float] = mapped_column(Float)
    priority: Mapped[int] = mapped_column(Integer, default=1)
    version: Mapped[int] = mapped_column(Integer, default=1)

    network: Mapped[NetworkRow] = relationship(back_populates="demands")

    __table_args__ = (CheckConstraint("a_node_id <> b_node_id", name="distinct_ends"),)


SATELLITE_MODES = ("trusted_relay", "entanglement_source")
DIVERGENCE_CONVENTIONS = ("gaussian_1e2", "flat_top")
ANALYSIS_STATUSES = ("queued", "running", "succeeded", "failed")


class SatelliteRow(Base):
    """A satellite of a network; it owns a node of role ``satellite`` (API-CONTRACT.md §5)."""

    __tablename__ = "satellite"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    network_id: Mapped[int] = mapped_column(
        ForeignKey("network.id", ondelete="CASCADE"), index=True
    )
    node_id: Mapped[int] = mapped_column(
        ForeignKey("node.id", ondelete="CASCADE"), unique=True
    )
    name: Mapped[str] = mapped_column(String(200))
    tle_line1: Mapped[str] = mapped_column(String(80))
    tle_line2: Mapped[str] = mapped_column(String(80))
    mode: Mapped[str] = mapped_column(_enum(SATELLITE_MODES, "satellite_mode"))
    wavelength_nm: Mapped[float] = mapped_column(Float)
    divergence_full_angle_urad: Mapped[float | None] = mapped_column(Float, nullable=True)
    divergence_convention: Mapped[str | None] = mapped_column(
        _enum(DIVERGENCE_CONVENTIONS, "divergence_convention"), nullable=True
    )
    transmit_aperture_m: Mapped[float | None] = mapped_column(Float, nullable=True)
    beam_quality_m2: Mapped[float] = mapped_column(Float, default=1.0)
    pointing_jitter_urad: Mapped[float] = mapped_column(Float, default=0.0)
    equipment_profile_id: Mapped[int | None] = mapped_column(
        ForeignKey("equipment_profile.id", ondelete="RESTRICT"), nullable=True
    )
    finite_key: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)


class AnalysisRow(Base):
    """One analysis run, immutable once finished: the result of a pure function of the network
    snapshot (identified by ``input_hash``), the parameters and the engine version."""

    __tablename__ = "analysis"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    network_id: Mapped[int] = mapped_column(
        ForeignKey("network.id", ondelete="CASCADE"), index=True
    )
    network_version: Mapped[int] = mapped_column(Integer)
    input_hash: Mapped[str] = mapped_column(String(64))
    engine_version: Mapped[str] = mapped_column(String(40))
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(_enum(ANALYSIS_STATUSES, "analysis_status"))
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
