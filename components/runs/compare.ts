import type { CommittedEvent, RunStatus } from "@/server/engine/events";
import type { Graph, NodeKind } from "@/server/engine/graph";
import type { NodeRunStatus, RunState } from "@/server/engine/state";

/**
 * Two runs side by side, node by node: what each did at every node of either graph (a re-run
 * on the latest draft may have nodes the other lacks), and where they differ. Pure, so the
 * compare page and its tests compute exactly the same thing.
 */

export type ComparedRun = { graph: Graph; state: RunState; events: readonly CommittedEvent[] };

export type NodeFacts = {
  status: NodeRunStatus;
  output: unknown;
  /** Prompt + completion tokens of the node's model replies. */
  tokens: number;
  /** USD of the priced model calls; `unpricedCalls` had no known price. */
  costUsd: number;
  unpricedCalls: number;
  /**
   * The node's working time: from each node_started (or the retry or fork that reopened it) to
   * its node_finished / node_failed, summed (loops, retries); null if it never ended.
   */
  durationMs: number | null;
};

export type FieldDiff = { status: boolean; output: boolean; tokens: boolean; cost: boolean; duration: boolean };

export type NodeComparison = {
  nodeId: string;
  label: string;
  kind: NodeKind;
  /** null: the node is not in that run's graph. */
  a: NodeFacts | null;
  b: NodeFacts | null;
  differs: FieldDiff;
  /**
   * The node did something different: its status, output, tokens or cost, or it exists in one
   * run only. Duration alone does not count: two runs of the same step never take the same time.
   */
  changed: boolean;
};

export type RunFacts = { status: RunStatus; tokens: number; costUsd: number; unpricedCalls: number; durationMs: number | null };

export type RunComparison = {
  a: RunFacts;
  b: RunFacts;
  differs: Omit<FieldDiff, "output">;
  nodes: NodeComparison[];
};

/**
 * Durations differ only when a person would notice: by more than a quarter and more than
 * 250 ms. Shared history (a fork's copied prefix) has identical times and never differs.
 */
const DURATION_MIN_MS = 250;
const DURATION_MIN_RATIO = 0.25;
/** Costs are sums of floats: equal up to rounding noise. */
const COST_EPSILON = 1e-9;

export function compareRuns(a: ComparedRun, b: ComparedRun): RunComparison {
  const factsA = nodeFactsOf(a);
  const factsB = nodeFactsOf(b);
  const nodes: NodeComparison[] = [];
  const seen = new Set<string>();
  for (const node of [...a.graph.nodes, ...b.graph.nodes]) {
    if (seen.has(node.id)) continue;
    seen.add(node.id);
    const left = factsA.get(node.id) ?? null;
    const right = factsB.get(node.id) ?? null;
    const differs = diffNode(left, right);
    nodes.push({
      nodeId: node.id,
      label: node.data.label,
      kind: node.type,
      a: left,
      b: right,
      differs,
      changed: left === null || right === null || differs.status || differs.output || differs.tokens || differs.cost,
    });
  }
  const runA = runFactsOf(a);
  const runB = runFactsOf(b);
  return {
    a: runA,
    b: runB,
    differs: {
      status: runA.status !== runB.status,
      tokens: runA.tokens !== runB.tokens,
      cost: costsDiffer(runA, runB),
      duration: durationsDiffer(runA.durationMs, runB.durationMs),
    },
    nodes,
  };
}

function runFactsOf(run: ComparedRun): RunFacts {
  const { state } = run;
  return {
    status: state.status,
    tokens: state.usage.promptTokens + state.usage.completionTokens,
    costUsd: state.usage.costUsd,
    unpricedCalls: state.usage.unpricedCalls ?? 0,
    durationMs: activeDurationMs(run.events, null),
  };
}

/**
 * How long a run worked: from run_started to run_finished, leaving out the time it stood
 * still — a failed run until somebody retried it, and a fork's gap between the parent's
 * events it copied and its own start (which may be days). While the run is still going the
 * open stretch counts up to `now`; without `now` an unfinished run has no duration (null).
 */
export function activeDurationMs(events: readonly CommittedEvent[], now: number | null): number | null {
  let total = 0;
  let since: number | null = null;
  let started = false;
  let previousAt: number | null = null;
  for (const event of events) {
    const at = Date.parse(event.at);
    switch (event.type) {
      case "run_started":
        started = true;
        since = at;
        break;
      case "run_finished":
        if (since !== null) total += Math.max(0, at - since);
        since = null;
        break;
      case "run_retried":
        since = at;
        break;
      case "run_forked":
        // The copied prefix ran until its last event; the fork's own time starts here.
        if (since !== null && previousAt !== null) total += Math.max(0, previousAt - since);
        since = at;
        break;
    }
    previousAt = at;
  }
  if (!started) return null;
  if (since === null) return total;
  return now === null ? null : total + Math.max(0, now - since);
}

/** Facts for every node of the run's graph (nodes the run never reached are "pending"). */
export function nodeFactsOf(run: ComparedRun): Map<string, NodeFacts> {
  const facts = new Map<string, NodeFacts>();
  for (const node of run.graph.nodes) {
    const state = run.state.nodes[node.id];
    facts.set(node.id, { status: state?.status ?? "pending", output: state?.output, tokens: 0, costUsd: 0, unpricedCalls: 0, durationMs: null });
  }
  const openSince = new Map<string, number>();
  const close = (nodeId: string, at: number) => {
    const since = openSince.get(nodeId);
    const fact = facts.get(nodeId);
    if (since === undefined || !fact) return;
    openSince.delete(nodeId);
    fact.durationMs = (fact.durationMs ?? 0) + Math.max(0, at - since);
  };
  let previousAt: number | null = null;
  for (const event of run.events) {
    const at = Date.parse(event.at);
    const lastAt = previousAt ?? at;
    previousAt = at;
    if (event.type === "run_retried" || event.type === "run_forked") {
      // Reopened nodes work again from here (an agent goes on without a new node_started);
      // what they did before counts up to the event before this one.
      for (const nodeId of event.nodeIds) {
        close(nodeId, lastAt);
        if (facts.has(nodeId)) openSince.set(nodeId, at);
      }
      continue;
    }
    if (!("nodeId" in event)) continue;
    const fact = facts.get(event.nodeId);
    if (!fact) continue;
    switch (event.type) {
      case "llm_response":
        fact.tokens += event.usage.promptTokens + event.usage.completionTokens;
        if (event.costUsd === null) fact.unpricedCalls += 1;
        else fact.costUsd += event.costUsd;
        break;
      case "node_started":
        openSince.set(event.nodeId, at);
        break;
      case "node_finished":
      case "node_failed":
        close(event.nodeId, at);
        break;
    }
  }
  return facts;
}

function diffNode(a: NodeFacts | null, b: NodeFacts | null): FieldDiff {
  if (a === null || b === null) {
    const one = a !== null || b !== null;
    return { status: one, output: one, tokens: one, cost: one, duration: one };
  }
  return {
    status: a.status !== b.status,
    output: !sameValue(a.output, b.output),
    tokens: a.tokens !== b.tokens,
    cost: costsDiffer(a, b),
    duration: durationsDiffer(a.durationMs, b.durationMs),
  };
}

function costsDiffer(a: { costUsd: number; unpricedCalls: number }, b: { costUsd: number; unpricedCalls: number }): boolean {
  return Math.abs(a.costUsd - b.costUsd) > COST_EPSILON || a.unpricedCalls !== b.unpricedCalls;
}

export function durationsDiffer(a: number | null, b: number | null): boolean {
  if (a === null || b === null) return a !== b;
  const gap = Math.abs(a - b);
  return gap > DURATION_MIN_MS && gap > DURATION_MIN_RATIO * Math.max(a, b);
}

/** Deep equality of JSON values, whatever the order of object keys; "no output" (undefined) equals null. */
export function sameValue(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  if (value === undefined || value === null) return "null";
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonical(item)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}
