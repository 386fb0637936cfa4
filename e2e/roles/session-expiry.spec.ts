import { expect, test } from "@playwright/test";
import { personOf } from "../support/users";

test("a session revoked elsewhere sends the open page to sign-in, and back after signing in", async ({ browser, playwright, baseURL }) => {
  // A session of its own: revoking the shared viewer session would sign out every later spec.
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const viewer = personOf("viewer");
  const signIn = await context.request.post("/api/auth/sign-in/email", {
    headers: { "content-type": "application/json", origin: baseURL ?? "" },
    data: { email: viewer.email, password: viewer.password },
  });
  expect(signIn.ok()).toBe(true);
  const page = await context.newPage();
  await page.goto("/inbox?from=expiry");
  await expect(page.getByRole("heading", { name: "Inbox" })).toBeVisible();

  // Signed out from somewhere else: the server forgets the session, the tab still holds its cookie.
  const elsewhere = await playwright.request.newContext({ baseURL, storageState: await context.storageState() });
  const signOut = await elsewhere.post("/api/auth/sign-out", { headers: { "content-type": "application/json", origin: baseURL ?? "" }, data: {} });
  expect(signOut.ok()).toBe(true);
  await elsewhere.dispose();

  // The Inbox re-reads its tasks every 10 s: that call answers UNAUTHORIZED, and the tab leaves once.
  await expect(page).toHaveURL(/\/sign-in\?next=%2Finbox%3Ffrom%3Dexpiry$/, { timeout: 25_000 });

  await page.getByLabel("Email").fill(viewer.email);
  await page.getByLabel("Password").fill(viewer.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/inbox\?from=expiry$/);
  await expect(page.getByRole("heading", { name: "Inbox" })).toBeVisible();
  await context.close();
});
