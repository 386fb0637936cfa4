import { z } from "zod";
import type { Db } from "../db";
import { getEnv } from "../env";
import { actorLabel, type WorkspaceAccess } from "../auth/access";
import { rateLimitMessage, takeRunStart } from "../auth/rate-limit";
import { startRun } from "../runs/start-run";
import { errorResponse, isWellFormedId, jsonError, readJsonBody, requireAccess, type RestAccess } from "./rest";

const triggerBodySchema = z
  .object({ input: z.unknown().optional().describe("The run's input; templates read it as {{input.<field>}}") })
  .strict();

/** Who is triggering: the route asks the request's credentials (the benchmark's control run skips it). */
export type TriggerAuthorizer = (db: Db, request: Request) => Promise<RestAccess>;

export const authorizeTrigger: TriggerAuthorizer = (db, request) => requireAccess(db, request, "run:start", { allowTriggerToken: true });

/**
 * POST /api/v1/workflows/:workflowId/trigger: identity (that workflow's trigger token, or an
 * API key with `trigger`), the caller's run-start budget, the body (at most
 * MAX_RUN_INPUT_BYTES, checked as it streams in), then the run. Answers 202 with where to poll.
 */
export async function handleTrigger(db: Db, request: Request, workflowId: string, authorize: TriggerAuthorizer = authorizeTrigger): Promise<Response> {
  try {
    const auth = await authorize(db, request);
    if (!auth.ok) return auth.response;
    const access: WorkspaceAccess = auth.access;
    if (!isWellFormedId(workflowId) || (access.actor.kind === "trigger_token" && access.actor.workflowId !== workflowId)) {
      return jsonError(404, "not_found", `Workflow ${workflowId.slice(0, 100)} not found`);
    }
    const decision = await takeRunStart(access.actor);
    if (!decision.allowed) {
      return jsonError(429, "rate_limited", rateLimitMessage(decision), { headers: { "retry-after": String(decision.retryAfterSeconds) } });
    }
    const env = getEnv();
    const body = await readJsonBody(request, triggerBodySchema, env.MAX_RUN_INPUT_BYTES);
    if (!body.ok) return body.response;
    const { runId } = await startRun(db, {
      workspaceId: access.workspaceId,
      workflowId,
      input: body.value.input ?? null,
      trigger: "api",
      startedBy: actorLabel(access.actor),
    });
    const statusUrl = `${env.APP_URL.replace(/\/$/, "")}/api/v1/runs/${runId}`;
    return Response.json({ runId, statusUrl }, { status: 202, headers: { location: statusUrl } });
  } catch (error) {
    return errorResponse(error);
  }
}
