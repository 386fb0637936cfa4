import { afterAll, beforeAll, expect, it } from "vitest";
import type { Worker } from "bullmq";
import { startDemoModelServer } from "../server/llm/serve-demo-model";
import { isolateTestEnv } from "./support/env";
import { expectEveryRunReplays } from "./support/replay";
import { getDb, type Db } from "../server/db";
import { closePublisher } from "../server/events";
import { getRunsQueue } from "../server/queue";
import { createRunWorker } from "../server/runs/worker";
import { startRun } from "../server/runs/start-run";
import { respondToHumanTask } from "../server/runs/respond-human";
import { createWorkflow } from "../server/workflows/workflows";
import { WORKFLOW_TEMPLATES } from "../server/workflows/templates";
import { validateGraph } from "../server/engine/validate";

/** Every template in the gallery is valid and runs to the end on the demo model. */

let demo: Awaited<ReturnType<typeof startDemoModelServer>>;
let db: Db;
let worker: Worker;

beforeAll(async () => {
  demo = await startDemoModelServer();
  isolateTestEnv(demo.baseUrl);
  db = getDb();
  worker = createRunWorker(db, { concurrency: 8 });
  await worker.waitUntilReady();
});

afterAll(async () => {
  if (db) await expectEveryRunReplays(db);
  await worker.close();
  await getRunsQueue().obliterate({ force: true }).catch(() => undefined);
  await getRunsQueue().close();
  await closePublisher();
  await db.$disconnect();
  await demo.close();
});

it.each(WORKFLOW_TEMPLATES.map((template) => [template.id, template] as const))("template %s validates and runs on the demo model", async (_id, template) => {
  expect(validateGraph(template.graph).filter((p) => p.severity === "error")).toEqual([]);
  const trigger = template.graph.nodes.find((node) => node.type === "trigger");
  const input: unknown = trigger?.type === "trigger" ? JSON.parse(trigger.data.sampleInput) : {};
  const { id } = await createWorkflow(db, { name: template.name, graph: template.graph });
  const { runId } = await startRun(db, { workflowId: id, input, trigger: "manual" });
  const deadline = Date.now() + 30_000;
  for (;;) {
    const run = await db.run.findUniqueOrThrow({ where: { id: runId } });
    if (run.status === "succeeded") break;
    if (run.status === "failed" || run.status === "rejected") throw new Error(`${template.id} ended ${run.status}: ${run.error}`);
    if (run.status === "waiting_for_human") {
      for (const task of await db.humanTask.findMany({ where: { runId, status: "pending" } })) {
        await respondToHumanTask(db, { taskId: task.id, decision: "approve" });
      }
    }
    if (Date.now() > deadline) throw new Error(`${template.id} stuck in ${run.status}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
});
