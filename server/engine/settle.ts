import { decide, type Effect } from "./decide";
import { isTerminalStatus, type CommittedEvent, type RunEvent } from "./events";
import type { Graph } from "./graph";
import type { RunState } from "./state";
import { step } from "./step";

/** The most events one commit carries (the worker's batches, a run settled where it starts). */
export const MAX_EVENTS_PER_COMMIT = 200;

/**
 * Applies the pure (`emit`) effects of `decide` round after round until the run needs I/O, is
 * done, or `maxEvents` were produced; returns those events, uncommitted, and `then`: what
 * `decide` wants once they are applied (pure effects still among them when `maxEvents` cut the
 * batch short; the last round's, already applied, when the run is done). The worker commits the
 * events as one batch, and the engine tests settle runs with the same function, so the tests
 * exercise exactly the loop the worker runs.
 */
export function pureEventsUntilIo(graph: Graph, state: RunState, effects: readonly Effect[], maxEvents: number): { events: RunEvent[]; then: readonly Effect[] } {
  const batch: RunEvent[] = [];
  let current = effects;
  let provisional = state;
  while (batch.length < maxEvents) {
    const pure = current.flatMap((effect) => (effect.kind === "emit" ? [effect.event] : []));
    if (pure.length === 0) break;
    batch.push(...pure);
    provisional = applyProvisionally(provisional, pure);
    if (isTerminalStatus(provisional.status)) break;
    current = decide(graph, provisional);
  }
  return { events: batch, then: current };
}

/**
 * `events` (results of I/O the worker is about to commit) and the pure events that follow them
 * up to the run's next I/O or its end, at most `maxEvents` in all: a model's answer and the
 * steps it unblocks (its node finishing, the output) are one commit, not two.
 */
export function withPureEventsAfter(graph: Graph, state: RunState, events: readonly RunEvent[], maxEvents: number): RunEvent[] {
  const provisional = applyProvisionally(state, events);
  if (isTerminalStatus(provisional.status) || provisional.status === "paused" || events.length >= maxEvents) return [...events];
  return [...events, ...pureEventsUntilIo(graph, provisional, decide(graph, provisional), maxEvents - events.length).events];
}

/** Provisional seq/time: only used to decide what comes next, never stored. */
function applyProvisionally(state: RunState, events: readonly RunEvent[]): RunState {
  return events.reduce((s, event) => step(s, { ...event, seq: s.lastSeq + 1, at: "" } as CommittedEvent), state);
}
