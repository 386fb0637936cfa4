import { z } from "zod";
import { getDb } from "@/server/db";
import { getEnv } from "@/server/env";
import { startRun } from "@/server/runs/start-run";
import { bearerToken, errorResponse, readJsonBody, unauthorized } from "@/server/http/rest";
import { verifyTriggerToken } from "@/server/workflows/trigger-tokens";

export const dynamic = "force-dynamic";

const triggerBodySchema = z
  .object({ input: z.unknown().optional().describe("The run's input; templates read it as {{input.<field>}}") })
  .strict();

/** POST /api/v1/workflows/:workflowId/trigger — start a run; answers 202 with where to poll. */
export async function POST(request: Request, context: { params: Promise<{ workflowId: string }> }) {
  try {
    const { workflowId } = await context.params;
    const token = bearerToken(request);
    const db = getDb();
    if (!token || !(await verifyTriggerToken(db, workflowId, token))) return unauthorized();
    const body = await readJsonBody(request, triggerBodySchema);
    if (!body.ok) return body.response;
    const { runId } = await startRun(db, { workflowId, input: body.value.input ?? null, trigger: "api" });
    const statusUrl = `${getEnv().APP_URL.replace(/\/$/, "")}/api/v1/runs/${runId}`;
    return Response.json({ runId, statusUrl }, { status: 202, headers: { location: statusUrl } });
  } catch (error) {
    return errorResponse(error);
  }
}
