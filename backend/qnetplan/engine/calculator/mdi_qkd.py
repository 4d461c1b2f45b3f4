"""MDI-QKD for the calculator: polarisation BSM with four detectors, asymptotic, infinite
decoys or the analytical vacuum + weak two-decoy estimator (Lo, Curty, Qi 2012; Ma & Razavi
2012; Xu, Curty, Qi, Lo 2013). The relay may sit anywhere (``relay_position_fraction`` of the
loss in dB on Alice's arm)."""

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
    number_list,
    positive_number,
    probability,
)
from qnetplan.physics.optimize import INTENSITY_RANGE
from qnetplan.physics.qkd.mdi import (
    MDI_DECOY_METHODS,
    mdi_detector_click_probability,
    mdi_qkd_key_rate,
    optimize_mdi_signal_mean_photon_number,
)

__all__ = ["MODEL"]

#: The optimised signal must exceed the weak decoy nu by this factor.
_MARGIN = 1.001

FIELDS: Mapping[str, FieldSpec] = {
    "repetition_rate_hz": FieldSpec(positive_number, 1e9),
    "detector_efficiency": FieldSpec(probability),
    "dark_count_probability": FieldSpec(probability),
    "misalignment_error": FieldSpec(probability, 0.01),
    "error_correction_efficiency": FieldSpec(at_least_one, 1.16),
    "decoy_method": FieldSpec(choice(*MDI_DECOY_METHODS), "infinite"),
    "signal_mean_photon_number": FieldSpec(positive_number, 0.3),
    "decoy_mean_photon_numbers": FieldSpec(number_list, ()),
    "optimize_intensities": FieldSpec(boolean, True),
    "detector_dead_time_s": FieldSpec(nonnegative_or_none, None),
}

LCQ2012 = Reference(
    "H.-K. Lo, M. Curty, B. Qi, Measurement-device-independent quantum key distribution, "
    "Phys. Rev. Lett. 108, 130503 (2012)",
    "10.1103/PhysRevLett.108.130503",
    "Eq. (1) (key rate Q11_Z [1 - h2(e11_X)] - f Q_Z h2(E_Z))",
)
MR2012 = Reference(
    "X. Ma, M. Razavi, Alternative schemes for measurement-device-independent quantum key "
    "distribution, Phys. Rev. A 86, 062319 (2012)",
    "10.1103/PhysRevA.86.062319",
    "Appendix B (polarisation encoding, four detectors: Q_rect, E_rect, Q_diag, E_diag, Y11, "
    "e11)",
)
XCQL2013 = Reference(
    "F. Xu, M. Curty, B. Qi, H.-K. Lo, Practical aspects of measurement-device-independent "
    "quantum key distribution, New J. Phys. 15, 113007 (2013)",
    "10.1088/1367-2630/15/11/113007",
    "Sec. 4, Eqs. (4)-(5) (analytical two-decoy bounds Y11^L, e11^U); Sec. 5 (asymmetric arms)",
)


def _cross_check(system: Mapping[str, Any], finite_key: Mapping[str, Any] | None) -> None:
    if finite_key is not None:
        raise CalculatorInputError(
            "/finite_key", "finite-key analysis is not supported for mdi_qkd")
    method = system["decoy_method"]
    decoys = system["decoy_mean_photon_numbers"]
    path = "/system/decoy_mean_photon_numbers"
    if method == "infinite":
        if decoys:
            raise CalculatorInputError(path, "decoy_method 'infinite' takes []")
        return
    if len(decoys) != 2:
        raise CalculatorInputError(path, "decoy_method 'vacuum_weak' takes [nu, mu_weakest]")
    nu, weakest = decoys
    if nu <= 0.0:
        raise CalculatorInputError(f"{path}/0", "must be > 0")
    if weakest >= nu:
        raise CalculatorInputError(f"{path}/1", "the weakest decoy must be below nu")
    if not system["optimize_intensities"] and system["signal_mean_photon_number"] <= nu:
        raise CalculatorInputError("/system/signal_mean_photon_number", "must exceed nu")
    if nu * _MARGIN >= INTENSITY_RANGE[1]:
        raise CalculatorInputError(f"{path}/0", "leaves no room for the signal intensity")


def _evaluate(
    loss_db: FloatArray,
    relay_position_fraction: float,
    system: Mapping[str, Any],
    finite_key: Mapping[str, Any] | None,
) -> ProtocolEvaluation:
    method = system["decoy_method"]
    decoys = tuple(system["decoy_mean_photon_numbers"])
    common = {
        "detector_efficiency": system["detector_efficiency"],
        "dark_count_probability": system["dark_count_probability"],
        "misalignment_error": system["misalignment_error"],
        "error_correction_efficiency": system["error_correction_efficiency"],
        "decoy_method": method,
        "decoy_mean_photon_numbers": decoys,
        "relay_position_fraction": relay_position_fraction,
    }
    if system["optimize_intensities"]:
        lower = max(INTENSITY_RANGE[0], decoys[0] * _MARGIN) if decoys else INTENSITY_RANGE[0]
        value, mu = optimize_mdi_signal_mean_photon_number(
            loss_db, **common, bounds=(lower, INTENSITY_RANGE[1]))
        mu = np.where(value > 0.0, mu, system["signal_mean_photon_number"])
        if decoys:  # the given signal may lie below nu when it is re-optimised
            mu = np.maximum(mu, lower)
    else:
        mu = np.full(np.shape(loss_db), float(system["signal_mean_photon_number"]))
    res = mdi_qkd_key_rate(loss_db, signal_mean_photon_number=mu, **common)
    click = mdi_detector_click_probability(
        loss_db, system["detector_efficiency"], system["dark_count_probability"], mu,
        relay_position_fraction)
    used: dict[str, Any] = {"signal_mean_photon_number": mu}
    if decoys:
        used["decoy_mean_photon_numbers"] = list(decoys)
    refs = (LCQ2012, MR2012) if method == "infinite" else (LCQ2012, MR2012, XCQL2013)
    return ProtocolEvaluation(
        secret_key_rate_per_pulse=res.secret_key_rate_per_pulse,
        qber=res.qber,
        detector_click_probabilities=(click,),
        intensities_used=used,
        model_id=f"mdi_qkd/lcq2012/{method}",
        references=refs,
    )


MODEL = ProtocolModel(
    name="mdi_qkd",
    fields=FIELDS,
    evaluate=_evaluate,
    relay_position="free",
    cross_check=_cross_check,
)
