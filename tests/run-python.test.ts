import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, waitForRun, type Harness } from "./support/harness";
import type { Db } from "../server/db";
import { startRun } from "../server/runs/start-run";
import { getRunEvents } from "../server/runs/queries";
import { createWorkflow } from "../server/workflows/workflows";
import { buildGraph } from "../server/engine/test-helpers";
import { replay } from "../server/engine/state";
import { step } from "../server/engine/step";
import { closeRunCodeSandbox } from "../server/tools/run-code";
import { testWorkspace, testRunScope } from "./support/workspace";

/**
 * An agent runs Python through the real model path: the demo model (over HTTP) calls run_code
 * with `language: "python"` as scripted in the task, the worker runs it in a Pyodide thread,
 * and the result reaches the model and the run's output.
 */

let harness: Harness;
let db: Db;

beforeAll(async () => {
  harness = await startHarness();
  db = harness.db;
});

afterAll(async () => {
  await harness.stop();
  await closeRunCodeSandbox();
});

async function runAgent(task: string) {
  const graph = buildGraph(
    [["trigger", "trigger"], ["dev", "agent", { task, allowedTools: ["run_code"] }], ["out", "output"]],
    [["trigger", "dev"], ["dev", "out"]],
  );
  const { id } = await createWorkflow(db, await testWorkspace(db), { name: `python ${Date.now()}`, graph });
  return startRun(db, { ...(await testRunScope(db)), workflowId: id, input: {}, trigger: "manual" });
}

function scriptedPython(code: string): string {
  return `#demo:call:run_code ${JSON.stringify({ language: "python", code })}`;
}

describe("an agent runs Python", () => {
  it("calls run_code in Python and answers with its result; a runaway program is stopped and the next one runs", async () => {
    const task = [
      "Compute the statistics.",
      scriptedPython("import statistics\nvalues = [3, 5, 7, 9]\nprint('values:', values)\nresult = {'mean': statistics.mean(values), 'total': sum(values) * 1000 + 17}"),
      scriptedPython("while True:\n    pass"),
      scriptedPython("import math\nmath.factorial(10)"),
    ].join("\n");
    const { runId } = await runAgent(task);
    // The first Python call in this process loads Pyodide from scratch; the loop waits out its limit.
    const run = await waitForRun(db, runId, ["succeeded", "failed"], 60_000);
    expect(run.status).toBe("succeeded");
    const output = String(run.output);
    expect(output).toContain('result: {"mean": 6, "total": 24017}');
    expect(output).toContain("values: [3, 5, 7, 9]");
    expect(output).toContain("timed out after 5 s");
    expect(output).toContain("result: 3628800");

    const events = await getRunEvents(db, runId);
    const results = events.filter((e) => e.type === "tool_result" && e.name === "run_code");
    expect(results.map((e) => e.type === "tool_result" && e.ok)).toEqual([true, false, true]);
    // Python's print format and its own output label: the calls did not fall back to JavaScript.
    expect(results[0]?.type === "tool_result" && results[0].content).toBe('result: {"mean": 6, "total": 24017}\noutput:\nvalues: [3, 5, 7, 9]');
    expect(replay(events, step)).toEqual(run.state);
  }, 90_000);
});
