"""The protocol registry: one entry per protocol module of this package.

To add a protocol, write ``<name>.py`` defining ``MODEL = ProtocolModel(...)`` and add it to
``_MODELS`` below (the only edit outside the new module).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from qnetplan.engine.calculator import bb84_decoy, bbm92, cv_qkd, mdi_qkd, tf_qkd
from qnetplan.engine.calculator.base import CalculatorInputError, ProtocolModel

__all__ = ["PROTOCOLS", "get_protocol"]

_MODELS: tuple[ProtocolModel, ...] = (
    bb84_decoy.MODEL,
    bbm92.MODEL,
    mdi_qkd.MODEL,
    tf_qkd.MODEL,
    cv_qkd.MODEL,
)

#: Registered protocols by name (read-only).
PROTOCOLS: Mapping[str, ProtocolModel] = MappingProxyType({m.name: m for m in _MODELS})


def get_protocol(name: object) -> ProtocolModel:
    """The model registered as ``name``; ``CalculatorInputError`` at ``/protocol`` otherwise."""
    if not isinstance(name, str) or name not in PROTOCOLS:
        raise CalculatorInputError("/protocol", f"must be one of: {', '.join(PROTOCOLS)}")
    return PROTOCOLS[name]
