"""Geodesic distances on the WGS84 ellipsoid (pyproj.Geod, Karney's algorithm)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike, NDArray
from pyproj import Geod


@lru_cache(maxsize=1)
def _wgs84() -> Geod:
    return Geod(ellps="WGS84")


def geodesic_distance_km(
    lat1_deg: ArrayLike, lon1_deg: ArrayLike, lat2_deg: ArrayLike, lon2_deg: ArrayLike
) -> NDArray[np.float64]:
    """Geodesic distance between points on the WGS84 ellipsoid [km] (same shape as the inputs).

    References
    ----------
    C. F. F. Karney, "Algorithms for geodesics", J. Geodesy 87, 43 (2013),
    doi:10.1007/s00190-012-0578-z (the algorithm behind ``pyproj.Geod.inv``).
    """
    lat1, lon1, lat2, lon2 = np.broadcast_arrays(
        *(np.asarray(v, dtype=float) for v in (lat1_deg, lon1_deg, lat2_deg, lon2_deg))
    )
    _, _, dist_m = _wgs84().inv(lon1, lat1, lon2, lat2)
    return np.asarray(dist_m, dtype=float) / 1000.0


def great_circle_points(
    lat1_deg: float, lon1_deg: float, lat2_deg: float, lon2_deg: float, count: int
) -> list[tuple[float, float]]:
    """``count`` intermediate (lat, lon) points along the geodesic, endpoints excluded."""
    if count <= 0:
        return []
    points = _wgs84().npts(lon1_deg, lat1_deg, lon2_deg, lat2_deg, count)
    return [(lat, lon) for lon, lat in points]
