import { expect, test, type Page } from "@playwright/test";
import { trpcMutation } from "../support/api";
import { pageAs, personOf } from "../support/users";
import { newMember, unique } from "./helpers";

/** The row of one audit entry: its action and target, as the table shows them. */
function entry(page: Page, action: string, target: string) {
  return page.locator(`tr[data-action="${action}"]`).filter({ hasText: target });
}

test.describe("Settings · audit log", () => {
  test("invites, role changes, API keys and credentials are recorded with who did them", async ({ page, browser, request }) => {
    const owner = personOf("owner");
    const admin = personOf("admin");
    const id = unique();
    const email = `audited-${id}@agentflow.test`;
    await trpcMutation(request, "invitations", "create", { role: "editor", email });
    const key = await trpcMutation(request, "apiKeys", "create", { name: `Audited key ${id}`, scopes: ["trigger"] });
    await trpcMutation(request, "apiKeys", "revoke", { keyId: key.id });
    const credential = await trpcMutation(request, "credentials", "create", { name: `audited_${id}`, secret: { kind: "bearer", token: `audit-secret-${id}-abcdef` }, allowedHosts: ["api.example.com"] });
    await trpcMutation(request, "credentials", "update", { id: credential.id, secret: { kind: "bearer", token: `audit-rotated-${id}-abcdef` } });
    // An admin changes a newcomer's role.
    const member = await newMember(browser, request, "viewer", "Audited");
    const adminPage = await pageAs(browser, "admin");
    await trpcMutation(adminPage.context().request, "members", "changeRole", { memberId: member.memberId, role: "operator" });
    await adminPage.context().close();
    await member.context.close();

    await page.goto("/settings/audit");
    const action = page.getByLabel("Action", { exact: true });

    await action.selectOption({ label: "Members" });
    const invited = entry(page, "member.invited", email);
    await expect(invited).toContainText("invited a member");
    await expect(invited).toContainText(owner.name);
    await expect(invited).toContainText(/role:\s*editor/);
    const changed = entry(page, "member.role_changed", member.person.name);
    await expect(changed).toContainText("changed a member's role");
    await expect(changed).toContainText(admin.name);
    await expect(changed).toContainText(/from:\s*viewer/);
    await expect(changed).toContainText(/to:\s*operator/);
    await expect(page.locator("tr[data-action^='api_key.']")).toHaveCount(0);

    await action.selectOption({ label: "API keys & tokens" });
    await expect(entry(page, "api_key.created", `Audited key ${id}`)).toContainText(owner.name);
    await expect(entry(page, "api_key.created", `Audited key ${id}`)).toContainText(/scopes:\s*trigger/);
    await expect(entry(page, "api_key.revoked", `Audited key ${id}`)).toContainText("revoked an API key");

    await action.selectOption({ label: "Credentials" });
    await expect(entry(page, "credential.created", `audited_${id}`)).toContainText("added a credential");
    await expect(entry(page, "credential.created", `audited_${id}`)).toContainText(owner.name);
    await expect(entry(page, "credential.updated", `audited_${id}`)).toContainText("rotated a credential");
    // The trail names the credential, never its value.
    expect(await page.content()).not.toContain(`audit-secret-${id}`);

    // One thing's history: filter by its id (or click the id in a row).
    await action.selectOption({ label: "All actions" });
    await page.getByLabel("Target id").fill(key.id);
    await page.getByRole("button", { name: "Filter" }).click();
    await expect(page.locator("tr[data-action]")).toHaveCount(2);
    await expect(page.locator("tr[data-action]").nth(0)).toHaveAttribute("data-action", "api_key.revoked");
    await expect(page.locator("tr[data-action]").nth(1)).toHaveAttribute("data-action", "api_key.created");
  });

  test("older entries load page by page, without gaps or repeats", async ({ page, request }) => {
    // 60 entries in a group made of two prefixes (api_key. and trigger_token.), merged by the page.
    const id = unique();
    for (let i = 0; i < 30; i++) {
      const key = await trpcMutation(request, "apiKeys", "create", { name: `Paging ${id} ${i}`, scopes: ["read"] });
      await trpcMutation(request, "apiKeys", "revoke", { keyId: key.id });
    }
    await page.goto("/settings/audit");
    await page.getByLabel("Action", { exact: true }).selectOption({ label: "API keys & tokens" });
    const rows = page.locator("tr[data-entry-id]");
    await expect(rows).toHaveCount(50);
    await page.getByRole("button", { name: "Load older" }).click();
    await expect.poll(() => rows.count()).toBeGreaterThan(50);
    const ids = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-entry-id")));
    expect(new Set(ids).size).toBe(ids.length);
    // All 60 of ours are there, newest first.
    const ours = await rows.filter({ hasText: new RegExp(`Paging ${id} \\d+`) }).count();
    expect(ours).toBe(60);
  });
});
