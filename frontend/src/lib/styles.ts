/**
 * How nodes and links look, shared by the map and its legend. Colours are chosen to stay
 * distinguishable on the pale base map and readable (contrast >= 3:1 against it) for strokes.
 */

export interface NodeStyle {
  color: string;
  fill: string;
  radius: number;
  /** Key-holding sites are filled discs; transparent equipment draws as rings. */
  filled: boolean;
}

const ROLE_STYLES: Record<string, NodeStyle> = {
  endpoint: { color: "#1d4ed8", fill: "#3b82f6", radius: 7, filled: true },
  trusted_node: { color: "#7c2d12", fill: "#ea580c", radius: 8, filled: true },
  ground_station: { color: "#14532d", fill: "#16a34a", radius: 8, filled: true },
  satellite: { color: "#581c87", fill: "#a855f7", radius: 8, filled: true },
  optical_switch: { color: "#334155", fill: "#ffffff", radius: 6, filled: false },
  roadm: { color: "#0f766e", fill: "#ffffff", radius: 6, filled: false },
  amplifier: { color: "#b91c1c", fill: "#ffffff", radius: 6, filled: false },
  untrusted_relay: { color: "#a16207", fill: "#ffffff", radius: 6, filled: false },
  entanglement_source: { color: "#be185d", fill: "#ffffff", radius: 6, filled: false },
  repeater: { color: "#4b5563", fill: "#d1d5db", radius: 6, filled: true },
};

export function nodeStyle(role: string): NodeStyle {
  return ROLE_STYLES[role] ?? { color: "#111827", fill: "#9ca3af", radius: 6, filled: true };
}

export interface LinkStyle {
  color: string;
  weight: number;
  dashArray: string | null;
  opacity: number;
}

export function linkStyle(medium: string, status: string): LinkStyle {
  const color = medium === "free_space" ? "#c2410c" : "#1e3a8a";
  const dashArray = status === "existing" ? null : status === "candidate" ? "2 6" : "8 6";
  const weight = status === "existing" ? 3.5 : 2.5;
  return { color, weight, dashArray, opacity: status === "candidate" ? 0.75 : 0.95 };
}

export const SELECTED_COLOR = "#facc15";

export const ROLE_ORDER = Object.keys(ROLE_STYLES);
