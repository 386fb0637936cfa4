import { getDb } from "@/server/db";
import { errorResponse, isWellFormedId, jsonError, requireAccess } from "@/server/http/rest";
import { listPendingTasks } from "@/server/runs/pending-tasks";
import { publicApiRoute } from "@/server/http/public-api";

export const dynamic = "force-dynamic";

const PARAMETERS = ["workflowId", "limit"];

/**
 * GET /api/v1/human-tasks — the tasks of the workspace waiting for a person, oldest first:
 * `?workflowId=&limit=50` (1–200) → `{ tasks }`. Answer one with POST /api/v1/human-tasks/:taskId.
 * Credentials: an API key that may read runs, a session, or a trigger token (its workflow's tasks only).
 */
export const GET = publicApiRoute(async (request: Request) => {
  try {
    const db = getDb();
    const auth = await requireAccess(db, request, "run:read", { allowTriggerToken: true });
    if (!auth.ok) return auth.response;
    const { access } = auth;
    const params = new URL(request.url).searchParams;
    for (const name of new Set(params.keys())) {
      if (!PARAMETERS.includes(name)) return jsonError(400, "invalid_parameter", `${name}: is not a parameter of this list (use ${PARAMETERS.join(", ")})`, { path: name });
      if (params.getAll(name).length > 1) return jsonError(400, "invalid_parameter", `${name}: is given more than once`, { path: name });
    }
    const limitText = params.get("limit") ?? "50";
    const limit = /^\d{1,3}$/.test(limitText) ? Number(limitText) : Number.NaN;
    if (!(limit >= 1 && limit <= 200)) return jsonError(400, "invalid_parameter", "limit: must be a whole number from 1 to 200", { path: "limit" });
    const asked = params.get("workflowId") ?? undefined;
    if (asked !== undefined && !isWellFormedId(asked)) return jsonError(400, "invalid_parameter", "workflowId: is not a workflow id", { path: "workflowId" });
    const own = access.actor.kind === "trigger_token" ? access.actor.workflowId : undefined;
    // A trigger token asking for another workflow's tasks gets none, exactly as for an id that does not exist.
    if (own && asked && asked !== own) return Response.json({ tasks: [] });
    const tasks = await listPendingTasks(db, access.workspaceId, { limit, workflowId: own ?? asked });
    return Response.json({ tasks });
  } catch (error) {
    return errorResponse(error);
  }
});
