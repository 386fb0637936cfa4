import { expect, test } from "@playwright/test";
import { inviteToken } from "../support/users";
import { emailOfSsoLogin } from "../support/oidc";

/**
 * Single sign-on with a real OpenID Connect provider (e2e/support/oidc-provider.ts; the app
 * is started with OIDC_ISSUER/OIDC_CLIENT_ID/OIDC_CLIENT_SECRET pointing at it).
 */
test("a person signs in with SSO, is told to get an invite, and joins through one", async ({ browser, request }) => {
  const login = `sso${Date.now()}`;
  // Nobody signed in (a new context would otherwise start with the project's owner session).
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const page = await context.newPage();

  await page.goto("/sign-in");
  await page.getByRole("button", { name: "Sign in with SSO" }).click();
  // At the provider: its login page, then its consent page.
  await page.waitForURL(/127\.0\.0\.1:3300/);
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill("anything at all");
  await page.getByRole("button", { name: "Sign-in" }).click();
  const consent = page.getByRole("button", { name: "Continue" });
  await expect(consent.or(page.getByRole("heading", { name: "You are not in a workspace yet" }))).toBeVisible();
  if (await consent.isVisible()) await consent.click();

  // Back in AgentFlow, signed in, but a member of nothing yet.
  await expect(page).toHaveURL(/localhost:3100\/workflows$/);
  await expect(page.getByRole("heading", { name: "You are not in a workspace yet" })).toBeVisible();

  // An invite for that email makes them a member with the invited role.
  const token = await inviteToken(request, "operator", emailOfSsoLogin(login));
  await page.goto(`/invite/${token}`);
  await expect(page.getByText(`SSO ${login}`)).toBeVisible();
  await page.getByRole("button", { name: "Join the workspace" }).click();
  await expect(page).toHaveURL(/\/workflows$/);
  await expect(page.getByText("operator", { exact: true })).toBeVisible();
  await expect(page.getByText("Sample: release notes with approval")).toBeVisible();
  await context.close();
});

test("the sign-in page offers SSO only because the server has a provider configured", async ({ playwright, baseURL }) => {
  const anonymous = await playwright.request.newContext({ baseURL, storageState: { cookies: [], origins: [] } });
  const status = await anonymous.get(`/api/trpc/setup.status`);
  const body = (await status.json()) as { result: { data: { json: { sso: { name: string } | null } } } };
  expect(body.result.data.json.sso).toEqual({ name: "SSO" });
  await anonymous.dispose();
});
