import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "@playwright/test";
import { handleDemoModelRequest } from "../../server/llm/demo-model";
import { trpcMutation, trpcQuery } from "../support/api";
import { agentGraph } from "../support/graphs";
import { node, openWorkflow, runDialog, startRun } from "../support/editor";
import { unique } from "./helpers";

/**
 * Settings → Model providers in a real browser, against a real OpenAI-wire server on loopback
 * (the built-in demo model behind an API-key check, as vLLM with --api-key), which the app may
 * reach because the test environment allows 127.0.0.1 (HTTP_ALLOW_PRIVATE_HOSTS).
 */

const KEY = "sk-e2e-provider-key";
let server: Server;
let baseUrl: string;

test.beforeAll(async () => {
  server = createServer(async (req, res) => {
    if (req.headers.authorization !== `Bearer ${KEY}`) {
      res.writeHead(401, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: "Incorrect API key provided" } }));
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const response = await handleDemoModelRequest(
      new Request(`http://127.0.0.1${req.url ?? "/"}`, { method: req.method, headers: { "content-type": "application/json" }, body: req.method === "GET" ? undefined : Buffer.concat(chunks) }),
    );
    res.writeHead(response.status, Object.fromEntries(response.headers.entries()));
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

// Agents set to "Default" use a workspace's first provider: leave none behind for later specs.
test.afterEach(async ({ request }) => {
  const { providers } = await trpcQuery(request, "providers", "list", undefined);
  for (const provider of providers.filter((entry) => entry.name.startsWith("vllm-"))) await trpcMutation(request, "providers", "delete", { id: provider.id });
});

test.afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const agentOn = (provider: string) => agentGraph({ task: "Summarise {{input.topic}}", provider });

test.describe("Settings · model providers", () => {
  test("an admin adds an OpenAI-compatible server, Test connection lists its models, and agents pick it from dropdowns", async ({ page, request }) => {
    const name = `vllm-${unique()}`;
    await page.goto("/settings/providers");
    const form = page.getByTestId("provider-form");
    await form.getByLabel("Name", { exact: true }).fill(name);
    await expect(form.getByLabel("Kind")).toHaveValue("openai_compatible");
    await form.getByLabel("Base URL").fill(baseUrl);
    await form.getByLabel("API key (optional)").fill(KEY);
    await page.getByRole("button", { name: "Add provider" }).click();
    await expect(page.getByText(`Added “${name}”`)).toBeVisible();
    const row = page.locator(`tr[data-provider-name="${name}"]`);
    await expect(row).toContainText(baseUrl);
    await expect(row.getByText("set", { exact: true })).toBeVisible();
    expect(await page.content()).not.toContain(KEY);

    await row.getByRole("button", { name: `Test connection of ${name}` }).click();
    const result = page.getByTestId(`provider-test-${name}`);
    await expect(result).toContainText("Connected — 1 model found");
    await expect(result).toContainText("agentflow-demo-1");
    await page.screenshot({ path: "/tmp/shots/providers-page.png", fullPage: true });

    // A RunPod form derives its URL from the endpoint id.
    await form.getByLabel("Kind").selectOption("runpod");
    await form.getByLabel("Endpoint id").fill("abc123");
    await expect(form).toContainText("URL: https://api.runpod.ai/v2/abc123/openai/v1");

    await openWorkflow(page, request, "providers dropdown", agentOn("default"));
    await node(page, "agent_1").click();
    const provider = page.getByLabel("Provider", { exact: true });
    await expect(provider.locator(`option[value="${name}"]`)).toHaveCount(1);
    await expect(provider.locator('option[value="demo"]')).toHaveText("Demo model (built in)");
    await provider.selectOption(name);
    await expect(page.getByText(`1 model from ${name}`)).toBeVisible();
    await page.getByTestId("agent-model-input").click();
    const options = page.getByRole("listbox", { name: `Models of ${name}` });
    await expect(options.getByRole("option", { name: "agentflow-demo-1" })).toBeVisible();
    await page.screenshot({ path: "/tmp/shots/providers-model-dropdown.png" });
    await options.getByRole("option", { name: "agentflow-demo-1" }).click();
    await expect(page.getByTestId("agent-model-input")).toHaveValue("agentflow-demo-1");
    // Free entry: a name the server does not list is kept, with a note.
    await page.getByTestId("agent-model-input").fill("my-finetune");
    await expect(page.getByTestId("agent-model-input")).toHaveValue("my-finetune");
    await expect(page.getByText(`Not among ${name}'s 1 models`)).toBeVisible();

    // Edited and removed through the table's dialogs, each saying what it did.
    await page.goto("/settings/providers");
    await row.getByRole("button", { name: `Edit ${name}` }).click();
    const edit = page.getByRole("dialog", { name: `Edit “${name}”` });
    await edit.getByLabel("Default model (optional)").fill("agentflow-demo-1");
    await edit.getByRole("button", { name: "Save" }).click();
    await expect(page.getByText(`Saved “${name}”.`)).toBeVisible();
    await row.getByRole("button", { name: `Delete ${name}` }).click();
    await page.getByRole("button", { name: "Delete provider" }).click();
    await expect(page.getByText(`Deleted “${name}”.`)).toBeVisible();
    await expect(row).toHaveCount(0);
  });

  test("an agent set to a provider that is not configured shows a problem at its node, and Run is refused", async ({ page, request }) => {
    const missing = `gone-${unique()}`;
    await openWorkflow(page, request, "providers missing", agentOn(missing));
    const problems = page.getByTestId("problems-panel");
    await expect(problems).toContainText(`Provider "${missing}" is not configured in this workspace`);
    await node(page, "agent_1").click();
    // The inspector's Provider field says it too (exactly this; the panel's line is longer).
    await expect(page.getByText(`"${missing}" is not configured in this workspace`, { exact: true })).toBeVisible();
    await page.getByRole("button", { name: "Run", exact: true }).click();
    const dialog = runDialog(page);
    await dialog.getByRole("button", { name: "Start run" }).click();
    await expect(page.getByText(`Provider "${missing}" is not configured`).last()).toBeVisible();
    await page.screenshot({ path: "/tmp/shots/providers-validation-error.png" });
    await expect(page).not.toHaveURL(/\/runs\//);
  });

  test("an agent whose provider is down falls back to the next one chosen in the inspector; the run says who answered and why", async ({ page, request }) => {
    const down = `vllm-down-${unique()}`;
    const up = `vllm-up-${unique()}`;
    // Nothing listens on port 9 of loopback: every request is a refused connection, which the client retries, then gives up.
    await trpcMutation(request, "providers", "create", { name: down, kind: "openai_compatible", baseUrl: "http://127.0.0.1:9/v1", apiKey: KEY, defaultModel: "agentflow-demo-1" });
    await trpcMutation(request, "providers", "create", { name: up, kind: "openai_compatible", baseUrl, apiKey: KEY, defaultModel: "agentflow-demo-1" });
    await openWorkflow(page, request, "providers fallback", agentOn(down));
    await node(page, "agent_1").click();
    await page.getByRole("button", { name: "Add fallback" }).click();
    const fallback = page.getByTestId("agent-fallback-1");
    await fallback.getByLabel("Provider", { exact: true }).selectOption(up);
    await expect(fallback.getByText(`1 model from ${up}`)).toBeVisible();
    await expect(page.getByLabel("Try the next provider after (seconds without an answer)")).toHaveValue("0");
    await page.screenshot({ path: "/tmp/shots/providers-fallback-inspector.png" });
    await expect(page.getByTestId("save-state")).toHaveText(/Saved/, { timeout: 10_000 });

    await startRun(page);
    await expect(page.getByTestId("run-status")).toHaveText("succeeded", { timeout: 45_000 });
    // The run's page lists its events.
    await page.getByRole("link", { name: /^run_/ }).click();
    await expect(page).toHaveURL(/\/runs\/run_/);
    const answer = page.getByTestId("run-events").locator('[data-event-type="llm_response"]');
    await expect(answer).toContainText(`${up}/agentflow-demo-1`);
    await expect(answer).toContainText(`after ${down} (Connection error`);
    await answer.scrollIntoViewIfNeeded();
    await page.screenshot({ path: "/tmp/shots/providers-fallback-run.png" });
  });
});
