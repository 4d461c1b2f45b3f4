"""Satellite geometry: slant range, sidereal time, TEME -> Earth-fixed, look angles, the Sun.

Pure numpy functions (PHYSICS.md §3). Conventions:

* Times are Julian dates split in two parts ``(jd, fraction)`` as sgp4 uses them, so that
  sub-millisecond resolution survives; UT1 is taken equal to UTC (|UT1 - UTC| < 0.9 s moves
  a low-orbit satellite by < 0.5 km along track, well below a hundredth of a degree as seen
  from the ground).
* Earth-fixed frame: the pseudo-Earth-fixed frame (PEF) of Vallado et al. 2006 — TEME rotated
  about z by the IAU 1982 Greenwich mean sidereal time; polar motion (< 20 m) is neglected.
* Stations are geodetic positions on the WGS84 ellipsoid; look angles are geometric (no
  refraction) in the station's local east-north-up (ENU) frame, the "up" axis being the
  ellipsoid normal.
* Slant range from an orbit altitude uses a spherical Earth (the contract's
  ``/calc/slant-range``).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]

__all__ = [
    "EARTH_MEAN_RADIUS_KM",
    "WGS84_A_KM",
    "WGS84_F",
    "elevation_from_slant_range_deg",
    "geodetic_to_ecef_km",
    "gmst_rad",
    "look_angles",
    "slant_range_km",
    "sun_elevation_deg",
    "sun_position_radec",
    "teme_to_ecef_km",
]

#: IUGG mean Earth radius R1 [km] (Moritz, Geodetic Reference System 1980, J. Geodesy 74, 128
#: (2000)); the sphere used by :func:`slant_range_km`.
EARTH_MEAN_RADIUS_KM = 6371.0088
#: WGS84 semi-major axis [km] and flattening (NIMA TR8350.2, 3rd ed. (2000), Table 3.1).
WGS84_A_KM = 6378.137
WGS84_F = 1.0 / 298.257223563
_WGS84_E2 = WGS84_F * (2.0 - WGS84_F)

_J2000_JD = 2451545.0
_SECONDS_PER_DAY = 86400.0


# --------------------------------------------------------------------------- slant range
def slant_range_km(
    altitude_km: ArrayLike,
    elevation_deg: ArrayLike,
    station_altitude_km: ArrayLike = 0.0,
    earth_radius_km: float = EARTH_MEAN_RADIUS_KM,
) -> FloatArray:
    """Distance from a ground station to a satellite seen at a given elevation [km].

    Spherical Earth: with ``r_s = R + h_station`` and ``r_o = R + h_orbit`` the law of cosines
    in the triangle Earth centre - station - satellite gives

    ``d = sqrt(r_o^2 - r_s^2 cos^2(E)) - r_s sin(E)``.

    Parameters
    ----------
    altitude_km : array_like
        Orbit altitude above the sphere [km]; must exceed ``station_altitude_km``.
    elevation_deg : array_like
        Geometric elevation of the satellite above the station's horizon [deg], in [-90, 90].
    station_altitude_km : array_like, optional
        Station altitude above the sphere [km] (default 0).
    earth_radius_km : float, optional
        Sphere radius [km] (default the IUGG mean radius, 6371.0088 km).

    Returns
    -------
    numpy.ndarray
        Slant range [km], broadcast shape of the inputs (0-d for scalars). NaN where the orbit
        lies below the station.

    References
    ----------
    Plane triangle Earth centre - station - satellite (law of cosines); the same geometry as
    J. R. Wertz and W. J. Larson (eds.), *Space Mission Analysis and Design*, 3rd ed.,
    Microcosm (1999), §5.2 (there written with the Earth's angular radius).
    """
    h_o = np.asarray(altitude_km, dtype=float)
    h_s = np.asarray(station_altitude_km, dtype=float)
    elev = np.radians(np.asarray(elevation_deg, dtype=float))
    r_o = earth_radius_km + h_o
    r_s = earth_radius_km + h_s
    with np.errstate(invalid="ignore"):
        d = np.sqrt(r_o**2 - (r_s * np.cos(elev)) ** 2) - r_s * np.sin(elev)
    return np.asarray(np.where(r_o > r_s, d, np.nan), dtype=float)


def elevation_from_slant_range_deg(
    altitude_km: ArrayLike,
    range_km: ArrayLike,
    station_altitude_km: ArrayLike = 0.0,
    earth_radius_km: float = EARTH_MEAN_RADIUS_KM,
) -> FloatArray:
    """Elevation at which a satellite at ``altitude_km`` lies ``range_km`` away [deg].

    Inverse of :func:`slant_range_km` (same spherical triangle):
    ``sin(E) = (r_o^2 - r_s^2 - d^2) / (2 r_s d)``.

    Parameters
    ----------
    altitude_km : array_like
        Orbit altitude [km].
    range_km : array_like
        Slant range [km], between ``altitude - station altitude`` (zenith) and the
        horizon range.
    station_altitude_km : array_like, optional
        Station altitude [km] (default 0).
    earth_radius_km : float, optional
        Sphere radius [km].

    Returns
    -------
    numpy.ndarray
        Elevation [deg]; NaN where no such geometry exists.

    References
    ----------
    As :func:`slant_range_km`.
    """
    r_o = earth_radius_km + np.asarray(altitude_km, dtype=float)
    r_s = earth_radius_km + np.asarray(station_altitude_km, dtype=float)
    d = np.asarray(range_km, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = (r_o**2 - r_s**2 - d**2) / (2.0 * r_s * d)
        # |s| a few ulps above 1 is round-off at zenith/nadir, not an impossible range.
        s = np.where(np.abs(s) <= 1.0 + 1e-12, np.clip(s, -1.0, 1.0), np.nan)
        out = np.degrees(np.arcsin(s))
    return np.asarray(out, dtype=float)


# --------------------------------------------------------------------------- time, frames
def _centuries_since_j2000(jd: ArrayLike, fraction: ArrayLike) -> FloatArray:
    return np.asarray(
        ((np.asarray(jd, dtype=float) - _J2000_JD) + np.asarray(fraction, dtype=float)) / 36525.0,
        dtype=float,
    )


def gmst_rad(jd: ArrayLike, fraction: ArrayLike = 0.0) -> FloatArray:
    """Greenwich mean sidereal time, IAU 1982 model [rad, in [0, 2 pi)].

    ``GMST[s] = 67310.54841 + (876600 h + 8640184.812866) T + 0.093104 T^2 - 6.2e-6 T^3``,
    with ``T`` the Julian centuries of UT1 since J2000.0 (JD 2451545.0), reduced modulo one
    day of 86400 s and converted to radians. This is the angle by which the sgp4 TEME frame
    is rotated into the pseudo-Earth-fixed frame.

    Parameters
    ----------
    jd, fraction : array_like
        UT1 Julian date as the sum ``jd + fraction`` [day] (UTC is used for UT1).

    Returns
    -------
    numpy.ndarray
        GMST [rad], broadcast shape of the inputs.

    References
    ----------
    S. Aoki et al., "The new definition of universal time", Astron. Astrophys. 105, 359
    (1982) (the IAU 1982 GMST-UT1 relation, as printed in the Astronomical Almanac 1984,
    p. S15).
    D. A. Vallado, P. Crawford, R. Hujsak, T. S. Kelso, "Revisiting Spacetrack Report #3",
    AIAA 2006-6753 (2006), doi:10.2514/6.2006-6753 — TEME -> PEF by this GMST (their
    ``gstime``; Appendix C on the TEME frame).
    """
    t = _centuries_since_j2000(jd, fraction)
    seconds = (
        67310.54841
        + (876600.0 * 3600.0 + 8640184.812866) * t
        + 0.093104 * t**2
        - 6.2e-6 * t**3
    )
    return np.asarray(np.mod(seconds, _SECONDS_PER_DAY) * (2.0 * np.pi / _SECONDS_PER_DAY),
                      dtype=float)


def teme_to_ecef_km(position_teme_km: ArrayLike, jd: ArrayLike,
                    fraction: ArrayLike = 0.0) -> FloatArray:
    """Rotate TEME positions (sgp4's output frame) into the Earth-fixed frame [km].

    ``r_PEF = R3(GMST) r_TEME``: a rotation about the z axis by the IAU 1982 GMST of
    :func:`gmst_rad`; polar motion is neglected (PEF ~ ITRF to ~20 m).

    Parameters
    ----------
    position_teme_km : array_like, shape (..., 3)
        Positions in the True Equator Mean Equinox frame [km].
    jd, fraction : array_like
        UT1 Julian dates (two-part), broadcastable to ``position_teme_km.shape[:-1]``.

    Returns
    -------
    numpy.ndarray, shape (..., 3)
        Earth-fixed (PEF) positions [km].

    References
    ----------
    D. A. Vallado et al., AIAA 2006-6753 (2006), Appendix C (TEME -> PEF via GMST).
    """
    r = np.asarray(position_teme_km, dtype=float)
    theta = gmst_rad(jd, fraction)
    c, s = np.cos(theta), np.sin(theta)
    x, y, z = r[..., 0], r[..., 1], r[..., 2]
    return np.stack(np.broadcast_arrays(c * x + s * y, -s * x + c * y, z), axis=-1)


def geodetic_to_ecef_km(latitude_deg: ArrayLike, longitude_deg: ArrayLike,
                        altitude_km: ArrayLike = 0.0) -> FloatArray:
    """Earth-fixed Cartesian position of a geodetic WGS84 point [km], shape (..., 3).

    ``N = a / sqrt(1 - e^2 sin^2(phi))``; ``x = (N + h) cos(phi) cos(lambda)``,
    ``y = (N + h) cos(phi) sin(lambda)``, ``z = (N (1 - e^2) + h) sin(phi)``.

    Parameters
    ----------
    latitude_deg, longitude_deg : array_like
        Geodetic latitude and longitude [deg].
    altitude_km : array_like, optional
        Height above the ellipsoid [km].

    References
    ----------
    NIMA TR8350.2, *Department of Defense World Geodetic System 1984*, 3rd ed. (2000):
    geodetic-to-Cartesian relations of chapter 4, and Table 3.1 (a, f).
    """
    phi = np.radians(np.asarray(latitude_deg, dtype=float))
    lam = np.radians(np.asarray(longitude_deg, dtype=float))
    h = np.asarray(altitude_km, dtype=float)
    sphi = np.sin(phi)
    n = WGS84_A_KM / np.sqrt(1.0 - _WGS84_E2 * sphi**2)
    x = (n + h) * np.cos(phi) * np.cos(lam)
    y = (n + h) * np.cos(phi) * np.sin(lam)
    z = (n * (1.0 - _WGS84_E2) + h) * sphi
    return np.stack(np.broadcast_arrays(x, y, z), axis=-1)


def look_angles(position_ecef_km: ArrayLike, latitude_deg: ArrayLike, longitude_deg: ArrayLike,
                altitude_km: ArrayLike = 0.0) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Azimuth, elevation and range of Earth-fixed targets from WGS84 stations.

    The line of sight ``rho = r_target - r_station`` is projected on the station's local
    east-north-up axes (``up`` = ellipsoid normal):
    ``e = -sin(lam) rx + cos(lam) ry``,
    ``n = -sin(phi) cos(lam) rx - sin(phi) sin(lam) ry + cos(phi) rz``,
    ``u = cos(phi) cos(lam) rx + cos(phi) sin(lam) ry + sin(phi) rz``;
    elevation ``atan2(u, hypot(e, n))``, azimuth ``atan2(e, n)`` from north through east.

    Parameters
    ----------
    position_ecef_km : array_like, shape (..., 3)
        Target positions in the Earth-fixed frame [km].
    latitude_deg, longitude_deg : array_like
        Station geodetic latitude and longitude [deg], broadcastable to
        ``position_ecef_km.shape[:-1]``.
    altitude_km : array_like, optional
        Station height above the ellipsoid [km].

    Returns
    -------
    azimuth_deg, elevation_deg, range_km : numpy.ndarray
        Geometric (unrefracted) look angles [deg, azimuth in [0, 360)] and range [km].

    References
    ----------
    D. A. Vallado, *Fundamentals of Astrodynamics and Applications*, 4th ed. (2013),
    Algorithm 27 (RAZEL: SEZ/ENU projection of the slant-range vector).
    """
    target = np.asarray(position_ecef_km, dtype=float)
    station = geodetic_to_ecef_km(latitude_deg, longitude_deg, altitude_km)
    rho = target - station
    phi = np.radians(np.asarray(latitude_deg, dtype=float))
    lam = np.radians(np.asarray(longitude_deg, dtype=float))
    sphi, cphi, slam, clam = np.sin(phi), np.cos(phi), np.sin(lam), np.cos(lam)
    rx, ry, rz = rho[..., 0], rho[..., 1], rho[..., 2]
    east = -slam * rx + clam * ry
    north = -sphi * clam * rx - sphi * slam * ry + cphi * rz
    up = cphi * clam * rx + cphi * slam * ry + sphi * rz
    horizontal = np.hypot(east, north)
    elevation = np.degrees(np.arctan2(up, horizontal))
    azimuth = np.mod(np.degrees(np.arctan2(east, north)), 360.0)
    rng = np.sqrt(horizontal**2 + up**2)
    return (np.asarray(azimuth, dtype=float), np.asarray(elevation, dtype=float),
            np.asarray(rng, dtype=float))


# --------------------------------------------------------------------------- the Sun
def sun_position_radec(jd: ArrayLike, fraction: ArrayLike = 0.0) -> tuple[FloatArray, FloatArray]:
    """Apparent geocentric right ascension and declination of the Sun, low precision [rad].

    With ``n = JD - 2451545.0``: mean longitude ``L = 280.460 + 0.9856474 n``, mean anomaly
    ``g = 357.528 + 0.9856003 n``, ecliptic longitude
    ``lambda = L + 1.915 sin(g) + 0.020 sin(2g)`` (ecliptic latitude 0), obliquity
    ``epsilon = 23.439 - 0.0000004 n`` [deg]; ``tan(RA) = cos(epsilon) tan(lambda)`` (same
    quadrant as lambda), ``sin(dec) = sin(epsilon) sin(lambda)``. Precision about 0.01 deg
    between 1950 and 2050 — ample for a night constraint (Sun below -12 deg).

    Parameters
    ----------
    jd, fraction : array_like
        Julian date (UT) as ``jd + fraction`` [day].

    Returns
    -------
    ra_rad, dec_rad : numpy.ndarray
        Right ascension in [0, 2 pi) and declination [rad] (equinox of date).

    References
    ----------
    *The Astronomical Almanac*, section C, "Low precision formulas for the Sun" (p. C5 in
    recent editions; C24 in 1996). J. J. Michalsky, "The Astronomical Almanac's algorithm for
    approximate solar position (1950-2050)", Solar Energy 40, 227 (1988),
    doi:10.1016/0038-092X(88)90045-X.
    """
    n = (np.asarray(jd, dtype=float) - _J2000_JD) + np.asarray(fraction, dtype=float)
    mean_lon = np.radians(np.mod(280.460 + 0.9856474 * n, 360.0))
    g = np.radians(np.mod(357.528 + 0.9856003 * n, 360.0))
    ecl_lon = mean_lon + np.radians(1.915) * np.sin(g) + np.radians(0.020) * np.sin(2.0 * g)
    eps = np.radians(23.439 - 0.0000004 * n)
    ra = np.mod(np.arctan2(np.cos(eps) * np.sin(ecl_lon), np.cos(ecl_lon)), 2.0 * np.pi)
    dec = np.arcsin(np.sin(eps) * np.sin(ecl_lon))
    return np.asarray(ra, dtype=float), np.asarray(dec, dtype=float)


def sun_elevation_deg(jd: ArrayLike, fraction: ArrayLike, latitude_deg: ArrayLike,
                      longitude_deg: ArrayLike) -> FloatArray:
    """Geometric elevation of the Sun's centre above a station's horizon [deg].

    Local hour angle ``H = GMST + longitude - RA`` (GMST of :func:`gmst_rad`, RA/dec of
    :func:`sun_position_radec`), then
    ``sin(el) = sin(phi) sin(dec) + cos(phi) cos(dec) cos(H)``. No refraction, no parallax
    (8.8 arcsec). Accuracy ~0.01-0.02 deg.

    Parameters
    ----------
    jd, fraction : array_like
        Julian date (UT) as ``jd + fraction`` [day].
    latitude_deg, longitude_deg : array_like
        Station geodetic latitude and longitude [deg] (east positive).

    Returns
    -------
    numpy.ndarray
        Solar elevation [deg], broadcast shape of the inputs.

    References
    ----------
    J. J. Michalsky, Solar Energy 40, 227 (1988), Eqs. for hour angle and elevation;
    *The Astronomical Almanac*, section C (low-precision Sun).
    """
    ra, dec = sun_position_radec(jd, fraction)
    hour_angle = gmst_rad(jd, fraction) + np.radians(np.asarray(longitude_deg, dtype=float)) - ra
    phi = np.radians(np.asarray(latitude_deg, dtype=float))
    s = np.sin(phi) * np.sin(dec) + np.cos(phi) * np.cos(dec) * np.cos(hour_angle)
    return np.asarray(np.degrees(np.arcsin(np.clip(s, -1.0, 1.0))), dtype=float)
