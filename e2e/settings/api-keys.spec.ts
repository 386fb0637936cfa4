import { expect, test } from "@playwright/test";
import { trpcMutation } from "../support/api";
import { NO_SESSION, unique } from "./helpers";

test.describe("Settings · API keys", () => {
  test("a key is shown once, starts runs over REST, and is refused once revoked", async ({ page, request, playwright }) => {
    const { id: workflowId } = await trpcMutation(request, "workflow", "create", { name: `API key target ${unique()}` });
    const name = `CI ${unique()}`;

    await page.goto("/settings/api-keys");
    await page.getByLabel("Key name").fill(name);
    await expect(page.getByRole("checkbox", { name: "trigger", exact: true })).toBeChecked();
    await page.getByRole("checkbox", { name: "read", exact: true }).check();
    await page.getByRole("button", { name: "Create key" }).click();

    const created = page.getByTestId("new-api-key");
    await expect(created).toContainText("will not be shown again");
    const token = (await page.getByTestId("new-api-key-token").textContent())?.trim() ?? "";
    expect(token).toMatch(/^afk_[A-Za-z0-9_-]{20,}$/);
    await page.getByLabel("Workflow", { exact: true }).selectOption(workflowId);
    const example = page.getByTestId("new-api-key-example");
    await expect(example).toContainText(`/api/v1/workflows/${workflowId}/trigger`);
    await expect(example).toContainText(`Authorization: Bearer ${token}`);

    // Afterwards only the prefix is ever shown.
    const row = page.getByRole("table", { name: "API keys" }).getByRole("row").filter({ hasText: name });
    await expect(row).toContainText(`${token.slice(0, 12)}…`);
    await expect(row).toContainText("trigger");
    await expect(row).toContainText("read");
    await page.reload();
    await expect(page.getByTestId("new-api-key")).toHaveCount(0);
    await expect(row).toContainText(`${token.slice(0, 12)}…`);
    await expect(row).toContainText("Never");
    expect(await page.content()).not.toContain(token);

    // Another system, with nothing but the key.
    const api = await playwright.request.newContext({ storageState: NO_SESSION });
    const trigger = () => api.post(`/api/v1/workflows/${workflowId}/trigger`, { headers: { authorization: `Bearer ${token}` }, data: { input: { from: "e2e" } } });
    const accepted = await trigger();
    expect(accepted.status()).toBe(202);
    expect(((await accepted.json()) as { runId: string }).runId).toMatch(/^run_/);
    await page.reload();
    await expect(row).not.toContainText("Never");

    await row.getByRole("button", { name: `Revoke API key ${name}` }).click();
    const dialog = page.getByRole("dialog", { name: `Revoke “${name}”?` });
    await expect(dialog).toContainText(`${token.slice(0, 12)}…`);
    await dialog.getByRole("button", { name: "Revoke key" }).click();
    await expect(row).toHaveCount(0);

    const refused = await trigger();
    expect(refused.status()).toBe(401);
    await api.dispose();
  });

  test("a key needs a name and a scope before it can be created", async ({ page }) => {
    await page.goto("/settings/api-keys");
    const create = page.getByRole("button", { name: "Create key" });
    await expect(create).toBeDisabled();
    await page.getByLabel("Key name").fill(`No scope ${unique()}`);
    await expect(create).toBeEnabled();
    await page.getByRole("checkbox", { name: "trigger", exact: true }).uncheck();
    await expect(create).toBeDisabled();
  });
});
