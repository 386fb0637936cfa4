import { expect, test } from "@playwright/test";
import { trpcMutation } from "../support/api";
import { agentGraph } from "../support/graphs";
import { startOtlpReceiver, type OtlpReceiver } from "../../tests/support/otlp-receiver";

/**
 * The built app traces for real: the web (instrumentation.ts) and the worker (workers/main.ts)
 * export to the OTLP receiver playwright.config.ts names; a run started in the web shows its
 * trace id on the run page, and both processes' spans arrive under that id.
 */

let receiver: OtlpReceiver;

test.beforeAll(async () => {
  receiver = await startOtlpReceiver({ port: 4319 });
});

test.afterAll(async () => {
  await receiver?.close();
});

test("the run page shows the run's trace id, and web and worker spans share it", async ({ page, request, context }) => {
  const task = 'Write it down.\n#demo:call:write_file {"path":"trace.md","content":"traced"}';
  const { id } = await trpcMutation(request, "workflow", "create", { name: `Traced ${Date.now()}`, graph: agentGraph({ task, allowedTools: ["write_file"] }) });
  const { runId } = await trpcMutation(request, "run", "start", { workflowId: id, input: {} });

  await page.goto(`/runs/${runId}`);
  await expect(page.getByTestId("run-status")).toHaveText("succeeded", { timeout: 30_000 });
  const shown = page.getByTestId("run-trace-id");
  await expect(shown).toHaveText(/^[0-9a-f]{32}$/);
  const traceId = (await shown.textContent()) ?? "";
  await page.screenshot({ path: "/tmp/shots/run-trace-id.png" });

  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await page.getByRole("button", { name: "Copy the trace id" }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(traceId);

  // Batches leave every 5 s (BatchSpanProcessor's default delay).
  const names = () => new Set(receiver.spans.filter((span) => span.traceId === traceId).map((span) => `${span.service} ${span.name.replace(/^chat .*/, "chat")}`));
  await expect
    .poll(() => [...names()], { timeout: 20_000 })
    .toEqual(expect.arrayContaining(["agentflow-web run.start manual", "agentflow-worker run.advance", "agentflow-worker execute_tool write_file", "agentflow-worker chat"]));
});
