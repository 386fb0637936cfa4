/**
 * Roles and what they allow. Roles form a ladder — each role can do everything the roles
 * below it can — so a member's rights are one comparison, and the table below is the whole
 * policy. The server checks it on every procedure and route; the UI only mirrors it.
 */
export const ROLES = ["viewer", "operator", "editor", "admin", "owner"] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  owner: "Everything, including owners and the workspace itself",
  admin: "Members, credentials, API keys and the audit log, plus everything an editor can do",
  editor: "Build, publish and run workflows, manage trigger tokens",
  operator: "Run workflows, approve, reject and answer, pause, resume and cancel runs",
  viewer: "Read workflows and runs",
};

/** The least role that may do each thing. */
const MIN_ROLE = {
  "workflow:read": "viewer",
  "run:read": "viewer",
  "run:start": "operator",
  "run:control": "operator",
  "human:respond": "operator",
  "workflow:edit": "editor",
  "credential:list": "editor",
  "member:manage": "admin",
  "credential:manage": "admin",
  "api_key:manage": "admin",
  "audit:read": "admin",
  "workspace:manage": "owner",
} as const satisfies Record<string, Role>;

export type Permission = keyof typeof MIN_ROLE;
export const PERMISSIONS = Object.keys(MIN_ROLE) as Permission[];

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

export function roleRank(role: Role): number {
  return ROLES.indexOf(role);
}

export function roleAllows(role: Role, permission: Permission): boolean {
  return roleRank(role) >= roleRank(MIN_ROLE[permission]);
}

export function permissionsOf(role: Role): Permission[] {
  return PERMISSIONS.filter((permission) => roleAllows(role, permission));
}

/** The least role a permission needs (for messages: "needs the editor role"). */
export function minimumRole(permission: Permission): Role {
  return MIN_ROLE[permission];
}

/**
 * Scopes of a workspace API key (REST only). A key acts for the workspace, not for a person,
 * so it gets exactly its scopes' permissions whatever the role of whoever created it.
 */
export const API_KEY_SCOPES = ["trigger", "read", "control", "admin", "metrics"] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export const SCOPE_DESCRIPTIONS: Record<ApiKeyScope, string> = {
  trigger: "Start runs of any workflow, and read the status of runs",
  read: "Read workflows, runs and their live events",
  control: "Pause, resume and cancel runs, answer human tasks, and read runs",
  admin: "Everything an admin can do over the API",
  metrics: "Scrape /api/metrics (Prometheus): instance health and this workspace's series",
};

const SCOPE_PERMISSIONS: Record<ApiKeyScope, readonly Permission[]> = {
  trigger: ["run:start", "run:read"],
  read: ["workflow:read", "run:read"],
  control: ["run:control", "human:respond", "run:read"],
  admin: permissionsOf("admin"),
  // Only GET /api/metrics, which checks for this scope itself; no workspace permission.
  metrics: [],
};

export function scopesAllow(scopes: readonly ApiKeyScope[], permission: Permission): boolean {
  return scopes.some((scope) => SCOPE_PERMISSIONS[scope].includes(permission));
}

export function isApiKeyScope(value: unknown): value is ApiKeyScope {
  return typeof value === "string" && (API_KEY_SCOPES as readonly string[]).includes(value);
}
