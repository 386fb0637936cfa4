import { z } from "zod";
import { getDb } from "@/server/db";
import { getEnv } from "@/server/env";
import { actorLabel } from "@/server/auth/access";
import { rateLimitMessage, takeRunStart } from "@/server/auth/rate-limit";
import { startRun } from "@/server/runs/start-run";
import { errorResponse, isWellFormedId, jsonError, readJsonBody, requireAccess } from "@/server/http/rest";

export const dynamic = "force-dynamic";

const triggerBodySchema = z
  .object({ input: z.unknown().optional().describe("The run's input; templates read it as {{input.<field>}}") })
  .strict();

/**
 * POST /api/v1/workflows/:workflowId/trigger — start a run; answers 202 with where to poll.
 * Credentials: that workflow's trigger token, or a workspace API key with the `trigger` scope.
 */
export async function POST(request: Request, context: { params: Promise<{ workflowId: string }> }) {
  try {
    const { workflowId } = await context.params;
    const db = getDb();
    const auth = await requireAccess(db, request, "run:start", { allowTriggerToken: true });
    if (!auth.ok) return auth.response;
    const { access } = auth;
    if (!isWellFormedId(workflowId) || (access.actor.kind === "trigger_token" && access.actor.workflowId !== workflowId)) {
      return jsonError(404, "not_found", `Workflow ${workflowId.slice(0, 100)} not found`);
    }
    const decision = await takeRunStart(access.actor);
    if (!decision.allowed) {
      return jsonError(429, "rate_limited", rateLimitMessage(decision), { headers: { "retry-after": String(decision.retryAfterSeconds) } });
    }
    const body = await readJsonBody(request, triggerBodySchema, getEnv().MAX_RUN_INPUT_BYTES);
    if (!body.ok) return body.response;
    const { runId } = await startRun(db, {
      workspaceId: access.workspaceId,
      workflowId,
      input: body.value.input ?? null,
      trigger: "api",
      startedBy: actorLabel(access.actor),
    });
    const statusUrl = `${getEnv().APP_URL.replace(/\/$/, "")}/api/v1/runs/${runId}`;
    return Response.json({ runId, statusUrl }, { status: 202, headers: { location: statusUrl } });
  } catch (error) {
    return errorResponse(error);
  }
}
