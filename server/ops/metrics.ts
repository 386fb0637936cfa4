import { AggregatorRegistry, Counter, Histogram, Registry, collectDefaultMetrics, type MetricObjectWithValues, type MetricValue } from "prom-client";
import type { CommittedEvent } from "../engine/events";
import { componentLog, errorFields } from "./log";
import type { RunState } from "../engine/state";

/**
 * Prometheus metrics of one process (web or worker), written by tiny hooks on the hot path and
 * read by GET /api/metrics (server/ops/metrics-scrape.ts merges in the workers' series, which
 * they push to Redis: server/ops/metrics-push.ts).
 *
 * Labels: `workspace` and `workflow` are ids (bounded by what exists); provider, model and tool
 * names come from builders' graphs and model answers, so each is capped per process
 * (`boundedLabel`). Never a run, node or task id: one series per run would grow without end.
 * Every series that carries tenant data has a `workspace` label, which is how a workspace's
 * metrics-scoped API key is shown only its own (metrics-scrape.ts).
 */

/** Seconds: a step is a model or tool call or a person's answer, so it spans ms to days. */
const STEP_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1_800, 3_600, 86_400];
const RUN_BUCKETS = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3_600, 14_400, 86_400, 604_800];
const MODEL_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120];

export type AppMetrics = {
  registry: Registry;
  runsStarted: Counter<"workspace" | "workflow" | "trigger">;
  runsFinished: Counter<"workspace" | "workflow" | "status">;
  runDuration: Histogram<"workspace" | "workflow" | "status">;
  stepDuration: Histogram<"workspace" | "workflow" | "outcome">;
  modelCallDuration: Histogram<"workspace" | "provider" | "model" | "outcome">;
  modelTokens: Counter<"workspace" | "provider" | "model" | "kind">;
  modelCost: Counter<"workspace" | "provider" | "model">;
  modelUnpricedCalls: Counter<"workspace" | "provider" | "model">;
  toolCalls: Counter<"workspace" | "tool" | "outcome">;
  memoryTrims: Counter;
};

function createAppMetrics(): AppMetrics {
  const registry = new Registry();
  // Process metrics and event-loop lag (nodejs_eventloop_lag_*), per process.
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    runsStarted: new Counter({ name: "agentflow_runs_started_total", help: "Runs started (new, re-run, fork, child).", labelNames: ["workspace", "workflow", "trigger"], registers }),
    runsFinished: new Counter({ name: "agentflow_runs_finished_total", help: "Runs that reached a final status.", labelNames: ["workspace", "workflow", "status"], registers }),
    runDuration: new Histogram({ name: "agentflow_run_duration_seconds", help: "From a run's start to its final status.", labelNames: ["workspace", "workflow", "status"], buckets: RUN_BUCKETS, registers }),
    stepDuration: new Histogram({ name: "agentflow_step_duration_seconds", help: "From a node's start to its end (succeeded or failed).", labelNames: ["workspace", "workflow", "outcome"], buckets: STEP_BUCKETS, registers }),
    modelCallDuration: new Histogram({ name: "agentflow_model_call_duration_seconds", help: "Latency of committed model calls (retries included), by outcome.", labelNames: ["workspace", "provider", "model", "outcome"], buckets: MODEL_BUCKETS, registers }),
    modelTokens: new Counter({ name: "agentflow_model_tokens_total", help: "Tokens of committed model answers.", labelNames: ["workspace", "provider", "model", "kind"], registers }),
    modelCost: new Counter({ name: "agentflow_model_cost_usd_total", help: "USD of committed model answers whose price is known.", labelNames: ["workspace", "provider", "model"], registers }),
    modelUnpricedCalls: new Counter({ name: "agentflow_model_unpriced_calls_total", help: "Committed model answers of unknown price (not in the cost).", labelNames: ["workspace", "provider", "model"], registers }),
    toolCalls: new Counter({ name: "agentflow_tool_calls_total", help: "Committed tool results by tool and outcome.", labelNames: ["workspace", "tool", "outcome"], registers }),
    memoryTrims: new Counter({ name: "agentflow_worker_memory_trims_total", help: "Times a worker, quiet after a burst of jobs, handed its heap's free pages back to the OS (server/ops/idle-trim.ts).", registers }),
  };
}

// On globalThis: Next may load this module once per route bundle, and every route must count
// into (and /api/metrics read) the same registry.
const globalForMetrics = globalThis as unknown as { agentflowMetrics?: AppMetrics; agentflowMetricLabels?: Map<string, Set<string>> };

export function appMetrics(): AppMetrics {
  globalForMetrics.agentflowMetrics ??= createAppMetrics();
  return globalForMetrics.agentflowMetrics;
}

/** Distinct values kept per label before the rest are counted as "other". */
const LABEL_LIMITS = { provider: 100, model: 300, tool: 300, workflow: 5_000 } as const;

/**
 * A label value safe to keep: printable, short, and one of the first LABEL_LIMITS[name]
 * values this process saw — a model that invents tool names cannot make series without end.
 */
export function boundedLabel(name: keyof typeof LABEL_LIMITS, value: string): string {
  const clean = value.replace(/[^\w.:/@-]/g, "_").slice(0, 100) || "unknown";
  globalForMetrics.agentflowMetricLabels ??= new Map();
  let seen = globalForMetrics.agentflowMetricLabels.get(name);
  if (!seen) globalForMetrics.agentflowMetricLabels.set(name, (seen = new Set()));
  if (seen.has(clean)) return clean;
  if (seen.size >= LABEL_LIMITS[name]) return "other";
  seen.add(clean);
  return clean;
}

function secondsBetween(from: string | undefined, to: string): number | null {
  if (!from) return null;
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) && ms >= 0 ? ms / 1_000 : null;
}

const metricsLog = componentLog("metrics");

/** Never lets a metric break what it measures. */
function safely(record: () => void): void {
  try {
    record();
  } catch (error) {
    metricsLog.error(errorFields(error), "recording a metric failed");
  }
}

/** A run was inserted (server/runs/commit.ts insertRun, child-runs.ts). */
export function recordRunStarted(run: { workspaceId: string; workflowId: string; trigger: string }): void {
  safely(() => {
    appMetrics().runsStarted.inc({ workspace: run.workspaceId, workflow: boundedLabel("workflow", run.workflowId), trigger: run.trigger.slice(0, 40) });
  });
}

/**
 * Events just committed to a run (server/runs/commit.ts commitEvents): counted once each, since a
 * commit is guarded by the run's last seq — a step repeated after a crash is committed once,
 * so a model answer paid twice would show here twice and one committed once, once.
 */
export function recordCommittedEvents(run: { workspaceId: string; workflowId: string }, before: RunState, after: RunState, events: readonly CommittedEvent[]): void {
  safely(() => {
    const metrics = appMetrics();
    // Never capped: an "other" workspace would mix tenants, and a key is shown its own by this label.
    const workspace = run.workspaceId;
    const workflow = boundedLabel("workflow", run.workflowId);
    const nodeStarts = new Map<string, string | undefined>();
    const startOf = (nodeId: string) => (nodeStarts.has(nodeId) ? nodeStarts.get(nodeId) : before.nodes[nodeId]?.startedAt);
    for (const event of events) {
      switch (event.type) {
        case "node_started":
          nodeStarts.set(event.nodeId, event.at);
          break;
        case "node_finished":
        case "node_failed": {
          const seconds = secondsBetween(startOf(event.nodeId), event.at);
          if (seconds !== null) metrics.stepDuration.observe({ workspace, workflow, outcome: event.type === "node_finished" ? "succeeded" : "failed" }, seconds);
          break;
        }
        case "llm_response":
        case "llm_error": {
          const labels = { workspace, provider: boundedLabel("provider", event.provider), model: boundedLabel("model", event.model) };
          metrics.modelCallDuration.observe({ ...labels, outcome: event.type === "llm_response" ? "ok" : "error" }, event.latencyMs / 1_000);
          if (event.type === "llm_response") {
            metrics.modelTokens.inc({ ...labels, kind: "prompt" }, event.usage.promptTokens);
            metrics.modelTokens.inc({ ...labels, kind: "completion" }, event.usage.completionTokens);
            if (event.costUsd === null) metrics.modelUnpricedCalls.inc(labels);
            else metrics.modelCost.inc(labels, event.costUsd);
          }
          break;
        }
        case "tool_result":
          metrics.toolCalls.inc({ workspace, tool: boundedLabel("tool", event.name), outcome: event.ok ? "ok" : "error" });
          break;
        case "run_finished": {
          metrics.runsFinished.inc({ workspace, workflow, status: event.status });
          const seconds = secondsBetween(after.startedAt, event.at);
          if (seconds !== null) metrics.runDuration.observe({ workspace, workflow, status: event.status }, seconds);
          break;
        }
        default:
          break;
      }
    }
  });
}

export type MetricsJson = MetricObjectWithValues<MetricValue<string>>[];

/**
 * Sources (this process, each worker's pushed snapshot, the scrape-time gauges) merged into one
 * Prometheus text. Each source's series are already told apart by their labels (a worker's carry
 * `worker`), so the merge is a union: every metric is summed per exact label set, which for
 * distinct sets keeps each series as it is — a worker's counter resets stay its own.
 */
export async function mergeMetrics(sources: readonly MetricsJson[]): Promise<{ text: string; contentType: string }> {
  const asUnion = sources.map((metrics) => metrics.map((metric) => ({ ...metric, aggregator: "sum" as const })));
  const merged = AggregatorRegistry.aggregate(asUnion);
  return { text: await merged.metrics(), contentType: merged.contentType };
}

/** Adds `labels` to every series of `metrics` (a worker's snapshot gets `worker=<id>`). */
export function withLabels(metrics: MetricsJson, labels: Record<string, string>): MetricsJson {
  return metrics.map((metric) => ({ ...metric, values: metric.values.map((value) => ({ ...value, labels: { ...value.labels, ...labels } })) }));
}

/** Only series without tenant data or of `workspaceId` (a workspace's metrics-scoped key). */
export function onlyWorkspace(metrics: MetricsJson, workspaceId: string): MetricsJson {
  return metrics.map((metric) => ({ ...metric, values: metric.values.filter((value) => value.labels.workspace === undefined || value.labels.workspace === workspaceId) }));
}
