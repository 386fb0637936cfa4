import { z } from "zod";
import { committedEventSchema } from "../engine/events";
import { runStateSchema } from "../engine/state";
import * as api from "./api-schemas";
import { READINESS_CHECK_TIMEOUT_MS } from "../ops/checks";

/**
 * The OpenAPI 3.1 document of the public REST API (served at GET /api/v1/openapi.json, shown at
 * /docs/api), built from the operation registry below and the zod schemas of api-schemas.ts —
 * the ones the routes use — with zod's own `z.toJSONSchema` (JSON Schema 2020-12, the dialect of
 * OpenAPI 3.1). Nothing here is a hand-written copy of a schema.
 */

type JsonSchema = Record<string, unknown>;
type Method = "get" | "post";
type Security = "bearer" | "session" | "webhook";
type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 422 | 429;

type ResponseSpec =
  /** `orEventStream`: the same status may instead carry the run's event stream (asked for with `Accept: text/event-stream`). */
  | { description: string; schema: z.ZodType; headers?: readonly ResponseHeader[]; orEventStream?: true }
  | { description: string; eventStream: true }
  | { description: string; empty: true };
type ResponseHeader = "Location" | "Retry-After" | "Idempotent-Replayed";

export type ApiOperation = {
  method: Method;
  path: string;
  operationId: string;
  summary: string;
  description: string;
  tag: "Workflows" | "Runs" | "Human tasks" | "Events" | "Meta";
  security: readonly Security[];
  pathParams?: z.ZodObject;
  query?: z.ZodObject;
  headers?: z.ZodObject;
  body?: { schema: z.ZodType; description: string; required: boolean };
  /** 503: only readiness, whose "not ready" answer has the same body as its 200. */
  responses: Partial<Record<200 | 201 | 202 | 204 | 503, ResponseSpec>>;
  /** 4xx answers, all with the error body; each says when. */
  errors: Partial<Record<ErrorStatus, string>>;
};

const ERROR_DESCRIPTIONS: Record<ErrorStatus, string> = {
  400: "Bad input: the body, a parameter or a header (`error.path` names it)",
  401: "No valid credential",
  403: "The credential does not allow this",
  404: "Not found (also: another workspace's)",
  409: "Conflict with the current state",
  413: "Body larger than the limit",
  422: "Understood but not possible",
  429: "Rate limited: retry after `Retry-After` seconds",
};

/** Named shapes: each becomes `#/components/schemas/<name>` and is referenced from there. */
const RESPONSE_COMPONENTS: Record<string, z.ZodType> = {
  Error: api.apiErrorSchema,
  DateTime: api.isoDateTimeSchema,
  RunStatus: api.runStatusSchema,
  RunEvent: committedEventSchema,
  RunState: runStateSchema,
  TokenFrame: api.tokenFrameSchema,
  WorkflowSummary: api.workflowSummarySchema,
  WorkflowList: api.listWorkflowsResponseSchema,
  RunSummary: api.runSummarySchema,
  RunList: api.listRunsResponseSchema,
  RunDetail: api.runDetailSchema,
  TriggerAccepted: api.triggerAcceptedSchema,
  TriggerFinished: api.triggerFinishedSchema,
  RunControlResult: api.runControlResponseSchema,
  RunStartedFrom: api.runStartedFromSchema,
  HumanTask: api.humanTaskSchema,
  HumanTaskList: api.listHumanTasksResponseSchema,
  HumanTaskAnswered: api.humanTaskAnsweredSchema,
  OpenApiDocument: api.openApiDocumentSchema,
  Health: api.healthSchema,
  Readiness: api.readinessSchema,
};
/** Request bodies are described as the server accepts them (zod's input side: defaults optional). */
const REQUEST_COMPONENTS: Record<string, z.ZodType> = {
  TriggerRequest: api.triggerBodySchema,
  RerunRequest: api.rerunBodySchema,
  ForkRequest: api.forkBodySchema,
  HumanTaskAnswer: api.humanTaskAnswerBodySchema,
};

const CONTROL_DESCRIPTION = "Takes effect at the next step boundary. Credentials: a trigger token of the run's workflow, an API key with `control`, or a session of an operator or above.";

export const API_OPERATIONS: readonly ApiOperation[] = [
  {
    method: "get",
    path: "/api/v1/workflows",
    operationId: "listWorkflows",
    summary: "List workflows",
    description: "The workspace's workflows, newest edit first, each with its trigger URL and the version the API runs. Credentials: an API key with `read`, or a session. Takes no parameters.",
    tag: "Workflows",
    security: ["bearer", "session"],
    responses: { 200: { description: "The workflows", schema: api.listWorkflowsResponseSchema } },
    errors: { 400: "A query parameter (this list takes none)", 401: ERROR_DESCRIPTIONS[401], 403: "A trigger token, or a key without `read`" },
  },
  {
    method: "post",
    path: "/api/v1/workflows/{workflowId}/trigger",
    operationId: "triggerWorkflow",
    summary: "Start a run",
    description: [
      "Starts a run of the workflow's published version.",
      "",
      "- **Async** (default): `202 {runId, statusUrl}` — poll `statusUrl` or follow `/api/runs/{runId}/events`.",
      "- **Stream**: `Accept: text/event-stream` — `200` with the run's events as they commit (and live `token` frames), from `run_started` to `run_finished`; the run's id is in `X-Run-Id`, and `Link` names its stream URL, where `Last-Event-ID` resumes it.",
      `- **Sync**: \`?wait=<seconds>\` (or \`Prefer: wait=<seconds>\`, at most ${api.MAX_SYNC_WAIT_SECONDS}) — \`200\` with the outcome when the run finished in time, else \`202\` with its status (and the pending tasks when it waits for a person).`,
      "",
      "Credentials: that workflow's trigger token, an API key with `trigger`, a session — or, without an Authorization header, a request signed with the workflow's webhook secret (see the signature headers). `Idempotency-Key` makes a retry return the first answer.",
    ].join("\n"),
    tag: "Workflows",
    security: ["bearer", "session", "webhook"],
    pathParams: api.workflowIdParamsSchema,
    query: api.triggerQuerySchema,
    headers: api.triggerHeadersSchema,
    body: { schema: api.triggerBodySchema, description: "`{input}`; with a GitHub or Stripe signature, the sender's whole JSON payload is the input", required: false },
    responses: {
      200: { description: "Sync mode: the run finished within the wait; stream mode: the run's events", schema: api.triggerFinishedSchema, headers: ["Location", "Idempotent-Replayed"], orEventStream: true },
      202: { description: "Started (async), or still running / waiting for a person when the wait ended (sync)", schema: api.triggerAcceptedSchema, headers: ["Location", "Idempotent-Replayed"] },
    },
    errors: {
      400: "Bad JSON, body, `wait` or Idempotency-Key, or an input the trigger refuses",
      401: "No credential, or a webhook signature refused (`invalid_signature`; `error.message` says which check failed)",
      403: "The credential may not start runs",
      404: "No such workflow (or another workflow's trigger token)",
      409: "A request with the same Idempotency-Key is still being handled, or the workflow cannot run now",
      413: "Input larger than MAX_RUN_INPUT_BYTES",
      422: "The published workflow is invalid, or the Idempotency-Key was used with another body",
      429: ERROR_DESCRIPTIONS[429],
    },
  },
  {
    method: "get",
    path: "/api/v1/runs",
    operationId: "listRuns",
    summary: "List runs",
    description:
      "The workspace's runs, newest first, one page at a time (pass `nextCursor` as `cursor`). `status` may repeat or hold a comma-separated list; an unknown parameter is refused. Credentials: an API key that may read runs, a session, or a trigger token (its workflow's runs only).",
    tag: "Runs",
    security: ["bearer", "session"],
    query: api.listRunsQuerySchema,
    responses: { 200: { description: "One page of runs", schema: api.listRunsResponseSchema } },
    errors: { 400: "A parameter is invalid, repeated or unknown", 401: ERROR_DESCRIPTIONS[401], 403: ERROR_DESCRIPTIONS[403] },
  },
  {
    method: "get",
    path: "/api/v1/runs/{runId}",
    operationId: "getRun",
    summary: "Get a run",
    description: "Status, usage, pending tasks, and the output once finished. Credentials: a trigger token of the run's workflow, an API key that may read runs, or a session.",
    tag: "Runs",
    security: ["bearer", "session"],
    pathParams: api.runIdParamsSchema,
    query: api.getRunQuerySchema,
    responses: { 200: { description: "The run", schema: api.runDetailSchema } },
    errors: { 400: "`events` or `atSeq` is invalid", 401: ERROR_DESCRIPTIONS[401], 403: ERROR_DESCRIPTIONS[403], 404: "No such run in the caller's reach" },
  },
  ...(["pause", "resume", "cancel"] as const).map(
    (action): ApiOperation => ({
      method: "post",
      path: `/api/v1/runs/{runId}/${action}`,
      operationId: `${action}Run`,
      summary: `${action[0]?.toUpperCase()}${action.slice(1)} a run`,
      description: CONTROL_DESCRIPTION,
      tag: "Runs",
      security: ["bearer", "session"],
      pathParams: api.runIdParamsSchema,
      headers: api.idempotencyHeadersSchema,
      responses: { 200: { description: "The run's status after the request", schema: api.runControlResponseSchema, headers: ["Idempotent-Replayed"] } },
      errors: {
        400: "Bad Idempotency-Key",
        401: ERROR_DESCRIPTIONS[401],
        403: "The credential may not control runs",
        404: "No such run in the caller's reach",
        409: `The run cannot ${action} in its current status`,
        422: "The Idempotency-Key was used with another body",
      },
    }),
  ),
  {
    method: "post",
    path: "/api/v1/runs/{runId}/retry",
    operationId: "retryRun",
    summary: "Retry a run",
    description: "A failed or cancelled run continues from its failed steps. " + CONTROL_DESCRIPTION.replace("Takes effect at the next step boundary. ", ""),
    tag: "Runs",
    security: ["bearer", "session"],
    pathParams: api.runIdParamsSchema,
    headers: api.idempotencyHeadersSchema,
    responses: { 200: { description: "The run, queued again", schema: api.runControlResponseSchema, headers: ["Idempotent-Replayed"] } },
    errors: {
      400: "Bad Idempotency-Key",
      401: ERROR_DESCRIPTIONS[401],
      403: "The credential may not control runs",
      404: "No such run in the caller's reach",
      409: "The run is not failed or cancelled",
      422: "The Idempotency-Key was used with another body",
    },
  },
  {
    method: "post",
    path: "/api/v1/runs/{runId}/rerun",
    operationId: "rerunRun",
    summary: "Re-run a run",
    description: "A new run with the same input. Credentials: a trigger token of the run's workflow, an API key with `trigger`, or a session of an operator or above.",
    tag: "Runs",
    security: ["bearer", "session"],
    pathParams: api.runIdParamsSchema,
    headers: api.idempotencyHeadersSchema,
    body: { schema: api.rerunBodySchema, description: "Which version to run", required: false },
    responses: { 201: { description: "The new run", schema: api.runStartedFromSchema, headers: ["Idempotent-Replayed"] } },
    errors: {
      400: "Bad JSON, body or Idempotency-Key",
      401: ERROR_DESCRIPTIONS[401],
      403: "The credential may not start runs",
      404: "No such run in the caller's reach",
      409: "The run cannot be re-run now",
      413: ERROR_DESCRIPTIONS[413],
      422: "The workflow is invalid, or the Idempotency-Key was used with another body",
      429: ERROR_DESCRIPTIONS[429],
    },
  },
  {
    method: "post",
    path: "/api/v1/runs/{runId}/fork",
    operationId: "forkRun",
    summary: "Fork a run",
    description: "A new run sharing the parent's history up to event `atSeq`, optionally with one edit. Credentials: as for re-run.",
    tag: "Runs",
    security: ["bearer", "session"],
    pathParams: api.runIdParamsSchema,
    headers: api.idempotencyHeadersSchema,
    body: { schema: api.forkBodySchema, description: "Where to fork and what to change", required: true },
    responses: { 201: { description: "The new run", schema: api.runStartedFromSchema, headers: ["Idempotent-Replayed"] } },
    errors: {
      400: "Bad JSON, body, `atSeq` or Idempotency-Key",
      401: ERROR_DESCRIPTIONS[401],
      403: "The credential may not start runs",
      404: "No such run in the caller's reach",
      409: "The run cannot be forked there now",
      413: ERROR_DESCRIPTIONS[413],
      422: "The edit does not fit the state, or the Idempotency-Key was used with another body",
      429: ERROR_DESCRIPTIONS[429],
    },
  },
  {
    method: "get",
    path: "/api/v1/human-tasks",
    operationId: "listHumanTasks",
    summary: "List pending human tasks",
    description: "The tasks waiting for a person, oldest first. Credentials: an API key that may read runs, a session, or a trigger token (its workflow's tasks only).",
    tag: "Human tasks",
    security: ["bearer", "session"],
    query: api.listHumanTasksQuerySchema,
    responses: { 200: { description: "The pending tasks", schema: api.listHumanTasksResponseSchema } },
    errors: { 400: "A parameter is invalid, repeated or unknown", 401: ERROR_DESCRIPTIONS[401], 403: ERROR_DESCRIPTIONS[403] },
  },
  {
    method: "post",
    path: "/api/v1/human-tasks/{taskId}",
    operationId: "answerHumanTask",
    summary: "Answer a human task",
    description: "Approve or reject (with a reason, an answer, edited arguments or edited content). Credentials: an API key with `control`, or a session of an operator or above.",
    tag: "Human tasks",
    security: ["bearer", "session"],
    pathParams: api.taskIdParamsSchema,
    headers: api.idempotencyHeadersSchema,
    body: { schema: api.humanTaskAnswerBodySchema, description: "The answer", required: true },
    responses: { 200: { description: "Answered; the run goes on", schema: api.humanTaskAnsweredSchema, headers: ["Idempotent-Replayed"] } },
    errors: {
      400: "Bad JSON, body or Idempotency-Key, or an answer that does not fit the task",
      401: ERROR_DESCRIPTIONS[401],
      403: "The credential may not answer tasks",
      404: "No such task in the caller's reach",
      409: "The task was already answered",
      413: ERROR_DESCRIPTIONS[413],
      422: "The Idempotency-Key was used with another body",
    },
  },
  {
    method: "get",
    path: "/api/runs/{runId}/events",
    operationId: "streamRunEvents",
    summary: "Stream a run's events (SSE)",
    description: [
      "Server-Sent Events of one run: every committed event after the resume point, then the live ones, until `run_finished`.",
      "",
      "- `id: <seq>` / `event: run-event` / `data: <RunEvent JSON>` (schema `RunEvent`) — resumable with `Last-Event-ID` or `?after=<seq>`.",
      "- `event: token` / `data: <TokenFrame JSON>` (schema `TokenFrame`), without an id: live pieces of a model answer while it is written; the committed `llm_response` replaces them.",
      "",
      "Credentials: a session, an API key that may read runs, or a trigger token of the run's workflow.",
    ].join("\n"),
    tag: "Events",
    security: ["bearer", "session"],
    pathParams: api.runIdParamsSchema,
    query: api.runEventsQuerySchema,
    headers: api.runEventsHeadersSchema,
    responses: {
      200: { description: "The event stream", eventStream: true },
      204: { description: "The run has finished and the client already holds its last event", empty: true },
    },
    errors: { 401: ERROR_DESCRIPTIONS[401], 403: ERROR_DESCRIPTIONS[403], 404: "No such run in the caller's reach", 429: "Too many open streams for this viewer (`too_many_streams`)" },
  },
  {
    method: "get",
    path: "/api/v1/openapi.json",
    operationId: "getOpenApiDocument",
    summary: "This document",
    description: "The OpenAPI 3.1 document of this API. Credentials: any valid API key or trigger token, or a session.",
    tag: "Meta",
    security: ["bearer", "session"],
    responses: { 200: { description: "The OpenAPI document", schema: api.openApiDocumentSchema } },
    errors: { 401: ERROR_DESCRIPTIONS[401], 403: ERROR_DESCRIPTIONS[403] },
  },
  {
    method: "get",
    path: "/api/health",
    operationId: "getHealth",
    summary: "Liveness",
    description: "Answers `200 {status: \"ok\"}` while the web process serves HTTP; checks no dependency (use it as a liveness probe, so a database outage does not restart web processes). No credential, and any Host header.",
    tag: "Meta",
    security: [],
    responses: { 200: { description: "The process answers", schema: api.healthSchema } },
    errors: {},
  },
  {
    method: "get",
    path: "/api/ready",
    operationId: "getReadiness",
    summary: "Readiness",
    description:
      `Postgres and Redis answer, every migration is applied, and at least one worker process sent a heartbeat in the last 30 s. Each check gives up after ${READINESS_CHECK_TIMEOUT_MS} ms. The body lists every check with a short reason — never a host, port or error text. No credential, and any Host header.`,
    tag: "Meta",
    security: [],
    responses: {
      200: { description: "Every check passed", schema: api.readinessSchema },
      503: { description: "At least one check failed (same body)", schema: api.readinessSchema },
    },
    errors: {},
  },
];

const SECURITY_SCHEMES = {
  bearer: {
    type: "http",
    scheme: "bearer",
    description: "A workspace API key (Settings → API keys; scopes read, trigger, control, admin) or a workflow's trigger token: `Authorization: Bearer <token>`",
  },
  session: { type: "apiKey", in: "cookie", name: "agentflow.session_token", description: "The signed-in browser session (pages of this app)" },
  webhook: {
    type: "apiKey",
    in: "header",
    name: "AgentFlow-Signature",
    description: "A request signed with the workflow's webhook secret (no Authorization header): `AgentFlow-Signature`, GitHub's `X-Hub-Signature-256` or Stripe's `Stripe-Signature`, per the workflow's scheme",
  },
} as const;

const RESPONSE_HEADERS: Record<ResponseHeader, { description: string; schema: JsonSchema }> = {
  Location: { description: "The run's status URL", schema: { type: "string" } },
  "Retry-After": { description: "Seconds to wait before retrying", schema: { type: "string" } },
  "Idempotent-Replayed": { description: "`true` when this is the stored answer of an earlier request with the same Idempotency-Key", schema: { type: "string", enum: ["true"] } },
};

const componentRef = (name: string) => ({ $ref: `#/components/schemas/${name}` });

function stripRoot(schema: JsonSchema): JsonSchema {
  const rest = { ...schema };
  delete rest.$schema;
  delete rest.$id;
  return rest;
}

/** Every named shape, converted once per side (responses: output, requests: input). */
function buildComponents(): { schemas: Record<string, JsonSchema>; names: Map<z.ZodType, string> } {
  const schemas: Record<string, JsonSchema> = {};
  const names = new Map<z.ZodType, string>();
  for (const [side, components] of [
    ["output", RESPONSE_COMPONENTS],
    ["input", REQUEST_COMPONENTS],
  ] as const) {
    const registry = z.registry<{ id: string }>();
    for (const [name, schema] of Object.entries(components)) {
      registry.add(schema, { id: name });
      names.set(schema, name);
    }
    const converted = z.toJSONSchema(registry, { target: "draft-2020-12", io: side, uri: (id) => `#/components/schemas/${id}` });
    for (const [name, schema] of Object.entries(converted.schemas)) schemas[name] = stripRoot(schema as JsonSchema);
  }
  return { schemas, names };
}

function parameters(where: "path" | "query" | "header", object: z.ZodObject | undefined): JsonSchema[] {
  if (!object) return [];
  const converted = z.toJSONSchema(object, { target: "draft-2020-12", io: "input" }) as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(converted.properties ?? {}).map(([name, property]) => {
    const { description, ...schema } = property;
    const isArray = JSON.stringify(schema).includes('"type":"array"');
    return {
      name,
      in: where,
      required: where === "path" || (converted.required ?? []).includes(name),
      ...(typeof description === "string" ? { description } : {}),
      schema,
      ...(where === "query" && isArray ? { style: "form", explode: true } : {}),
    };
  });
}

function responseObject(spec: ResponseSpec, names: Map<z.ZodType, string>): JsonSchema {
  if ("empty" in spec) return { description: spec.description };
  if ("eventStream" in spec) return { description: spec.description, content: { "text/event-stream": EVENT_STREAM_CONTENT } };
  const name = names.get(spec.schema);
  if (!name) throw new Error(`openapi: response schema "${spec.description}" is not a named component`);
  return {
    description: spec.description,
    ...(spec.headers ? { headers: Object.fromEntries(spec.headers.map((header) => [header, RESPONSE_HEADERS[header]])) } : {}),
    content: { "application/json": { schema: componentRef(name) }, ...(spec.orEventStream ? { "text/event-stream": EVENT_STREAM_CONTENT } : {}) },
  };
}

const EVENT_STREAM_CONTENT = { schema: { type: "string", description: "SSE frames: `run-event` (RunEvent) and `token` (TokenFrame)" } };

/** Operations that touch no store (liveness): they have no "store unavailable" answer. */
const STORE_FREE_OPERATIONS = new Set(["getHealth"]);

function operationObject(operation: ApiOperation, names: Map<z.ZodType, string>): JsonSchema {
  const responses: Record<string, JsonSchema> = {};
  for (const [status, spec] of Object.entries(operation.responses)) responses[status] = responseObject(spec, names);
  for (const [status, description] of Object.entries(operation.errors)) {
    responses[status] = {
      description,
      ...(status === "429" ? { headers: { "Retry-After": RESPONSE_HEADERS["Retry-After"] } } : {}),
      content: { "application/json": { schema: componentRef("Error") } },
    };
  }
  // An operation that reads Postgres or Redis answers 503 to retry, never a 500, while one is unreachable (a restart).
  if (!STORE_FREE_OPERATIONS.has(operation.operationId) && !("503" in responses)) {
    responses["503"] = {
      description: "A data store is unavailable for a moment (`unavailable`): retry after `Retry-After` seconds",
      headers: { "Retry-After": RESPONSE_HEADERS["Retry-After"] },
      content: { "application/json": { schema: componentRef("Error") } },
    };
  }
  responses.default = { description: "Unexpected server error", content: { "application/json": { schema: componentRef("Error") } } };
  let requestBody: JsonSchema | undefined;
  if (operation.body) {
    const name = names.get(operation.body.schema);
    if (!name) throw new Error(`openapi: request body of ${operation.operationId} is not a named component`);
    requestBody = { description: operation.body.description, required: operation.body.required, content: { "application/json": { schema: componentRef(name) } } };
  }
  const parameterList = [...parameters("path", operation.pathParams), ...parameters("query", operation.query), ...parameters("header", operation.headers)];
  return {
    operationId: operation.operationId,
    summary: operation.summary,
    description: operation.description,
    tags: [operation.tag],
    security: operation.security.map((scheme) => ({ [scheme]: [] })),
    ...(parameterList.length > 0 ? { parameters: parameterList } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses,
  };
}

export type OpenApiDocument = {
  openapi: "3.1.0";
  info: { title: string; version: string; description: string };
  servers: { url: string }[];
  tags: { name: string; description: string }[];
  paths: Record<string, Record<string, JsonSchema>>;
  components: { schemas: Record<string, JsonSchema>; securitySchemes: typeof SECURITY_SCHEMES };
};

export function buildOpenApiDocument(options: { serverUrl: string }): OpenApiDocument {
  const { schemas, names } = buildComponents();
  const paths: OpenApiDocument["paths"] = {};
  for (const operation of API_OPERATIONS) {
    paths[operation.path] ??= {};
    paths[operation.path]![operation.method] = operationObject(operation, names);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "AgentFlow API",
      version: "1",
      description: "Start and follow runs, answer human tasks. Errors are JSON `{error: {code, message, path?, details?}}` with a 4xx status.",
    },
    servers: [{ url: options.serverUrl.replace(/\/$/, "") }],
    tags: [
      { name: "Workflows", description: "List workflows and start runs" },
      { name: "Runs", description: "Runs: list, status, control, re-run and fork" },
      { name: "Human tasks", description: "Tasks waiting for a person" },
      { name: "Events", description: "Live run events (Server-Sent Events)" },
      { name: "Meta", description: "This document, liveness and readiness" },
    ],
    paths,
    components: { schemas, securitySchemes: SECURITY_SCHEMES },
  };
}

let cached: { serverUrl: string; document: OpenApiDocument } | null = null;

/** Built once per process (the schemas do not change while it runs). */
export function getOpenApiDocument(serverUrl: string): OpenApiDocument {
  if (cached?.serverUrl !== serverUrl) cached = { serverUrl, document: buildOpenApiDocument({ serverUrl }) };
  return cached.document;
}

/** The response schema (as a `$ref` into the document) of one operation and status, for validators. */
export function responseSchemaRef(document: OpenApiDocument, operationId: string, status: number): string | null {
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      if (operation.operationId !== operationId) continue;
      const responses = operation.responses as Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>;
      const response = responses[String(status)] ?? (status >= 500 ? responses.default : undefined);
      const ref = response?.content?.["application/json"]?.schema?.$ref;
      if (!ref) throw new Error(`${method.toUpperCase()} ${path} (${operationId}) has no JSON response for ${status}`);
      return ref;
    }
  }
  return null;
}
