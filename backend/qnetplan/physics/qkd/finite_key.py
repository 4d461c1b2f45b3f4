"""Finite-key decoy-state BB84: signal + two decoys, Lim, Curty, Walenta, Xu, Zbinden 2014.

Protocol (Lim et al. 2014, Sec. II): Alice sends N pulses; each picks the X basis with
probability ``q_x`` (Bob likewise) and an intensity k in {mu1, mu2, mu3} with probability p_k
(``mu1 > mu2 + mu3``, ``mu2 > mu3 >= 0``). Key comes from the X-basis detections of all three
intensities; the Z basis estimates the phase error. The secret key length (Eq. (1))::

    l = floor( s_X0 + s_X1 [1 - h2(phi_X)] - lambda_EC - 6 log2(21/eps_sec) - log2(2/eps_cor) )

with s_X0, s_X1 from Eqs. (2), (3), v_Z1 from Eq. (4), phi_X from Eq. (5), and Hoeffding
deviations ``sqrt(n/2 ln(21/eps_sec))``. The rate per pulse sent is ``l / N``.

Expected counts use the same detector model as the asymptotic module (``eta = channel x
detector``, ``Y0 = 1 - (1 - p_d)^2``, ``e0 = 1/2``) plus Lim et al.'s optional after-pulse
probability (Sec. IV: ``R_k = D_k (1 + p_ap)`` and ``p_ap D_k / 2`` extra errors); the
calculator sets ``p_ap = 0``. Lim et al. write the misalignment term with the channel
transmittance; we use the system transmittance eta (the photons that reach the detectors).
``lambda_EC = f n_X h2(E_X)`` with E_X the observed X-basis error rate (Sec. IV).
"""

from __future__ import annotations

from dataclasses import dataclass
from math import log, log2

import numpy as np
from numpy.typing import ArrayLike, NDArray

from qnetplan.physics.conversions import binary_entropy
from qnetplan.physics.detectors import background_yield
from qnetplan.physics.qkd.bb84_decoy import E0

FloatArray = NDArray[np.float64]

__all__ = [
    "FiniteKeyResult",
    "bb84_finite_key_rate",
    "lim2014_key_length",
    "lim2014_phase_error_deviation",
]

_SEPARATION = 1e-6

Triple = tuple[FloatArray, FloatArray, FloatArray]


def _triple(values: tuple[ArrayLike, ArrayLike, ArrayLike]) -> Triple:
    """Three array_likes as float arrays (one per intensity)."""
    a, b, c = values
    return (np.asarray(a, dtype=float), np.asarray(b, dtype=float), np.asarray(c, dtype=float))


def lim2014_phase_error_deviation(
    epsilon: ArrayLike, error_rate: ArrayLike, sample_size: ArrayLike, key_size: ArrayLike
) -> FloatArray:
    """Random-sampling deviation ``gamma(a, b, c, d)`` of the phase error rate [unitless].

    ``gamma(a,b,c,d) = sqrt( (c+d)(1-b) b / (c d ln 2) * log2( (c+d) / (c d (1-b) b)
    * 21^2 / a^2 ) )`` with a = eps_sec, b = v_Z1/s_Z1, c = s_Z1, d = s_X1. ``b`` is clipped
    into [1e-12, 1/2] (the bound is used only where b < 1/2).

    References
    ----------
    C. C. W. Lim, M. Curty, N. Walenta, F. Xu, H. Zbinden, "Concise security bounds for
    practical decoy-state quantum key distribution", Phys. Rev. A 89, 022307 (2014),
    doi:10.1103/PhysRevA.89.022307, Eq. (5).
    """
    a = np.asarray(epsilon, dtype=float)
    b = np.clip(np.asarray(error_rate, dtype=float), 1e-12, 0.5)
    c = np.asarray(sample_size, dtype=float)
    d = np.asarray(key_size, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        arg = (c + d) / (c * d * (1.0 - b) * b) * 21.0**2 / a**2
        g = np.sqrt((c + d) * (1.0 - b) * b / (c * d * np.log(2.0)) * np.log2(arg))
    return np.asarray(g, dtype=float)


def _decoy_counts_bounds(
    counts: Triple,
    mus: Triple,
    probs: Triple,
    log_term: float,
) -> tuple[FloatArray, FloatArray]:
    """Eqs. (2)-(3): lower bounds on the vacuum and single-photon detections of one basis."""
    n1, n2, n3 = counts
    m1, m2, m3 = mus
    p1, p2, p3 = probs
    total = n1 + n2 + n3
    dev = np.sqrt(total / 2.0 * log_term)
    tau0 = p1 * np.exp(-m1) + p2 * np.exp(-m2) + p3 * np.exp(-m3)
    tau1 = p1 * np.exp(-m1) * m1 + p2 * np.exp(-m2) * m2 + p3 * np.exp(-m3) * m3
    n1p = np.exp(m1) / p1 * (n1 + dev)
    n2m = np.exp(m2) / p2 * (n2 - dev)
    n2p = np.exp(m2) / p2 * (n2 + dev)
    n3m = np.exp(m3) / p3 * (n3 - dev)
    n3p = np.exp(m3) / p3 * (n3 + dev)
    s0 = np.maximum(tau0 * (m2 * n3m - m3 * n2p) / (m2 - m3), 0.0)
    denom = m1 * (m2 - m3) - m2**2 + m3**2
    s1 = tau1 * m1 * (n2m - n3p - (m2**2 - m3**2) / m1**2 * (n1p - s0 / tau0)) / denom
    return s0, s1


def lim2014_key_length(
    n_x: tuple[ArrayLike, ArrayLike, ArrayLike],
    m_x: tuple[ArrayLike, ArrayLike, ArrayLike],
    n_z: tuple[ArrayLike, ArrayLike, ArrayLike],
    m_z: tuple[ArrayLike, ArrayLike, ArrayLike],
    intensities: tuple[ArrayLike, ArrayLike, ArrayLike],
    intensity_probabilities: tuple[ArrayLike, ArrayLike, ArrayLike],
    error_correction_efficiency: ArrayLike = 1.16,
    security_epsilon: float = 1e-10,
    correctness_epsilon: float = 1e-15,
) -> FloatArray:
    """Secret key length from the observed counts of the two-decoy protocol [bits].

    Lim et al. 2014, Eqs. (1)-(5): vacuum and single-photon detections in X and Z (Eqs. (2),
    (3)), single-photon errors in Z (Eq. (4)), phase error rate in X (Eq. (5)), key length
    (Eq. (1)) with ``lambda_EC = f n_X h2(m_X / n_X)``. Returns ``max(floor(l), 0)``; where
    the intensities violate ``mu1 > mu2 + mu3``, ``mu2 > mu3 >= 0``, the length is 0.

    Parameters
    ----------
    n_x, m_x : tuple of three array_like
        X-basis detections and bit errors per intensity (mu1, mu2, mu3) [counts].
    n_z, m_z : tuple of three array_like
        Z-basis detections and bit errors per intensity [counts].
    intensities : tuple of three array_like
        mu1, mu2, mu3 [photons per pulse].
    intensity_probabilities : tuple of three array_like
        p_mu1, p_mu2, p_mu3 [unitless], each > 0.
    error_correction_efficiency : array_like, default 1.16
        f_EC >= 1 [unitless].
    security_epsilon, correctness_epsilon : float
        eps_sec and eps_cor [unitless].

    Returns
    -------
    numpy.ndarray
        Secret key length l [bits], >= 0.

    References
    ----------
    C. C. W. Lim, M. Curty, N. Walenta, F. Xu, H. Zbinden, Phys. Rev. A 89, 022307 (2014),
    doi:10.1103/PhysRevA.89.022307, Eqs. (1)-(5).
    """
    nx = _triple(n_x)
    mx = _triple(m_x)
    nz = _triple(n_z)
    mz = _triple(m_z)
    mus = _triple(intensities)
    probs = _triple(intensity_probabilities)
    f = np.asarray(error_correction_efficiency, dtype=float)
    m1, m2, m3 = mus
    valid = (m1 - m2 - m3 > _SEPARATION * m1) & (m2 - m3 > _SEPARATION * m2) & (m3 >= 0.0)
    log_term = log(21.0 / security_epsilon)
    with np.errstate(divide="ignore", invalid="ignore"):
        s_x0, s_x1 = _decoy_counts_bounds(nx, mus, probs, log_term)
        _, s_z1 = _decoy_counts_bounds(nz, mus, probs, log_term)
        p1, p2, p3 = probs
        mz_total = mz[0] + mz[1] + mz[2]
        dev_m = np.sqrt(mz_total / 2.0 * log_term)
        tau1 = p1 * np.exp(-m1) * m1 + p2 * np.exp(-m2) * m2 + p3 * np.exp(-m3) * m3
        mz2p = np.exp(m2) / p2 * (mz[1] + dev_m)
        mz3m = np.exp(m3) / p3 * (mz[2] - dev_m)
        v_z1 = tau1 * (mz2p - mz3m) / (m2 - m3)
        usable = valid & (s_x1 > 0.0) & (s_z1 > 0.0)
        ratio = np.where(usable, v_z1 / np.where(usable, s_z1, 1.0), 0.5)
        phi = ratio + lim2014_phase_error_deviation(
            security_epsilon, ratio, np.where(usable, s_z1, 1.0), np.where(usable, s_x1, 1.0)
        )
        phi = np.where(usable & (ratio < 0.5), phi, 0.5)
        single = np.where(usable & (phi < 0.5), s_x1 * (1.0 - binary_entropy(phi)), 0.0)
        n_x_total = nx[0] + nx[1] + nx[2]
        m_x_total = mx[0] + mx[1] + mx[2]
        e_x = np.where(n_x_total > 0.0, m_x_total / np.where(n_x_total > 0.0, n_x_total, 1.0), E0)
        leak = f * n_x_total * binary_entropy(e_x)
        length = (
            np.where(valid, s_x0, 0.0)
            + single
            - leak
            - 6.0 * log2(21.0 / security_epsilon)
            - log2(2.0 / correctness_epsilon)
        )
    length = np.floor(np.where(length > 0.0, length, 0.0))
    return np.asarray(np.where(valid, length, 0.0), dtype=float)


@dataclass(frozen=True)
class FiniteKeyResult:
    """One finite-key evaluation (arrays of the broadcast shape).

    Attributes
    ----------
    secret_key_rate_per_pulse : l / N [bits per pulse sent] (NaN where an input is NaN).
    key_length_bits : l [bits].
    qber : expected X-basis error rate E_X [unitless].
    x_basis_detections : expected n_X [counts].
    """

    secret_key_rate_per_pulse: FloatArray
    key_length_bits: FloatArray
    qber: FloatArray
    x_basis_detections: FloatArray


def bb84_finite_key_rate(
    channel_transmittance: ArrayLike,
    detector_efficiency: ArrayLike,
    dark_count_probability: ArrayLike,
    misalignment_error: ArrayLike,
    error_correction_efficiency: ArrayLike,
    x_basis_probability: ArrayLike,
    intensities: tuple[ArrayLike, ArrayLike, ArrayLike],
    intensity_probabilities: tuple[ArrayLike, ArrayLike, ArrayLike],
    block_size_pulses: ArrayLike,
    security_epsilon: float = 1e-10,
    correctness_epsilon: float = 1e-15,
    afterpulse_probability: ArrayLike = 0.0,
) -> FiniteKeyResult:
    """Finite-key rate of two-decoy BB84 for N pulses sent, with expected (noise-free) counts.

    Expected counts for intensity k (Lim et al. 2014, Sec. IV, with our detector model):
    ``D_k = 1 - (1 - Y0) exp(-eta k)``, ``R_k = D_k (1 + p_ap)``, error probability
    ``e0 Y0 + e_d (1 - Y0)(1 - exp(-eta k)) + p_ap D_k / 2``;
    ``n_X,k = N p_k q_x^2 R_k``, ``n_Z,k = N p_k (1 - q_x)^2 R_k`` (errors alike). These feed
    ``lim2014_key_length`` (Eqs. (1)-(5)); the rate is ``l / N``.

    Parameters
    ----------
    channel_transmittance : array_like
        Channel transmittance [unitless].
    detector_efficiency : array_like
        Bob's detector efficiency [unitless].
    dark_count_probability : array_like
        Per-detector dark count probability per window [unitless]; Y0 = 1 - (1 - p_d)^2.
    misalignment_error : array_like
        e_d [unitless].
    error_correction_efficiency : array_like
        f_EC >= 1 [unitless].
    x_basis_probability : array_like
        q_x, probability that Alice (and Bob) choose the key basis X [unitless].
    intensities : tuple of three array_like
        mu1 (signal), mu2, mu3 [photons per pulse].
    intensity_probabilities : tuple of three array_like
        p_mu1, p_mu2, p_mu3 [unitless].
    block_size_pulses : array_like
        N, pulses sent [pulses].
    security_epsilon, correctness_epsilon : float
        eps_sec, eps_cor [unitless].
    afterpulse_probability : array_like, default 0
        p_ap [unitless] (Lim et al. use 0.04 in Sec. IV).

    Returns
    -------
    FiniteKeyResult

    References
    ----------
    C. C. W. Lim, M. Curty, N. Walenta, F. Xu, H. Zbinden, Phys. Rev. A 89, 022307 (2014),
    doi:10.1103/PhysRevA.89.022307, Eqs. (1)-(5) and the system model of Sec. IV.
    """
    t = np.asarray(channel_transmittance, dtype=float)
    det = np.asarray(detector_efficiency, dtype=float)
    p_d = np.asarray(dark_count_probability, dtype=float)
    ed = np.asarray(misalignment_error, dtype=float)
    f = np.asarray(error_correction_efficiency, dtype=float)
    qx = np.asarray(x_basis_probability, dtype=float)
    n_pulses = np.asarray(block_size_pulses, dtype=float)
    p_ap = np.asarray(afterpulse_probability, dtype=float)
    mus = _triple(intensities)
    probs = _triple(intensity_probabilities)
    eta = t * det
    y0 = background_yield(p_d, 2)
    detections = []
    errors = []
    for k in mus:
        d_k = -np.expm1(np.log1p(-y0) - eta * k)
        detections.append(d_k * (1.0 + p_ap))
        errors.append(E0 * y0 + ed * (1.0 - y0) * (-np.expm1(-eta * k)) + p_ap * d_k / 2.0)
    wx = n_pulses * qx**2
    wz = n_pulses * (1.0 - qx) ** 2
    n_x = _triple(tuple(wx * p * r for p, r in zip(probs, detections, strict=True)))
    m_x = _triple(tuple(wx * p * e for p, e in zip(probs, errors, strict=True)))
    n_z = _triple(tuple(wz * p * r for p, r in zip(probs, detections, strict=True)))
    m_z = _triple(tuple(wz * p * e for p, e in zip(probs, errors, strict=True)))
    length = lim2014_key_length(
        n_x,
        m_x,
        n_z,
        m_z,
        mus,
        probs,
        f,
        security_epsilon,
        correctness_epsilon,
    )
    n_x_total = n_x[0] + n_x[1] + n_x[2]
    m_x_total = m_x[0] + m_x[1] + m_x[2]
    with np.errstate(divide="ignore", invalid="ignore"):
        qber = np.where(n_x_total > 0.0, m_x_total / np.where(n_x_total > 0, n_x_total, 1.0), E0)
        rate = length / n_pulses
    nan = np.zeros(np.shape(rate), dtype=bool)
    for x in (t, det, p_d, ed, f, qx, n_pulses, *mus, *probs):
        nan = nan | np.isnan(x)
    return FiniteKeyResult(
        secret_key_rate_per_pulse=np.asarray(np.where(nan, np.nan, rate), dtype=float),
        key_length_bits=np.asarray(length, dtype=float),
        qber=np.asarray(qber, dtype=float),
        x_basis_detections=np.asarray(n_x_total, dtype=float),
    )
