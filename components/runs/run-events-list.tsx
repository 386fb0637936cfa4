"use client";

import type { CommittedEvent } from "@/server/engine/events";
import { useEditorStore, useEditorStoreApi } from "@/components/editor/store/editor-store-provider";
import { selectRunEvents } from "@/components/editor/store/selectors";

const TYPE_TONE: Partial<Record<CommittedEvent["type"], string>> = {
  run_started: "text-accent-700",
  run_finished: "text-accent-700 font-semibold",
  node_finished: "text-emerald-700",
  node_failed: "text-red-700",
  llm_error: "text-red-700",
  human_requested: "text-amber-700",
  human_responded: "text-amber-700",
  node_skipped: "text-slate-400",
};

/** One line of detail per event type, enough to follow a run without opening the payload. */
function describe(event: CommittedEvent): string {
  switch (event.type) {
    case "llm_response": {
      const calls = event.message.toolCalls?.map((call) => call.name).join(", ");
      return `${event.model} · ${event.usage.promptTokens + event.usage.completionTokens} tokens · ${event.latencyMs} ms${calls ? ` → ${calls}` : ""}`;
    }
    case "llm_error":
      return event.error;
    case "tool_result":
      return `${event.name}: ${event.ok ? "ok" : "error"}`;
    case "human_requested":
      return `${event.kind ?? "gate"}: ${event.message}`;
    case "human_responded":
      return event.decision + (event.by ? ` by ${event.by}` : "") + (event.answer ? `: ${event.answer}` : event.comment ? `: ${event.comment}` : "");
    case "context_compacted":
      return `${event.removedMessages} messages summarised · ${event.tokensBefore} → ${event.tokensAfter} tokens`;
    case "agent_unblocked":
      return event.extraSteps ? `${event.extraSteps} more steps` : "errors reset";
    case "budget_raised":
      return `+${event.tokens} tokens, +$${event.usd}`;
    case "loop_iteration":
      return `iteration ${event.iteration}`;
    case "node_failed":
      return event.error;
    case "run_finished":
      return event.status + (event.error ? `: ${event.error}` : "");
    case "run_paused":
    case "run_resumed":
      return `by ${event.by}`;
    default:
      return "";
  }
}

export function RunEventsList() {
  const events = useEditorStore(selectRunEvents);
  const store = useEditorStoreApi();

  if (events.length === 0) return <p className="px-4 py-3 text-sm text-slate-500">No events yet.</p>;

  return (
    <table className="w-full text-xs" data-testid="run-events">
      <thead className="sticky top-0 bg-white text-left text-[11px] font-medium text-slate-500">
        <tr className="border-b border-slate-200">
          <th scope="col" className="px-3 py-1.5 text-right">#</th>
          <th scope="col" className="px-2 py-1.5">Event</th>
          <th scope="col" className="px-2 py-1.5">Node</th>
          <th scope="col" className="px-3 py-1.5 text-right">Time</th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {events.map((event) => {
          const nodeId = "nodeId" in event ? event.nodeId : null;
          const detail = describe(event);
          return (
            <tr key={event.seq} className="align-top" data-event-type={event.type}>
              <td className="px-3 py-1.5 text-right font-mono text-slate-400 tabular-nums">{event.seq}</td>
              <td className="px-2 py-1.5">
                <span className={`font-mono ${TYPE_TONE[event.type] ?? "text-slate-700"}`}>{event.type}</span>
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
              <td className="px-3 py-1.5 text-right whitespace-nowrap text-slate-500 tabular-nums">
                {new Date(event.at).toLocaleTimeString(undefined, { hour12: false })}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
