import type { Db } from "../db";
import { getEnv } from "../env";
import { getAuth } from "./better-auth";
import type { Actor, WorkspaceAccess } from "./access";
import { verifyApiKey } from "./api-keys";
import { tokenKindOf } from "./secret-tokens";
import { listMemberships, pickMembership, type Membership } from "./workspaces";
import { verifyTriggerToken } from "../workflows/trigger-tokens";

/**
 * Turns a request's headers into who is asking — once, before anything else is parsed.
 * Sessions come from better-auth's cookie; bearer tokens are ours (API keys, trigger tokens).
 */
export type SessionUser = Extract<Actor, { kind: "user" }> & { sessionId: string };

/** The workspace a signed-in browser last switched to (validated against memberships). */
export const WORKSPACE_COOKIE = "agentflow.workspace";

/** Set-Cookie value that makes `workspaceId` the browser's current workspace. */
export function workspaceCookie(workspaceId: string): string {
  const secure = getEnv().APP_URL.startsWith("https://") ? "; Secure" : "";
  return `${WORKSPACE_COOKIE}=${encodeURIComponent(workspaceId)}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly${secure}`;
}

export async function sessionUser(headers: Headers): Promise<SessionUser | null> {
  // Without a session cookie there is nothing to look up: skip the database.
  if (!headers.get("cookie")?.includes("session_token")) return null;
  const session = await getAuth().api.getSession({ headers });
  if (!session) return null;
  return { kind: "user", id: session.user.id, name: session.user.name, email: session.user.email, sessionId: session.session.id };
}

export function cookieValue(headers: Headers, name: string): string | null {
  const cookie = headers.get("cookie");
  if (!cookie) return null;
  for (const part of cookie.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return null;
      }
    }
  }
  return null;
}

/** The client address as our own server saw it (Next sets x-forwarded-for); for the audit trail. */
export function clientIp(headers: Headers): string | null {
  const forwarded = headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  return forwarded || headers.get("x-real-ip") || null;
}

export type MemberContext = { access: WorkspaceAccess & { actor: SessionUser }; membership: Membership; memberships: Membership[] };

/** A signed-in user's access in the workspace they chose (or their first); null with none. */
export async function memberAccess(db: Db, user: SessionUser, headers: Headers): Promise<MemberContext | null> {
  const memberships = await listMemberships(db, user.id);
  const membership = pickMembership(memberships, cookieValue(headers, WORKSPACE_COOKIE));
  if (!membership) return null;
  return {
    access: { workspaceId: membership.workspaceId, actor: user, role: membership.role, ip: clientIp(headers) },
    membership,
    memberships,
  };
}

export function bearerToken(headers: Headers): string | null {
  const match = headers.get("authorization")?.match(/^Bearer\s+(\S+)\s*$/i);
  return match?.[1] ?? null;
}

export type RestAuth =
  | { ok: true; access: WorkspaceAccess }
  /** No credential, or one that is not valid (wrong, revoked, expired session). */
  | { ok: false; status: 401 }
  /** A signed-in user who belongs to no workspace. */
  | { ok: false; status: 403 };

/**
 * REST and SSE: an `Authorization: Bearer` API key (any route) or trigger token (only where
 * the route says `allowTriggerToken`), else the browser's session. What the credential may
 * reach (its workflow, its workspace, its scopes) is checked by the route.
 */
export async function authenticateRequest(db: Db, headers: Headers, options: { allowTriggerToken: boolean }): Promise<RestAuth> {
  const ip = clientIp(headers);
  const token = bearerToken(headers);
  if (token) {
    const kind = tokenKindOf(token);
    if (kind === "api_key") {
      const key = await verifyApiKey(token);
      if (!key) return { ok: false, status: 401 };
      return { ok: true, access: { workspaceId: key.workspaceId, actor: { kind: "api_key", id: key.id, name: key.name }, scopes: key.scopes, ip } };
    }
    if (kind === "trigger_token" && options.allowTriggerToken) {
      const row = await verifyTriggerToken(token);
      if (!row) return { ok: false, status: 401 };
      return { ok: true, access: { workspaceId: row.workspaceId, actor: { kind: "trigger_token", id: row.id, name: row.prefix, workflowId: row.workflowId }, ip } };
    }
    return { ok: false, status: 401 };
  }
  const user = await sessionUser(headers);
  if (!user) return { ok: false, status: 401 };
  const member = await memberAccess(db, user, headers);
  return member ? { ok: true, access: member.access } : { ok: false, status: 403 };
}
