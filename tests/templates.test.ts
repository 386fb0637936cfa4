import { afterAll, beforeAll, expect, it } from "vitest";
import { startHarness, type Harness } from "./support/harness";
import { startRun } from "../server/runs/start-run";
import { respondToHumanTask } from "../server/runs/respond-human";
import { createFromTemplate } from "../server/workflows/from-template";
import { WORKFLOW_TEMPLATES } from "../server/workflows/templates";
import { validateGraph } from "../server/engine/validate";
import { testWorkspace, testRunScope, testAccess } from "./support/workspace";

/** Every template in the gallery is valid and runs to the end on the demo model. */

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});

afterAll(() => harness.stop());

it.each(WORKFLOW_TEMPLATES.map((template) => [template.id, template] as const))("template %s validates and runs on the demo model", async (_id, template) => {
  const { db } = harness;
  expect(validateGraph(template.graph).filter((p) => p.severity === "error")).toEqual([]);
  const trigger = template.graph.nodes.find((node) => node.type === "trigger");
  const input: unknown = trigger?.type === "trigger" ? JSON.parse(trigger.data.sampleInput) : {};
  const { id } = await createFromTemplate(db, await testWorkspace(db), template);
  const { runId } = await startRun(db, { ...(await testRunScope(db)), workflowId: id, input, trigger: "manual" });
  const deadline = Date.now() + 30_000;
  for (;;) {
    const run = await db.run.findUniqueOrThrow({ where: { id: runId } });
    if (run.status === "succeeded") break;
    if (run.status === "failed" || run.status === "rejected") throw new Error(`${template.id} ended ${run.status}: ${run.error}`);
    if (run.status === "waiting_for_human") {
      for (const task of await db.humanTask.findMany({ where: { runId, status: "pending" } })) {
        await respondToHumanTask(db, await testAccess(db), { taskId: task.id, decision: "approve" });
      }
    }
    if (Date.now() > deadline) throw new Error(`${template.id} stuck in ${run.status}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  // Templates with a for-each or a sub-workflow did their work in child runs, all of which succeeded.
  const callers = template.graph.nodes.filter((node) => node.type === "for_each" || node.type === "subworkflow");
  if (callers.length > 0) {
    const children = await db.run.findMany({ where: { callerRunId: runId }, select: { status: true } });
    expect(children.length).toBeGreaterThan(0);
    expect(children.every((child) => child.status === "succeeded")).toBe(true);
  }
});
