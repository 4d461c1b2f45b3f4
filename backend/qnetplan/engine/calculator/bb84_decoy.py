"""Decoy-state BB84 for the calculator: asymptotic (infinite, vacuum_weak, one_decoy, none)
and finite-key (vacuum_weak only: Lim et al. 2014's signal + two decoys)."""

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
from qnetplan.physics.conversions import db_to_transmittance
from qnetplan.physics.detectors import threshold_click_probability
from qnetplan.physics.optimize import INTENSITY_RANGE, maximize_log_grid
from qnetplan.physics.qkd.bb84_decoy import DECOY_COUNTS, DECOY_METHODS, bb84_decoy_key_rate
from qnetplan.physics.qkd.finite_key import bb84_finite_key_rate

__all__ = ["MODEL"]

#: The signal must exceed the sum of the decoys by this factor when it is optimised.
_MARGIN = 1.001

FIELDS: Mapping[str, FieldSpec] = {
    "repetition_rate_hz": FieldSpec(positive_number, 1e9),
    "detector_efficiency": FieldSpec(probability),
    "dark_count_probability": FieldSpec(probability),
    "misalignment_error": FieldSpec(probability, 0.01),
    "error_correction_efficiency": FieldSpec(at_least_one, 1.16),
    "sifting_factor": FieldSpec(probability, 0.5),
    "decoy_method": FieldSpec(choice(*DECOY_METHODS), "infinite"),
    "signal_mean_photon_number": FieldSpec(positive_number, 0.5),
    "decoy_mean_photon_numbers": FieldSpec(number_list, ()),
    "optimize_intensities": FieldSpec(boolean, True),
    "detector_dead_time_s": FieldSpec(nonnegative_or_none, None),
}

LO2005 = Reference(
    "H.-K. Lo, X. Ma, K. Chen, Decoy state quantum key distribution, Phys. Rev. Lett. 94, "
    "230504 (2005)",
    "10.1103/PhysRevLett.94.230504",
    "Eq. (1) (GLLP rate with decoy states)",
)
MA2005 = Reference(
    "X. Ma, B. Qi, Y. Zhao, H.-K. Lo, Practical decoy state for quantum key distribution, "
    "Phys. Rev. A 72, 012326 (2005)",
    "10.1103/PhysRevA.72.012326",
    "Sec. II fiber model (Y_i, Q_mu, E_mu); Sec. IV vacuum+weak and one-decoy bounds",
)
GLLP2004 = Reference(
    "D. Gottesman, H.-K. Lo, N. Lütkenhaus, J. Preskill, Security of quantum key distribution "
    "with imperfect devices, Quantum Inf. Comput. 4, 325 (2004)",
    "10.26421/QIC4.5-1",
    "GLLP key rate with tagged multi-photon signals",
)
LIM2014 = Reference(
    "C. C. W. Lim, M. Curty, N. Walenta, F. Xu, H. Zbinden, Concise security bounds for "
    "practical decoy-state quantum key distribution, Phys. Rev. A 89, 022307 (2014)",
    "10.1103/PhysRevA.89.022307",
    "Eqs. (1)-(5); system model of Sec. IV",
)


def _cross_check(system: Mapping[str, Any], finite_key: Mapping[str, Any] | None) -> None:
    method = system["decoy_method"]
    decoys = system["decoy_mean_photon_numbers"]
    path = "/system/decoy_mean_photon_numbers"
    if len(decoys) != DECOY_COUNTS[method]:
        shapes = {
            "infinite": "[]",
            "none": "[]",
            "one_decoy": "[nu]",
            "vacuum_weak": "[nu, mu_weakest]",
        }
        raise CalculatorInputError(path, f"decoy_method {method!r} takes {shapes[method]}")
    mu = system["signal_mean_photon_number"]
    optimise = system["optimize_intensities"]
    if method == "one_decoy":
        (nu,) = decoys
        if nu <= 0.0:
            raise CalculatorInputError(f"{path}/0", "must be > 0")
        if not optimise and mu <= nu:
            raise CalculatorInputError("/system/signal_mean_photon_number", "must exceed the decoy")
        if nu * _MARGIN >= INTENSITY_RANGE[1]:
            raise CalculatorInputError(f"{path}/0", "leaves no room for the signal intensity")
    if method == "vacuum_weak":
        nu, weakest = decoys
        if nu <= 0.0:
            raise CalculatorInputError(f"{path}/0", "must be > 0")
        if weakest >= nu:
            raise CalculatorInputError(f"{path}/1", "the weakest decoy must be below nu")
        if not optimise and mu <= nu + weakest:
            raise CalculatorInputError(
                "/system/signal_mean_photon_number", "must exceed the sum of the decoys"
            )
        if (nu + weakest) * _MARGIN >= INTENSITY_RANGE[1]:
            raise CalculatorInputError(f"{path}/0", "leaves no room for the signal intensity")
    if finite_key is not None and method != "vacuum_weak":
        raise CalculatorInputError(
            "/finite_key", "finite-key analysis needs decoy_method 'vacuum_weak' (Lim et al. 2014)"
        )


def _signal_lower_bound(system: Mapping[str, Any]) -> float:
    decoys = system["decoy_mean_photon_numbers"]
    return max(INTENSITY_RANGE[0], sum(decoys) * _MARGIN) if decoys else INTENSITY_RANGE[0]


# Grid of internal intensity-choice probabilities for the finite-key protocol (not user inputs).
_P1 = np.geomspace(0.02, 0.9, 10)
_P2_SHARE = np.linspace(0.1, 0.9, 9)


def _evaluate_finite(
    t: FloatArray, system: Mapping[str, Any], finite_key: Mapping[str, Any]
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    nu, weakest = system["decoy_mean_photon_numbers"]
    qx = float(np.sqrt(system["sifting_factor"]))
    p1 = _P1[:, None]
    p2 = (1.0 - _P1[:, None]) * _P2_SHARE[None, :]
    p3 = 1.0 - p1 - p2
    p1g, p2g, p3g = (np.broadcast_to(p, (_P1.size, _P2_SHARE.size)).ravel() for p in (p1, p2, p3))

    def rate(mu1: Any, tt: Any, a: Any, b: Any, c: Any) -> FloatArray:
        return bb84_finite_key_rate(
            tt,
            system["detector_efficiency"],
            system["dark_count_probability"],
            system["misalignment_error"],
            system["error_correction_efficiency"],
            qx,
            (mu1, nu, weakest),
            (a, b, c),
            finite_key["block_size_pulses"],
            finite_key["security_epsilon"],
            finite_key["correctness_epsilon"],
        ).secret_key_rate_per_pulse

    tt = t[..., None]
    if system["optimize_intensities"]:
        mu_grid = np.geomspace(_signal_lower_bound(system), INTENSITY_RANGE[1], 20)
        vals = rate(mu_grid[None, :, None], tt[..., None], p1g, p2g, p3g)  # shape (..., mu, p)
        flat = np.nan_to_num(vals, nan=-1.0).reshape(*t.shape, -1)
        best = np.argmax(flat, axis=-1)
        _, i_p = np.unravel_index(best, (mu_grid.size, p1g.size))
        a, b, c = p1g[i_p], p2g[i_p], p3g[i_p]
        value, mu1 = maximize_log_grid(
            lambda m: rate(m, tt, a[..., None], b[..., None], c[..., None]),
            _signal_lower_bound(system),
            INTENSITY_RANGE[1],
            t.shape,
            n_grid=21,
            n_refine=20,
        )
        mu1 = np.where(value > 0.0, mu1, system["signal_mean_photon_number"])
    else:
        mu1 = np.full(t.shape, system["signal_mean_photon_number"])
        vals = rate(mu1[..., None], tt, p1g, p2g, p3g)
        i_p = np.argmax(np.nan_to_num(vals, nan=-1.0), axis=-1)
        a, b, c = p1g[i_p], p2g[i_p], p3g[i_p]
    res = bb84_finite_key_rate(
        t,
        system["detector_efficiency"],
        system["dark_count_probability"],
        system["misalignment_error"],
        system["error_correction_efficiency"],
        qx,
        (mu1, nu, weakest),
        (a, b, c),
        finite_key["block_size_pulses"],
        finite_key["security_epsilon"],
        finite_key["correctness_epsilon"],
    )
    return (
        res.secret_key_rate_per_pulse,
        res.qber,
        mu1,
        np.stack([a, b, c], axis=-1),
        np.asarray(qx),
    )


def _evaluate(
    loss_db: FloatArray,
    relay_position_fraction: float,
    system: Mapping[str, Any],
    finite_key: Mapping[str, Any] | None,
) -> ProtocolEvaluation:
    t = db_to_transmittance(loss_db)
    method = system["decoy_method"]
    decoys = system["decoy_mean_photon_numbers"]
    common = (
        system["detector_efficiency"],
        system["dark_count_probability"],
        system["misalignment_error"],
        system["error_correction_efficiency"],
        system["sifting_factor"],
    )
    details: dict[str, Any] = {}
    if finite_key is not None:
        rate, qber, mu, probs, qx = _evaluate_finite(t, system, finite_key)
        details = {"intensity_probabilities": probs, "x_basis_probability": qx}
        model_id = "bb84_decoy/lim2014/finite_key"
        refs: tuple[Reference, ...] = (LIM2014, MA2005)
    else:
        if system["optimize_intensities"]:
            value, mu = maximize_log_grid(
                lambda m: (
                    bb84_decoy_key_rate(
                        t[..., None], *common, m, method, decoys
                    ).secret_key_rate_per_pulse
                ),
                _signal_lower_bound(system),
                INTENSITY_RANGE[1],
                t.shape,
            )
            mu = np.where(value > 0.0, mu, system["signal_mean_photon_number"])
        else:
            mu = np.full(t.shape, system["signal_mean_photon_number"])
        res = bb84_decoy_key_rate(t, *common, mu, method, decoys)
        rate, qber = res.secret_key_rate_per_pulse, res.qber
        model_id = {
            "infinite": "bb84_decoy/lo2005/infinite",
            "vacuum_weak": "bb84_decoy/ma2005/vacuum_weak",
            "one_decoy": "bb84_decoy/ma2005/one_decoy",
            "none": "bb84_decoy/gllp2004/none",
        }[method]
        refs = {
            "infinite": (LO2005, MA2005),
            "vacuum_weak": (LO2005, MA2005, LIM2014),
            "one_decoy": (LO2005, MA2005),
            "none": (GLLP2004, MA2005),
        }[method]
    eta = t * system["detector_efficiency"]
    # Bob's two detectors each receive half of the signal light on average.
    click = threshold_click_probability(eta * mu / 2.0, system["dark_count_probability"])
    used: dict[str, Any] = {"signal_mean_photon_number": mu}
    if decoys:
        used["decoy_mean_photon_numbers"] = list(decoys)
    return ProtocolEvaluation(
        secret_key_rate_per_pulse=rate,
        qber=qber,
        detector_click_probabilities=(click,),
        intensities_used=used,
        model_id=model_id,
        references=refs,
        details=details,
    )


MODEL = ProtocolModel(
    name="bb84_decoy",
    fields=FIELDS,
    evaluate=_evaluate,
    relay_position="forbidden",
    cross_check=_cross_check,
)
