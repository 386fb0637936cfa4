/**
 * Next.js calls `register` once when the server starts: the web process's logs say
 * "agentflow-web", and it exports traces when OTEL_EXPORTER_OTLP_ENDPOINT is set
 * (server/ops/tracing.ts). Node.js only: the edge runtime has neither.
 */
export async function register(): Promise<void> {
  // Next's own variable, replaced at build time, so the edge bundle never sees these imports
  // (the form Next's instrumentation guide uses; not part of server/env.ts).
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const [{ setLogService }, { initTracing }] = await Promise.all([import("./server/ops/log"), import("./server/ops/tracing")]);
    setLogService("agentflow-web");
    await initTracing("agentflow-web");
  }
}
