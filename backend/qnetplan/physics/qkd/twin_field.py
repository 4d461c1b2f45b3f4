"""Twin-field QKD (TF-QKD): sending-or-not-sending and phase-matching, asymptotic, per slot.

Both parties send weak coherent pulses to an untrusted relay in the middle, where they interfere
on a beam splitter watched by two threshold detectors; an event counts when exactly one detector
clicks. A single photon from either side reaches a detector through one arm only, so the key
rate scales with the square root of the channel transmittance (Lucamarini et al. 2018), and
these protocols may exceed the repeaterless PLOB bound.

Each arm carries half of the channel loss in dB (symmetric relay; asymmetric TF needs settings
per side and is not modelled). ``eta = detector_efficiency x 10^(-channel_loss_db / 20)`` is one
arm's transmittance including the relay detector efficiency; ``dark_count_probability`` is each
of the two detectors' dark count probability per slot. All rates are bits per time slot, with no
sifting factor (asymptotically efficient basis choice, as in the papers); bits/s = rate x slot
rate.

Variants
--------
* ``sns`` — sending-or-not-sending, Wang, Yu, Hu (2018), Eq. (1) key rate with infinite decoys:
  R = 2 eps (1 - eps) mu e^{-mu} s1 [1 - h2(e1_ph)] - f S_Z h2(E_Z).
* ``pm`` — phase matching, Ma, Zeng, Zhou (2018), key rate Eq. (9):
  R = (2/D) Q_mu [1 - f h2(E_Z) - h2(E_X)], phase error bounded by the even-photon-number
  fraction of the detected events (Eq. (8)), D = 16 phase slices.

References
----------
.. [Luc18] M. Lucamarini, Z. L. Yuan, J. F. Dynes, A. J. Shields, "Overcoming the rate-distance
   limit of quantum key distribution without quantum repeaters", Nature 557, 400 (2018),
   doi:10.1038/s41586-018-0066-6.
.. [WYH18] X.-B. Wang, Z.-W. Yu, X.-L. Hu, "Twin-field quantum key distribution with large
   misalignment error", Phys. Rev. A 98, 062323 (2018), doi:10.1103/PhysRevA.98.062323,
   arXiv:1805.09222. Eq. (1) (key rate), Sec. III (linear-loss simulation model).
.. [MZZ18] X. Ma, P. Zeng, H. Zhou, "Phase-matching quantum key distribution", Phys. Rev. X 8,
   031043 (2018), doi:10.1103/PhysRevX.8.031043, arXiv:1805.05538. Eq. (9) (key rate), Eq. (8)
   (phase error from photon-number parity), Appendix (simulation model with phase slices).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import special

from qnetplan.physics.conversions import binary_entropy, db_to_transmittance
from qnetplan.physics.detectors import threshold_click_probability as click
from qnetplan.physics.optimize import (
    INTENSITY_RANGE,
    SENDING_PROBABILITY_RANGE,
    maximize_log_grid,
)
from qnetplan.physics.qkd._longhaul_common import (
    FloatArray,
    check_choice,
    check_nonnegative,
    check_probability,
    no_click,
)

TF_VARIANTS: tuple[str, ...] = ("sns", "pm")

#: Number of phase slices D of phase-matching QKD (value used in Ma, Zeng, Zhou 2018).
PM_PHASE_SLICES: int = 16

#: Optimisation ranges (API-CONTRACT.md §3): intensity and SNS sending probability.
SIGNAL_MEAN_PHOTON_NUMBER_RANGE: tuple[float, float] = INTENSITY_RANGE
SNS_SENDING_PROBABILITY_RANGE: tuple[float, float] = SENDING_PROBABILITY_RANGE


@dataclass(frozen=True)
class TwinFieldResult:
    """Outputs of :func:`tf_qkd_key_rate` (arrays of the broadcast input shape).

    Attributes
    ----------
    secret_key_rate_per_pulse : bits per time slot, >= 0.
    qber : bit error rate E_Z of the key events [unitless].
    gain : probability of a key event per slot (S_Z for SNS, Q_mu for PM; before the 2/D
        sifting of PM).
    phase_error : e1_ph (SNS) or E_X (PM) [unitless].
    """

    secret_key_rate_per_pulse: FloatArray
    qber: FloatArray
    gain: FloatArray
    phase_error: FloatArray


def _one_click_random_phase(mean_a: FloatArray, mean_b: FloatArray,
                            pd: FloatArray) -> FloatArray:
    """P(exactly one of two detectors clicks) for two independent phase-randomised pulses.

    Arriving means m_a, m_b interfere on a 50:50 beam splitter with a uniformly random relative
    phase; the port intensities are (m_a + m_b)/2 +- sqrt(m_a m_b) cos(phi). Averaging over phi
    gives 2 (1-p) e^{-M/2} I0(sqrt(m_a m_b)) - 2 (1-p)^2 e^{-M}, M = m_a + m_b.
    """
    total = mean_a + mean_b
    z = np.sqrt(mean_a * mean_b)
    # (1-p) e^{-M/2} [2 I0(z) - 2 (1-p) e^{-M/2}] = 2 (1-p)e^{-M/2} [(I0(z)-1) + click(M/2)]
    i0m1 = np.where(z < 1e-4, z * z / 4.0, special.i0(z) - 1.0)
    return 2.0 * no_click(total / 2.0, pd) * (i0m1 + click(total / 2.0, pd))


def _sns(eta: FloatArray, pd: FloatArray, ed: FloatArray, f: FloatArray, mu: FloatArray,
         eps: FloatArray) -> TwinFieldResult:
    # Z windows: neither sends, one sends, both send (independent random phases).
    none_sent = 2.0 * pd * (1.0 - pd)
    one_sent = 2.0 * click(eta * mu / 2.0, pd) * no_click(eta * mu / 2.0, pd)
    both_sent = _one_click_random_phase(eta * mu, eta * mu, pd)
    p0, p1, p2 = (1.0 - eps) ** 2, 2.0 * eps * (1.0 - eps), eps * eps
    s_z = p0 * none_sent + p1 * one_sent + p2 * both_sent
    err = p0 * none_sent + p2 * both_sent
    with np.errstate(divide="ignore", invalid="ignore"):
        e_z = np.where(s_z > 0, err / s_z, 0.5)
    # Untagged single-photon events (one party sent one photon, the other nothing).
    s1 = eta * (1.0 - pd) + (1.0 - eta) * 2.0 * pd * (1.0 - pd)
    with np.errstate(divide="ignore", invalid="ignore"):
        e1 = (ed * eta * (1.0 - pd) + (1.0 - eta) * pd * (1.0 - pd)) / s1
    e1 = np.where(s1 > 0, e1, 0.5)
    n1 = p1 * mu * np.exp(-mu) * s1
    single = np.where(e1 < 0.5, n1 * (1.0 - binary_entropy(e1)), 0.0)
    rate = np.maximum(single - f * s_z * binary_entropy(e_z), 0.0)
    return TwinFieldResult(rate, e_z, s_z, e1)


def phase_slice_error(phase_slices: int = PM_PHASE_SLICES) -> float:
    """Interference error from phase slicing, E[sin^2(delta/2)] for triangular delta.

    When both parties' continuous random phases fall in the same of D slices (width 2 pi / D),
    their difference delta is triangular on [-2 pi/D, 2 pi/D]; a photon then leaves by the wrong
    port with probability sin^2(delta/2). With a = 2 pi / D, E[cos delta] = 2 (1 - cos a)/a^2.

    Parameters
    ----------
    phase_slices : int
        D [unitless].

    Returns
    -------
    float
        Mean wrong-port probability [unitless] (about 0.0064 for D = 16).

    References
    ----------
    Ma, Zeng, Zhou, Phys. Rev. X 8, 031043 (2018), Sec. II (phase postselection with D slices)
    and Appendix (error from the phase mismatch within a slice).
    """
    a = 2.0 * np.pi / phase_slices
    return float((1.0 - 2.0 * (1.0 - np.cos(a)) / a**2) / 2.0)


def _pm(eta: FloatArray, pd: FloatArray, ed: FloatArray, f: FloatArray, mu: FloatArray,
        phase_slices: int) -> TwinFieldResult:
    e_opt = ed + (1.0 - 2.0 * ed) * phase_slice_error(phase_slices)
    total = 2.0 * eta * mu  # mean photons arriving at the relay
    right, wrong = total * (1.0 - e_opt), total * e_opt
    # exactly one detector clicks; error = only the wrong-port detector clicks
    q_right = click(right, pd) * no_click(wrong, pd)
    q_wrong = click(wrong, pd) * no_click(right, pd)
    q = q_right + q_wrong
    with np.errstate(divide="ignore", invalid="ignore"):
        e_z = np.where(q > 0, q_wrong / q, 0.5)
    # Odd-photon-number share of the detected events (infinite decoys): total photon number k
    # is Poisson(2 mu); Y_k = [1 - (1-eta)^k](1-p) + (1-eta)^k 2 p (1-p).
    #   sum_odd P_k (1-eta)^k = e^{-2mu} sinh(2 mu (1-eta))
    #   sum_odd P_k [1-(1-eta)^k] = e^{-2mu} 2 cosh(mu (2-eta)) sinh(mu eta)
    lost = np.exp(-2.0 * mu) * np.sinh(2.0 * mu * (1.0 - eta))
    arrived = np.exp(-2.0 * mu) * 2.0 * np.cosh(mu * (2.0 - eta)) * np.sinh(mu * eta)
    odd = arrived * (1.0 - pd) + lost * 2.0 * pd * (1.0 - pd)
    with np.errstate(divide="ignore", invalid="ignore"):
        e_x = np.where(q > 0, 1.0 - odd / q, 0.5)
    e_x = np.clip(e_x, 0.0, 1.0)
    ok = (e_x < 0.5) & (e_z < 0.5)
    val = (2.0 / phase_slices) * q * (1.0 - f * binary_entropy(e_z) - binary_entropy(e_x))
    rate = np.where(ok, np.maximum(val, 0.0), 0.0)
    rate = np.where(np.isnan(val), np.nan, rate)
    return TwinFieldResult(rate, e_z, q, e_x)


def tf_qkd_key_rate(
    channel_loss_db: ArrayLike,
    detector_efficiency: ArrayLike,
    dark_count_probability: ArrayLike,
    misalignment_error: ArrayLike = 0.03,
    error_correction_efficiency: ArrayLike = 1.16,
    signal_mean_photon_number: ArrayLike = 0.1,
    tf_variant: str = "sns",
    sns_sending_probability: ArrayLike = 0.05,
    phase_slices: int = PM_PHASE_SLICES,
) -> TwinFieldResult:
    """Asymptotic twin-field key rate per time slot, relay in the middle.

    SNS (Wang, Yu, Hu 2018, Eq. (1)), infinite decoys::

        S_Z = (1-eps)^2 2p(1-p) + 2 eps(1-eps) P1(eta mu) + eps^2 P2(eta mu)
        E_Z S_Z = (1-eps)^2 2p(1-p) + eps^2 P2(eta mu)
        s1 = eta (1-p) + (1-eta) 2p(1-p),  e1_ph s1 = e_d eta (1-p) + (1-eta) p (1-p)
        R = 2 eps (1-eps) mu e^{-mu} s1 [1 - h2(e1_ph)] - f S_Z h2(E_Z)

    with P1 the one-click probability of a single pulse and P2 that of two independent
    phase-randomised pulses (Bessel I0 average). PM (Ma, Zeng, Zhou 2018, Eq. (9))::

        R = (2/D) Q_mu [1 - f h2(E_Z) - h2(E_X)],   E_X = 1 - q_odd (Eq. (8))

    where the interference sends a fraction e_d + (1 - 2 e_d) e_slice of the light to the wrong
    port (e_slice from :func:`phase_slice_error`) and q_odd is the share of detected events
    with an odd total photon number (infinite decoys). Rates below zero are 0 and h2 is never
    evaluated above 1/2.

    Parameters
    ----------
    channel_loss_db : array_like
        Total Alice-Bob channel loss, detectors excluded [dB]; each arm carries half.
    detector_efficiency : array_like
        Efficiency of each of the relay's two detectors [unitless].
    dark_count_probability : array_like
        Dark count probability of each detector per slot [unitless].
    misalignment_error : array_like, default 0.03
        e_d, probability that interference sends a photon to the wrong port [unitless].
    error_correction_efficiency : array_like, default 1.16
        f >= 1 [unitless].
    signal_mean_photon_number : array_like, default 0.1
        mu: SNS sending intensity, or each party's PM intensity [photons per pulse].
    tf_variant : {"sns", "pm"}
        Protocol.
    sns_sending_probability : array_like, default 0.05
        eps, chance that a party sends in an SNS signal window [unitless] (ignored for PM).
    phase_slices : int, default 16
        D of PM-QKD [unitless] (ignored for SNS).

    Returns
    -------
    TwinFieldResult
        Rate [bits per slot], E_Z, gain and phase error of the broadcast shape.

    References
    ----------
    Wang, Yu, Hu, PRA 98, 062323 (2018), Eq. (1); Ma, Zeng, Zhou, PRX 8, 031043 (2018),
    Eqs. (8)-(9); Lucamarini et al., Nature 557, 400 (2018) (sqrt(eta) scaling).
    """
    check_choice("tf_variant", tf_variant, TF_VARIANTS)
    check_nonnegative("channel_loss_db", channel_loss_db)
    check_probability("detector_efficiency", detector_efficiency)
    check_probability("dark_count_probability", dark_count_probability)
    check_probability("misalignment_error", misalignment_error)
    check_probability("sns_sending_probability", sns_sending_probability)
    check_nonnegative("signal_mean_photon_number", signal_mean_photon_number)
    if phase_slices < 2 or phase_slices % 2:
        raise ValueError(f"phase_slices must be an even integer >= 2, got {phase_slices!r}")
    eta = np.asarray(detector_efficiency, dtype=float) * db_to_transmittance(
        np.asarray(channel_loss_db, dtype=float) / 2.0)
    pd = np.asarray(dark_count_probability, dtype=float)
    ed = np.asarray(misalignment_error, dtype=float)
    f = np.asarray(error_correction_efficiency, dtype=float)
    mu = np.asarray(signal_mean_photon_number, dtype=float)
    if tf_variant == "sns":
        res = _sns(eta, pd, ed, f, mu, np.asarray(sns_sending_probability, dtype=float))
    else:
        res = _pm(eta, pd, ed, f, mu, phase_slices)
    shape = np.broadcast_shapes(*(np.shape(v) for v in (res.secret_key_rate_per_pulse,
                                                        res.qber, res.gain, res.phase_error)))
    return TwinFieldResult(*(np.broadcast_to(v, shape).astype(float) for v in (
        res.secret_key_rate_per_pulse, res.qber, res.gain, res.phase_error)))


def secret_key_rate_tf_qkd(
    channel_loss_db: ArrayLike,
    detector_efficiency: ArrayLike,
    dark_count_probability: ArrayLike,
    misalignment_error: ArrayLike = 0.03,
    error_correction_efficiency: ArrayLike = 1.16,
    signal_mean_photon_number: ArrayLike = 0.1,
    tf_variant: str = "sns",
    sns_sending_probability: ArrayLike = 0.05,
    phase_slices: int = PM_PHASE_SLICES,
) -> FloatArray:
    """Twin-field secret key rate [bits per time slot]; see :func:`tf_qkd_key_rate`.

    References
    ----------
    Wang, Yu, Hu, PRA 98, 062323 (2018), Eq. (1); Ma, Zeng, Zhou, PRX 8, 031043 (2018),
    Eqs. (8)-(9).
    """
    return tf_qkd_key_rate(channel_loss_db, detector_efficiency, dark_count_probability,
                           misalignment_error, error_correction_efficiency,
                           signal_mean_photon_number, tf_variant, sns_sending_probability,
                           phase_slices).secret_key_rate_per_pulse


def optimize_tf_parameters(
    channel_loss_db: ArrayLike,
    detector_efficiency: ArrayLike,
    dark_count_probability: ArrayLike,
    misalignment_error: ArrayLike = 0.03,
    error_correction_efficiency: ArrayLike = 1.16,
    tf_variant: str = "sns",
    phase_slices: int = PM_PHASE_SLICES,
    intensity_bounds: tuple[float, float] = SIGNAL_MEAN_PHOTON_NUMBER_RANGE,
    sending_probability_bounds: tuple[float, float] = SNS_SENDING_PROBABILITY_RANGE,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Intensity (and SNS sending probability) maximising the twin-field rate, per element.

    PM: one log-grid search over mu. SNS: for each of 24 log-spaced sending probabilities in
    ``sending_probability_bounds`` the intensity is optimised, then eps is refined on a finer
    grid around the best one (grid then refinement, fully vectorised).

    Returns
    -------
    rate, mu, eps : ndarray
        Optimal rate [bits per slot], intensity [photons per pulse] and sending probability
        [unitless] (eps is NaN for PM), each of the broadcast input shape.

    References
    ----------
    Wang, Yu, Hu, PRA 98, 062323 (2018), Eq. (1); Ma, Zeng, Zhou, PRX 8, 031043 (2018), Eq. (9).
    """
    shape = np.broadcast_shapes(
        np.shape(channel_loss_db), np.shape(detector_efficiency),
        np.shape(dark_count_probability), np.shape(misalignment_error),
        np.shape(error_correction_efficiency))
    args = [np.asarray(np.broadcast_to(v, shape), dtype=float) for v in (
        channel_loss_db, detector_efficiency, dark_count_probability, misalignment_error,
        error_correction_efficiency)]
    lo, hi = intensity_bounds
    if tf_variant == "pm":
        loss, det, pd, ed, f = (a[..., None] for a in args)

        def pm_objective(mu: FloatArray) -> FloatArray:
            return secret_key_rate_tf_qkd(loss, det, pd, ed, f, mu, "pm", 0.05, phase_slices)

        rate, mu_best = maximize_log_grid(pm_objective, lo, hi, shape)
        return rate, mu_best, np.full(shape, np.nan)
    check_choice("tf_variant", tf_variant, TF_VARIANTS)

    def best_mu_for(eps: FloatArray) -> tuple[FloatArray, FloatArray]:
        # eps has shape shape + (m,); optimise mu for each (element, eps) pair.
        full = eps.shape
        loss, det, pd, ed, f = (np.broadcast_to(a[..., None], full)[..., None] for a in args)

        def objective(mu: FloatArray) -> FloatArray:
            return secret_key_rate_tf_qkd(loss, det, pd, ed, f, mu, "sns", eps[..., None])
        return maximize_log_grid(objective, lo, hi, full, n_grid=24, n_refine=16)

    e_lo, e_hi = sending_probability_bounds
    eps_grid = np.broadcast_to(np.exp(np.linspace(np.log(e_lo), np.log(e_hi), 24)),
                               (*shape, 24))
    rates, mus = best_mu_for(np.array(eps_grid))
    j = np.argmax(rates, axis=-1)
    step = (np.log(e_hi) - np.log(e_lo)) / 23
    centre = np.log(np.take_along_axis(eps_grid, j[..., None], axis=-1)[..., 0])
    fine = np.exp(np.clip(centre[..., None] + np.linspace(-step, step, 9), np.log(e_lo),
                          np.log(e_hi)))
    f_rates, f_mus = best_mu_for(fine)
    k = np.argmax(f_rates, axis=-1)
    rate = np.take_along_axis(f_rates, k[..., None], axis=-1)[..., 0]
    mu_best = np.take_along_axis(f_mus, k[..., None], axis=-1)[..., 0]
    eps_best = np.take_along_axis(fine, k[..., None], axis=-1)[..., 0]
    coarse_best = np.take_along_axis(rates, j[..., None], axis=-1)[..., 0]
    use_coarse = coarse_best > rate
    rate = np.where(use_coarse, coarse_best, rate)
    mu_best = np.where(use_coarse, np.take_along_axis(mus, j[..., None], axis=-1)[..., 0],
                       mu_best)
    eps_best = np.where(use_coarse,
                        np.take_along_axis(eps_grid, j[..., None], axis=-1)[..., 0], eps_best)
    return np.asarray(rate, dtype=float), np.asarray(mu_best, dtype=float), np.asarray(
        eps_best, dtype=float)


def tf_detector_click_probability(
    channel_loss_db: ArrayLike,
    detector_efficiency: ArrayLike,
    dark_count_probability: ArrayLike,
    signal_mean_photon_number: ArrayLike = 0.1,
    tf_variant: str = "sns",
    sns_sending_probability: ArrayLike = 0.05,
) -> FloatArray:
    """Click probability per slot of one of the relay's two detectors (for dead-time models).

    The mean light arriving at the relay per slot is 2 eps eta mu (SNS signal windows: each
    party sends with probability eps) or 2 eta mu (PM: both always send); on average each
    detector receives half of it, and its click probability is 1 - (1 - p) exp(-m) at that
    mean m (Jensen: slightly conservative for saturation).

    Parameters
    ----------
    channel_loss_db, detector_efficiency, dark_count_probability, signal_mean_photon_number,
    tf_variant, sns_sending_probability
        As in :func:`tf_qkd_key_rate` [dB, unitless, per slot, photons per pulse, -, unitless].

    Returns
    -------
    ndarray
        Click probability of one detector per slot [unitless].

    References
    ----------
    Wang, Yu, Hu, PRA 98, 062323 (2018); Ma, Zeng, Zhou, PRX 8, 031043 (2018).
    """
    check_choice("tf_variant", tf_variant, TF_VARIANTS)
    eta = np.asarray(detector_efficiency, dtype=float) * db_to_transmittance(
        np.asarray(channel_loss_db, dtype=float) / 2.0)
    mu = np.asarray(signal_mean_photon_number, dtype=float)
    share = np.asarray(sns_sending_probability, dtype=float) if tf_variant == "sns" else 1.0
    return np.asarray(click(share * eta * mu, dark_count_probability), dtype=float)
