import { getDb } from "@/server/db";
import { can } from "@/server/auth/access";
import { errorResponse, jsonError, requireAccess } from "@/server/http/rest";
import { listRunsInputSchema, listRunsPage, type ListRunsInput } from "@/server/runs/list-runs";
import { publicApiRoute } from "@/server/http/public-api";

export const dynamic = "force-dynamic";

const PARAMETERS = ["workflowId", "versionId", "status", "trigger", "from", "to", "waitingForMe", "q", "cursor", "limit"] as const;
type Parameter = (typeof PARAMETERS)[number];

class ParameterError extends Error {
  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super(`${parameter}: ${message}`);
  }
}

function isParameter(name: string): name is Parameter {
  return (PARAMETERS as readonly string[]).includes(name);
}

/**
 * Query parameters → the list's input. `status` may repeat or hold a comma-separated list;
 * every other parameter is given at most once. An unknown parameter is refused rather than
 * ignored, so a misspelt filter (`?statuses=failed`) is never silently "no filter".
 */
function inputFromQuery(params: URLSearchParams): ListRunsInput {
  const input: Record<string, unknown> = {};
  for (const name of new Set(params.keys())) {
    if (!isParameter(name)) throw new ParameterError(name, `is not a parameter of this list (use ${PARAMETERS.join(", ")})`);
    const values = params.getAll(name);
    if (name === "status") {
      input.status = values.flatMap((value) => value.split(",")).map((value) => value.trim());
      continue;
    }
    if (values.length > 1) throw new ParameterError(name, "is given more than once");
    const value = values[0] ?? "";
    if (name === "limit") {
      if (!/^\d{1,4}$/.test(value)) throw new ParameterError(name, "must be a whole number");
      input.limit = Number(value);
    } else if (name === "waitingForMe") {
      if (!["true", "false", "1", "0"].includes(value)) throw new ParameterError(name, "must be true or false");
      input.waitingForMe = value === "true" || value === "1";
    } else {
      input[name] = value;
    }
  }
  const parsed = listRunsInputSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ParameterError(String(issue?.path[0] ?? "query"), issue?.message ?? "is invalid");
  }
  return parsed.data;
}

/**
 * GET /api/v1/runs — the workspace's runs, newest first, one page at a time:
 * `?workflowId=&versionId=&status=failed,cancelled&trigger=api&from=2026-11-01&to=2026-11-30&waitingForMe=true&q=&limit=50&cursor=`
 * → `{ runs, nextCursor }` (pass `nextCursor` as `cursor` for the next page; null at the end).
 * Credentials: an API key that may read runs, a session, or a trigger token (its workflow's runs only).
 */
export const GET = publicApiRoute(async (request: Request) => {
  try {
    const db = getDb();
    const auth = await requireAccess(db, request, "run:read", { allowTriggerToken: true });
    if (!auth.ok) return auth.response;
    const { access } = auth;
    let input: ListRunsInput;
    try {
      input = inputFromQuery(new URL(request.url).searchParams);
    } catch (error) {
      if (error instanceof ParameterError) return jsonError(400, "invalid_parameter", error.message, { path: error.parameter });
      throw error;
    }
    const page = await listRunsPage(db, access.workspaceId, input, {
      canRespond: can(access, "human:respond"),
      onlyWorkflowId: access.actor.kind === "trigger_token" ? access.actor.workflowId : undefined,
    });
    return Response.json(page);
  } catch (error) {
    return errorResponse(error);
  }
});
