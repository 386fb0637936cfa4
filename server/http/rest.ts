import { ZodError, type ZodType } from "zod";
import { ConflictError, InvalidWorkflowError, NotFoundError, UserInputError } from "../errors";

/**
 * Helpers for the public REST API (app/api/v1). Errors are JSON
 * `{ error: { code, message, path? } }` with the matching 4xx status.
 */

export function jsonError(status: number, code: string, message: string, extra: { path?: string; details?: unknown } = {}): Response {
  return Response.json({ error: { code, message, ...extra } }, { status });
}

export function bearerToken(request: Request): string | null {
  const header = request.headers.get("authorization");
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
  return match?.[1] ?? null;
}

export const unauthorized = () =>
  jsonError(401, "unauthorized", "Missing or invalid token: send `Authorization: Bearer <token>` with a token of this workflow");

/** Reads and validates a JSON body; a failure is a Response to return as is. */
export async function readJsonBody<T>(request: Request, schema: ZodType<T>): Promise<{ ok: true; value: T } | { ok: false; response: Response }> {
  const text = await request.text();
  let json: unknown = {};
  if (text.trim() !== "") {
    try {
      json = JSON.parse(text);
    } catch (error) {
      const reason = error instanceof Error ? error.message : "parse error";
      return { ok: false, response: jsonError(400, "invalid_json", `The body is not valid JSON: ${reason}`) };
    }
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
  if (error instanceof InvalidWorkflowError) return jsonError(422, "invalid_workflow", error.message, { path: error.path, details: error.details });
  if (error instanceof UserInputError) return jsonError(400, "invalid_input", error.message, { path: error.path, details: error.details });
  if (error instanceof NotFoundError) return jsonError(404, "not_found", error.message);
  if (error instanceof ConflictError) return jsonError(409, "conflict", error.message);
  if (error instanceof ZodError) return jsonError(400, "invalid_request", error.issues[0]?.message ?? "invalid request");
  console.error("[api] unexpected error", error);
  return jsonError(500, "internal", "Unexpected server error");
}
