import { describe, expect, it } from "vitest";
import {
  LINK_PROPERTIES,
  NODE_PROPERTIES,
  changedFields,
  formatField,
  parseField,
  validateForm,
  visibleProperties,
} from "./properties";
import { fieldErrors, pointerTokens } from "./problem";

const def = (key: string) => [...LINK_PROPERTIES, ...NODE_PROPERTIES].find((d) => d.key === key)!;

describe("property schema", () => {
  it("declares unique keys with labels", () => {
    for (const defs of [LINK_PROPERTIES, NODE_PROPERTIES]) {
      const keys = defs.map((d) => d.key);
      expect(new Set(keys).size).toBe(keys.length);
      defs.forEach((d) => expect(d.label.length).toBeGreaterThan(0));
    }
  });
  it("parses numbers with units and ranges", () => {
    expect(parseField(def("length_km"), "12.5")).toEqual({ ok: true, value: 12.5 });
    expect(parseField(def("length_km"), " 12,5 ")).toEqual({ ok: true, value: 12.5 });
    expect(parseField(def("length_km"), "")).toEqual({ ok: true, value: null });
    expect(parseField(def("length_km"), "-5")).toEqual({ ok: false, error: "Must be at least 0 km." });
    expect(parseField(def("length_km"), "abc")).toEqual({ ok: false, error: "Enter a number." });
    expect(parseField(def("length_km"), "Infinity")).toMatchObject({ ok: false });
    expect(parseField(def("latitude_deg"), "91")).toEqual({ ok: false, error: "Must be at most 90°." });
    expect(parseField(def("latitude_deg"), "")).toMatchObject({ ok: false });
    expect(parseField(def("connector_count"), "1.5")).toEqual({ ok: false, error: "Enter a whole number." });
    expect(parseField(def("connector_count"), "3")).toEqual({ ok: true, value: 3 });
  });
  it("parses text, enums, tags, booleans and profiles", () => {
    expect(parseField(def("name"), "  ")).toMatchObject({ ok: false });
    expect(parseField(def("name"), " Geneva ")).toEqual({ ok: true, value: "Geneva" });
    expect(parseField(def("status"), "planned")).toEqual({ ok: true, value: "planned" });
    expect(parseField(def("status"), "Planned")).toMatchObject({ ok: false });
    expect(parseField(def("shared_risk_groups"), "a, b,,a")).toEqual({ ok: true, value: ["a", "b"] });
    expect(parseField(def("bypass"), true)).toEqual({ ok: true, value: true });
    expect(parseField(def("equipment_profile_id"), "")).toEqual({ ok: true, value: null });
    expect(parseField(def("equipment_profile_id"), "4")).toEqual({ ok: true, value: 4 });
  });
  it("formats stored values for inputs", () => {
    expect(formatField(def("length_km"), null)).toBe("");
    expect(formatField(def("shared_risk_groups"), ["x", "y"])).toBe("x, y");
    expect(formatField(def("bypass"), true)).toBe(true);
  });
  it("shows role- and medium-specific fields only where they apply", () => {
    const keys = (e: Record<string, unknown>, defs = NODE_PROPERTIES) => visibleProperties(defs, e).map((d) => d.key);
    expect(keys({ role: "amplifier" })).toContain("bypass_loss_db");
    expect(keys({ role: "endpoint" })).not.toContain("bypass_loss_db");
    expect(keys({ role: "endpoint" })).toContain("relays_key");
    expect(keys({ role: "roadm" })).toContain("insertion_loss_db");
    expect(keys({ medium: "free_space" }, LINK_PROPERTIES)).not.toContain("attenuation_db_per_km");
  });
  it("validates a form and builds a minimal patch", () => {
    const { values, errors } = validateForm(LINK_PROPERTIES, { length_km: "-1", status: "existing" });
    expect(errors).toEqual({ length_km: "Must be at least 0 km." });
    expect(values).toEqual({ status: "existing" });
    expect(changedFields(LINK_PROPERTIES, { status: "planned", length_km: null }, { status: "existing", length_km: null })).toEqual({
      status: "existing",
    });
  });
  it("resets fields of the previous role when the role changes", () => {
    const stored = { role: "amplifier", bypass: true, bypass_loss_db: 2, relays_key: false };
    expect(changedFields(NODE_PROPERTIES, stored, { role: "endpoint" })).toEqual({
      role: "endpoint",
      bypass: false,
      bypass_loss_db: 1.5,
    });
  });
});

describe("problem+json pointers", () => {
  it("decodes JSON pointers", () => {
    expect(pointerTokens("/links/2/length_km")).toEqual(["links", "2", "length_km"]);
    expect(pointerTokens("/a~1b/c~0d")).toEqual(["a/b", "c~d"]);
    expect(pointerTokens("")).toEqual([]);
  });
  it("maps errors to fields", () => {
    const p = {
      title: "Unprocessable",
      errors: [
        { pointer: "/length_km", detail: "must be >= 0" },
        { pointer: "/shared_risk_groups/1", detail: "too long" },
        { pointer: "/nonsense", detail: "x" },
        { parameter: "limit", detail: "y" },
      ],
    };
    const r = fieldErrors(p, ["length_km", "shared_risk_groups"]);
    expect(r.byField).toEqual({ length_km: "must be >= 0", shared_risk_groups: "too long" });
    expect(r.other).toEqual(["/nonsense: x", "limit: y"]);
  });
  it("honours a prefix for document pointers", () => {
    const p = { errors: [{ pointer: "/links/2/length_km", detail: "bad" }, { pointer: "/links/3/length_km", detail: "no" }] };
    expect(fieldErrors(p, ["length_km"], ["links", "2"]).byField).toEqual({ length_km: "bad" });
  });
});
