import { expect, test } from "@playwright/test";
import { systemClient, trpcMutation, trpcQuery } from "../support/api";
import { expectMatchesOpenApi } from "../support/openapi";

/** The REST trigger as another system uses it: token auth, 202 + status URL, clear 4xx errors. */
test.describe("REST trigger", () => {
  test("starts a run with a token and reports status and output", async ({ request, playwright, baseURL }) => {
    const api = await systemClient(playwright, baseURL);
    const { id } = await trpcMutation(request, "workflow", "create", { name: `API trigger ${Date.now()}` });
    const workflow = await trpcQuery(request, "workflow", "get", { id });
    const { token } = await trpcMutation(request, "workflow", "createTriggerToken", { workflowId: id });
    expect(workflow.triggerUrl).toMatch(new RegExp(`/api/v1/workflows/${id}/trigger$`));
    const triggerPath = new URL(workflow.triggerUrl).pathname;

    const accepted = await api.post(triggerPath, {
      headers: { authorization: `Bearer ${token}` },
      data: { input: { topic: "billing export" } },
    });
    const { runId, statusUrl } = await expectMatchesOpenApi<{ runId: string; statusUrl: string }>(accepted, "triggerWorkflow", 202);
    expect(runId).toMatch(/^run_/);
    const statusPath = new URL(statusUrl).pathname;

    await expect
      .poll(async () => {
        const res = await api.get(statusPath, { headers: { authorization: `Bearer ${token}` } });
        return ((await res.json()) as { status: string }).status;
      }, { timeout: 20_000 })
      .toBe("succeeded");
    const finished = await expectMatchesOpenApi<{ output: string }>(await api.get(statusPath, { headers: { authorization: `Bearer ${token}` } }), "getRun", 200);
    expect(finished.output).toContain("billing export");

    // The status URL does not answer without the token either.
    expect((await api.get(statusPath)).status()).toBe(401);
  });

  test("rejects a missing or wrong token with 401 and a bad body with 400", async ({ request, playwright, baseURL }) => {
    const api = await systemClient(playwright, baseURL);
    const { id } = await trpcMutation(request, "workflow", "create", { name: `API errors ${Date.now()}` });
    const { token } = await trpcMutation(request, "workflow", "createTriggerToken", { workflowId: id });
    const url = `/api/v1/workflows/${id}/trigger`;

    // Every answer, refusals included, is what the OpenAPI document says.
    const missing = await api.post(url, { data: { input: {} } });
    expect((await expectMatchesOpenApi<{ error: { code: string } }>(missing, "triggerWorkflow", 401)).error.code).toBe("unauthorized");

    const wrong = await api.post(url, { headers: { authorization: "Bearer aft_wrong" }, data: { input: {} } });
    expect(wrong.status()).toBe(401);

    const malformed = await api.post(url, {
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      // Raw bytes: a string here would be JSON-encoded by Playwright into a valid JSON string.
      data: Buffer.from('{"input": {"topic": '),
    });
    const malformedBody = await expectMatchesOpenApi<{ error: { code: string; message: string } }>(malformed, "triggerWorkflow", 400);
    expect(malformedBody.error.code).toBe("invalid_json");
    expect(malformedBody.error.message).toMatch(/not valid JSON/);

    const unknownField = await api.post(url, { headers: { authorization: `Bearer ${token}` }, data: { inputs: {} } });
    expect((await expectMatchesOpenApi<{ error: { message: string } }>(unknownField, "triggerWorkflow", 400)).error.message).toMatch(/inputs/);

    // Valid JSON that Postgres cannot store: a 400 naming the field, not a 500.
    const nul = await api.post(url, {
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      data: Buffer.from('{"input": {"topic": "a\\u0000b"}}'),
    });
    const nulBody = await expectMatchesOpenApi<{ error: { message: string; path?: string } }>(nul, "triggerWorkflow", 400);
    expect(nulBody.error.path).toBe("input.topic");
    expect(nulBody.error.message).toMatch(/NUL character/);

    // None of the refused requests created a run.
    const listed = await trpcQuery(request, "run", "list", { workflowId: id, limit: 10 });
    expect(listed.runs).toHaveLength(0);
  });
});
