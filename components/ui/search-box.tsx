"use client";

import { useEffect, useId, useRef, useState } from "react";
import { SearchIcon } from "./icons";

/** A filter bar's control and label (the workflows list, the runs list). */
export const FILTER_FIELD =
  "h-9 rounded-md border border-slate-300 bg-white px-2 text-sm text-slate-900 focus:border-accent-500 focus:ring-2 focus:ring-accent-500/20 focus:outline-none";
export const FILTER_LABEL = "text-xs font-medium text-slate-500";

/** Typing settles this long before the search is sent (and the URL changes). */
const SEARCH_DEBOUNCE_MS = 300;

/** A filter bar's search box: local while typing, sent after a pause (or at once with Enter). */
export function SearchBox({ value, onSearch, placeholder }: { value: string; onSearch: (q: string) => void; placeholder: string }) {
  const id = useId();
  const [text, setText] = useState(value);
  const [sent, setSent] = useState(value);
  // The URL changed without typing (Back, "Clear filters"): show what is applied.
  if (value !== sent) {
    setSent(value);
    setText(value);
  }
  const onSearchRef = useRef(onSearch);
  useEffect(() => {
    onSearchRef.current = onSearch;
  });
  useEffect(() => {
    const q = text.trim();
    if (q === sent) return;
    const timer = setTimeout(() => {
      setSent(q);
      onSearchRef.current(q);
    }, SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text, sent]);

  return (
    <div className="min-w-56 flex-1">
      <label htmlFor={id} className={FILTER_LABEL}>
        Search
      </label>
      <div className="relative mt-1">
        <SearchIcon className="pointer-events-none absolute top-1/2 left-2.5 size-4 -translate-y-1/2 text-slate-400" aria-hidden="true" />
        <input
          id={id}
          type="search"
          value={text}
          onChange={(event) => setText(event.target.value)}
          onKeyDown={(event) => {
            if (event.key !== "Enter") return;
            const q = text.trim();
            setSent(q);
            onSearch(q);
          }}
          placeholder={placeholder}
          spellCheck={false}
          maxLength={200}
          className={`${FILTER_FIELD} block w-full pl-8`}
        />
      </div>
    </div>
  );
}
