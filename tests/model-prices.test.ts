import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, waitForRun, type Harness } from "./support/harness";
import { testAccess, testRunScope, testWorkspace } from "./support/workspace";
import { startDemoModelServer, type DemoModelServer } from "../server/llm/serve-demo-model";
import { deleteModelPrice, listModelPrices, setModelPrice, setModelPriceSchema } from "../server/llm/model-prices";
import { createWorkflow } from "../server/workflows/workflows";
import { buildGraph } from "../server/engine/test-helpers";
import { countTokens } from "../server/engine/tokens";
import { parseStoredState } from "../server/engine/state";
import type { CommittedEvent } from "../server/engine/events";
import { startRun } from "../server/runs/start-run";
import { getRunEvents } from "../server/runs/queries";
import { runStats } from "../server/runs/stats";
import { formatCost } from "../components/ui/format";
import { NotFoundError } from "../server/errors";
import { newId } from "../server/ids";

/**
 * Honest money, end to end: a run on a paid-looking model that no price list knows, through a
 * real OpenAI-compatible server over HTTP (the demo model, configured as the "openai"
 * provider), costs "unknown" — in its event, its run totals and the dashboard — never $0.
 * With the workspace's own price for the model, the same run shows the computed cost.
 */

let harness: Harness;
let paidLooking: DemoModelServer;

beforeAll(async () => {
  // Started first: the environment is read once, and OPENAI_BASE_URL must name this server.
  paidLooking = await startDemoModelServer();
  harness = await startHarness({ env: { OPENAI_API_KEY: "sk-test-model-prices", OPENAI_BASE_URL: paidLooking.baseUrl } });
}, 60_000);

afterAll(async () => {
  await harness?.stop();
  await paidLooking?.close();
});

async function runAgent(provider: string, model: string) {
  const { db } = harness;
  const graph = buildGraph(
    [["trigger", "trigger"], ["agent", "agent", { provider, model, task: "Summarise the quarterly report for the board" }], ["out", "output"]],
    [["trigger", "agent"], ["agent", "out"]],
  );
  const { id } = await createWorkflow(db, await testWorkspace(db), { name: `prices ${model} ${newId("wf")}`, graph });
  const { runId } = await startRun(db, { ...(await testRunScope(db)), workflowId: id, input: {}, trigger: "manual" });
  const run = await waitForRun(db, runId, ["succeeded", "failed", "waiting_for_human"]);
  expect(run.status, run.error ?? "").toBe("succeeded");
  const events = await getRunEvents(db, runId);
  const responses = events.filter((event): event is Extract<CommittedEvent, { type: "llm_response" }> => event.type === "llm_response");
  expect(responses.length).toBeGreaterThan(0);
  return { run, workflowId: id, state: parseStoredState(runId, run.state), events, responses };
}

describe("model prices", () => {
  it("shows an unpriced paid model's cost as unknown, not $0: in the event, the run and the dashboard", async () => {
    const before = paidLooking.requests();
    const { run, workflowId, state, events, responses } = await runAgent("openai", "gpt-9-ultra");
    expect(paidLooking.requests() - before).toBe(responses.length);

    for (const response of responses) {
      expect(response).toMatchObject({ provider: "openai", model: "gpt-9-ultra", costUsd: null });
      expect(response.usage.promptTokens).toBeGreaterThan(0);
    }
    // What the agent sent, counted with the real tokenizer (the first call sends the initial thread).
    const started = events.find((event) => event.type === "node_started" && event.nodeId === "agent");
    expect(started?.type === "node_started" && started.messages).toBeTruthy();
    if (started?.type === "node_started" && started.messages) expect(responses[0]?.sentTokens).toBe(countTokens(started.messages));

    expect(state.usage).toMatchObject({ costUsd: 0, unpricedCalls: responses.length, modelCalls: responses.length });
    expect(formatCost(state.usage.costUsd, state.usage.unpricedCalls)).toBe("unknown");

    const stats = await runStats(harness.db, await testWorkspace(harness.db), { sinceHours: 1 });
    expect(stats.unpricedCalls).toBeGreaterThanOrEqual(responses.length);
    expect(stats.byWorkflow.find((row) => row.workflowId === workflowId)).toMatchObject({ costUsd: 0, unpricedCalls: responses.length });
    expect(stats.byProvider.find((row) => row.provider === "openai")?.unpricedCalls).toBeGreaterThanOrEqual(responses.length);
    // The Run row's sum holds only priced calls; the run's state says how many were not.
    expect(run.costUsd).toBe(0);
  });

  it("computes the cost from the workspace's own price for that model", async () => {
    const price = await setModelPrice(harness.db, await testAccess(harness.db), { model: "gpt-9-ultra", inputPerMTok: 2, outputPerMTok: 8 });
    try {
      const { run, state, responses } = await runAgent("openai", "gpt-9-ultra");
      let total = 0;
      for (const response of responses) {
        const expected = (response.usage.promptTokens * 2 + response.usage.completionTokens * 8) / 1_000_000;
        expect(response.costUsd).toBeCloseTo(expected, 12);
        total += expected;
      }
      expect(total).toBeGreaterThan(0);
      expect(state.usage.unpricedCalls).toBeUndefined();
      expect(state.usage.costUsd).toBeCloseTo(total, 12);
      expect(run.costUsd).toBeCloseTo(total, 12);
      expect(formatCost(state.usage.costUsd, state.usage.unpricedCalls)).toMatch(/^\$0\.\d{4}$/);
    } finally {
      await deleteModelPrice(harness.db, await testAccess(harness.db), price.id);
    }
  });

  it("prices a listed model from the list, and the free demo model at $0 (known)", async () => {
    const listed = await runAgent("openai", "gpt-4o-mini");
    for (const response of listed.responses) {
      expect(response.costUsd).toBeCloseTo((response.usage.promptTokens * 0.15 + response.usage.completionTokens * 0.6) / 1_000_000, 12);
    }
    const demo = await runAgent("demo", "");
    expect(demo.responses.every((response) => response.costUsd === 0)).toBe(true);
    expect(formatCost(demo.state.usage.costUsd, demo.state.usage.unpricedCalls)).toBe("$0");
  });

  it("keeps one price per model, lists the built-in table, and answers bad input and other workspaces' ids with 4xx errors", async () => {
    const access = await testAccess(harness.db);
    const first = await setModelPrice(harness.db, access, { model: "my-finetune", inputPerMTok: 1, outputPerMTok: 1 });
    const second = await setModelPrice(harness.db, access, { model: "my-finetune", inputPerMTok: 3, outputPerMTok: 4 });
    expect(second.id).toBe(first.id);
    const listed = await listModelPrices(harness.db, access.workspaceId);
    expect(listed.overrides.filter((row) => row.model === "my-finetune")).toEqual([expect.objectContaining({ inputPerMTok: 3, outputPerMTok: 4 })]);
    expect(listed.listPrices.find((row) => row.model === "gpt-4o-mini")).toEqual({ model: "gpt-4o-mini", inputPerMTok: 0.15, outputPerMTok: 0.6 });

    const bad = setModelPriceSchema.safeParse({ model: "x", inputPerMTok: -1, outputPerMTok: 1 });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(["inputPerMTok"]);

    const otherWorkspace = newId("ws");
    await harness.db.workspace.create({ data: { id: otherWorkspace, name: "other" } });
    const theirs = await setModelPrice(harness.db, { workspaceId: otherWorkspace, actor: { kind: "system", name: "test" }, ip: null }, { model: "my-finetune", inputPerMTok: 9, outputPerMTok: 9 });
    await expect(deleteModelPrice(harness.db, access, theirs.id)).rejects.toBeInstanceOf(NotFoundError);
    expect((await listModelPrices(harness.db, access.workspaceId)).overrides.some((row) => row.id === theirs.id)).toBe(false);
    await deleteModelPrice(harness.db, access, first.id);
  });
});
