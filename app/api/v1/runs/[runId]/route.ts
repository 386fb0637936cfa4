import { getDb } from "@/server/db";
import { replay } from "@/server/engine/state";
import { step } from "@/server/engine/step";
import { findReachableRun, getRunEvents } from "@/server/runs/queries";
import { errorResponse, jsonError, requireAccess } from "@/server/http/rest";
import { getRunQuerySchema, MAX_EVENTS_PAGE } from "@/server/http/api-schemas";
import { publicApiRoute } from "@/server/http/public-api";

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/runs/:runId — status, and the output once finished. Credentials: a trigger
 * token of the run's workflow, an API key with `read`, `trigger` or `control`, or a session.
 * `?events=true` adds the run's event log a page at a time (`eventsAfter`, `eventsLimit` ≤ 1000;
 * `nextEventsAfter` names the next page); `?atSeq=N` adds the run's state as it was at event N
 * (what a fork from there starts from).
 */
export const GET = publicApiRoute(async (request: Request, context: { params: Promise<{ runId: string }> }) => {
  try {
    const { runId } = await context.params;
    const db = getDb();
    const auth = await requireAccess(db, request, "run:read", { allowTriggerToken: true });
    if (!auth.ok) return auth.response;
    const { access } = auth;
    const parsedQuery = getRunQuerySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
    if (!parsedQuery.success) {
      const issue = parsedQuery.error.issues[0];
      const path = String(issue?.path[0] ?? "query");
      return jsonError(400, "invalid_query", `${path} ${issue?.message ?? "is invalid"}`, { path });
    }
    const query = parsedQuery.data;
    const withEvents = query.events === "true";
    const atSeq = query.atSeq ?? null;
    const run = await findReachableRun(db, access, runId, {
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
      parentRunId: true,
      origin: true,
      forkedAtSeq: true,
      lastSeq: true,
    });
    if (!run) return jsonError(404, "not_found", `Run ${runId.slice(0, 100)} not found`);
    if (atSeq !== null && atSeq > run.lastSeq) return jsonError(400, "invalid_query", `atSeq must be at most ${run.lastSeq}, the run's last event`, { path: "atSeq" });
    // A page of the log (`events=true`), and/or the whole prefix a state at `atSeq` is replayed from.
    const eventsAfter = query.eventsAfter ?? 0;
    const eventsLimit = query.eventsLimit ?? MAX_EVENTS_PAGE;
    const page = withEvents ? await getRunEvents(db, run.id, eventsAfter, eventsLimit) : null;
    const prefix = atSeq !== null ? await getRunEvents(db, run.id, 0, atSeq) : null;
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
      parentRunId: run.parentRunId,
      origin: run.origin,
      forkedAtSeq: run.forkedAtSeq,
      ...(finished ? { output: run.output, error: run.error } : {}),
      ...(page ? { events: page, nextEventsAfter: page.length === eventsLimit && (page.at(-1)?.seq ?? 0) < run.lastSeq ? (page.at(-1)?.seq ?? null) : null } : {}),
      ...(prefix && atSeq !== null ? { atSeq, state: replay(prefix, step) } : {}),
    });
  } catch (error) {
    return errorResponse(error);
  }
});
