"use client";

import { useEffect, useId, useRef } from "react";
import { Button } from "@/components/ui/button";
import type { ReviewSize } from "./review-content";
import type { HumanTaskResponse } from "./use-human-task-response";

/** Where a reject reason goes, by the task's kind, so the reviewer knows who reads it. */
const REASON_HINT: Record<string, string> = {
  gate: "Sent with the content along the reject branch.",
  tool_approval: "Told to the agent with the refusal.",
  question: "Told to the agent.",
};

const COMPACT = {
  approve:
    "flex-1 rounded-md bg-emerald-600 px-2 py-1 text-xs font-semibold text-white shadow-sm hover:bg-emerald-700 disabled:opacity-60",
  reject:
    "flex-1 rounded-md border border-red-300 bg-white px-2 py-1 text-xs font-semibold text-red-700 hover:bg-red-50 disabled:opacity-60",
  cancel: "flex-1 rounded-md border border-slate-300 bg-white px-2 py-1 text-xs font-medium text-slate-700 hover:bg-slate-50",
  reason:
    "mb-1.5 w-full resize-none rounded border border-amber-300 bg-white px-2 py-1 text-xs focus:border-accent-500 focus:outline-none",
  label: "mb-0.5 block text-[10px] font-semibold tracking-wide text-amber-800 uppercase",
  error: "mt-1.5 text-[11px] text-red-700",
};

/**
 * Approve, Edit (a gate whose node allows it) and Reject. Reject first opens a reason box —
 * the reason is optional but offered, and says where it goes — and "Confirm reject" sends it.
 */
export function DecisionBar({ response, size }: { response: HumanTaskResponse; size: ReviewSize }) {
  if (!response.canRespond) return null;
  if (response.rejecting) return <RejectReason response={response} size={size} />;
  const busy = response.sending !== null;

  if (size === "compact") {
    return (
      <>
        <div className="flex gap-2">
          <button type="button" disabled={!response.canApprove} onClick={() => void response.decide("approve")} className={COMPACT.approve}>
            {response.approveLabel}
          </button>
          <button type="button" disabled={busy} onClick={() => response.setRejecting(true)} className={COMPACT.reject}>
            Reject
          </button>
        </div>
        {response.error && <p className={COMPACT.error}>{response.error}</p>}
      </>
    );
  }

  return (
    <div className="mt-3 flex flex-wrap items-center gap-2">
      <Button variant="primary" size="sm" disabled={!response.canApprove} onClick={() => void response.decide("approve")}>
        {response.approveLabel}
      </Button>
      {response.canEditContent && response.editedContent === null && (
        <Button size="sm" disabled={busy} onClick={response.toggleContentEditing}>
          Edit content
        </Button>
      )}
      <Button variant="danger" size="sm" disabled={busy} onClick={() => response.setRejecting(true)}>
        Reject
      </Button>
      {response.error && <span className="text-xs text-red-600">{response.error}</span>}
    </div>
  );
}

function RejectReason({ response, size }: { response: HumanTaskResponse; size: ReviewSize }) {
  const id = useId();
  const hint = REASON_HINT[response.kind] ?? "Recorded with the run.";
  const busy = response.sending !== null;
  const confirm = () => void response.decide("reject");
  const ref = useRef<HTMLTextAreaElement>(null);
  // Focus without scrolling: inside a canvas node, a scroll would shift the whole flow.
  useEffect(() => ref.current?.focus({ preventScroll: true }), []);

  if (size === "compact") {
    return (
      <div>
        <label htmlFor={id} className={COMPACT.label}>
          Reason for rejecting (optional)
        </label>
        <textarea
          id={id}
          value={response.reason}
          onChange={(event) => response.setReason(event.target.value)}
          rows={2}
          maxLength={5_000}
          ref={ref}
          placeholder={hint}
          className={COMPACT.reason}
        />
        <div className="flex gap-2">
          <button type="button" disabled={busy} onClick={confirm} className={COMPACT.reject}>
            Confirm reject
          </button>
          <button type="button" disabled={busy} onClick={() => response.setRejecting(false)} className={COMPACT.cancel}>
            Cancel
          </button>
        </div>
        {response.error && <p className={COMPACT.error}>{response.error}</p>}
      </div>
    );
  }

  return (
    <div className="mt-3 rounded-md border border-red-200 bg-red-50/50 p-3">
      <label htmlFor={id} className="block text-xs font-medium text-slate-700">
        Reason for rejecting <span className="font-normal text-slate-500">(optional)</span>
      </label>
      <textarea
        id={id}
        value={response.reason}
        onChange={(event) => response.setReason(event.target.value)}
        rows={3}
        maxLength={5_000}
        ref={ref}
        placeholder={hint}
        className="mt-1 w-full rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-sm focus:border-accent-500 focus:ring-2 focus:ring-accent-500/20 focus:outline-none"
      />
      <div className="mt-2 flex flex-wrap items-center gap-2">
        <Button variant="danger" size="sm" disabled={busy} onClick={confirm}>
          Confirm reject
        </Button>
        <Button variant="ghost" size="sm" disabled={busy} onClick={() => response.setRejecting(false)}>
          Cancel
        </Button>
        {response.error && <span className="text-xs text-red-600">{response.error}</span>}
      </div>
    </div>
  );
}
