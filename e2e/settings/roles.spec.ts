import { expect, test, type Page } from "@playwright/test";
import { pageAs, personOf } from "../support/users";

/** Fails the test if the page asked the server for something its role may not have (a 403). */
function watchForbidden(page: Page): string[] {
  const forbidden: string[] = [];
  page.on("response", (response) => {
    if (response.status() === 403) forbidden.push(response.url());
  });
  return forbidden;
}

test.describe("Settings · what each role sees", () => {
  test("a viewer sees the members read-only and a note instead of every admin control", async ({ browser }) => {
    const page = await pageAs(browser, "viewer");
    const forbidden = watchForbidden(page);

    await page.goto("/settings");
    await expect(page.getByLabel("Workspace name")).toHaveAttribute("readonly", "");
    await expect(page.getByText("Only an owner can rename the workspace.")).toBeVisible();
    await expect(page.getByRole("button", { name: "Rename" })).toHaveCount(0);
    await expect(page.getByTestId("your-role")).toContainText("Read workflows and runs");
    await expect(page.getByRole("table", { name: "What each role may do" })).toBeVisible();

    await page.goto("/settings/members");
    await expect(page.getByRole("table", { name: "Members" }).getByRole("row").filter({ hasText: personOf("viewer").email })).toBeVisible();
    await expect(page.getByText("Only admins can invite people or change roles.")).toBeVisible();
    await expect(page.getByRole("button", { name: "Create invite link" })).toHaveCount(0);
    await expect(page.getByRole("table", { name: "Pending invitations" })).toHaveCount(0);
    await expect(page.getByRole("table", { name: "Members" }).getByRole("combobox")).toHaveCount(0);
    await expect(page.getByRole("table", { name: "Members" }).getByRole("button")).toHaveCount(0);

    await page.goto("/settings/api-keys");
    await expect(page.getByText("Only admins can manage API keys.")).toBeVisible();
    await expect(page.getByRole("button", { name: "Create key" })).toHaveCount(0);
    await expect(page.getByRole("table", { name: "API keys" })).toHaveCount(0);

    await page.goto("/settings/credentials");
    await expect(page.getByText("Only admins can manage credentials.")).toBeVisible();
    await expect(page.getByRole("button", { name: "Add credential" })).toHaveCount(0);
    await expect(page.getByRole("table", { name: "Credentials" })).toHaveCount(0);

    await page.goto("/settings/audit");
    await expect(page.getByText("Only admins can read the audit log.")).toBeVisible();
    await expect(page.getByRole("table", { name: "Audit log" })).toHaveCount(0);

    // Hidden, and not asked for either: the pages never call what the role may not.
    expect(forbidden).toEqual([]);
    await page.context().close();
  });

  test("an editor sees credential names to use, but cannot add, rotate or delete them", async ({ browser }) => {
    const page = await pageAs(browser, "editor");
    const forbidden = watchForbidden(page);
    await page.goto("/settings/credentials");
    await expect(page.getByRole("table", { name: "Credentials" })).toBeVisible();
    await expect(page.getByText("Only admins can add, rotate or delete credentials.")).toBeVisible();
    await expect(page.getByRole("button", { name: "Add credential" })).toHaveCount(0);
    await expect(page.getByRole("button", { name: /^(Rotate|Delete) / })).toHaveCount(0);
    expect(forbidden).toEqual([]);
    await page.context().close();
  });

  test("an admin manages keys, credentials and the audit log, but cannot rename the workspace", async ({ browser }) => {
    const page = await pageAs(browser, "admin");
    await page.goto("/settings");
    await expect(page.getByLabel("Workspace name")).toHaveAttribute("readonly", "");
    await page.goto("/settings/api-keys");
    await expect(page.getByRole("button", { name: "Create key" })).toBeVisible();
    await page.goto("/settings/credentials");
    await expect(page.getByRole("button", { name: "Add credential" })).toBeVisible();
    await page.goto("/settings/audit");
    await expect(page.getByRole("table", { name: "Audit log" })).toBeVisible();
    await page.context().close();
  });
});
