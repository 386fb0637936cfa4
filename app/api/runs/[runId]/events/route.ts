import { getDb } from "@/server/db";
import { findReachableRun } from "@/server/runs/queries";
import { getEnv } from "@/server/env";
import { errorResponse, jsonError, requireAccess } from "@/server/http/rest";
import { parseResumeCursor, streamRunEvents } from "@/server/streams/run-event-stream";

export const dynamic = "force-dynamic";

/**
 * Server-Sent Events of one run, resumable with `Last-Event-ID` (or `?after=<seq>`).
 * Credentials: a session (the browser's EventSource sends the cookie), an API key that may
 * read runs, or a trigger token of the run's workflow. The streaming itself — shared Redis
 * wake-ups, reads from the Postgres log, the per-viewer limit — is in server/streams.
 */
export async function GET(request: Request, context: { params: Promise<{ runId: string }> }) {
  // A store outage before the stream opens is a 503 with Retry-After (errorResponse), not a 500.
  return openRunStream(request, context).catch(errorResponse);
}

async function openRunStream(request: Request, context: { params: Promise<{ runId: string }> }): Promise<Response> {
  const { runId } = await context.params;
  const db = getDb();
  const auth = await requireAccess(db, request, "run:read", { allowTriggerToken: true });
  if (!auth.ok) return auth.response;
  const { access } = auth;
  const run = await findReachableRun(db, access, runId, { id: true });
  if (!run) return jsonError(404, "not_found", `Run ${runId.slice(0, 100)} not found`);

  return streamRunEvents({
    db,
    runId,
    afterSeq: parseResumeCursor(request),
    // Open streams are counted per person or key, whoever holds them.
    viewerKey: `${access.actor.kind}:${access.actor.kind === "system" ? "system" : access.actor.id}`,
    limit: getEnv().MAX_STREAMS_PER_VIEWER,
    signal: request.signal,
  });
}
