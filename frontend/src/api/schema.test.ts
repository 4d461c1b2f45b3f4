// Fails when the checked-in client types drift from frontend/openapi.json (regenerate with
// `npm run gen:api`). tests/e2e/test_openapi_drift.py checks openapi.json against the app.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
// @ts-expect-error: a plain .mjs build script without type declarations
import { canonicalJson, generateSchemaTs } from "../../scripts/openapi-gen.mjs";

const spec = readFileSync(fileURLToPath(new URL("../../openapi.json", import.meta.url)), "utf8");
const checkedIn = readFileSync(fileURLToPath(new URL("./schema.d.ts", import.meta.url)), "utf8");

describe("generated API client", () => {
  it("openapi.json is in canonical form", () => {
    expect(canonicalJson(JSON.parse(spec))).toBe(spec);
  });
  it("schema.d.ts matches a fresh generation from openapi.json", async () => {
    const fresh: string = await generateSchemaTs(JSON.parse(spec));
    expect(fresh === checkedIn, "src/api/schema.d.ts is stale: run `npm run gen:api`").toBe(true);
  });
});
