// The web process of the chaos harness: the public REST route handlers the harness calls
// (app/api/v1: trigger, the human-task list and answer), served on 127.0.0.1:$CHAOS_WEB_PORT
// by tests/support/rest-server.ts (plain node:http) — the same handlers
// `next start` runs, without needing a fresh `next build` (.next goes stale whenever a source
// changes, and a build takes minutes on 2 cores). Its own process, with its own Postgres pool
// and Redis connection, so store restarts hit it as they hit the real web process.
//
// Run as: node --conditions=react-server --import tsx scripts/chaos.ts --serve-web
// (the run-event hub the trigger imports is marked server-only).
import { startRestServer } from "../../tests/support/rest-server";

export async function serveChaosWeb(): Promise<void> {
  const port = Number(process.env.CHAOS_WEB_PORT);
  if (!Number.isInteger(port) || port <= 0) throw new Error("CHAOS_WEB_PORT must be a port number");
  // A handler that throws instead of answering is what Next would turn into a bare 500.
  const server = await startRestServer({ port, onThrow: (error) => console.error("[chaos-web] handler threw:", error) });
  console.log(`[chaos-web] listening on ${server.url}`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}
