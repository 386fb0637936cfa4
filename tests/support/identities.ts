import { randomBytes } from "node:crypto";
import type { Db } from "../../server/db";
import { newId } from "../../server/ids";
import { signUp } from "../../server/auth/accounts";
import type { Role } from "../../server/auth/roles";
import { createApiKey } from "../../server/auth/api-keys";
import type { ApiKeyScope } from "../../server/auth/roles";

/**
 * People and keys for integration tests, made the way the app makes them: accounts through
 * better-auth (real password hashing, real session cookies), memberships and API keys
 * through our own tables and functions.
 */
export type TestUser = { id: string; name: string; email: string; cookie: string };

/** The `Cookie` header a browser would send after the given Set-Cookie headers. */
export function cookieHeader(headers: Headers): string {
  return headers
    .getSetCookie()
    .map((cookie) => cookie.split(";")[0] ?? "")
    .filter((pair) => pair.includes("="))
    .join("; ");
}

export async function createTestUser(label: string): Promise<TestUser> {
  const email = `${label.replace(/[^a-z0-9]+/gi, "-")}-${randomBytes(4).toString("hex")}@agentflow.test`.toLowerCase();
  const { user, headers } = await signUp({ name: `${label} person`, email, password: "integration test password" });
  return { ...user, cookie: cookieHeader(headers) };
}

export async function createWorkspaceWith(db: Db, name: string, members: { user: TestUser; role: Role }[]): Promise<string> {
  const workspaceId = newId("ws");
  await db.workspace.create({ data: { id: workspaceId, name } });
  for (const { user, role } of members) await db.member.create({ data: { id: newId("mem"), workspaceId, userId: user.id, role } });
  return workspaceId;
}

export async function createTestApiKey(db: Db, workspaceId: string, scopes: ApiKeyScope[], name = scopes.join("+")): Promise<{ id: string; token: string }> {
  const key = await createApiKey(db, { workspaceId, actor: { kind: "system", name: "test" }, ip: null }, { name, scopes });
  return { id: key.id, token: key.token };
}
