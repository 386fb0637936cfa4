import type { ApiKeyScope, Permission, Role } from "./roles";
import { roleAllows, scopesAllow } from "./roles";

/**
 * Who is asking, resolved once per request in server/auth before any input is parsed:
 * a signed-in member, a workspace API key, or (REST trigger and run routes only) a
 * workflow's trigger token. Procedures and routes receive this and never take a workspace
 * id from the client.
 */
export type Actor =
  | { kind: "user"; id: string; name: string; email: string }
  | { kind: "api_key"; id: string; name: string }
  | { kind: "trigger_token"; id: string; name: string; workflowId: string }
  /** A request signed with a workflow's webhook secret (server/http/webhook-signature.ts): it starts that workflow's runs, nothing else. */
  | { kind: "webhook"; id: string; name: string; workflowId: string }
  | { kind: "system"; name: string };

export type WorkspaceAccess = {
  workspaceId: string;
  actor: Actor;
  /** A member's role (users only). */
  role?: Role;
  /** An API key's scopes (API keys only). */
  scopes?: readonly ApiKeyScope[];
  /** The client's address, for the audit trail. */
  ip: string | null;
};

export function can(access: WorkspaceAccess, permission: Permission): boolean {
  switch (access.actor.kind) {
    case "user":
      return access.role !== undefined && roleAllows(access.role, permission);
    case "api_key":
      return scopesAllow(access.scopes ?? [], permission);
    case "trigger_token":
      // A trigger token starts runs of its one workflow and follows them; nothing else.
      return permission === "run:start" || permission === "run:read" || permission === "run:control";
    case "webhook":
      return permission === "run:start";
    case "system":
      return true;
  }
}

/** How a run or a reviewer's answer names who did it ("Alice", "API key “CI”"). */
export function actorLabel(actor: Actor): string {
  switch (actor.kind) {
    case "user":
      return actor.name;
    case "api_key":
      return `API key “${actor.name}”`;
    case "trigger_token":
      return `trigger token ${actor.name}`;
    case "webhook":
      return actor.name;
    case "system":
      return actor.name;
  }
}
