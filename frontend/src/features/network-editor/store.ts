/** The network being edited, as last confirmed by the server. */
import type { Link, Network, NodeT } from "../../api/client";
import { LINK_PROPERTIES, NODE_PROPERTIES } from "../../lib/properties";
import type { MapLink, MapNode } from "../../map";

export class NetworkStore {
  network!: Network;
  nodes = new Map<number, NodeT>();
  links = new Map<number, Link>();

  replace(network: Network, nodes: readonly NodeT[], links: readonly Link[]): void {
    this.network = network;
    this.nodes = new Map(nodes.map((n) => [n.id, n]));
    this.links = new Map(links.map((l) => [l.id, l]));
  }

  linksOf(nodeId: number): Link[] {
    return [...this.links.values()].filter((l) => l.a_node_id === nodeId || l.b_node_id === nodeId);
  }

  nodeName(id: number): string {
    return this.nodes.get(id)?.name ?? `#${id}`;
  }

  /** A name not used by any node: "Node 1", "Node 2", ... */
  freeNodeName(prefix = "Node"): string {
    const used = new Set([...this.nodes.values()].map((n) => n.name.toLowerCase()));
    for (let i = this.nodes.size + 1; ; i++) {
      const name = `${prefix} ${i}`;
      if (!used.has(name.toLowerCase())) return name;
    }
  }
}

export function toMapNode(n: NodeT): MapNode {
  return { id: n.id, name: n.name, role: n.role, latitude_deg: n.latitude_deg, longitude_deg: n.longitude_deg };
}

export function toMapLink(l: Link): MapLink {
  return { id: l.id, a_node_id: l.a_node_id, b_node_id: l.b_node_id, medium: l.medium, status: l.status };
}

const NODE_CREATE_KEYS = [...NODE_PROPERTIES.map((d) => d.key), "ground_station"];
const LINK_CREATE_KEYS = [...LINK_PROPERTIES.map((d) => d.key), "a_node_id", "b_node_id"];

function pick(o: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (k in o && o[k] !== undefined) out[k] = o[k];
  return out;
}

/** A create body that re-makes a deleted node (undo). */
export function nodeCreateBody(n: NodeT): Record<string, unknown> {
  const body = pick(n as unknown as Record<string, unknown>, NODE_CREATE_KEYS);
  if (body.ground_station === null) delete body.ground_station;
  return body;
}

/** A create body that re-makes a deleted link between (possibly re-created) nodes. */
export function linkCreateBody(l: Link, a: number, b: number): Record<string, unknown> {
  return { ...pick(l as unknown as Record<string, unknown>, LINK_CREATE_KEYS), a_node_id: a, b_node_id: b };
}
