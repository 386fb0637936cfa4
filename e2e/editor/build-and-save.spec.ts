import { expect, test, type Page } from "@playwright/test";
import { trpcMutation, trpcQuery } from "../support/api";

const node = (page: Page, id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);

async function openNewWorkflow(page: Page, request: Parameters<typeof trpcMutation>[0], name: string) {
  const { id } = await trpcMutation(request, "workflow", "create", { name: `${name} ${Date.now()}` });
  await page.goto(`/workflows/${id}`);
  await expect(node(page, "agent_1")).toBeVisible();
  return id;
}

test.describe("editor", () => {
  test("builds a graph with drag and drop and connections, and saves it", async ({ page, request }) => {
    const id = await openNewWorkflow(page, request, "Build");

    await page.getByRole("button", { name: "Add Human approval" }).dragTo(page.locator(".react-flow__pane"), {
      targetPosition: { x: 520, y: 520 },
    });
    await expect(node(page, "human_1")).toBeVisible();
    // A dropped node is selected, so the inspector shows its settings.
    await expect(page.getByTestId("inspector")).toContainText("human_1");
    await expect(page.getByTestId("save-state")).toHaveText("Unsaved");

    await page.locator('.react-flow__edge[data-id="e-agent_1-output"]').click({ force: true });
    await page.keyboard.press("Delete");
    await node(page, "agent_1").locator(".react-flow__handle.source.react-flow__handle-right").dragTo(node(page, "human_1").locator(".react-flow__handle.target"));
    await node(page, "human_1")
      .locator('.react-flow__handle.source[data-handleid="approve"]')
      .dragTo(node(page, "output").locator(".react-flow__handle.target"));
    await expect(page.locator(".react-flow__edge")).toHaveCount(3);

    await node(page, "human_1").click();
    await page.getByLabel("Message to the reviewer").fill("Is this summary accurate?");
    await expect(node(page, "human_1")).toContainText("Is this summary accurate?");

    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expect(page.getByTestId("save-state")).toHaveText("Saved");

    const saved = await trpcQuery(request, "workflow", "get", { id });
    expect(saved.problems.filter((problem) => problem.severity === "error")).toEqual([]);
    expect(saved.graph.edges.map((edge) => [edge.source, edge.sourceHandle ?? null, edge.target])).toEqual(
      expect.arrayContaining([
        ["trigger", null, "agent_1"],
        ["agent_1", null, "human_1"],
        ["human_1", "approve", "output"],
      ]),
    );
    expect(saved.graph.nodes.find((n) => n.id === "human_1")?.data).toMatchObject({ message: "Is this summary accurate?" });
  });

  test("undoes and redoes edits; a drag and a delete are one step each", async ({ page, request }) => {
    await openNewWorkflow(page, request, "Undo");
    const nodes = page.locator(".react-flow__node");
    const edges = page.locator(".react-flow__edge");

    await page.getByRole("button", { name: "Add Tool" }).click();
    await expect(nodes).toHaveCount(4);
    await page.locator(".react-flow__pane").click({ position: { x: 40, y: 40 } });
    await page.keyboard.press("ControlOrMeta+z");
    await expect(nodes).toHaveCount(3);
    await page.keyboard.press("ControlOrMeta+Shift+z");
    await expect(nodes).toHaveCount(4);

    const agent = node(page, "agent_1");
    const start = await agent.boundingBox();
    if (!start) throw new Error("agent not rendered");
    await page.mouse.move(start.x + 60, start.y + 20);
    await page.mouse.down();
    for (let step = 1; step <= 8; step++) await page.mouse.move(start.x + 60 + step * 15, start.y + 20 + step * 10);
    await page.mouse.up();
    await expect.poll(async () => (await agent.boundingBox())?.x).toBeGreaterThan(start.x + 60);
    await page.keyboard.press("ControlOrMeta+z");
    await expect.poll(async () => Math.round((await agent.boundingBox())?.x ?? 0)).toBe(Math.round(start.x));

    await agent.click();
    await page.keyboard.press("Delete");
    await expect(agent).toHaveCount(0);
    await expect(edges).toHaveCount(0);
    await page.keyboard.press("ControlOrMeta+z");
    await expect(agent).toBeVisible();
    await expect(edges).toHaveCount(2);
  });

  test("lists validation problems and selects the node of a clicked problem", async ({ page, request }) => {
    await openNewWorkflow(page, request, "Problems");
    await node(page, "agent_1").click();
    await page.getByLabel("Task").fill("");
    await expect(node(page, "agent_1").getByTestId("node-problems")).toHaveText("1");

    await page.locator(".react-flow__pane").click({ position: { x: 40, y: 40 } });
    await page.getByTestId("problems-panel").getByRole("button", { name: /the task is empty/ }).click();
    await expect(node(page, "agent_1")).toHaveClass(/selected/);
    await expect(page.getByTestId("inspector")).toContainText("agent_1");
  });

  test("refuses to save over a newer draft and can overwrite it on request", async ({ page, request }) => {
    const id = await openNewWorkflow(page, request, "Conflict");
    const current = await trpcQuery(request, "workflow", "get", { id });
    await trpcMutation(request, "workflow", "saveDraft", { id, graph: current.graph, baseRevision: current.revision, name: "Renamed elsewhere" });

    await page.getByRole("button", { name: "Add Join" }).click();
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expect(page.getByTestId("save-problem")).toContainText("saved elsewhere");
    await page.getByRole("button", { name: "Overwrite with mine" }).click();
    await expect(page.getByTestId("save-state")).toHaveText("Saved");
    const after = await trpcQuery(request, "workflow", "get", { id });
    expect(after.graph.nodes.map((n) => n.id)).toContain("join_1");
  });
});
