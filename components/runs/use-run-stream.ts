"use client";

import { useEffect, useState } from "react";
import type { CommittedEvent } from "@/server/engine/events";
import { useEditorStoreApi } from "@/components/editor/store/editor-store-provider";
import { selectLiveRun } from "@/components/editor/store/selectors";
import { liveTextStoreOf, parseFrameObject, parseTokenDelta } from "./live-text";

export type StreamStatus = "idle" | "connecting" | "live" | "reconnecting" | "ended";

/** A run-event frame's data, its envelope checked (seq and type). */
export function parseRunEvent(data: string): CommittedEvent | null {
  const value = parseFrameObject(data);
  if (!value || typeof value.seq !== "number" || typeof value.type !== "string") return null;
  return value as CommittedEvent;
}

/**
 * Follows a run's Server-Sent Events and folds each into the store's run overlay with the
 * engine's `step`. It resumes after what the overlay already holds (`?after=`); the browser
 * reconnects by itself with `Last-Event-ID`, and duplicates are dropped by sequence number.
 * Turning `enabled` off and on again opens a new stream from there: that is how a finished run
 * that was retried is followed again (its log goes on after its first `run_finished`).
 * `token` frames (a model's answer as it is written) go to the run view's live texts, which
 * the agent cards and the node details show until the committed answer replaces them.
 */
export function useRunStream(runId: string | null, enabled: boolean): StreamStatus {
  const store = useEditorStoreApi();
  // Keyed by run so a new run starts out "connecting" without a reset inside the effect.
  const [reported, setReported] = useState<{ runId: string; status: StreamStatus } | null>(null);

  useEffect(() => {
    if (!runId || !enabled) return;
    // The live run's end, also while the canvas shows an earlier state (time travel).
    const after = selectLiveRun(store.getState()).state?.lastSeq ?? 0;
    const source = new EventSource(`/api/runs/${encodeURIComponent(runId)}/events?after=${after}`);
    const liveTexts = liveTextStoreOf(store);
    const report = (status: StreamStatus) => setReported({ runId, status });

    source.addEventListener("open", () => report("live"));
    source.addEventListener("run-event", (message) => {
      const event = parseRunEvent(message.data);
      if (!event) return;
      store.getState().applyRunEvent(event);
      liveTexts.applyEvent(event);
      if (event.type === "run_finished") {
        // The server ends the stream after this; closing first stops the browser from reconnecting.
        source.close();
        report("ended");
      }
    });
    source.addEventListener("token", (message) => {
      const delta = parseTokenDelta(message.data);
      if (delta) liveTexts.applyDelta(delta);
    });
    source.addEventListener("error", () => {
      report(source.readyState === EventSource.CLOSED ? "ended" : "reconnecting");
    });

    return () => {
      source.close();
      liveTexts.clear();
    };
  }, [runId, enabled, store]);

  if (!runId || !enabled) return "idle";
  return reported?.runId === runId ? reported.status : "connecting";
}
