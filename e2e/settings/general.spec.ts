import { expect, test } from "@playwright/test";
import { trpcMutation, trpcQuery } from "../support/api";
import { unique } from "./helpers";

test.describe("Settings · general", () => {
  test("the owner renames the workspace; the top bar follows", async ({ page, request }) => {
    const me = await trpcQuery(request, "account", "me", undefined);
    const original = me.workspace?.name ?? "";
    const renamed = `Renamed ${unique()}`;
    try {
      await page.goto("/settings");
      await expect(page.getByTestId("your-role")).toContainText("Everything, including owners and the workspace itself");
      const name = page.getByLabel("Workspace name");
      await expect(name).toHaveValue(original);
      await expect(page.getByRole("button", { name: "Rename" })).toBeDisabled();
      await name.fill(renamed);
      await page.getByRole("button", { name: "Rename" }).click();
      await expect(page.getByRole("status").filter({ hasText: "Saved" })).toBeVisible();
      await expect(page.getByTestId("workspace-switcher")).toContainText(renamed);
    } finally {
      // Other specs know the workspace by its first name.
      await trpcMutation(request, "account", "renameWorkspace", { name: original });
    }
  });

  test("the roles table shows what each role may do", async ({ page }) => {
    await page.goto("/settings");
    const table = page.getByRole("table", { name: "What each role may do" });
    const audit = table.getByRole("row", { name: /Read the audit log/ });
    // Owner, admin, editor, operator, viewer.
    await expect(audit.getByRole("cell")).toHaveText([/yes$/, /yes$/, /no$/, /no$/, /no$/]);
    const start = table.getByRole("row", { name: /Start runs/ });
    await expect(start.getByRole("cell")).toHaveText([/yes$/, /yes$/, /yes$/, /yes$/, /no$/]);
  });
});
