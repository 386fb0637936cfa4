import { getDb } from "@/server/db";
import { getEnv } from "@/server/env";
import { errorResponse, requireAccess } from "@/server/http/rest";
import { streamWorkspaceFeed } from "@/server/streams/workspace-feed-stream";
import { streamViewerKey } from "@/server/streams/viewer-limits";

export const dynamic = "force-dynamic";

/**
 * Server-Sent Events of the caller's workspace: a `run-change` event whenever one of its
 * runs changes status (see server/streams/workspace-feed.ts). Credentials: a session (the
 * browser's EventSource sends the cookie) or an API key that may read runs; a trigger token
 * follows only its own runs, on their own streams. The workspace is the one the credential
 * resolves to — there is no parameter to name another.
 */
export async function GET(request: Request) {
  // A store outage before the stream opens is a 503 with Retry-After (errorResponse), not a 500.
  return openWorkspaceFeed(request).catch(errorResponse);
}

async function openWorkspaceFeed(request: Request): Promise<Response> {
  const db = getDb();
  const auth = await requireAccess(db, request, "run:read", { allowTriggerToken: false });
  if (!auth.ok) return auth.response;
  const { access } = auth;
  return streamWorkspaceFeed({
    workspaceId: access.workspaceId,
    // Counted with the viewer's run streams: one limit per person or key.
    viewerKey: streamViewerKey(access),
    limit: getEnv().MAX_STREAMS_PER_VIEWER,
    signal: request.signal,
  });
}
