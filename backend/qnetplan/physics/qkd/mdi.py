"""Measurement-device-independent QKD (MDI-QKD), asymptotic key rate per time slot.

Model
-----
Alice and Bob send phase-randomised weak coherent pulses in the BB84 polarisation states to an
untrusted relay (Charlie) that performs a polarisation Bell-state measurement with one 50:50
beam splitter, two polarising beam splitters and **four** threshold detectors (Ma & Razavi 2012,
Appendix B). The relay sits at ``relay_position_fraction`` of the channel *loss in dB* from
Alice: Alice's arm carries that fraction of ``channel_loss_db`` and Bob's the rest, and each arm's
transmittance includes the relay's ``detector_efficiency``. ``dark_count_probability`` is each of
the four detectors' dark count probability per time slot (Y0 in Ma & Razavi).

Key rate (Lo, Curty, Qi 2012, Eq. (1)), Z (rectilinear) basis for the key, X (diagonal) basis
for the phase error, no sifting factor (asymptotically efficient basis choice)::

    R = Q11_Z [1 - h2(e11_X)] - f Q_Z h2(E_Z)

* ``decoy_method="infinite"``: Q11_Z = mu^2 exp(-2 mu) Y11 and e11_X from the exact single-photon
  pair yield and error of the channel model (Ma & Razavi 2012, Appendix B).
* ``decoy_method="vacuum_weak"``: each party uses the intensities {mu, nu, omega} (omega = 0 for a
  true vacuum) and Y11, e11 are replaced by the analytical two-decoy bounds of Xu, Curty, Qi, Lo
  (2013), Eqs. (4) and (5) (written out in :func:`mdi_two_decoy_bounds`).

Per-pulse means per time slot (one pulse from each party); bits/s = rate x repetition rate.

References
----------
.. [LCQ12] H.-K. Lo, M. Curty, B. Qi, "Measurement-device-independent quantum key
   distribution", Phys. Rev. Lett. 108, 130503 (2012), doi:10.1103/PhysRevLett.108.130503,
   arXiv:1109.1473. Eq. (1) (key rate).
.. [MR12] X. Ma, M. Razavi, "Alternative schemes for measurement-device-independent quantum key
   distribution", Phys. Rev. A 86, 062319 (2012), doi:10.1103/PhysRevA.86.062319,
   arXiv:1204.4856. Appendix B (polarisation encoding: gains Q_rect, Q_diag, error rates
   E_rect, E_diag and single-photon Y11, e11 with four detectors).
.. [XCQL13] F. Xu, M. Curty, B. Qi, H.-K. Lo, "Practical aspects of measurement-device-independent
   quantum key distribution", New J. Phys. 15, 113007 (2013), doi:10.1088/1367-2630/15/11/113007,
   arXiv:1305.6965. Section 4, Eqs. (4)-(5) (analytical two-decoy bounds on Y11_Z and e11_X),
   Section 5 (asymmetric channels).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import special

from qnetplan.physics.conversions import binary_entropy, db_to_transmittance
from qnetplan.physics.detectors import threshold_click_probability as click
from qnetplan.physics.optimize import INTENSITY_RANGE, maximize_log_grid
from qnetplan.physics.qkd._longhaul_common import (
    FloatArray,
    check_choice,
    check_nonnegative,
    check_probability,
    no_click,
)

MDI_DECOY_METHODS: tuple[str, ...] = ("infinite", "vacuum_weak")

#: Search range of the signal intensity when it is optimised (API-CONTRACT.md §3).
SIGNAL_MEAN_PHOTON_NUMBER_RANGE: tuple[float, float] = INTENSITY_RANGE


@dataclass(frozen=True)
class MdiQkdResult:
    """Outputs of :func:`mdi_qkd_key_rate` (arrays of the broadcast input shape).

    Attributes
    ----------
    secret_key_rate_per_pulse : bits per time slot, >= 0 (0 past the cutoff).
    qber : E_Z, Z-basis error rate of the signal-signal pairs [unitless].
    gain : Q_Z, probability of a successful Bell-state measurement with signal pulses.
    single_photon_yield : Y11 (exact for ``infinite``; lower bound for ``vacuum_weak``).
    single_photon_phase_error : e11_X (exact, or upper bound) [unitless].
    """

    secret_key_rate_per_pulse: FloatArray
    qber: FloatArray
    gain: FloatArray
    single_photon_yield: FloatArray
    single_photon_phase_error: FloatArray


def _i0m1(z: FloatArray) -> FloatArray:
    """I0(z) - 1 without cancellation for small z (power series below 1, scipy above)."""
    z = np.asarray(z, dtype=float)
    q = (z * z) / 4.0
    series = np.zeros_like(q)
    term = np.ones_like(q)
    for k in range(1, 16):
        term = term * q / (k * k)
        series = series + term
    return np.where(z < 1.0, series, special.i0(z) - 1.0)


def _bessel_combination(x: FloatArray) -> FloatArray:
    """(I0(2x) - 1) - 4 (I0(x) - 1) = sum_{k>=2} x^(2k) (1 - 4^(1-k)) / (k!)^2, stable."""
    x = np.asarray(x, dtype=float)
    x2 = x * x
    series = np.zeros_like(x2)
    power = x2.copy()
    fact2 = 1.0
    for k in range(2, 20):
        power = power * x2
        fact2 *= float(k * k)
        series = series + power * (1.0 - 4.0 ** (1 - k)) / fact2
    direct = _i0m1(2.0 * x) - 4.0 * _i0m1(x)
    return np.where(x < 1.0, series, direct)


def mdi_polarization_gains(
    eta_a: ArrayLike,
    eta_b: ArrayLike,
    mu_a: ArrayLike,
    mu_b: ArrayLike,
    dark_count_probability: ArrayLike,
    misalignment_error: ArrayLike,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Gains and error counts of polarisation MDI-QKD with a four-detector BSM.

    Ma & Razavi (2012), Appendix B: with mu' = eta_a mu_a + eta_b mu_b,
    x = sqrt(eta_a mu_a eta_b mu_b) / 2, y = (1 - Y0) exp(-mu'/4), e0 = 1/2::

        Q_C = 2 (1-Y0)^2 e^{-mu'/2} [1 - (1-Y0) e^{-eta_a mu_a/2}] [1 - (1-Y0) e^{-eta_b mu_b/2}]
        Q_E = 2 Y0 (1-Y0)^2 e^{-mu'/2} [I0(2x) - (1-Y0) e^{-mu'/2}]
        Q_Z = Q_C + Q_E,            E_Z Q_Z = e_d Q_C + (1 - e_d) Q_E
        Q_X = 2 y^2 [1 + 2 y^2 - 4 y I0(x) + I0(2x)]
        E_X Q_X = e0 Q_X - 2 (e0 - e_d) y^2 [I0(2x) - 1]

    evaluated in cancellation-free forms (expm1, Bessel power series) so that they stay accurate
    at 60-100 dB of loss.

    Parameters
    ----------
    eta_a, eta_b : array_like
        Transmittance of Alice's and Bob's arm including the relay's detector efficiency
        [unitless].
    mu_a, mu_b : array_like
        Mean photon numbers of Alice's and Bob's pulses [photons per pulse].
    dark_count_probability : array_like
        Y0, each detector's dark count probability per time slot [unitless].
    misalignment_error : array_like
        e_d, polarisation misalignment error probability [unitless].

    Returns
    -------
    q_z, e_q_z, q_x, e_q_x : ndarray
        Z-basis gain, Z-basis error gain (E_Z Q_Z), X-basis gain and X-basis error gain
        [probabilities per time slot].

    References
    ----------
    Ma & Razavi, Phys. Rev. A 86, 062319 (2012), Appendix B, polarisation encoding.
    """
    ea = np.asarray(eta_a, dtype=float)
    eb = np.asarray(eta_b, dtype=float)
    ma = np.asarray(mu_a, dtype=float) * ea
    mb = np.asarray(mu_b, dtype=float) * eb
    y0 = np.asarray(dark_count_probability, dtype=float)
    ed = np.asarray(misalignment_error, dtype=float)
    mu_p = ma + mb
    x = np.sqrt(ma * mb) / 2.0
    # Z basis
    quiet_a = no_click(ma / 2.0, y0)  # (1-Y0) e^{-eta_a mu_a / 2}
    quiet_b = no_click(mb / 2.0, y0)
    q_c = 2.0 * quiet_a * quiet_b * click(ma / 2.0, y0) * click(mb / 2.0, y0)
    bracket_e = _i0m1(2.0 * x) + click(mu_p / 2.0, y0)  # I0(2x) - (1-Y0) e^{-mu'/2}
    q_e = 2.0 * y0 * quiet_a * quiet_b * bracket_e
    q_z = q_c + q_e
    e_q_z = ed * q_c + (1.0 - ed) * q_e
    # X basis, with y = 1 - c:  1 + 2y^2 - 4y I0(x) + I0(2x) = 2c^2 + [b - 4a] + 4ac
    y = no_click(mu_p / 4.0, y0)
    c = click(mu_p / 4.0, y0)
    a = _i0m1(x)
    b = _i0m1(2.0 * x)
    inner = 2.0 * c * c + _bessel_combination(x) + 4.0 * a * c
    q_x = 2.0 * y * y * inner
    e_q_x = 0.5 * q_x - 2.0 * (0.5 - ed) * y * y * b
    return q_z, e_q_z, q_x, np.maximum(e_q_x, 0.0)


def mdi_single_photon_pair(
    eta_a: ArrayLike,
    eta_b: ArrayLike,
    dark_count_probability: ArrayLike,
    misalignment_error: ArrayLike,
) -> tuple[FloatArray, FloatArray]:
    """Yield Y11 and phase error e11_X of single-photon pairs (infinite decoys).

    Ma & Razavi (2012), Appendix B::

        Y11 = (1-Y0)^2 [eta_a eta_b / 2 + (2 eta_a + 2 eta_b - 3 eta_a eta_b) Y0
                        + 4 (1-eta_a)(1-eta_b) Y0^2]
        e11 Y11 = e0 Y11 - (e0 - e_d) (1-Y0)^2 eta_a eta_b / 2,     e0 = 1/2

    Parameters
    ----------
    eta_a, eta_b : array_like
        Arm transmittances including the relay's detector efficiency [unitless].
    dark_count_probability : array_like
        Y0 per detector per time slot [unitless].
    misalignment_error : array_like
        e_d [unitless].

    Returns
    -------
    y11, e11 : ndarray
        Single-photon-pair yield [unitless] and its X-basis error rate [unitless].

    References
    ----------
    Ma & Razavi, Phys. Rev. A 86, 062319 (2012), Appendix B.
    """
    ea = np.asarray(eta_a, dtype=float)
    eb = np.asarray(eta_b, dtype=float)
    y0 = np.asarray(dark_count_probability, dtype=float)
    ed = np.asarray(misalignment_error, dtype=float)
    s = (1.0 - y0) ** 2
    y11 = s * (ea * eb / 2.0 + (2.0 * ea + 2.0 * eb - 3.0 * ea * eb) * y0
               + 4.0 * (1.0 - ea) * (1.0 - eb) * y0 * y0)
    with np.errstate(divide="ignore", invalid="ignore"):
        e11 = 0.5 - (0.5 - ed) * s * ea * eb / 2.0 / y11
    e11 = np.where(y11 > 0, e11, 0.5)
    return y11, e11


def mdi_two_decoy_bounds(
    eta_a: ArrayLike,
    eta_b: ArrayLike,
    signal_mean_photon_number: ArrayLike,
    weak_decoy_mean_photon_number: float,
    weakest_decoy_mean_photon_number: float,
    dark_count_probability: ArrayLike,
    misalignment_error: ArrayLike,
) -> tuple[FloatArray, FloatArray]:
    """Analytical vacuum + weak decoy bounds Y11_Z^L and e11_X^U (both parties {mu, nu, omega}).

    Xu, Curty, Qi, Lo (2013), Eqs. (4)-(5), with G(a, b) = exp(a + b) Q_ab and
    S(s) = G(s,s) + G(w,w) - G(s,w) - G(w,s)::

        Y11^L = [(mu^2 - w^2)(mu - w) S_Z(nu) - (nu^2 - w^2)(nu - w) S_Z(mu)]
                / [(mu - w)^2 (nu - w)^2 (mu - nu)]
        e11^U = [e^{2nu} Q^X_nn E^X_nn - e^{nu+w} Q^X_nw E^X_nw - e^{w+nu} Q^X_wn E^X_wn
                 + e^{2w} Q^X_ww E^X_ww] / [(nu - w)^2 Y11^L]

    The single-photon yield is basis independent, so the Z-basis lower bound also serves in the
    X-basis error bound. The observed gains come from :func:`mdi_polarization_gains`.

    Parameters
    ----------
    eta_a, eta_b : array_like
        Arm transmittances including detector efficiency [unitless].
    signal_mean_photon_number : array_like
        mu [photons per pulse]; must exceed ``weak_decoy_mean_photon_number``.
    weak_decoy_mean_photon_number : float
        nu [photons per pulse].
    weakest_decoy_mean_photon_number : float
        omega, 0 for a true vacuum [photons per pulse]; must be below nu.
    dark_count_probability, misalignment_error : array_like
        Y0 per detector and e_d [unitless].

    Returns
    -------
    y11_lower, e11_upper : ndarray
        Lower bound on Y11 (clipped at 0) and upper bound on e11_X (NaN-free; 1/2 when the
        yield bound is 0).

    References
    ----------
    Xu, Curty, Qi, Lo, New J. Phys. 15, 113007 (2013), Eqs. (4)-(5).
    """
    mu = np.asarray(signal_mean_photon_number, dtype=float)
    nu = float(weak_decoy_mean_photon_number)
    w = float(weakest_decoy_mean_photon_number)

    def z_gain(a: ArrayLike, b: ArrayLike) -> FloatArray:
        q, _, _, _ = mdi_polarization_gains(eta_a, eta_b, a, b, dark_count_probability,
                                            misalignment_error)
        return q * np.exp(np.asarray(a, dtype=float) + np.asarray(b, dtype=float))

    def x_error(a: float, b: float) -> FloatArray:
        _, _, _, eq = mdi_polarization_gains(eta_a, eta_b, a, b, dark_count_probability,
                                             misalignment_error)
        return eq * np.exp(a + b)

    g_ww = z_gain(w, w)
    s_nu = z_gain(nu, nu) + g_ww - z_gain(nu, w) - z_gain(w, nu)
    s_mu = z_gain(mu, mu) + g_ww - z_gain(mu, w) - z_gain(w, mu)
    denom = (mu - w) ** 2 * (nu - w) ** 2 * (mu - nu)
    y11_l = ((mu**2 - w**2) * (mu - w) * s_nu - (nu**2 - w**2) * (nu - w) * s_mu) / denom
    y11_l = np.maximum(y11_l, 0.0)
    t_x = x_error(nu, nu) - x_error(nu, w) - x_error(w, nu) + x_error(w, w)
    with np.errstate(divide="ignore", invalid="ignore"):
        e11_u = t_x / ((nu - w) ** 2 * y11_l)
    e11_u = np.where(y11_l > 0, np.clip(e11_u, 0.0, 0.5), 0.5)
    return np.asarray(y11_l, dtype=float), np.asarray(e11_u, dtype=float)


def _arm_transmittances(
    channel_loss_db: ArrayLike,
    detector_efficiency: ArrayLike,
    relay_position_fraction: ArrayLike,
) -> tuple[FloatArray, FloatArray]:
    loss = np.asarray(channel_loss_db, dtype=float)
    frac = np.asarray(relay_position_fraction, dtype=float)
    det = np.asarray(detector_efficiency, dtype=float)
    eta_a = det * db_to_transmittance(frac * loss)
    eta_b = det * db_to_transmittance((1.0 - frac) * loss)
    return eta_a, eta_b


def _check_inputs(
    channel_loss_db: ArrayLike,
    detector_efficiency: ArrayLike,
    dark_count_probability: ArrayLike,
    misalignment_error: ArrayLike,
    relay_position_fraction: ArrayLike,
    decoy_method: str,
    signal_mean_photon_number: ArrayLike,
    decoy_mean_photon_numbers: Sequence[float],
) -> tuple[float, float]:
    check_choice("decoy_method", decoy_method, MDI_DECOY_METHODS)
    check_nonnegative("channel_loss_db", channel_loss_db)
    check_probability("detector_efficiency", detector_efficiency)
    check_probability("dark_count_probability", dark_count_probability)
    check_probability("misalignment_error", misalignment_error)
    check_probability("relay_position_fraction", relay_position_fraction)
    check_nonnegative("signal_mean_photon_number", signal_mean_photon_number)
    if decoy_method == "infinite":
        if len(decoy_mean_photon_numbers) != 0:
            raise ValueError("decoy_method 'infinite' takes no decoy_mean_photon_numbers")
        return 0.0, 0.0
    if len(decoy_mean_photon_numbers) != 2:
        raise ValueError("decoy_method 'vacuum_weak' needs decoy_mean_photon_numbers "
                         "[nu, omega] (omega = 0 for a true vacuum)")
    nu, w = (float(v) for v in decoy_mean_photon_numbers)
    if not (nu > w >= 0.0):
        raise ValueError(f"vacuum_weak decoys need nu > omega >= 0, got {nu!r}, {w!r}")
    if np.any(np.asarray(signal_mean_photon_number, dtype=float) <= nu):
        raise ValueError("signal_mean_photon_number must exceed the weak decoy nu")
    return nu, w


def mdi_qkd_key_rate(
    channel_loss_db: ArrayLike,
    detector_efficiency: ArrayLike,
    dark_count_probability: ArrayLike,
    misalignment_error: ArrayLike = 0.01,
    error_correction_efficiency: ArrayLike = 1.16,
    signal_mean_photon_number: ArrayLike = 0.3,
    decoy_method: str = "infinite",
    decoy_mean_photon_numbers: Sequence[float] = (),
    relay_position_fraction: ArrayLike = 0.5,
) -> MdiQkdResult:
    """Asymptotic MDI-QKD key rate per time slot with its intermediate quantities.

    R = Q11_Z [1 - h2(e11_X)] - f Q_Z h2(E_Z)  (Lo, Curty, Qi 2012, Eq. (1)), with Q11_Z =
    mu^2 exp(-2 mu) Y11. ``infinite``: Y11, e11 of Ma & Razavi (2012) App. B;
    ``vacuum_weak``: Y11^L, e11^U of Xu et al. (2013) Eqs. (4)-(5). Negative values become 0;
    h2 is never evaluated above 1/2 (an e11 >= 1/2 removes the single-photon term).

    Parameters
    ----------
    channel_loss_db : array_like
        Total Alice-Bob channel loss, detectors excluded [dB].
    detector_efficiency : array_like
        Efficiency of each of the relay's four detectors incl. its optics [unitless].
    dark_count_probability : array_like
        Dark count probability of each detector per time slot (Y0) [unitless].
    misalignment_error : array_like, default 0.01
        e_d [unitless].
    error_correction_efficiency : array_like, default 1.16
        f >= 1 multiplying h2(E_Z) [unitless].
    signal_mean_photon_number : array_like, default 0.3
        mu, both parties' signal intensity [photons per pulse].
    decoy_method : {"infinite", "vacuum_weak"}
        Decoy analysis.
    decoy_mean_photon_numbers : sequence of float
        () for ``infinite``; [nu, omega] for ``vacuum_weak`` (omega = 0 a true vacuum).
    relay_position_fraction : array_like, default 0.5
        Share of the loss in dB on Alice's arm [unitless, 0..1].

    Returns
    -------
    MdiQkdResult
        Rate [bits per time slot], E_Z, Q_Z, Y11 and e11_X, each of the broadcast shape.

    References
    ----------
    Lo, Curty, Qi, PRL 108, 130503 (2012), Eq. (1); Ma & Razavi, PRA 86, 062319 (2012),
    App. B; Xu, Curty, Qi, Lo, NJP 15, 113007 (2013), Eqs. (4)-(5).
    """
    nu, w = _check_inputs(channel_loss_db, detector_efficiency, dark_count_probability,
                          misalignment_error, relay_position_fraction, decoy_method,
                          signal_mean_photon_number, decoy_mean_photon_numbers)
    eta_a, eta_b = _arm_transmittances(channel_loss_db, detector_efficiency,
                                       relay_position_fraction)
    mu = np.asarray(signal_mean_photon_number, dtype=float)
    f = np.asarray(error_correction_efficiency, dtype=float)
    q_z, e_q_z, _, _ = mdi_polarization_gains(eta_a, eta_b, mu, mu, dark_count_probability,
                                              misalignment_error)
    if decoy_method == "infinite":
        y11, e11 = mdi_single_photon_pair(eta_a, eta_b, dark_count_probability,
                                          misalignment_error)
    else:
        y11, e11 = mdi_two_decoy_bounds(eta_a, eta_b, mu, nu, w, dark_count_probability,
                                        misalignment_error)
    with np.errstate(divide="ignore", invalid="ignore"):
        e_z = np.where(q_z > 0, e_q_z / q_z, 0.5)
    q11 = mu * mu * np.exp(-2.0 * mu) * y11
    single = np.where(e11 < 0.5, q11 * (1.0 - binary_entropy(e11)), 0.0)
    leak = f * q_z * binary_entropy(e_z)
    rate = np.maximum(single - leak, 0.0)
    shape = np.broadcast_shapes(rate.shape, np.shape(e_z), np.shape(y11))
    return MdiQkdResult(
        secret_key_rate_per_pulse=np.broadcast_to(rate, shape).astype(float),
        qber=np.broadcast_to(e_z, shape).astype(float),
        gain=np.broadcast_to(q_z, shape).astype(float),
        single_photon_yield=np.broadcast_to(y11, shape).astype(float),
        single_photon_phase_error=np.broadcast_to(e11, shape).astype(float),
    )


def secret_key_rate_mdi_qkd(
    channel_loss_db: ArrayLike,
    detector_efficiency: ArrayLike,
    dark_count_probability: ArrayLike,
    misalignment_error: ArrayLike = 0.01,
    error_correction_efficiency: ArrayLike = 1.16,
    signal_mean_photon_number: ArrayLike = 0.3,
    decoy_method: str = "infinite",
    decoy_mean_photon_numbers: Sequence[float] = (),
    relay_position_fraction: ArrayLike = 0.5,
) -> FloatArray:
    """MDI-QKD secret key rate [bits per time slot]; see :func:`mdi_qkd_key_rate`.

    References
    ----------
    Lo, Curty, Qi, PRL 108, 130503 (2012), Eq. (1); Ma & Razavi, PRA 86, 062319 (2012),
    App. B; Xu, Curty, Qi, Lo, NJP 15, 113007 (2013), Eqs. (4)-(5).
    """
    return mdi_qkd_key_rate(
        channel_loss_db, detector_efficiency, dark_count_probability, misalignment_error,
        error_correction_efficiency, signal_mean_photon_number, decoy_method,
        decoy_mean_photon_numbers, relay_position_fraction,
    ).secret_key_rate_per_pulse


def optimize_mdi_signal_mean_photon_number(
    channel_loss_db: ArrayLike,
    detector_efficiency: ArrayLike,
    dark_count_probability: ArrayLike,
    misalignment_error: ArrayLike = 0.01,
    error_correction_efficiency: ArrayLike = 1.16,
    decoy_method: str = "infinite",
    decoy_mean_photon_numbers: Sequence[float] = (),
    relay_position_fraction: ArrayLike = 0.5,
    bounds: tuple[float, float] = SIGNAL_MEAN_PHOTON_NUMBER_RANGE,
) -> tuple[FloatArray, FloatArray]:
    """Signal intensity mu maximising the MDI-QKD rate, element by element.

    Log grid over ``bounds`` (for ``vacuum_weak`` the lower end is raised just above nu, the
    given decoys are kept) followed by refinement; see :func:`mdi_qkd_key_rate`.

    Returns
    -------
    rate, mu : ndarray
        Optimal rate [bits per time slot] (0 where no intensity gives key) and the intensity
        used [photons per pulse], each of the broadcast input shape.

    References
    ----------
    Lo, Curty, Qi, PRL 108, 130503 (2012), Eq. (1); Xu, Curty, Qi, Lo, NJP 15, 113007 (2013),
    Sec. 4.3 (choice of intensities).
    """
    lo, hi = bounds
    if decoy_method == "vacuum_weak" and len(decoy_mean_photon_numbers) == 2:
        lo = max(lo, float(decoy_mean_photon_numbers[0]) * (1.0 + 1e-6) + 1e-12)
        if lo >= hi:
            raise ValueError("weak decoy nu leaves no room for the signal intensity")
    shape = np.broadcast_shapes(
        np.shape(channel_loss_db), np.shape(detector_efficiency),
        np.shape(dark_count_probability), np.shape(misalignment_error),
        np.shape(error_correction_efficiency), np.shape(relay_position_fraction))

    def expand(v: ArrayLike) -> FloatArray:
        return np.asarray(v, dtype=float)[..., None]

    def objective(mu: FloatArray) -> FloatArray:
        return secret_key_rate_mdi_qkd(
            expand(np.broadcast_to(channel_loss_db, shape)),
            expand(np.broadcast_to(detector_efficiency, shape)),
            expand(np.broadcast_to(dark_count_probability, shape)),
            expand(np.broadcast_to(misalignment_error, shape)),
            expand(np.broadcast_to(error_correction_efficiency, shape)),
            mu, decoy_method, decoy_mean_photon_numbers,
            expand(np.broadcast_to(relay_position_fraction, shape)),
        )

    return maximize_log_grid(objective, lo, hi, shape)


def mdi_detector_click_probability(
    channel_loss_db: ArrayLike,
    detector_efficiency: ArrayLike,
    dark_count_probability: ArrayLike,
    signal_mean_photon_number: ArrayLike = 0.3,
    relay_position_fraction: ArrayLike = 0.5,
) -> FloatArray:
    """Click probability per slot of one of the relay's four detectors (for dead-time models).

    Each detector receives on average a quarter of the light arriving from both arms (50:50
    beam splitter, then a polarising beam splitter, BB84 states equally likely), so its mean
    photon number is (eta_a + eta_b) mu / 4 and its click probability
    1 - (1 - Y0) exp(-(eta_a + eta_b) mu / 4). Evaluated at the mean intensity, which by
    Jensen's inequality slightly overstates the clicks (conservative for saturation).

    Parameters
    ----------
    channel_loss_db, detector_efficiency, dark_count_probability, signal_mean_photon_number,
    relay_position_fraction : array_like
        As in :func:`mdi_qkd_key_rate` [dB, unitless, per slot, photons per pulse, unitless].

    Returns
    -------
    ndarray
        Click probability of one detector per time slot [unitless].

    References
    ----------
    Ma & Razavi, PRA 86, 062319 (2012), Appendix B (detector arrangement of the BSM).
    """
    eta_a, eta_b = _arm_transmittances(channel_loss_db, detector_efficiency,
                                       relay_position_fraction)
    mu = np.asarray(signal_mean_photon_number, dtype=float)
    return np.asarray(click((eta_a + eta_b) * mu / 4.0, dark_count_probability), dtype=float)
