import { getDb } from "@/server/db";
import { jsonError } from "@/server/http/rest";
import { parseResumeCursor, streamRunEvents } from "@/server/streams/run-event-stream";
import { anonymousViewerKey } from "@/server/streams/viewer-limits";

export const dynamic = "force-dynamic";

/**
 * Server-Sent Events of one run, resumable with `Last-Event-ID` (or `?after=<seq>`).
 * The streaming itself — shared Redis wake-ups, reads from the Postgres log, the per-viewer
 * limit — is in server/streams/run-event-stream.ts.
 */
export async function GET(request: Request, context: { params: Promise<{ runId: string }> }) {
  const { runId } = await context.params;
  const db = getDb();
  const run = await db.run.findUnique({ where: { id: runId }, select: { id: true } });
  if (!run) return jsonError(404, "not_found", `Run ${runId} not found`);

  return streamRunEvents({
    db,
    runId,
    afterSeq: parseResumeCursor(request),
    // Until requests are authenticated; then the signed-in user's or API key's id.
    viewerKey: anonymousViewerKey(request),
    signal: request.signal,
  });
}
