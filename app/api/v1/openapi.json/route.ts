import { getDb } from "@/server/db";
import { getEnv } from "@/server/env";
import { errorResponse, requireAccess } from "@/server/http/rest";
import { getOpenApiDocument } from "@/server/http/openapi";
import { publicApiRoute } from "@/server/http/public-api";

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/openapi.json — the OpenAPI 3.1 document of the REST API (server/http/openapi.ts),
 * built once per process. Closed like every route: any valid credential — an API key of any
 * scope, a trigger token, a session — may read it (`run:read` is what every one of them holds).
 */
export const GET = publicApiRoute(async (request: Request) => {
  try {
    const auth = await requireAccess(getDb(), request, "run:read", { allowTriggerToken: true });
    if (!auth.ok) return auth.response;
    return Response.json(getOpenApiDocument(getEnv().APP_URL), { headers: { "cache-control": "private, max-age=300" } });
  } catch (error) {
    return errorResponse(error);
  }
});
