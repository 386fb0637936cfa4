import { describe, expect, it } from "vitest";
import type { CommittedEvent, RunEvent } from "@/server/engine/events";
import { starterGraph } from "@/server/engine/graph";
import { replay } from "@/server/engine/state";
import { step } from "@/server/engine/step";
import { graphToFlow } from "../graph-convert";
import { createEditorStore } from "./editor-store";
import { selectLiveRun } from "./selectors";

const commit = (event: RunEvent, seq: number): CommittedEvent => ({ ...event, seq, at: `2026-01-01T00:00:${String(seq).padStart(2, "0")}.000Z` }) as CommittedEvent;

const log = [
  commit({ type: "run_started", input: { topic: "kites" } }, 1),
  commit({ type: "node_started", nodeId: "agent_1" }, 2),
  commit({ type: "human_requested", nodeId: "agent_1", taskId: "task_1", kind: "question", message: "Which kite?", context: null, toolCallId: "call_1" }, 3),
  commit({ type: "human_responded", nodeId: "agent_1", taskId: "task_1", decision: "approve", answer: "box kite" }, 4),
];

function storeWithRun(answers: string[]) {
  const events = log.slice(0, 4);
  return createEditorStore({
    workflowId: "wf_1",
    name: "Flow",
    revision: 0,
    readOnly: true,
    services: { respondToHuman: async ({ taskId }) => void answers.push(taskId) },
    ...graphToFlow(starterGraph()),
    run: { runId: "run_1", state: replay(events, step), events },
  });
}

describe("time travel in the run overlay", () => {
  it("shows the fold of the events up to the picked one, and goes back to the live run", () => {
    const store = storeWithRun([]);
    store.getState().viewRunAt(3);
    const past = store.getState();
    expect(past.timeTravel?.seq).toBe(3);
    expect(past.run.state?.lastSeq).toBe(3);
    expect(past.run.state?.humans.agent_1?.decision).toBeUndefined();
    expect(past.run.state?.nodes.agent_1?.status).toBe("waiting");
    // The live run is kept whole beside it.
    expect(selectLiveRun(past).events).toHaveLength(4);

    store.getState().viewRunAt(null);
    expect(store.getState().timeTravel).toBeNull();
    expect(store.getState().run.state?.humans.agent_1?.decision).toBe("approve");
  });

  it("keeps folding streamed events into the live run while an earlier state is shown", () => {
    const store = storeWithRun([]);
    store.getState().viewRunAt(2);
    store.getState().applyRunEvent(commit({ type: "node_finished", nodeId: "agent_1", output: "done", handle: null }, 5));
    // A reconnect replays an event already folded: ignored.
    store.getState().applyRunEvent(commit({ type: "node_finished", nodeId: "agent_1", output: "again", handle: null }, 5));
    expect(store.getState().run.state?.lastSeq).toBe(2);
    expect(store.getState().run.state?.nodes.agent_1?.status).toBe("running");
    expect(selectLiveRun(store.getState()).state?.nodes.agent_1?.output).toBe("done");

    store.getState().viewRunAt(null);
    expect(store.getState().run.events.map((event) => event.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(store.getState().run.state?.nodes.agent_1?.status).toBe("succeeded");
  });

  it("answers no task from a state of the past", async () => {
    const answers: string[] = [];
    const store = storeWithRun(answers);
    store.getState().viewRunAt(3);
    await store.getState().respondToHuman("agent_1", "approve", { answer: "delta kite" });
    expect(answers).toEqual([]);
  });
});
