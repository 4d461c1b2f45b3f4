"""Asymptotic decoy-state BB84 with weak coherent pulses (GLLP with decoy-state bounds).

Conventions (API-CONTRACT §3, PHYSICS.md §1):

* ``eta = channel_transmittance x detector_efficiency`` (Ma et al. fold Bob's efficiency in).
* Background yield of Bob's two detectors ``Y0 = 1 - (1 - p_d)^2`` from the per-detector
  ``dark_count_probability`` p_d; background errors are random, ``e0 = 1/2``.
* Channel model (Ma et al. 2005, Sec. II): ``Y_i = Y0 + eta_i - Y0 eta_i`` with
  ``eta_i = 1 - (1 - eta)^i``, so ``Q_mu = 1 - (1 - Y0) exp(-eta mu)`` and
  ``E_mu Q_mu = e0 Y0 + e_d (1 - Y0)(1 - exp(-eta mu))`` (Ma et al. write ``Y0 + 1 -
  exp(-eta mu)`` and ``e0 Y0 + e_d (1 - exp(-eta mu))``, dropping the O(Y0 eta) products).
* Key rate: GLLP as written by Lo, Ma and Chen 2005, Eq. (1)::

      R = q { Q1 [1 - h2(e1)] - f Q_mu h2(E_mu) }

  with the single-photon gain ``Q1 = mu exp(-mu) Y1`` from the chosen decoy method's lower
  bound on Y1 and upper bound on e1, and **no vacuum-event term**: so every finite-decoy
  method lies below the infinite-decoy rate.
* Decoy methods: ``infinite`` (Y1, e1 known exactly); ``vacuum_weak`` with decoys
  ``[nu, mu_weakest]`` (the two-decoy bounds of Lim et al. 2014, Eqs. (2)-(4), in the
  asymptotic limit; with ``mu_weakest = 0`` these are exactly Ma et al. 2005's vacuum + weak
  bounds Y1^{L,nu,0} and e1^{U,nu,0}); ``one_decoy`` with ``[nu]`` (Ma et al. 2005, one weak
  decoy, Y0 bounded by the signal's errors); ``none`` (GLLP without decoys: every
  multi-photon detection is tagged).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import gammainc

from qnetplan.physics.conversions import binary_entropy
from qnetplan.physics.detectors import background_yield

FloatArray = NDArray[np.float64]

__all__ = [
    "DECOY_METHODS",
    "BB84DecoyResult",
    "bb84_decoy_key_rate",
    "bb84_gain_and_error",
    "secret_key_rate_bb84_decoy",
    "single_photon_bounds_one_decoy",
    "single_photon_bounds_two_decoy",
]

#: Valid ``decoy_method`` names and the number of decoy intensities each needs.
DECOY_METHODS: tuple[str, ...] = ("infinite", "vacuum_weak", "one_decoy", "none")
DECOY_COUNTS: dict[str, int] = {"infinite": 0, "vacuum_weak": 2, "one_decoy": 1, "none": 0}

#: Error rate of a background (random) detection.
E0 = 0.5

#: Relative separation below which intensities count as equal: the decoy bounds divide by
#: (mu - nu) or (mu1 - mu2 - mu3), and rounding would otherwise blow up near equality.
_SEPARATION = 1e-6


@dataclass(frozen=True)
class BB84DecoyResult:
    """Arrays of one evaluation (all the broadcast shape of the inputs).

    Attributes
    ----------
    secret_key_rate_per_pulse : bits per pulse sent, >= 0 (NaN where an input is NaN).
    qber : signal QBER E_mu [unitless].
    gain : signal gain Q_mu [detections per pulse].
    single_photon_yield : the Y1 (lower bound) used [unitless].
    single_photon_error_rate : the e1 (upper bound) used [unitless].
    """

    secret_key_rate_per_pulse: FloatArray
    qber: FloatArray
    gain: FloatArray
    single_photon_yield: FloatArray
    single_photon_error_rate: FloatArray


def bb84_gain_and_error(
    mean_photon_number: ArrayLike,
    total_transmittance: ArrayLike,
    background_yield_: ArrayLike,
    misalignment_error: ArrayLike,
) -> tuple[FloatArray, FloatArray]:
    """Gain ``Q_k`` and error gain ``E_k Q_k`` of coherent pulses of intensity ``k``.

    ``Q_k = 1 - (1 - Y0) exp(-eta k)`` and ``E_k Q_k = e0 Y0 + e_d (1 - Y0)(1 - exp(-eta k))``,
    evaluated with ``expm1``/``log1p`` (exact at 100 dB).

    Parameters
    ----------
    mean_photon_number : array_like
        Intensity k [photons per pulse], >= 0.
    total_transmittance : array_like
        eta = channel transmittance x detector efficiency [unitless].
    background_yield_ : array_like
        Y0 [unitless].
    misalignment_error : array_like
        e_d, probability that a photon hits the wrong detector [unitless].

    Returns
    -------
    (gain, error_gain) : tuple of numpy.ndarray
        Q_k [unitless] and E_k Q_k [unitless].

    References
    ----------
    X. Ma, B. Qi, Y. Zhao, H.-K. Lo, "Practical decoy state for quantum key distribution",
    Phys. Rev. A 72, 012326 (2005), doi:10.1103/PhysRevA.72.012326, Sec. II (yields Y_i,
    gain Q_mu and QBER E_mu of the fiber model), without dropping the Y0 eta_i products.
    """
    k = np.asarray(mean_photon_number, dtype=float)
    eta = np.asarray(total_transmittance, dtype=float)
    y0 = np.asarray(background_yield_, dtype=float)
    ed = np.asarray(misalignment_error, dtype=float)
    signal = -np.expm1(-eta * k)
    gain = -np.expm1(np.log1p(-y0) - eta * k)
    error_gain = E0 * y0 + ed * (1.0 - y0) * signal
    return np.asarray(gain, dtype=float), np.asarray(error_gain, dtype=float)


def single_photon_bounds_two_decoy(
    mu1: ArrayLike,
    mu2: ArrayLike,
    mu3: ArrayLike,
    gains: tuple[ArrayLike, ArrayLike, ArrayLike],
    error_gains: tuple[ArrayLike, ArrayLike, ArrayLike],
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Asymptotic two-decoy bounds on Y0, Y1 and e1 (signal mu1, decoys mu2 > mu3 >= 0).

    Per-pulse (asymptotic) form of Lim et al. 2014, Eqs. (2)-(4)::

        Y0 >= (mu2 e^mu3 Q3 - mu3 e^mu2 Q2) / (mu2 - mu3)
        Y1 >= mu1 [e^mu2 Q2 - e^mu3 Q3 - (mu2^2 - mu3^2)/mu1^2 (e^mu1 Q1 - Y0^L)]
              / [mu1 (mu2 - mu3) - mu2^2 + mu3^2]
        e1 Y1 <= (e^mu2 E2 Q2 - e^mu3 E3 Q3) / (mu2 - mu3)

    valid for ``mu1 > mu2 + mu3`` and ``mu2 > mu3 >= 0``; elsewhere Y1 is returned as 0. With
    ``mu3 = 0`` these equal Ma et al. 2005's vacuum + weak decoy bounds Y1^{L,nu,0},
    e1^{U,nu,0} (Sec. IV B there).

    Parameters
    ----------
    mu1, mu2, mu3 : array_like
        Signal, weak decoy and weakest decoy intensities [photons per pulse].
    gains : tuple of array_like
        Q_mu1, Q_mu2, Q_mu3 [unitless].
    error_gains : tuple of array_like
        E_mu1 Q_mu1, E_mu2 Q_mu2, E_mu3 Q_mu3 [unitless].

    Returns
    -------
    (y0_lower, y1_lower, e1_upper) : tuple of numpy.ndarray
        e1_upper is 0.5 where Y1_lower <= 0.

    References
    ----------
    C. C. W. Lim, M. Curty, N. Walenta, F. Xu, H. Zbinden, Phys. Rev. A 89, 022307 (2014),
    doi:10.1103/PhysRevA.89.022307, Eqs. (2)-(4) and (A4)-(A6), asymptotic limit.
    X. Ma, B. Qi, Y. Zhao, H.-K. Lo, Phys. Rev. A 72, 012326 (2005), Sec. IV B (vacuum + weak).
    """
    m1 = np.asarray(mu1, dtype=float)
    m2 = np.asarray(mu2, dtype=float)
    m3 = np.asarray(mu3, dtype=float)
    q1, q2, q3 = (np.asarray(g, dtype=float) for g in gains)
    eq2, eq3 = (np.asarray(g, dtype=float) for g in error_gains[1:])
    valid = (m1 - m2 - m3 > _SEPARATION * m1) & (m2 - m3 > _SEPARATION * m2) & (m3 >= 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        d23 = np.where(valid, m2 - m3, 1.0)
        y0 = np.maximum((m2 * np.exp(m3) * q3 - m3 * np.exp(m2) * q2) / d23, 0.0)
        denom = m1 * (m2 - m3) - m2**2 + m3**2
        denom = np.where(valid & (denom > 0.0), denom, np.inf)
        y1 = (
            m1
            * (np.exp(m2) * q2 - np.exp(m3) * q3 - (m2**2 - m3**2) / m1**2 * (np.exp(m1) * q1 - y0))
            / denom
        )
        e1y1 = (np.exp(m2) * eq2 - np.exp(m3) * eq3) / d23
        y1 = np.where(valid, y1, 0.0)
        e1 = np.where(y1 > 0.0, np.clip(e1y1 / np.where(y1 > 0.0, y1, 1.0), 0.0, 0.5), 0.5)
    return np.asarray(y0, dtype=float), np.asarray(y1, dtype=float), np.asarray(e1, dtype=float)


def single_photon_bounds_one_decoy(
    mu: ArrayLike,
    nu: ArrayLike,
    gain_mu: ArrayLike,
    error_gain_mu: ArrayLike,
    gain_nu: ArrayLike,
) -> tuple[FloatArray, FloatArray]:
    """One-decoy bounds on Y1 and e1 (signal mu, one weak decoy nu < mu, Y0 not measured).

    Ma et al. 2005, one-decoy protocol: Y0 is bounded by ``E_mu Q_mu e^mu / e0``, so::

        Y1 >= mu / (mu nu - nu^2) [Q_nu e^nu - Q_mu e^mu nu^2/mu^2
                                   - E_mu Q_mu e^mu (mu^2 - nu^2) / (e0 mu^2)]
        e1 <= E_mu Q_mu e^mu / (Y1^L mu)

    Parameters
    ----------
    mu, nu : array_like
        Signal and decoy intensities [photons per pulse], 0 < nu < mu (else Y1 = 0).
    gain_mu, error_gain_mu, gain_nu : array_like
        Q_mu, E_mu Q_mu and Q_nu [unitless].

    Returns
    -------
    (y1_lower, e1_upper) : tuple of numpy.ndarray

    References
    ----------
    X. Ma, B. Qi, Y. Zhao, H.-K. Lo, Phys. Rev. A 72, 012326 (2005),
    doi:10.1103/PhysRevA.72.012326, Sec. IV C (one decoy).
    """
    m = np.asarray(mu, dtype=float)
    n = np.asarray(nu, dtype=float)
    qm = np.asarray(gain_mu, dtype=float)
    eqm = np.asarray(error_gain_mu, dtype=float)
    qn = np.asarray(gain_nu, dtype=float)
    valid = (n > 0.0) & (m - n > _SEPARATION * m)
    with np.errstate(divide="ignore", invalid="ignore"):
        denom = np.where(valid, m * n - n**2, np.inf)
        y1 = (
            m
            / denom
            * (
                qn * np.exp(n)
                - qm * np.exp(m) * n**2 / m**2
                - eqm * np.exp(m) * (m**2 - n**2) / (E0 * m**2)
            )
        )
        y1 = np.where(valid, y1, 0.0)
        e1 = np.where(
            y1 > 0.0, np.clip(eqm * np.exp(m) / (np.where(y1 > 0.0, y1, 1.0) * m), 0.0, 0.5), 0.5
        )
    return np.asarray(y1, dtype=float), np.asarray(e1, dtype=float)


def _clip_rate(rate: FloatArray, *inputs: FloatArray) -> FloatArray:
    """Rates below zero are exactly 0; NaN inputs give NaN."""
    nan = np.zeros(rate.shape, dtype=bool)
    for x in inputs:
        nan = nan | np.isnan(x)
    out = np.where(rate > 0.0, rate, 0.0)
    return np.asarray(np.where(nan, np.nan, out), dtype=float)


def bb84_decoy_key_rate(
    channel_transmittance: ArrayLike,
    detector_efficiency: ArrayLike,
    dark_count_probability: ArrayLike,
    misalignment_error: ArrayLike = 0.01,
    error_correction_efficiency: ArrayLike = 1.16,
    sifting_factor: ArrayLike = 0.5,
    signal_mean_photon_number: ArrayLike = 0.5,
    decoy_method: str = "infinite",
    decoy_mean_photon_numbers: Sequence[ArrayLike] = (),
) -> BB84DecoyResult:
    """Asymptotic secret key rate of decoy-state BB84 (GLLP), with its QBER and bounds.

    ``R = q { Q1 [1 - h2(e1)] - f Q_mu h2(E_mu) }`` (Lo, Ma, Chen 2005, Eq. (1)), with
    ``Q1 = mu e^-mu Y1``; Y1 and e1 exact (``infinite``) or bounded by the decoys; for
    ``none``, GLLP's tagged form ``R = q Q_mu {(1 - Delta)[1 - h2(E_mu / (1 - Delta))] - f
    h2(E_mu)}`` with ``Delta = (1 - (1 + mu) e^-mu) / Q_mu`` (GLLP 2004; Ma et al. 2005,
    no-decoy case). All array inputs broadcast; rates below zero are exactly 0.

    Parameters
    ----------
    channel_transmittance : array_like
        Channel transmittance [unitless] (detectors excluded).
    detector_efficiency : array_like
        Bob's detector efficiency including receiver optics [unitless].
    dark_count_probability : array_like
        Per-detector dark count probability per detection window [unitless];
        ``Y0 = 1 - (1 - p_d)^2`` (two detectors).
    misalignment_error : array_like, default 0.01
        e_d [unitless].
    error_correction_efficiency : array_like, default 1.16
        f >= 1 [unitless].
    sifting_factor : array_like, default 0.5
        q [unitless] (1/2 for standard BB84; -> 1 for efficient BB84).
    signal_mean_photon_number : array_like, default 0.5
        mu [photons per pulse].
    decoy_method : {"infinite", "vacuum_weak", "one_decoy", "none"}
        Decoy-state estimator.
    decoy_mean_photon_numbers : sequence of array_like
        ``vacuum_weak``: ``[nu, mu_weakest]``; ``one_decoy``: ``[nu]``; otherwise empty.

    Returns
    -------
    BB84DecoyResult

    Raises
    ------
    ValueError
        Unknown ``decoy_method`` or wrong number of decoy intensities.

    References
    ----------
    H.-K. Lo, X. Ma, K. Chen, "Decoy state quantum key distribution", Phys. Rev. Lett. 94,
    230504 (2005), doi:10.1103/PhysRevLett.94.230504, Eq. (1).
    D. Gottesman, H.-K. Lo, N. Lütkenhaus, J. Preskill, Quantum Inf. Comput. 4, 325 (2004),
    arXiv:quant-ph/0212066 (GLLP).
    X. Ma, B. Qi, Y. Zhao, H.-K. Lo, Phys. Rev. A 72, 012326 (2005),
    doi:10.1103/PhysRevA.72.012326.
    C. C. W. Lim et al., Phys. Rev. A 89, 022307 (2014), doi:10.1103/PhysRevA.89.022307.
    """
    if decoy_method not in DECOY_METHODS:
        raise ValueError(
            f"unknown decoy_method {decoy_method!r}; expected one of {', '.join(DECOY_METHODS)}"
        )
    if len(decoy_mean_photon_numbers) != DECOY_COUNTS[decoy_method]:
        raise ValueError(
            f"decoy_method {decoy_method!r} needs {DECOY_COUNTS[decoy_method]} decoy "
            f"intensities, got {len(decoy_mean_photon_numbers)}"
        )
    t = np.asarray(channel_transmittance, dtype=float)
    det = np.asarray(detector_efficiency, dtype=float)
    p_d = np.asarray(dark_count_probability, dtype=float)
    ed = np.asarray(misalignment_error, dtype=float)
    f = np.asarray(error_correction_efficiency, dtype=float)
    q = np.asarray(sifting_factor, dtype=float)
    mu = np.asarray(signal_mean_photon_number, dtype=float)
    decoys = [np.asarray(d, dtype=float) for d in decoy_mean_photon_numbers]

    eta = t * det
    y0 = background_yield(p_d, 2)
    gain, error_gain = bb84_gain_and_error(mu, eta, y0, ed)
    with np.errstate(divide="ignore", invalid="ignore"):
        qber = np.where(gain > 0.0, error_gain / np.where(gain > 0.0, gain, 1.0), E0)
        leak = f * gain * binary_entropy(qber)
        if decoy_method == "none":
            p_multi = gammainc(2.0, mu)  # 1 - (1 + mu) e^-mu, exact for tiny mu
            delta = np.where(gain > 0.0, p_multi / np.where(gain > 0.0, gain, 1.0), 1.0)
            ok = delta < 1.0
            one_minus = np.where(ok, 1.0 - delta, 1.0)
            e_tag = np.clip(qber / one_minus, 0.0, 0.5)
            rate = q * (np.where(ok, gain * one_minus * (1.0 - binary_entropy(e_tag)), 0.0) - leak)
            y1 = np.where(ok, gain * one_minus / (mu * np.exp(-mu)), 0.0)
            e1 = np.where(ok, e_tag, 0.5)
        else:
            if decoy_method == "infinite":
                y1 = y0 + eta * (1.0 - y0)
                e1 = np.clip(np.where(y1 > 0.0, (E0 * y0 + ed * eta * (1.0 - y0)) / y1, E0), 0, 0.5)
            elif decoy_method == "vacuum_weak":
                nu, weakest = decoys
                g2, eg2 = bb84_gain_and_error(nu, eta, y0, ed)
                g3, eg3 = bb84_gain_and_error(weakest, eta, y0, ed)
                _, y1, e1 = single_photon_bounds_two_decoy(
                    mu, nu, weakest, (gain, g2, g3), (error_gain, eg2, eg3)
                )
            else:  # one_decoy
                (nu,) = decoys
                g2, _ = bb84_gain_and_error(nu, eta, y0, ed)
                y1, e1 = single_photon_bounds_one_decoy(mu, nu, gain, error_gain, g2)
            y1 = np.maximum(y1, 0.0)
            q1 = mu * np.exp(-mu) * y1
            rate = q * (q1 * (1.0 - binary_entropy(e1)) - leak)
    inputs = [t, det, p_d, ed, f, q, mu, *decoys]
    return BB84DecoyResult(
        secret_key_rate_per_pulse=_clip_rate(np.asarray(rate, dtype=float), *inputs),
        qber=np.asarray(qber, dtype=float),
        gain=np.asarray(gain, dtype=float),
        single_photon_yield=np.asarray(y1, dtype=float),
        single_photon_error_rate=np.asarray(e1, dtype=float),
    )


def secret_key_rate_bb84_decoy(
    channel_transmittance: ArrayLike,
    detector_efficiency: ArrayLike,
    dark_count_probability: ArrayLike,
    misalignment_error: ArrayLike = 0.01,
    error_correction_efficiency: ArrayLike = 1.16,
    sifting_factor: ArrayLike = 0.5,
    signal_mean_photon_number: ArrayLike = 0.5,
    decoy_method: str = "infinite",
    decoy_mean_photon_numbers: Sequence[ArrayLike] = (),
) -> FloatArray:
    """Secret key rate of asymptotic decoy-state BB84 [bits per pulse].

    Shorthand for ``bb84_decoy_key_rate(...).secret_key_rate_per_pulse``; see that function
    for the model, parameters and references (Lo, Ma, Chen, PRL 94, 230504 (2005), Eq. (1);
    Ma, Qi, Zhao, Lo, PRA 72, 012326 (2005)).
    """
    return bb84_decoy_key_rate(
        channel_transmittance,
        detector_efficiency,
        dark_count_probability,
        misalignment_error,
        error_correction_efficiency,
        sifting_factor,
        signal_mean_photon_number,
        decoy_method,
        decoy_mean_photon_numbers,
    ).secret_key_rate_per_pulse
