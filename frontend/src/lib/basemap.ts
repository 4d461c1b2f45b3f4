/**
 * Natural Earth country outlines (npm `world-atlas`, TopoJSON) turned into polygons ready to
 * draw: rings unwrapped across the antimeridian, and copied by ±360 degrees where a copy falls
 * inside the map's longitude window.
 */
import type { Topology, GeometryCollection } from "topojson-specification";
import { feature } from "topojson-client";
import type { Geometry, Position } from "geojson";
import { unwrapRing } from "./geodesy";

/** A polygon as rings of [lat, lon] (outer ring first), with its longitude extent. */
export interface BasePolygon {
  rings: [number, number][][];
  west: number;
  east: number;
}

function toLatLon(ring: Position[]): [number, number][] {
  return ring.map((p) => [p[1], p[0]]);
}

function polygonFrom(coords: Position[][]): BasePolygon {
  const rings = coords.map((r) => unwrapRing(toLatLon(r)));
  // Holes follow their outer ring across the antimeridian.
  const mean = (r: [number, number][]) => r.reduce((s, p) => s + p[1], 0) / Math.max(1, r.length);
  const m0 = mean(rings[0]);
  for (let i = 1; i < rings.length; i++) {
    const shift = 360 * Math.round((m0 - mean(rings[i])) / 360);
    if (shift) rings[i] = rings[i].map(([a, b]) => [a, b + shift]);
  }
  let west = Infinity;
  let east = -Infinity;
  for (const [, lon] of rings[0]) {
    west = Math.min(west, lon);
    east = Math.max(east, lon);
  }
  return { rings, west, east };
}

export function polygonsFromGeometry(g: Geometry | null): BasePolygon[] {
  if (!g) return [];
  if (g.type === "Polygon") return [polygonFrom(g.coordinates)];
  if (g.type === "MultiPolygon") return g.coordinates.map(polygonFrom);
  if (g.type === "GeometryCollection") return g.geometries.flatMap(polygonsFromGeometry);
  return [];
}

/** Every country polygon of a world-atlas topology (object `countries`, else `land`). */
export function polygonsFromTopology(topology: Topology): BasePolygon[] {
  const obj = (topology.objects.countries ?? topology.objects.land) as GeometryCollection | undefined;
  if (!obj) return [];
  const fc = feature(topology, obj) as unknown as { features?: { geometry: Geometry }[] } & Geometry;
  if (fc.features) return fc.features.flatMap((f) => polygonsFromGeometry(f.geometry));
  return polygonsFromGeometry(fc);
}

/**
 * The polygons (shifted by -360, 0 or +360 degrees) that intersect the window
 * [center - 180, center + 180].
 */
export function polygonsForWindow(polys: readonly BasePolygon[], center_deg: number): BasePolygon[] {
  const lo = center_deg - 180;
  const hi = center_deg + 180;
  const out: BasePolygon[] = [];
  for (const p of polys) {
    for (const s of [0, -360, 360]) {
      if (p.east + s < lo || p.west + s > hi) continue;
      out.push(
        s === 0
          ? p
          : { rings: p.rings.map((r) => r.map(([a, b]) => [a, b + s] as [number, number])), west: p.west + s, east: p.east + s },
      );
    }
  }
  return out;
}
