import { expect, test } from "@playwright/test";
import { systemClient, trpcMutation, trpcQuery } from "../support/api";

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
    expect(accepted.status()).toBe(202);
    const { runId, statusUrl } = (await accepted.json()) as { runId: string; statusUrl: string };
    expect(runId).toMatch(/^run_/);
    const statusPath = new URL(statusUrl).pathname;

    await expect
      .poll(async () => {
        const res = await api.get(statusPath, { headers: { authorization: `Bearer ${token}` } });
        return ((await res.json()) as { status: string }).status;
      }, { timeout: 20_000 })
      .toBe("succeeded");
    const finished = (await (await api.get(statusPath, { headers: { authorization: `Bearer ${token}` } })).json()) as {
      output: string;
    };
    expect(finished.output).toContain("billing export");

    // The status URL does not answer without the token either.
    expect((await api.get(statusPath)).status()).toBe(401);
  });

  test("rejects a missing or wrong token with 401 and a bad body with 400", async ({ request, playwright, baseURL }) => {
    const api = await systemClient(playwright, baseURL);
    const { id } = await trpcMutation(request, "workflow", "create", { name: `API errors ${Date.now()}` });
    const { token } = await trpcMutation(request, "workflow", "createTriggerToken", { workflowId: id });
    const url = `/api/v1/workflows/${id}/trigger`;

    const missing = await api.post(url, { data: { input: {} } });
    expect(missing.status()).toBe(401);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("unauthorized");

    const wrong = await api.post(url, { headers: { authorization: "Bearer aft_wrong" }, data: { input: {} } });
    expect(wrong.status()).toBe(401);

    const malformed = await api.post(url, {
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      // Raw bytes: a string here would be JSON-encoded by Playwright into a valid JSON string.
      data: Buffer.from('{"input": {"topic": '),
    });
    expect(malformed.status()).toBe(400);
    const malformedBody = (await malformed.json()) as { error: { code: string; message: string } };
    expect(malformedBody.error.code).toBe("invalid_json");
    expect(malformedBody.error.message).toMatch(/not valid JSON/);

    const unknownField = await api.post(url, { headers: { authorization: `Bearer ${token}` }, data: { inputs: {} } });
    expect(unknownField.status()).toBe(400);
    expect(((await unknownField.json()) as { error: { message: string } }).error.message).toMatch(/inputs/);

    // Valid JSON that Postgres cannot store: a 400 naming the field, not a 500.
    const nul = await api.post(url, {
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      data: Buffer.from('{"input": {"topic": "a\\u0000b"}}'),
    });
    expect(nul.status()).toBe(400);
    const nulBody = (await nul.json()) as { error: { message: string; path?: string } };
    expect(nulBody.error.path).toBe("input.topic");
    expect(nulBody.error.message).toMatch(/NUL character/);

    // None of the refused requests created a run.
    const listed = await trpcQuery(request, "run", "list", { workflowId: id, limit: 10 });
    expect(listed.runs).toHaveLength(0);
  });
});
