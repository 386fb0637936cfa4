import { isRunTrigger, type RunTrigger } from "@/lib/run-triggers";
import { runStatusSchema, type RunStatus } from "@/server/engine/events";
import type { RouterInputs } from "@/components/trpc";

/**
 * The Runs page's filters and their URL form (`/runs?workflow=wf_…&version=wfv_…&status=failed,cancelled
 * &trigger=api&from=2026-11-01&to=2026-11-30&waiting=1&q=invoice`): the URL is the state, so a
 * filtered view can be shared, bookmarked and reached with Back. Values that are not valid
 * (an edited link) are dropped rather than sent to the server.
 */
export type RunTriggerFilter = RunTrigger;

export type RunFilters = {
  workflowId: string | null;
  /** One version's runs (the link from a version's run count in the editor). */
  versionId: string | null;
  statuses: RunStatus[];
  trigger: RunTriggerFilter | null;
  /** Local calendar days (YYYY-MM-DD), both included. */
  from: string | null;
  to: string | null;
  waitingForMe: boolean;
  q: string;
};

export type RunListInput = Exclude<RouterInputs["run"]["list"], void | undefined>;

export const RUN_STATUSES: readonly RunStatus[] = runStatusSchema.options;
export const EMPTY_FILTERS: RunFilters = { workflowId: null, versionId: null, statuses: [], trigger: null, from: null, to: null, waitingForMe: false, q: "" };

const ID = /^[A-Za-z0-9_-]{1,100}$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const MAX_QUERY_LENGTH = 200;

function isStatus(value: string): value is RunStatus {
  return (RUN_STATUSES as readonly string[]).includes(value);
}

/** A real calendar day: `Date` would quietly roll 2026-13-45 over into 2027. */
function isDay(value: string | null): value is string {
  if (value === null || !DAY.test(value)) return false;
  const date = localDay(value, 0);
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}-${String(date.getDate()).padStart(2, "0")}` === value;
}

export function filtersFromSearchParams(params: URLSearchParams): RunFilters {
  const workflowId = params.get("workflow");
  const versionId = params.get("version");
  const trigger = params.get("trigger");
  const from = params.get("from");
  const to = params.get("to");
  const statuses = (params.get("status") ?? "").split(",").filter(isStatus);
  return {
    workflowId: workflowId && ID.test(workflowId) ? workflowId : null,
    versionId: versionId && ID.test(versionId) ? versionId : null,
    statuses: RUN_STATUSES.filter((status) => statuses.includes(status)),
    trigger: trigger && isRunTrigger(trigger) ? trigger : null,
    from: isDay(from) ? from : null,
    to: isDay(to) ? to : null,
    waitingForMe: params.get("waiting") === "1",
    q: (params.get("q") ?? "").trim().slice(0, MAX_QUERY_LENGTH),
  };
}

export function filtersToSearchParams(filters: RunFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.q) params.set("q", filters.q);
  if (filters.workflowId) params.set("workflow", filters.workflowId);
  if (filters.versionId) params.set("version", filters.versionId);
  if (filters.statuses.length > 0) params.set("status", filters.statuses.join(","));
  if (filters.trigger) params.set("trigger", filters.trigger);
  if (filters.from) params.set("from", filters.from);
  if (filters.to) params.set("to", filters.to);
  if (filters.waitingForMe) params.set("waiting", "1");
  return params;
}

export function hasFilters(filters: RunFilters): boolean {
  return filtersToSearchParams(filters).size > 0;
}

/** Midnight at the start of a local calendar day, plus `addDays`. */
function localDay(day: string, addDays: number): Date {
  const [year, month, date] = day.split("-").map(Number);
  return new Date(year ?? Number.NaN, (month ?? Number.NaN) - 1, (date ?? Number.NaN) + addDays);
}

/**
 * The list procedure's input. Days are the viewer's own: `from` is the start of its day and
 * `to` the start of the day after (the server's `to` is exclusive), in the browser's time zone.
 */
export function listInputOf(filters: RunFilters, limit: number): RunListInput {
  return {
    limit,
    ...(filters.workflowId ? { workflowId: filters.workflowId } : {}),
    ...(filters.versionId ? { versionId: filters.versionId } : {}),
    ...(filters.statuses.length > 0 ? { status: filters.statuses } : {}),
    ...(filters.trigger ? { trigger: filters.trigger } : {}),
    ...(filters.from ? { from: localDay(filters.from, 0).toISOString() } : {}),
    ...(filters.to ? { to: localDay(filters.to, 1).toISOString() } : {}),
    ...(filters.waitingForMe ? { waitingForMe: true } : {}),
    ...(filters.q ? { q: filters.q } : {}),
  };
}
