import type { ChildProcess } from "node:child_process";
import { startWorkerProcess as startSharedWorkerProcess, waitForOutput } from "./support/worker-process";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { startHarness, waitForRun, type Harness } from "./support/harness";
import type { Db } from "../server/db";
import { startRun } from "../server/runs/start-run";
import { getRunEvents } from "../server/runs/queries";
import { createWorkflow } from "../server/workflows/workflows";
import { buildGraph } from "../server/engine/test-helpers";
import { testAccess, testWorkspace, testRunScope } from "./support/workspace";
import { createWorkspaceProvider } from "../server/llm/workspace-providers";

/**
 * A worker process killed with SIGKILL in the middle of a model call: another worker
 * process takes the run over, and the log has no duplicate event and one paid response. Under a
 * supervisor the next process of the dead one's slot takes it over at once, lock or not.
 */

let harness: Harness;
let db: Db;
const children: ChildProcess[] = [];

function startWorkerProcess(): ChildProcess {
  return startSharedWorkerProcess(children);
}

/** Waits until the run has started `nodeId` and its slow model call is in flight, then kills the worker hard. */
async function killOnceNodeStarted(worker: ChildProcess, runId: string, nodeId: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await getRunEvents(db, runId)).some((e) => e.type === "node_started" && e.nodeId === nodeId)) {
    if (Date.now() > deadline) throw new Error(`${nodeId} never started`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await new Promise((resolve) => setTimeout(resolve, 300));
  worker.kill("SIGKILL");
}

beforeAll(async () => {
  // Worker processes are started by the tests; only the loopback target is exempt from the SSRF guard.
  harness = await startHarness({ worker: false, env: { HTTP_ALLOW_PRIVATE_HOSTS: "127.0.0.1" } });
  db = harness.db;
  await createWorkspaceProvider(db, await testAccess(db), { name: "claude-crash", kind: "anthropic", baseUrl: harness.demo.baseUrl, apiKey: "sk-ant-test", defaultModel: "agentflow-demo-1" });
});

afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
});

afterAll(() => harness.stop());

// Both wires: the OpenAI one (the environment's demo model) and the Anthropic one (a workspace
// provider at the demo model's Messages API, through @anthropic-ai/sdk).
it.each([
  ["openai", "demo"],
  ["anthropic", "claude-crash"],
])("resumes a run on another worker after kill -9 mid-step, without duplicates (%s wire)", async (wire, provider) => {
  const graph = buildGraph(
    [["trigger", "trigger"], ["first", "agent", { task: `Step one (${wire})`, provider }], ["second", "agent", { task: `Step two (${wire}) #demo:slow:2500`, provider }], ["out", "output"]],
    [["trigger", "first"], ["first", "second"], ["second", "out"]],
  );
  const { id } = await createWorkflow(db, await testWorkspace(db), { name: `crash ${wire}`, graph });

  const doomed = startWorkerProcess();
  await waitForOutput(doomed, "[worker] ready");
  const { runId } = await startRun(db, { ...(await testRunScope(db)), workflowId: id, input: {}, trigger: "manual" });

  await killOnceNodeStarted(doomed, runId, "second");
  const committedBeforeKill = await getRunEvents(db, runId);
  expect(committedBeforeKill.some((e) => e.type === "run_finished")).toBe(false);

  const rescuer = startWorkerProcess();
  await waitForOutput(rescuer, "[worker] ready");
  expect((await waitForRun(db, runId, ["succeeded", "failed"], 30_000)).status).toBe("succeeded");

  const events = await getRunEvents(db, runId);
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  // The first agent's response was committed before the crash and was not requested again.
  expect(events.filter((e) => e.type === "llm_response" && e.nodeId === "first")).toHaveLength(1);
  expect(events.filter((e) => e.type === "llm_response" && e.nodeId === "second")).toHaveLength(1);
  expect(events.filter((e) => e.type === "node_finished" && e.nodeId === "second")).toHaveLength(1);
  expect(events.filter((e) => e.type === "run_finished")).toHaveLength(1);
  expect(events.filter((e) => e.type === "llm_response").map((e) => e.type === "llm_response" && e.provider)).toEqual([provider, provider]);
}, 60_000);

it.each([
  ["openai", "demo"],
  ["anthropic", "claude-crash"],
])("repeats an interrupted side-effecting tool call with the same idempotency key, and commits its result once (%s wire)", async (wire, provider) => {
  const { createServer } = await import("node:http");
  const keys: string[] = [];
  const slowTarget = createServer((req, res) => {
    keys.push(String(req.headers["idempotency-key"]));
    // Slow enough for the worker to be killed while waiting for the answer.
    setTimeout(() => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("stored");
    }, 1_500);
  });
  await new Promise<void>((resolve) => slowTarget.listen(0, "127.0.0.1", resolve));
  const port = (slowTarget.address() as { port: number }).port;
  try {
    const task = [`Store the record (${wire}).`, `#demo:call:http_request {"url":"http://127.0.0.1:${port}/records","method":"POST","body":"r1"}`].join("\n");
    const graph = buildGraph(
      [["trigger", "trigger"], ["writer", "agent", { task, provider, allowedTools: ["http_request"], autoApproveTools: ["http_request"] }], ["out", "output"]],
      [["trigger", "writer"], ["writer", "out"]],
    );
    const { id } = await createWorkflow(db, await testWorkspace(db), { name: `crash-tool ${wire}`, graph });
    const doomed = startWorkerProcess();
    await waitForOutput(doomed, "[worker] ready");
    const { runId } = await startRun(db, { ...(await testRunScope(db)), workflowId: id, input: {}, trigger: "manual" });
    const deadline = Date.now() + 15_000;
    while (keys.length === 0) {
      if (Date.now() > deadline) throw new Error("the tool call never reached the target");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    doomed.kill("SIGKILL");

    const rescuer = startWorkerProcess();
    await waitForOutput(rescuer, "[worker] ready");
    expect((await waitForRun(db, runId, ["succeeded", "failed"], 30_000)).status).toBe("succeeded");
    // The target saw the call again after the crash, with the same key, so it can deduplicate.
    expect(keys.length).toBe(2);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(new RegExp(`^${runId}:`));
    const events = await getRunEvents(db, runId);
    expect(events.filter((e) => e.type === "tool_result" && e.name === "http_request")).toHaveLength(1);
    expect(events.filter((e) => e.type === "llm_response").map((e) => e.type === "llm_response" && e.provider)).toEqual([provider, provider]);
  } finally {
    await new Promise((resolve) => slowTarget.close(resolve));
  }
}, 60_000);

// npm start's pool numbers its workers (WORKER_SLOT) and names itself (AGENTFLOW_SUPERVISOR_PID); a
// container (WORKER_SLOT=container, docker-compose.yml) is restarted on the same hostname. Either
// way the next process of a slot starts only once the previous one exited (server/runs/slot-handover.ts).
it.each<{ supervisor: string; slot: Record<string, string> }>([
  { supervisor: "npm start's worker pool", slot: { WORKER_SLOT: "1", AGENTFLOW_SUPERVISOR_PID: String(process.pid) } },
  { supervisor: "a container's restart policy", slot: { WORKER_SLOT: "container" } },
])("the next worker of a slot ($supervisor) takes over the job its killed predecessor held, without waiting out its lock", async ({ slot: slotEnv }) => {
  const graph = buildGraph(
    [["trigger", "trigger"], ["slow", "agent", { task: "A slow step #demo:slow:2500" }], ["out", "output"]],
    [["trigger", "slow"], ["slow", "out"]],
  );
  const { id } = await createWorkflow(db, await testWorkspace(db), { name: "slot handover", graph });
  // The production lock: without the handover the job would stay locked for 30 s after the kill.
  const slot = { ...slotEnv, WORKER_LOCK_MS: "30000" };
  const doomed = startSharedWorkerProcess(children, slot);
  await waitForOutput(doomed, "[worker] ready");
  const { runId } = await startRun(db, { ...(await testRunScope(db)), workflowId: id, input: {}, trigger: "manual" });
  await killOnceNodeStarted(doomed, runId, "slow");
  const killedAt = Date.now();

  const successor = startSharedWorkerProcess(children, slot);
  await waitForOutput(successor, "took over the jobs the previous worker of this slot held");
  expect((await waitForRun(db, runId, ["succeeded", "failed"], 20_000)).status).toBe("succeeded");
  const tookMs = Date.now() - killedAt;
  console.log(`[slot handover] run finished ${tookMs} ms after the kill (lock 30 s)`);
  expect(tookMs).toBeLessThan(20_000);
  const events = await getRunEvents(db, runId);
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  expect(events.filter((e) => e.type === "llm_response")).toHaveLength(1);
  expect(events.filter((e) => e.type === "run_finished")).toHaveLength(1);
}, 60_000);
