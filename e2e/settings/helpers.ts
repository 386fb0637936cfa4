import type { APIRequestContext, Browser, BrowserContext } from "@playwright/test";
import { trpcMutation, trpcQuery } from "../support/api";
import { inviteToken, PASSWORD, type TestRole } from "../support/users";

/**
 * Helpers of the settings specs. Contexts made in a spec inherit the project's storageState
 * (the owner's session) unless they say otherwise: a newcomer's context passes this.
 */
export const NO_SESSION = { cookies: [], origins: [] };

/** A suffix that keeps names and emails unique across reruns against the same database. */
export function unique(): string {
  return `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

export type NewMember = { person: { name: string; email: string; password: string }; memberId: string; context: BrowserContext };

/**
 * Someone new who joined through an invite link with `role`, signed in in their own browser
 * context (close it when done). Specs that change a member use one of these, so the shared
 * role accounts of e2e/auth.setup.ts stay as every other spec expects them.
 */
export async function newMember(browser: Browser, ownerRequest: APIRequestContext, role: TestRole, label: string): Promise<NewMember> {
  const id = unique();
  const person = { name: `${label} ${id}`, email: `${label.toLowerCase().replace(/[^a-z0-9]+/g, "-")}-${id}@agentflow.test`, password: PASSWORD };
  const context = await browser.newContext({ storageState: NO_SESSION });
  await trpcMutation(context.request, "invitations", "acceptWithNewAccount", { token: await inviteToken(ownerRequest, role), ...person });
  const members = await trpcQuery(ownerRequest, "members", "list", undefined);
  const member = members.find((m) => m.email === person.email);
  if (!member) throw new Error(`${person.email} did not join`);
  return { person, memberId: member.id, context };
}
