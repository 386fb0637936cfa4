import { mkdirSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { pageAs } from "../support/users";

/**
 * Settings → Model prices: an admin sets a workspace price for a model the list does not know;
 * it is listed, and a viewer sees the prices without a way to change them.
 */

const SHOTS = "/tmp/shots";
mkdirSync(SHOTS, { recursive: true });

test("an admin sets a model's price for the workspace; a viewer only reads", async ({ browser }) => {
  const admin = await pageAs(browser, "admin");
  await admin.goto("/settings/prices");
  await expect(admin.getByRole("heading", { name: "Built-in list prices" })).toBeVisible();
  const model = `my-finetune-${Date.now()}`;
  await admin.getByLabel("Model").fill(model);
  await admin.getByLabel("Input, USD / 1M tokens").fill("0.5");
  await admin.getByLabel("Output, USD / 1M tokens").fill("1.5");
  await admin.getByRole("button", { name: /save price/i }).click();
  await expect(admin.getByTestId("price-overrides")).toContainText(model);
  await admin.screenshot({ path: `${SHOTS}/prices-settings.png`, fullPage: true });

  const viewer = await pageAs(browser, "viewer");
  await viewer.goto("/settings/prices");
  await expect(viewer.getByText("Only admins can set prices.")).toBeVisible();
  await expect(viewer.getByTestId("price-overrides")).toContainText(model);
  await expect(viewer.getByRole("button", { name: /save price/i })).toHaveCount(0);
});
