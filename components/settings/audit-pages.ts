import type { TRPCClient } from "@trpc/client";
import type { AppRouter } from "@/server/api/root";
import type { RouterOutputs } from "@/components/trpc";

export type AuditEntry = RouterOutputs["audit"]["list"]["entries"][number];
export type AuditPage = { entries: AuditEntry[]; nextBefore: string | null };

export const AUDIT_PAGE_SIZE = 50;

/**
 * One page (newest first) of the entries matching any of `prefixes` (none: every action).
 * With several prefixes each is asked for a page before the same cursor and the answers are
 * merged: the newest `limit` of them are this page, and the next page starts before the last
 * one shown — what was fetched but not shown comes again then, so nothing is skipped.
 */
export async function fetchAuditPage(
  client: TRPCClient<AppRouter>,
  filter: { prefixes: readonly string[]; targetId?: string },
  before: string | undefined,
  limit = AUDIT_PAGE_SIZE,
): Promise<AuditPage> {
  const ask = (action?: string) => client.audit.list.query({ action, targetId: filter.targetId, before, limit });
  if (filter.prefixes.length <= 1) {
    const page = await ask(filter.prefixes[0]);
    return { entries: page.entries, nextBefore: page.nextBefore ? page.nextBefore.toISOString() : null };
  }
  const pages = await Promise.all(filter.prefixes.map((prefix) => ask(prefix)));
  const merged = pages.flatMap((page) => page.entries).sort((a, b) => b.at.getTime() - a.at.getTime());
  const entries = merged.slice(0, limit);
  const more = merged.length > limit || pages.some((page) => page.nextBefore !== null);
  const last = entries.at(-1);
  return { entries, nextBefore: more && last ? last.at.toISOString() : null };
}
