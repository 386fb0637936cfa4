import { getDb } from "@/server/db";
import { getEnv } from "@/server/env";
import { humanTaskAnswerBodySchema } from "@/server/http/api-schemas";
import { withIdempotency } from "@/server/http/idempotency";
import { errorResponse, isWellFormedId, jsonError, readJsonBody, requireAccess } from "@/server/http/rest";
import { respondToHumanTask } from "@/server/runs/respond-human";
import { publicApiRoute } from "@/server/http/public-api";

export const dynamic = "force-dynamic";


/**
 * POST /api/v1/human-tasks/:taskId — answers a task waiting for a person. Credentials: an API key
 * with `control`, a trigger token of the task's workflow, or a session of an operator or above.
 * An `Idempotency-Key` header makes a retry return the first answer (server/http/idempotency.ts).
 */
export const POST = publicApiRoute(async (request: Request, context: { params: Promise<{ taskId: string }> }) => {
  try {
    const { taskId } = await context.params;
    const db = getDb();
    const auth = await requireAccess(db, request, "human:respond", { allowTriggerToken: true });
    if (!auth.ok) return auth.response;
    if (!isWellFormedId(taskId)) return jsonError(404, "not_found", `Human task ${taskId.slice(0, 100)} not found`);
    const limit = getEnv().MAX_RUN_INPUT_BYTES;
    return await withIdempotency(db, request, { access: auth.access, maxBodyBytes: limit }, async (request) => {
      const body = await readJsonBody(request, humanTaskAnswerBodySchema, limit);
      if (!body.ok) return body.response;
      const { reason, ...rest } = body.value;
      const { runId } = await respondToHumanTask(db, auth.access, { taskId, ...rest, ...(reason ? { comment: reason } : {}) });
      return Response.json({ taskId, runId, decision: body.value.decision });
    });
  } catch (error) {
    return errorResponse(error);
  }
});
