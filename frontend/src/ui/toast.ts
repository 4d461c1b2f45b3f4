/** Toasts: errors stay until dismissed (or 12 s), notices fade after 4 s. Announced to screen readers. */
import { h } from "./dom";

let region: HTMLElement | null = null;

function ensureRegion(): HTMLElement {
  if (region && document.body.contains(region)) return region;
  region = h("div", { class: "toasts", role: "status", "aria-live": "polite" });
  document.body.append(region);
  return region;
}

export interface ToastAction {
  label: string;
  run: () => void;
}

export function toast(message: string, kind: "error" | "info" | "success" = "info", action?: ToastAction): HTMLElement {
  const r = ensureRegion();
  const close = () => el.remove();
  const el = h(
    "div",
    { class: `toast toast-${kind}`, role: kind === "error" ? "alert" : undefined, "data-toast": kind },
    h("span", { class: "toast-msg" }, message),
    action
      ? h("button", { type: "button", class: "btn btn-small", onclick: () => (close(), action.run()) }, action.label)
      : null,
    h("button", { type: "button", class: "toast-close", "aria-label": "Dismiss", onclick: close }, "×"),
  );
  r.append(el);
  setTimeout(close, kind === "error" ? 12000 : 4000);
  return el;
}

export function toastError(e: unknown, context?: string): void {
  const msg = e instanceof Error ? e.message : String(e);
  toast(context ? `${context}: ${msg}` : msg, "error");
}
