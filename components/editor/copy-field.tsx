"use client";

import { useCopy } from "@/components/ui/use-copy";
import { Button } from "@/components/ui/button";
import { CheckIcon, CopyIcon } from "@/components/ui/icons";

/** A read-only value with a copy button (trigger URL, tokens and secrets shown once, curl examples). */
export function CopyField({ value, label, multiline, testId }: { value: string; label: string; multiline?: boolean; testId?: string }) {
  const { copied, copy } = useCopy(value);
  return (
    <div className="flex items-start gap-1.5">
      <code
        data-testid={testId}
        className={`min-w-0 flex-1 rounded-md border border-slate-200 bg-white px-2 py-1.5 font-mono text-[11px] text-slate-800 select-all ${
          multiline ? "break-all whitespace-pre-wrap" : "truncate"
        }`}
      >
        {value}
      </code>
      <Button size="sm" variant="ghost" aria-label={label} title={label} onClick={() => void copy()}>
        {copied ? <CheckIcon className="size-3.5 text-emerald-600" /> : <CopyIcon className="size-3.5" />}
      </Button>
    </div>
  );
}
