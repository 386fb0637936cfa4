import { mkdirSync } from "node:fs";
import { expect, test, type Page } from "@playwright/test";
import { createNode, GRAPH_SCHEMA_VERSION, inputFieldSchema, type Graph, type InputField } from "../../server/engine/graph";
import { trpcMutation, trpcQuery } from "../support/api";
import { node, runDialog, saveState } from "../support/editor";

const SHOTS = "/tmp/shots";
mkdirSync(SHOTS, { recursive: true });

const FIELDS: InputField[] = [
  inputFieldSchema.parse({ name: "topic", type: "string", required: true, description: "What the summary is about" }),
  inputFieldSchema.parse({ name: "count", type: "number", description: "How many points to make" }),
  inputFieldSchema.parse({ name: "urgent", type: "boolean" }),
];

/** trigger (with input fields, no sample) → agent → output, so a run finishes on its own. */
function fieldsGraph(fields: InputField[] = FIELDS): Graph {
  const trigger = createNode("trigger", "trigger", { x: 0, y: 112 });
  if (trigger.type === "trigger") {
    trigger.data.inputFields = fields;
    trigger.data.sampleInput = "";
  }
  const agent = createNode("agent", "agent_1", { x: 272, y: 112 });
  if (agent.type === "agent") agent.data.task = "Summarise {{input.topic}}";
  return {
    schemaVersion: GRAPH_SCHEMA_VERSION,
    nodes: [trigger, agent, createNode("output", "output", { x: 544, y: 112 })],
    edges: [
      { id: "e-trigger-agent_1", source: "trigger", target: "agent_1", sourceHandle: null, targetHandle: null },
      { id: "e-agent_1-output", source: "agent_1", target: "output", sourceHandle: null, targetHandle: null },
    ],
  };
}

const openRunForm = async (page: Page) => {
  await page.getByRole("button", { name: "Run", exact: true }).click();
  await expect(runDialog(page)).toBeVisible();
  return runDialog(page);
};

const shownRunId = async (page: Page) => ((await page.getByRole("region", { name: "Run" }).locator('a[href^="/runs/"]').textContent()) ?? "").trim();

test.describe("running with input", () => {
  test("Run asks for the trigger's fields, refuses bad input naming the field, starts the run with what was typed, and prefills the next Run", async ({ page, request }) => {
    const { id } = await trpcMutation(request, "workflow", "create", { name: `Run input ${Date.now()}`, graph: fieldsGraph() });
    await page.goto(`/workflows/${id}`);

    const dialog = await openRunForm(page);
    await expect(dialog.getByTestId("run-input-source")).toHaveText("Prefilled from the defaults");
    const topic = dialog.getByLabel("topic");
    const count = dialog.getByLabel("count");
    const urgent = dialog.getByLabel("urgent");
    await expect(topic).toHaveValue("");
    await expect(topic).toHaveAttribute("aria-required", "true");
    await expect(dialog).toContainText("What the summary is about");
    // The empty required field is what needs doing first, so it has the focus.
    await expect(topic).toBeFocused();

    await dialog.getByRole("button", { name: "Start run" }).click();
    await expect(dialog.getByRole("alert")).toHaveText("topic is required");
    await expect(topic).toHaveAttribute("aria-invalid", "true");
    await expect(topic).toBeFocused();

    await topic.fill("quarterly billing");
    await count.fill("twelve");
    await count.press("Enter");
    await expect(dialog.getByRole("alert")).toHaveText("count must be a number");
    await expect(count).toHaveAttribute("aria-invalid", "true");
    await expect(count).toBeFocused();
    await page.screenshot({ path: `${SHOTS}/run-dialog-form-error.png` });
    // Nothing was started by the refused attempts.
    expect(await trpcQuery(request, "workflow", "lastRunInput", { workflowId: id })).toBeNull();

    await count.fill("12");
    await urgent.check();
    await count.press("Enter");
    await expect(dialog).toBeHidden();
    await expect(page.getByTestId("run-status")).toHaveText("succeeded", { timeout: 30_000 });
    await expect(page.getByTestId("run-output")).toContainText("quarterly billing");
    const firstRunId = await shownRunId(page);
    expect(firstRunId).toMatch(/^run_/);
    expect((await trpcQuery(request, "run", "get", { runId: firstRunId })).input).toEqual({ topic: "quarterly billing", count: 12, urgent: true });

    // The next Run starts from the last run's input, with the focus on Start run.
    await openRunForm(page);
    await expect(dialog.getByTestId("run-input-source")).toHaveText("Prefilled from the last run");
    await expect(topic).toHaveValue("quarterly billing");
    await expect(count).toHaveValue("12");
    await expect(urgent).toBeChecked();
    await expect(dialog.getByRole("button", { name: "Start run" })).toBeFocused();

    // Form → JSON → form: both ways, and keys no field asks for are kept.
    await dialog.getByRole("tab", { name: "JSON" }).click();
    const json = dialog.getByLabel("Input (JSON)");
    expect(JSON.parse(await json.inputValue())).toEqual({ topic: "quarterly billing", count: 12, urgent: true });
    await json.fill(JSON.stringify({ topic: "from json", count: 3, urgent: false, source: "kept" }, null, 2));
    await dialog.getByRole("tab", { name: "Form" }).click();
    await expect(topic).toHaveValue("from json");
    await expect(count).toHaveValue("3");
    await expect(urgent).not.toBeChecked();
    await dialog.getByRole("tab", { name: "JSON" }).click();
    expect(JSON.parse(await json.inputValue())).toEqual({ topic: "from json", count: 3, urgent: false, source: "kept" });

    // The JSON tab is checked against the same fields.
    await json.fill('{\n  "topic": "from json",\n  "count": "3"\n}');
    await dialog.getByRole("button", { name: "Start run" }).click();
    await expect(dialog.getByRole("alert")).toHaveText("count must be a number");
    await page.screenshot({ path: `${SHOTS}/run-dialog-json-error.png` });
    await json.fill("{ broken");
    await dialog.getByRole("tab", { name: "Form" }).click();
    await expect(dialog.getByRole("alert")).toContainText("Not valid JSON");
    await expect(json).toBeVisible();

    await json.fill(JSON.stringify({ topic: "from json", count: 3, urgent: false, source: "kept" }, null, 2));
    await page.screenshot({ path: `${SHOTS}/run-dialog-json.png` });
    await json.press("Control+Enter");
    await expect(dialog).toBeHidden();
    await expect.poll(() => shownRunId(page)).not.toBe(firstRunId);
    const secondRunId = await shownRunId(page);
    expect((await trpcQuery(request, "run", "get", { runId: secondRunId })).input).toEqual({ topic: "from json", count: 3, urgent: false, source: "kept" });
    await expect(page.getByTestId("run-status")).toHaveText("succeeded", { timeout: 30_000 });
  });

  test("Escape closes the form without a run, and a field the server refuses is shown at that field", async ({ page, request }) => {
    const { id } = await trpcMutation(request, "workflow", "create", { name: `Run input server ${Date.now()}`, graph: fieldsGraph() });
    await page.goto(`/workflows/${id}`);

    const dialog = await openRunForm(page);
    await dialog.getByLabel("topic").fill("never sent");
    await page.keyboard.press("Escape");
    await expect(dialog).toBeHidden();
    await expect(page.getByRole("button", { name: "Run", exact: true })).toBeEnabled();
    expect(await trpcQuery(request, "workflow", "lastRunInput", { workflowId: id })).toBeNull();

    // Someone else saves the draft meanwhile: on the server, count is now a yes/no field.
    const saved = await trpcQuery(request, "workflow", "get", { id });
    const changed = fieldsGraph(FIELDS.map((field) => (field.name === "count" ? { ...field, type: "boolean" as const } : field)));
    await trpcMutation(request, "workflow", "saveDraft", { id, graph: changed, baseRevision: saved.revision });

    await openRunForm(page);
    await dialog.getByLabel("topic").fill("billing");
    await dialog.getByLabel("count").fill("5");
    await dialog.getByRole("button", { name: "Start run" }).click();
    // The form (with the fields as loaded) accepted it; the server's 400 names count, and it shows there.
    await expect(dialog.getByRole("alert")).toHaveText("count must be true or false");
    await expect(dialog.getByLabel("count")).toHaveAttribute("aria-invalid", "true");
    await expect(dialog.getByRole("button", { name: "Start run" })).toBeEnabled();
    expect(await trpcQuery(request, "workflow", "lastRunInput", { workflowId: id })).toBeNull();
  });

  test("the Trigger's inspector edits the input fields, with problems shown at the field, and Run asks for them", async ({ page, request }) => {
    const { id } = await trpcMutation(request, "workflow", "create", { name: `Input fields ${Date.now()}`, graph: fieldsGraph([]) });
    await page.goto(`/workflows/${id}`);
    await node(page, "trigger").click();
    const inspector = page.getByTestId("inspector");
    await expect(inspector).toContainText("None: Run asks for any JSON");

    await inspector.getByRole("button", { name: "Add field" }).click();
    await inspector.getByLabel("Field 1 name").fill("question");
    await inspector.getByLabel("question required").check();
    await inspector.getByLabel("question description").fill("What to ask the agent");

    await inspector.getByRole("button", { name: "Add field" }).click();
    const second = inspector.getByLabel("Field 2 name");
    await second.fill("max words");
    await expect(inspector).toContainText("a field name starts with a letter or _");
    await expect(second).toHaveAttribute("aria-invalid", "true");
    await second.fill("question");
    await expect(inspector).toContainText("Two fields are named question");
    await second.fill("max_words");
    await inspector.getByLabel("max_words type").selectOption("number");
    await inspector.getByLabel("max_words default").fill("many");
    await expect(inspector).toContainText("The default of max_words is not a number");
    await inspector.getByLabel("max_words default").fill("200");

    await inspector.getByRole("button", { name: "Add field" }).click();
    await inspector.getByLabel("Field 3 name").fill("formal");
    await inspector.getByLabel("formal type").selectOption("boolean");
    await inspector.getByRole("button", { name: "Move formal up" }).click();
    await expect(inspector.getByLabel("Field 2 name")).toHaveValue("formal");
    await page.screenshot({ path: `${SHOTS}/inspector-input-fields.png` });
    await inspector.getByRole("button", { name: "Remove formal" }).click();
    await expect(inspector.getByTestId("input-field-card")).toHaveCount(2);

    await expect(saveState(page)).toHaveText("Saved", { timeout: 10_000 });
    const saved = await trpcQuery(request, "workflow", "get", { id });
    const trigger = saved.graph.nodes.find((candidate) => candidate.type === "trigger");
    expect(trigger?.type === "trigger" ? trigger.data.inputFields : null).toEqual([
      { name: "question", type: "string", required: true, default: "", description: "What to ask the agent" },
      { name: "max_words", type: "number", required: false, default: "200", description: "" },
    ]);

    const dialog = await openRunForm(page);
    await expect(dialog.getByLabel("question")).toBeVisible();
    await expect(dialog.getByLabel("max_words")).toHaveValue("200");
    await page.screenshot({ path: `${SHOTS}/run-dialog-form.png` });
  });

  test("without fields Run asks for JSON, prefilled from the sample, and Enter starts it", async ({ page, request }) => {
    const graph = fieldsGraph([]);
    const trigger = graph.nodes.find((candidate) => candidate.type === "trigger");
    if (trigger?.type === "trigger") trigger.data.sampleInput = '{\n  "topic": "the sample"\n}';
    const { id } = await trpcMutation(request, "workflow", "create", { name: `Run JSON ${Date.now()}`, graph });
    await page.goto(`/workflows/${id}`);

    const dialog = await openRunForm(page);
    await expect(dialog.getByRole("tab")).toHaveCount(0);
    await expect(dialog.getByLabel("Input (JSON)")).toHaveValue('{\n  "topic": "the sample"\n}');
    await expect(dialog.getByTestId("run-input-source")).toHaveText("Prefilled from the sample input");
    // Run, then Enter: the focus waits on Start run.
    await expect(dialog.getByRole("button", { name: "Start run" })).toBeFocused();
    await page.screenshot({ path: `${SHOTS}/run-dialog-json-only.png` });
    await page.keyboard.press("Enter");
    await expect(dialog).toBeHidden();
    await expect(page.getByTestId("run-status")).toHaveText("succeeded", { timeout: 30_000 });
    expect((await trpcQuery(request, "run", "get", { runId: await shownRunId(page) })).input).toEqual({ topic: "the sample" });
  });

  test("the Trigger tab's example fills in the fields, and the REST trigger refuses a missing field by name", async ({ page, request }) => {
    const { id } = await trpcMutation(request, "workflow", "create", { name: `Run input REST ${Date.now()}`, graph: fieldsGraph() });
    await page.goto(`/workflows/${id}`);
    await page.getByRole("tab", { name: "Trigger", exact: true }).click();
    await expect(page.getByTestId("trigger-input-fields")).toContainText("topic (required), count, urgent");
    await page.getByRole("button", { name: "Create token" }).click();
    const token = ((await page.getByTestId("new-token-value").textContent()) ?? "").trim();
    // A required field without a default gets a placeholder; optional ones without a default are left out.
    await expect(page.getByTestId("curl-example")).toContainText(`-d '{"input":{"topic":"<topic>"}}'`);

    const refused = await request.post(`/api/v1/workflows/${id}/trigger`, { headers: { authorization: `Bearer ${token}` }, data: { input: { count: 2 } } });
    expect(refused.status()).toBe(400);
    expect(await refused.json()).toMatchObject({ error: { code: "invalid_input", message: "topic is required", path: "input.topic" } });
    const accepted = await request.post(`/api/v1/workflows/${id}/trigger`, { headers: { authorization: `Bearer ${token}` }, data: { input: { topic: "via REST", count: 2 } } });
    expect(accepted.status()).toBe(202);
  });
});
