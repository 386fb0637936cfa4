import { graphSchema, type Graph } from "../engine/graph";
import { validateGraph } from "../engine/validate";
import { providerProblems } from "../llm/check-providers";
import { mcpServerProblems } from "../mcp-client/check-servers";
import { checkRunInput, runInputErrorPath } from "../engine/run-input";
import type { Db } from "../db";
import { InvalidWorkflowError, NotFoundError, UserInputError } from "../errors";
import { newId } from "../ids";
import { assertStorable } from "../json";
import { enqueueAdvance } from "../queue";
import { latestPublishedVersion, snapshotVersion } from "../workflows/versions";
import { insertRun } from "./commit";

import type { RunTrigger } from "../../lib/run-triggers";

export type { RunTrigger };

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
 * Starts a run of a workflow's saved draft (or, for the REST trigger, its latest published
 * version when it has one; for a re-run of the same version, that version): checks the graph
 * and the input, pins an immutable version, commits the run with its first event
 * (`run_started`) and enqueues it. The run row exists before the job does, so a lost job can
 * be re-enqueued from the database.
 */
export async function startRun(
  db: Db,
  params: { workspaceId: string; workflowId: string; input: unknown; trigger: RunTrigger; startedBy: string; lineage?: RunLineage },
): Promise<{ runId: string }> {
  assertStorable(params.input, "input");
  const workflow = await db.workflow.findFirst({ where: { id: params.workflowId, workspaceId: params.workspaceId }, select: { id: true, draftGraph: true } });
  if (!workflow) throw new NotFoundError(`Workflow ${params.workflowId}`);
  const pinned = params.lineage?.versionId
    ? await db.workflowVersion.findFirst({ where: { id: params.lineage.versionId, workflowId: workflow.id }, select: { id: true, graph: true } })
    : // Other systems run what was published (like a production webhook); the editor runs the draft.
      params.trigger === "api" || params.trigger === "schedule"
      ? await latestPublishedVersion(db, workflow.id)
      : null;
  // A schedule runs only what was published, never the draft being edited.
  if (params.trigger === "schedule" && !pinned) throw new UserInputError("The workflow has no published version: a schedule runs only the published version", "workflowId");
  const graph = graphSchema.parse(pinned ? pinned.graph : workflow.draftGraph);
  // Graph problems, and agents whose model provider this workspace cannot use (not configured, or unsupported).
  const errors = [...validateGraph(graph).filter((problem) => problem.severity === "error"), ...(await providerProblems(db, params.workspaceId, graph)), ...(await mcpServerProblems(db, params.workspaceId, graph))];
  if (errors.length > 0) {
    throw new InvalidWorkflowError(`The workflow has ${errors.length} problem(s): ${errors.map((p) => p.message).join("; ")}`, errors);
  }
  const input = checkedInput(graph, params.input ?? null);
  const version = pinned ?? (await snapshotVersion(db, workflow.id, graph));
  const runId = newId("run");
  const state = await insertRun({
    runId,
    workspaceId: params.workspaceId,
    workflowId: workflow.id,
    versionId: version.id,
    trigger: params.trigger,
    startedBy: params.startedBy,
    events: [{ type: "run_started", input: input ?? null, seq: 1, at: new Date().toISOString() }],
    ...(params.lineage ? { lineage: { parentRunId: params.lineage.parentRunId, origin: params.lineage.origin } } : {}),
  });
  await enqueueAdvance(runId, state.lastSeq);
  return { runId };
}
