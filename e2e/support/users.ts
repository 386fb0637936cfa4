import type { APIRequestContext, Browser, Page } from "@playwright/test";
import { trpcMutation } from "./api";

/**
 * The people of the e2e suite. The setup project (e2e/auth.setup.ts) creates them the way a
 * team would — the owner on the first-start page, everyone else through invite links — and
 * saves each one's session; specs sign in once by loading that state.
 */
export const ROLES_UNDER_TEST = ["owner", "admin", "editor", "operator", "viewer"] as const;
export type TestRole = (typeof ROLES_UNDER_TEST)[number];
/** Someone with a workspace of their own, who is not a member of the owner's. */
export type TestPerson = TestRole | "outsider";

export const PASSWORD = "a long test passphrase";

export function personOf(who: TestPerson) {
  const name = `${who[0]?.toUpperCase()}${who.slice(1)} Tester`;
  return { name, email: `${who}@agentflow.test`, password: PASSWORD };
}

export function stateFile(who: TestPerson): string {
  return `e2e/.auth/${who}.json`;
}

/** A browser page signed in as `who` (close its context when done). */
export async function pageAs(browser: Browser, who: TestPerson): Promise<Page> {
  const context = await browser.newContext({ storageState: stateFile(who) });
  return context.newPage();
}

/** An API client signed in as `who` (dispose it when done). */
export async function requestAs(playwright: { request: { newContext(options: { baseURL?: string; storageState?: string }): Promise<APIRequestContext> } }, baseURL: string, who: TestPerson): Promise<APIRequestContext> {
  return playwright.request.newContext({ baseURL, storageState: stateFile(who) });
}

/** An invite link's token, minted by the owner's (or an admin's) session. */
export async function inviteToken(request: APIRequestContext, role: TestRole, email?: string): Promise<string> {
  const { url } = await trpcMutation(request, "invitations", "create", { role, ...(email ? { email } : {}) });
  return url.slice(url.lastIndexOf("/") + 1);
}
