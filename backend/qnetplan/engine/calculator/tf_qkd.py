"""Twin-field QKD for the calculator: sending-or-not-sending (Wang, Yu, Hu 2018) or phase
matching (Ma, Zeng, Zhou 2018), asymptotic, relay in the middle only (asymmetric TF needs
settings per side)."""

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
    at_least_one,
    boolean,
    choice,
    nonnegative_or_none,
    positive_number,
    probability,
)
from qnetplan.physics.qkd.twin_field import (
    PM_PHASE_SLICES,
    TF_VARIANTS,
    optimize_tf_parameters,
    tf_detector_click_probability,
    tf_qkd_key_rate,
)

__all__ = ["MODEL"]

FIELDS: Mapping[str, FieldSpec] = {
    "repetition_rate_hz": FieldSpec(positive_number, 1e9),
    "detector_efficiency": FieldSpec(probability),
    "dark_count_probability": FieldSpec(probability),
    "misalignment_error": FieldSpec(probability, 0.03),
    "error_correction_efficiency": FieldSpec(at_least_one, 1.16),
    "signal_mean_photon_number": FieldSpec(positive_number, 0.1),
    "tf_variant": FieldSpec(choice(*TF_VARIANTS), "sns"),
    "sns_sending_probability": FieldSpec(probability, 0.05),
    "optimize_intensities": FieldSpec(boolean, True),
    "detector_dead_time_s": FieldSpec(nonnegative_or_none, None),
}

LUCAMARINI2018 = Reference(
    "M. Lucamarini, Z. L. Yuan, J. F. Dynes, A. J. Shields, Overcoming the rate-distance limit "
    "of quantum key distribution without quantum repeaters, Nature 557, 400 (2018)",
    "10.1038/s41586-018-0066-6",
    "square-root scaling of the twin-field key rate with the channel transmittance",
)
WYH2018 = Reference(
    "X.-B. Wang, Z.-W. Yu, X.-L. Hu, Twin-field quantum key distribution with large "
    "misalignment error, Phys. Rev. A 98, 062323 (2018)",
    "10.1103/PhysRevA.98.062323",
    "Eq. (1) (SNS key rate with untagged single-photon events, infinite decoys)",
)
MZZ2018 = Reference(
    "X. Ma, P. Zeng, H. Zhou, Phase-matching quantum key distribution, Phys. Rev. X 8, "
    "031043 (2018)",
    "10.1103/PhysRevX.8.031043",
    "Eq. (9) (key rate (2/D) Q [1 - f h2(E_Z) - h2(E_X)]), Eq. (8) (phase error from parity); "
    f"D = {PM_PHASE_SLICES}",
)


def _cross_check(system: Mapping[str, Any], finite_key: Mapping[str, Any] | None) -> None:
    if finite_key is not None:
        raise CalculatorInputError(
            "/finite_key", "finite-key analysis is not supported for tf_qkd")


def _evaluate(
    loss_db: FloatArray,
    relay_position_fraction: float,
    system: Mapping[str, Any],
    finite_key: Mapping[str, Any] | None,
) -> ProtocolEvaluation:
    variant = system["tf_variant"]
    common = (
        system["detector_efficiency"],
        system["dark_count_probability"],
        system["misalignment_error"],
        system["error_correction_efficiency"],
    )
    shape = np.shape(loss_db)
    if system["optimize_intensities"]:
        value, mu, eps = optimize_tf_parameters(loss_db, *common, tf_variant=variant)
        mu = np.where(value > 0.0, mu, system["signal_mean_photon_number"])
        eps = np.where(value > 0.0, eps, system["sns_sending_probability"])
    else:
        mu = np.full(shape, float(system["signal_mean_photon_number"]))
        eps = np.full(shape, float(system["sns_sending_probability"]))
    res = tf_qkd_key_rate(loss_db, *common, mu, variant, eps)
    click = tf_detector_click_probability(
        loss_db, system["detector_efficiency"], system["dark_count_probability"], mu, variant,
        eps)
    used: dict[str, Any] = {"signal_mean_photon_number": mu}
    if variant == "sns":
        used["sns_sending_probability"] = eps
    model_id, refs = {
        "sns": ("tf_qkd/wang2018/sns", (WYH2018, LUCAMARINI2018)),
        "pm": ("tf_qkd/ma2018/pm", (MZZ2018, LUCAMARINI2018)),
    }[variant]
    return ProtocolEvaluation(
        secret_key_rate_per_pulse=res.secret_key_rate_per_pulse,
        qber=res.qber,
        detector_click_probabilities=(click,),
        intensities_used=used,
        model_id=model_id,
        references=refs,
    )


MODEL = ProtocolModel(
    name="tf_qkd",
    fields=FIELDS,
    evaluate=_evaluate,
    relay_position="symmetric_only",
    cross_check=_cross_check,
)
