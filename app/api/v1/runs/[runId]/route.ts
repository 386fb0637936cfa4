import { getDb } from "@/server/db";
import { authorizeRun } from "@/server/http/run-auth";
import { errorResponse, unauthorized } from "@/server/http/rest";

export const dynamic = "force-dynamic";

/** GET /api/v1/runs/:runId — status, and the output once finished. Same token as the trigger. */
export async function GET(request: Request, context: { params: Promise<{ runId: string }> }) {
  try {
    const { runId } = await context.params;
    const db = getDb();
    if (!(await authorizeRun(db, request, runId))) return unauthorized();
    const run = await db.run.findUnique({
      where: { id: runId },
      select: {
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
      },
    });
    if (!run) return unauthorized();
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
