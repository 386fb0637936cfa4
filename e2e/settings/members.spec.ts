import { expect, test } from "@playwright/test";
import { trpcMutation, trpcQuery } from "../support/api";
import { pageAs, personOf } from "../support/users";
import { newMember, NO_SESSION, unique } from "./helpers";

test.describe("Settings · members", () => {
  test("an invite link is shown once, and opening it adds the person with the invited role", async ({ page, browser }) => {
    const id = unique();
    const person = { name: `Invitee ${id}`, email: `invitee-${id}@agentflow.test`, password: "an invitee passphrase" };
    await page.goto("/settings/members");
    await page.getByLabel("Role", { exact: true }).selectOption("operator");
    await page.getByLabel("Email (optional)").fill(person.email);
    await page.getByRole("button", { name: "Create invite link" }).click();

    const box = page.getByTestId("invite-link");
    await expect(box).toContainText("shown once; it works for 7 days");
    // The e2e server has no SMTP_URL: the page says so instead of pretending it was sent.
    await expect(box).toContainText(`It was not emailed (no mail server is set up): send it to ${person.email} yourself.`);
    const url = (await page.getByTestId("invite-link-url").textContent())?.trim() ?? "";
    expect(url).toMatch(/\/invite\/afi_[A-Za-z0-9_-]{20,}$/);
    const token = url.slice(url.lastIndexOf("/") + 1);

    const pending = page.getByRole("table", { name: "Pending invitations" }).getByRole("row").filter({ hasText: person.email });
    await expect(pending).toContainText(/operator/i);

    // Shown once: after a reload the link is nowhere on the page, only the pending row.
    await page.reload();
    await expect(page.getByTestId("invite-link")).toHaveCount(0);
    await expect(pending).toBeVisible();
    expect(await page.content()).not.toContain(token);

    // The invitee opens it in a browser of their own.
    const invitee = await browser.newContext({ storageState: NO_SESSION });
    const inviteePage = await invitee.newPage();
    await inviteePage.goto(new URL(url).pathname);
    await expect(inviteePage.getByText("invited you as operator")).toBeVisible();
    await inviteePage.getByLabel("Your name").fill(person.name);
    await expect(inviteePage.getByLabel("Email")).toHaveValue(person.email);
    await inviteePage.getByLabel("Choose a password").fill(person.password);
    await inviteePage.getByRole("button", { name: "Create account and join" }).click();
    await expect(inviteePage).toHaveURL(/\/workflows$/);
    await invitee.close();

    await page.reload();
    const row = page.getByRole("table", { name: "Members" }).getByRole("row").filter({ hasText: person.email });
    await expect(row).toContainText(person.name);
    await expect(row.getByLabel(`Role of ${person.name}`)).toHaveValue("operator");
    await expect(pending).toHaveCount(0);
  });

  test("an admin changes a role with the select, is not offered owner, and cannot change an owner", async ({ browser, request }) => {
    const member = await newMember(browser, request, "viewer", "Role change");
    const admin = await pageAs(browser, "admin");
    await admin.goto("/settings/members");
    const select = admin.getByLabel(`Role of ${member.person.name}`);
    await expect(select).toHaveValue("viewer");
    await expect(select.locator("option")).toHaveText(["admin", "editor", "operator", "viewer"]);

    await select.selectOption("editor");
    await admin.getByRole("button", { name: `Save the role of ${member.person.name}` }).click();
    await expect(admin.getByRole("button", { name: `Save the role of ${member.person.name}` })).toHaveCount(0);
    await expect(select).toHaveValue("editor");
    const me = await trpcQuery(member.context.request, "account", "me", undefined);
    expect(me.workspace?.role).toBe("editor");

    // The owner's row is read-only for an admin, and the invite form offers no owner either.
    const ownerRow = admin.getByRole("table", { name: "Members" }).getByRole("row").filter({ hasText: personOf("owner").email });
    await expect(ownerRow).toContainText(/owner/i);
    await expect(ownerRow.getByRole("combobox")).toHaveCount(0);
    await expect(ownerRow.getByRole("button")).toHaveCount(0);
    await expect(admin.getByLabel("Role", { exact: true }).locator("option")).toHaveText(["admin", "editor", "operator", "viewer"]);

    await admin.context().close();
    await member.context.close();
  });

  test("the only owner cannot step down: the server's refusal is shown", async ({ page, request }) => {
    const owner = personOf("owner");
    await page.goto("/settings/members");
    await page.getByLabel(`Role of ${owner.name}`).selectOption("admin");
    await page.getByRole("button", { name: `Save the role of ${owner.name}` }).click();
    const dialog = page.getByRole("dialog", { name: "Change your own role to admin?" });
    await dialog.getByRole("button", { name: "Change my role" }).click();
    await expect(page.getByRole("alert").filter({ hasText: "A workspace needs at least one owner" })).toBeVisible();
    const me = await trpcQuery(request, "account", "me", undefined);
    expect(me.workspace?.role).toBe("owner");
  });

  test("removing a member asks first, then takes their access away", async ({ page, browser, request }) => {
    const member = await newMember(browser, request, "viewer", "Removed");
    await page.goto("/settings/members");
    await page.getByRole("button", { name: `Remove ${member.person.name}` }).click();
    const dialog = page.getByRole("dialog", { name: `Remove ${member.person.name}?` });
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await expect(page.getByRole("row").filter({ hasText: member.person.email })).toBeVisible();

    await page.getByRole("button", { name: `Remove ${member.person.name}` }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Remove member" }).click();
    await expect(page.getByRole("row").filter({ hasText: member.person.email })).toHaveCount(0);
    const me = await trpcQuery(member.context.request, "account", "me", undefined);
    expect(me.workspace).toBeNull();
    await member.context.close();
  });

  test("a pending invitation can be revoked, and its link stops working", async ({ page, request }) => {
    const email = `revoked-${unique()}@agentflow.test`;
    const invitation = await trpcMutation(request, "invitations", "create", { role: "viewer", email });
    await page.goto("/settings/members");
    await page.getByRole("button", { name: `Revoke the invitation for ${email}` }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Revoke invitation" }).click();
    await expect(page.getByRole("table", { name: "Pending invitations" }).getByRole("row").filter({ hasText: email })).toHaveCount(0);

    await page.goto(new URL(invitation.url).pathname);
    await expect(page.getByRole("heading", { name: "This invitation link does not work" })).toBeVisible();
  });
});
