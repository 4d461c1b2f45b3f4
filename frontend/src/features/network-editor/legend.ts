/** The map legend: node roles and link media/statuses, drawn with the map's own styles. */
import { LINK_STATUSES, NODE_ROLES } from "../../lib/properties";
import { ROLE_ORDER, linkStyle, nodeStyle } from "../../lib/styles";
import { h } from "../../ui/dom";

const SVG = "http://www.w3.org/2000/svg";

function svg(tag: string, attrs: Record<string, string | number>): SVGElement {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

function nodeSwatch(role: string): SVGElement {
  const s = nodeStyle(role);
  const root = svg("svg", { width: 18, height: 18, viewBox: "0 0 18 18", "aria-hidden": "true" });
  root.append(svg("circle", { cx: 9, cy: 9, r: Math.min(7, s.radius), fill: s.fill, stroke: s.color, "stroke-width": s.filled ? 1.5 : 3 }));
  return root;
}

function linkSwatch(medium: string, status: string): SVGElement {
  const s = linkStyle(medium, status);
  const root = svg("svg", { width: 34, height: 12, viewBox: "0 0 34 12", "aria-hidden": "true" });
  const line = svg("line", { x1: 2, y1: 6, x2: 32, y2: 6, stroke: s.color, "stroke-width": s.weight, "stroke-linecap": "round", opacity: s.opacity });
  if (s.dashArray) line.setAttribute("stroke-dasharray", s.dashArray);
  root.append(line);
  return root;
}

export function renderLegend(): HTMLElement {
  const label = (role: string) => NODE_ROLES.find((r) => r.value === role)?.label ?? role;
  return h(
    "details",
    { class: "legend", open: true },
    h("summary", {}, "Legend"),
    h(
      "div",
      { class: "legend-body" },
      h("ul", { class: "legend-list legend-roles", "aria-label": "Node roles" }, ROLE_ORDER.map((r) => h("li", {}, nodeSwatch(r) as unknown as Node, label(r)))),
      h(
        "ul",
        { class: "legend-list", "aria-label": "Link styles" },
        h("li", {}, linkSwatch("fiber", "existing") as unknown as Node, "Fiber"),
        h("li", {}, linkSwatch("free_space", "existing") as unknown as Node, "Free space"),
        ...LINK_STATUSES.map((s) => h("li", {}, linkSwatch("fiber", s.value) as unknown as Node, s.label)),
      ),
    ),
  );
}
