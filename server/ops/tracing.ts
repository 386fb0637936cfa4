import { context, isSpanContextValid, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span, type Tracer } from "@opentelemetry/api";
import type { Effect } from "../engine/decide";
import type { RunEvent } from "../engine/events";
import { getOpsEnv } from "../env";
import { bindLogContext, componentLog, errorFields, redactSecrets, withLogContext } from "./log";

/**
 * OpenTelemetry traces, one trace per run: the start (REST trigger, tRPC, MCP, schedule) opens
 * the root span and its W3C `traceparent` is stored on the Run row; every worker job of the run
 * continues that trace with a span of its own (queue wait as an attribute and a child span),
 * under which each model call (GenAI semantic conventions) and tool call gets a span.
 *
 * On only when OTEL_EXPORTER_OTLP_ENDPOINT is set (OTLP over HTTP/JSON, batched). Off, the SDK
 * is never loaded: the API's no-op tracer answers, and nothing is stored on the run.
 */

type TracerProviderLike = { forceFlush(): Promise<void>; shutdown(): Promise<void> };

const globalForTracing = globalThis as unknown as { agentflowTracing?: { provider: TracerProviderLike; tracer: Tracer } };
const logger = componentLog("tracing");
/** Lines about a run's jobs and calls (their ids come from the job's log context). */
const runLog = componentLog("runs");

/** The attributes' namespace for what OpenTelemetry has no convention for. */
const ATTR = {
  runId: "agentflow.run.id",
  workspaceId: "agentflow.workspace.id",
  workflowId: "agentflow.workflow.id",
  trigger: "agentflow.run.trigger",
  nodeId: "agentflow.node.id",
  status: "agentflow.run.status",
  committedEvents: "agentflow.run.committed_events",
  queueWaitMs: "agentflow.queue.wait_ms",
  costUsd: "agentflow.llm.cost_usd",
} as const;

function tracer(): Tracer | undefined {
  return globalForTracing.agentflowTracing?.tracer;
}

/**
 * Starts exporting when OTEL_EXPORTER_OTLP_ENDPOINT is set (web: instrumentation.ts; worker:
 * workers/main.ts; once per process). Registers the global provider, so async context follows
 * each job into its model and tool calls.
 */
export async function initTracing(serviceName: string): Promise<boolean> {
  if (globalForTracing.agentflowTracing) return true;
  const endpoint = getOpsEnv().OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint) return false;
  const [{ NodeTracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }, { resourceFromAttributes }, { ATTR_SERVICE_NAME }] = await Promise.all([
    import("@opentelemetry/sdk-trace-node"),
    import("@opentelemetry/exporter-trace-otlp-http"),
    import("@opentelemetry/resources"),
    import("@opentelemetry/semantic-conventions"),
  ]);
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, "")}/v1/traces` }))],
  });
  provider.register();
  globalForTracing.agentflowTracing = { provider, tracer: trace.getTracer("agentflow") };
  logger.info({ endpoint, service: serviceName }, "exporting traces");
  return true;
}

/** Sends the spans still batched (before a test reads the collector, or the process exits). */
export async function flushTracing(): Promise<void> {
  await globalForTracing.agentflowTracing?.provider.forceFlush();
}

/**
 * Sends the spans still batched and stops exporting. Never throws: a collector that is away at
 * shutdown costs those spans (logged), not a clean exit (the worker's stop ends in process.exit(0)).
 */
export async function shutdownTracing(): Promise<void> {
  const tracing = globalForTracing.agentflowTracing;
  globalForTracing.agentflowTracing = undefined;
  try {
    await tracing?.provider.shutdown();
  } catch (error) {
    logger.warn({ err: error }, "the last spans could not be exported at shutdown");
  }
}

/** The trace id of a stored `traceparent` (`00-<trace id>-<span id>-<flags>`), for the run page. */
export function traceIdOf(traceparent: string | null | undefined): string | null {
  const match = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(traceparent ?? "");
  return match?.[1] ?? null;
}

function contextOf(traceparent: string | null | undefined): Context {
  if (!traceparent) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, { traceparent });
}

function traceparentOf(span: Span): string | undefined {
  const spanContext = span.spanContext();
  if (!isSpanContextValid(spanContext)) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(trace.setSpan(ROOT_CONTEXT, span), carrier);
  return carrier.traceparent;
}

// ── The start of a run ──────────────────────────────────────────────────────────────────
type RunTraceStart = {
  /** Stored on the Run row (insertRun); absent when tracing is off. */
  traceparent?: string;
  /** Ends the root span; `error` marks it failed (the start was refused after it opened). */
  end(error?: unknown): void;
};

const NO_TRACE: RunTraceStart = { end: () => undefined };

/** Opens a run's root span (a child of the request's span, if the web framework made one). */
export function openRunTrace(params: { runId: string; workspaceId: string; workflowId: string; trigger: string }): RunTraceStart {
  const active = tracer();
  if (!active) return NO_TRACE;
  const span = active.startSpan(`run.start ${params.trigger}`, {
    kind: SpanKind.PRODUCER,
    attributes: { [ATTR.runId]: params.runId, [ATTR.workspaceId]: params.workspaceId, [ATTR.workflowId]: params.workflowId, [ATTR.trigger]: params.trigger },
  });
  return {
    traceparent: traceparentOf(span),
    end(error?: unknown) {
      if (error !== undefined) failed(span, error);
      span.end();
    },
  };
}

/**
 * The active span's context, for a run started inside another run's job (a for-each item, a
 * sub-workflow): the child run's jobs then continue its caller's trace.
 */
export function currentTraceparent(): string | undefined {
  if (!tracer()) return undefined;
  const span = trace.getActiveSpan();
  return span ? traceparentOf(span) : undefined;
}

// ── A worker job ────────────────────────────────────────────────────────────────────────
/** What a job knows of its run once it read it (server/runs/load.ts): ids for its lines, the trace to continue. */
export type RunJobIds = { workspaceId: string; workflowId: string; traceparent: string | null };

type RunJob = {
  runId: string;
  jobId: string | undefined;
  /** When the job became due (added, or its delay ran out) and when a worker took it, ms since the epoch. */
  dueAt: number;
  takenAt: number;
  attempt: number;
};

/**
 * Runs one job of a run inside the run's log context (its ids on every line) and, when
 * tracing, inside a span of the run's trace; logs the job's outcome with its timings.
 */
export async function observeRunJob<T extends { status: string; committedEvents: number }>(job: RunJob, ids: RunJobIds, advance: () => Promise<T>): Promise<T> {
  const queueWaitMs = Math.max(0, job.takenAt - job.dueAt);
  // The run's trace id on its lines even where no span is active (or this process does not trace).
  const traceId = traceIdOf(ids.traceparent) ?? undefined;
  return withLogContext({ runId: job.runId, jobId: job.jobId, workspaceId: ids.workspaceId, workflowId: ids.workflowId, traceId }, async () => {
    const active = tracer();
    const started = performance.now();
    if (!active) return logged(await advance());
    const parent = contextOf(ids.traceparent);
    active
      .startSpan("queue.wait", { kind: SpanKind.CONSUMER, startTime: job.dueAt, attributes: { [ATTR.runId]: job.runId, "messaging.destination.name": "runs" } }, parent)
      .end(job.takenAt);
    const span = active.startSpan(
      "run.advance",
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          [ATTR.runId]: job.runId,
          [ATTR.workspaceId]: ids.workspaceId,
          [ATTR.workflowId]: ids.workflowId,
          "messaging.system": "bullmq",
          "messaging.destination.name": "runs",
          "messaging.message.id": job.jobId ?? "",
          [ATTR.queueWaitMs]: queueWaitMs,
          "agentflow.job.attempt": job.attempt,
        },
      },
      parent,
    );
    // A run started without tracing gets a trace of its own per job: its lines name that one.
    bindLogContext({ traceId: span.spanContext().traceId });
    try {
      const outcome = await context.with(trace.setSpan(parent, span), advance);
      span.setAttributes({ [ATTR.status]: outcome.status, [ATTR.committedEvents]: outcome.committedEvents });
      return logged(outcome);
    } catch (error) {
      failed(span, error);
      throw error;
    } finally {
      span.end();
    }

    function logged(outcome: T): T {
      runLog.info({ status: outcome.status, committedEvents: outcome.committedEvents, queueWaitMs, durationMs: Math.round(performance.now() - started) }, "run advanced");
      return outcome;
    }
  });
}

// ── Model and tool calls ────────────────────────────────────────────────────────────────
type ModelCall = Extract<Effect, { kind: "call_llm" }>;
type ToolCall = Extract<Effect, { kind: "call_tool" }>;

/** A model call's span, by the GenAI semantic conventions; a failed call is also logged. */
export async function traceModelCall(effect: ModelCall, call: () => Promise<RunEvent>): Promise<RunEvent> {
  const active = tracer();
  const span = active?.startSpan(`chat ${effect.request.model}`, {
    kind: SpanKind.CLIENT,
    attributes: {
      "gen_ai.operation.name": "chat",
      "gen_ai.system": effect.request.provider,
      "gen_ai.provider.name": effect.request.provider,
      "gen_ai.request.model": effect.request.model,
      "gen_ai.request.temperature": effect.request.temperature,
      [ATTR.nodeId]: effect.nodeId,
    },
  });
  try {
    const event = span ? await context.with(trace.setSpan(context.active(), span), call) : await call();
    if (event.type === "llm_response") {
      span?.setAttributes({
        // The provider that answered (a fallback may have).
        "gen_ai.system": event.provider,
        "gen_ai.provider.name": event.provider,
        "gen_ai.response.model": event.model,
        "gen_ai.usage.input_tokens": event.usage.promptTokens,
        "gen_ai.usage.output_tokens": event.usage.completionTokens,
        ...(event.costUsd !== null ? { [ATTR.costUsd]: event.costUsd } : {}),
      });
    } else if (event.type === "llm_error") {
      span?.setAttributes({ "gen_ai.provider.name": event.provider, "error.type": event.retryable === false ? "permanent" : "retryable" });
      span?.setStatus({ code: SpanStatusCode.ERROR, message: redactSecrets(event.error) });
      runLog.warn({ nodeId: effect.nodeId, provider: event.provider, model: event.model, error: event.error }, "model call failed");
    }
    return event;
  } catch (error) {
    if (span) failed(span, error);
    throw error;
  } finally {
    span?.end();
  }
}

/** A tool call's span (`execute_tool <name>`, with its outcome); a failed call is also logged. */
export async function traceToolCall(effect: ToolCall, call: () => Promise<RunEvent>): Promise<RunEvent> {
  const active = tracer();
  const span = active?.startSpan(`execute_tool ${effect.name}`, {
    kind: SpanKind.INTERNAL,
    attributes: { "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": effect.name, ...(effect.toolCallId ? { "gen_ai.tool.call.id": effect.toolCallId } : {}), [ATTR.nodeId]: effect.nodeId },
  });
  try {
    const event = span ? await context.with(trace.setSpan(context.active(), span), call) : await call();
    if (event.type === "tool_result") {
      span?.setAttribute("agentflow.tool.outcome", event.ok ? "ok" : "error");
      if (!event.ok) {
        span?.setStatus({ code: SpanStatusCode.ERROR });
        // The content was redacted of the call's credentials already (perform-tool.ts); the log's guard is the second line.
        runLog.warn({ nodeId: effect.nodeId, tool: effect.name, error: event.content.slice(0, 2_000) }, "tool call failed");
      }
    }
    return event;
  } catch (error) {
    if (span) failed(span, error);
    runLog.error({ nodeId: effect.nodeId, tool: effect.name, ...errorFields(error) }, "tool call threw");
    throw error;
  } finally {
    span?.end();
  }
}

/** Exported spans leave the process like log lines do: the same guard keeps secrets out of them. */
function failed(span: Span, error: unknown): void {
  const message = redactSecrets(error instanceof Error ? error.message : String(error));
  span.recordException({ name: error instanceof Error ? error.name : "Error", message });
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}
