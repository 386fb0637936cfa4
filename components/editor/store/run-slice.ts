import { step } from "@/server/engine/step";
import { initialRunState } from "@/server/engine/state";
import type { EditorServices, RunOverlay, RunSlice, SliceCreator } from "./types";

export function createRunSlice(services: EditorServices, initial?: RunOverlay): SliceCreator<RunSlice> {
  return (set, get) => ({
    run: initial ?? { runId: null, state: null, events: [] },
    launch: { status: "idle" },

    setLaunch(launch) {
      set({ launch });
    },

    showRun(runId, snapshot) {
      set({
        run: snapshot
          ? { runId, state: snapshot.state, events: snapshot.events }
          : { runId, state: initialRunState(), events: [] },
      });
    },

    applyRunEvent(event) {
      const { run } = get();
      // A reconnecting stream replays from its last id; events already folded are ignored so replay stays idempotent.
      if (!run.state || event.seq <= run.state.lastSeq) return;
      set({ run: { ...run, state: step(run.state, event), events: [...run.events, event] } });
    },

    clearRun() {
      set({ run: { runId: null, state: null, events: [] }, launch: { status: "idle" } });
    },

    async respondToHuman(nodeId, decision, extras = {}) {
      const pending = get().run.state?.humans[nodeId];
      if (!pending || pending.decision) return;
      await services.respondToHuman({ taskId: pending.taskId, decision, ...extras });
    },
  });
}
