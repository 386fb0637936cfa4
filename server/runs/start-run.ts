import { graphSchema } from "../engine/graph";
import { initialRunState } from "../engine/state";
import { step } from "../engine/step";
import { validateGraph } from "../engine/validate";
import type { Db } from "../db";
import { NotFoundError, UserInputError } from "../errors";
import { newId } from "../ids";
import { toJson } from "../json";
import { enqueueAdvance } from "../queue";
import { latestPublishedVersion, snapshotVersion } from "../workflows/versions";
import { publishRunEvents } from "../events";

export type RunTrigger = "manual" | "api";

/**
 * Starts a run of a workflow's saved draft (or, for the REST trigger, its latest published
 * version when it has one): checks the graph, pins an immutable version,
 * commits the run with its first event (`run_started`) and enqueues it. The run row exists
 * before the job does, so a lost job can be re-enqueued from the database.
 */
export async function startRun(db: Db, params: { workflowId: string; input: unknown; trigger: RunTrigger }): Promise<{ runId: string }> {
  const workflow = await db.workflow.findUnique({ where: { id: params.workflowId }, select: { id: true, draftGraph: true } });
  if (!workflow) throw new NotFoundError(`Workflow ${params.workflowId}`);
  // Other systems run what was published (like a production webhook); the editor runs the draft.
  const published = params.trigger === "api" ? await latestPublishedVersion(db, workflow.id) : null;
  const graph = graphSchema.parse(published ? published.graph : workflow.draftGraph);
  const errors = validateGraph(graph).filter((problem) => problem.severity === "error");
  if (errors.length > 0) {
    throw new UserInputError(
      `The workflow has ${errors.length} problem(s): ${errors.map((p) => p.message).join("; ")}`,
      "graph",
      errors,
    );
  }
  const version = published ?? (await snapshotVersion(db, workflow.id, graph));
  const runId = newId("run");
  const at = new Date();
  const firstEvent = { type: "run_started" as const, input: params.input ?? null, seq: 1, at: at.toISOString() };
  const state = step(initialRunState(), firstEvent);
  await db.$transaction([
    db.run.create({
      data: {
        id: runId,
        workflowId: workflow.id,
        versionId: version.id,
        status: state.status,
        trigger: params.trigger,
        input: toJson(params.input ?? null),
        state: toJson(state),
        lastSeq: 1,
        stepCount: 1,
        startedAt: at,
      },
    }),
    db.runStep.create({
      data: { id: newId("evt"), runId, seq: 1, type: firstEvent.type, payload: toJson(firstEvent), createdAt: at },
    }),
  ]);
  await publishRunEvents(runId, [firstEvent]).catch(() => undefined);
  await enqueueAdvance(runId, state.lastSeq);
  return { runId };
}
