import { expect, test } from "@playwright/test";
import { trpcQuery } from "../support/api";
import { node, openWorkflow, saveState } from "../support/editor";

test.describe("validation", () => {
  test("clicking a problem selects its node and centres it in the canvas", async ({ page, request }) => {
    await openWorkflow(page, request, "Centre");
    await node(page, "agent_1").click();
    await page.getByLabel("Task").fill("");
    await page.locator(".react-flow__pane").click({ position: { x: 30, y: 30 } });

    // Pan the node out of view.
    const canvas = await page.locator(".react-flow").boundingBox();
    if (!canvas) throw new Error("no canvas");
    await page.mouse.move(canvas.x + 40, canvas.y + 40);
    await page.mouse.down();
    await page.mouse.move(canvas.x + canvas.width - 40, canvas.y + canvas.height - 40, { steps: 10 });
    await page.mouse.up();

    await page.getByTestId("problems-panel").getByRole("button", { name: /the task is empty/ }).click();
    await expect(node(page, "agent_1")).toHaveClass(/selected/);
    await expect(page.getByTestId("inspector")).toContainText("agent_1");
    await expect
      .poll(async () => {
        const box = await node(page, "agent_1").boundingBox();
        if (!box) return Number.POSITIVE_INFINITY;
        return Math.hypot(box.x + box.width / 2 - (canvas.x + canvas.width / 2), box.y + box.height / 2 - (canvas.y + canvas.height / 2));
      })
      .toBeLessThan(24);
  });

  test("the inspector flags an invalid value at the field as you type, from the engine's schema", async ({ page, request }) => {
    const id = await openWorkflow(page, request, "Field errors");
    await node(page, "agent_1").click();
    const maxSteps = page.getByLabel("Max steps");
    await maxSteps.fill("1000");
    await expect(page.getByText("At most 100")).toBeVisible();
    await expect(maxSteps).toHaveAttribute("aria-invalid", "true");
    await maxSteps.fill("2.5");
    await expect(page.getByText("Enter a whole number")).toBeVisible();
    await page.getByLabel("Temperature").fill("-1");
    await expect(page.getByText("At least 0")).toBeVisible();

    // Invalid values never reach the draft; a valid one does and clears the message.
    await maxSteps.fill("12");
    await expect(page.getByText("At most 100")).toHaveCount(0);
    await expect(maxSteps).toHaveAttribute("aria-invalid", "false");
    await expect(saveState(page)).toHaveText("Saved", { timeout: 10_000 });
    const saved = await trpcQuery(request, "workflow", "get", { id });
    expect(saved.graph.nodes.find((n) => n.id === "agent_1")?.data).toMatchObject({ maxSteps: 12, temperature: 0.2 });
  });
});
