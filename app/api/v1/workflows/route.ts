import { getDb } from "@/server/db";
import { getEnv } from "@/server/env";
import { errorResponse, jsonError, requireAccess } from "@/server/http/rest";
import { listWorkflowsForApi } from "@/server/workflows/rest-list";
import { publicApiRoute } from "@/server/http/public-api";

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/workflows — the workspace's workflows, each with its trigger URL and the version
 * the API runs (`published`, null before a first publish) → `{ workflows }`.
 * Credentials: an API key with the `read` scope, or a session (a trigger token is for its one workflow's trigger).
 */
export const GET = publicApiRoute(async (request: Request) => {
  try {
    const db = getDb();
    const auth = await requireAccess(db, request, "workflow:read", { allowTriggerToken: true });
    if (!auth.ok) return auth.response;
    const { access } = auth;
    const unknown = [...new URL(request.url).searchParams.keys()][0];
    if (unknown !== undefined) return jsonError(400, "invalid_parameter", `${unknown}: this list takes no parameters`, { path: unknown });
    const workflows = await listWorkflowsForApi(db, access.workspaceId, getEnv().APP_URL);
    return Response.json({ workflows });
  } catch (error) {
    return errorResponse(error);
  }
});
