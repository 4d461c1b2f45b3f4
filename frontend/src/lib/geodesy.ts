/**
 * Pure spherical-geometry helpers for drawing: great circles, longitude wrapping and the
 * antimeridian. Distances shown to people come from the server (`effective_length_km`, WGS84);
 * these functions only decide where to draw lines.
 */

/** Mean Earth radius [km] (IUGG R1), used for drawing and rough client-side estimates only. */
export const EARTH_RADIUS_KM = 6371.0088;

export type LatLon = readonly [lat_deg: number, lon_deg: number];

const RAD = Math.PI / 180;

/** Wrap a longitude into [-180, 180). */
export function normalizeLongitude(lon_deg: number): number {
  const x = (((lon_deg + 180) % 360) + 360) % 360;
  return x - 180;
}

/** Wrap a longitude into [center - 180, center + 180). */
export function wrapLongitudeAround(lon_deg: number, center_deg: number): number {
  return normalizeLongitude(lon_deg - center_deg) + center_deg;
}

/** Great-circle (haversine) distance on the mean sphere [km]. */
export function greatCircleDistanceKm(a: LatLon, b: LatLon): number {
  const dLat = (b[0] - a[0]) * RAD;
  const dLon = (b[1] - a[1]) * RAD;
  const h =
    Math.sin(dLat / 2) ** 2 + Math.cos(a[0] * RAD) * Math.cos(b[0] * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * Points along the shorter great circle from `a` to `b`, endpoints included, with no segment
 * longer than `maxSegmentKm` (at most `maxPoints`). Longitudes are continuous (unwrapped): they
 * start at `a`'s longitude and may leave [-180, 180] when the arc crosses the antimeridian, so the
 * last longitude equals `b`'s plus a multiple of 360.
 */
export function greatCirclePoints(
  a: LatLon,
  b: LatLon,
  maxSegmentKm = 100,
  maxPoints = 128,
): [number, number][] {
  const d = greatCircleDistanceKm(a, b);
  const n = Math.min(maxPoints - 1, Math.max(1, Math.ceil(d / maxSegmentKm)));
  if (n === 1 || d === 0) return unwrapLongitudes([[a[0], a[1]], [b[0], b[1]]]);
  const [φ1, λ1, φ2, λ2] = [a[0] * RAD, a[1] * RAD, b[0] * RAD, b[1] * RAD];
  const p1 = [Math.cos(φ1) * Math.cos(λ1), Math.cos(φ1) * Math.sin(λ1), Math.sin(φ1)];
  const p2 = [Math.cos(φ2) * Math.cos(λ2), Math.cos(φ2) * Math.sin(λ2), Math.sin(φ2)];
  const δ = d / EARTH_RADIUS_KM;
  const sinδ = Math.sin(δ);
  const out: [number, number][] = [];
  for (let i = 0; i <= n; i++) {
    const f = i / n;
    let x: number, y: number, z: number;
    if (sinδ < 1e-12) {
      // Antipodal or coincident: no unique great circle; fall back to linear interpolation.
      x = p1[0] + f * (p2[0] - p1[0]);
      y = p1[1] + f * (p2[1] - p1[1]);
      z = p1[2] + f * (p2[2] - p1[2]);
    } else {
      const A = Math.sin((1 - f) * δ) / sinδ;
      const B = Math.sin(f * δ) / sinδ;
      x = A * p1[0] + B * p2[0];
      y = A * p1[1] + B * p2[1];
      z = A * p1[2] + B * p2[2];
    }
    out.push([Math.atan2(z, Math.hypot(x, y)) / RAD, Math.atan2(y, x) / RAD]);
  }
  out[0] = [a[0], a[1]];
  out[n] = [b[0], b[1]];
  return unwrapLongitudes(out);
}

/**
 * Make a line's longitudes continuous: whenever consecutive longitudes jump by more than 180
 * degrees, shift the rest by a multiple of 360. The first longitude is kept.
 */
export function unwrapLongitudes(points: readonly LatLon[]): [number, number][] {
  const out: [number, number][] = [];
  let prev = 0;
  for (let i = 0; i < points.length; i++) {
    const [lat, lon] = points[i];
    if (i === 0) {
      prev = lon;
      out.push([lat, lon]);
      continue;
    }
    const l = lon + 360 * Math.round((prev - lon) / 360);
    out.push([lat, l]);
    prev = l;
  }
  return out;
}

/**
 * Cut a line with continuous longitudes into parts lying inside the window
 * [center - 180, center + 180], interpolating the latitude where it crosses the window's edge
 * (for the default center 0, the antimeridian). Each part is shifted by a multiple of 360 into the
 * window. A line that never crosses an edge comes back as one part.
 */
export function splitAtWindowEdge(
  points: readonly LatLon[],
  center_deg = 0,
): [number, number][][] {
  if (points.length === 0) return [];
  const parts: [number, number][][] = [];
  // Index of the 360-wide window (relative to center) each longitude falls in.
  const windowOf = (lon: number) => Math.floor((lon - center_deg + 180) / 360);
  let current: [number, number][] = [];
  let k = windowOf(points[0][1]);
  current.push([points[0][0], points[0][1] - 360 * k]);
  for (let i = 1; i < points.length; i++) {
    const [lat0, lon0] = points[i - 1];
    const [lat1, lon1] = points[i];
    let k1 = windowOf(lon1);
    // A point exactly on the far edge stays in the current window.
    if (k1 !== k && lon1 - center_deg + 180 - 360 * k1 === 0 && k1 === k + 1) k1 = k;
    while (k1 !== k) {
      const step = k1 > k ? 1 : -1;
      const edge = center_deg - 180 + 360 * (step > 0 ? k + 1 : k); // absolute edge longitude
      const f = lon1 === lon0 ? 0 : (edge - lon0) / (lon1 - lon0);
      const lat = lat0 + f * (lat1 - lat0);
      current.push([lat, edge - 360 * k]);
      if (current.length >= 2) parts.push(current);
      k += step;
      current = [[lat, edge - 360 * k]];
    }
    current.push([lat1, lon1 - 360 * k]);
  }
  if (current.length >= 2) parts.push(current);
  return parts;
}

/**
 * Unwrap a closed ring (a base-map polygon ring) whose consecutive longitudes jump across the
 * antimeridian, so it draws as one shape instead of a band across the map. Rings that wind around
 * a pole (their unwrapped closure is off by 360 degrees) are returned unchanged.
 */
export function unwrapRing(ring: readonly LatLon[]): [number, number][] {
  let jumps = false;
  for (let i = 1; i < ring.length; i++) {
    if (Math.abs(ring[i][1] - ring[i - 1][1]) > 180) {
      jumps = true;
      break;
    }
  }
  const copy = ring.map(([a, b]) => [a, b] as [number, number]);
  if (!jumps) return copy;
  const un = unwrapLongitudes(ring);
  const closure = un[un.length - 1][1] - un[0][1];
  if (Math.abs(closure) > 180) return copy; // encircles a pole
  return un;
}

/** Smallest and largest longitude of a set of points. */
export function longitudeExtent(points: readonly LatLon[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of points) {
    if (p[1] < lo) lo = p[1];
    if (p[1] > hi) hi = p[1];
  }
  return [lo, hi];
}

/**
 * The central meridian of the narrowest longitude window holding every longitude: the middle of
 * the complement of the largest empty gap between sorted longitudes. A network straddling the
 * antimeridian (Fiji, Kamchatka, Alaska) gets a center near 180 so it draws in one piece.
 * Returns 0 when there are no longitudes or they span the whole globe evenly.
 */
export function centralMeridian(longitudes: readonly number[]): number {
  if (longitudes.length === 0) return 0;
  const s = longitudes.map(normalizeLongitude).sort((x, y) => x - y);
  let gap = s[0] + 360 - s[s.length - 1]; // the gap across the antimeridian
  let gapEnd = s[0]; // the window starts at the end of the largest gap
  for (let i = 1; i < s.length; i++) {
    const g = s[i] - s[i - 1];
    if (g > gap) {
      gap = g;
      gapEnd = s[i];
    }
  }
  const width = 360 - gap;
  // Keep the ordinary map (center 0) whenever the data fits in [-180, 180] without help.
  if (s[0] >= -180 && gapEnd === s[0]) return 0;
  return normalizeLongitude(gapEnd + width / 2);
}

/** Latitude/longitude bounds of points already wrapped into one window. */
export function boundsOf(points: readonly LatLon[]): [[number, number], [number, number]] | null {
  if (points.length === 0) return null;
  let s = Infinity,
    w = Infinity,
    n = -Infinity,
    e = -Infinity;
  for (const [lat, lon] of points) {
    s = Math.min(s, lat);
    n = Math.max(n, lat);
    w = Math.min(w, lon);
    e = Math.max(e, lon);
  }
  return [
    [s, w],
    [n, e],
  ];
}
