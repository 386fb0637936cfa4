"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useState } from "react";
import { settleLanding } from "./url-state";

/**
 * A list page's filters, kept in the URL (the state others can open) and shown at once while
 * the URL catches up. `parse` reads them from the query; `serialize` writes them. A change
 * from elsewhere (Back, a shared link) is shown; a late landing of this page's own earlier
 * change is not (see settleLanding). Needs a Suspense boundary (useSearchParams).
 */
export function useUrlState<T>(parse: (params: URLSearchParams) => T, serialize: (value: T) => URLSearchParams): [T, (next: T) => void] {
  const router = useRouter();
  const pathname = usePathname() ?? "";
  const query = useSearchParams()?.toString() ?? "";
  const [shown, setShown] = useState(() => parse(new URLSearchParams(query)));
  const [landed, setLanded] = useState(query);
  const [pending, setPending] = useState<readonly string[]>([]);
  if (query !== landed) {
    setLanded(query);
    const settled = settleLanding(pending, query);
    setPending(settled.pending);
    if (settled.adopt) setShown(parse(new URLSearchParams(query)));
  }

  const set = (next: T) => {
    const nextQuery = serialize(next).toString();
    setShown(next);
    setPending((asked) => [...asked, nextQuery]);
    router.replace(nextQuery ? `${pathname}?${nextQuery}` : pathname, { scroll: false });
  };
  return [shown, set];
}
