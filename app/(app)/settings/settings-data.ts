import "server-only";
import { API_KEY_SCOPES, PERMISSIONS, ROLE_DESCRIPTIONS, ROLES, SCOPE_DESCRIPTIONS, roleAllows } from "@/server/auth/roles";
import { PERMISSION_LABELS } from "@/components/settings/permission-labels";
import type { PermissionRow, RoleInfo, ScopeInfo } from "@/components/settings/types";

/** The role ladder with its descriptions, viewer first (as server/auth/roles orders it). */
export function roleInfos(): RoleInfo[] {
  return ROLES.map((role) => ({ role, description: ROLE_DESCRIPTIONS[role] }));
}

/** Who may do what, straight from the server's permission table. */
export function permissionRows(): PermissionRow[] {
  return PERMISSIONS.map((permission) => ({ permission, label: PERMISSION_LABELS[permission], roles: ROLES.filter((role) => roleAllows(role, permission)) }));
}

export function scopeInfos(): ScopeInfo[] {
  return API_KEY_SCOPES.map((scope) => ({ scope, description: SCOPE_DESCRIPTIONS[scope] }));
}
