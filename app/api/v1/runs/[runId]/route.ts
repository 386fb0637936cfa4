import { getDb } from "@/server/db";
import { replay } from "@/server/engine/state";
import { step } from "@/server/engine/step";
import { findReachableRun, getRunEvents } from "@/server/runs/queries";
import { errorResponse, jsonError, requireAccess } from "@/server/http/rest";

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/runs/:runId — status, and the output once finished. Credentials: a trigger
 * token of the run's workflow, an API key with `read`, `trigger` or `control`, or a session.
 * `?events=true` adds the run's event log; `?atSeq=N` adds the run's state as it was at event N
 * (what a fork from there starts from).
 */
export async function GET(request: Request, context: { params: Promise<{ runId: string }> }) {
  try {
    const { runId } = await context.params;
    const db = getDb();
    const auth = await requireAccess(db, request, "run:read", { allowTriggerToken: true });
    if (!auth.ok) return auth.response;
    const { access } = auth;
    const query = new URL(request.url).searchParams;
    const withEvents = query.get("events");
    if (withEvents !== null && withEvents !== "true" && withEvents !== "false") return jsonError(400, "invalid_query", "events must be true or false", { path: "events" });
    const atSeqText = query.get("atSeq");
    const atSeq = atSeqText === null ? null : /^\d{1,10}$/.test(atSeqText) ? Number(atSeqText) : NaN;
    if (atSeq !== null && !(atSeq >= 1)) return jsonError(400, "invalid_query", "atSeq must be the number of an event (1 or more)", { path: "atSeq" });
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
    const events = withEvents === "true" || atSeq !== null ? await getRunEvents(db, run.id) : null;
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
      ...(events && withEvents === "true" ? { events } : {}),
      ...(events && atSeq !== null ? { atSeq, state: replay(events.slice(0, atSeq), step) } : {}),
    });
  } catch (error) {
    return errorResponse(error);
  }
}
