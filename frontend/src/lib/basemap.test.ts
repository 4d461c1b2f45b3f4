import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Topology } from "topojson-specification";
import { polygonsForWindow, polygonsFromGeometry, polygonsFromTopology } from "./basemap";

describe("base map polygons", () => {
  it("unwraps a polygon crossing the antimeridian and copies it into the window", () => {
    const polys = polygonsFromGeometry({
      type: "Polygon",
      coordinates: [[[170, 60], [-170, 60], [-170, 70], [170, 70], [170, 60]]],
    });
    expect(polys[0].west).toBe(170);
    expect(polys[0].east).toBe(190);
    const inWorld = polygonsForWindow(polys, 0);
    // the original (170..190) and a copy at -190..-170 both touch [-180, 180]
    expect(inWorld.map((p) => [p.west, p.east])).toEqual([[170, 190], [-190, -170]]);
    const pacific = polygonsForWindow(polys, 180);
    expect(pacific.map((p) => [p.west, p.east])).toEqual([[170, 190]]);
  });
  it("reads the shipped Natural Earth file without bands across the map", () => {
    const require = createRequire(import.meta.url);
    const path = require.resolve("world-atlas/countries-110m.json");
    const topo = JSON.parse(readFileSync(path, "utf8")) as Topology;
    const polys = polygonsFromTopology(topo);
    expect(polys.length).toBeGreaterThan(200);
    for (const p of polys) {
      for (const ring of p.rings) {
        if (Math.min(...ring.map((q) => q[0])) < -60) continue; // Antarctica encircles the pole
        for (let i = 1; i < ring.length; i++) {
          expect(Math.abs(ring[i][1] - ring[i - 1][1])).toBeLessThanOrEqual(180);
        }
      }
    }
  });
});
