import { ZodError, type ZodType } from "zod";
import { ConflictError, InvalidWorkflowError, NotFoundError, PayloadTooLargeError, UserInputError } from "../errors";
import { BudgetExceededError } from "../ops/budget-error";
import type { Db } from "../db";
import { can, type WorkspaceAccess } from "../auth/access";
import { authenticateRequest } from "../auth/request";
import type { Permission } from "../auth/roles";
import { readBodyText } from "./body";
import { assertSafeJson } from "./json-guard";
import { isStoreOutage, STORE_OUTAGE_MESSAGE, STORE_OUTAGE_RETRY_AFTER_SECONDS } from "./store-outage";
import { componentLog } from "../ops/log";

const logger = componentLog("api");

/**
 * Helpers for the public REST API (app/api/v1) and the event stream. Errors are JSON
 * `{ error: { code, message, path? } }` with the matching 4xx status.
 */

export function jsonError(status: number, code: string, message: string, extra: { path?: string; details?: unknown; headers?: HeadersInit } = {}): Response {
  const { headers, ...rest } = extra;
  return Response.json({ error: { code, message, ...rest } }, { status, headers });
}

export const unauthorized = () =>
  jsonError(401, "unauthorized", "Missing or invalid credentials: send `Authorization: Bearer <API key or trigger token>`, or sign in", {
    headers: { "www-authenticate": 'Bearer realm="agentflow"' },
  });

export type RestAccess = { ok: true; access: WorkspaceAccess } | { ok: false; response: Response };

/**
 * Who is calling and whether they may do `permission`: 401 without a valid credential, 403
 * when it does not allow this. Whether the thing asked for is theirs is the route's next
 * check (404 when it is not, exactly as when it does not exist).
 */
export async function requireAccess(db: Db, request: Request, permission: Permission, options: { allowTriggerToken: boolean }): Promise<RestAccess> {
  const auth = await authenticateRequest(db, request.headers, options);
  if (!auth.ok) {
    return { ok: false, response: auth.status === 401 ? unauthorized() : jsonError(403, "forbidden", "You are not a member of any workspace") };
  }
  if (!can(auth.access, permission)) {
    const what = auth.access.actor.kind === "api_key" ? "This API key's scopes do not" : auth.access.actor.kind === "trigger_token" ? "A trigger token does not" : "Your role does not";
    return { ok: false, response: jsonError(403, "forbidden", `${what} allow ${permission}`) };
  }
  return { ok: true, access: auth.access };
}

/** Reads (at most `maxBytes`), parses and validates a JSON body; a failure is a Response to return as is. */
export async function readJsonBody<T>(request: Request, schema: ZodType<T>, maxBytes: number): Promise<{ ok: true; value: T } | { ok: false; response: Response }> {
  let text: string;
  try {
    text = await readBodyText(request, maxBytes);
  } catch (error) {
    return { ok: false, response: errorResponse(error) };
  }
  let json: unknown = {};
  if (text.trim() !== "") {
    try {
      json = JSON.parse(text);
    } catch (error) {
      const reason = error instanceof Error ? error.message : "parse error";
      return { ok: false, response: jsonError(400, "invalid_json", `The body is not valid JSON: ${reason}`) };
    }
  }
  try {
    // NUL, lone surrogates, absurd nesting: refused here, naming the field, before anything stores them.
    assertSafeJson(json, "");
  } catch (error) {
    return { ok: false, response: errorResponse(error) };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue && issue.path.length > 0 ? issue.path.join(".") : "(body)";
    return { ok: false, response: jsonError(400, "invalid_body", `${path}: ${issue?.message ?? "invalid"}`, { path }) };
  }
  return { ok: true, value: parsed.data };
}

/** Maps domain errors to 4xx; anything unexpected is logged and becomes a 500 without internals. */
export function errorResponse(error: unknown): Response {
  if (error instanceof PayloadTooLargeError) return jsonError(413, "payload_too_large", error.message);
  if (error instanceof BudgetExceededError) return jsonError(402, "budget_exceeded", error.message, { details: { ...error.budget, spentUsd: error.spentUsd, capUsd: error.capUsd } });
  if (error instanceof InvalidWorkflowError) return jsonError(422, "invalid_workflow", error.message, { path: error.path, details: error.details });
  if (error instanceof UserInputError) return jsonError(400, "invalid_input", error.message, { path: error.path, details: error.details });
  if (error instanceof NotFoundError) return jsonError(404, "not_found", error.message);
  if (error instanceof ConflictError) return jsonError(409, "conflict", error.message);
  if (error instanceof ZodError) return jsonError(400, "invalid_request", error.issues[0]?.message ?? "invalid request");
  // Postgres or Redis unreachable (a restart, a failover): the same request works once it is back.
  if (isStoreOutage(error)) return storeOutageResponse(error);
  logger.error({ err: error }, "unexpected error");
  return jsonError(500, "internal", "Unexpected server error");
}

/** 503 + Retry-After for a store that cannot be reached right now (server/http/store-outage.ts). */
function storeOutageResponse(error: unknown): Response {
  logger.warn({ err: error }, "store unavailable: answered 503");
  return jsonError(503, "unavailable", STORE_OUTAGE_MESSAGE, { headers: { "retry-after": String(STORE_OUTAGE_RETRY_AFTER_SECONDS) } });
}

/** Route ids are checked like tRPC's: a malformed id is a 404 (it names nothing that exists). */
export function isWellFormedId(id: string): boolean {
  return id.length > 0 && id.length <= 100 && /^[A-Za-z0-9_-]+$/.test(id);
}
