/**
 * Python sandbox benchmark (part of `npm run bench`): what a run_code call in Python costs.
 *  - cold: the first call in a process (Pyodide loaded from scratch, then snapshotted);
 *  - ready: a call that finds a loaded spare interpreter (the usual case: the spare loads while
 *    the model thinks);
 *  - back to back: calls with no pause, each waiting for an interpreter to load from the snapshot;
 *  - the process's RSS before and after. The floor is the same trivial program in JavaScript
 *    (QuickJS), the sandbox agents had before.
 * Needs no services.
 */
import { closeRunCodeSandbox, runCode } from "../server/tools/run-code";
import { runPython } from "../server/tools/run-python";
import { summarize } from "./bench-runtime";
import { runAloneIfMain } from "./lib/run-alone";

const PROGRAM = "sum(range(1000))";
const SAMPLES = 8;
/** Long enough for the spare interpreter to finish loading from the snapshot on a busy machine. */
const SPARE_PAUSE_MS = 3_000;

const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : "n/a");
const rssMb = () => process.memoryUsage().rss / 1_048_576;

async function timed(call: () => Promise<{ ok: boolean }>): Promise<number> {
  const started = performance.now();
  const result = await call();
  if (!result.ok) throw new Error("bench program failed");
  return performance.now() - started;
}

export async function benchPython(): Promise<string[]> {
  const rssBefore = rssMb();
  const python = () => runPython({ code: PROGRAM });
  try {
    const cold = await timed(python);
    const ready: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      await new Promise((resolve) => setTimeout(resolve, SPARE_PAUSE_MS));
      ready.push(await timed(python));
    }
    const backToBack: number[] = [];
    for (let i = 0; i < SAMPLES; i++) backToBack.push(await timed(python));
    const javascript: number[] = [];
    for (let i = 0; i < SAMPLES; i++) javascript.push(await timed(() => runCode({ code: "let s = 0; for (let i = 0; i < 1000; i++) s += i; s" })));
    const readySummary = summarize(ready);
    const backSummary = summarize(backToBack);
    const jsSummary = summarize(javascript);
    return [
      `python: cold first call ${fmt(cold)} ms  | call with a ready interpreter p50 ${fmt(readySummary.p50)} ms p99 ${fmt(readySummary.p99)} ms  | back to back p50 ${fmt(backSummary.p50)} ms p99 ${fmt(backSummary.p99)} ms  | floor JavaScript p50 ${fmt(jsSummary.p50)} ms  (n=${SAMPLES})`,
      `python: process RSS ${fmt(rssBefore)} MB before, ${fmt(rssMb())} MB after (one spare interpreter + the ~30 MB snapshot)`,
    ];
  } finally {
    await closeRunCodeSandbox();
  }
}

// `tsx scripts/bench-python.ts` runs this part alone.
runAloneIfMain(import.meta.url, benchPython);
