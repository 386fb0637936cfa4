import { getDb } from "@/server/db";
import { createSubscriber, runChannel } from "@/server/events";
import { getRunEvents } from "@/server/runs/queries";
import { jsonError } from "@/server/http/rest";

export const dynamic = "force-dynamic";

const HEARTBEAT_MS = 15_000;

/**
 * Server-Sent Events of one run, resumable with `Last-Event-ID` (the event's seq).
 * Redis messages only wake the stream; events are always read from the Postgres log, so a
 * missed or reordered notification can never make the client skip an event.
 */
export async function GET(request: Request, context: { params: Promise<{ runId: string }> }) {
  const { runId } = await context.params;
  const db = getDb();
  const run = await db.run.findUnique({ where: { id: runId }, select: { id: true } });
  if (!run) return jsonError(404, "not_found", `Run ${runId} not found`);

  const url = new URL(request.url);
  const resumeFrom = Number(request.headers.get("last-event-id") ?? url.searchParams.get("after") ?? 0);
  let lastSent = Number.isFinite(resumeFrom) && resumeFrom > 0 ? Math.floor(resumeFrom) : 0;
  const subscriber = createSubscriber();
  const encoder = new TextEncoder();
  let closed = false;
  let heartbeat: ReturnType<typeof setInterval> | undefined;

  const cleanup = () => {
    if (closed) return;
    closed = true;
    if (heartbeat) clearInterval(heartbeat);
    subscriber.disconnect();
  };

  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      const finish = () => {
        cleanup();
        try {
          controller.close();
        } catch {
          // already closed by the client
        }
      };
      // Reads are chained so two wake-ups never send the same event twice.
      let pumping: Promise<void> = Promise.resolve();
      const pump = () => {
        pumping = pumping.then(async () => {
          if (closed) return;
          const events = await getRunEvents(db, runId, lastSent);
          for (const event of events) {
            if (closed) return;
            lastSent = event.seq;
            controller.enqueue(encoder.encode(`id: ${event.seq}\nevent: run-event\ndata: ${JSON.stringify(event)}\n\n`));
            if (event.type === "run_finished") return finish();
          }
        }).catch((error: unknown) => {
          console.error("[sse] pump failed", error);
          finish();
        });
      };
      subscriber.on("message", pump);
      await subscriber.subscribe(runChannel(runId));
      controller.enqueue(encoder.encode("retry: 2000\n\n"));
      heartbeat = setInterval(() => {
        if (!closed) controller.enqueue(encoder.encode(": ping\n\n"));
      }, HEARTBEAT_MS);
      request.signal.addEventListener("abort", cleanup);
      pump();
    },
    cancel: cleanup,
  });

  return new Response(stream, {
    headers: { "content-type": "text/event-stream", "cache-control": "no-cache, no-transform", connection: "keep-alive", "x-accel-buffering": "no" },
  });
}
