"use client";

import { useLayoutEffect, useRef, useState, type ReactNode } from "react";
import { Markdown } from "@/components/ui/markdown";
import { isEmptyContent, toolCallReasonOf } from "./content";
import { prettyJson, toolCallOf } from "./tool-call";
import { ToolArguments } from "./tool-arguments";
import type { HumanTaskResponse } from "./use-human-task-response";

export type ReviewSize = "compact" | "roomy";

const STYLES = {
  compact: {
    box: "mb-2",
    heading: "mb-0.5 text-[10px] font-semibold tracking-wide text-amber-800 uppercase",
    frame: "max-h-32 overflow-auto rounded border border-amber-200 bg-white p-1.5 text-slate-800",
    json: "font-mono text-[10px] break-all whitespace-pre-wrap text-slate-700",
    reason: "rounded border border-amber-200 bg-white p-1.5 text-slate-800",
  },
  roomy: {
    box: "mt-3",
    heading: "mb-1 text-xs font-semibold tracking-wide text-slate-500 uppercase",
    frame: "rounded-md border border-slate-200 bg-slate-50 p-3 text-slate-800",
    json: "font-mono text-xs break-all whitespace-pre-wrap text-slate-700",
    reason: "rounded-md border-l-2 border-slate-300 bg-slate-50 py-1.5 pr-2 pl-3 text-slate-700",
  },
} as const;

/** Roomy content taller than this is collapsed behind "Show more". */
const COLLAPSED_HEIGHT = "max-h-64";

/**
 * One value a person has to read: text as rendered Markdown, anything else as indented JSON.
 * Compact (a canvas card): a small scrolling box. Roomy: long content is collapsed with
 * "Show more".
 */
export function ContentView({ value, size, label }: { value: unknown; size: ReviewSize; label: string }) {
  const styles = STYLES[size];
  const body =
    typeof value === "string" ? (
      <Markdown text={value} size={size} />
    ) : (
      <pre className={styles.json}>{JSON.stringify(value, null, 2)}</pre>
    );
  if (size === "compact") {
    return (
      <div className={styles.frame} role="region" aria-label={label} data-testid="review-content">
        {body}
      </div>
    );
  }
  return <CollapsibleFrame label={label}>{body}</CollapsibleFrame>;
}

function CollapsibleFrame({ label, children }: { label: string; children: ReactNode }) {
  const ref = useRef<HTMLDivElement>(null);
  const [expanded, setExpanded] = useState(false);
  const [overflows, setOverflows] = useState(false);

  // Measured, not guessed from the text's length: a table or a code block is taller than its characters say.
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element || expanded) return;
    const check = () => setOverflows(element.scrollHeight > element.clientHeight + 1);
    check();
    const observer = new ResizeObserver(check);
    observer.observe(element);
    return () => observer.disconnect();
  }, [expanded]);

  return (
    <div>
      <div
        ref={ref}
        role="region"
        aria-label={label}
        data-testid="review-content"
        className={`${STYLES.roomy.frame} ${expanded ? "" : `${COLLAPSED_HEIGHT} overflow-hidden`} ${
          overflows && !expanded ? "[mask-image:linear-gradient(to_bottom,black_75%,transparent)]" : ""
        }`}
      >
        {children}
      </div>
      {(overflows || expanded) && (
        <button
          type="button"
          onClick={() => setExpanded(!expanded)}
          aria-expanded={expanded}
          className="mt-1 text-xs font-medium text-accent-700 hover:underline"
        >
          {expanded ? "Show less" : "Show more"}
        </button>
      )}
    </div>
  );
}

/**
 * What the person is asked to look at, by the task's kind: a gate's content under review (the
 * previous node's output); a tool approval's tool, arguments (editable through `response`) and
 * the agent's reason; an agent's last error. Questions and limits say it all in their message.
 * Without `response` (a decided task, or a place that cannot answer) everything is read-only.
 */
export function ReviewContent({
  kind,
  context,
  size,
  response,
}: {
  kind: string | undefined;
  context: unknown;
  size: ReviewSize;
  response?: HumanTaskResponse;
}) {
  const styles = STYLES[size];
  const taskKind = kind ?? "gate";

  if (taskKind === "gate") {
    if (isEmptyContent(context)) return null;
    return (
      <div className={styles.box}>
        <p className={styles.heading}>Content under review</p>
        <ContentView value={context} size={size} label="Content under review" />
      </div>
    );
  }

  if (taskKind === "tool_approval") {
    const reason = toolCallReasonOf(context);
    return (
      <>
        {reason && (
          <div className={styles.box} data-testid="tool-call-reason">
            <p className={styles.heading}>Agent&apos;s reason</p>
            <div className={styles.reason}>
              <Markdown text={reason} size={size} />
            </div>
          </div>
        )}
        {response ? <ToolArguments response={response} size={size} /> : <ReadOnlyToolCall context={context} size={size} />}
      </>
    );
  }

  if (taskKind === "errors") {
    const lastError = context !== null && typeof context === "object" && "lastError" in context ? context.lastError : undefined;
    if (typeof lastError !== "string" || lastError === "") return null;
    return (
      <div className={styles.box}>
        <p className={styles.heading}>Last error</p>
        <pre className={`${styles.frame} ${styles.json}`}>{lastError}</pre>
      </div>
    );
  }

  return null;
}

function ReadOnlyToolCall({ context, size }: { context: unknown; size: ReviewSize }) {
  const call = toolCallOf(context);
  if (!call) return null;
  const styles = STYLES[size];
  return (
    <div className={styles.box}>
      <p className={styles.heading}>
        Tool <code className="font-mono normal-case">{call.tool}</code>
      </p>
      <pre className={`${styles.frame} ${styles.json}`}>{prettyJson(call.arguments)}</pre>
    </div>
  );
}
