import { graphSchema, type Graph } from "../engine/graph";
import { validateGraph, type GraphProblem } from "../engine/validate";
import { providerProblems } from "../llm/check-providers";
import { mcpServerProblems } from "../mcp-client/check-servers";
import { checkRunInput, runInputErrorPath } from "../engine/run-input";
import type { Db } from "../db";
import { InvalidWorkflowError, NotFoundError, UserInputError } from "../errors";
import { newId } from "../ids";
import { assertStorable } from "../json";
import { enqueueAdvance } from "../queue";
import { latestVersion, snapshotVersion } from "../workflows/versions";
import { checkedVersion, latestPublished } from "./pinned-graph";
import { insertRun } from "./commit";
import { decide } from "../engine/decide";
import { isTerminalStatus, type CommittedEvent } from "../engine/events";
import { MAX_EVENTS_PER_COMMIT, pureEventsUntilIo } from "../engine/settle";
import { initialRunState, type RunState } from "../engine/state";
import { step } from "../engine/step";
import { openRunTrace } from "../ops/tracing";
import { assertBudgetAllowsStart } from "../ops/budgets";

import type { RunTrigger } from "../../lib/run-triggers";

export type { RunTrigger };

/** The new run; `finished` is its final state when it ended as it started (no I/O to wait for). */
export type StartedRun = { runId: string; finished: RunState | null };

/** A re-run names the run it repeats, and which graph it runs: that run's pinned version, or today's. */
export type RunLineage = { parentRunId: string; origin: "rerun"; versionId?: string };

/** The trigger's input fields decide what a run accepts; bad input is refused naming the field. */
export function checkedInput(graph: Graph, input: unknown): unknown {
  const trigger = graph.nodes.find((node) => node.type === "trigger");
  if (trigger?.type !== "trigger") return input;
  const checked = checkRunInput(trigger.data.inputFields, input);
  if (!checked.ok) throw new UserInputError(checked.message, runInputErrorPath(checked.field));
  return checked.value;
}

/**
 * Starts a run of a workflow's saved draft (or, for the REST trigger and MCP, its latest
 * published version when it has one, else the draft while it is valid, else the latest
 * version; for a re-run of the same version, that version): checks the graph
 * and the input, pins an immutable version, commits the run with its first event
 * (`run_started`) and the pure steps after it, and enqueues it — or, when it needs no I/O at
 * all, ends it in that same statement (`finished`). The run row exists before the job does, so
 * a lost job can be re-enqueued from the database.
 */
export async function startRun(
  db: Db,
  params: {
    workspaceId: string;
    workflowId: string;
    input: unknown;
    trigger: RunTrigger;
    startedBy: string;
    lineage?: RunLineage;
    /** Chosen by a caller that must watch the run before it exists (the sync trigger). */
    runId?: string;
    /** Awaited after the run is committed and before its job is queued: nothing can happen to it yet. */
    beforeEnqueue?: () => Promise<void>;
  },
): Promise<StartedRun> {
  assertStorable(params.input, "input");
  // The monthly budgets, the workspace's and the workflow's (402 when spent); child runs start elsewhere (child-runs.ts) and are never refused.
  await assertBudgetAllowsStart(db, params.workspaceId, params.workflowId);
  const pinned = await pinGraph(db, params);
  // Graph problems, and agents whose model provider this workspace cannot use (not configured, or unsupported).
  const [providers, mcpServers] = await Promise.all([providerProblems(db, params.workspaceId, pinned.graph), mcpServerProblems(db, params.workspaceId, pinned.graph)]);
  const errors = [...pinned.graphErrors, ...providers, ...mcpServers];
  if (errors.length > 0) {
    throw new InvalidWorkflowError(`The workflow has ${errors.length} problem(s): ${errors.map((p) => p.message).join("; ")}`, errors);
  }
  const input = checkedInput(pinned.graph, params.input ?? null);
  const versionId = pinned.versionId ?? (await snapshotVersion(db, params.workflowId, pinned.graph)).id;
  const runId = params.runId ?? newId("run");
  // The run's trace starts here; its context is stored with the run for the worker (server/ops/tracing.ts).
  const runTrace = openRunTrace({ runId, workspaceId: params.workspaceId, workflowId: params.workflowId, trigger: params.trigger });
  // The run's pure steps up to its first I/O (or its end, when it needs none) go in with it.
  const started: CommittedEvent = { type: "run_started", input: input ?? null, seq: 1, at: new Date().toISOString() };
  const startedState = step(initialRunState(), started);
  const settled = pureEventsUntilIo(pinned.graph, startedState, decide(pinned.graph, startedState), MAX_EVENTS_PER_COMMIT).events;
  const state = await insertRun({
    runId,
    workspaceId: params.workspaceId,
    workflowId: params.workflowId,
    versionId,
    trigger: params.trigger,
    startedBy: params.startedBy,
    events: [started],
    settled,
    ...(params.lineage ? { lineage: { parentRunId: params.lineage.parentRunId, origin: params.lineage.origin } } : {}),
    ...(runTrace.traceparent ? { traceparent: runTrace.traceparent } : {}),
  }).catch((error: unknown) => {
    runTrace.end(error);
    throw error;
  });
  // A run with nothing to wait for (trigger → router → output) ended in that statement: a
  // worker would only have committed the same events, a queue round trip later.
  if (isTerminalStatus(state.status)) {
    runTrace.end();
    return { runId, finished: state };
  }
  await params.beforeEnqueue?.();
  await enqueueAdvance(runId, state.lastSeq);
  runTrace.end();
  return { runId, finished: null };
}

/** The graph a run starts on; `versionId: null` means the draft, snapshotted once it passed the checks. */
type PinnedGraph = { graph: Graph; graphErrors: GraphProblem[]; versionId: string | null };

async function pinGraph(db: Db, params: { workspaceId: string; workflowId: string; trigger: RunTrigger; lineage?: RunLineage }): Promise<PinnedGraph> {
  const notFound = () => new NotFoundError(`Workflow ${params.workflowId}`);
  if (params.lineage?.versionId) {
    // A re-run of the same version: that version, if it belongs to this workflow of this workspace.
    const [workflow, version] = await Promise.all([
      db.workflow.findFirst({ where: { id: params.workflowId, workspaceId: params.workspaceId }, select: { id: true } }),
      checkedVersion(params.lineage.versionId),
    ]);
    if (!workflow) throw notFound();
    if (version?.workflowId === workflow.id) return { graph: version.graph, graphErrors: version.graphErrors, versionId: version.id };
  } else if (params.trigger === "api" || params.trigger === "schedule") {
    // Other systems run what was published (like a production webhook); the editor runs the draft.
    const published = await latestPublished(params.workspaceId, params.workflowId);
    if (!published) throw notFound();
    if (published.version) return { graph: published.version.graph, graphErrors: published.version.graphErrors, versionId: published.version.id };
    // A schedule runs only what was published, never the draft being edited.
    if (params.trigger === "schedule") throw new UserInputError("The workflow has no published version: a schedule runs only the published version", "workflowId");
  }
  const workflow = await db.workflow.findFirst({ where: { id: params.workflowId, workspaceId: params.workspaceId }, select: { draftGraph: true } });
  if (!workflow) throw notFound();
  const graph = graphSchema.parse(workflow.draftGraph);
  const graphErrors = validateGraph(graph, { workflowId: params.workflowId }).filter((problem) => problem.severity === "error");
  if (params.trigger === "api" && graphErrors.length > 0) {
    // Before a first publish the API runs the draft only while it is valid: an autosaved,
    // half-finished edit must not break a live integration when a version that passed the
    // checks exists (every snapshot did when it was made). See releaseState in versions.ts.
    const latest = await latestVersion(db, params.workflowId);
    const version = latest ? await checkedVersion(latest.id) : null;
    if (version) return { graph: version.graph, graphErrors: version.graphErrors, versionId: version.id };
  }
  return { graph, graphErrors, versionId: null };
}
