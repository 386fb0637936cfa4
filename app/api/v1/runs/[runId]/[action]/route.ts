import { getDb } from "@/server/db";
import { authorizeRun } from "@/server/http/run-auth";
import { errorResponse, jsonError, unauthorized } from "@/server/http/rest";
import { cancelRun, pauseRun, resumeRun } from "@/server/runs/control";

export const dynamic = "force-dynamic";

const ACTIONS = { pause: pauseRun, resume: resumeRun, cancel: cancelRun } as const;

/** POST /api/v1/runs/:runId/{pause|resume|cancel} — takes effect at the next step boundary. */
export async function POST(request: Request, context: { params: Promise<{ runId: string; action: string }> }) {
  try {
    const { runId, action } = await context.params;
    if (!Object.hasOwn(ACTIONS, action)) return jsonError(404, "not_found", `Unknown action "${action}": use pause, resume or cancel`);
    const db = getDb();
    if (!(await authorizeRun(db, request, runId))) return unauthorized();
    const result = await ACTIONS[action as keyof typeof ACTIONS](db, runId, "api");
    return Response.json({ runId, status: result.status });
  } catch (error) {
    return errorResponse(error);
  }
}
