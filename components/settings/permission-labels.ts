import type { Permission } from "@/server/auth/roles";

/** The roles table's row labels; the type makes a new permission fail to compile until it has one. */
export const PERMISSION_LABELS: Record<Permission, string> = {
  "workflow:read": "See workflows",
  "run:read": "See runs and their live events",
  "run:start": "Start runs",
  "run:control": "Pause, resume and cancel runs",
  "human:respond": "Approve, reject and answer human tasks",
  "workflow:edit": "Build, publish and delete workflows; trigger tokens",
  "credential:list": "See credential names (to use them in tools)",
  "member:manage": "Invite people, change roles, remove members",
  "credential:manage": "Add, rotate and delete credentials",
  "api_key:manage": "Create and revoke API keys",
  "audit:read": "Read the audit log",
  "workspace:manage": "Rename the workspace",
};
