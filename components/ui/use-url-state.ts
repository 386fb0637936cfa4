"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useLayoutEffect, useRef, useState } from "react";
import { settleLanding } from "./url-state";

/**
 * A list page's filters, kept in the URL (the state others can open) and shown at once while
 * the URL catches up. `parse` reads them from the query; `serialize` writes them. A change
 * from elsewhere (Back, a shared link) is shown; a late landing of this page's own earlier
 * change is not (see settleLanding). Needs a Suspense boundary (useSearchParams).
 *
 * A change is a new value or, like React's setState, a function of the current one. Controls
 * should pass a function: the value a handler closed over can be stale (see `asked`).
 */
export function useUrlState<T>(parse: (params: URLSearchParams) => T, serialize: (value: T) => URLSearchParams): [T, (change: UrlStateChange<T>) => void] {
  const router = useRouter();
  const pathname = usePathname() ?? "";
  const query = useSearchParams()?.toString() ?? "";
  const [shown, setShown] = useState(() => parse(new URLSearchParams(query)));
  const [landed, setLanded] = useState(query);
  const [pending, setPending] = useState<readonly string[]>([]);
  // The value last asked for, which the next change builds on. Not `shown`: a click can come
  // between a change made outside React's events (the search box's debounced send) and the
  // render that shows it, and the click's handler then holds the filters without that change
  // (the search was lost so). Rendered values catch it up: a landing that is adopted.
  const asked = useRef(shown);
  useLayoutEffect(() => {
    asked.current = shown;
  }, [shown]);
  if (query !== landed) {
    setLanded(query);
    const settled = settleLanding(pending, query);
    setPending(settled.pending);
    if (settled.adopt) setShown(parse(new URLSearchParams(query)));
  }

  const set = (change: UrlStateChange<T>) => {
    const next = change instanceof Function ? change(asked.current) : change;
    asked.current = next;
    const nextQuery = serialize(next).toString();
    setShown(next);
    setPending((earlier) => [...earlier, nextQuery]);
    router.replace(nextQuery ? `${pathname}?${nextQuery}` : pathname, { scroll: false });
  };
  return [shown, set];
}

/** A new value, or how to make it from the current one. */
export type UrlStateChange<T> = T | ((current: T) => T);
