import { execFileSync } from "node:child_process";
import { createHmac, randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { systemClient, trpcMutation, trpcQuery } from "../support/api";
import { expectMatchesOpenApi } from "../support/openapi";

/**
 * Against the built app: a signing secret created in the editor's Trigger panel signs a request
 * (Node's crypto, as a sender would) that starts a run; the same request again is refused; the
 * Idempotency-Key makes 20 identical parallel triggers one run; `?wait=` answers with the output.
 */

const hmac = (secret: string, payload: string) => createHmac("sha256", secret).update(payload).digest("hex");

test("a signing secret created in the Trigger panel signs a webhook that starts a run", async ({ page, request, playwright, baseURL }) => {
  const api = await systemClient(playwright, baseURL);
  const { id } = await trpcMutation(request, "workflow", "create", { name: `Webhook ${Date.now()}` });
  await page.goto(`/workflows/${id}`);
  await page.getByRole("tab", { name: "Trigger", exact: true }).click();
  const section = page.getByTestId("webhook-settings");
  await expect(section.getByLabel("Signature scheme")).toHaveValue("agentflow");
  await section.getByRole("button", { name: "Create signing secret" }).click();
  const secret = (await page.getByTestId("new-webhook-secret-value").textContent()) ?? "";
  expect(secret).toMatch(/^afwh_/);
  const curl = page.getByTestId("webhook-curl-example");
  await expect(curl).toContainText("openssl dgst -sha256 -hmac");
  await expect(curl).toContainText("AgentFlow-Signature: t=$TS,v1=$SIG");
  await expect(section.getByTestId("webhook-secret")).toContainText(secret.slice(0, 10));
  mkdirSync("/tmp/shots", { recursive: true });
  // Tall enough for the whole panel (it scrolls inside the editor's side panel).
  await page.setViewportSize({ width: 1400, height: 1500 });
  await page.getByTestId("trigger-panel").screenshot({ path: "/tmp/shots/webhook-trigger-panel.png" });
  // Its sections line up: one left edge for every heading, nested sections included.
  const headings = page.getByTestId("trigger-panel").getByRole("heading", { level: 3 });
  await expect(headings).toHaveText(["Trigger URL", "Tokens", "Signed webhook", "Schedules", "Run-finished callback"]);
  const lefts = await headings.evaluateAll((elements) => elements.map((element) => Math.round(element.getBoundingClientRect().left)));
  expect(new Set(lefts).size, `heading left edges ${lefts.join(", ")}`).toBe(1);

  const body = JSON.stringify({ input: { topic: "signed from the spec" } });
  const t = Math.floor(Date.now() / 1000);
  const headers = { "content-type": "application/json", "AgentFlow-Signature": `t=${t},v1=${hmac(secret, `${t}.${body}`)}` };
  const accepted = await api.post(`/api/v1/workflows/${id}/trigger`, { headers, data: body });
  const { runId } = await expectMatchesOpenApi<{ runId: string }>(accepted, "triggerWorkflow", 202);
  await expect.poll(async () => (await trpcQuery(request, "run", "get", { runId })).status, { timeout: 20_000 }).toBe("succeeded");

  // The panel's curl example, run as shown (bash, openssl, curl), is accepted too.
  const example = (await curl.textContent()) ?? "";
  const answer = execFileSync("bash", ["-c", `${example} -s -w '\n%{http_code}'`], { encoding: "utf8" });
  expect(answer.trim().split("\n").at(-1), answer).toBe("202");
  await expect.poll(async () => (await trpcQuery(request, "run", "list", { workflowId: id })).runs.length).toBe(2);

  const replayed = await api.post(`/api/v1/workflows/${id}/trigger`, { headers, data: body });
  expect((await expectMatchesOpenApi<{ error: { message: string } }>(replayed, "triggerWorkflow", 401)).error.message).toContain("already used");

  // Switched to GitHub's scheme in the panel, the same secret verifies X-Hub-Signature-256.
  await section.getByLabel("Signature scheme").selectOption("github");
  await expect.poll(async () => (await trpcQuery(request, "workflow", "webhookSettings", { workflowId: id }))?.scheme).toBe("github");
  const payload = JSON.stringify({ zen: "Design for failure.", hook_id: 1 });
  const github = await api.post(`/api/v1/workflows/${id}/trigger`, {
    headers: { "content-type": "application/json", "X-GitHub-Event": "ping", "X-GitHub-Delivery": randomUUID(), "X-Hub-Signature-256": `sha256=${hmac(secret, payload)}` },
    data: payload,
  });
  await expectMatchesOpenApi(github, "triggerWorkflow", 202);

  await section.getByRole("button", { name: "Delete signing secret" }).click();
  await expect(section.getByRole("button", { name: "Create signing secret" })).toBeVisible();
  await api.dispose();
});

test("20 parallel identical triggers with one Idempotency-Key make one run; ?wait answers with the output", async ({ request, playwright, baseURL }) => {
  const api = await systemClient(playwright, baseURL);
  const { id } = await trpcMutation(request, "workflow", "create", { name: `Idempotent ${Date.now()}` });
  const { token } = await trpcMutation(request, "workflow", "createTriggerToken", { workflowId: id });
  const key = randomUUID();
  const responses = await Promise.all(
    Array.from({ length: 20 }, () =>
      api.post(`/api/v1/workflows/${id}/trigger`, { headers: { authorization: `Bearer ${token}`, "Idempotency-Key": key }, data: { input: { topic: "once" } } }),
    ),
  );
  const runIds = new Set(await Promise.all(responses.map(async (response) => (await expectMatchesOpenApi<{ runId: string }>(response, "triggerWorkflow", 202)).runId)));
  expect(runIds.size).toBe(1);
  const runs = await trpcQuery(request, "run", "list", { workflowId: id });
  expect(runs.runs.length).toBe(1);

  const sync = await api.post(`/api/v1/workflows/${id}/trigger?wait=20`, { headers: { authorization: `Bearer ${token}` }, data: { input: { topic: "sync" } } });
  expect(await expectMatchesOpenApi(sync, "triggerWorkflow", 200)).toMatchObject({ status: "succeeded" });
  await api.dispose();
});
