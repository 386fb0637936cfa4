"use client";

import { Fragment } from "react";
import { useShallow } from "zustand/react/shallow";
import type { CommittedEvent, FallbackAttempt, ForkEdit } from "@/server/engine/events";
import { useEditorStore, useEditorStoreApi } from "@/components/editor/store/editor-store-provider";
import type { EditorState } from "@/components/editor/store/types";
import { HistoryIcon } from "@/components/ui/icons";
import { eventLabel } from "@/lib/event-labels";

const TYPE_TONE: Partial<Record<CommittedEvent["type"], string>> = {
  run_started: "text-accent-700",
  run_finished: "text-accent-700 font-semibold",
  run_retried: "text-accent-700 font-semibold",
  run_forked: "text-accent-700 font-semibold",
  node_finished: "text-emerald-700",
  node_failed: "text-red-700",
  llm_error: "text-red-700",
  human_requested: "text-amber-700",
  human_responded: "text-amber-700",
  human_timed_out: "text-amber-700",
  node_skipped: "text-slate-400",
};

function describeEdit(edit: ForkEdit): string {
  switch (edit.kind) {
    case "input":
      return "edited the run input";
    case "node_output":
      return `edited the output of ${edit.nodeId}`;
    case "agent_message":
      return `edited the last message of ${edit.nodeId}`;
    case "tool_result":
      return `edited a tool result of ${edit.nodeId}`;
  }
}

/** Which providers of the agent's fallback chain were left before this one, and why. */
function fallbackNote(tried: FallbackAttempt[] | undefined): string {
  if (!tried || tried.length === 0) return "";
  return ` · after ${tried.map((attempt) => `${attempt.provider} (${attempt.reason === "timeout" ? attempt.error.toLowerCase() : attempt.error})`).join(", ")}`;
}

/** One line of detail per event type, enough to follow a run without opening the payload. */
function describe(event: CommittedEvent, isItem: (nodeId: string) => boolean): string {
  switch (event.type) {
    case "llm_response": {
      const calls = event.message.toolCalls?.map((call) => call.name).join(", ");
      return `${event.provider}/${event.model} · ${event.usage.promptTokens + event.usage.completionTokens} tokens · ${event.latencyMs} ms${calls ? ` → ${calls}` : ""}${fallbackNote(event.fallbackFrom)}`;
    }
    case "llm_error":
      return `${event.provider}: ${event.error}${fallbackNote(event.fallbackFrom)}`;
    case "tool_result":
      return `${event.name}: ${event.ok ? "ok" : "error"}`;
    case "human_requested":
      return `${event.kind ?? "gate"}: ${event.message}`;
    case "human_responded":
      return event.decision + (event.by ? ` by ${event.by}` : "") + (event.answer ? `: ${event.answer}` : event.comment ? `: ${event.comment}` : "");
    case "human_timed_out":
      return `no answer in time → ${event.outcome}`;
    case "context_compacted":
      return `${event.removedMessages} messages summarised · ${event.tokensBefore} → ${event.tokensAfter} tokens`;
    case "agent_unblocked":
      return event.extraSteps ? `${event.extraSteps} more steps` : "errors reset";
    case "budget_raised":
      return `+${event.tokens} tokens, +$${event.usd}`;
    case "loop_iteration":
      return `iteration ${event.iteration}`;
    case "route_chosen":
      return `→ ${event.branch}${event.defaulted ? " (default)" : ""}${event.reason ? `: ${event.reason}` : ""}`;
    case "items_listed":
      return `${event.count} item${event.count === 1 ? "" : "s"}`;
    // A sub-workflow has one child (index 0, with its workflow); a for-each one per item.
    case "child_started":
      return `${event.workflowId ? "" : `item ${event.index + 1} · `}run ${event.childRunId}`;
    case "child_finished":
      return `${isItem(event.nodeId) ? `item ${event.index + 1} · ` : ""}${event.status}${event.error ? `: ${event.error}` : ""}`;
    case "compensation_started":
      return `undoing ${event.nodeIds.join(" → ")} · after: ${event.reason}`;
    case "node_failed":
      return event.error;
    case "run_finished":
      return event.status + (event.error ? `: ${event.error}` : "");
    case "run_paused":
    case "run_resumed":
      return `by ${event.by}`;
    case "run_retried":
      return `by ${event.by}` + (event.nodeIds.length > 0 ? ` · continues ${event.nodeIds.join(", ")}` : "");
    case "run_forked":
      return `from event #${event.atSeq} by ${event.by}` + (event.edit ? ` · ${describeEdit(event.edit)}` : "");
    default:
      return "";
  }
}

/** All events of the run, also while the canvas shows an earlier state. */
const selectLiveEvents = (s: EditorState) => (s.timeTravel?.live ?? s.run).events;
/** The for-each nodes, whose child runs are items (a sub-workflow's child is not). */
const selectForEachIds = (s: EditorState) => s.nodes.filter((node) => node.type === "for_each").map((node) => node.id);
const selectViewedSeq = (s: EditorState) => s.timeTravel?.seq ?? null;

/**
 * The run's log. Any committed event can be picked to see the state as it was right after it
 * (time travel); the events after it are dimmed while that state is shown.
 */
export function RunEventsList() {
  const events = useEditorStore(selectLiveEvents);
  const forEachIds = useEditorStore(useShallow(selectForEachIds));
  const isItem = (nodeId: string) => forEachIds.includes(nodeId);
  const viewedSeq = useEditorStore(selectViewedSeq);
  const store = useEditorStoreApi();

  if (events.length === 0) return <p className="px-4 py-3 text-sm text-slate-500">No events yet.</p>;

  return (
    <table className="w-full text-xs" data-testid="run-events">
      <thead className="sticky top-0 z-10 bg-white text-left text-[11px] font-medium text-slate-500">
        <tr className="border-b border-slate-200">
          <th scope="col" className="px-3 py-1.5 text-right">#</th>
          <th scope="col" className="px-2 py-1.5">Event</th>
          <th scope="col" className="px-2 py-1.5">Node</th>
          <th scope="col" className="px-2 py-1.5 text-right">Time</th>
          <th scope="col" className="w-8 px-2 py-1.5">
            <span className="sr-only">State</span>
          </th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {events.map((event) => {
          const nodeId = "nodeId" in event ? event.nodeId : null;
          const detail = describe(event, isItem);
          const viewed = viewedSeq === event.seq;
          const later = viewedSeq !== null && event.seq > viewedSeq;
          return (
            <Fragment key={event.seq}>
              {event.type === "run_forked" && (
                <tr data-testid="fork-point">
                  <td colSpan={5} className="bg-accent-50 px-3 py-1 text-[11px] text-accent-800">
                    ↑ Events 1–{event.atSeq} are shared with the parent run; this fork&apos;s own begin here.
                  </td>
                </tr>
              )}
              <tr
                className={`group align-top ${viewed ? "bg-amber-50" : ""} ${later ? "opacity-45" : ""}`}
                data-event-type={event.type}
                data-seq={event.seq}
                aria-current={viewed ? "true" : undefined}
              >
                <td className="px-3 py-1.5 text-right font-mono text-slate-400 tabular-nums">{event.seq}</td>
                <td className="px-2 py-1.5">
                  {/* The raw type stays at hand (hover) for whoever reads the API or the stored log. */}
                  <span className={`font-medium ${TYPE_TONE[event.type] ?? "text-slate-700"}`} title={event.type}>
                    {eventLabel(event.type)}
                  </span>
                  {detail && <p className="mt-0.5 line-clamp-2 break-words text-[11px] text-slate-500">{detail}</p>}
                </td>
                <td className="px-2 py-1.5">
                  {nodeId && (
                    <button
                      type="button"
                      onClick={() => store.getState().selectNode(nodeId)}
                      className="font-mono text-accent-700 hover:underline"
                    >
                      {nodeId}
                    </button>
                  )}
                </td>
                <td className="px-2 py-1.5 text-right whitespace-nowrap text-slate-500 tabular-nums">
                  {new Date(event.at).toLocaleTimeString(undefined, { hour12: false })}
                </td>
                <td className="px-2 py-1">
                  <button
                    type="button"
                    title={viewed ? `Showing the state at #${event.seq}` : `View the state at #${event.seq}`}
                    aria-label={`View state at #${event.seq}`}
                    aria-pressed={viewed}
                    onClick={() => store.getState().viewRunAt(viewed ? null : event.seq)}
                    className={`grid size-6 place-items-center rounded-md focus-visible:opacity-100 ${
                      viewed
                        ? "bg-amber-500 text-white"
                        : "text-slate-400 opacity-0 group-hover:opacity-100 hover:bg-slate-100 hover:text-slate-800"
                    }`}
                  >
                    <HistoryIcon className="size-3.5" />
                  </button>
                </td>
              </tr>
            </Fragment>
          );
        })}
      </tbody>
    </table>
  );
}
