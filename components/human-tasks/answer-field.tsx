"use client";

import type { HumanTaskResponse } from "./use-human-task-response";

/** The answer box for a question, in the canvas node's compact style or the Inbox row's roomy one. */
const CLASSES = {
  compact:
    "mb-2 w-full resize-none rounded border border-amber-300 bg-white px-2 py-1 text-xs focus:border-accent-500 focus:outline-none",
  roomy:
    "mt-2 w-full rounded-md border border-slate-300 px-2.5 py-1.5 text-sm focus:border-accent-500 focus:ring-2 focus:ring-accent-500/20 focus:outline-none",
} as const;

/** Where a person types the answer to `request_human_input`; renders nothing for other kinds or without the right to answer. */
export function AnswerField({ response, size }: { response: HumanTaskResponse; size: keyof typeof CLASSES }) {
  if (!response.isQuestion || !response.canRespond) return null;
  return (
    <textarea
      value={response.answer}
      onChange={(event) => response.setAnswer(event.target.value)}
      rows={2}
      aria-label="Answer"
      placeholder="Your answer"
      className={CLASSES[size]}
    />
  );
}
