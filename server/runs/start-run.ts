import { graphSchema } from "../engine/graph";
import { initialRunState } from "../engine/state";
import { step } from "../engine/step";
import { validateGraph } from "../engine/validate";
import { getPool, type Db } from "../db";
import { InvalidWorkflowError, NotFoundError } from "../errors";
import { newId } from "../ids";
import { assertStorable, jsonText } from "../json";
import { enqueueAdvance } from "../queue";
import { latestPublishedVersion, snapshotVersion } from "../workflows/versions";
import { publishRunEvents } from "../events";

export type RunTrigger = "manual" | "api";

const START_RUN_SQL = `
  WITH run AS (
    INSERT INTO "Run" ("id", "workspaceId", "workflowId", "versionId", "status", "trigger", "startedBy", "input", "state", "lastSeq", "stepCount", "createdAt", "startedAt")
    VALUES ($1, $12, $2, $3, $4, $5, $13, $6::jsonb, $7::jsonb, 1, 1, $8::timestamp(3), $8::timestamp(3))
    RETURNING "id"
  )
  INSERT INTO "RunStep" ("id", "runId", "seq", "type", "nodeId", "payload", "createdAt")
  SELECT $9, run."id", 1, $10, NULL, $11::jsonb, $8::timestamp(3) FROM run`;

/**
 * Starts a run of a workflow's saved draft (or, for the REST trigger, its latest published
 * version when it has one): checks the graph, pins an immutable version,
 * commits the run with its first event (`run_started`) and enqueues it. The run row exists
 * before the job does, so a lost job can be re-enqueued from the database.
 */
export async function startRun(
  db: Db,
  params: { workspaceId: string; workflowId: string; input: unknown; trigger: RunTrigger; startedBy: string },
): Promise<{ runId: string }> {
  assertStorable(params.input, "input");
  const workflow = await db.workflow.findFirst({ where: { id: params.workflowId, workspaceId: params.workspaceId }, select: { id: true, draftGraph: true } });
  if (!workflow) throw new NotFoundError(`Workflow ${params.workflowId}`);
  // Other systems run what was published (like a production webhook); the editor runs the draft.
  const published = params.trigger === "api" ? await latestPublishedVersion(db, workflow.id) : null;
  const graph = graphSchema.parse(published ? published.graph : workflow.draftGraph);
  const errors = validateGraph(graph).filter((problem) => problem.severity === "error");
  if (errors.length > 0) {
    throw new InvalidWorkflowError(`The workflow has ${errors.length} problem(s): ${errors.map((p) => p.message).join("; ")}`, errors);
  }
  const version = published ?? (await snapshotVersion(db, workflow.id, graph));
  const runId = newId("run");
  const at = new Date();
  const firstEvent = { type: "run_started" as const, input: params.input ?? null, seq: 1, at: at.toISOString() };
  const state = step(initialRunState(), firstEvent);
  // The run and its first event in one statement (one round trip) on the shared pool: this is
  // the REST trigger's hot path. Timestamps are UTC ISO strings, as in commitEvents.
  await getPool().query({
    name: "start-run",
    text: START_RUN_SQL,
    values: [
      runId,
      workflow.id,
      version.id,
      state.status,
      params.trigger,
      jsonText(params.input),
      jsonText(state),
      firstEvent.at,
      newId("evt"),
      firstEvent.type,
      jsonText(firstEvent),
      params.workspaceId,
      params.startedBy,
    ],
  });
  await Promise.all([publishRunEvents(runId, [firstEvent]).catch(() => undefined), enqueueAdvance(runId, state.lastSeq)]);
  return { runId };
}
