import { expect, test } from "@playwright/test";
import { systemClient, trpcMutation } from "../support/api";
import { expectMatchesOpenApi } from "../support/openapi";

/** The API reference at /docs/api, rendered from the served OpenAPI document, and its "Try it" with a real API key. */

test("the API reference lists the trigger and sends a real request with the user's API key", async ({ page, request, playwright, baseURL }) => {
  const { id: workflowId } = await trpcMutation(request, "workflow", "create", { name: `Docs ${Date.now()}` });
  const { token: key } = await trpcMutation(request, "apiKeys", "create", { name: `docs ${Date.now()}`, scopes: ["read", "trigger"] });

  // The document itself answers the key (and matches its own schema for that operation).
  const api = await systemClient(playwright, baseURL);
  const served = await expectMatchesOpenApi<{ openapi: string }>(await api.get("/api/v1/openapi.json", { headers: { authorization: `Bearer ${key}` } }), "getOpenApiDocument", 200);
  expect(served.openapi).toBe("3.1.0");
  await expectMatchesOpenApi(await api.get("/api/v1/openapi.json"), "getOpenApiDocument", 401);
  await api.dispose();

  // Rendered from the app's own bundle under its CSP (nonce, no eval, no other origin): nothing is refused.
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error" && !message.text().includes("401")) problems.push(message.text());
  });
  page.on("pageerror", (error) => problems.push(error.message));
  page.on("request", (sent) => {
    if (new URL(sent.url()).origin !== new URL(baseURL!).origin) problems.push(`request to another origin: ${sent.url()}`);
  });
  await page.goto("/docs/api");
  await expect(page.getByRole("heading", { name: "AgentFlow API" })).toBeVisible();
  // Every operation's name is readable in full in the side list (long ones wrap, none is cut off).
  const operations = page.getByRole("navigation", { name: "Operations" });
  await expect(operations.getByRole("link", { name: "List pending human tasks" })).toBeVisible();
  const cut = await operations.locator("a[href^='#'] span:last-child").evaluateAll((spans) => spans.filter((span) => span.scrollWidth > span.clientWidth).map((span) => span.textContent));
  expect(cut, "operation names cut off in the side list").toEqual([]);
  await operations.getByRole("link", { name: /Start a run/ }).click();
  const trigger = page.getByRole("article", { name: "POST /api/v1/workflows/{workflowId}/trigger" });
  await expect(trigger).toBeInViewport();
  await expect(trigger.getByText("Idempotency-Key", { exact: true }).first()).toBeVisible();
  await page.screenshot({ path: "/tmp/shots/api-reference-operation.png" });

  // Without a key the request carries no cookie: 401, although this page is signed in.
  await trigger.getByLabel("workflowId (path)").fill(workflowId);
  await trigger.getByRole("button", { name: "Send POST" }).click();
  await expect(trigger.getByTestId("try-status")).toHaveText(/^401 application\/json/);

  await page.getByLabel(/API key for/).fill(key);
  await trigger.getByLabel("wait (query)").fill("20");
  await trigger.getByLabel("Request body").fill(JSON.stringify({ input: { topic: "docs" } }));
  await expect(trigger.getByText(`/api/v1/workflows/${workflowId}/trigger?wait=20`)).toBeVisible();
  await trigger.getByRole("button", { name: "Send POST" }).click();
  await expect(trigger.getByTestId("try-status")).toHaveText(/^200 application\/json/, { timeout: 30_000 });
  await expect(trigger.getByTestId("try-body")).toContainText('"status": "succeeded"');
  await trigger.scrollIntoViewIfNeeded();
  await page.screenshot({ path: "/tmp/shots/api-reference.png" });

  expect(problems).toEqual([]);

  // The key stays in this tab only: a reload keeps it, a new tab (context) does not have it.
  await page.reload();
  await expect(page.getByLabel(/API key for/)).toHaveValue(key);
  expect(await page.evaluate(() => Object.keys(window.localStorage).filter((name) => name.includes("api-reference")))).toEqual([]);
});

test("an unsigned visitor is sent to sign in", async ({ browser }) => {
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const page = await context.newPage();
  await page.goto("/docs/api");
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fdocs%2Fapi/);
  await context.close();
});
