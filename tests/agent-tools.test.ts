import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, waitForRun, waitUntil, type Harness } from "./support/harness";
import type { Db } from "../server/db";
import { startRun } from "../server/runs/start-run";
import { respondToHumanTask } from "../server/runs/respond-human";
import { getRunEvents } from "../server/runs/queries";
import { createWorkflow } from "../server/workflows/workflows";
import { buildGraph } from "../server/engine/test-helpers";
import { replay } from "../server/engine/state";
import { step } from "../server/engine/step";
import { testWorkspace, testRunScope, testAccess } from "./support/workspace";

/**
 * Agents using real tools through the real model path: the demo model (over HTTP) calls
 * tools scripted in the task; the worker runs them in the sandbox / workspace / SSRF-guarded
 * HTTP client; risky calls wait for a person who can edit the arguments.
 */

let harness: Harness;
let db: Db;
let target: Server;
let targetUrl = "";
let neverCalled = 0;
let hungUp = 0;
const received: { path: string; method: string; idempotencyKey: string | undefined; body: string }[] = [];

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

beforeAll(async () => {
  target = createServer(async (req, res) => {
    if (req.url === "/never") {
      // Never answers; counts the callers, and those that hang up (a cancelled run's worker).
      neverCalled += 1;
      res.on("close", () => (hungUp += 1));
      return;
    }
    received.push({ path: req.url ?? "", method: req.method ?? "", idempotencyKey: req.headers["idempotency-key"] as string | undefined, body: await readBody(req) });
    res.writeHead(201, { "content-type": "application/json" });
    res.end(JSON.stringify({ created: true }));
  });
  await new Promise<void>((resolve) => target.listen(0, "127.0.0.1", resolve));
  targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
  // Only this loopback test server is exempt from the SSRF guard.
  harness = await startHarness({ env: { HTTP_ALLOW_PRIVATE_HOSTS: "127.0.0.1" } });
  db = harness.db;
});

afterAll(async () => {
  await harness.stop();
  await new Promise((resolve) => target.close(resolve));
});

const waitFor = (runId: string, statuses: string[]) => waitForRun(db, runId, statuses);

async function runAgent(task: string, agent: Record<string, unknown>) {
  const graph = buildGraph([["trigger", "trigger"], ["dev", "agent", { task, ...agent }], ["out", "output"]], [["trigger", "dev"], ["dev", "out"]]);
  const { id } = await createWorkflow(db, await testWorkspace(db), { name: `tools ${Date.now()}`, graph });
  return startRun(db, { ...(await testRunScope(db)), workflowId: id, input: {}, trigger: "manual" });
}

describe("agent tools end to end", () => {
  it("writes and reads a workspace file and runs sandboxed code", async () => {
    const task = [
      "Prepare the notes.",
      '#demo:call:write_file {"path":"notes/plan.md","content":"ship on friday"}',
      '#demo:call:read_file {"path":"notes/plan.md"}',
      '#demo:call:run_code {"code":"[1, 2, 3].reduce((a, b) => a + b, 0) * 7"}',
    ].join("\n");
    const { runId } = await runAgent(task, { allowedTools: ["write_file", "read_file", "run_code"] });
    const run = await waitFor(runId, ["succeeded", "failed"]);
    expect(run.status).toBe("succeeded");
    expect(String(run.output)).toContain("ship on friday");
    expect(String(run.output)).toContain("42");
    const events = await getRunEvents(db, runId);
    expect(events.filter((e) => e.type === "tool_result").map((e) => e.type === "tool_result" && [e.name, e.ok])).toEqual([
      ["write_file", true],
      ["read_file", true],
      ["run_code", true],
      ["complete_task", true],
    ]);
    expect(replay(events, step)).toEqual(run.state);
  });

  it("stores a tool result holding the NUL character, which Postgres refuses, instead of losing the run", async () => {
    const task = ["Make odd text.", '#demo:call:run_code {"code":"\\"a\\" + String.fromCharCode(0) + \\"b\\""}'].join("\n");
    const { runId } = await runAgent(task, { allowedTools: ["run_code"] });
    const run = await waitFor(runId, ["succeeded", "failed"]);
    expect(run.status).toBe("succeeded");
    const result = (await getRunEvents(db, runId)).find((e) => e.type === "tool_result" && e.name === "run_code");
    expect(result?.type === "tool_result" && result.ok).toBe(true);
    // The model saw the value escaped; the structured result keeps it, with U+FFFD for U+0000.
    expect(result?.type === "tool_result" && result.content).toContain("a\\u0000b");
    expect(JSON.stringify(result?.type === "tool_result" && result.data)).toContain("a\ufffdb");
  });

  it("stops an infinite loop in run_code and the worker stays healthy", async () => {
    const task = ['Loop forever.', '#demo:call:run_code {"code":"while (true) {}"}'].join("\n");
    const { runId } = await runAgent(task, { allowedTools: ["run_code"] });
    const run = await waitFor(runId, ["succeeded", "failed"]);
    expect(run.status).toBe("succeeded");
    const result = (await getRunEvents(db, runId)).find((e) => e.type === "tool_result" && e.name === "run_code");
    expect(result?.type === "tool_result" && result.ok).toBe(false);
    expect(result?.type === "tool_result" && result.content).toMatch(/time|limit|interrupt/i);
  });

  it("blocks SSRF to a private address before any request is made", async () => {
    const task = ['Fetch metadata.', '#demo:call:http_request {"url":"http://169.254.169.254/latest/meta-data"}'].join("\n");
    const { runId } = await runAgent(task, { allowedTools: ["http_request"], autoApproveTools: ["http_request"] });
    await waitFor(runId, ["succeeded", "failed"]);
    const result = (await getRunEvents(db, runId)).find((e) => e.type === "tool_result" && e.name === "http_request");
    expect(result?.type === "tool_result" && result.ok).toBe(false);
    expect(result?.type === "tool_result" && result.content).toMatch(/blocked/i);
  });

  it("waits for approval of an HTTP call; the approved, edited arguments run once with an idempotency key", async () => {
    received.length = 0;
    const task = ["Create the ticket.", `#demo:call:http_request {"url":"${targetUrl}/tickets?draft=1","method":"POST","body":"{\\"title\\":\\"x\\"}"}`].join("\n");
    const { runId } = await runAgent(task, { allowedTools: ["http_request"] });
    await waitFor(runId, ["waiting_for_human"]);
    expect(received).toHaveLength(0);
    const task1 = await db.humanTask.findFirstOrThrow({ where: { runId, status: "pending" } });
    expect(task1.kind).toBe("tool_approval");
    const edited = JSON.stringify({ url: `${targetUrl}/tickets`, method: "POST", body: '{"title":"reviewed"}' });
    await respondToHumanTask(db, await testAccess(db), { taskId: task1.id, decision: "approve", editedArguments: edited });
    const run = await waitFor(runId, ["succeeded", "failed"]);
    expect(run.status).toBe("succeeded");
    expect(received).toEqual([{ path: "/tickets", method: "POST", idempotencyKey: expect.stringMatching(new RegExp(`^${runId}:\\d+:`)), body: '{"title":"reviewed"}' }]);
  });

  it("cancelling the run hangs up on an HTTP call in flight", async () => {
    const { cancelRun } = await import("../server/runs/control");
    const task = ["Wait for the slow service.", `#demo:call:http_request {"url":"${targetUrl}/never"}`].join("\n");
    const { runId } = await runAgent(task, { allowedTools: ["http_request"], autoApproveTools: ["http_request"] });
    const [calledBefore, hungUpBefore] = [neverCalled, hungUp];
    await waitUntil(() => neverCalled > calledBefore, "the tool's request to arrive");
    await cancelRun(db, runId);
    // The tool's own timeout is far longer: only the cancel can have closed the connection.
    await waitUntil(() => hungUp > hungUpBefore, "the worker to hang up", 5_000);
    const events = await getRunEvents(db, runId);
    expect(events.at(-1)).toMatchObject({ type: "run_finished", status: "cancelled" });
    expect(events.some((e) => e.type === "tool_result")).toBe(false);
  });

  it("asks a person through request_human_input and uses the answer", async () => {
    const { runId } = await runAgent("Deploy it.\n#demo:ask:Which region should we deploy to?", { allowedTools: ["request_human_input"] });
    await waitFor(runId, ["waiting_for_human"]);
    const question = await db.humanTask.findFirstOrThrow({ where: { runId, status: "pending" } });
    expect(question).toMatchObject({ kind: "question", message: "Which region should we deploy to?" });
    await respondToHumanTask(db, await testAccess(db), { taskId: question.id, decision: "approve", answer: "eu-west-1" });
    const run = await waitFor(runId, ["succeeded", "failed"]);
    expect(String(run.output)).toContain("eu-west-1");
  });
});
