import { getDb } from "@/server/db";
import { getEnv } from "@/server/env";
import { rateLimitMessage, takeRunStart } from "@/server/auth/rate-limit";
import type { WorkspaceAccess } from "@/server/auth/access";
import { forkBodySchema, rerunBodySchema } from "@/server/http/api-schemas";
import { withIdempotency } from "@/server/http/idempotency";
import { errorResponse, isWellFormedId, jsonError, readJsonBody, requireAccess } from "@/server/http/rest";
import { controlRun, isRunControl } from "@/server/runs/control";
import { forkRun, rerunRun, retryRun } from "@/server/runs/lineage";
import { publicApiRoute } from "@/server/http/public-api";

export const dynamic = "force-dynamic";

const ACTIONS = ["pause", "resume", "cancel", "retry", "rerun", "fork"] as const;
type Action = (typeof ACTIONS)[number];


/**
 * POST /api/v1/runs/:runId/{pause|resume|cancel} — takes effect at the next step boundary.
 * POST /api/v1/runs/:runId/retry — a failed or cancelled run continues from its failed steps.
 * POST /api/v1/runs/:runId/rerun {version?: "same"|"latest"} — a new run with the same input (201).
 * POST /api/v1/runs/:runId/fork {atSeq, edit?} — a new run sharing the history up to event atSeq (201).
 * Credentials: a trigger token of the run's workflow, an API key (control for pause/resume/cancel/retry,
 * trigger for rerun/fork), or a session. An `Idempotency-Key` header makes a retry return the first answer.
 */
export const POST = publicApiRoute(async (request: Request, context: { params: Promise<{ runId: string; action: string }> }) => {
  try {
    const { runId, action } = await context.params;
    if (!(ACTIONS as readonly string[]).includes(action)) {
      return jsonError(404, "not_found", `Unknown action "${action.slice(0, 40)}": use ${ACTIONS.join(", ")}`);
    }
    const db = getDb();
    const starts = action === "rerun" || action === "fork";
    const auth = await requireAccess(db, request, starts ? "run:start" : "run:control", { allowTriggerToken: true });
    if (!auth.ok) return auth.response;
    const { access } = auth;
    if (!isWellFormedId(runId)) return jsonError(404, "not_found", `Run ${runId.slice(0, 100)} not found`);
    const limit = getEnv().MAX_RUN_INPUT_BYTES;
    return await withIdempotency(db, request, { access, maxBodyBytes: limit }, (body) => perform(body, access, runId, action as Action, limit));
  } catch (error) {
    return errorResponse(error);
  }
});

/** The action itself, under the request's Idempotency-Key (server/http/idempotency.ts). */
async function perform(request: Request, access: WorkspaceAccess, runId: string, action: Action, limit: number): Promise<Response> {
  const db = getDb();
  try {
    if (isRunControl(action)) {
      const result = await controlRun(db, access, runId, action);
      return Response.json({ runId, status: result.status });
    }
    switch (action) {
      case "retry": {
        const result = await retryRun(db, access, runId);
        return Response.json(result);
      }
      case "rerun":
      case "fork": {
        const decision = await takeRunStart(access.actor);
        if (!decision.allowed) {
          return jsonError(429, "rate_limited", rateLimitMessage(decision), { headers: { "retry-after": String(decision.retryAfterSeconds) } });
        }
        if (action === "rerun") {
          const body = await readJsonBody(request, rerunBodySchema, limit);
          if (!body.ok) return body.response;
          const started = await rerunRun(db, access, runId, body.value.version);
          return Response.json({ runId: started.runId, parentRunId: runId, statusUrl: `/api/v1/runs/${started.runId}` }, { status: 201 });
        }
        const body = await readJsonBody(request, forkBodySchema, limit);
        if (!body.ok) return body.response;
        const forked = await forkRun(db, access, runId, body.value.atSeq, body.value.edit);
        return Response.json({ runId: forked.runId, parentRunId: runId, statusUrl: `/api/v1/runs/${forked.runId}` }, { status: 201 });
      }
    }
  } catch (error) {
    return errorResponse(error);
  }
}
