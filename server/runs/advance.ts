import { decide, type Effect } from "../engine/decide";
import { isTerminalStatus, type CommittedEvent, type RunEvent } from "../engine/events";
import { step } from "../engine/step";
import type { Db } from "../db";
import { callModel } from "../llm/call-model";
import { newId } from "../ids";
import { toJson } from "../json";
import { commitEvents, StaleRunError } from "./commit";
import { loadRun, type LoadedRun } from "./load";
import { performToolCall } from "./perform-tool";
import type { Prisma } from "../generated/prisma/client";

export type AdvanceOutcome = { status: string; committedEvents: number };

/** Timing of one loop iteration; `effectMs` is time spent waiting on models/tools/humans. */
export type StepTiming = { totalMs: number; effectMs: number; events: number };
export type AdvanceOptions = { onStep?: (timing: StepTiming) => void };

/** Upper bound of loop iterations per job, so a buggy graph can never spin a worker forever. */
const MAX_ITERATIONS_PER_JOB = 10_000;

/**
 * The worker loop for one run: decide → perform effects → commit their events → repeat,
 * until the run finishes or waits (for a human). Nothing is held between steps but the
 * state we just committed; a crash resumes from the log.
 */
export async function advanceRun(db: Db, runId: string, options: AdvanceOptions = {}): Promise<AdvanceOutcome> {
  let run = await loadRun(db, runId);
  let committedEvents = 0;
  // Results of effects performed but not committed (another writer committed first).
  // If the fresh state asks for the same effect again, the result is reused: a paid
  // model call is never requested twice because of a concurrent pause or approval.
  const uncommitted = new Map<string, RunEvent>();
  for (let iteration = 0; iteration < MAX_ITERATIONS_PER_JOB; iteration += 1) {
    if (isTerminalStatus(run.state.status) || run.state.status === "paused") break;
    const started = performance.now();
    const effects = decide(run.graph, run.state);
    if (effects.length === 0) break;
    try {
      const { state, events, effectMs } = await performAndCommit(db, run, effects, uncommitted);
      run = { ...run, state };
      committedEvents += events.length;
      uncommitted.clear();
      options.onStep?.({ totalMs: performance.now() - started, effectMs, events: events.length });
    } catch (error) {
      if (!(error instanceof StaleRunError)) throw error;
      // Someone else (a pause, a human's answer, another worker) committed first. Keep the
      // model responses we already paid for if they still fit the fresh state, then decide again.
      run = await loadRun(db, runId);
      run = await commitStillApplicable(db, run, uncommitted);
    }
  }
  return { status: run.state.status, committedEvents };
}

/**
 * A model response still applies when its agent is still running and its thread is exactly
 * as long as what was sent. Committing it after a pause is right: the step finished before
 * the pause took effect.
 */
async function commitStillApplicable(db: Db, run: LoadedRun, uncommitted: Map<string, RunEvent>): Promise<LoadedRun> {
  const applicable = [...uncommitted.values()].filter(
    (event) =>
      event.type === "llm_response" &&
      run.state.nodes[event.nodeId]?.status === "running" &&
      run.state.threads[event.nodeId]?.messages.length === event.sentMessages,
  );
  if (applicable.length === 0 || isTerminalStatus(run.state.status)) return run;
  try {
    const { state } = await commitEvents(db, run.runId, run.state, applicable);
    uncommitted.clear();
    return { ...run, state };
  } catch (error) {
    if (error instanceof StaleRunError) return loadRun(db, run.runId);
    throw error;
  }
}

const MAX_EVENTS_PER_COMMIT = 200;

function pureEventsUntilIo(run: LoadedRun, effects: Effect[]): RunEvent[] {
  const batch: RunEvent[] = [];
  let state = run.state;
  let current = effects;
  while (batch.length < MAX_EVENTS_PER_COMMIT) {
    const pure = current.flatMap((effect) => (effect.kind === "emit" ? [effect.event] : []));
    if (pure.length === 0) break;
    batch.push(...pure);
    // Provisional seq/time: only used to decide what comes next, never stored.
    state = pure.reduce((s, event) => step(s, { ...event, seq: s.lastSeq + 1, at: "" } as CommittedEvent), state);
    if (isTerminalStatus(state.status)) break;
    current = decide(run.graph, state);
  }
  return batch;
}

/** Identifies an effect by what it would do, so a repeat of it can be recognised. */
function effectKey(effect: Effect): string | null {
  if (effect.kind === "call_llm") return `llm:${effect.nodeId}:${effect.request.messages.length}`;
  return null;
}

async function performAndCommit(db: Db, run: LoadedRun, effects: Effect[], uncommitted: Map<string, RunEvent>) {
  // Pure events are committed first and on their own, so the canvas shows a node as started
  // before its (slow) model call returns. Consecutive rounds of pure events are folded
  // together in memory and committed at once: one round trip instead of one per round.
  const emitted = pureEventsUntilIo(run, effects);
  if (emitted.length > 0) return { ...(await commitEvents(db, run.runId, run.state, emitted)), effectMs: 0 };

  const humanTasks: Prisma.HumanTaskCreateManyInput[] = [];
  const effectsStarted = performance.now();
  const events = await Promise.all(
    effects.map(async (effect): Promise<RunEvent> => {
      switch (effect.kind) {
        case "call_llm": {
          const key = effectKey(effect) as string;
          const cached = uncommitted.get(key);
          if (cached) return cached;
          const event = await callModel(effect.nodeId, effect.request);
          if (event.type === "llm_response") uncommitted.set(key, event);
          return event;
        }
        case "call_tool":
          return performToolCall(run.runId, effect);
        case "request_human": {
          const taskId = newId("ht");
          humanTasks.push({
            id: taskId,
            runId: run.runId,
            nodeId: effect.nodeId,
            kind: effect.humanKind,
            status: "pending",
            message: effect.message,
            context: toJson(effect.context),
          });
          return {
            type: "human_requested",
            nodeId: effect.nodeId,
            taskId,
            kind: effect.humanKind,
            message: effect.message,
            context: effect.context,
            ...(effect.toolCallId ? { toolCallId: effect.toolCallId } : {}),
          };
        }
        case "emit":
          return effect.event;
      }
    }),
  );
  const effectMs = performance.now() - effectsStarted;
  // Only a human request needs the transaction path (its task row commits with the event);
  // everything else takes the one-statement hot path.
  const committed = await commitEvents(
    db,
    run.runId,
    run.state,
    events,
    humanTasks.length > 0 ? async (tx) => void (await tx.humanTask.createMany({ data: humanTasks })) : undefined,
  );
  return { ...committed, effectMs };
}
