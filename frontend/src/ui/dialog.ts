/** Modal dialogs built on <dialog>: focus is trapped, Escape cancels. */
import { h } from "./dom";

export interface Choice<T> {
  label: string;
  value: T;
  kind?: "primary" | "danger" | "plain";
}

export function choose<T>(opts: { title: string; body: (string | Node)[]; choices: Choice<T>[]; cancel?: T }): Promise<T | undefined> {
  return new Promise((resolve) => {
    let result: T | undefined = opts.cancel;
    const dlg = h(
      "dialog",
      { class: "dialog", "aria-labelledby": "dlg-title" },
      h("h2", { id: "dlg-title" }, opts.title),
      ...opts.body.map((b) => (typeof b === "string" ? h("p", {}, b) : b)),
      h(
        "div",
        { class: "dialog-actions" },
        ...opts.choices.map((c) =>
          h(
            "button",
            {
              type: "button",
              class: `btn ${c.kind === "danger" ? "btn-danger" : c.kind === "primary" ? "btn-primary" : ""}`,
              "data-choice": String(c.value),
              onclick: () => {
                result = c.value;
                dlg.close();
              },
            },
            c.label,
          ),
        ),
      ),
    ) as HTMLDialogElement;
    dlg.addEventListener("close", () => {
      dlg.remove();
      resolve(result);
    });
    document.body.append(dlg);
    dlg.showModal();
    const first = dlg.querySelector<HTMLButtonElement>(".btn-primary, .btn-danger, button");
    first?.focus();
  });
}

export async function confirmDialog(title: string, message: string, confirmLabel = "Delete"): Promise<boolean> {
  const r = await choose({
    title,
    body: [message],
    choices: [
      { label: "Cancel", value: false },
      { label: confirmLabel, value: true, kind: "danger" },
    ],
    cancel: false,
  });
  return r === true;
}

/** Ask for one line of text (e.g. a new name). Resolves to null when cancelled. */
export function promptDialog(title: string, label: string, value: string, submitLabel = "Save"): Promise<string | null> {
  return new Promise((resolve) => {
    let result: string | null = null;
    const input = h("input", { id: "dlg-input", type: "text", value, required: true, maxlength: 200 });
    const error = h("p", { class: "field-error", id: "dlg-error", "aria-live": "polite" });
    const form = h(
      "form",
      { method: "dialog" },
      h("label", { for: "dlg-input" }, label),
      input,
      error,
      h(
        "div",
        { class: "dialog-actions" },
        h("button", { type: "button", class: "btn", onclick: () => dlg.close() }, "Cancel"),
        h("button", { type: "submit", class: "btn btn-primary" }, submitLabel),
      ),
    );
    form.addEventListener("submit", (e) => {
      const v = input.value.trim();
      if (!v) {
        e.preventDefault();
        error.textContent = `${label} is required.`;
        return;
      }
      result = v;
    });
    const dlg = h("dialog", { class: "dialog", "aria-labelledby": "dlg-title" }, h("h2", { id: "dlg-title" }, title), form) as HTMLDialogElement;
    dlg.addEventListener("close", () => {
      dlg.remove();
      resolve(result);
    });
    document.body.append(dlg);
    dlg.showModal();
    input.select();
  });
}
