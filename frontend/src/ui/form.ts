/**
 * Forms generated from property declarations (src/lib/properties.ts): a label, an input, the unit
 * and a message slot per field. Client-side checks and the API's problem+json messages both land
 * in the slot beside the field they concern.
 */
import { formatField, validateForm, visibleProperties, type PropertyDef } from "../lib/properties";
import { clear, h } from "./dom";

export interface ProfileOption {
  id: number;
  name: string;
}

export interface FormOptions {
  idPrefix: string;
  defs: readonly PropertyDef[];
  entity: Record<string, unknown>;
  profiles?: readonly ProfileOption[];
  submitLabel: string;
  /** Values of fields that changed; resolves when saved (the form then shows `entity` anew). */
  onSubmit: (values: Record<string, unknown>) => void | Promise<void>;
  /** Fields that decide which other fields apply (role, medium): the form re-renders on change. */
  discriminators?: readonly string[];
}

export interface FormHandle {
  el: HTMLFormElement;
  setErrors(byField: Record<string, string>, other?: string[]): void;
  /** What is typed now, by key (kept when the form re-renders or a save is refused). */
  raw(): Record<string, string | boolean>;
  /** Replace the values shown (after a save or a reload); typed drafts are dropped. */
  reset(entity: Record<string, unknown>): void;
  /** Put typed values back (re-applying an edit after a reload). */
  restore(raw: Record<string, string | boolean>): void;
  setBusy(busy: boolean): void;
}

export function propertyForm(opts: FormOptions): FormHandle {
  let entity = { ...opts.entity };
  let draft: Record<string, string | boolean> = {};
  const form = h("form", { class: "prop-form", novalidate: true, "data-form": opts.idPrefix }) as HTMLFormElement;
  const fieldsBox = h("div", { class: "fields" });
  const otherErrors = h("div", { class: "form-errors", role: "alert" });
  const submit = h("button", { type: "submit", class: "btn btn-primary" }, opts.submitLabel);
  form.append(fieldsBox, otherErrors, h("div", { class: "form-actions" }, submit));

  const inputs = new Map<string, HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>();
  const errorSlots = new Map<string, HTMLElement>();

  function currentDefs(): PropertyDef[] {
    const view: Record<string, unknown> = { ...entity };
    for (const k of opts.discriminators ?? []) if (typeof draft[k] === "string") view[k] = draft[k];
    return visibleProperties(opts.defs, view);
  }

  function render(): void {
    clear(fieldsBox);
    inputs.clear();
    errorSlots.clear();
    for (const def of currentDefs()) {
      const id = `${opts.idPrefix}-${def.key}`;
      const errId = `${id}-error`;
      const helpId = `${id}-help`;
      const value = def.key in draft ? draft[def.key] : formatField(def, entity[def.key]);
      const describedBy = [def.help ? helpId : "", errId].filter(Boolean).join(" ");
      let input: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
      const common = { id, name: def.key, "aria-describedby": describedBy, "data-field": def.key };
      switch (def.kind) {
        case "textarea":
          input = h("textarea", { ...common, rows: 2 });
          input.value = String(value);
          break;
        case "enum":
        case "profile": {
          const options =
            def.kind === "enum"
              ? (def.options ?? []).map((o) => ({ value: o.value, label: o.label }))
              : [{ value: "", label: "(none)" }, ...(opts.profiles ?? []).map((p) => ({ value: String(p.id), label: p.name }))];
          if (def.kind === "profile" && value !== "" && !options.some((o) => o.value === value))
            options.push({ value: String(value), label: `Profile ${value}` });
          input = h("select", common, ...options.map((o) => h("option", { value: o.value }, o.label)));
          input.value = String(value);
          break;
        }
        case "boolean":
          input = h("input", { ...common, type: "checkbox" });
          (input as HTMLInputElement).checked = value === true;
          break;
        default:
          input = h("input", {
            ...common,
            type: "text",
            inputmode: def.kind === "number" ? "decimal" : def.kind === "integer" ? "numeric" : undefined,
            autocomplete: "off",
            spellcheck: def.kind === "text" ? undefined : "false",
          });
          input.value = String(value);
      }
      if (def.required) input.setAttribute("aria-required", "true");
      input.addEventListener("input", () => {
        draft[def.key] = readInput(def, input);
        showError(def.key, "");
      });
      input.addEventListener("change", () => {
        draft[def.key] = readInput(def, input);
        if (opts.discriminators?.includes(def.key)) {
          render();
          inputs.get(def.key)?.focus();
        }
      });
      inputs.set(def.key, input);
      const err = h("p", { class: "field-error", id: errId, "data-error-for": def.key, "aria-live": "polite" });
      errorSlots.set(def.key, err);
      const label = h("label", { for: id }, def.label);
      const row =
        def.kind === "boolean"
          ? h("div", { class: "field field-check", "data-field-wrap": def.key }, input, label, err)
          : h(
              "div",
              { class: "field", "data-field-wrap": def.key },
              label,
              h("div", { class: "input-row" }, input, def.unit ? h("span", { class: "unit", "aria-hidden": "true" }, def.unit) : null),
              def.help ? h("p", { class: "help", id: helpId }, def.help) : null,
              err,
            );
      if (def.unit) label.append(h("span", { class: "sr-only" }, ` (${def.unit})`));
      fieldsBox.append(row);
    }
  }

  function readInput(def: PropertyDef, input: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement): string | boolean {
    return def.kind === "boolean" ? (input as HTMLInputElement).checked : input.value;
  }

  function showError(key: string, msg: string): void {
    const slot = errorSlots.get(key);
    const input = inputs.get(key);
    if (slot) slot.textContent = msg;
    if (input) {
      if (msg) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
    }
  }

  function raw(): Record<string, string | boolean> {
    const out: Record<string, string | boolean> = {};
    for (const def of currentDefs()) {
      const input = inputs.get(def.key);
      if (input && !def.readOnly) out[def.key] = readInput(def, input);
    }
    return out;
  }

  const handle: FormHandle = {
    el: form,
    setErrors(byField, other = []) {
      for (const k of errorSlots.keys()) showError(k, byField[k] ?? "");
      const unknown = Object.entries(byField)
        .filter(([k]) => !errorSlots.has(k))
        .map(([k, v]) => `${k}: ${v}`);
      otherErrors.textContent = [...unknown, ...other].join(" ");
      const first = Object.keys(byField).find((k) => inputs.has(k));
      if (first) inputs.get(first)!.focus();
    },
    raw,
    reset(next) {
      entity = { ...next };
      draft = {};
      render();
      otherErrors.textContent = "";
    },
    restore(values) {
      draft = { ...values };
      render();
    },
    setBusy(busy) {
      submit.disabled = busy;
      form.setAttribute("aria-busy", busy ? "true" : "false");
    },
  };

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const defs = currentDefs();
    const { values, errors } = validateForm(defs, raw());
    handle.setErrors(errors);
    if (Object.keys(errors).length) return;
    handle.setBusy(true);
    try {
      await opts.onSubmit(values);
    } finally {
      handle.setBusy(false);
    }
  });

  render();
  return handle;
}
