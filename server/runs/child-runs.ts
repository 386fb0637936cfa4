import type { StartChildEffect } from "../engine/children";
import { isTerminalStatus, TERMINAL_STATUSES_SQL, type CommittedEvent, type RunEvent, type TerminalRunStatus } from "../engine/events";
import type { RunState } from "../engine/state";
import { step } from "../engine/step";
import { initialRunState } from "../engine/state";
import { getDb, getPool } from "../db";
import { announceRun } from "../events";
import { newId } from "../ids";
import { jsonText, storableText } from "../json";
import { enqueueAdvance, enqueueChildWake } from "../queue";
import { publishRunChange } from "../streams/workspace-feed";
import { recordRunStarted } from "../ops/metrics";
import { checkedInput } from "./start-run";
import { latestPublished } from "./pinned-graph";
import { cancelRun } from "./control";
import { currentTraceparent } from "../ops/tracing";

/**
 * Child runs: each item of a for-each, and the workflow a sub-workflow node calls, runs as a
 * run of its own (its own log, state, page and job). The caller's node waits without a job:
 * when a child ends, its caller is woken (`wakeCaller`), and the caller's job gathers the
 * outcomes of its finished children from the database (`finishedChildEvents`) and commits them
 * as `child_finished` — so a wake lost to a crash costs only time: the reconciler re-enqueues
 * the caller and the gathering finds the child's end in its row.
 */

/** Callers above a run: sub-workflows calling each other (or themselves) stop here. */
export const MAX_CHILD_DEPTH = 8;

type CallerRow = { workspaceId: string; workflowId: string; versionId: string; startedBy: string | null; depth: number };

/**
 * The run row and its `run_started`, in one statement; nothing when a child with this key
 * exists (a start repeated after a crash), whose id is then read back.
 */
const INSERT_CHILD_SQL = `
  WITH run AS (
    INSERT INTO "Run" ("id", "workspaceId", "workflowId", "versionId", "status", "trigger", "startedBy", "input", "state", "lastSeq", "stepCount",
                       "createdAt", "startedAt", "callerRunId", "callerNodeId", "callerIndex", "callerKey", "itemOf", "depth", "traceparent")
    VALUES ($1, $2, $3, $4, $5, 'workflow', $6, $7::jsonb, $8::jsonb, 1, 1, $9::timestamp(3), $9::timestamp(3), $10, $11, $12, $13, $14, $15, $18)
    ON CONFLICT ("callerKey") DO NOTHING
    RETURNING "id"
  ), step AS (
    INSERT INTO "RunStep" ("id", "runId", "seq", "type", "nodeId", "payload", "createdAt")
    SELECT $16, run."id", 1, 'run_started', NULL, $17::jsonb, $9::timestamp(3) FROM run
    RETURNING 1
  )
  SELECT "id" FROM run
  UNION ALL
  SELECT "id" FROM "Run" WHERE "callerKey" = $13 AND NOT EXISTS (SELECT 1 FROM run)`;

/**
 * Performs a `start_child` effect for run `runId`: the child run is made (once per key) and
 * queued. Returns the event that records it — or, when it cannot start (no published version,
 * too deep, bad input), the node's failure with the reason.
 */
export async function startChildRun(runId: string, effect: StartChildEffect): Promise<RunEvent> {
  const fail = (error: string): RunEvent => ({ type: "node_failed", nodeId: effect.nodeId, error });
  const { rows } = await getPool().query<CallerRow>({
    name: "child-run-caller",
    text: `SELECT "workspaceId", "workflowId", "versionId", "startedBy", "depth" FROM "Run" WHERE "id" = $1`,
    values: [runId],
  });
  const caller = rows[0];
  if (!caller) return fail("the run that starts this child no longer exists");
  if (caller.depth + 1 > MAX_CHILD_DEPTH) {
    return fail(`child runs nested more than ${MAX_CHILD_DEPTH} deep (does a sub-workflow call itself?)`);
  }

  let target = { workflowId: caller.workflowId, versionId: caller.versionId, itemOf: effect.nodeId as string | null };
  let input = effect.input ?? null;
  if (effect.workflowId !== undefined) {
    if (effect.workflowId === "") return fail("no workflow is chosen");
    const published = await latestPublished(caller.workspaceId, effect.workflowId);
    if (!published) return fail(`the workflow ${effect.workflowId} does not exist in this workspace`);
    if (!published.version) return fail("the workflow it calls has no published version: publish it first");
    const { version } = published;
    if (version.graphErrors.length > 0) return fail(`the workflow it calls has ${version.graphErrors.length} problem(s): ${version.graphErrors.map((p) => p.message).join("; ")}`);
    try {
      input = checkedInput(version.graph, input) ?? null;
    } catch (error) {
      return fail(`its input: ${error instanceof Error ? error.message : String(error)}`);
    }
    target = { workflowId: effect.workflowId, versionId: version.id, itemOf: null };
  }

  const at = new Date().toISOString();
  const started: CommittedEvent = { type: "run_started", input, ...(effect.item ? { item: effect.item } : {}), seq: 1, at };
  const state: RunState = step(initialRunState(), started);
  const childId = newId("run");
  const result = await getPool().query<{ id: string }>({
    name: "insert-child-run",
    text: INSERT_CHILD_SQL,
    values: [
      childId,
      caller.workspaceId,
      target.workflowId,
      target.versionId,
      state.status,
      caller.startedBy,
      jsonText(input),
      jsonText(state),
      at,
      runId,
      effect.nodeId,
      effect.index,
      `${runId}:${effect.nodeId}:${effect.key}`,
      target.itemOf,
      caller.depth + 1,
      newId("evt"),
      jsonText(started),
      // Its jobs continue the caller's trace (null when tracing is off).
      currentTraceparent() ?? null,
    ],
  });
  const id = result.rows[0]?.id;
  if (!id) return fail("the child run could not be started");
  // Its trigger as stored ('workflow'); a repeated start that found its child counts nothing.
  if (id === childId) recordRunStarted({ workspaceId: caller.workspaceId, workflowId: target.workflowId, trigger: "workflow" });
  // Queued even when the child existed: its first job may have been lost with a crash (the job id dedups).
  await enqueueAdvance(id, 1);
  if (id === childId && target.itemOf === null) {
    // A sub-workflow's run appears in the Runs list; a for-each's items stay under their parent.
    await publishRunChange({ workspaceId: caller.workspaceId, workflowId: target.workflowId, runId: id, status: state.status, at }).catch(() => undefined);
  }
  return {
    type: "child_started",
    nodeId: effect.nodeId,
    index: effect.index,
    childRunId: id,
    ...(effect.workflowId !== undefined ? { workflowId: target.workflowId, versionId: target.versionId } : {}),
  };
}

/** Whether any node of the run waits on child runs. */
export function hasChildrenInFlight(state: RunState): boolean {
  for (const node of Object.values(state.nodes)) {
    if (node.children && Object.keys(node.children.inFlight).length > 0) return true;
  }
  return false;
}

type ChildOutcome = { id: string; status: TerminalRunStatus; output: unknown; error: string | null };

/** `child_finished` for each child of the run that has ended and that the run still waits on. */
export async function finishedChildEvents(state: RunState): Promise<RunEvent[]> {
  const waiting = new Map<string, { nodeId: string; index: number }>();
  for (const [nodeId, node] of Object.entries(state.nodes)) {
    for (const [index, childRunId] of Object.entries(node.children?.inFlight ?? {})) waiting.set(childRunId, { nodeId, index: Number(index) });
  }
  if (waiting.size === 0) return [];
  const { rows } = await getPool().query<ChildOutcome>({
    name: "finished-child-runs",
    text: `SELECT "id", "status", "output", "error" FROM "Run" WHERE "id" = ANY($1::text[]) AND "status" IN ${TERMINAL_STATUSES_SQL}`,
    values: [[...waiting.keys()]],
  });
  return rows.flatMap((row) => {
    const at = waiting.get(row.id);
    if (!at) return [];
    return [
      {
        type: "child_finished" as const,
        nodeId: at.nodeId,
        index: at.index,
        childRunId: row.id,
        status: row.status,
        ...(row.status === "succeeded" ? { output: row.output ?? null } : { error: storableText(row.error ?? `the run was ${row.status}`) }),
      },
    ];
  });
}

/** A child ended: its caller's job gathers the outcome (best effort; the reconciler backs it up). */
export async function wakeCaller(callerRunId: string, childRunId: string): Promise<void> {
  await enqueueChildWake(callerRunId, childRunId).catch(() => undefined);
  // A job advancing the caller right now re-reads it at once.
  await announceRun(callerRunId, "changed").catch(() => undefined);
}

/**
 * After a run ended (whatever ended it: its worker, a cancel, the reconciler): its caller, if
 * it is a child, is woken, and its own children still at work are cancelled.
 */
export async function afterRunEnded(runId: string, callerRunId: string | null, state: RunState): Promise<void> {
  if (callerRunId !== null) await wakeCaller(callerRunId, runId);
  await cancelChildRuns(runId, state);
}

/** Its children still at work end with it (each cancel cascades further down). */
async function cancelChildRuns(runId: string, state: RunState): Promise<void> {
  if (!hasChildrenInFlight(state)) return;
  const ids = Object.values(state.nodes).flatMap((node) => Object.values(node.children?.inFlight ?? {}));
  const { rows } = await getPool().query<{ id: string; status: string }>({
    name: "live-child-runs",
    text: `SELECT "id", "status" FROM "Run" WHERE "id" = ANY($1::text[]) AND "callerRunId" = $2`,
    values: [ids, runId],
  });
  for (const row of rows) {
    if (isTerminalStatus(row.status as RunState["status"])) continue;
    // The cancelled child's own end cascades to its children, and wakes this (ended) run, which ignores it.
    await cancelRun(getDb(), row.id, "its parent run, which ended").catch(() => undefined);
  }
}
