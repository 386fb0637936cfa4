import { getDb } from "@/server/db";
import { findReachableRun } from "@/server/runs/queries";
import { errorResponse, jsonError, requireAccess } from "@/server/http/rest";

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/runs/:runId — status, and the output once finished. Credentials: a trigger
 * token of the run's workflow, an API key with `read`, `trigger` or `control`, or a session.
 */
export async function GET(request: Request, context: { params: Promise<{ runId: string }> }) {
  try {
    const { runId } = await context.params;
    const db = getDb();
    const auth = await requireAccess(db, request, "run:read", { allowTriggerToken: true });
    if (!auth.ok) return auth.response;
    const { access } = auth;
    const run = await findReachableRun(db, access, runId, {
      id: true,
      workflowId: true,
      status: true,
      output: true,
      error: true,
      createdAt: true,
      startedAt: true,
      finishedAt: true,
      stepCount: true,
      tokens: true,
      costUsd: true,
      humanTasks: { where: { status: "pending" }, select: { id: true, nodeId: true, message: true } },
    });
    if (!run) return jsonError(404, "not_found", `Run ${runId.slice(0, 100)} not found`);
    const finished = run.finishedAt !== null;
    return Response.json({
      runId: run.id,
      workflowId: run.workflowId,
      status: run.status,
      createdAt: run.createdAt,
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
      steps: run.stepCount,
      tokens: run.tokens,
      costUsd: run.costUsd,
      pendingHumanTasks: run.humanTasks,
      ...(finished ? { output: run.output, error: run.error } : {}),
    });
  } catch (error) {
    return errorResponse(error);
  }
}
