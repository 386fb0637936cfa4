import { step } from "@/server/engine/step";
import { initialRunState, replay } from "@/server/engine/state";
import type { EditorServices, RunOverlay, RunSlice, SliceCreator } from "./types";

export function createRunSlice(services: EditorServices, initial?: RunOverlay): SliceCreator<RunSlice> {
  return (set, get) => ({
    run: initial ?? { runId: null, state: null, events: [] },
    timeTravel: null,
    launch: { status: "idle" },

    setLaunch(launch) {
      set({ launch });
    },

    showRun(runId, snapshot) {
      set({
        timeTravel: null,
        run: snapshot
          ? { runId, state: snapshot.state, events: snapshot.events }
          : { runId, state: initialRunState(), events: [] },
      });
    },

    applyRunEvent(event) {
      const { run, timeTravel } = get();
      const live = timeTravel?.live ?? run;
      // A reconnecting stream replays from its last id; events already folded are ignored so replay stays idempotent.
      if (!live.state || event.seq <= live.state.lastSeq) return;
      const next = { ...live, state: step(live.state, event), events: [...live.events, event] };
      set(timeTravel ? { timeTravel: { ...timeTravel, live: next } } : { run: next });
    },

    viewRunAt(seq) {
      const { run, timeTravel } = get();
      const live = timeTravel?.live ?? run;
      if (seq === null || !live.state) {
        if (timeTravel) set({ run: live, timeTravel: null });
        return;
      }
      const events = live.events.filter((event) => event.seq <= seq);
      set({ run: { runId: live.runId, state: replay(events, step), events }, timeTravel: { seq, live } });
    },

    clearRun() {
      set({ run: { runId: null, state: null, events: [] }, timeTravel: null, launch: { status: "idle" } });
    },

    async respondToHuman(nodeId, decision, extras = {}) {
      // A task shown from the past is not the one waiting now (if any is): answer only live.
      if (get().timeTravel) return;
      const pending = get().run.state?.humans[nodeId];
      if (!pending || pending.decision) return;
      await services.respondToHuman({ taskId: pending.taskId, decision, ...extras });
    },
  });
}
