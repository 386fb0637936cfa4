import { expect, test } from "@playwright/test";
import { personOf } from "../support/users";

test("signing in returns to the page asked for; signing out ends the session", async ({ browser }) => {
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const page = await context.newPage();
  const viewer = personOf("viewer");

  await page.goto("/runs");
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fruns$/);
  await page.getByLabel("Email").fill(viewer.email);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByText("That email and password do not match an account.")).toBeVisible();
  await page.getByLabel("Password").fill(viewer.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/runs$/);
  await expect(page.getByRole("heading", { name: "Runs" })).toBeVisible();

  await page.getByRole("button", { name: `Account: ${viewer.name}` }).click();
  await page.getByRole("menuitem", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await page.goto("/workflows");
  await expect(page).toHaveURL(/\/sign-in/);
  expect((await context.request.get("/api/trpc/account.me")).status()).toBe(401);
  await context.close();
});
