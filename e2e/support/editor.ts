import { expect, type APIRequestContext, type Page } from "@playwright/test";
import type { Graph } from "../../server/engine/graph";
import { trpcMutation } from "./api";

export const node = (page: Page, id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);
export const saveState = (page: Page) => page.getByTestId("save-state");

/** Creates a workflow through the API (optionally with a graph) and opens it in the editor. */
export async function openWorkflow(page: Page, request: APIRequestContext, name: string, graph?: Graph): Promise<string> {
  const { id } = await trpcMutation(request, "workflow", "create", { name: `${name} ${Date.now()}`, graph });
  await page.goto(`/workflows/${id}`);
  await expect(page.locator(".react-flow__node").first()).toBeVisible();
  return id;
}

/** Clicks an empty spot of the canvas (clears the selection). */
export async function clickPane(page: Page) {
  await page.locator(".react-flow__pane").click({ position: { x: 30, y: 30 } });
}

/** The Run form, which the header's Run button opens. */
export const runDialog = (page: Page) => page.getByRole("dialog", { name: "Run workflow" });

/** Presses Run, then starts the run with the input the Run form is prefilled with (last run, sample or defaults). */
export async function startRun(page: Page) {
  await page.getByRole("button", { name: "Run", exact: true }).click();
  const dialog = runDialog(page);
  await dialog.getByRole("button", { name: "Start run" }).click();
  await expect(dialog).toBeHidden();
}
