"""Satellite passes over ground stations, computed offline from TLEs (PHYSICS.md §3).

Pipeline: TLE parse and validation -> sgp4 (vectorised, ``SatrecArray``) in TEME -> Earth-fixed
frame by the IAU 1982 GMST -> look angles in each station's ENU frame on WGS84 -> pass search.

Pass search (the approach of a "find maxima, then the crossings around them" event finder):

1. a coarse grid (``step_s``, default 20 s) of the elevation of every station;
2. every local maximum of the coarse elevation that comes within a margin of the mask is
   refined by a golden-section search (tolerance ``tolerance_s``): this finds grazing passes
   that peak above the mask between two grid points;
3. a refined maximum at or above the mask is a culmination; rise and set are the mask
   crossings around it, bracketed on the grid and refined by bisection;
4. every pass whose culmination lies in ``[start, end)`` is kept, with its true rise and set
   (which may fall outside the window); the night flag compares the Sun's elevation at
   culmination (low-precision analytic Sun) with the station's ``night_sun_elevation_deg``.

Times are timezone-aware UTC ``datetime`` objects; the window defaults to the TLE epoch and one
day after it, never the wall clock. Elevations are geometric (no refraction); UT1 = UTC.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
from numpy.typing import NDArray
from sgp4.api import Satrec, SatrecArray, jday

from qnetplan.errors import FieldProblem, InvalidInputError
from qnetplan.physics.orbits import (
    geodetic_to_ecef_km,
    look_angles,
    sun_elevation_deg,
    teme_to_ecef_km,
)

FloatArray = NDArray[np.float64]

__all__ = [
    "PassSearchError",
    "PassStation",
    "SatellitePass",
    "TLEError",
    "TwoLineElement",
    "find_passes",
    "find_passes_many",
    "parse_tle",
    "station_look_angles",
]

_J2000 = datetime(2000, 1, 1, 12, tzinfo=UTC)  # JD 2451545.0
_GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0
_DAY_S = 86400.0


# --------------------------------------------------------------------------- TLE
class TLEError(InvalidInputError):
    """A malformed two-line element set; ``line`` is 1 or 2 (the line at fault)."""

    title = "Invalid TLE"

    def __init__(self, line: int, detail: str) -> None:
        message = f"TLE line {line}: {detail}"
        super().__init__(message, [FieldProblem(detail=message, pointer=f"/tle_line{line}")])
        self.line = line


class PassSearchError(ValueError):
    """The pass search cannot answer (e.g. a satellite that never sets for a station)."""


@dataclass(frozen=True)
class TwoLineElement:
    """A validated TLE with its sgp4 record. Build it with :func:`parse_tle`."""

    line1: str
    line2: str
    satellite_number: str
    epoch_utc: datetime
    mean_motion_rev_per_day: float
    satrec: Satrec = field(repr=False, compare=False)

    @property
    def period_s(self) -> float:
        """Nodal period from the mean motion [s]."""
        return _DAY_S / self.mean_motion_rev_per_day


# (1-based column of a required blank, ...) and numeric fields (start, end inclusive, 1-based)
_LINE1_BLANKS = (2, 9, 18, 33, 44, 53, 62, 64)
_LINE2_BLANKS = (2, 8, 17, 26, 34, 43, 52)
_LINE1_FIELDS = {
    "epoch year": (19, 20), "epoch day": (21, 32), "first derivative of mean motion": (34, 43),
    "element set number": (65, 68),
}
_LINE2_FIELDS = {
    "inclination": (9, 16), "right ascension of the ascending node": (18, 25),
    "eccentricity": (27, 33), "argument of perigee": (35, 42), "mean anomaly": (44, 51),
    "mean motion": (53, 63), "revolution number": (64, 68),
}
_EXPONENT_FIELDS_LINE1 = {"second derivative of mean motion": (45, 52), "BSTAR": (54, 61)}


def _checksum(line: str) -> int:
    return sum(int(c) if c.isdigit() else (1 if c == "-" else 0) for c in line[:68]) % 10


def _check_line(number: int, line: str, blanks: tuple[int, ...],
                fields: dict[str, tuple[int, int]]) -> None:
    if not isinstance(line, str):
        raise TLEError(number, "must be a string")
    if not line.isascii() or not line.isprintable():
        raise TLEError(number, "contains non-ASCII or control characters")
    if len(line) != 69:
        raise TLEError(number, f"must be 69 characters long, got {len(line)}")
    if line[0] != str(number):
        raise TLEError(number, f"must start with '{number}', got {line[0]!r}")
    for col in blanks:
        if line[col - 1] != " ":
            raise TLEError(number, f"column {col} must be blank, got {line[col - 1]!r}")
    satnum = line[2:7]
    if not (satnum.strip() and (satnum[1:].strip().isdigit() or satnum.strip().isdigit())
            and (satnum[0].isdigit() or satnum[0].isalpha() or satnum[0] == " ")):
        raise TLEError(number, f"columns 3-7 must hold the satellite number, got {satnum!r}")
    for name, (a, b) in fields.items():
        text = line[a - 1:b].strip()
        try:
            float(text)
        except ValueError:
            raise TLEError(number, f"columns {a}-{b} ({name}) are not a number: "
                                   f"{line[a - 1:b]!r}") from None
    if not line[68].isdigit():
        raise TLEError(number, f"column 69 must be the checksum digit, got {line[68]!r}")
    expected = _checksum(line)
    if int(line[68]) != expected:
        raise TLEError(number, f"checksum mismatch: column 69 is {line[68]}, the line sums to "
                               f"{expected} (mod 10)")


def _check_exponent_field(number: int, line: str, name: str, a: int, b: int) -> None:
    text = line[a - 1:b]
    body = text.strip()
    ok = len(body) >= 2 and body[-2] in "+-" and body[-1].isdigit() and (
        body[:-2].lstrip("+-").isdigit() or body[:-2].lstrip("+-") == "")
    if not ok:
        raise TLEError(number, f"columns {a}-{b} ({name}) are not an assumed-decimal "
                               f"exponent field: {text!r}")


def parse_tle(line1: str, line2: str) -> TwoLineElement:
    """Validate a two-line element set and build its sgp4 record.

    Checks, line by line: length 69, line number, the blank columns of the format, the
    satellite number (columns 3-7, the same on both lines), every numeric field, and the
    modulo-10 checksum in column 69 (digits count their value, '-' counts 1).

    Parameters
    ----------
    line1, line2 : str
        The TLE lines (surrounding whitespace and line breaks are stripped).

    Returns
    -------
    TwoLineElement

    Raises
    ------
    TLEError
        Naming the line at fault (``.line`` is 1 or 2; the problem pointer is
        ``/tle_line1`` or ``/tle_line2``).

    References
    ----------
    CelesTrak, "NORAD Two-Line Element Set Format" (T. S. Kelso), column definitions and
    checksum rule; F. R. Hoots and R. L. Roehrich, Spacetrack Report No. 3 (1980).
    """
    l1 = line1.strip() if isinstance(line1, str) else line1
    l2 = line2.strip() if isinstance(line2, str) else line2
    _check_line(1, l1, _LINE1_BLANKS, _LINE1_FIELDS)
    for name, (a, b) in _EXPONENT_FIELDS_LINE1.items():
        _check_exponent_field(1, l1, name, a, b)
    _check_line(2, l2, _LINE2_BLANKS, _LINE2_FIELDS)
    if l1[2:7] != l2[2:7]:
        raise TLEError(2, f"satellite number {l2[2:7]!r} differs from line 1's {l1[2:7]!r}")
    if l1[23] != ".":
        raise TLEError(1, "column 24 must be the decimal point of the epoch day")
    mean_motion = float(l2[52:63])
    if not mean_motion > 0.0:
        raise TLEError(2, "mean motion (columns 53-63) must be positive")
    ecc = float("0." + l2[26:33].strip())
    if not 0.0 <= ecc < 1.0:
        raise TLEError(2, "eccentricity (columns 27-33) must lie in [0, 1)")
    try:
        satrec = Satrec.twoline2rv(l1, l2)
    except (ValueError, RuntimeError) as exc:  # pragma: no cover - the checks above catch them
        raise TLEError(1, f"sgp4 rejected the element set: {exc}") from None
    if satrec.error != 0:
        raise TLEError(2, f"sgp4 could not initialise the orbit (error {satrec.error})")
    epoch = _J2000 + timedelta(days=(satrec.jdsatepoch - 2451545.0) + satrec.jdsatepochF)
    epoch = epoch.replace(microsecond=round(epoch.microsecond / 1000.0) * 1000 % 1_000_000)
    return TwoLineElement(line1=l1, line2=l2, satellite_number=l1[2:7].strip(),
                          epoch_utc=epoch, mean_motion_rev_per_day=mean_motion, satrec=satrec)


# --------------------------------------------------------------------------- stations, passes
@dataclass(frozen=True)
class PassStation:
    """What the pass search needs of a ground station (API-CONTRACT.md §5 field names)."""

    station_id: int
    latitude_deg: float
    longitude_deg: float
    altitude_m: float = 0.0
    minimum_elevation_deg: float = 10.0
    night_sun_elevation_deg: float = -12.0


@dataclass(frozen=True)
class SatellitePass:
    """One pass over one station (the contract's pass object, without ``key_bits``).

    ``min_range_km`` is the range at culmination (for a near-circular orbit the range is
    smallest where the elevation is largest). ``sun_elevation_deg`` is the Sun's elevation at
    culmination, which decides ``night``.
    """

    station_id: int
    rise_utc: datetime
    culmination_utc: datetime
    set_utc: datetime
    max_elevation_deg: float
    min_range_km: float
    night: bool
    sun_elevation_deg: float

    @property
    def duration_s(self) -> float:
        """Time above the mask [s]."""
        return (self.set_utc - self.rise_utc).total_seconds()


# --------------------------------------------------------------------------- time helpers
@dataclass(frozen=True)
class _TimeBase:
    """Seconds relative to a reference instant, with the sgp4 two-part Julian date."""

    ref: datetime
    jd0: float
    fr0: float

    @classmethod
    def at(cls, ref: datetime) -> _TimeBase:
        ref = _utc(ref)
        jd0, fr0 = jday(ref.year, ref.month, ref.day, ref.hour, ref.minute,
                        ref.second + ref.microsecond * 1e-6)
        return cls(ref=ref, jd0=jd0, fr0=fr0)

    def jd(self, t_s: FloatArray) -> tuple[FloatArray, FloatArray]:
        fr = self.fr0 + np.asarray(t_s, dtype=float) / _DAY_S
        whole = np.floor(fr)
        return np.asarray(self.jd0 + whole, dtype=float), np.asarray(fr - whole, dtype=float)

    def seconds(self, when: datetime) -> float:
        return (_utc(when) - self.ref).total_seconds()

    def datetime(self, t_s: float) -> datetime:
        return self.ref + timedelta(seconds=round(float(t_s), 6))


def _utc(when: datetime) -> datetime:
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(f"datetimes must be timezone-aware (UTC), got naive {when!r}")
    return when.astimezone(UTC)


def _ecef(satrec: Satrec, base: _TimeBase, t_s: FloatArray) -> FloatArray:
    """Earth-fixed positions [km] of one satellite at times ``t_s`` (shape (n, 3))."""
    jd, fr = base.jd(t_s)
    err, r, _ = satrec.sgp4_array(jd, fr)
    pos = teme_to_ecef_km(r, jd, fr)
    return np.where((err == 0)[:, None], pos, np.nan)


def station_look_angles(tle: TwoLineElement, station: PassStation, times_utc: datetime,
                        offsets_s: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Azimuth [deg], elevation [deg] and range [km] of a satellite from a station.

    Parameters
    ----------
    tle : TwoLineElement
        The satellite.
    station : PassStation
        The station (geodetic WGS84).
    times_utc : datetime
        Reference instant (timezone-aware).
    offsets_s : array_like
        Seconds after ``times_utc`` at which to evaluate.

    Returns
    -------
    azimuth_deg, elevation_deg, range_km : numpy.ndarray
        Same shape as ``offsets_s``; NaN where sgp4 reports an error (e.g. decayed orbit).
    """
    base = _TimeBase.at(times_utc)
    t = np.asarray(offsets_s, dtype=float)
    pos = _ecef(tle.satrec, base, t.ravel())
    az, el, rng = look_angles(pos, station.latitude_deg, station.longitude_deg,
                              station.altitude_m / 1000.0)
    return az.reshape(t.shape), el.reshape(t.shape), rng.reshape(t.shape)


# --------------------------------------------------------------------------- the search
@dataclass(frozen=True)
class _StationArrays:
    lat: FloatArray
    lon: FloatArray
    alt_km: FloatArray
    mask_deg: FloatArray
    ecef: FloatArray  # (n_stations, 3)
    up: FloatArray  # (n_stations, 3) unit normals

    @classmethod
    def of(cls, stations: Sequence[PassStation]) -> _StationArrays:
        lat = np.array([s.latitude_deg for s in stations], dtype=float)
        lon = np.array([s.longitude_deg for s in stations], dtype=float)
        alt = np.array([s.altitude_m for s in stations], dtype=float) / 1000.0
        phi, lam = np.radians(lat), np.radians(lon)
        up = np.stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)], -1)
        return cls(lat=lat, lon=lon, alt_km=alt,
                   mask_deg=np.array([s.minimum_elevation_deg for s in stations], dtype=float),
                   ecef=geodetic_to_ecef_km(lat, lon, alt), up=up)

    def sin_elevation(self, pos: FloatArray, idx: NDArray[np.intp] | None = None) -> FloatArray:
        """sin(elevation): of all stations (pos (n,3) -> (n_st, n)) or paired (idx per row)."""
        if idx is None:
            rx = pos[None, :, 0] - self.ecef[:, 0, None]
            ry = pos[None, :, 1] - self.ecef[:, 1, None]
            rz = pos[None, :, 2] - self.ecef[:, 2, None]
            u = self.up[:, :, None]
            up = rx * u[:, 0] + ry * u[:, 1] + rz * u[:, 2]
            return np.asarray(up / np.sqrt(rx * rx + ry * ry + rz * rz), dtype=float)
        rho = pos - self.ecef[idx]
        return np.asarray(np.einsum("nk,nk->n", rho, self.up[idx])
                          / np.sqrt(np.einsum("nk,nk->n", rho, rho)), dtype=float)


def _golden_max(f_sin: _Objective, lo: FloatArray, hi: FloatArray,
                tolerance_s: float) -> FloatArray:
    """Vectorised golden-section search for the maximum of each unimodal bracket."""
    a, b = lo.copy(), hi.copy()
    c = b - _GOLDEN * (b - a)
    d = a + _GOLDEN * (b - a)
    fc, fd = f_sin(c), f_sin(d)
    iterations = max(1, math.ceil(math.log(tolerance_s / max(float(np.max(b - a)), 1e-9))
                                  / math.log(_GOLDEN)))
    for _ in range(iterations):
        left = fc > fd  # maximum in [a, d]
        b = np.where(left, d, b)
        a = np.where(left, a, c)
        new_c = b - _GOLDEN * (b - a)
        new_d = a + _GOLDEN * (b - a)
        # reuse the surviving interior point, evaluate one new point per bracket
        keep = np.where(left, c, d)
        fkeep = np.where(left, fc, fd)
        probe = np.where(left, new_c, new_d)
        fprobe = f_sin(probe)
        c = np.where(left, new_c, keep)
        d = np.where(left, keep, new_d)
        fc = np.where(left, fprobe, fkeep)
        fd = np.where(left, fkeep, fprobe)
    return 0.5 * (a + b)


class _Objective:
    """sin(elevation) of one satellite for per-candidate stations at arbitrary times."""

    def __init__(self, satrec: Satrec, base: _TimeBase, stations: _StationArrays,
                 idx: NDArray[np.intp]) -> None:
        self.satrec, self.base, self.stations, self.idx = satrec, base, stations, idx

    def __call__(self, t_s: FloatArray) -> FloatArray:
        pos = _ecef(self.satrec, self.base, t_s)
        return np.nan_to_num(self.stations.sin_elevation(pos, self.idx), nan=-2.0)


def _bisect_crossing(f_sin: _Objective, below: FloatArray, above: FloatArray,
                     sin_mask: FloatArray, tolerance_s: float) -> FloatArray:
    """Vectorised bisection for the mask crossing between a below- and an above-mask time."""
    lo, hi = below.copy(), above.copy()
    span = float(np.max(np.abs(hi - lo))) if lo.size else 0.0
    iterations = max(1, math.ceil(math.log2(max(span, tolerance_s) / tolerance_s)))
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        is_above = f_sin(mid) >= sin_mask
        hi = np.where(is_above, mid, hi)
        lo = np.where(is_above, lo, mid)
    return 0.5 * (lo + hi)


def find_passes_many(
    tles: Sequence[TwoLineElement],
    stations: Sequence[PassStation],
    start: datetime | None = None,
    end: datetime | None = None,
    *,
    step_s: float = 20.0,
    tolerance_s: float = 0.01,
    chunk_days: float = 8.0,
) -> list[list[SatellitePass]]:
    """Passes of several satellites over several stations (one list per satellite).

    The coarse grid of every satellite is propagated at once with sgp4's ``SatrecArray``;
    the refinements (golden section at culmination, bisection at rise and set) are
    vectorised over all candidate passes of a satellite.

    Parameters
    ----------
    tles : sequence of TwoLineElement
        The satellites.
    stations : sequence of PassStation
        The ground stations (their masks and night thresholds apply).
    start, end : datetime, optional
        Window for the culmination, ``[start, end)``, timezone-aware. ``start`` defaults to
        the (first) TLE's epoch, ``end`` to ``start + 1 day``.
    step_s : float
        Coarse grid step [s] (default 20).
    tolerance_s : float
        Time resolution of the refined rise, culmination and set [s] (default 0.01).
    chunk_days : float
        Longest grid chunk processed at once [day] (shortened for many satellites, so that a
        chunk holds at most ~2 million satellite-times).

    Returns
    -------
    list of list of SatellitePass
        Per satellite, its passes sorted by culmination time, then station id.

    Raises
    ------
    PassSearchError
        When a satellite stays above a station's mask longer than the search pad
        (a near-geostationary orbit): rise/set are then undefined.
    """
    if not tles:
        return []
    if not stations:
        return [[] for _ in tles]
    if step_s <= 0 or tolerance_s <= 0:
        raise ValueError("step_s and tolerance_s must be positive")
    t_start = _utc(start) if start is not None else tles[0].epoch_utc
    t_end = _utc(end) if end is not None else t_start + timedelta(days=1)
    if t_end <= t_start:
        return [[] for _ in tles]
    base = _TimeBase.at(t_start)
    window_s = base.seconds(t_end)
    st = _StationArrays.of(stations)
    sin_mask = np.sin(np.radians(st.mask_deg))
    sin_candidate_coarse = np.sin(np.radians(np.maximum(st.mask_deg - max(10.0, step_s), -89.0)))
    sin_candidate = np.sin(np.radians(np.maximum(st.mask_deg - 2.0, -89.0)))

    longest_period = max(t.period_s for t in tles)
    pad_s = min(max(0.5 * longest_period, 1800.0), 0.5 * _DAY_S)
    pad_n = math.ceil(pad_s / step_s)
    # grid index k <-> k * step_s seconds after start; a chunk owns the coarse maxima of its
    # index range and evaluates pad_n extra points on each side for the rise and set brackets
    k_lo = -2  # culminations may sit a step away from their coarse maximum
    k_hi = math.ceil(window_s / step_s) + 2
    chunk_n = max(16, min(math.ceil(chunk_days * _DAY_S / step_s),
                          math.ceil(2_000_000 / len(tles))))  # bounds memory for many satellites

    satrecs = [t.satrec for t in tles]
    found: list[list[_Row]] = [[] for _ in tles]
    for c0 in range(k_lo, k_hi, chunk_n):
        c1 = min(c0 + chunk_n, k_hi)
        ks = np.arange(c0 - pad_n, c1 + pad_n + 1)
        t_grid = np.asarray(ks * step_s, dtype=np.float64)
        jd, fr = base.jd(t_grid)
        err, r_teme, _ = SatrecArray(satrecs).sgp4(jd, fr)
        pos_all = teme_to_ecef_km(r_teme, jd[None, :], fr[None, :])
        own = (ks >= c0) & (ks < c1)
        for si in range(len(tles)):
            pos = np.where((err[si] == 0)[:, None], pos_all[si], np.nan)
            s_el = np.nan_to_num(st.sin_elevation(pos), nan=-2.0)  # (n_stations, n_grid)
            found[si].extend(_refine_chunk(tles[si], stations, st, base, t_grid, s_el, own,
                                           sin_mask, (sin_candidate_coarse, sin_candidate),
                                           tolerance_s, pad_s))
    return [_finish(tles[si], stations, st, base, rows, window_s)
            for si, rows in enumerate(found)]


# (station index, rise, culmination, set [s from the window start], sin(max elevation))
_Row = tuple[int, float, float, float, float]


def _refine_chunk(tle: TwoLineElement, stations: Sequence[PassStation], st: _StationArrays,
                  base: _TimeBase, t_grid: FloatArray, s_el: FloatArray, own: NDArray[np.bool_],
                  sin_mask: FloatArray, thresholds: tuple[FloatArray, FloatArray],
                  tolerance_s: float, pad_s: float) -> list[_Row]:
    """Culminations from the coarse maxima of one chunk, then their rise and set."""
    step_s = float(t_grid[1] - t_grid[0])
    sin_coarse, sin_candidate = thresholds
    interior = np.zeros_like(s_el, dtype=bool)
    interior[:, 1:-1] = ((s_el[:, 1:-1] > s_el[:, :-2]) & (s_el[:, 1:-1] >= s_el[:, 2:])
                         & (s_el[:, 1:-1] > sin_coarse[:, None]))
    st_idx, g_idx = np.nonzero(interior & own[None, :])
    if st_idx.size == 0:
        return []
    # drop maxima that cannot reach the mask: the coarse peak and the vertex of the parabola
    # through the three grid points both stay more than the margin below it
    y0, y1, y2 = s_el[st_idx, g_idx - 1], s_el[st_idx, g_idx], s_el[st_idx, g_idx + 1]
    curvature = y0 - 2.0 * y1 + y2  # < 0 at a strict maximum
    with np.errstate(divide="ignore", invalid="ignore"):
        vertex = np.where(curvature < 0.0, y1 - (y2 - y0) ** 2 / (8.0 * curvature), y1)
    near = np.maximum(y1, vertex) >= sin_candidate[st_idx]
    st_idx, g_idx = st_idx[near], g_idx[near]
    if st_idx.size == 0:
        return []
    objective = _Objective(tle.satrec, base, st, st_idx)
    t_max = _golden_max(objective, t_grid[g_idx - 1], t_grid[g_idx + 1], tolerance_s)
    s_max = objective(t_max)
    keep = s_max >= sin_mask[st_idx]
    st_idx, t_max, s_max = st_idx[keep], t_max[keep], s_max[keep]
    if st_idx.size == 0:
        return []
    # brackets: the last grid point below the mask at or before the culmination, and the
    # first one after it
    j_max = np.clip(np.floor((t_max - t_grid[0]) / step_s).astype(np.intp), 0, t_grid.size - 1)
    i_rise = np.empty(st_idx.size, dtype=np.intp)
    i_set = np.empty(st_idx.size, dtype=np.intp)
    below = s_el < sin_mask[:, None]
    for s in np.unique(st_idx):
        rows = np.flatnonzero(st_idx == s)
        below_idx = np.flatnonzero(below[s])
        pos = np.searchsorted(below_idx, j_max[rows], side="right")
        if np.any(pos == 0) or np.any(pos >= below_idx.size):
            raise PassSearchError(
                f"satellite {tle.satellite_number} stays above the mask of station "
                f"{stations[int(s)].station_id} for more than {pad_s / 3600:.1f} h: rise and "
                "set are undefined (near-geostationary orbit?)")
        i_rise[rows] = below_idx[pos - 1]
        i_set[rows] = below_idx[pos]
    rise_below = t_grid[i_rise]
    rise_above = np.minimum(t_grid[i_rise + 1], t_max)
    set_above = np.maximum(t_grid[i_set - 1], t_max)
    set_below = t_grid[i_set]
    target = sin_mask[st_idx]
    objective = _Objective(tle.satrec, base, st, st_idx)
    t_rise = _bisect_crossing(objective, rise_below, rise_above, target, tolerance_s)
    t_set = _bisect_crossing(objective, set_below, set_above, target, tolerance_s)
    return [(int(s), float(a), float(m), float(b), float(v))
            for s, a, m, b, v in zip(st_idx, t_rise, t_max, t_set, s_max, strict=True)]


def _finish(tle: TwoLineElement, stations: Sequence[PassStation], st: _StationArrays,
            base: _TimeBase, rows: list[_Row], window_s: float) -> list[SatellitePass]:
    """Merge maxima of one above-mask interval, keep culminations in the window, and compute
    the geometry and the Sun at culmination."""
    if not rows:
        return []
    rows.sort(key=lambda r: (r[0], r[1]))
    merged: list[_Row] = []
    for row in rows:
        if merged and merged[-1][0] == row[0] and row[1] <= merged[-1][3]:
            prev = merged[-1]  # the same interval reached from two maxima: the higher wins
            best = prev if prev[4] >= row[4] else row
            merged[-1] = (row[0], min(prev[1], row[1]), best[2], max(prev[3], row[3]), best[4])
            continue
        merged.append(row)
    kept = [m for m in merged if 0.0 <= m[2] < window_s]
    if not kept:
        return []
    idx = np.array([m[0] for m in kept], dtype=np.intp)
    t_max = np.array([m[2] for m in kept])
    pos = _ecef(tle.satrec, base, t_max)
    _, elev, rng = look_angles(pos, st.lat[idx], st.lon[idx], st.alt_km[idx])
    jd, fr = base.jd(t_max)
    sun = sun_elevation_deg(jd, fr, st.lat[idx], st.lon[idx])
    passes = []
    for n, (s, tr, tm, ts, _) in enumerate(kept):
        station = stations[s]
        passes.append(SatellitePass(
            station_id=station.station_id,
            rise_utc=base.datetime(tr),
            culmination_utc=base.datetime(tm),
            set_utc=base.datetime(ts),
            max_elevation_deg=float(elev[n]),
            min_range_km=float(rng[n]),
            night=bool(sun[n] < station.night_sun_elevation_deg),
            sun_elevation_deg=float(sun[n]),
        ))
    passes.sort(key=lambda p: (p.culmination_utc, p.station_id))
    return passes


def find_passes(tle: TwoLineElement, stations: Sequence[PassStation],
                start: datetime | None = None, end: datetime | None = None, *,
                step_s: float = 20.0, tolerance_s: float = 0.01) -> list[SatellitePass]:
    """Passes of one satellite over the stations with culmination in ``[start, end)``.

    ``start`` defaults to the TLE epoch and ``end`` to one day later. See
    :func:`find_passes_many` for the method and the parameters.
    """
    return find_passes_many([tle], stations, start, end, step_s=step_s,
                            tolerance_s=tolerance_s)[0]
