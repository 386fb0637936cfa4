import { readFile } from "node:fs/promises";
import { expect, test } from "@playwright/test";
import { trpcQuery } from "../support/api";
import { approvalGraph } from "../support/graphs";
import { node, openWorkflow } from "../support/editor";

test.describe("import and export", () => {
  test("exports <name>.agentflow.json and imports it back as a new workflow", async ({ page, request }) => {
    await openWorkflow(page, request, "Portable", approvalGraph("Summarise {{input.topic}} for export"));
    const name = await page.getByLabel("Workflow name").inputValue();

    const downloading = page.waitForEvent("download");
    await page.getByRole("button", { name: "Export" }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toBe(`${name}.agentflow.json`);
    const path = await download.path();
    const file = JSON.parse(await readFile(path, "utf8"));
    expect(file).toMatchObject({ format: "agentflow.workflow", name });
    expect(file.graph.nodes).toHaveLength(4);

    await page.goto("/workflows");
    await page.getByTestId("import-file").setInputFiles(path);
    await expect(page).toHaveURL(/\/workflows\/wf_/);
    // The original still has that name, so the imported copy gets "<name> (copy)".
    await expect(page.getByLabel("Workflow name")).toHaveValue(`${name} (copy)`);
    await expect(node(page, "agent_1")).toContainText("for export");
    const imported = await trpcQuery(request, "workflow", "get", { id: page.url().split("/").pop() ?? "" });
    expect(imported.graph).toEqual(file.graph);
  });

  test("a bad file shows the server's error pointing at the field", async ({ page }) => {
    const graph = approvalGraph();
    const agent = graph.nodes[1];
    if (agent?.type !== "agent") throw new Error("expected the agent second");
    const bad = { format: "agentflow.workflow", name: "Broken", description: "", graph: { ...graph, nodes: graph.nodes.map((n, i) => (i === 1 ? { ...n, data: { ...n.data, maxSteps: 1000 } } : n)) } };

    await page.goto("/workflows");
    await page.getByTestId("import-file").setInputFiles({ name: "broken.agentflow.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(bad)) });
    const error = page.getByTestId("import-error");
    await expect(error).toContainText("Invalid workflow file at graph.nodes[1].data.maxSteps");
    await expect(error.locator("code")).toHaveText("graph.nodes[1].data.maxSteps");
    await expect(page).toHaveURL(/\/workflows$/);

    await page.getByTestId("import-file").setInputFiles({ name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("not json") });
    await expect(error).toContainText("not valid JSON");
  });
});
