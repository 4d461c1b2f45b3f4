/**
 * A thin fetch wrapper over the QNetPlan REST API (API-CONTRACT.md §1-2). Types come from
 * `schema.d.ts`, generated from the API's OpenAPI document (`npm run gen:api`); this file only adds
 * JSON, weak ETags / If-Match and problem+json errors.
 */
import type { components } from "./schema";
import type { Problem } from "../lib/problem";

type S = components["schemas"];
export type Network = S["NetworkOut"];
export type NetworkCreate = S["NetworkCreate"];
export type NetworkUpdate = S["NetworkUpdate"];
export type NodeT = S["NodeOut"];
export type NodeCreate = S["NodeCreate"];
export type NodeUpdate = S["NodeUpdate"];
export type Link = S["LinkOut"];
export type LinkCreate = S["LinkCreate"];
export type LinkUpdate = S["LinkUpdate"];
export type EquipmentProfile = S["EquipmentProfileOut"];

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

/** The whole-network document (§2), as GET answers and as import accepts. */
export type NetworkDocument = S["NetworkDocumentOut"];
export type NetworkDocumentIn = S["NetworkDocumentIn"];
export type DemoNetwork = S["DemoNetworkInfo"];
export type DemoNetworkList = S["DemoNetworkList"];

export const API = "/api/v1";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | null,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export interface ApiResult<T> {
  data: T;
  etag: string | null;
}

/** The weak ETag of a version, as the API writes it. */
export function etagOf(version: number): string {
  return `W/"${version}"`;
}

export async function request<T>(
  method: string,
  path: string,
  opts: { body?: unknown; ifMatch?: string | number | null; query?: Record<string, string | number | boolean> } = {},
): Promise<ApiResult<T>> {
  const headers: Record<string, string> = { Accept: "application/json, application/problem+json" };
  let body: string | undefined;
  if (opts.body !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(opts.body);
  }
  if (opts.ifMatch !== undefined && opts.ifMatch !== null)
    headers["If-Match"] = typeof opts.ifMatch === "number" ? etagOf(opts.ifMatch) : opts.ifMatch;
  let url = API + path;
  if (opts.query) {
    const q = new URLSearchParams(Object.entries(opts.query).map(([k, v]) => [k, String(v)]));
    url += `?${q}`;
  }
  let res: Response;
  try {
    res = await fetch(url, { method, headers, body });
  } catch (e) {
    throw new ApiError(0, null, `The server cannot be reached (${(e as Error).message}).`);
  }
  const etag = res.headers.get("ETag");
  if (res.status === 204) return { data: undefined as T, etag };
  const type = res.headers.get("Content-Type") ?? "";
  const parsed: unknown = type.includes("json") ? await res.json().catch(() => null) : await res.text();
  if (!res.ok) {
    const problem = parsed && typeof parsed === "object" ? (parsed as Problem) : null;
    const msg = problem?.detail || problem?.title || `${method} ${path}: HTTP ${res.status}`;
    throw new ApiError(res.status, problem, msg);
  }
  return { data: parsed as T, etag };
}

/** Every item of a paged list (the API caps `limit` at 1000). */
export async function listAll<T>(path: string): Promise<T[]> {
  const out: T[] = [];
  for (let offset = 0; ; ) {
    const { data } = await request<Page<T>>("GET", path, { query: { limit: 1000, offset } });
    out.push(...data.items);
    offset += data.items.length;
    if (data.items.length === 0 || offset >= data.total) return out;
  }
}

const net = (id: number) => `/networks/${id}`;

export const api = {
  listNetworks: () => listAll<Network>("/networks"),
  getNetwork: (id: number) => request<Network>("GET", net(id)),
  createNetwork: (body: NetworkCreate) => request<Network>("POST", "/networks", { body }),
  updateNetwork: (id: number, body: NetworkUpdate, version?: number) =>
    request<Network>("PATCH", net(id), { body, ifMatch: version }),
  deleteNetwork: (id: number) => request<void>("DELETE", net(id)),

  getDocument: (id: number) => request<NetworkDocument>("GET", `${net(id)}/document`),
  importDocument: (doc: NetworkDocumentIn | NetworkDocument) => request<Network>("POST", "/networks/import-document", { body: doc }),
  listDemos: () => request<DemoNetworkList>("GET", "/demo-networks"),
  loadDemo: (key: string) => request<Network>("POST", `/demo-networks/${encodeURIComponent(key)}`),

  listNodes: (id: number) => listAll<NodeT>(`${net(id)}/nodes`),
  getNode: (id: number, nodeId: number) => request<NodeT>("GET", `${net(id)}/nodes/${nodeId}`),
  createNode: (id: number, body: NodeCreate) => request<NodeT>("POST", `${net(id)}/nodes`, { body }),
  updateNode: (id: number, nodeId: number, body: NodeUpdate, version?: number) =>
    request<NodeT>("PATCH", `${net(id)}/nodes/${nodeId}`, { body, ifMatch: version }),
  deleteNode: (id: number, nodeId: number, version?: number, cascade = false) =>
    request<void>("DELETE", `${net(id)}/nodes/${nodeId}`, {
      ifMatch: version,
      query: cascade ? { cascade: true } : undefined,
    }),

  listLinks: (id: number) => listAll<Link>(`${net(id)}/links`),
  getLink: (id: number, linkId: number) => request<Link>("GET", `${net(id)}/links/${linkId}`),
  createLink: (id: number, body: LinkCreate) => request<Link>("POST", `${net(id)}/links`, { body }),
  updateLink: (id: number, linkId: number, body: LinkUpdate, version?: number) =>
    request<Link>("PATCH", `${net(id)}/links/${linkId}`, { body, ifMatch: version }),
  deleteLink: (id: number, linkId: number, version?: number) =>
    request<void>("DELETE", `${net(id)}/links/${linkId}`, { ifMatch: version }),

  listProfiles: () => listAll<EquipmentProfile>("/equipment-profiles"),
};
