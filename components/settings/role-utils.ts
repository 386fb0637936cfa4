import type { Role } from "@/server/auth/roles";

const KNOWN: readonly string[] = ["viewer", "operator", "editor", "admin", "owner"] satisfies Role[];

/** Invitation rows carry the role as a plain string; a role this build does not know is shown as text. */
export function isRole(value: string): value is Role {
  return KNOWN.includes(value);
}

/** "an admin", "a viewer". */
export function withArticle(role: string): string {
  return `${/^[aeiou]/.test(role) ? "an" : "a"} ${role}`;
}
