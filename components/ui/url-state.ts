/**
 * Settling a list page's filters against its URL. The page shows what was asked for at once
 * and writes it to the URL with `router.replace`, which lands later, and not always one by
 * one: a quick second change can land first, or alone. A landing of an earlier request must
 * not bring back what it asked for (a filter "springs back", and the next change, built on
 * what is shown, would keep the stale value: the search box's debounced send did exactly
 * that, dropping a status picked a moment before).
 */

/** What a URL landing means for a page that asked for the queries in `pending`, oldest first. */
export function settleLanding(pending: readonly string[], landed: string): { pending: string[]; adopt: boolean } {
  const index = pending.lastIndexOf(landed);
  // Not one of ours (Back, a link, a reload): the URL is the truth.
  if (index === -1) return { pending: [], adopt: true };
  // Ours: everything asked up to it is settled. Still waiting for a later one: keep showing that.
  const rest = pending.slice(index + 1);
  return { pending: rest, adopt: rest.length === 0 };
}
