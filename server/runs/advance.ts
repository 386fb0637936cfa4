import { setMaxListeners } from "node:events";
import { decide, type Effect } from "../engine/decide";
import { MAX_EVENTS_PER_COMMIT, pureEventsUntilIo, withPureEventsAfter } from "../engine/settle";
import { isTerminalStatus, type RunEvent } from "../engine/events";
import type { Db } from "../db";
import { callModelWithFallbacks } from "../llm/fallback";
import { notifyHumanTasksCreated } from "../notifications/notify";
import { newId } from "../ids";
import { enqueueAdvance } from "../queue";
import { storableText } from "../json";
import { commitEvents, StaleRunError, type NewHumanTask } from "./commit";
import { InFlightEffects } from "./in-flight";
import { loadRun, type LoadedRun } from "./load";
import { performToolCall, type ToolCallContext } from "./perform-tool";
import { createLiveTokenWriter } from "../streams/live-tokens";
import { finishedChildEvents, hasChildrenInFlight, startChildRun } from "./child-runs";
import { traceModelCall, traceToolCall } from "../ops/tracing";
import { budgetPauseEvent } from "../ops/budgets";
import type { Graph, GraphNode } from "../engine/graph";

export type AdvanceOutcome = { status: string; committedEvents: number };

/**
 * Timing of one commit: `totalMs` since the previous commit (or the start), of which
 * `effectMs` was spent waiting on models and tools. The difference is orchestration overhead.
 */
export type StepTiming = { totalMs: number; effectMs: number; events: number };
export type AdvanceOptions = {
  onStep?: (timing: StepTiming) => void;
  /** Aborted when the run is cancelled elsewhere: in-flight model and tool calls stop at once. */
  signal?: AbortSignal;
  /**
   * Dispatches RUN_CHANGED when another process committed to the run (a person answered, it
   * resumed): the loop re-reads the run at once, while its calls in flight go on.
   */
  changes?: EventTarget;
  /** Loop iterations before the job hands the run back to the queue (default MAX_ITERATIONS_PER_JOB). */
  maxIterations?: number;
  /** The run as the job already read it (after taking the run's lease): not read again. */
  loaded?: LoadedRun;
};

export const RUN_CHANGED = "run-changed";

/**
 * Why a job's own signal is aborted when the job ends. One shared reason: `abort()` without one
 * builds a DOMException, stack and all, for every job, though no call is left to hear it.
 */
const JOB_ENDED = new DOMException("The job advancing this run ended", "AbortError");

/**
 * Upper bound of loop iterations per job, so one run cannot hold a worker slot forever; a run
 * that still has work after that many goes back on the queue, behind the others.
 */
const MAX_ITERATIONS_PER_JOB = 10_000;

/**
 * The worker loop for one run: decide → start effects → commit each result as it arrives →
 * decide again, until the run finishes or waits for a human. Effects of parallel branches
 * run concurrently and each branch moves on as soon as its own result is committed. Nothing
 * is held between steps but the state just committed and the calls still in flight; a crash
 * resumes from the log.
 */
export async function advanceRun(db: Db, runId: string, options: AdvanceOptions = {}): Promise<AdvanceOutcome> {
  // Our own controller, so no call outlives this job even when nobody cancelled.
  const controller = new AbortController();
  const { signal } = controller;
  // Every call in flight listens to this one signal, and a wide fan-out has many at once:
  // lift Node's leak warning (at 10); each call removes its listener when it settles (perform).
  setMaxListeners(0, signal);
  const onCancelled = () => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) onCancelled();
  options.signal?.addEventListener("abort", onCancelled, { once: true });
  const inFlight = new InFlightEffects();
  let changedElsewhere = false;
  const onChanged = () => {
    changedElsewhere = true;
    inFlight.interrupt();
  };
  options.changes?.addEventListener(RUN_CHANGED, onChanged);
  let run = options.loaded ?? (await loadRun(db, runId));
  const toolContext = (nodeId: string): ToolCallContext => ({
    db,
    workspaceId: () => Promise.resolve(run.workspaceId),
    node: nodeOf(run.graph, nodeId),
  });
  let committedEvents = 0;
  let spanStarted = performance.now();
  let waitedMs = 0;

  /** Commits `events` (plus, for human requests, their task rows); false if another writer was first. */
  const commit = async (events: RunEvent[], humanTasks?: NewHumanTask[]): Promise<boolean> => {
    try {
      const result = await commitEvents(db, runId, run.state, events, { humanTasks });
      run = { ...run, state: result.state };
      committedEvents += result.events.length;
      const now = performance.now();
      options.onStep?.({ totalMs: now - spanStarted, effectMs: waitedMs, events: result.events.length });
      spanStarted = now;
      waitedMs = 0;
      return true;
    } catch (error) {
      if (!(error instanceof StaleRunError)) throw error;
      // Someone else (a pause, a cancel, a human's answer, another worker) committed first.
      // Results still in flight or settled stay; the next round keeps those that still fit.
      run = await loadRun(db, runId);
      return false;
    }
  };

  const maxIterations = options.maxIterations ?? MAX_ITERATIONS_PER_JOB;
  let iteration = 0;
  // Child runs that ended are gathered when the job starts, when another process changed the
  // run (a child's end announces it), and before the job lets the run wait.
  let gatherChildren = true;
  let lastLook = false;
  try {
    for (; iteration < maxIterations; iteration += 1) {
      const { status } = run.state;
      if (isTerminalStatus(status)) break;
      if (gatherChildren && hasChildrenInFlight(run.state)) {
        gatherChildren = false;
        const finished = await finishedChildEvents(run.state);
        if (finished.length > 0) {
          await commit(finished);
          lastLook = false;
          continue;
        }
      }
      gatherChildren = false;
      const paused = status === "paused";
      // While paused nothing new starts, but calls already made finish and their results are
      // committed if the run still wants them: the step finished before the pause took effect.
      const wanted = decide(run.graph, paused ? { ...run.state, status: "running" } : run.state);
      const wantedKeys = new Set(wanted.flatMap((effect) => effectKey(effect) ?? []));

      const ready = inFlight.settledWanted((key) => wantedKeys.has(key));
      if (ready.events.length > 0) {
        // With the steps they unblock that need no I/O (none while the run is paused).
        if (await commit(withPureEventsAfter(run.graph, run.state, ready.events, MAX_EVENTS_PER_COMMIT))) inFlight.forget(ready.keys);
        continue;
      }
      inFlight.dropSettledExcept((key) => wantedKeys.has(key));

      if (!paused) {
        // Pure events first and on their own, so the canvas shows a node as started before
        // its (slow) model call returns; consecutive rounds of them fold into one commit. The
        // people they reach (a gate the run arrives at) are asked in that same commit: asking
        // needs no I/O, and a gate then costs the run one commit and its viewers one notice.
        const emitted = pureEventsUntilIo(run.graph, run.state, wanted, MAX_EVENTS_PER_COMMIT);
        const humanRequests = emitted.then.filter(isHumanRequest);
        const askNow = humanRequests.length > 0 && !emitted.then.some((effect) => effect.kind === "emit") && emitted.events.length + humanRequests.length <= MAX_EVENTS_PER_COMMIT;
        if (emitted.events.length > 0 && !askNow) {
          await commit(emitted.events);
          continue;
        }
        if (humanRequests.length > 0) {
          const { events, tasks } = humanRequestsToEvents(run.graph, humanRequests, new Date());
          const committed = await commit([...emitted.events, ...events], tasks);
          // Channels are told after the commit, off the run's path (it never throws).
          if (committed) await notifyHumanTasksCreated(db, tasks.map((task) => task.id));
          continue;
        }
        // The workspace's or the run's workflow's monthly budget is spent: pause before any new model or tool call (server/ops/budgets.ts).
        const startsIo = wanted.some((effect) => {
          const key = effectKey(effect);
          return key !== null && !inFlight.has(key);
        });
        const budgetPause = startsIo ? await budgetPauseEvent(db, { workspaceId: run.workspaceId, workflowId: run.budgetWorkflowId }) : null;
        if (budgetPause) {
          await commit([budgetPause]);
          continue;
        }
        for (const effect of wanted) {
          const key = effectKey(effect);
          if (key !== null && !inFlight.has(key)) inFlight.start(key, () => perform(runId, effect, signal, toolContext));
        }
      }

      // Nothing in flight: the run waits for a person, its child runs (or, paused, a resume).
      if (inFlight.pendingCount === 0) {
        if (!lastLook && hasChildrenInFlight(run.state)) {
          lastLook = true;
          gatherChildren = true;
          continue;
        }
        break;
      }
      lastLook = false;
      const waitStarted = performance.now();
      if (!changedElsewhere) await inFlight.nextSettlement(signal);
      waitedMs += performance.now() - waitStarted;
      if (signal.aborted) {
        // Cancelled (or another job took the run over): the calls were aborted and their
        // results are worthless. The run's row says what happened; should the run still need
        // advancing, the reconciler re-enqueues it.
        run = await loadRun(db, runId);
        break;
      }
      if (changedElsewhere) {
        changedElsewhere = false;
        gatherChildren = true;
        run = await loadRun(db, runId);
      }
    }
  } finally {
    options.signal?.removeEventListener("abort", onCancelled);
    options.changes?.removeEventListener(RUN_CHANGED, onChanged);
    controller.abort(JOB_ENDED);
  }
  if (iteration === maxIterations && !isTerminalStatus(run.state.status)) await enqueueAdvance(runId, run.state.lastSeq);
  return { status: run.state.status, committedEvents };
}

type HumanRequest = Extract<Effect, { kind: "request_human" }>;

function isHumanRequest(effect: Effect): effect is HumanRequest {
  return effect.kind === "request_human";
}

/** Identifies an I/O effect by what it would do, so a repeat of it is recognised and not performed twice. */
function effectKey(effect: Effect): string | null {
  switch (effect.kind) {
    case "call_llm":
      return `llm:${effect.nodeId}:${effect.request.messages.length}`;
    case "call_tool":
      return `tool:${effect.nodeId}:${effect.idempotencyKey}`;
    case "start_child":
      return `child:${effect.nodeId}:${effect.key}`;
    case "emit":
    case "request_human":
      return null;
  }
}

/**
 * Performs one I/O effect with a signal of its own, linked to the run's while the call lasts:
 * a library that never removes its abort listener (the openai client) then leaves nothing
 * behind on the run's signal, however many calls a long job makes.
 */
async function perform(runId: string, effect: Effect, runSignal: AbortSignal, toolContext: (nodeId: string) => ToolCallContext): Promise<RunEvent> {
  const call = new AbortController();
  const abort = () => call.abort(runSignal.reason);
  runSignal.addEventListener("abort", abort, { once: true });
  try {
    switch (effect.kind) {
      case "call_llm": {
        // The answer streams to viewers as it is written (ephemeral, server/streams/live-tokens.ts);
        // its key is the call's message count, the committed llm_response's `sentMessages`.
        const live = createLiveTokenWriter(runId, effect.nodeId, String(effect.request.messages.length));
        try {
          // The workspace's model providers (Settings → Model providers) come first; the agent's fallbacks after.
          return await traceModelCall(effect, () =>
            callModelWithFallbacks(effect.nodeId, effect.request, { signal: call.signal, workspace: toolContext(effect.nodeId), onTextDelta: live.push, onTextReset: live.restart }),
          );
        } finally {
          // Before the answer is committed: its last piece is out and its text so far is gone.
          await live.finish();
        }
      }
      case "call_tool":
        return await traceToolCall(effect, () => performToolCall(runId, effect, call.signal, toolContext(effect.nodeId)));
      case "start_child":
        return await startChildRun(runId, effect);
      case "emit":
      case "request_human":
        throw new Error(`${effect.kind} is not performed as I/O`);
    }
  } finally {
    runSignal.removeEventListener("abort", abort);
  }
}

/** Graphs are immutable once pinned: their nodes are indexed once per graph. */
const nodeIndexes = new WeakMap<Graph, Map<string, GraphNode>>();

function nodeOf(graph: Graph, nodeId: string): GraphNode | undefined {
  let index = nodeIndexes.get(graph);
  if (!index) {
    index = new Map(graph.nodes.map((node) => [node.id, node]));
    nodeIndexes.set(graph, index);
  }
  return index.get(nodeId);
}


/**
 * When a gate's timeout answers for its reviewer: the clock is read here, in the shell, and
 * recorded in the event and on the task (the sweep in human-timeouts.ts acts on it).
 */
function dueAtOf(graph: Graph, effect: HumanRequest, now: Date): string | null {
  if (effect.humanKind !== "gate") return null;
  const node = nodeOf(graph, effect.nodeId);
  if (node?.type !== "human" || node.data.timeoutSeconds === 0) return null;
  return new Date(now.getTime() + node.data.timeoutSeconds * 1000).toISOString();
}

/** Human requests need no I/O but a task row each, committed with the event. */
function humanRequestsToEvents(graph: Graph, effects: HumanRequest[], now: Date) {
  const tasks: NewHumanTask[] = [];
  const events: RunEvent[] = effects.map((effect) => {
    const taskId = newId("ht");
    const dueAt = dueAtOf(graph, effect, now);
    tasks.push({
      id: taskId,
      nodeId: effect.nodeId,
      kind: effect.humanKind,
      status: "pending",
      message: storableText(effect.message),
      context: effect.context ?? null,
      dueAt,
    });
    return {
      type: "human_requested",
      nodeId: effect.nodeId,
      taskId,
      kind: effect.humanKind,
      message: effect.message,
      context: effect.context,
      ...(effect.toolCallId ? { toolCallId: effect.toolCallId } : {}),
      ...(dueAt ? { dueAt } : {}),
    };
  });
  return { events, tasks };
}
