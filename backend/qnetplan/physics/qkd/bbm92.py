"""Entanglement-based QKD (BBM92) with a PDC source, Ma, Fung and Lo 2007.

The source emits n pairs with the thermal statistics of a polarisation-entangled PDC source,
``P(n) = (n + 1) lambda^n / (1 + lambda)^(n+2)`` (mean pair number ``2 lambda``; our input
``source_mean_pair_number`` is that mean). It may sit anywhere on the channel: Alice's arm
carries the fraction ``relay_position_fraction`` of the channel loss in dB (0 = source at
Alice, 0.5 = in the middle). Each side has two threshold detectors of efficiency
``detector_efficiency`` and dark count probability p_d, so its background yield is
``Y0 = 1 - (1 - p_d)^2`` (PHYSICS.md §1.5); ``eta_A = T_A x detector_efficiency`` and likewise
for Bob.

Overall gain and QBER (Ma, Fung, Lo 2007, Sec. III, the PDC model) with x = eta_A lambda,
y = eta_B lambda::

    Q = 1 - (1 - Y0A)/(1 + x)^2 - (1 - Y0B)/(1 + y)^2
          + (1 - Y0A)(1 - Y0B)/(1 + x + y - eta_A eta_B lambda)^2
    E Q = e0 Q - 2 (e0 - e_d) eta_A eta_B lambda (1 + lambda)
                 / [(1 + x)(1 + y)(1 + x + y - eta_A eta_B lambda)]

evaluated in a cancellation-free form (see ``bbm92_gain_and_error``). Key rate with the
squashing model, bit and phase error rates equal (Ma, Fung, Lo 2007, Sec. II)::

    R = q Q [1 - f h2(E) - h2(E)]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from qnetplan.physics.conversions import binary_entropy
from qnetplan.physics.detectors import background_yield

FloatArray = NDArray[np.float64]

__all__ = [
    "BBM92Result",
    "bbm92_gain_and_error",
    "bbm92_key_rate",
    "secret_key_rate_bbm92",
]

E0 = 0.5


def bbm92_gain_and_error(
    half_mean_pair_number: ArrayLike,
    eta_a: ArrayLike,
    eta_b: ArrayLike,
    y0_a: ArrayLike,
    y0_b: ArrayLike,
    misalignment_error: ArrayLike,
) -> tuple[FloatArray, FloatArray]:
    """Coincidence gain ``Q_lambda`` and error gain ``E_lambda Q_lambda`` of a PDC source.

    Written without cancellation at high loss: with ``P_A0 = (1 - Y0A)(1 + x)^-2`` (Alice
    silent), ``c = (1 + x)(1 + y)`` and ``d = 1 + x + y - eta_A eta_B lambda``::

        Q = (1 - P_A0)(1 - P_B0)
            + (1 - Y0A)(1 - Y0B) eta_A eta_B lambda (1 + lambda)(c + d) / (c^2 d^2)

    which equals the published expression exactly (``c - d = eta_A eta_B lambda (1 +
    lambda)``).

    Parameters
    ----------
    half_mean_pair_number : array_like
        lambda, half the mean number of pairs per pulse [pairs].
    eta_a, eta_b : array_like
        Transmittance x detector efficiency of Alice's and Bob's sides [unitless].
    y0_a, y0_b : array_like
        Background yields of each side [unitless].
    misalignment_error : array_like
        e_d [unitless].

    Returns
    -------
    (gain, error_gain) : tuple of numpy.ndarray

    References
    ----------
    X. Ma, C.-H. F. Fung, H.-K. Lo, "Quantum key distribution with entangled photon sources",
    Phys. Rev. A 76, 012307 (2007), doi:10.1103/PhysRevA.76.012307, Sec. III (PDC source:
    overall gain Q_lambda and QBER E_lambda; arXiv:quant-ph/0703122).
    """
    lam = np.asarray(half_mean_pair_number, dtype=float)
    ea = np.asarray(eta_a, dtype=float)
    eb = np.asarray(eta_b, dtype=float)
    ya = np.asarray(y0_a, dtype=float)
    yb = np.asarray(y0_b, dtype=float)
    ed = np.asarray(misalignment_error, dtype=float)
    x = ea * lam
    y = eb * lam
    click_a = -np.expm1(np.log1p(-ya) - 2.0 * np.log1p(x))
    click_b = -np.expm1(np.log1p(-yb) - 2.0 * np.log1p(y))
    c = (1.0 + x) * (1.0 + y)
    d = 1.0 + x + y - ea * eb * lam
    pair = ea * eb * lam * (1.0 + lam)
    gain = click_a * click_b + (1.0 - ya) * (1.0 - yb) * pair * (c + d) / (c**2 * d**2)
    error_gain = E0 * gain - 2.0 * (E0 - ed) * pair / (c * d)
    return np.asarray(gain, dtype=float), np.asarray(error_gain, dtype=float)


@dataclass(frozen=True)
class BBM92Result:
    """Arrays of one BBM92 evaluation (broadcast shape of the inputs).

    Attributes
    ----------
    secret_key_rate_per_pulse : bits per source pulse, >= 0 (NaN where an input is NaN).
    qber : E_lambda [unitless].
    gain : coincidence probability per pulse Q_lambda [unitless].
    click_probability_alice, click_probability_bob : per-detector click probability per
        pulse on each side [unitless] (for the dead-time correction).
    """

    secret_key_rate_per_pulse: FloatArray
    qber: FloatArray
    gain: FloatArray
    click_probability_alice: FloatArray
    click_probability_bob: FloatArray


def bbm92_key_rate(
    channel_transmittance: ArrayLike,
    relay_position_fraction: ArrayLike,
    detector_efficiency: ArrayLike,
    dark_count_probability: ArrayLike,
    misalignment_error: ArrayLike = 0.01,
    error_correction_efficiency: ArrayLike = 1.16,
    sifting_factor: ArrayLike = 0.5,
    source_mean_pair_number: ArrayLike = 0.05,
) -> BBM92Result:
    """Asymptotic BBM92 key rate with a thermal PDC source anywhere on the channel.

    ``R = q Q_lambda [1 - f h2(E_lambda) - h2(E_lambda)]`` with ``lambda =
    source_mean_pair_number / 2``, ``T_A = T^s``, ``T_B = T^(1-s)`` (s =
    ``relay_position_fraction``: Alice's arm carries that fraction of the loss in dB).

    Parameters
    ----------
    channel_transmittance : array_like
        Alice-Bob channel transmittance T [unitless] (detectors excluded).
    relay_position_fraction : array_like
        Source position from Alice, s in [0, 1] [unitless].
    detector_efficiency : array_like
        Each side's detector efficiency incl. optics [unitless].
    dark_count_probability : array_like
        Per-detector dark count probability per window [unitless]; two detectors per side.
    misalignment_error : array_like, default 0.01
        e_d [unitless].
    error_correction_efficiency : array_like, default 1.16
        f >= 1 [unitless].
    sifting_factor : array_like, default 0.5
        q [unitless].
    source_mean_pair_number : array_like, default 0.05
        Mean pairs per pulse, 2 lambda [pairs].

    Returns
    -------
    BBM92Result

    References
    ----------
    X. Ma, C.-H. F. Fung, H.-K. Lo, Phys. Rev. A 76, 012307 (2007),
    doi:10.1103/PhysRevA.76.012307, Sec. II (key rate; arXiv:quant-ph/0703122) and
    Sec. III (PDC source).
    """
    t = np.asarray(channel_transmittance, dtype=float)
    s = np.asarray(relay_position_fraction, dtype=float)
    det = np.asarray(detector_efficiency, dtype=float)
    p_d = np.asarray(dark_count_probability, dtype=float)
    ed = np.asarray(misalignment_error, dtype=float)
    f = np.asarray(error_correction_efficiency, dtype=float)
    q = np.asarray(sifting_factor, dtype=float)
    pairs = np.asarray(source_mean_pair_number, dtype=float)
    lam = pairs / 2.0
    with np.errstate(divide="ignore"):
        log_t = np.log(t)
    t_a = np.where(s == 0.0, 1.0, np.exp(s * log_t))
    t_b = np.where(s == 1.0, 1.0, np.exp((1.0 - s) * log_t))
    eta_a = t_a * det
    eta_b = t_b * det
    y0 = background_yield(p_d, 2)
    gain, error_gain = bbm92_gain_and_error(lam, eta_a, eta_b, y0, y0, ed)
    with np.errstate(divide="ignore", invalid="ignore"):
        qber = np.clip(np.where(gain > 0.0, error_gain / np.where(gain > 0, gain, 1.0), E0), 0, 0.5)
        h = binary_entropy(qber)
        rate = q * gain * (1.0 - f * h - h)
    nan = np.zeros(np.shape(rate), dtype=bool)
    for x in (t, s, det, p_d, ed, f, q, pairs):
        nan = nan | np.isnan(x)
    rate = np.where(nan, np.nan, np.where(rate > 0.0, rate, 0.0))
    # Each detector sees one polarisation mode: mean lambda photons, transmittance eta_side.
    click_a = -np.expm1(np.log1p(-p_d) - np.log1p(eta_a * lam))
    click_b = -np.expm1(np.log1p(-p_d) - np.log1p(eta_b * lam))
    return BBM92Result(
        secret_key_rate_per_pulse=np.asarray(rate, dtype=float),
        qber=np.asarray(qber, dtype=float),
        gain=np.asarray(gain, dtype=float),
        click_probability_alice=np.asarray(click_a, dtype=float),
        click_probability_bob=np.asarray(click_b, dtype=float),
    )


def secret_key_rate_bbm92(
    channel_transmittance: ArrayLike,
    relay_position_fraction: ArrayLike,
    detector_efficiency: ArrayLike,
    dark_count_probability: ArrayLike,
    misalignment_error: ArrayLike = 0.01,
    error_correction_efficiency: ArrayLike = 1.16,
    sifting_factor: ArrayLike = 0.5,
    source_mean_pair_number: ArrayLike = 0.05,
) -> FloatArray:
    """BBM92 secret key rate [bits per pulse]; shorthand for ``bbm92_key_rate(...)``.

    Model and references: Ma, Fung, Lo, Phys. Rev. A 76, 012307 (2007); see
    ``bbm92_key_rate``.
    """
    return bbm92_key_rate(
        channel_transmittance,
        relay_position_fraction,
        detector_efficiency,
        dark_count_probability,
        misalignment_error,
        error_correction_efficiency,
        sifting_factor,
        source_mean_pair_number,
    ).secret_key_rate_per_pulse
