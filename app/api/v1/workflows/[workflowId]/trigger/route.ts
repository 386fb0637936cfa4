import { getDb } from "@/server/db";
import { handleTrigger } from "@/server/http/trigger";
import { publicApiRoute } from "@/server/http/public-api";

export const dynamic = "force-dynamic";

/**
 * POST /api/v1/workflows/:workflowId/trigger — start a run; answers 202 with where to poll.
 * Credentials: that workflow's trigger token, or a workspace API key with the `trigger` scope.
 */
export const POST = publicApiRoute(async (request: Request, context: { params: Promise<{ workflowId: string }> }) => {
  const { workflowId } = await context.params;
  return handleTrigger(getDb(), request, workflowId);
});
