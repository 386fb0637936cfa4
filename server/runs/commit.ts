import { step } from "../engine/step";
import { initialRunState, type RunState } from "../engine/state";
import { isTerminalStatus, type CommittedEvent, type RunEvent } from "../engine/events";
import { getPool, type Db } from "../db";
import type { Prisma } from "../generated/prisma/client";
import { ConflictError } from "../errors";
import { publishRunEvents } from "../events";
import { newId } from "../ids";
import { jsonText, storableText } from "../json";
import { loadRun } from "./load";
import { publishRunChange } from "../streams/workspace-feed";
import { enqueueRunCallbacks } from "../callbacks/queue";
import { afterRunEnded } from "./child-runs";
import { recordCommittedEvents, recordRunStarted } from "../ops/metrics";
import type { AuditEntryRow } from "../audit/audit";

/**
 * The one writer of `Run` and `RunStep`. Every change to a run — its start, the worker's
 * steps, pause/resume/cancel, a person's answer, a timeout, a retry, a fork — is events
 * appended here, with the folded state stored beside them in the same statement.
 */

/** Another writer committed to this run first; the caller reloads and decides again. */
export class StaleRunError extends Error {
  constructor(runId: string, expectedSeq: number) {
    super(`run ${runId} moved past seq ${expectedSeq}`);
    this.name = "StaleRunError";
  }
}

/**
 * The run just ended (`ended`, SQL true): its workflow's run-finished callback becomes pending in
 * the same statement that ends it (the outbox, server/callbacks), so a crash after the commit
 * cannot lose it. `run` names the CTE that wrote the run's row; `at` is the end's time.
 */
function workflowCallbackSql(run: string, ended: string, at: string): string {
  return `
    INSERT INTO "RunCallback" ("id", "runId", "workspaceId", "source", "url", "status", "attempts", "createdAt", "readyAt")
    SELECT 'rcb_' || replace(gen_random_uuid()::text, '-', ''), ${run}."id", ${run}."workspaceId", 'workflow', wc."url", 'pending', 0, ${at}, ${at}
    FROM ${run} JOIN "WorkflowCallback" wc ON wc."workflowId" = ${run}."workflowId" AND wc."workspaceId" = ${run}."workspaceId"
    WHERE ${ended} AND wc."url" IS NOT NULL
    ON CONFLICT ("runId", "source") DO UPDATE SET "status" = 'pending', "url" = EXCLUDED."url", "readyAt" = EXCLUDED."readyAt"
    RETURNING "id"`;
}

/**
 * The commit statement; `runCondition` narrows the run's UPDATE further, `moreWrites` are CTEs
 * that write only if it matched. Timestamps are passed as ISO strings in UTC: a `timestamp(3)`
 * column (Prisma's DateTime) ignores the zone suffix, so the stored value is UTC whatever the
 * server's time zone.
 */
function commitEventsSql({ runCondition = "", moreWrites = "" }: { runCondition?: string; moreWrites?: string } = {}): string {
  return `
  WITH updated AS (
    UPDATE "Run" SET
      "state" = $3::jsonb,
      "lastSeq" = $4,
      "status" = $5,
      "stepCount" = $4,
      "tokens" = $6,
      "costUsd" = $7,
      "unpricedCalls" = $14,
      "output" = CASE WHEN $9::boolean THEN $8::jsonb ELSE "output" END,
      "error" = $10,
      "startedAt" = $11::timestamp(3),
      "finishedAt" = $12::timestamp(3)
    WHERE "id" = $1 AND "lastSeq" = $2${runCondition}
    RETURNING "id", "workspaceId", "workflowId", "callerRunId"
  ), inserted AS (
    INSERT INTO "RunStep" ("id", "runId", "seq", "type", "nodeId", "payload", "createdAt")
    SELECT e."id", updated."id", e."seq", e."type", e."nodeId", e."payload", e."createdAt"
    FROM updated, jsonb_to_recordset($13::jsonb)
      AS e("id" text, "seq" integer, "type" text, "nodeId" text, "payload" jsonb, "createdAt" timestamp(3))
    RETURNING 1
  ), workflow_callback AS (${workflowCallbackSql("updated", "$15::boolean", "$16::timestamp(3)")}
  ), request_callback AS (
    UPDATE "RunCallback" rc SET "status" = 'pending', "readyAt" = $16::timestamp(3)
    FROM updated WHERE $15::boolean AND rc."runId" = updated."id" AND rc."source" = 'request'
    RETURNING rc."id"
  )${moreWrites}
  SELECT (SELECT count(*)::int FROM inserted) AS "inserted", "workspaceId", "workflowId", "callerRunId",
    ARRAY(SELECT "id" FROM workflow_callback UNION ALL SELECT "id" FROM request_callback) AS "callbackIds"
  FROM updated`;
}

const COMMIT_EVENTS_SQL = commitEventsSql();

/**
 * The same statement, which also inserts the human tasks its events ask for ($17, JSON text of
 * `NewHumanTask` rows, made by jsonText like the events: a task's context is run data), only
 * when the run's row matched: a gate reached costs one round trip, like any other step.
 */
const COMMIT_EVENTS_WITH_TASKS_SQL = commitEventsSql({
  moreWrites: `, new_tasks AS (
    INSERT INTO "HumanTask" ("id", "runId", "nodeId", "kind", "status", "message", "context", "dueAt")
    SELECT t."id", updated."id", t."nodeId", t."kind", t."status", t."message", COALESCE(t."context", 'null'::jsonb), t."dueAt"
    FROM updated, jsonb_to_recordset($17::jsonb)
      AS t("id" text, "nodeId" text, "kind" text, "status" text, "message" text, "context" jsonb, "dueAt" timestamp(3))
  )`,
});

/**
 * The same statement for a person's answer: the run moves only while the task ($17) is still
 * pending; the task is closed ($18, a `TaskAnswer` as JSON text) and the answer audited ($19,
 * an `AuditEntryRow`) only when it did. One round trip instead of a transaction's five, in the
 * web process that also writes the run's live streams.
 */
const COMMIT_ANSWER_SQL = commitEventsSql({
  runCondition: ` AND EXISTS (SELECT 1 FROM "HumanTask" WHERE "id" = $17 AND "runId" = $1 AND "status" = 'pending')`,
  moreWrites: `, closed_task AS (
    UPDATE "HumanTask" t SET "status" = a."status", "comment" = a."comment", "response" = a."response", "respondedAt" = $16::timestamp(3),
      "respondedById" = a."respondedById", "respondedByName" = a."respondedByName"
    FROM updated, jsonb_to_record($18::jsonb) AS a("status" text, "comment" text, "response" jsonb, "respondedById" text, "respondedByName" text)
    WHERE t."id" = $17
    RETURNING t."id"
  ), audited AS (
    INSERT INTO "AuditEntry" ("id", "workspaceId", "at", "actorKind", "actorId", "actorName", "action", "targetKind", "targetId", "targetName", "details", "ip")
    SELECT e."id", e."workspaceId", $16::timestamp(3), e."actorKind", e."actorId", e."actorName", e."action", e."targetKind", e."targetId", e."targetName", e."details", e."ip"
    FROM updated, jsonb_to_record($19::jsonb)
      AS e("id" text, "workspaceId" text, "actorKind" text, "actorId" text, "actorName" text, "action" text, "targetKind" text, "targetId" text, "targetName" text, "details" jsonb, "ip" text)
    RETURNING "id"
  )`,
});

/** How a person's answer closes their task (`respondedAt` is the commit's time). */
export type TaskAnswer = { status: "approved" | "rejected"; comment: string | null; response: unknown; respondedById: string | null; respondedByName: string };

/** A human task asked for by the committed events (`human_requested`), written with them. */
export type NewHumanTask = { id: string; nodeId: string; kind: string; status: "pending"; message: string; context: unknown; dueAt: string | null };

export type CommitOptions = {
  /** Tasks the events ask people for: inserted by the commit's own statement. */
  humanTasks?: readonly NewHumanTask[];
  /**
   * The pending task the events answer, closed and audited by the commit's own statement; the
   * commit fails as stale (StaleRunError) when the task is no longer pending.
   */
  answers?: { taskId: string; answer: TaskAnswer; audit: AuditEntryRow };
  /** Other rows written in the same transaction (a task closed, an audit entry): the commit then runs in a transaction. */
  alsoInTransaction?: (tx: Prisma.TransactionClient) => Promise<void>;
  now?: () => Date;
};

type CommitRow = { inserted: number; workspaceId: string; workflowId: string; callerRunId: string | null; callbackIds: string[] };

export type CommitResult = { state: RunState; events: CommittedEvent[] };

function stepRows(events: readonly CommittedEvent[]) {
  return events.map((event) => ({
    id: newId("evt"),
    seq: event.seq,
    type: event.type,
    nodeId: "nodeId" in event ? event.nodeId : null,
    payload: event,
    createdAt: event.at,
  }));
}

/** Events the workspace feed also tells about when the status stays: the Inbox count changes. */
const TASK_EVENTS: ReadonlySet<string> = new Set(["human_requested", "human_responded", "human_timed_out"]);

/**
 * After the commit: events to the run's viewers; a status change — or a task asked or answered
 * while the run keeps waiting on another — to the workspace's feed. Best effort.
 */
async function announce(runId: string, ids: { workspaceId: string; workflowId: string }, events: readonly CommittedEvent[], before: string | null, after: RunState) {
  // A failed publish loses nothing: streams re-read the log from Postgres. Both are issued in
  // the same tick, so Redis's auto-pipelining sends them in one write and one round trip.
  const changed = before !== after.status || events.some((event) => TASK_EVENTS.has(event.type));
  await Promise.all([
    publishRunEvents(runId, events).catch(() => undefined),
    changed ? publishRunChange({ workspaceId: ids.workspaceId, workflowId: ids.workflowId, runId, status: after.status, at: events.at(-1)?.at ?? new Date().toISOString() }) : undefined,
  ]);
}

/** Best effort: a callback whose job is lost here is found by the outbox sweep. */
async function enqueueEndedRunCallbacks(callbackIds: readonly string[], at: string): Promise<void> {
  if (callbackIds.length === 0) return;
  await enqueueRunCallbacks(callbackIds.map((id) => ({ id, readyAt: new Date(at) }))).catch(() => undefined);
}

/**
 * Appends events to a run's log and stores the folded state in one transaction, guarded by
 * the last sequence number the caller saw (optimistic lock): an event is never committed
 * twice, and two workers can never interleave on one run. Events are published only after
 * the commit.
 */
export async function commitEvents(
  db: Db,
  runId: string,
  state: RunState,
  events: readonly RunEvent[],
  { humanTasks = [], answers, alsoInTransaction, now = () => new Date() }: CommitOptions = {},
): Promise<CommitResult> {
  const at = now().toISOString();
  const committed: CommittedEvent[] = events.map((event, index) => ({ ...event, seq: state.lastSeq + index + 1, at }));
  const next = committed.reduce(step, state);
  const rows = stepRows(committed);
  const terminal = isTerminalStatus(next.status);
  // The moment the run ends (not a later event of an ended run): its callbacks go out.
  const finishedNow = terminal && !isTerminalStatus(state.status);

  // Run data is user data: written as JSON text we made (jsonText), never through Prisma's
  // JSON encoding, which rebuilds objects by assignment and so drops a key named "__proto__".
  const values = [
    runId,
    state.lastSeq,
    jsonText(next),
    next.lastSeq,
    next.status,
    next.usage.promptTokens + next.usage.completionTokens,
    next.usage.costUsd,
    terminal ? jsonText(next.output) : null,
    terminal,
    storableText(next.error ?? null),
    next.startedAt ?? null,
    next.finishedAt ?? null,
    jsonText(rows),
    next.usage.unpricedCalls ?? 0,
    finishedNow,
    at,
  ];
  let statement = { name: "commit-run-events", text: COMMIT_EVENTS_SQL };
  if (humanTasks.length > 0 && answers) throw new Error("a commit either asks people or answers one of them");
  if (humanTasks.length > 0) {
    statement = { name: "commit-run-events-with-tasks", text: COMMIT_EVENTS_WITH_TASKS_SQL };
    values.push(jsonText(humanTasks));
  } else if (answers) {
    statement = { name: "commit-answer", text: COMMIT_ANSWER_SQL };
    values.push(answers.taskId, jsonText(answers.answer), jsonText(answers.audit));
  }
  let row: CommitRow | undefined;
  if (!alsoInTransaction) {
    // The hot path: one statement (atomic on its own), one round trip, straight on the pool
    // and prepared once per connection. The UPDATE matches only if nobody committed since
    // `state.lastSeq`; if it matches nothing, no row is inserted.
    const result = await getPool().query<CommitRow>({ ...statement, values });
    row = result.rows[0];
    if (row?.inserted !== rows.length) throw new StaleRunError(runId, state.lastSeq);
  } else {
    // The same statement, inside the transaction that also writes the caller's rows (a task closed, an audit entry).
    row = await db.$transaction(async (tx) => {
      const [result] = await tx.$queryRawUnsafe<CommitRow[]>(statement.text, ...values);
      if (result?.inserted !== rows.length) throw new StaleRunError(runId, state.lastSeq);
      await alsoInTransaction(tx);
      return result;
    });
  }
  await enqueueEndedRunCallbacks(row.callbackIds, at);
  recordCommittedEvents(row, state, next, committed);
  await announce(runId, row, committed, state.status, next);
  if (finishedNow) await afterRunEnded(runId, row.callerRunId, next);
  return { state: next, events: committed };
}

/**
 * Commits what `plan` makes of the run's current state, re-reading and re-planning when
 * another writer was first (a person answering while the worker commits a step). `plan` may
 * throw to refuse (a ConflictError: "the run already ended"); `alsoInTransaction` writes the
 * caller's rows in the same transaction; `answers` closes a person's task in the same statement.
 */
export async function commitToRun(
  db: Db,
  runId: string,
  plan: (state: RunState) => RunEvent[],
  { alsoInTransaction, answers }: { alsoInTransaction?: (tx: Prisma.TransactionClient, state: RunState) => Promise<void>; answers?: CommitOptions["answers"] } = {},
): Promise<CommitResult> {
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const { state } = await loadRun(db, runId);
    const events = plan(state);
    try {
      return await commitEvents(db, runId, state, events, { answers, alsoInTransaction: alsoInTransaction && ((tx) => alsoInTransaction(tx, state)) });
    } catch (error) {
      if (!(error instanceof StaleRunError)) throw error;
    }
  }
  throw new ConflictError("The run is busy; try again");
}

const INSERT_RUN_SQL = `
  WITH run AS (
    INSERT INTO "Run" ("id", "workspaceId", "workflowId", "versionId", "status", "trigger", "startedBy", "input", "state", "lastSeq", "stepCount",
                       "tokens", "costUsd", "createdAt", "startedAt", "parentRunId", "origin", "forkedAtSeq", "unpricedCalls", "traceparent",
                       "output", "error", "finishedAt")
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10, $10, $11, $12, $13::timestamp(3), $14::timestamp(3), $15, $16, $17, $19, $20,
            $21::jsonb, $22, $23::timestamp(3))
    RETURNING "id", "workspaceId", "workflowId"
  ), steps AS (
    INSERT INTO "RunStep" ("id", "runId", "seq", "type", "nodeId", "payload", "createdAt")
    SELECT e."id", run."id", e."seq", e."type", e."nodeId", e."payload", e."createdAt"
    FROM run, jsonb_to_recordset($18::jsonb)
      AS e("id" text, "seq" integer, "type" text, "nodeId" text, "payload" jsonb, "createdAt" timestamp(3))
  ), workflow_callback AS (${workflowCallbackSql("run", "$23::timestamp(3) IS NOT NULL", "$23::timestamp(3)")}
  )
  SELECT ARRAY(SELECT "id" FROM workflow_callback) AS "callbackIds"`;

export type NewRun = {
  runId: string;
  workspaceId: string;
  workflowId: string;
  versionId: string;
  trigger: string;
  startedBy: string;
  /** The run's first events, already committed elsewhere (a fork's copied history) or new, with seqs 1..n. */
  events: CommittedEvent[];
  /**
   * New events that follow them at once (the pure steps a fresh run takes before its first I/O,
   * up to its end when it needs none), committed by the same statement like a worker's step.
   */
  settled?: readonly RunEvent[];
  lineage?: { parentRunId: string; origin: "rerun" | "fork"; forkedAtSeq?: number };
  /** The trigger's trace context (server/ops/tracing.ts); absent when tracing is off. */
  traceparent?: string;
};

/**
 * Inserts a run with its first events in one statement (one round trip; the REST trigger's hot
 * path): a fresh run's `run_started` and the pure steps after it, or a fork's copy of its
 * parent's history plus its own `run_forked`. A run that ends in that statement (no I/O at all)
 * never needs a job; any other run's row exists before its job does, so a lost job is
 * re-enqueued from it.
 */
export async function insertRun(run: NewRun): Promise<RunState> {
  const initial = run.events.reduce(step, initialRunState());
  const at = run.events.at(-1)?.at ?? new Date().toISOString();
  const settled: CommittedEvent[] = (run.settled ?? []).map((event, index) => ({ ...event, seq: initial.lastSeq + index + 1, at }));
  const state = settled.reduce(step, initial);
  const events = [...run.events, ...settled];
  const terminal = isTerminalStatus(state.status);
  const { rows } = await getPool().query<{ callbackIds: string[] }>({
    name: "insert-run",
    text: INSERT_RUN_SQL,
    values: [
      run.runId,
      run.workspaceId,
      run.workflowId,
      run.versionId,
      state.status,
      run.trigger,
      run.startedBy,
      jsonText(state.input),
      jsonText(state),
      state.lastSeq,
      state.usage.promptTokens + state.usage.completionTokens,
      state.usage.costUsd,
      at,
      state.startedAt ?? at,
      run.lineage?.parentRunId ?? null,
      run.lineage?.origin ?? null,
      run.lineage?.forkedAtSeq ?? null,
      jsonText(stepRows(events)),
      state.usage.unpricedCalls ?? 0,
      run.traceparent ?? null,
      terminal ? jsonText(state.output) : null,
      storableText(state.error ?? null),
      terminal ? (state.finishedAt ?? at) : null,
    ],
  });
  await enqueueEndedRunCallbacks(rows[0]?.callbackIds ?? [], at);
  recordRunStarted(run);
  if (settled.length > 0) recordCommittedEvents(run, initial, state, settled);
  await announce(run.runId, run, events, null, state);
  return state;
}
