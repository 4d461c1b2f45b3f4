/** RFC 9457 problem+json bodies from the API (API-CONTRACT.md §1), and where to show them. */

export interface ProblemItem {
  pointer?: string;
  parameter?: string;
  detail: string;
}

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: ProblemItem[];
}

export function isProblem(x: unknown): x is Problem {
  return typeof x === "object" && x !== null && ("title" in x || "detail" in x || "errors" in x);
}

/** Decode one JSON Pointer (RFC 6901) into its reference tokens. */
export function pointerTokens(pointer: string): string[] {
  if (pointer === "" || pointer === "/") return [];
  return pointer
    .replace(/^\//, "")
    .split("/")
    .map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/**
 * Field messages by form key from a problem's `errors[]`. With `prefix` (e.g. ["links", "2"]) only
 * pointers under it count. A pointer into a list field (`/shared_risk_groups/1`) lands on the
 * field itself. Items that name no known field are returned in `other`.
 */
export function fieldErrors(
  problem: Problem | null | undefined,
  knownKeys: Iterable<string>,
  prefix: readonly string[] = [],
): { byField: Record<string, string>; other: string[] } {
  const keys = new Set(knownKeys);
  const byField: Record<string, string> = {};
  const other: string[] = [];
  for (const item of problem?.errors ?? []) {
    const tokens = item.pointer !== undefined ? pointerTokens(item.pointer) : [];
    const under = prefix.every((p, i) => tokens[i] === p);
    const key = under ? tokens[prefix.length] : undefined;
    if (key !== undefined && keys.has(key)) {
      byField[key] = byField[key] ? `${byField[key]} ${item.detail}` : item.detail;
    } else {
      other.push(item.pointer ? `${item.pointer}: ${item.detail}` : item.parameter ? `${item.parameter}: ${item.detail}` : item.detail);
    }
  }
  return { byField, other };
}

/** One line for a toast. */
export function problemSummary(problem: Problem | null | undefined, fallback: string): string {
  if (!problem) return fallback;
  const head = problem.detail || problem.title || fallback;
  return head;
}
