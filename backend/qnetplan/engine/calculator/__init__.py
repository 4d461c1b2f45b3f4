"""Stateless QKD key-rate calculator (API-CONTRACT §3), usable from a notebook.

Entry points
------------
``evaluate_key_rate(protocol, channel, system, finite_key=None) -> KeyRateResult``
``evaluate_curve(protocol, channel, system, finite_key=None, *, lengths_km=None,
losses_db=None) -> KeyRateCurve``
``evaluate_loss_budget(link_fields) -> FiberLossBudget``
``validate_inputs(protocol, system, finite_key) -> (ProtocolModel, system, finite_key)``
Invalid input raises ``CalculatorInputError(field_path, message)`` where ``field_path`` is a
JSON Pointer into the request body; results have ``to_dict()`` for JSON (non-finite -> None).

Adding a protocol (the pattern)
-------------------------------
Each protocol lives in its own module of this package (``bb84_decoy.py``, ``bbm92.py``; later
``mdi_qkd.py``, ``tf_qkd.py``, ``cv_qkd.py``) and defines one constant::

    MODEL = ProtocolModel(
        name="mdi_qkd",                       # the API's ``protocol`` value
        fields={                              # the ``system`` fields, exactly per the table
            "repetition_rate_hz": FieldSpec(positive_number, 1e9),
            "detector_efficiency": FieldSpec(probability),          # no default = required
            ...
        },
        evaluate=_evaluate,                   # see below
        relay_position="free",                # "forbidden" | "free" | "symmetric_only"
        cross_check=_cross_check,             # optional: cross-field and finite_key checks
        loss_ceiling_db=200.0,                # 100.0 for cv_qkd
    )

``_evaluate(loss_db, relay_position_fraction, system, finite_key) -> ProtocolEvaluation``
receives a float array of total channel losses [dB] and validated inputs merged with the
defaults, calls the physics functions (vectorised over the array), optimises intensities when
``system["optimize_intensities"]`` (``qnetplan.physics.optimize.maximize_log_grid`` with the
contract's ranges), and returns per-point arrays: the rate per pulse/slot/symbol, the QBER
(None for CV), the click probability of one detector of each group whose dead time limits the
key (``()`` when there are none), the intensities used (keyed by system field names), a model
id and the references. The core applies dead time, PLOB, the max-loss search and JSON shaping.
Finally add the module's ``MODEL`` to ``registry._MODELS``. Unknown fields, missing required
fields, types and ranges are checked from ``fields``; an unsupported ``finite_key`` is
rejected by the default ``cross_check``.
"""

from qnetplan.engine.calculator.base import (
    FINITE_KEY_FIELDS,
    CalculatorInputError,
    FieldSpec,
    ProtocolEvaluation,
    ProtocolModel,
    Reference,
    ResolvedChannel,
)
from qnetplan.engine.calculator.core import (
    LOSS_BUDGET_FIELDS,
    KeyRateCurve,
    KeyRateResult,
    evaluate_curve,
    evaluate_key_rate,
    evaluate_loss_budget,
    validate_inputs,
)
from qnetplan.engine.calculator.registry import PROTOCOLS, get_protocol

__all__ = [
    "FINITE_KEY_FIELDS",
    "LOSS_BUDGET_FIELDS",
    "PROTOCOLS",
    "CalculatorInputError",
    "FieldSpec",
    "KeyRateCurve",
    "KeyRateResult",
    "ProtocolEvaluation",
    "ProtocolModel",
    "Reference",
    "ResolvedChannel",
    "evaluate_curve",
    "evaluate_key_rate",
    "evaluate_loss_budget",
    "get_protocol",
    "validate_inputs",
]
