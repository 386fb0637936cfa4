import type { RouterInputs } from "@/components/trpc";
import type { WorkflowSort } from "@/server/workflows/workflow-list";

/**
 * The workflow list's search, tag filter and sort in the URL (`/workflows?q=refund&tag=billing
 * &sort=name`): a view can be shared and reached with Back. Values that are not valid (an
 * edited link) fall back to the defaults rather than being sent to the server.
 */
export type ListParams = { q: string; tag: string | null; sort: WorkflowSort };

export const LIST_SORTS = ["edited", "name", "last_run"] as const satisfies readonly WorkflowSort[];
export const SORT_LABELS: Record<WorkflowSort, string> = { edited: "Last edited", name: "Name (A–Z)", last_run: "Last run" };
export const DEFAULT_LIST_PARAMS: ListParams = { q: "", tag: null, sort: "edited" };

// As the server checks them (server/workflows/workflow-list.ts); shown in hints, enforced there.
export const MAX_TAGS = 10;
export const MAX_TAG_LENGTH = 32;
const MAX_SEARCH_LENGTH = 200;

function isSort(value: string | null): value is WorkflowSort {
  return (LIST_SORTS as readonly (string | null)[]).includes(value);
}

export function normalizeTag(text: string): string {
  return text.trim().toLowerCase();
}

export function listParamsFromSearch(params: URLSearchParams): ListParams {
  const sort = params.get("sort");
  const tag = normalizeTag(params.get("tag") ?? "");
  return {
    q: (params.get("q") ?? "").trim().slice(0, MAX_SEARCH_LENGTH),
    tag: tag !== "" && tag.length <= MAX_TAG_LENGTH && !tag.includes(",") ? tag : null,
    sort: isSort(sort) ? sort : "edited",
  };
}

export function listParamsToSearch(list: ListParams): URLSearchParams {
  const params = new URLSearchParams();
  if (list.q) params.set("q", list.q);
  if (list.tag) params.set("tag", list.tag);
  if (list.sort !== "edited") params.set("sort", list.sort);
  return params;
}

export function isFiltered(list: ListParams): boolean {
  return list.q !== "" || list.tag !== null;
}

export function listInputOf(list: ListParams): NonNullable<RouterInputs["workflow"]["list"]> {
  return { ...(list.q ? { q: list.q } : {}), ...(list.tag ? { tag: list.tag } : {}), sort: list.sort };
}

/** "billing, EU ,billing" → ["billing", "eu"]: what the tag field adds, as the server will store it. */
export function tagsFromText(text: string): string[] {
  return [...new Set(text.split(",").map(normalizeTag).filter((tag) => tag !== ""))];
}
