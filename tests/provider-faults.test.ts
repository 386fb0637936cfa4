import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "./support/harness";
import { startRun } from "../server/runs/start-run";
import { respondToHumanTask } from "../server/runs/respond-human";
import { getRunEvents } from "../server/runs/queries";
import { createWorkflow } from "../server/workflows/workflows";
import { buildGraph } from "../server/engine/test-helpers";
import { testWorkspace, testRunScope, testAccess } from "./support/workspace";
import { createWorkspaceProvider } from "../server/llm/workspace-providers";

/**
 * The demo model's fault modes over real HTTP, and how the runtime absorbs them:
 * client retries honouring Retry-After, errors compacted into the agent's context,
 * timeouts that fail the node instead of hanging the run. Each case runs on both wires: the
 * OpenAI one through the `openai` client, the Anthropic one through `@anthropic-ai/sdk`
 * against the demo model's Messages API (the same faults, in Anthropic's error shapes).
 */

let harness: Harness;

/** Agent `provider` per wire: the environment's demo model (OpenAI wire), or a workspace Anthropic provider at the same demo server. */
const WIRES = { openai: "demo", anthropic: "claude-wire" } as const;

beforeAll(async () => {
  harness = await startHarness({ env: { LLM_TIMEOUT_MS: "400", LLM_MAX_RETRIES: "1", HTTP_ALLOW_PRIVATE_HOSTS: "127.0.0.1" } });
  await createWorkspaceProvider(harness.db, await testAccess(harness.db), { name: WIRES.anthropic, kind: "anthropic", baseUrl: harness.demo.baseUrl, apiKey: "sk-ant-test", defaultModel: "agentflow-demo-1" });
});

afterAll(() => harness.stop());

async function runWithTask(task: string, provider: string = WIRES.openai) {
  const { db, demo } = harness;
  const graph = buildGraph([["trigger", "trigger"], ["agent", "agent", { task, provider }], ["out", "output"]], [["trigger", "agent"], ["agent", "out"]]);
  const { id } = await createWorkflow(db, await testWorkspace(db), { name: `faults ${provider} ${task}`, graph });
  const before = demo.requests();
  const started = Date.now();
  const { runId } = await startRun(db, { ...(await testRunScope(db)), workflowId: id, input: {}, trigger: "manual" });
  const deadline = Date.now() + 25_000;
  for (;;) {
    const run = await db.run.findUniqueOrThrow({ where: { id: runId } });
    if (run.status === "succeeded" || run.status === "failed" || run.status === "waiting_for_human") {
      const events = await getRunEvents(db, runId);
      return { run, events, requests: demo.requests() - before, elapsedMs: Date.now() - started };
    }
    if (Date.now() > deadline) throw new Error(`run stuck in ${run.status}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.each(Object.entries(WIRES))("provider faults on the %s wire", (wire, provider) => {
  it("retries a 429 after its Retry-After and succeeds", async () => {
    const { run, requests, elapsedMs, events } = await runWithTask(`Summarise (${wire}) #demo:429:1`, provider);
    expect(run.status).toBe("succeeded");
    expect(requests).toBe(2);
    expect(elapsedMs).toBeGreaterThanOrEqual(900); // Retry-After: 1
    expect(events.filter((e) => e.type === "llm_response")).toHaveLength(1);
  });

  it("retries a 500 and succeeds", async () => {
    const { run, requests } = await runWithTask(`Summarise (${wire}) #demo:500:1`, provider);
    expect(run.status).toBe("succeeded");
    expect(requests).toBe(2);
  });

  it("records a malformed response as an error and calls again", async () => {
    const { run, events } = await runWithTask(`Summarise (${wire}) #demo:malformed:1`, provider);
    expect(run.status).toBe("succeeded");
    const types = events.map((e) => e.type);
    expect(types.indexOf("llm_error")).toBeGreaterThan(-1);
    expect(types.indexOf("llm_error")).toBeLessThan(types.indexOf("llm_response"));
  });

  it("sends invalid tool arguments back to the model, which then fixes them", async () => {
    const { run, events } = await runWithTask(`Summarise (${wire}) #demo:invalid-args`, provider);
    expect(run.status).toBe("succeeded");
    const results = events.filter((e) => e.type === "tool_result");
    expect(results.map((e) => e.type === "tool_result" && e.ok)).toEqual([false, true]);
    expect(results[0]?.type === "tool_result" && results[0].content).toMatch(/invalid arguments for complete_task: result/);
  });

  it("records a slow response's latency", async () => {
    const { run, events } = await runWithTask(`Summarise (${wire}) #demo:slow:300`, provider);
    expect(run.status).toBe("succeeded");
    const response = events.find((e) => e.type === "llm_response");
    expect(response?.type === "llm_response" && response.latencyMs).toBeGreaterThanOrEqual(300);
  });

});

// OpenAI wire only: LLM_TIMEOUT_MS bounds the environment's providers; a workspace provider
// waits its own 60 s per attempt, too long for a test of three attempts.
describe("a hanging model", () => {
  it("escalates to a person when the model hangs, instead of hanging the run", async () => {
    const { run, events } = await runWithTask("Summarise #demo:hang");
    expect(run.status).toBe("waiting_for_human");
    expect(events.filter((e) => e.type === "llm_error")).toHaveLength(3);
    const task = await harness.db.humanTask.findFirstOrThrow({ where: { runId: run.id, status: "pending" } });
    expect(task.kind).toBe("errors");
    expect(JSON.stringify(task.context)).toMatch(/timed out/i);
    await respondToHumanTask(harness.db, await testAccess(harness.db), { taskId: task.id, decision: "reject", comment: "model is down" });
    const deadline = Date.now() + 10_000;
    let final = run;
    while (final.status !== "failed" && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      final = await harness.db.run.findUniqueOrThrow({ where: { id: run.id } });
    }
    expect(final.status).toBe("failed");
    expect(final.error).toMatch(/stopped by a reviewer after repeated errors: model is down/);
  });
});
