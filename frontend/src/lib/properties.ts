/**
 * Editable properties, declared once: label, unit, range and default drive the side-panel forms,
 * their client-side validation and the messages shown beside each field. Field keys are the API's
 * snake_case names (API-CONTRACT.md §2), unchanged end to end.
 */

export type FieldKind = "text" | "textarea" | "number" | "integer" | "enum" | "boolean" | "tags" | "profile";

export interface PropertyDef {
  key: string;
  label: string;
  kind: FieldKind;
  unit?: string;
  min?: number;
  max?: number;
  /** The bound `min` itself is not allowed. */
  minExclusive?: boolean;
  default?: unknown;
  /** An empty input means `null` (e.g. a length computed from the geodesic). */
  nullable?: boolean;
  required?: boolean;
  maxLength?: number;
  options?: readonly { value: string; label: string }[];
  step?: number;
  help?: string;
  /** Shown only when this returns true for the entity being edited (role- or medium-specific). */
  appliesTo?: (entity: Record<string, unknown>) => boolean;
  readOnly?: boolean;
}

export const NODE_ROLES = [
  { value: "endpoint", label: "Endpoint (user site)" },
  { value: "trusted_node", label: "Trusted node" },
  { value: "ground_station", label: "Ground station" },
  { value: "optical_switch", label: "Optical switch" },
  { value: "roadm", label: "ROADM" },
  { value: "amplifier", label: "Amplifier" },
  { value: "untrusted_relay", label: "Untrusted relay (MDI/TF)" },
  { value: "entanglement_source", label: "Entanglement source" },
  { value: "repeater", label: "Repeater (reserved)" },
  { value: "satellite", label: "Satellite" },
] as const;

export const KEY_HOLDING_ROLES = new Set(["endpoint", "trusted_node", "ground_station", "satellite"]);
export const TRANSPARENT_ROLES = new Set([
  "optical_switch",
  "roadm",
  "untrusted_relay",
  "entanglement_source",
]);

export const LINK_MEDIA = [
  { value: "fiber", label: "Fiber" },
  { value: "free_space", label: "Free space" },
] as const;

export const LINK_STATUSES = [
  { value: "existing", label: "Existing" },
  { value: "planned", label: "Planned" },
  { value: "candidate", label: "Candidate" },
] as const;

const role = (...roles: string[]) => (e: Record<string, unknown>) => roles.includes(String(e.role));

export const NETWORK_PROPERTIES: readonly PropertyDef[] = [
  { key: "name", label: "Name", kind: "text", required: true, maxLength: 200 },
  { key: "description", label: "Description", kind: "textarea", default: "", maxLength: 20000 },
  {
    key: "route_factor",
    label: "Route factor",
    kind: "number",
    unit: "×",
    min: 1,
    max: 10,
    default: 1.3,
    step: 0.05,
    help: "Fiber route length / geodesic distance, for links without a given length",
  },
  { key: "default_equipment_profile_id", label: "Default equipment profile", kind: "profile", nullable: true, default: null },
];

export const NODE_PROPERTIES: readonly PropertyDef[] = [
  { key: "name", label: "Name", kind: "text", required: true, maxLength: 200 },
  { key: "role", label: "Role", kind: "enum", options: NODE_ROLES, required: true, default: "endpoint" },
  { key: "latitude_deg", label: "Latitude", kind: "number", unit: "°", min: -90, max: 90, required: true, step: 0.0001 },
  { key: "longitude_deg", label: "Longitude", kind: "number", unit: "°", min: -180, max: 180, required: true, step: 0.0001 },
  { key: "altitude_m", label: "Altitude", kind: "number", unit: "m", min: -11000, max: 1e8, default: 0 },
  { key: "equipment_profile_id", label: "QKD equipment", kind: "profile", nullable: true, default: null },
  {
    key: "insertion_loss_db",
    label: "Insertion loss",
    kind: "number",
    unit: "dB",
    min: 0,
    max: 1000,
    nullable: true,
    default: null,
    appliesTo: role(...TRANSPARENT_ROLES),
  },
  { key: "bypass", label: "Bypass for quantum signals", kind: "boolean", default: false, appliesTo: role("amplifier") },
  {
    key: "bypass_loss_db",
    label: "Bypass loss",
    kind: "number",
    unit: "dB",
    min: 0,
    max: 1000,
    default: 1.5,
    appliesTo: role("amplifier"),
  },
  { key: "relays_key", label: "Relays key (trusted)", kind: "boolean", default: false, appliesTo: role("endpoint") },
  { key: "notes", label: "Notes", kind: "textarea", default: "", maxLength: 20000 },
];

const fiber = (e: Record<string, unknown>) => e.medium !== "free_space";

export const LINK_PROPERTIES: readonly PropertyDef[] = [
  { key: "medium", label: "Medium", kind: "enum", options: LINK_MEDIA, default: "fiber", required: true },
  { key: "status", label: "Status", kind: "enum", options: LINK_STATUSES, default: "planned", required: true },
  {
    key: "length_km",
    label: "Length",
    kind: "number",
    unit: "km",
    min: 0,
    max: 1e6,
    nullable: true,
    default: null,
    help: "Empty: geodesic distance × the network's route factor",
  },
  { key: "attenuation_db_per_km", label: "Attenuation", kind: "number", unit: "dB/km", min: 0, max: 100, default: 0.2, step: 0.001, appliesTo: fiber },
  { key: "connector_count", label: "Connectors", kind: "integer", min: 0, max: 100000, default: 0 },
  { key: "loss_per_connector_db", label: "Loss per connector", kind: "number", unit: "dB", min: 0, max: 1000, default: 0.3 },
  { key: "splice_count", label: "Splices", kind: "integer", min: 0, max: 100000, default: 0 },
  { key: "loss_per_splice_db", label: "Loss per splice", kind: "number", unit: "dB", min: 0, max: 1000, default: 0.05 },
  { key: "insertion_loss_db", label: "Insertion loss", kind: "number", unit: "dB", min: 0, max: 1000, default: 0 },
  { key: "extra_loss_db", label: "Extra loss", kind: "number", unit: "dB", min: 0, max: 1000, default: 0 },
  { key: "ageing_margin_db", label: "Ageing margin", kind: "number", unit: "dB", min: 0, max: 1000, default: 0 },
  { key: "shared_risk_groups", label: "Shared risk groups", kind: "tags", default: [], help: "Comma-separated names" },
  { key: "equipment_profile_id", label: "Equipment profile", kind: "profile", nullable: true, default: null },
  { key: "key_rate_override_bps", label: "Key rate override", kind: "number", unit: "bit/s", min: 0, max: 1e15, nullable: true, default: null },
  { key: "relay_position_fraction", label: "Relay position", kind: "number", unit: "fraction from A", min: 0, max: 1, default: 0.5, step: 0.01 },
];

export type ParseResult = { ok: true; value: unknown } | { ok: false; error: string };

function fmtNum(x: number): string {
  return String(x);
}

/** Parse and validate what a person typed (a string, or a boolean for check boxes). */
export function parseField(def: PropertyDef, raw: string | boolean): ParseResult {
  if (def.kind === "boolean") {
    if (typeof raw !== "boolean") return { ok: false, error: "Must be yes or no." };
    return { ok: true, value: raw };
  }
  const text = String(raw).trim();
  switch (def.kind) {
    case "text":
    case "textarea": {
      if (def.required && text === "") return { ok: false, error: `${def.label} is required.` };
      if (def.maxLength !== undefined && text.length > def.maxLength)
        return { ok: false, error: `At most ${def.maxLength} characters.` };
      return { ok: true, value: def.kind === "text" ? text : String(raw) };
    }
    case "tags": {
      const tags = text === "" ? [] : text.split(",").map((t) => t.trim()).filter((t) => t !== "");
      return { ok: true, value: Array.from(new Set(tags)) };
    }
    case "enum": {
      if (!def.options?.some((o) => o.value === text)) return { ok: false, error: "Choose one of the listed values." };
      return { ok: true, value: text };
    }
    case "profile": {
      if (text === "") return def.nullable ? { ok: true, value: null } : { ok: false, error: "Choose a profile." };
      const id = Number(text);
      if (!Number.isInteger(id) || id <= 0) return { ok: false, error: "Choose a profile." };
      return { ok: true, value: id };
    }
    case "number":
    case "integer": {
      if (text === "") {
        if (def.nullable) return { ok: true, value: null };
        return { ok: false, error: `${def.label} is required.` };
      }
      // Accept a decimal comma, nothing else: no units, no hex, no "Infinity".
      const norm = text.replace(",", ".");
      if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(norm)) return { ok: false, error: "Enter a number." };
      const x = Number(norm);
      if (!Number.isFinite(x)) return { ok: false, error: "Enter a finite number." };
      if (def.kind === "integer" && !Number.isInteger(x)) return { ok: false, error: "Enter a whole number." };
      const unit = !def.unit || def.unit.includes(" ") ? "" : def.unit === "°" ? "°" : ` ${def.unit}`;
      if (def.min !== undefined) {
        if (def.minExclusive ? x <= def.min : x < def.min)
          return {
            ok: false,
            error: def.minExclusive
              ? `Must be greater than ${fmtNum(def.min)}${unit}.`
              : `Must be at least ${fmtNum(def.min)}${unit}.`,
          };
      }
      if (def.max !== undefined && x > def.max) return { ok: false, error: `Must be at most ${fmtNum(def.max)}${unit}.` };
      return { ok: true, value: x };
    }
  }
}

/** The text an input shows for a stored value. */
export function formatField(def: PropertyDef, value: unknown): string | boolean {
  if (def.kind === "boolean") return value === true;
  if (value === null || value === undefined) return "";
  if (def.kind === "tags") return Array.isArray(value) ? value.join(", ") : "";
  return String(value);
}

/** Properties shown for an entity (role- and medium-specific ones filtered). */
export function visibleProperties(defs: readonly PropertyDef[], entity: Record<string, unknown>): PropertyDef[] {
  return defs.filter((d) => !d.appliesTo || d.appliesTo(entity));
}

/**
 * Validate a whole form: returns the parsed values of every visible field and the errors by key.
 */
export function validateForm(
  defs: readonly PropertyDef[],
  raw: Record<string, string | boolean>,
): { values: Record<string, unknown>; errors: Record<string, string> } {
  const values: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const def of defs) {
    if (def.readOnly || !(def.key in raw)) continue;
    const r = parseField(def, raw[def.key]);
    if (r.ok) values[def.key] = r.value;
    else errors[def.key] = r.error;
  }
  return { values, errors };
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/**
 * The PATCH body for a form: the fields whose value changed, plus, when the role or medium
 * changed, every stored field that no longer applies reset to its default (the API accepts a
 * field of another role only at its default).
 */
export function changedFields(
  defs: readonly PropertyDef[],
  stored: Record<string, unknown>,
  values: Record<string, unknown>,
): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) if (!sameValue(stored[k], v)) patch[k] = v;
  const next = { ...stored, ...values };
  for (const def of defs) {
    if (!def.appliesTo || def.appliesTo(next) || !(def.key in stored)) continue;
    if (def.default !== undefined && !sameValue(stored[def.key], def.default)) patch[def.key] = def.default;
  }
  return patch;
}
