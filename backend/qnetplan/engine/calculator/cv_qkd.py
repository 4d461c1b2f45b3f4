"""GG02 CV-QKD for the calculator: Gaussian-modulated coherent states, homodyne or heterodyne,
reverse reconciliation, collective attacks, trusted detector efficiency and electronic noise
(Lodewyck et al. 2007; Laudenbach et al. 2018). No relay; maximum-loss search up to 100 dB."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from qnetplan.engine.calculator.base import (
    CalculatorInputError,
    FieldSpec,
    FloatArray,
    ProtocolEvaluation,
    ProtocolModel,
    Reference,
    boolean,
    choice,
    nonnegative_number,
    positive_number,
    probability,
)
from qnetplan.physics.qkd.cv_gg02 import (
    CV_DETECTIONS,
    cv_gg02_key_rate,
    optimize_cv_modulation_variance,
)

__all__ = ["MODEL"]

FIELDS: Mapping[str, FieldSpec] = {
    "repetition_rate_hz": FieldSpec(positive_number, 1e8),
    "detector_efficiency": FieldSpec(probability, 0.6),
    "detection": FieldSpec(choice(*CV_DETECTIONS), "homodyne"),
    "modulation_variance_snu": FieldSpec(positive_number, 4.0),
    "excess_noise_snu": FieldSpec(nonnegative_number, 0.01),
    "electronic_noise_snu": FieldSpec(nonnegative_number, 0.01),
    "reconciliation_efficiency": FieldSpec(probability, 0.95),
    "optimize_intensities": FieldSpec(boolean, False),
}

GROSSHANS2003 = Reference(
    "F. Grosshans, G. Van Assche, J. Wenger, R. Brouri, N. J. Cerf, P. Grangier, Quantum key "
    "distribution using gaussian-modulated coherent states, Nature 421, 238 (2003)",
    "10.1038/nature01289",
    "GG02 protocol with reverse reconciliation",
)
LODEWYCK2007 = Reference(
    "J. Lodewyck et al., Quantum key distribution over 25 km with an all-fiber "
    "continuous-variable system, Phys. Rev. A 76, 042305 (2007)",
    "10.1103/PhysRevA.76.042305",
    "Sec. II.C (I_AB and Holevo bound chi_BE with trusted detector noise)",
)
LAUDENBACH2018 = Reference(
    "F. Laudenbach et al., Continuous-variable quantum key distribution with Gaussian "
    "modulation - the theory of practical implementations, Adv. Quantum Technol. 1, 1800011 "
    "(2018)",
    "10.1002/qute.201800011",
    "Sec. 4 (homodyne and heterodyne trusted-noise symplectic eigenvalues; K = beta I_AB - "
    "chi_BE)",
)


def _cross_check(system: Mapping[str, Any], finite_key: Mapping[str, Any] | None) -> None:
    if finite_key is not None:
        raise CalculatorInputError(
            "/finite_key", "finite-key analysis is not supported for cv_qkd")
    if system["detector_efficiency"] == 0.0:
        raise CalculatorInputError("/system/detector_efficiency", "must be > 0 for cv_qkd")


def _evaluate(
    loss_db: FloatArray,
    relay_position_fraction: float,
    system: Mapping[str, Any],
    finite_key: Mapping[str, Any] | None,
) -> ProtocolEvaluation:
    noise = (
        system["excess_noise_snu"],
        system["detector_efficiency"],
        system["electronic_noise_snu"],
        system["reconciliation_efficiency"],
    )
    detection = system["detection"]
    if system["optimize_intensities"]:
        value, va = optimize_cv_modulation_variance(loss_db, *noise, detection=detection)
        va = np.where(value > 0.0, va, system["modulation_variance_snu"])
    else:
        va = np.full(np.shape(loss_db), float(system["modulation_variance_snu"]))
    res = cv_gg02_key_rate(loss_db, va, *noise, detection=detection)
    return ProtocolEvaluation(
        secret_key_rate_per_pulse=res.secret_key_rate_per_pulse,
        qber=None,
        detector_click_probabilities=(),
        intensities_used={"modulation_variance_snu": va},
        model_id=f"cv_qkd/laudenbach2018/{detection}",
        references=(GROSSHANS2003, LODEWYCK2007, LAUDENBACH2018),
    )


MODEL = ProtocolModel(
    name="cv_qkd",
    fields=FIELDS,
    evaluate=_evaluate,
    relay_position="forbidden",
    cross_check=_cross_check,
    loss_ceiling_db=100.0,
)
