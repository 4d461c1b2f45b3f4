"""GG02 continuous-variable QKD: Gaussian-modulated coherent states, asymptotic, per symbol.

Reverse reconciliation, collective (Gaussian) attacks, Bob's detector inefficiency and
electronic noise *trusted* (not attributed to Eve). Shot-noise units (SNU): the vacuum variance
is 1, Alice's modulation variance is V_A and V = V_A + 1. Excess noise xi is referred to the
channel input. T is the channel transmittance (detectors excluded), eta Bob's detection
efficiency, v_el his electronic noise.

Key rate per symbol (Lodewyck et al. 2007; Laudenbach et al. 2018)::

    K = beta I_AB - chi_BE

with ``beta <= 1`` the reconciliation efficiency (it multiplies I_AB, unlike DV's f >= 1).

Noise referred to the channel input::

    chi_line = 1/T - 1 + xi
    chi_hom  = [(1 - eta) + v_el] / eta,      chi_het = [1 + (1 - eta) + 2 v_el] / eta
    chi_tot  = chi_line + chi_det / T

Mutual information: I_AB = (1/2) log2[(V + chi_tot)/(1 + chi_tot)] (homodyne) and
log2[(V + chi_tot)/(1 + chi_tot)] (heterodyne). Holevo bound (trusted detector)::

    chi_BE = G((l1-1)/2) + G((l2-1)/2) - G((l3-1)/2) - G((l4-1)/2),
    G(x) = (x+1) log2(x+1) - x log2 x
    l1,2^2 = [A +- sqrt(A^2 - 4B)]/2,   A = V^2 (1-2T) + 2T + T^2 (V + chi_line)^2,
                                        B = T^2 (V chi_line + 1)^2
    l3,4^2 = [C +- sqrt(C^2 - 4D)]/2
      homodyne:   C = [V sqrt(B) + T (V + chi_line) + A chi_hom] / [T (V + chi_tot)]
                  D = sqrt(B) (V + sqrt(B) chi_hom) / [T (V + chi_tot)]
      heterodyne: C = [A chi_het^2 + B + 1 + 2 chi_het (V sqrt(B) + T (V + chi_line))
                       + 2 T (V^2 - 1)] / [T (V + chi_tot)]^2
                  D = [(V + sqrt(B) chi_het) / (T (V + chi_tot))]^2

(the fifth eigenvalue is 1 and contributes G(0) = 0). The smaller eigenvalue of each pair is
computed as sqrt(B)/l1^2 (resp. sqrt(D)/l3^2) to avoid cancellation at high loss.

Validity: the closed forms lose double precision at very high loss with very large V_A (the
Holevo terms are differences of numbers of order log2 V_A); within V_A <= 1e3 they are accurate
to 100 dB, the calculator's search ceiling for this protocol.

References
----------
.. [Gro03] F. Grosshans, G. Van Assche, J. Wenger, R. Brouri, N. J. Cerf, P. Grangier, "Quantum
   key distribution using gaussian-modulated coherent states", Nature 421, 238 (2003),
   doi:10.1038/nature01289 (reverse reconciliation beats the 3 dB loss limit).
.. [Lod07] J. Lodewyck et al., "Quantum key distribution over 25 km with an all-fiber
   continuous-variable system", Phys. Rev. A 76, 042305 (2007),
   doi:10.1103/PhysRevA.76.042305, arXiv:0706.4255. Sec. II.C (I_AB, chi_BE with trusted
   detector noise; symplectic eigenvalues l1..l5).
.. [Lau18] F. Laudenbach et al., "Continuous-variable quantum key distribution with Gaussian
   modulation — the theory of practical implementations", Adv. Quantum Technol. 1, 1800011
   (2018), doi:10.1002/qute.201800011, arXiv:1703.09278. Sec. 4 (Holevo bound and trusted-noise
   eigenvalues, homodyne and heterodyne), Sec. 5 (noise models in SNU).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from qnetplan.physics.conversions import db_to_transmittance
from qnetplan.physics.optimize import MODULATION_VARIANCE_RANGE_SNU, maximize_log_grid
from qnetplan.physics.qkd._longhaul_common import (
    FloatArray,
    check_choice,
    check_nonnegative,
    check_probability,
)

CV_DETECTIONS: tuple[str, ...] = ("homodyne", "heterodyne")

_LOG2E = 1.0 / np.log(2.0)


@dataclass(frozen=True)
class CvQkdResult:
    """Outputs of :func:`cv_gg02_key_rate` (arrays of the broadcast input shape).

    Attributes
    ----------
    secret_key_rate_per_pulse : bits per symbol, >= 0.
    mutual_information : I_AB [bits per symbol].
    holevo_information : chi_BE [bits per symbol].
    """

    secret_key_rate_per_pulse: FloatArray
    mutual_information: FloatArray
    holevo_information: FloatArray


#: Multiple of double-precision epsilon (times the entropies' size) below which K is 0.
RESOLUTION_ULPS = 4096.0


def _g_of_nu(nu: FloatArray) -> FloatArray:
    """Von Neumann entropy G((nu-1)/2) of a thermal mode with symplectic eigenvalue nu >= 1.

    G(x) = (x+1) log2(x+1) - x log2 x, written as x log2(1 + 1/x) + log2(x + 1) for accuracy.
    """
    x = np.maximum((np.asarray(nu, dtype=float) - 1.0) / 2.0, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where(x > 0, x * np.log1p(1.0 / np.where(x > 0, x, 1.0)), 0.0)
    return np.asarray((term + np.log1p(x)) * _LOG2E, dtype=float)


def _pair(s: FloatArray, p: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Roots nu1 >= nu2 of nu^4 - s nu^2 + p = 0 (s = nu1^2 + nu2^2, p = (nu1 nu2)^2)."""
    disc = np.sqrt(np.maximum(s * s - 4.0 * p, 0.0))
    big2 = (s + disc) / 2.0
    small2 = p / big2
    return np.sqrt(big2), np.sqrt(small2)


def cv_gg02_key_rate(
    channel_loss_db: ArrayLike,
    modulation_variance_snu: ArrayLike = 4.0,
    excess_noise_snu: ArrayLike = 0.01,
    detector_efficiency: ArrayLike = 0.6,
    electronic_noise_snu: ArrayLike = 0.01,
    reconciliation_efficiency: ArrayLike = 0.95,
    detection: str = "homodyne",
) -> CvQkdResult:
    """GG02 asymptotic key rate per symbol, reverse reconciliation, trusted detector noise.

    K = beta I_AB - chi_BE with the formulas of the module docstring (Lodewyck et al. 2007,
    Sec. II.C; Laudenbach et al. 2018, Sec. 4). Negative values become 0.

    Parameters
    ----------
    channel_loss_db : array_like
        Channel loss, Bob's detector excluded [dB]; T = 10^(-loss/10).
    modulation_variance_snu : array_like, default 4
        V_A, Alice's modulation variance [SNU], > 0.
    excess_noise_snu : array_like, default 0.01
        xi, excess noise referred to the channel input [SNU], >= 0.
    detector_efficiency : array_like, default 0.6
        eta, Bob's (trusted) detection efficiency [unitless].
    electronic_noise_snu : array_like, default 0.01
        v_el, Bob's (trusted) electronic noise [SNU], >= 0.
    reconciliation_efficiency : array_like, default 0.95
        beta <= 1 multiplying I_AB [unitless].
    detection : {"homodyne", "heterodyne"}
        Bob's measurement.

    Returns
    -------
    CvQkdResult
        Key rate, I_AB and chi_BE [bits per symbol], of the broadcast shape.

    References
    ----------
    Lodewyck et al., PRA 76, 042305 (2007), Sec. II.C; Laudenbach et al., Adv. Quantum
    Technol. 1, 1800011 (2018), Sec. 4; Grosshans et al., Nature 421, 238 (2003).
    """
    check_choice("detection", detection, CV_DETECTIONS)
    check_nonnegative("channel_loss_db", channel_loss_db)
    check_nonnegative("excess_noise_snu", excess_noise_snu)
    check_nonnegative("electronic_noise_snu", electronic_noise_snu)
    check_probability("detector_efficiency", detector_efficiency)
    check_probability("reconciliation_efficiency", reconciliation_efficiency)
    va = np.asarray(modulation_variance_snu, dtype=float)
    if np.any(va <= 0):
        raise ValueError("modulation_variance_snu must be > 0")
    t = db_to_transmittance(channel_loss_db)
    xi = np.asarray(excess_noise_snu, dtype=float)
    eta = np.asarray(detector_efficiency, dtype=float)
    vel = np.asarray(electronic_noise_snu, dtype=float)
    beta = np.asarray(reconciliation_efficiency, dtype=float)
    v = va + 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        # 1/T - 1 = expm1(loss ln10 / 10), exact for small losses
        chi_line = np.expm1(np.log(10.0) / 10.0 * np.asarray(channel_loss_db, dtype=float)) + xi
        if detection == "homodyne":
            chi_det = ((1.0 - eta) + vel) / eta
        else:
            chi_det = (1.0 + (1.0 - eta) + 2.0 * vel) / eta
        chi_tot = chi_line + chi_det / t
        i_ab = np.log1p(va / (1.0 + chi_tot)) * _LOG2E
        if detection == "homodyne":
            i_ab = i_ab / 2.0
        a = v * v * (1.0 - 2.0 * t) + 2.0 * t + t * t * (v + chi_line) ** 2
        b = t * t * (v * chi_line + 1.0) ** 2
        sb = np.sqrt(b)
        l1, l2 = _pair(a, b)
        denom = t * (v + chi_tot)
        if detection == "homodyne":
            c = (v * sb + t * (v + chi_line) + a * chi_det) / denom
            d = sb * (v + sb * chi_det) / denom
        else:
            c = (a * chi_det**2 + b + 1.0 + 2.0 * chi_det * (v * sb + t * (v + chi_line))
                 + 2.0 * t * (v * v - 1.0)) / denom**2
            d = ((v + sb * chi_det) / denom) ** 2
        l3, l4 = _pair(c, d)
        g_terms = (_g_of_nu(l1), _g_of_nu(l2), _g_of_nu(l3), _g_of_nu(l4))
        chi_be = g_terms[0] + g_terms[1] - g_terms[2] - g_terms[3]
        magnitude = sum(np.abs(g) for g in g_terms)
    raw = beta * i_ab - chi_be
    # chi_BE is a difference of O(log2 V_A) entropies, so K carries a round-off of order
    # eps x (their size). Below RESOLUTION_ULPS ulps of that size K is not resolved and is 0:
    # this keeps K monotone and exactly 0 past its (numerical) cut-off. With the defaults the
    # floor is ~1e-11 bit/symbol, reached near 90-100 dB (docs/physics-long-haul.md).
    # (+4: each g(nu) also carries an absolute error of ~eps log(1/eps) from nu near 1.)
    roundoff = RESOLUTION_ULPS * np.finfo(float).eps * (magnitude + 4.0 + np.abs(beta * i_ab))
    rate = np.where(raw > roundoff, raw, np.where(np.isnan(raw), np.nan, 0.0))
    # A lossless, noiseless channel (T = 1) has chi_line = xi and is handled by the formulas;
    # eta = 0 gives no information at all.
    rate = np.where(eta > 0, rate, 0.0)
    shape = np.broadcast_shapes(np.shape(rate), np.shape(i_ab), np.shape(chi_be))
    return CvQkdResult(
        secret_key_rate_per_pulse=np.broadcast_to(rate, shape).astype(float),
        mutual_information=np.broadcast_to(i_ab, shape).astype(float),
        holevo_information=np.broadcast_to(chi_be, shape).astype(float),
    )


def secret_key_rate_cv_gg02(
    channel_loss_db: ArrayLike,
    modulation_variance_snu: ArrayLike = 4.0,
    excess_noise_snu: ArrayLike = 0.01,
    detector_efficiency: ArrayLike = 0.6,
    electronic_noise_snu: ArrayLike = 0.01,
    reconciliation_efficiency: ArrayLike = 0.95,
    detection: str = "homodyne",
) -> FloatArray:
    """GG02 secret key rate [bits per symbol]; see :func:`cv_gg02_key_rate`.

    References
    ----------
    Lodewyck et al., PRA 76, 042305 (2007), Sec. II.C; Laudenbach et al., Adv. Quantum
    Technol. 1, 1800011 (2018), Sec. 4.
    """
    return cv_gg02_key_rate(channel_loss_db, modulation_variance_snu, excess_noise_snu,
                            detector_efficiency, electronic_noise_snu,
                            reconciliation_efficiency, detection).secret_key_rate_per_pulse


def optimize_cv_modulation_variance(
    channel_loss_db: ArrayLike,
    excess_noise_snu: ArrayLike = 0.01,
    detector_efficiency: ArrayLike = 0.6,
    electronic_noise_snu: ArrayLike = 0.01,
    reconciliation_efficiency: ArrayLike = 0.95,
    detection: str = "homodyne",
    bounds: tuple[float, float] = MODULATION_VARIANCE_RANGE_SNU,
) -> tuple[FloatArray, FloatArray]:
    """V_A maximising the GG02 rate, element by element (log grid, then refinement).

    With beta < 1 the rate has an interior optimum in V_A (a few SNU); with beta = 1 it grows
    with V_A and the optimum is the upper bound.

    Returns
    -------
    rate, modulation_variance_snu : ndarray
        Optimal rate [bits per symbol] (0 where none is positive) and V_A used [SNU].

    References
    ----------
    Laudenbach et al., Adv. Quantum Technol. 1, 1800011 (2018), Sec. 4 (V_A dependence).
    """
    shape = np.broadcast_shapes(np.shape(channel_loss_db), np.shape(excess_noise_snu),
                                np.shape(detector_efficiency), np.shape(electronic_noise_snu),
                                np.shape(reconciliation_efficiency))
    args = [np.asarray(np.broadcast_to(v, shape), dtype=float)[..., None] for v in (
        channel_loss_db, excess_noise_snu, detector_efficiency, electronic_noise_snu,
        reconciliation_efficiency)]
    check_choice("detection", detection, CV_DETECTIONS)

    def objective(va: FloatArray) -> FloatArray:
        loss, xi, eta, vel, beta = args
        return secret_key_rate_cv_gg02(loss, va, xi, eta, vel, beta, detection)

    return maximize_log_grid(objective, bounds[0], bounds[1], shape)
