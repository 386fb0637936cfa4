import { expect, test } from "@playwright/test";
import { createNode, GRAPH_SCHEMA_VERSION, type Graph } from "../../server/engine/graph";
import { trpcMutation, trpcQuery } from "../support/api";

/** trigger (a required `city`) → output: a run that finishes at once. */
function cityGraph(): Graph {
  const trigger = createNode("trigger", "trigger", { x: 0, y: 112 });
  if (trigger.type === "trigger") trigger.data.inputFields = [{ name: "city", type: "string", required: true, default: "", description: "" }];
  return {
    schemaVersion: GRAPH_SCHEMA_VERSION,
    nodes: [trigger, createNode("output", "output", { x: 272, y: 112 })],
    edges: [{ id: "e-trigger-output", source: "trigger", target: "output", sourceHandle: null, targetHandle: null }],
  };
}

test("the Trigger tab adds a cron schedule with its next five fire times, fires it on the published version, and sets a callback", async ({ page, request }) => {
  test.setTimeout(150_000);
  const { id } = await trpcMutation(request, "workflow", "create", { name: `Schedules ${Date.now()}`, graph: cityGraph() });
  await page.goto(`/workflows/${id}`);
  await page.getByRole("tab", { name: "Trigger", exact: true }).click();
  const panel = page.getByTestId("schedules-panel");
  await expect(panel.getByTestId("schedules-unpublished")).toBeVisible();
  await expect(panel.getByTestId("no-schedules")).toBeVisible();

  await panel.getByRole("button", { name: "Add schedule" }).click();
  const form = panel.getByTestId("schedule-form");
  await form.getByLabel("Name").fill("Every minute");
  // A wrong field is named as you type, before anything is saved.
  await form.getByLabel("Cron expression").fill("0 25 * * *");
  await expect(form.getByTestId("schedule-preview")).toContainText('hour field "25" is invalid');
  await form.getByLabel("Cron expression").fill("* * * * *");
  await form.getByLabel("Time zone").fill("Asia/Tokyo");
  await expect(form.getByTestId("schedule-preview").getByRole("listitem")).toHaveCount(5);
  // The input is checked against the Trigger's fields, like a manual run.
  await form.getByLabel("Run input (JSON)").fill("{}");
  await form.getByRole("button", { name: "Add schedule" }).click();
  await expect(form.getByRole("alert")).toContainText("city is required");
  await form.getByLabel("Run input (JSON)").fill('{ "city": "Kyoto" }');
  await form.getByRole("button", { name: "Add schedule" }).click();
  await expect(form).toHaveCount(0);

  const card = panel.getByTestId("schedule-card");
  await expect(card).toHaveCount(1);
  await expect(card).toContainText("Every minute");
  await expect(card).toContainText("Asia/Tokyo");
  await expect(card.getByTestId("next-fires").getByRole("listitem")).toHaveCount(5);
  const listed = await trpcQuery(request, "schedules", "list", { workflowId: id });
  expect(listed.schedules[0]).toMatchObject({ name: "Every minute", cron: "* * * * *", timeZone: "Asia/Tokyo", enabled: true, input: { city: "Kyoto" } });
  expect(listed.schedules[0]?.nextFireTimes).toHaveLength(5);

  // Off and on again.
  await card.getByRole("switch", { name: "Every minute on" }).click();
  await expect(card).toContainText("Off: it does not fire.");
  await card.getByRole("switch", { name: "Every minute on" }).click();
  await expect(card.getByTestId("next-fires").getByRole("listitem")).toHaveCount(5);

  // Published: the next minute's fire starts a run of the published version, linked from the card.
  await trpcMutation(request, "workflow", "publish", { id });
  await page.reload();
  await page.getByRole("tab", { name: "Trigger", exact: true }).click();
  await expect(panel.getByTestId("schedules-unpublished")).toHaveCount(0);
  const runLink = card.getByTestId("last-fire").getByRole("link");
  await expect(runLink).toBeVisible({ timeout: 90_000 });
  await expect(card.getByTestId("last-fire")).toContainText("started");
  const runId = (await runLink.textContent()) ?? "";
  const run = await trpcQuery(request, "run", "get", { runId });
  expect(run).toMatchObject({ trigger: "schedule", startedBy: 'Schedule "Every minute"' });

  // The workflow's run-finished callback: the signing secret is shown once.
  const callback = panel.getByTestId("callback-settings");
  await callback.getByLabel("Callback URL").fill("http://10.0.0.7/hook");
  await callback.getByRole("button", { name: "Save and create secret" }).click();
  await expect(callback).toContainText("refused");
  await callback.getByLabel("Callback URL").fill("https://example.com/agentflow/finished");
  await callback.getByRole("button", { name: "Save and create secret" }).click();
  await expect(callback.getByTestId("callback-secret-value")).toContainText("whsec_");
  // The tab bar scrolls inside the side panel: the page itself never scrolls sideways.
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth && window.scrollX === 0)).toBe(true);
  await panel.scrollIntoViewIfNeeded();
  await page.screenshot({ path: "/tmp/shots/schedules-panel.png" });
  await callback.scrollIntoViewIfNeeded();
  await page.screenshot({ path: "/tmp/shots/schedules-callback.png" });

  await trpcMutation(request, "schedules", "delete", { id: listed.schedules[0]?.id ?? "" });
});
