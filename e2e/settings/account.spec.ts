import { expect, test } from "@playwright/test";
import { trpcQuery } from "../support/api";
import { newMember, NO_SESSION } from "./helpers";

test.describe("Settings · account", () => {
  test("a password change checks both copies and the current password, signs out other sessions, and the new one signs in", async ({ browser, request }) => {
    // Someone of their own: the shared role accounts keep their passwords.
    const member = await newMember(browser, request, "viewer", "Password");
    const { email, password, name } = member.person;
    const newPassword = "a brand new passphrase";

    // A second session of the same person, elsewhere.
    const elsewhere = await browser.newContext({ storageState: NO_SESSION });
    const signIn = await elsewhere.request.post("/api/auth/sign-in/email", { data: { email, password } });
    expect(signIn.ok()).toBe(true);
    expect((await trpcQuery(elsewhere.request, "account", "me", undefined)).user.email).toBe(email);

    const page = await member.context.newPage();
    await page.goto("/settings/account");
    await expect(page.getByLabel("Name", { exact: true })).toHaveValue(name);
    await expect(page.getByLabel("Email", { exact: true })).toHaveValue(email);
    await expect(page.getByLabel("Sign out other sessions")).toBeChecked();

    // The two copies differ: caught before anything is sent.
    await page.getByLabel("Current password").fill(password);
    await page.getByLabel("New password", { exact: true }).fill(newPassword);
    await page.getByLabel("Repeat the new password").fill(`${newPassword}!`);
    await page.getByRole("button", { name: "Change password" }).click();
    await expect(page.getByText("The two new passwords are not the same")).toBeVisible();

    // A wrong current password is refused by the server, and said so.
    await page.getByLabel("Current password").fill("not my password at all");
    await page.getByLabel("Repeat the new password").fill(newPassword);
    await page.getByRole("button", { name: "Change password" }).click();
    await expect(page.getByText(/not your current password|password was not changed/)).toBeVisible();

    await page.getByLabel("Current password").fill(password);
    await page.getByRole("button", { name: "Change password" }).click();
    await expect(page.getByText("Your password was changed. Your other sessions were signed out.")).toBeVisible();
    await expect(page.getByLabel("Current password")).toHaveValue("");

    // This browser stays signed in; the other session is over.
    await page.reload();
    await expect(page).toHaveURL(/\/settings\/account$/);
    await expect(trpcQuery(elsewhere.request, "account", "me", undefined)).rejects.toThrow(/UNAUTHORIZED|Sign in first/);
    await elsewhere.close();

    // Signing in again, through the sign-in page: the old password no longer works, the new one does.
    const fresh = await browser.newContext({ storageState: NO_SESSION });
    const signInPage = await fresh.newPage();
    await signInPage.goto("/sign-in");
    await signInPage.getByLabel("Email").fill(email);
    await signInPage.getByLabel("Password").fill(password);
    await signInPage.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(signInPage.getByText("That email and password do not match an account.")).toBeVisible();
    await signInPage.getByLabel("Password").fill(newPassword);
    await signInPage.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(signInPage).toHaveURL(/\/workflows$/);
    await fresh.close();
    await member.context.close();
  });
});
