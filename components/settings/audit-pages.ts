import type { TRPCClient } from "@trpc/client";
import type { AppRouter } from "@/server/api/root";
import type { RouterOutputs } from "@/components/trpc";

export type AuditEntry = RouterOutputs["audit"]["list"]["entries"][number];
export type AuditCursor = { at: string; id: string };
export type AuditPage = { entries: AuditEntry[]; nextBefore: AuditCursor | null };

export const AUDIT_PAGE_SIZE = 50;

/**
 * One page (newest first) of the entries whose action matches any of `prefixes` (none: every
 * action); the server pages on (time, id), so entries sharing a timestamp are never skipped.
 */
export async function fetchAuditPage(
  client: TRPCClient<AppRouter>,
  filter: { prefixes: readonly string[]; targetId?: string },
  before: AuditCursor | undefined,
  limit = AUDIT_PAGE_SIZE,
): Promise<AuditPage> {
  return client.audit.list.query({ actions: filter.prefixes.length > 0 ? [...filter.prefixes] : undefined, targetId: filter.targetId, before, limit });
}
