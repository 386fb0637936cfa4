"use client";

import { useEffect, useId, useRef, useState } from "react";
import { SearchIcon } from "@/components/ui/icons";
import { LIST_SORTS, SORT_LABELS, type ListParams } from "./list-params";

/** Typing settles this long before the search is sent (and the URL changes). */
const SEARCH_DEBOUNCE_MS = 250;

const FIELD =
  "h-9 rounded-md border border-slate-300 bg-white px-2 text-sm text-slate-900 focus:border-accent-500 focus:ring-2 focus:ring-accent-500/20 focus:outline-none";
const LABEL = "text-xs font-medium text-slate-500";

/** Search (name or tag), tag filter and sort of the workflow list; every change goes to `onChange` (the URL). */
export function WorkflowListToolbar({
  params,
  tags,
  onChange,
}: {
  params: ListParams;
  tags: { tag: string; count: number }[];
  onChange: (params: ListParams) => void;
}) {
  const id = useId();
  return (
    <section aria-label="Search and sort" className="flex flex-wrap items-end gap-3 px-4 py-3">
      <SearchBox value={params.q} onSearch={(q) => onChange({ ...params, q })} />
      <div>
        <label htmlFor={`${id}-tag`} className={LABEL}>
          Tag
        </label>
        <select id={`${id}-tag`} value={params.tag ?? ""} onChange={(event) => onChange({ ...params, tag: event.target.value || null })} className={`${FIELD} mt-1 block w-44`}>
          <option value="">All tags</option>
          {/* A tag from a shared link that no workflow carries any more. */}
          {params.tag && !tags.some((entry) => entry.tag === params.tag) && <option value={params.tag}>{params.tag} (0)</option>}
          {tags.map((entry) => (
            <option key={entry.tag} value={entry.tag}>
              {entry.tag} ({entry.count})
            </option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor={`${id}-sort`} className={LABEL}>
          Sort by
        </label>
        <select id={`${id}-sort`} value={params.sort} onChange={(event) => onChange({ ...params, sort: LIST_SORTS.find((sort) => sort === event.target.value) ?? "edited" })} className={`${FIELD} mt-1 block w-36`}>
          {LIST_SORTS.map((sort) => (
            <option key={sort} value={sort}>
              {SORT_LABELS[sort]}
            </option>
          ))}
        </select>
      </div>
    </section>
  );
}

/** The search box: local while typing, sent after a pause (or at once with Enter). */
function SearchBox({ value, onSearch }: { value: string; onSearch: (q: string) => void }) {
  const id = useId();
  const [text, setText] = useState(value);
  const [sent, setSent] = useState(value);
  // The URL changed without typing (Back, "Clear"): show what is applied.
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
      <label htmlFor={id} className={LABEL}>
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
          placeholder="Workflow name or tag"
          spellCheck={false}
          maxLength={200}
          className={`${FIELD} block w-full pl-8`}
        />
      </div>
    </div>
  );
}
