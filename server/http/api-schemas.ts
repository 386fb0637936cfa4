import { z } from "zod";
import { RUN_TRIGGERS } from "../../lib/run-triggers";
import { idSchema } from "../api/schemas";
import { committedEventSchema, forkEditSchema, humanDecisionSchema, humanRequestKindSchema, runStatusSchema, terminalRunStatusSchema } from "../engine/events";
import { runStateSchema } from "../engine/state";
import { listRunsInputSchema, type RunListPage } from "../runs/list-runs";
import type { listWorkflowsForApi } from "../workflows/rest-list";
import type { PendingTask } from "../runs/pending-tasks";
import { READINESS_CHECK_TIMEOUT_MS, READINESS_CHECKS, type ReadinessReport } from "../ops/checks";

/**
 * The public REST API's shapes (app/api/v1/** and the run event stream), as zod schemas: the
 * routes parse their input with them and server/http/openapi.ts turns them into the OpenAPI
 * document, so the contract and the code cannot say different things. Response schemas describe
 * the JSON a route really writes (dates as ISO strings, nulls where the column is nullable);
 * the type checks at the bottom break the typecheck when a route's output drifts from them.
 */

// ─── Shared pieces ──────────────────────────────────────────────────────────────────────────

/** A `Date` as `Response.json` writes it. */
export const isoDateTimeSchema = z.iso.datetime({ offset: true }).describe("ISO 8601 date-time (UTC)");
const isoDateTime = isoDateTimeSchema;

/** The error body of every 4xx/5xx answer (server/http/rest.ts `jsonError`). */
export const apiErrorSchema = z
  .object({
    error: z
      .object({
        code: z.string().describe("Machine-readable: unauthorized, forbidden, not_found, invalid_body, invalid_parameter, rate_limited, …"),
        message: z.string().describe("What went wrong, for a person"),
        path: z.string().optional().describe("The field, query parameter or `header:<name>` the error is about"),
        details: z.unknown().optional().describe("More about the error (e.g. every problem of an invalid workflow)"),
      })
      .strict(),
  })
  .strict();

export { runStatusSchema };

/** The pending human task summary a run detail lists. */
const pendingTaskRefSchema = z.object({ id: z.string(), nodeId: z.string(), message: z.string() }).strict();

// ─── Path and query parameters ──────────────────────────────────────────────────────────────

export const workflowIdParamsSchema = z.object({ workflowId: idSchema.describe("The workflow's id") });
export const runIdParamsSchema = z.object({ runId: idSchema.describe("The run's id") });
export const taskIdParamsSchema = z.object({ taskId: idSchema.describe("The human task's id") });

/** The longest a sync trigger (`?wait=` / `Prefer: wait=`) holds the request open. */
export const MAX_SYNC_WAIT_SECONDS = 60;

/**
 * Query parameters arrive as text: these schemas take the text exactly as the routes' own parsers
 * do (a whole number is digits only — no sign, exponent or spaces) and give the parsed value.
 */
const wholeNumberText = (maxDigits: number, message: string) =>
  z
    .string()
    .regex(new RegExp(`^\\d{1,${maxDigits}}$`), message)
    .transform(Number);

const WAIT_MESSAGE = `must be a whole number of seconds from 0 to ${MAX_SYNC_WAIT_SECONDS}`;

/** Other query parameters are ignored by the trigger (a webhook sender may add its own). */
export const triggerQuerySchema = z.object({
  wait: wholeNumberText(3, WAIT_MESSAGE)
    .pipe(z.number().max(MAX_SYNC_WAIT_SECONDS, WAIT_MESSAGE))
    .optional()
    .describe(
      `Sync mode: wait up to this many seconds (0–${MAX_SYNC_WAIT_SECONDS}) for the run to finish; 200 with the outcome when it did, else 202. Same as the header \`Prefer: wait=<seconds>\`.`,
    ),
});

/**
 * GET /api/v1/runs: the list's own input schema (server/runs/list-runs.ts, shared with the Runs
 * page's tRPC procedure) is the query's definition. In the query string `status` may repeat or
 * hold a comma-separated list, and `waitingForMe` is `true`/`false`/`1`/`0`.
 */
export const listRunsQuerySchema = listRunsInputSchema;

const LIMIT_MESSAGE = "must be a whole number from 1 to 200";

/** Unknown parameters are refused (and none may repeat: the route checks that on the raw query). */
export const listHumanTasksQuerySchema = z
  .object({
    workflowId: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, "is not a workflow id").optional().describe("Only this workflow's tasks"),
    limit: wholeNumberText(3, LIMIT_MESSAGE)
      .pipe(z.number().min(1, LIMIT_MESSAGE).max(200, LIMIT_MESSAGE))
      .prefault("50")
      .describe("Page size, 1–200 (default 50)"),
  })
  .strict();

const AT_SEQ_MESSAGE = "must be the number of an event (1 or more)";
/** The most events one `GET /api/v1/runs/:id?events=true` answers with. */
export const MAX_EVENTS_PAGE = 1000;
const EVENTS_LIMIT_MESSAGE = `must be a whole number from 1 to ${MAX_EVENTS_PAGE}`;

/** Other query parameters are ignored. `atSeq` must also be at most the run's last event (checked against the run). */
export const getRunQuerySchema = z.object({
  events: z.enum(["true", "false"], { error: "must be true or false" }).optional().describe("`true` adds the run's event log (`events`), a page at a time"),
  eventsAfter: wholeNumberText(10, "must be a whole number (an event seq)").optional().describe("With `events=true`: the events after this seq (default 0, from the first)"),
  eventsLimit: wholeNumberText(4, EVENTS_LIMIT_MESSAGE)
    .pipe(z.number().min(1, EVENTS_LIMIT_MESSAGE).max(MAX_EVENTS_PAGE, EVENTS_LIMIT_MESSAGE))
    .optional()
    .describe(`With \`events=true\`: at most this many events (1–${MAX_EVENTS_PAGE}, default ${MAX_EVENTS_PAGE}); \`nextEventsAfter\` says where the next page starts`),
  atSeq: wholeNumberText(10, AT_SEQ_MESSAGE)
    .pipe(z.number().min(1, AT_SEQ_MESSAGE))
    .optional()
    .describe("Adds the run's state as it was after event N (`state`): what a fork from there starts from"),
});

/** Anything but a whole number is taken as "from the start" (server/streams/run-event-stream.ts `parseResumeCursor`). */
export const runEventsQuerySchema = z.object({
  after: z.string().optional().describe("Resume after this event seq (the `Last-Event-ID` header wins); anything but a whole number starts from the first event"),
});

// ─── Request headers ────────────────────────────────────────────────────────────────────────

/** Printable ASCII, 1–255 characters: what server/http/idempotency.ts accepts. */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x20-\x7E]{1,255}$/;

/** Every POST that creates or changes something. */
export const idempotencyHeadersSchema = z.object({
  "Idempotency-Key": z
    .string()
    .regex(IDEMPOTENCY_KEY_PATTERN)
    .optional()
    .describe("Makes the request safe to retry for 24 h: the same key with the same body returns the first response (header `Idempotent-Replayed: true`); with another body it is a 422. A refused (4xx) or failed (5xx) request stores nothing: its key can be retried"),
});

export const triggerHeadersSchema = idempotencyHeadersSchema.extend({
  Prefer: z.string().optional().describe("`wait=<seconds>` (RFC 7240): sync mode, like `?wait=`"),
  "AgentFlow-Signature": z
    .string()
    .optional()
    .describe("Signed webhook (scheme `agentflow`, no Authorization header): `t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<raw body>\">`, 5 minutes of tolerance, each signature accepted once"),
  "X-Hub-Signature-256": z.string().optional().describe("Signed webhook (scheme `github`): `sha256=<hex HMAC-SHA256 of the raw body>`, with `X-GitHub-Delivery`; the whole payload is the input"),
  "X-GitHub-Delivery": z.string().optional().describe("Signed webhook (scheme `github`): the delivery id, accepted once"),
  "Stripe-Signature": z.string().optional().describe("Signed webhook (scheme `stripe`): Stripe's `t=…,v1=…`; the whole event is the input"),
});

export const runEventsHeadersSchema = z.object({
  "Last-Event-ID": z.string().optional().describe("Resume after this event seq (an EventSource sends it when it reconnects)"),
});

// ─── Request bodies ─────────────────────────────────────────────────────────────────────────

/** POST /api/v1/workflows/:workflowId/trigger (a bearer token, or a request signed with the `agentflow` scheme). */
export const triggerBodySchema = z
  .object({
    input: z.unknown().optional().describe("The run's input; templates read it as {{input.<field>}}"),
    callbackUrl: z.string().max(2_000).optional().describe("Where to POST the run's result when it ends, signed with the workflow's callback secret (which must exist)"),
  })
  .strict()
  // The example the reference page fills in: a plain run, without the optional callback.
  .meta({ examples: [{ input: {} }] });

/** POST /api/v1/runs/:runId/rerun */
export const rerunBodySchema = z.object({ version: z.enum(["same", "latest"]).default("same").describe("Run the same pinned version, or the latest published one") }).strict();

/** POST /api/v1/runs/:runId/fork */
export const forkBodySchema = z
  .object({
    atSeq: z.number().int().min(1).describe("The parent's last event the fork shares"),
    edit: forkEditSchema.optional().describe("The one change the fork makes to the state it starts from"),
  })
  .strict();

/** POST /api/v1/human-tasks/:taskId */
export const humanTaskAnswerBodySchema = z
  .object({
    decision: z.enum(["approve", "reject"]),
    /** Why (on reject it is routed on the reject branch, or told to the model). */
    reason: z.string().max(5_000).optional().describe("Why (on reject it is routed on the reject branch, or told to the model)"),
    /** The answer to an agent's question. */
    answer: z.string().max(50_000).optional().describe("The answer to an agent's question"),
    /** A tool approval: the arguments to run with instead of the model's (JSON text). */
    editedArguments: z.string().max(100_000).optional().describe("A tool approval: the arguments to run with instead of the model's (JSON text)"),
    /** An approval step approved with edits: the corrected content. */
    editedContent: z.unknown().optional().describe("An approval step approved with edits: the corrected content"),
  })
  .strict();

// ─── Responses ──────────────────────────────────────────────────────────────────────────────

export const workflowSummarySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    createdAt: isoDateTime,
    updatedAt: isoDateTime,
    published: z.object({ version: z.number().int(), publishedAt: isoDateTime.nullable() }).strict().nullable().describe("The version the API runs (the last published); null before a first publish"),
    triggerUrl: z.string().describe("Where to POST to start a run"),
    lastRun: z.object({ id: z.string(), status: runStatusSchema, createdAt: isoDateTime }).strict().nullable(),
  })
  .strict();
export const listWorkflowsResponseSchema = z.object({ workflows: z.array(workflowSummarySchema) }).strict();

export const runSummarySchema = z
  .object({
    id: z.string(),
    workflowId: z.string(),
    workflowName: z.string(),
    status: runStatusSchema,
    trigger: z.enum(RUN_TRIGGERS),
    startedBy: z.string().nullable(),
    createdAt: isoDateTime,
    startedAt: isoDateTime.nullable(),
    finishedAt: isoDateTime.nullable(),
    stepCount: z.number().int(),
    tokens: z.number().int(),
    costUsd: z.number(),
    unpricedCalls: z.number().int().describe("Model calls of unknown price: the cost is then at least costUsd"),
    durationMs: z.number().nullable(),
    parentRunId: z.string().nullable(),
    origin: z.enum(["rerun", "fork"]).nullable(),
  })
  .strict();
export const listRunsResponseSchema = z
  .object({ runs: z.array(runSummarySchema), nextCursor: z.string().nullable().describe("Pass as `cursor` for the next page; null on the last page") })
  .strict();

export const runDetailSchema = z
  .object({
    runId: z.string(),
    workflowId: z.string(),
    status: runStatusSchema,
    createdAt: isoDateTime,
    startedAt: isoDateTime.nullable(),
    finishedAt: isoDateTime.nullable(),
    steps: z.number().int(),
    tokens: z.number().int(),
    costUsd: z.number(),
    pendingHumanTasks: z.array(pendingTaskRefSchema),
    parentRunId: z.string().nullable(),
    origin: z.enum(["rerun", "fork"]).nullable(),
    forkedAtSeq: z.number().int().nullable(),
    output: z.unknown().optional().describe("Once finished: the run's output"),
    error: z.string().nullable().optional().describe("Once finished: why it failed (null when it did not)"),
    events: z.array(committedEventSchema).optional().describe("With `?events=true`: a page of the event log, in seq order"),
    nextEventsAfter: z.number().int().nullable().optional().describe("With `?events=true`: pass as `eventsAfter` for the next page; null when this page ends at the run's last event"),
    atSeq: z.number().int().min(1).optional(),
    state: runStateSchema.optional().describe("With `?atSeq=N`: the state after event N"),
  })
  .strict();

/** 202 of the trigger: where to poll; in sync mode also the status and any task waiting for a person. */
export const triggerAcceptedSchema = z
  .object({
    runId: z.string(),
    statusUrl: z.string().describe("GET it for the run's status (also in the Location header)"),
    status: runStatusSchema.optional().describe("Sync mode: the status when the wait ended"),
    pendingTasks: z
      .array(z.object({ taskId: z.string(), nodeId: z.string(), message: z.string() }).strict())
      .optional()
      .describe("Sync mode, a run waiting for a person: answer with POST /api/v1/human-tasks/{taskId}"),
  })
  .strict();

/** 200 of a sync trigger: the run finished within the wait. */
export const triggerFinishedSchema = z
  .object({
    runId: z.string(),
    status: terminalRunStatusSchema,
    output: z.unknown().describe("The run's output (null when it has none)"),
    error: z.string().optional().describe("Why it failed"),
    statusUrl: z.string(),
  })
  .strict();

/** pause / resume / cancel / retry */
export const runControlResponseSchema = z.object({ runId: z.string(), status: runStatusSchema }).strict();

/** rerun / fork: the new run (201). */
export const runStartedFromSchema = z.object({ runId: z.string(), parentRunId: z.string(), statusUrl: z.string() }).strict();

export const humanTaskSchema = z
  .object({
    id: z.string(),
    runId: z.string(),
    nodeId: z.string(),
    kind: humanRequestKindSchema,
    message: z.string(),
    context: z.unknown().describe("What the reviewer is asked to look at"),
    createdAt: isoDateTime,
    dueAt: isoDateTime.nullable().describe("When the node's timeout answers instead (null: never)"),
    workflowId: z.string(),
    workflowName: z.string(),
    allowEdit: z.boolean(),
  })
  .strict();
export const listHumanTasksResponseSchema = z.object({ tasks: z.array(humanTaskSchema) }).strict();

export const humanTaskAnsweredSchema = z.object({ taskId: z.string(), runId: z.string(), decision: humanDecisionSchema }).strict();

/** The `data` of an SSE `event: token` frame: a live piece of a model answer (not part of the log). */
export const tokenFrameSchema = z
  .object({
    nodeId: z.string(),
    callKey: z.string().describe("Which model call; its committed llm_response replaces the live text"),
    offset: z.number().int().min(0).describe("Where in the call's text this piece starts"),
    text: z.string(),
  })
  .strict();

/** GET /api/health: liveness, nothing more. */
export const healthSchema = z.object({ status: z.literal("ok") }).strict();

/** GET /api/ready (200 and 503 alike): each check, and only what a probe may see — no host, port or error text. */
export const readinessSchema = z
  .object({
    status: z.enum(["ready", "not_ready"]),
    checks: z.array(
      z
        .object({
          name: z.enum(READINESS_CHECKS).describe("postgres, redis, migrations (every folder of prisma/migrations applied), workers (a heartbeat in the last 30 s)"),
          ok: z.boolean(),
          ms: z.number().int().min(0).describe("How long the check took (each gives up after a short timeout)"),
          detail: z.string().describe(`A short reason: "answered", "2 online", "1 of 14 not applied", "failed (ECONNREFUSED)", "no answer within ${READINESS_CHECK_TIMEOUT_MS} ms"`),
        })
        .strict(),
    ),
  })
  .strict();

/** The OpenAPI document itself (GET /api/v1/openapi.json). */
export const openApiDocumentSchema = z.looseObject({
  openapi: z.literal("3.1.0"),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.unknown()),
  components: z.looseObject({ schemas: z.record(z.string(), z.unknown()) }),
});

// ─── Drift checks: the routes' real output must fit these schemas ───────────────────────────

/** What `Response.json` makes of a value: Dates become strings. */
type AsJson<T> = T extends Date ? string : T extends readonly (infer U)[] ? AsJson<U>[] : T extends object ? { [K in keyof T]: AsJson<T[K]> } : T;
/** Literal unions widened to their base type: the database hands out `string` where the schema lists the values. */
type Widen<T> = T extends string ? string : T extends readonly (infer U)[] ? Widen<U>[] : T extends object ? { [K in keyof T]: Widen<T[K]> } : T;
type Fits<Actual, Schema extends z.ZodType> = [AsJson<Actual>] extends [Widen<z.output<Schema>>] ? ([keyof AsJson<Actual>] extends [keyof z.output<Schema>] ? ([keyof z.output<Schema>] extends [keyof AsJson<Actual>] ? true : false) : false) : false;
type Assert<T extends true> = T;

/** @public Checked by the compiler only: nothing imports it. */
export type ApiSchemaDriftChecks = [
  Assert<Fits<Awaited<ReturnType<typeof listWorkflowsForApi>>[number], typeof workflowSummarySchema>>,
  Assert<Fits<RunListPage["runs"][number], typeof runSummarySchema>>,
  Assert<Fits<RunListPage, typeof listRunsResponseSchema>>,
  Assert<Fits<PendingTask, typeof humanTaskSchema>>,
  Assert<Fits<ReadinessReport, typeof readinessSchema>>,
];
