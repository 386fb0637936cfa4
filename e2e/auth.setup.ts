import { expect, test } from "@playwright/test";
import { trpcMutation, trpcQuery } from "./support/api";
import { inviteToken, personOf, stateFile } from "./support/users";

/**
 * Runs first, on an empty database (scripts/test.ts resets it before this tier): the first
 * start as a new user sees it, then one account per role through invite links.
 */
test("a fresh install asks for the owner account; the owner lands in a workspace with the sample workflow", async ({ page, browser }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/setup$/);
  await expect(page.getByRole("heading", { name: "Create the owner account" })).toBeVisible();
  const owner = personOf("owner");
  await page.getByLabel("Your name").fill(owner.name);
  await page.getByLabel("Email").fill(owner.email);
  await page.getByLabel("Password", { exact: true }).fill(owner.password);
  await page.getByLabel("Repeat the password").fill(owner.password);
  await page.getByRole("button", { name: "Create account" }).click();

  await expect(page).toHaveURL(/\/workflows$/);
  await expect(page.getByRole("link", { name: "Sample: release notes with approval" }).or(page.getByText("Sample: release notes with approval"))).toBeVisible();
  await expect(page.getByTestId("workspace-switcher")).toContainText(`${owner.name}'s workspace`);
  await page.context().storageState({ path: stateFile("owner") });
  // Setup is over: the page now sends people to sign in instead.
  const stranger = await browser.newPage();
  await stranger.goto("/setup");
  await expect(stranger).toHaveURL(/\/sign-in$/);
  await expect(stranger.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await stranger.close();
});

test("an invited person joins with the role of the link; the other roles join the same way", async ({ browser, page }) => {
  const owner = await browser.newContext({ storageState: stateFile("owner") });
  const ownerRequest = owner.request;

  // The viewer joins in the browser, as a new teammate would.
  const viewer = personOf("viewer");
  await page.goto(`/invite/${await inviteToken(ownerRequest, "viewer", viewer.email)}`);
  await expect(page.getByRole("heading", { name: /^Join / })).toBeVisible();
  await expect(page.getByText("invited you as viewer")).toBeVisible();
  await page.getByLabel("Your name").fill(viewer.name);
  await expect(page.getByLabel("Email")).toHaveValue(viewer.email);
  await page.getByLabel("Choose a password").fill(viewer.password);
  await page.getByRole("button", { name: "Create account and join" }).click();
  await expect(page).toHaveURL(/\/workflows$/);
  await expect(page.getByText("viewer", { exact: true })).toBeVisible();
  await page.context().storageState({ path: stateFile("viewer") });

  // The others through the same API the invite page uses.
  for (const role of ["admin", "editor", "operator"] as const) {
    const person = personOf(role);
    const context = await browser.newContext();
    await trpcMutation(context.request, "invitations", "acceptWithNewAccount", { token: await inviteToken(ownerRequest, role), ...person });
    const me = await trpcQuery(context.request, "account", "me", undefined);
    expect(me.workspace?.role).toBe(role);
    await context.storageState({ path: stateFile(role) });
    await context.close();
  }

  // Someone with a workspace of their own: joins, starts their own, and is removed from the owner's.
  const outsider = await browser.newContext();
  const person = personOf("outsider");
  await trpcMutation(outsider.request, "invitations", "acceptWithNewAccount", { token: await inviteToken(ownerRequest, "viewer"), ...person });
  await trpcMutation(outsider.request, "account", "createWorkspace", { name: "Outsider's workspace" });
  const members = await trpcQuery(ownerRequest, "members", "list", undefined);
  const membership = members.find((m) => m.email === person.email);
  if (!membership) throw new Error("the outsider did not join");
  await trpcMutation(ownerRequest, "members", "remove", { memberId: membership.id });
  const me = await trpcQuery(outsider.request, "account", "me", undefined);
  expect(me.workspaces.map((w) => w.name)).toEqual(["Outsider's workspace"]);
  await outsider.storageState({ path: stateFile("outsider") });
  await outsider.close();
  await owner.close();
});
