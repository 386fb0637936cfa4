"use client";

import { useId } from "react";
import { FILTER_FIELD, FILTER_LABEL, SearchBox } from "@/components/ui/search-box";
import type { UrlStateChange } from "@/components/ui/use-url-state";
import { LIST_SORTS, SORT_LABELS, type ListParams } from "./list-params";



/** Search (name or tag), tag filter and sort of the workflow list; every change goes to `onChange` (the URL). */
export function WorkflowListToolbar({
  params,
  tags,
  onChange,
}: {
  params: ListParams;
  tags: { tag: string; count: number }[];
  onChange: (change: UrlStateChange<ListParams>) => void;
}) {
  const id = useId();
  // Each change is built on the parameters as last asked for, not as rendered (useUrlState says why).
  const setTag = (tag: string | null) => onChange((current) => ({ ...current, tag }));
  const setSort = (sort: ListParams["sort"]) => onChange((current) => ({ ...current, sort }));
  return (
    <section aria-label="Search and sort" className="flex flex-wrap items-end gap-3 px-4 py-3">
      <SearchBox placeholder="Workflow name or tag" value={params.q} onSearch={(q) => onChange((current) => ({ ...current, q }))} />
      <div>
        <label htmlFor={`${id}-tag`} className={FILTER_LABEL}>
          Tag
        </label>
        <select id={`${id}-tag`} value={params.tag ?? ""} onChange={(event) => setTag(event.target.value || null)} className={`${FILTER_FIELD} mt-1 block w-44`}>
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
        <label htmlFor={`${id}-sort`} className={FILTER_LABEL}>
          Sort by
        </label>
        <select id={`${id}-sort`} value={params.sort} onChange={(event) => setSort(LIST_SORTS.find((option) => option === event.target.value) ?? "edited")} className={`${FILTER_FIELD} mt-1 block w-36`}>
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

