import { z } from "zod";
import { getDb } from "@/server/db";
import { getEnv } from "@/server/env";
import { errorResponse, isWellFormedId, jsonError, readJsonBody, requireAccess } from "@/server/http/rest";
import { respondToHumanTask } from "@/server/runs/respond-human";

export const dynamic = "force-dynamic";

const responseSchema = z
  .object({
    decision: z.enum(["approve", "reject"]),
    /** Why (on reject it is routed on the reject branch, or told to the model). */
    reason: z.string().max(5_000).optional(),
    /** The answer to an agent's question. */
    answer: z.string().max(50_000).optional(),
    /** A tool approval: the arguments to run with instead of the model's (JSON text). */
    editedArguments: z.string().max(100_000).optional(),
    /** An approval step approved with edits: the corrected content. */
    editedContent: z.unknown().optional(),
  })
  .strict();

/**
 * POST /api/v1/human-tasks/:taskId — answers a task waiting for a person. Credentials: an API key
 * with `control`, a trigger token of the task's workflow, or a session of an operator or above.
 */
export async function POST(request: Request, context: { params: Promise<{ taskId: string }> }) {
  try {
    const { taskId } = await context.params;
    const db = getDb();
    const auth = await requireAccess(db, request, "human:respond", { allowTriggerToken: true });
    if (!auth.ok) return auth.response;
    if (!isWellFormedId(taskId)) return jsonError(404, "not_found", `Human task ${taskId.slice(0, 100)} not found`);
    const body = await readJsonBody(request, responseSchema, getEnv().MAX_RUN_INPUT_BYTES);
    if (!body.ok) return body.response;
    const { reason, ...rest } = body.value;
    const { runId } = await respondToHumanTask(db, auth.access, { taskId, ...rest, ...(reason ? { comment: reason } : {}) });
    return Response.json({ taskId, runId, decision: body.value.decision });
  } catch (error) {
    return errorResponse(error);
  }
}
