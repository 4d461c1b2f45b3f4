import { describe, expect, it } from "vitest";
import {
  boundsOf,
  centralMeridian,
  greatCircleDistanceKm,
  greatCirclePoints,
  normalizeLongitude,
  splitAtWindowEdge,
  unwrapLongitudes,
  unwrapRing,
  wrapLongitudeAround,
} from "./geodesy";

describe("longitude wrapping", () => {
  it("normalizes into [-180, 180)", () => {
    expect(normalizeLongitude(0)).toBe(0);
    expect(normalizeLongitude(180)).toBe(-180);
    expect(normalizeLongitude(190)).toBe(-170);
    expect(normalizeLongitude(-190)).toBe(170);
    expect(normalizeLongitude(725)).toBeCloseTo(5);
  });
  it("wraps around a central meridian", () => {
    expect(wrapLongitudeAround(-179, 180)).toBe(181);
    expect(wrapLongitudeAround(179, 180)).toBe(179);
    expect(wrapLongitudeAround(10, 0)).toBe(10);
  });
});

describe("great circle", () => {
  it("measures a known distance (Paris-London ~344 km)", () => {
    const d = greatCircleDistanceKm([48.8566, 2.3522], [51.5074, -0.1278]);
    expect(d).toBeGreaterThan(340);
    expect(d).toBeLessThan(348);
  });
  it("keeps short links straight (two points)", () => {
    expect(greatCirclePoints([46, 6], [46.5, 6.5])).toHaveLength(2);
  });
  it("bends long links poleward and keeps the endpoints", () => {
    const pts = greatCirclePoints([40.6, -73.8], [51.5, -0.1]); // New York - London
    expect(pts.length).toBeGreaterThan(10);
    expect(pts[0]).toEqual([40.6, -73.8]);
    expect(pts[pts.length - 1]).toEqual([51.5, -0.1]);
    const maxLat = Math.max(...pts.map((p) => p[0]));
    expect(maxLat).toBeGreaterThan(51.5); // the arc rises above both ends
    for (let i = 1; i < pts.length; i++) {
      expect(greatCircleDistanceKm(pts[i - 1], pts[i])).toBeLessThanOrEqual(101);
    }
  });
  it("crosses the antimeridian with continuous longitudes", () => {
    const pts = greatCirclePoints([-18.1, 178.4], [21.3, -157.9]); // Suva - Honolulu
    for (let i = 1; i < pts.length; i++) {
      expect(Math.abs(pts[i][1] - pts[i - 1][1])).toBeLessThan(10);
    }
    expect(pts[pts.length - 1][1]).toBeCloseTo(-157.9 + 360);
  });
  it("survives coincident and antipodal points", () => {
    expect(greatCirclePoints([10, 10], [10, 10])).toHaveLength(2);
    const anti = greatCirclePoints([0, 0], [0, 180]);
    anti.forEach((p) => expect(Number.isFinite(p[0]) && Number.isFinite(p[1])).toBe(true));
  });
});

describe("antimeridian", () => {
  it("unwraps a line", () => {
    expect(unwrapLongitudes([[0, 179], [0, -179], [0, -170]])).toEqual([
      [0, 179],
      [0, 181],
      [0, 190],
    ]);
  });
  it("splits a crossing line into two parts with the interpolated crossing", () => {
    const parts = splitAtWindowEdge([[0, 170], [10, 190]]);
    expect(parts).toHaveLength(2);
    expect(parts[0][0]).toEqual([0, 170]);
    expect(parts[0][1][0]).toBeCloseTo(5);
    expect(parts[0][1][1]).toBe(180);
    expect(parts[1][0][1]).toBe(-180);
    expect(parts[1][1]).toEqual([10, -170]);
  });
  it("leaves a line inside the window in one piece", () => {
    expect(splitAtWindowEdge([[0, 10], [1, 20], [2, 30]])).toEqual([[[0, 10], [1, 20], [2, 30]]]);
  });
  it("splits against a shifted window", () => {
    // Window [0, 360] (center 180): a line from 350 to 370 crosses its east edge at 360.
    const parts = splitAtWindowEdge([[0, 350], [0, 370]], 180);
    expect(parts).toHaveLength(2);
    expect(parts[1][1][1]).toBeCloseTo(10);
  });
  it("unwraps a ring that crosses the antimeridian (Chukotka-like)", () => {
    const ring: [number, number][] = [
      [65, 170],
      [66, 179],
      [67, -178],
      [65, -175],
      [64, 175],
      [65, 170],
    ];
    const un = unwrapRing(ring);
    expect(un.map((p) => p[1])).toEqual([170, 179, 182, 185, 175, 170]);
  });
  it("leaves pole-encircling rings alone", () => {
    const ring: [number, number][] = [];
    for (let lon = -180; lon <= 180; lon += 30) ring.push([-80, lon === 180 ? -180 : lon]);
    ring.push([-90, 180], [-90, -180], ring[0]);
    const fake: [number, number][] = [[-80, 150], [-80, -150], [-80, -90], [-80, 0], [-80, 90], [-80, 150]];
    expect(unwrapRing(fake)).toEqual(fake);
  });
  it("finds the central meridian of a network straddling the antimeridian", () => {
    expect(centralMeridian([178, -179, 179.5])).toBeCloseTo(179.5, 0);
    expect(centralMeridian([2, 10, 30])).toBe(0);
    expect(centralMeridian([])).toBe(0);
  });
  it("computes bounds", () => {
    expect(boundsOf([[1, 2], [3, -4]])).toEqual([[1, -4], [3, 2]]);
    expect(boundsOf([])).toBeNull();
  });
});
