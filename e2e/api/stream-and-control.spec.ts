import { expect, test } from "@playwright/test";
import { systemClient, trpcMutation } from "../support/api";
import { expectMatchesOpenApi } from "../support/openapi";
import type { inferRouterInputs } from "@trpc/server";
import type { AppRouter } from "../../server/api/root";

/** The graph as the API accepts it: every node setting with a default may be left out. */
type GraphInput = NonNullable<inferRouterInputs<AppRouter>["workflow"]["create"]["graph"]>;

/** Live events for API callers (resumable SSE) and run control over REST. */

function approvalGraph(): GraphInput {
  const at = (x: number) => ({ x, y: 0 });
  return {
    nodes: [
      { id: "trigger", type: "trigger", position: at(0), data: {} },
      { id: "writer", type: "agent", position: at(250), data: { task: "Write about {{input.topic}}" } },
      { id: "review", type: "human", position: at(500), data: { message: "OK?" } },
      { id: "out", type: "output", position: at(750), data: {} },
    ],
    edges: [
      { id: "a", source: "trigger", target: "writer" },
      { id: "b", source: "writer", target: "review" },
      { id: "c", source: "review", sourceHandle: "approve", target: "out" },
    ],
  };
}

test("an API caller can stream a run's events and resume after a disconnect with Last-Event-ID", async ({ request, playwright, baseURL }) => {
  const api = await systemClient(playwright, baseURL);
  const { id } = await trpcMutation(request, "workflow", "create", { name: `SSE ${Date.now()}` });
  const { token } = await trpcMutation(request, "workflow", "createTriggerToken", { workflowId: id });
  const auth = { authorization: `Bearer ${token}` };
  const accepted = await api.post(`/api/v1/workflows/${id}/trigger`, { headers: auth, data: { input: { topic: "streams" } } });
  const { runId } = await expectMatchesOpenApi<{ runId: string }>(accepted, "triggerWorkflow", 202);

  // The stream ends by itself after run_finished, so the whole body can be read.
  // The stream answers the same trigger token (and nothing without one).
  await expectMatchesOpenApi(await api.get(`/api/runs/${runId}/events`), "streamRunEvents", 401);
  const full = await (await api.get(`/api/runs/${runId}/events`, { headers: auth })).text();
  const ids = [...full.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
  expect(ids[0]).toBe(1);
  expect(ids).toEqual(ids.map((_, i) => i + 1));
  expect(full).toContain('"type":"run_finished"');

  const resumed = await (await api.get(`/api/runs/${runId}/events`, { headers: { ...auth, "last-event-id": "3" } })).text();
  const resumedIds = [...resumed.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
  expect(resumedIds[0]).toBe(4);
  expect(resumedIds.at(-1)).toBe(ids.at(-1));
});

test("a run can be paused, resumed and cancelled over REST; a wrong action is a clear error", async ({ request, playwright, baseURL }) => {
  const api = await systemClient(playwright, baseURL);
  const { id } = await trpcMutation(request, "workflow", "create", { name: `Control ${Date.now()}`, graph: approvalGraph() });
  const { token } = await trpcMutation(request, "workflow", "createTriggerToken", { workflowId: id });
  const auth = { authorization: `Bearer ${token}` };
  const { runId } = await expectMatchesOpenApi<{ runId: string }>(await api.post(`/api/v1/workflows/${id}/trigger`, { headers: auth, data: { input: { topic: "x" } } }), "triggerWorkflow", 202);
  const status = async () => (await expectMatchesOpenApi<{ status: string }>(await api.get(`/api/v1/runs/${runId}`, { headers: auth }), "getRun", 200)).status;
  await expect.poll(status, { timeout: 20_000 }).toBe("waiting_for_human");

  await expectMatchesOpenApi(await api.post(`/api/v1/runs/${runId}/pause`, { headers: auth }), "pauseRun", 200);
  expect(await status()).toBe("paused");
  await expectMatchesOpenApi(await api.post(`/api/v1/runs/${runId}/pause`, { headers: auth }), "pauseRun", 409);
  expect(await expectMatchesOpenApi(await api.post(`/api/v1/runs/${runId}/resume`, { headers: auth }), "resumeRun", 200)).toMatchObject({ status: "waiting_for_human" });
  expect((await api.post(`/api/v1/runs/${runId}/explode`, { headers: auth })).status()).toBe(404);
  await expectMatchesOpenApi(await api.post(`/api/v1/runs/${runId}/cancel`), "cancelRun", 401);
  const cancelled = await expectMatchesOpenApi<{ status: string }>(await api.post(`/api/v1/runs/${runId}/cancel`, { headers: auth }), "cancelRun", 200);
  expect(cancelled.status).toBe("cancelled");
  expect(await expectMatchesOpenApi(await api.get(`/api/v1/runs/${runId}`, { headers: auth }), "getRun", 200)).toMatchObject({
    status: "cancelled",
    pendingHumanTasks: [],
  });
});
