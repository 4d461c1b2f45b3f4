"""Key from satellite passes: per-pass finite-key blocks, key volume, relay edges (PHYSICS.md §3).

A pass lasts minutes, so privacy amplification works on the pass's aggregated detections and
finite-key effects dominate. For every pass the downlink is sampled (``step_s``, midpoints of
equal sub-intervals from rise to set), the channel transmittance eta(t) is the free-space
budget at that range and elevation (``physics.free_space``, detector excluded: the key model
applies the detector), and an injected :class:`PassKeyModel` turns the whole pass into one
block and returns its key length.

:func:`finite_key_pass_model` adapts any "(transmittance, block size) -> key bits" finite-key
function to that interface by the *pulse-weighted mean transmittance* of the pass; since a
satellite channel has ``eta mu << 1``, expected counts are linear in eta and this block is the
pass's exact count total to ``O(eta mu)`` (< 0.1 % for eta < 1e-3). :func:`decoy_bb84_pass_model`
is that adapter around the Lim et al. (2014) two-decoy BB84 bound of
``physics.qkd.finite_key.bb84_finite_key_rate``.

Daytime passes give no key when ``night_only`` (the default): the Sun at culmination must be
below the station's ``night_sun_elevation_deg``. ``cloud_free_fraction`` scales the *expected*
key volume (per day, averages, store size), never the key of a single clear pass.

Entanglement-distribution mode (the satellite is an untrusted source): key accrues only while
both stations see the satellite above their masks, with the product of the two downlinks'
transmittances (Yin et al., Science 356, 1140 (2017); Nature 582, 501 (2020)).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sgp4.api import jday

from qnetplan.engine.passes import (
    PassStation,
    SatellitePass,
    TwoLineElement,
    find_passes,
    station_look_angles,
)
from qnetplan.physics.free_space import free_space_budget
from qnetplan.physics.orbits import sun_elevation_deg
from qnetplan.physics.qkd.finite_key import bb84_finite_key_rate

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]

__all__ = [
    "DailyKey",
    "DecoyBB84PassParameters",
    "EntanglementWindow",
    "GroundStation",
    "KeyVolume",
    "PassKey",
    "PassKeyModel",
    "PassSamples",
    "SatelliteTerminal",
    "StationKeyVolume",
    "decoy_bb84_pass_model",
    "downlink_transmittance",
    "entanglement_key",
    "entanglement_windows",
    "finite_key_pass_model",
    "key_volume",
    "pass_keys",
    "passes_with_keys",
    "sample_passes",
    "satellite_key_volume",
    "trusted_relay_edge_rates_bps",
]

_DAY_S = 86400.0


# --------------------------------------------------------------------------- inputs
@dataclass(frozen=True)
class SatelliteTerminal:
    """The satellite's downlink transmitter (API-CONTRACT.md §5 satellite fields).

    Give ``divergence_full_angle_urad`` with ``divergence_convention`` (``gaussian_1e2`` or
    ``flat_top``), or ``transmit_aperture_m`` (diffraction-limited Gaussian).
    """

    wavelength_nm: float
    divergence_full_angle_urad: float | None = None
    divergence_convention: str | None = None
    transmit_aperture_m: float | None = None
    beam_quality_m2: float = 1.0
    pointing_jitter_urad: float = 0.0


@dataclass(frozen=True)
class GroundStation:
    """A ground station: position, pass constraints and receiver (contract §5 field names).

    ``turbulence_loss_db`` and ``extra_loss_db`` are the budget's allowances (0 by default);
    ``extra_loss_db`` is where a calibration fitted to a published attenuation goes.
    """

    station_id: int
    latitude_deg: float
    longitude_deg: float
    receiver_aperture_m: float
    altitude_m: float = 0.0
    obscuration_ratio: float = 0.0
    optics_efficiency: float = 1.0
    minimum_elevation_deg: float = 10.0
    zenith_transmittance: float = 0.8
    night_sun_elevation_deg: float = -12.0
    cloud_free_fraction: float = 1.0
    turbulence_loss_db: float = 0.0
    extra_loss_db: float = 0.0

    def pass_station(self) -> PassStation:
        """The fields the pass search needs."""
        return PassStation(self.station_id, self.latitude_deg, self.longitude_deg,
                           self.altitude_m, self.minimum_elevation_deg,
                           self.night_sun_elevation_deg)


class PassKeyModel(Protocol):
    """Turns the sampled channel of several passes into one finite-key block per pass.

    Parameters (call)
    -----------------
    transmittance : (n_samples,) channel transmittance of each sample [unitless]
    duration_s : (n_samples,) time each sample stands for [s]
    pass_index : (n_samples,) which pass (0 .. n_passes - 1) each sample belongs to
    n_passes : number of passes

    Returns: (n_passes,) secret key length of each pass [bits], >= 0.
    """

    def __call__(self, transmittance: FloatArray, duration_s: FloatArray,
                 pass_index: IntArray, n_passes: int, /) -> FloatArray: ...


def finite_key_pass_model(
    key_length_bits: Callable[[FloatArray, FloatArray], FloatArray],
    repetition_rate_hz: float,
) -> PassKeyModel:
    """Adapt a finite-key function ``(eta, block_size_pulses) -> key bits`` to whole passes.

    Each pass is one block of ``N = f_rep x duration`` pulses at the pulse-weighted mean
    transmittance ``eta_mean = sum(eta_i dt_i) / sum(dt_i)``. For ``eta mu << 1`` every
    expected count (detections, errors, per intensity) is linear in eta, so this block has the
    same expected counts as the time-varying pass up to ``O(eta mu)`` relative error.

    Parameters
    ----------
    key_length_bits : callable
        ``(channel_transmittance[n], block_size_pulses[n]) -> key length[n]`` [bits].
    repetition_rate_hz : float
        Source repetition rate [Hz].
    """

    def model(transmittance: FloatArray, duration_s: FloatArray, pass_index: IntArray,
              n_passes: int) -> FloatArray:
        seconds = np.bincount(pass_index, weights=duration_s, minlength=n_passes)
        weighted = np.bincount(pass_index, weights=transmittance * duration_s,
                               minlength=n_passes)
        has = seconds > 0.0
        eta_mean = np.where(has, weighted / np.where(has, seconds, 1.0), 0.0)
        block = repetition_rate_hz * seconds
        bits = np.zeros(n_passes)
        if np.any(has):
            bits[has] = np.asarray(key_length_bits(np.asarray(eta_mean[has], dtype=np.float64),
                                                   np.asarray(block[has], dtype=np.float64)))
        return np.asarray(np.where(bits > 0.0, bits, 0.0), dtype=float)

    return model


@dataclass(frozen=True)
class DecoyBB84PassParameters:
    """Two-decoy BB84 (Lim et al. 2014) source and detection settings for satellite passes.

    Field names follow the calculator's ``system`` and ``finite_key`` objects; the key basis
    probability ``x_basis_probability`` is the Lim et al. q_x (0.5 = standard BB84).
    """

    repetition_rate_hz: float
    detector_efficiency: float
    dark_count_probability: float
    intensities: tuple[float, float, float]
    intensity_probabilities: tuple[float, float, float]
    misalignment_error: float = 0.01
    error_correction_efficiency: float = 1.16
    x_basis_probability: float = 0.5
    security_epsilon: float = 1e-10
    correctness_epsilon: float = 1e-15


def decoy_bb84_pass_model(params: DecoyBB84PassParameters) -> PassKeyModel:
    """Per-pass key of two-decoy BB84 with the finite-key bound of Lim et al. (2014).

    :func:`finite_key_pass_model` around
    :func:`qnetplan.physics.qkd.finite_key.bb84_finite_key_rate` (expected counts, Lim et al.
    2014 Eqs. (1)-(5)), one pass = one block.

    References
    ----------
    C. C. W. Lim, M. Curty, N. Walenta, F. Xu, H. Zbinden, Phys. Rev. A 89, 022307 (2014),
    Eqs. (1)-(5).
    """

    def key_length(eta: FloatArray, block: FloatArray) -> FloatArray:
        return bb84_finite_key_rate(
            eta, params.detector_efficiency, params.dark_count_probability,
            params.misalignment_error, params.error_correction_efficiency,
            params.x_basis_probability, params.intensities, params.intensity_probabilities,
            block, params.security_epsilon, params.correctness_epsilon,
        ).key_length_bits

    return finite_key_pass_model(key_length, params.repetition_rate_hz)


# --------------------------------------------------------------------------- channel
def downlink_transmittance(terminal: SatelliteTerminal, station: GroundStation,
                           range_km: ArrayLike, elevation_deg: ArrayLike) -> FloatArray:
    """Channel transmittance of the downlink at given ranges and elevations [unitless].

    The free-space budget of ``physics.free_space.free_space_budget`` (diffraction and
    collection, pointing, Kasten-Young atmosphere, turbulence, receiver optics, extra) with the
    detector excluded (``detector_efficiency = 1``: the key model applies it). Below the
    horizon the transmittance is 0.
    """
    budget = free_space_budget(
        range_km, wavelength_nm=terminal.wavelength_nm,
        receiver_aperture_m=station.receiver_aperture_m, elevation_deg=elevation_deg,
        divergence_full_angle_urad=terminal.divergence_full_angle_urad,
        divergence_convention=terminal.divergence_convention,
        transmit_aperture_m=terminal.transmit_aperture_m,
        beam_quality_m2=terminal.beam_quality_m2, obscuration_ratio=station.obscuration_ratio,
        pointing_jitter_urad=terminal.pointing_jitter_urad,
        zenith_transmittance=station.zenith_transmittance,
        turbulence_loss_db=station.turbulence_loss_db,
        optics_efficiency=station.optics_efficiency, extra_loss_db=station.extra_loss_db)
    return budget.transmittance


@dataclass(frozen=True)
class PassSamples:
    """Midpoint samples of several passes (flat arrays; ``pass_index`` says whose)."""

    pass_index: IntArray
    offset_s: FloatArray  # seconds after the reference instant ``reference_utc``
    duration_s: FloatArray
    elevation_deg: FloatArray
    range_km: FloatArray
    reference_utc: datetime


def _midpoints(starts_s: FloatArray, ends_s: FloatArray,
               step_s: float) -> tuple[IntArray, FloatArray, FloatArray]:
    spans = np.maximum(ends_s - starts_s, 0.0)
    counts = np.where(spans > 0.0, np.ceil(spans / step_s).astype(np.intp), 0)
    idx = np.repeat(np.arange(starts_s.size, dtype=np.intp), counts)
    if idx.size == 0:
        return idx, np.zeros(0), np.zeros(0)
    first = np.cumsum(counts) - counts
    within = np.arange(idx.size) - np.repeat(first, counts)
    dt = spans[idx] / counts[idx]
    return idx, starts_s[idx] + (within + 0.5) * dt, dt


def sample_passes(tle: TwoLineElement, station: GroundStation,
                  passes: Sequence[SatellitePass], step_s: float = 5.0) -> PassSamples:
    """Range and elevation through each pass, at the midpoints of sub-intervals <= step_s.

    Parameters
    ----------
    tle : TwoLineElement
        The satellite.
    station : GroundStation
        The station the passes belong to.
    passes : sequence of SatellitePass
        Passes over that station.
    step_s : float
        Largest sub-interval [s] (default 5 s).
    """
    if not passes:
        empty = np.zeros(0)
        return PassSamples(np.zeros(0, dtype=np.intp), empty, empty, empty, empty,
                           datetime(2000, 1, 1, tzinfo=UTC))
    ref = passes[0].rise_utc
    starts = np.array([(p.rise_utc - ref).total_seconds() for p in passes])
    ends = np.array([(p.set_utc - ref).total_seconds() for p in passes])
    idx, t, dt = _midpoints(starts, ends, step_s)
    _, elev, rng = station_look_angles(tle, station.pass_station(), ref, t)
    return PassSamples(idx, t, dt, elev, rng, ref)


# --------------------------------------------------------------------------- per pass
@dataclass(frozen=True)
class PassKey:
    """A pass and its key (the contract's pass object).

    ``key_bits`` is None when no key model applies (no equipment profile), 0 for a pass that
    yields no key (daylight when night-only, or a block below the finite-key threshold).
    ``mean_channel_loss_db`` is the loss of the pass's mean transmittance (detector excluded).
    """

    satellite_pass: SatellitePass
    key_bits: float | None
    mean_channel_loss_db: float


def pass_keys(tle: TwoLineElement, terminal: SatelliteTerminal, station: GroundStation,
              passes: Sequence[SatellitePass], key_model: PassKeyModel | None, *,
              night_only: bool = True, step_s: float = 5.0) -> list[PassKey]:
    """The key of every pass of one station, each pass one finite-key block.

    Parameters
    ----------
    tle, terminal : the satellite and its transmitter.
    station : GroundStation
        Receiver and constraints; ``passes`` must belong to it.
    passes : sequence of SatellitePass
        From :func:`qnetplan.engine.passes.find_passes`.
    key_model : PassKeyModel or None
        E.g. :func:`decoy_bb84_pass_model`; None gives ``key_bits = None``.
    night_only : bool
        Daylight passes (``night`` false) give 0 key (default True).
    step_s : float
        Sampling of eta(t) [s].

    Returns
    -------
    list of PassKey
        In the order of ``passes``.
    """
    if not passes:
        return []
    samples = sample_passes(tle, station, passes, step_s)
    eta = np.nan_to_num(downlink_transmittance(terminal, station, samples.range_km,
                                               samples.elevation_deg), nan=0.0)
    n = len(passes)
    seconds = np.bincount(samples.pass_index, weights=samples.duration_s, minlength=n)
    weighted = np.bincount(samples.pass_index, weights=eta * samples.duration_s, minlength=n)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_loss = -10.0 * np.log10(np.where(seconds > 0, weighted / seconds, 0.0))
    allowed = np.array([(p.night or not night_only) for p in passes])
    if key_model is None:
        bits: list[float | None] = [None] * n
    else:
        use = allowed[samples.pass_index]
        values = key_model(np.where(use, eta, 0.0), np.where(use, samples.duration_s, 0.0),
                           samples.pass_index, n)
        bits = [float(v) if ok else 0.0 for v, ok in zip(values, allowed, strict=True)]
    return [PassKey(p, b, float(loss)) for p, b, loss in zip(passes, bits, mean_loss, strict=True)]


# --------------------------------------------------------------------------- key volume
@dataclass(frozen=True)
class DailyKey:
    """Expected key of one station on one UTC day (by culmination date) [bits]."""

    date: date
    station_id: int
    key_bits: float | None


@dataclass(frozen=True)
class StationKeyVolume:
    """Per-station summary of a key-volume period.

    ``average_key_rate_bps`` = expected key / period [bit/s] (the relay edge capacity);
    ``key_store_bits_needed`` = peak key held when the key is consumed steadily at that
    average rate (key arriving at each pass's set time), starting from the smallest initial
    stock that never runs out — the store that bridges the gaps between passes.
    """

    station_id: int
    total_key_bits: float | None
    average_key_rate_bps: float | None
    key_store_bits_needed: float | None


@dataclass(frozen=True)
class KeyVolume:
    """The contract's key-volume answer (``days`` and ``stations``)."""

    start_utc: datetime
    days: tuple[DailyKey, ...]
    stations: tuple[StationKeyVolume, ...]
    period_s: float = field(default=0.0)


def _key_store_bits(delivery_s: FloatArray, bits: FloatArray, period_s: float) -> float:
    """Peak stock under steady consumption at the average rate (see StationKeyVolume)."""
    total = float(np.sum(bits))
    if total <= 0.0 or period_s <= 0.0:
        return 0.0
    order = np.argsort(delivery_s)
    t, b = np.clip(delivery_s[order], 0.0, period_s), bits[order]
    rate = total / period_s
    supplied_before = np.cumsum(b) - b
    # shortfall just before each delivery and at the end of the period
    shortfall = np.concatenate([rate * t - supplied_before, [rate * period_s - total]])
    initial = max(0.0, float(np.max(shortfall)))
    peaks = initial + np.cumsum(b) - rate * t  # stock just after each delivery
    return float(max(initial, float(np.max(peaks))))


def key_volume(pass_keys_by_station: Mapping[int, Sequence[PassKey]], start: datetime,
               days: int, cloud_free_fraction: Mapping[int, float] | None = None) -> KeyVolume:
    """Key per day per station, average rate and key-store size over ``days`` days.

    Parameters
    ----------
    pass_keys_by_station : mapping station_id -> PassKey sequence
        Passes whose culmination lies in ``[start, start + days)``.
    start : datetime
        Start of the period (timezone-aware UTC).
    days : int
        Length of the period [day] (>= 1).
    cloud_free_fraction : mapping station_id -> float, optional
        Expected share of passes not lost to cloud (default 1): scales expected volumes.

    Returns
    -------
    KeyVolume
        ``days`` has one entry per station per UTC date touched by the period (0 when no
        pass); key figures are None for a station whose passes carry no key model.
    """
    if days < 1:
        raise ValueError("days must be >= 1")
    clouds = cloud_free_fraction or {}
    period_s = days * _DAY_S
    first_date = start.astimezone(UTC).date()
    last_date = (start + timedelta(days=days) - timedelta(microseconds=1)).astimezone(UTC).date()
    dates = [first_date + timedelta(days=i) for i in range((last_date - first_date).days + 1)]
    daily: list[DailyKey] = []
    summaries: list[StationKeyVolume] = []
    for station_id in sorted(pass_keys_by_station):
        keys = pass_keys_by_station[station_id]
        factor = float(clouds.get(station_id, 1.0))
        unknown = any(k.key_bits is None for k in keys)
        per_day: dict[date, float] = dict.fromkeys(dates, 0.0)
        for k in keys:
            day = k.satellite_pass.culmination_utc.astimezone(UTC).date()
            if day in per_day and k.key_bits is not None:
                per_day[day] += factor * k.key_bits
        daily.extend(DailyKey(d, station_id, None if unknown else per_day[d]) for d in dates)
        if unknown:
            summaries.append(StationKeyVolume(station_id, None, None, None))
            continue
        bits = np.array([factor * float(k.key_bits or 0.0) for k in keys])
        delivery = np.array([(k.satellite_pass.set_utc - start).total_seconds() for k in keys])
        total = float(np.sum(bits))
        summaries.append(StationKeyVolume(station_id, total, total / period_s,
                                          _key_store_bits(delivery, bits, period_s)))
    return KeyVolume(start_utc=start, days=tuple(daily), stations=tuple(summaries),
                     period_s=period_s)


def trusted_relay_edge_rates_bps(volume: KeyVolume) -> dict[int, float | None]:
    """Capacity of each satellite-station edge for the routing engine [bit/s].

    A trusted-relay satellite is a node joined to each ground station by an edge whose
    capacity is that station's time-averaged key (bits/day / 86400 = total / period),
    PHYSICS.md §3.
    """
    return {s.station_id: s.average_key_rate_bps for s in volume.stations}


# --------------------------------------------------------------------------- entanglement
@dataclass(frozen=True)
class EntanglementWindow:
    """An interval when both stations see the satellite above their masks."""

    station_a_id: int
    station_b_id: int
    start_utc: datetime
    end_utc: datetime
    night: bool

    @property
    def duration_s(self) -> float:
        return (self.end_utc - self.start_utc).total_seconds()


def entanglement_windows(station_a: GroundStation, passes_a: Sequence[SatellitePass],
                         station_b: GroundStation,
                         passes_b: Sequence[SatellitePass]) -> list[EntanglementWindow]:
    """Intersections of the two stations' passes (simultaneous visibility).

    ``night`` is true when the Sun is below each station's ``night_sun_elevation_deg`` at the
    window's midpoint (low-precision analytic Sun).
    """
    windows: list[EntanglementWindow] = []
    for pa in passes_a:
        for pb in passes_b:
            lo, hi = max(pa.rise_utc, pb.rise_utc), min(pa.set_utc, pb.set_utc)
            if hi <= lo:
                continue
            mid = lo + (hi - lo) / 2
            night = all(
                _sun_deg(mid, s) < s.night_sun_elevation_deg for s in (station_a, station_b))
            windows.append(EntanglementWindow(station_a.station_id, station_b.station_id,
                                              lo, hi, night))
    windows.sort(key=lambda w: w.start_utc)
    return windows


def _sun_deg(when: datetime, station: GroundStation) -> float:
    w = when.astimezone(UTC)
    jd, fr = jday(w.year, w.month, w.day, w.hour, w.minute, w.second + w.microsecond * 1e-6)
    return float(sun_elevation_deg(jd, fr, station.latitude_deg, station.longitude_deg))


def entanglement_key(tle: TwoLineElement, terminal: SatelliteTerminal,
                     station_a: GroundStation, station_b: GroundStation,
                     windows: Sequence[EntanglementWindow], key_model: PassKeyModel, *,
                     night_only: bool = True,
                     step_s: float = 5.0) -> tuple[FloatArray, FloatArray]:
    """Key of each simultaneous-visibility window (one block each) in entanglement mode.

    The source on the satellite sends one photon of each pair down to each station; a
    coincidence needs both, so the pair transmittance is ``eta_a(t) x eta_b(t)`` (detectors
    excluded), and the key model receives that product. The model must be an entanglement
    (BBM92-type) finite-key model; this function only does the geometry and the block
    accounting.

    Returns
    -------
    key_bits, summed_range_km_min : numpy.ndarray
        Per window: the key [bits] and the smallest summed two-downlink range [km].
    """
    n = len(windows)
    if n == 0:
        return np.zeros(0), np.zeros(0)
    ref = windows[0].start_utc
    starts = np.array([(w.start_utc - ref).total_seconds() for w in windows])
    ends = np.array([(w.end_utc - ref).total_seconds() for w in windows])
    idx, t, dt = _midpoints(starts, ends, step_s)
    _, el_a, r_a = station_look_angles(tle, station_a.pass_station(), ref, t)
    _, el_b, r_b = station_look_angles(tle, station_b.pass_station(), ref, t)
    eta = np.nan_to_num(downlink_transmittance(terminal, station_a, r_a, el_a)
                        * downlink_transmittance(terminal, station_b, r_b, el_b), nan=0.0)
    allowed = np.array([w.night or not night_only for w in windows])
    use = allowed[idx]
    bits = key_model(np.where(use, eta, 0.0), np.where(use, dt, 0.0), idx, n)
    summed = np.full(n, np.inf)
    np.minimum.at(summed, idx, r_a + r_b)
    return np.asarray(np.where(allowed, bits, 0.0), dtype=float), summed


def passes_with_keys(tle: TwoLineElement, terminal: SatelliteTerminal,
                     stations: Sequence[GroundStation], key_model: PassKeyModel | None,
                     start: datetime | None = None, end: datetime | None = None, *,
                     night_only: bool = True, step_s: float = 5.0) -> list[PassKey]:
    """Passes of one satellite over the stations with their keys, sorted by culmination.

    The one call the passes endpoint needs: :func:`find_passes` then :func:`pass_keys` per
    station.
    """
    passes = find_passes(tle, [s.pass_station() for s in stations], start, end)
    out: list[PassKey] = []
    for station in stations:
        mine = [p for p in passes if p.station_id == station.station_id]
        out.extend(pass_keys(tle, terminal, station, mine, key_model, night_only=night_only,
                             step_s=step_s))
    out.sort(key=lambda k: (k.satellite_pass.culmination_utc, k.satellite_pass.station_id))
    return out


def satellite_key_volume(tle: TwoLineElement, terminal: SatelliteTerminal,
                         stations: Sequence[GroundStation], key_model: PassKeyModel | None,
                         start: datetime | None = None, days: int = 1, *,
                         night_only: bool = True, step_s: float = 5.0) -> KeyVolume:
    """Key volume of a trusted-relay satellite over ``days`` days from ``start``.

    ``start`` defaults to the TLE epoch. Passes with culmination in the period count; the
    stations' ``cloud_free_fraction`` scales the expected volumes. The one call the
    key-volume endpoint needs.
    """
    t0 = start if start is not None else tle.epoch_utc
    keys = passes_with_keys(tle, terminal, stations, key_model, t0,
                            t0 + timedelta(days=days), night_only=night_only, step_s=step_s)
    by_station: dict[int, list[PassKey]] = {s.station_id: [] for s in stations}
    for k in keys:
        by_station[k.satellite_pass.station_id].append(k)
    return key_volume(by_station, t0, days,
                      {s.station_id: s.cloud_free_fraction for s in stations})
