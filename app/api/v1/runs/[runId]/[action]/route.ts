import { getDb } from "@/server/db";
import { errorResponse, isWellFormedId, jsonError, requireAccess } from "@/server/http/rest";
import { controlRun, isRunControl } from "@/server/runs/control";

export const dynamic = "force-dynamic";

/**
 * POST /api/v1/runs/:runId/{pause|resume|cancel} — takes effect at the next step boundary.
 * Credentials: a trigger token of the run's workflow, an API key with `control`, or a session.
 */
export async function POST(request: Request, context: { params: Promise<{ runId: string; action: string }> }) {
  try {
    const { runId, action } = await context.params;
    if (!isRunControl(action)) return jsonError(404, "not_found", `Unknown action "${action.slice(0, 40)}": use pause, resume or cancel`);
    const db = getDb();
    const auth = await requireAccess(db, request, "run:control", { allowTriggerToken: true });
    if (!auth.ok) return auth.response;
    if (!isWellFormedId(runId)) return jsonError(404, "not_found", `Run ${runId.slice(0, 100)} not found`);
    const result = await controlRun(db, auth.access, runId, action);
    return Response.json({ runId, status: result.status });
  } catch (error) {
    return errorResponse(error);
  }
}
