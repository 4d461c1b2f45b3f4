"""BBM92 with a thermal PDC source anywhere on the channel (Ma, Fung, Lo 2007)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from qnetplan.engine.calculator.base import (
    FieldSpec,
    FloatArray,
    ProtocolEvaluation,
    ProtocolModel,
    Reference,
    at_least_one,
    boolean,
    nonnegative_or_none,
    positive_number,
    probability,
)
from qnetplan.physics.conversions import db_to_transmittance
from qnetplan.physics.optimize import INTENSITY_RANGE, maximize_log_grid
from qnetplan.physics.qkd.bbm92 import bbm92_key_rate

__all__ = ["MODEL"]

FIELDS: Mapping[str, FieldSpec] = {
    "repetition_rate_hz": FieldSpec(positive_number, 1e9),
    "detector_efficiency": FieldSpec(probability),
    "dark_count_probability": FieldSpec(probability),
    "misalignment_error": FieldSpec(probability, 0.01),
    "error_correction_efficiency": FieldSpec(at_least_one, 1.16),
    "sifting_factor": FieldSpec(probability, 0.5),
    "source_mean_pair_number": FieldSpec(positive_number, 0.05),
    "optimize_intensities": FieldSpec(boolean, True),
    "detector_dead_time_s": FieldSpec(nonnegative_or_none, None),
}

MFL2007 = Reference(
    "X. Ma, C.-H. F. Fung, H.-K. Lo, Quantum key distribution with entangled photon sources, "
    "Phys. Rev. A 76, 012307 (2007)",
    "10.1103/PhysRevA.76.012307",
    "Sec. II key rate R = q Q [1 - f h2(E) - h2(E)]; Sec. III PDC source (Q_lambda, E_lambda)",
)


def _evaluate(
    loss_db: FloatArray,
    relay_position_fraction: float,
    system: Mapping[str, Any],
    finite_key: Mapping[str, Any] | None,
) -> ProtocolEvaluation:
    t = db_to_transmittance(loss_db)
    args = (
        system["detector_efficiency"],
        system["dark_count_probability"],
        system["misalignment_error"],
        system["error_correction_efficiency"],
        system["sifting_factor"],
    )
    if system["optimize_intensities"]:
        value, pairs = maximize_log_grid(
            lambda m: (
                bbm92_key_rate(
                    t[..., None], relay_position_fraction, *args, m
                ).secret_key_rate_per_pulse
            ),
            INTENSITY_RANGE[0],
            INTENSITY_RANGE[1],
            t.shape,
        )
        pairs = np.where(value > 0.0, pairs, system["source_mean_pair_number"])
    else:
        pairs = np.full(t.shape, system["source_mean_pair_number"])
    res = bbm92_key_rate(t, relay_position_fraction, *args, pairs)
    return ProtocolEvaluation(
        secret_key_rate_per_pulse=res.secret_key_rate_per_pulse,
        qber=res.qber,
        detector_click_probabilities=(res.click_probability_alice, res.click_probability_bob),
        intensities_used={"source_mean_pair_number": pairs},
        model_id="bbm92/ma2007/pdc",
        references=(MFL2007,),
    )


MODEL = ProtocolModel(name="bbm92", fields=FIELDS, evaluate=_evaluate, relay_position="free")
