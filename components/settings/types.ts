import type { ApiKeyScope, Permission, Role } from "@/server/auth/roles";

/**
 * What the settings pages (server components) read from server/auth/roles and hand to the
 * client components, so the role and scope texts have one source.
 */
export type RoleInfo = { role: Role; description: string };
/** One permission and the roles that have it (the roles table's rows). */
export type PermissionRow = { permission: Permission; label: string; roles: Role[] };
export type ScopeInfo = { scope: ApiKeyScope; description: string };

/** Position on the ladder, from the roles as the server lists them (viewer first). */
export function rankIn(roles: readonly RoleInfo[], role: Role): number {
  return roles.findIndex((r) => r.role === role);
}
