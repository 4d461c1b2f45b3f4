// The form declarations (src/lib/properties.ts) must say what the API enforces: same keys,
// ranges, lengths, defaults and enum values as the OpenAPI document the client is generated from.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { LINK_PROPERTIES, NETWORK_PROPERTIES, NODE_PROPERTIES, type PropertyDef } from "../lib/properties";

type Json = Record<string, any>;
const spec: Json = JSON.parse(readFileSync(fileURLToPath(new URL("../../openapi.json", import.meta.url)), "utf8"));
const schemas: Json = spec.components.schemas;

function check(defs: readonly PropertyDef[], create: string, out: string) {
  for (const def of defs) {
    it(`${create}.${def.key}`, () => {
      expect(Object.keys(schemas[out].properties), `${out} has ${def.key}`).toContain(def.key);
      const prop: Json | undefined = schemas[create].properties[def.key];
      if (!prop || def.readOnly) return;
      const t: Json = (prop.anyOf ?? [prop]).find((x: Json) => x.type !== "null") ?? {};
      if (def.kind !== "profile") {
        // Profiles are chosen from a list of stored ids: no range to type into.
        if (def.min !== undefined || t.minimum !== undefined) expect(def.min, "minimum").toBe(t.minimum);
        if (def.max !== undefined || t.maximum !== undefined) expect(def.max, "maximum").toBe(t.maximum);
      }
      if (t.maxLength !== undefined) expect(def.maxLength, "maxLength").toBe(t.maxLength);
      if ("default" in prop) expect(def.default, "default").toEqual(prop.default);
      if (t.enum) expect(def.options?.map((o) => o.value).sort()).toEqual([...t.enum].sort());
      const nullable = (prop.anyOf ?? []).some((x: Json) => x.type === "null");
      if (def.nullable) expect(nullable, "nullable").toBe(true);
    });
  }
}

describe("network properties match the API", () => check(NETWORK_PROPERTIES, "NetworkCreate", "NetworkOut"));
describe("node properties match the API", () => check(NODE_PROPERTIES, "NodeCreate", "NodeOut"));
describe("link properties match the API", () => check(LINK_PROPERTIES, "LinkCreate", "LinkOut"));

describe("undo re-creates entities with bodies the API accepts", async () => {
  const { nodeCreateBody, linkCreateBody } = await import("../features/network-editor/store");
  const example = (name: string): Json => {
    const out: Json = {};
    for (const [k, v] of Object.entries<Json>(schemas[name].properties)) out[k] = v.default ?? null;
    return out;
  };
  it("node bodies use only NodeCreate fields", () => {
    const body = nodeCreateBody({ ...example("NodeOut"), id: 3, network_id: 1, version: 2 } as never);
    expect(Object.keys(schemas.NodeCreate.properties)).toEqual(expect.arrayContaining(Object.keys(body)));
    for (const k of schemas.NodeCreate.required) expect(Object.keys(body)).toContain(k);
  });
  it("link bodies use only LinkCreate fields", () => {
    const body = linkCreateBody({ ...example("LinkOut"), id: 3, network_id: 1, version: 2 } as never, 5, 6);
    expect(Object.keys(schemas.LinkCreate.properties)).toEqual(expect.arrayContaining(Object.keys(body)));
    expect(body).toMatchObject({ a_node_id: 5, b_node_id: 6 });
    expect(body).not.toHaveProperty("effective_length_km");
  });
});
