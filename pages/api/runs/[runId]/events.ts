import type { IncomingMessage, ServerResponse } from "node:http";
import { getDb } from "@/server/db";
import { getEnv } from "@/server/env";
import { fetchRequestOf, sendFetchResponse } from "@/server/http/node-bridge";
import { errorResponse, jsonError, requireAccess } from "@/server/http/rest";
import { findReachableRun } from "@/server/runs/queries";
import { parseResumeCursor, streamRunEvents } from "@/server/streams/run-event-stream";
import { nodeResponder } from "@/server/streams/sse";
import { streamViewerKey } from "@/server/streams/viewer-limits";

/**
 * Server-Sent Events of one run, resumable with `Last-Event-ID` (or `?after=<seq>`).
 * Credentials: a session (the browser's EventSource sends the cookie), an API key that may
 * read runs, or a trigger token of the run's workflow. The streaming itself — shared Redis
 * wake-ups, reads from the Postgres log, the per-viewer limit — is in server/streams.
 *
 * A pages/api route, unlike every other route of the app, on purpose: it is the one that writes
 * to many sockets at once (every viewer of a run gets each commit), and a pages/api route gets
 * node's own response to write on, where an App Router route hands Next a web stream that costs
 * about twice as much per frame to reach the socket (server/streams/sse.ts, `writeSseStream`).
 * Next's proxy (proxy.ts) runs before it like before any route. It is a plain node handler, so
 * tests and benches serve it on a node:http server as it is.
 *
 * Nothing it imports may `import "server-only"`: pages/ is bundled without the react-server
 * condition, where that package throws when loaded (the e2e run tests fail with a 500).
 */
export const config = {
  // No body to read; the stream is long and large on purpose; it answers on its own schedule.
  api: { bodyParser: false, responseLimit: false, externalResolver: true },
};

export default async function runEvents(req: IncomingMessage, res: ServerResponse): Promise<void> {
  // The id is the path's third segment; Next matched the route on it already.
  const url = new URL(req.url ?? "/", "http://localhost");
  let runId = "";
  try {
    runId = decodeURIComponent(url.pathname.split("/")[3] ?? "");
  } catch {
    // a malformed escape names no run: 404 below
  }
  if (req.method !== "GET") {
    return sendFetchResponse(res, jsonError(405, "method_not_allowed", `${String(req.method).slice(0, 20)} is not allowed here: use GET`, { headers: { allow: "GET" } }));
  }
  // Aborted when the client goes away, like a route handler's request.signal.
  const request = fetchRequestOf(req, res, url.origin, Buffer.alloc(0));
  try {
    await openRunStream(request, res, runId);
  } catch (error) {
    // A store outage before the stream opens is a 503 with Retry-After (errorResponse), not a 500.
    if (!res.headersSent) await sendFetchResponse(res, errorResponse(error));
    else res.destroy();
  }
}

async function openRunStream(request: Request, res: ServerResponse, runId: string): Promise<void> {
  const db = getDb();
  const auth = await requireAccess(db, request, "run:read", { allowTriggerToken: true });
  if (!auth.ok) return sendFetchResponse(res, auth.response);
  const { access } = auth;
  const run = await findReachableRun(db, access, runId, { id: true });
  if (!run) return sendFetchResponse(res, jsonError(404, "not_found", `Run ${runId.slice(0, 100)} not found`));

  await streamRunEvents({
    db,
    respond: nodeResponder(res),
    runId,
    afterSeq: parseResumeCursor(request),
    viewerKey: streamViewerKey(access),
    limit: getEnv().MAX_STREAMS_PER_VIEWER,
    signal: request.signal,
  });
}
