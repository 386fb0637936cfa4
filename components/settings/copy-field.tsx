"use client";

import { useEffect, useRef, useState, type ReactNode } from "react";
import { Button } from "@/components/ui/button";
import { CheckIcon, CopyIcon } from "@/components/ui/icons";

/** Read-only text with a Copy button; the text stays selectable when the clipboard is refused. */
export function CopyField({ value, label, multiline, testId }: { value: string; label: string; multiline?: boolean; testId?: string }) {
  const [copied, setCopied] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => {
    if (timer.current) clearTimeout(timer.current);
  }, []);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
      if (timer.current) clearTimeout(timer.current);
      timer.current = setTimeout(() => setCopied(false), 1500);
    } catch {
      // Clipboard access can be refused (insecure origin, permissions); the text is still selectable.
    }
  };
  return (
    <div className="flex items-start gap-2">
      <code
        data-testid={testId}
        className={`min-w-0 flex-1 rounded-md border border-slate-200 bg-white px-2.5 py-1.5 font-mono text-xs leading-5 text-slate-800 select-all ${
          multiline ? "break-all whitespace-pre-wrap" : "truncate"
        }`}
      >
        {value}
      </code>
      {/* Fixed width: "Copied" must not shift the field. */}
      <Button size="md" onClick={() => void copy()} aria-label={label} className="w-24">
        {copied ? <CheckIcon className="size-3.5 text-emerald-600" /> : <CopyIcon className="size-3.5" />}
        {copied ? "Copied" : "Copy"}
      </Button>
    </div>
  );
}

/** The green box that holds a secret shown once (invite link, API key). */
export function ShownOnce({ title, children, onDone, testId }: { title: string; children: ReactNode; onDone: () => void; testId?: string }) {
  return (
    <div data-testid={testId} className="space-y-2.5 rounded-md border border-emerald-200 bg-emerald-50/70 p-4">
      <div className="flex items-start justify-between gap-3">
        <p className="text-sm font-medium text-emerald-900">{title}</p>
        <Button size="sm" variant="ghost" onClick={onDone}>
          Done
        </Button>
      </div>
      {children}
    </div>
  );
}
