/**
 * Next.js calls `register` once when the server starts: the web process's logs say
 * "agentflow-web", it exports traces when OTEL_EXPORTER_OTLP_ENDPOINT is set
 * (server/ops/tracing.ts), and it hands the production web server the routes it answers ahead
 * of Next (server/http/fast-routes.ts). Node.js only: the edge runtime has none of these.
 */
export async function register(): Promise<void> {
  // Next's own variable, replaced at build time, so the edge bundle never sees these imports
  // (the form Next's instrumentation guide uses; not part of server/env.ts).
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const [{ setLogService }, { initTracing }] = await Promise.all([import("./server/ops/log"), import("./server/ops/tracing")]);
    setLogService("agentflow-web");
    await initTracing("agentflow-web");
    // The trigger, for the production web server to answer ahead of Next (server/http/fast-routes.ts).
    const [{ registerFastRoutes }, { triggerFastRoute }] = await Promise.all([
      import("./server/http/fast-routes"),
      import("./app/api/v1/workflows/[workflowId]/trigger/fast-route"),
    ]);
    registerFastRoutes([triggerFastRoute]);
  }
}
