import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, waitForRun, type Harness } from "./support/harness";
import { createTestUser, createWorkspaceWith, type TestUser } from "./support/identities";
import type { Db } from "../server/db";
import { inputFieldSchema, type Graph } from "../server/engine/graph";
import { buildGraph } from "../server/engine/test-helpers";
import { UserInputError } from "../server/errors";
import { startRun } from "../server/runs/start-run";
import { createWorkflow } from "../server/workflows/workflows";
import { createTriggerToken } from "../server/workflows/trigger-tokens";
import { decodeOutput } from "../lib/wire";
import * as trpcRoute from "../app/api/trpc/[trpc]/route";
import * as triggerRoute from "../app/api/v1/workflows/[workflowId]/trigger/route";

/**
 * A run's input is checked against the Trigger's input fields wherever a run starts: startRun
 * itself, the tRPC `run.start` the Run form calls, and the REST trigger. Bad input is a 400
 * naming the field (path `input.<field>`), and no run is created; good input gets the defaults.
 */

const BASE = "http://localhost:3100";

let harness: Harness;
let db: Db;
let owner: TestUser;
let workspaceId: string;
let workflowId: string;
let triggerToken: string;

function graphWithFields(): Graph {
  return buildGraph(
    [
      [
        "trigger",
        "trigger",
        {
          sampleInput: "",
          inputFields: [
            inputFieldSchema.parse({ name: "topic", type: "string", required: true }),
            inputFieldSchema.parse({ name: "count", type: "number", default: "3" }),
            inputFieldSchema.parse({ name: "urgent", type: "boolean" }),
          ],
        },
      ],
      ["out", "output", { template: "{{input.topic}} x{{input.count}}" }],
    ],
    [["trigger", "out"]],
  );
}

const runCount = () => db.run.count({ where: { workflowId } });

beforeAll(async () => {
  harness = await startHarness();
  db = harness.db;
  owner = await createTestUser("run input owner");
  workspaceId = await createWorkspaceWith(db, "Run input", [{ user: owner, role: "owner" }]);
  workflowId = (await createWorkflow(db, workspaceId, { name: "run input", graph: graphWithFields() })).id;
  triggerToken = (await createTriggerToken(db, { workspaceId, actor: { kind: "system", name: "test" }, ip: null }, workflowId)).token;
}, 60_000);

afterAll(() => harness.stop());

function trigger(body: unknown): Promise<Response> {
  const request = new Request(`${BASE}/api/v1/workflows/${workflowId}/trigger`, {
    method: "POST",
    headers: { host: "localhost:3100", "content-type": "application/json", authorization: `Bearer ${triggerToken}` },
    body: JSON.stringify(body),
  });
  return triggerRoute.POST(request, { params: Promise.resolve({ workflowId }) });
}

type TrpcError = { message: string; data: { path: string | null } };

async function startOverTrpc(input: unknown): Promise<{ status: number; error: TrpcError | null; runId: string | null }> {
  const request = new Request(`${BASE}/api/trpc/run.start`, {
    method: "POST",
    headers: { host: "localhost:3100", "content-type": "application/json", cookie: owner.cookie },
    body: JSON.stringify({ workflowId, input }),
  });
  const response = await trpcRoute.POST(request);
  const body = (await response.json()) as { error?: unknown; result?: { data: unknown } };
  const started = body.result ? (decodeOutput(body.result.data) as { runId: string }) : null;
  return { status: response.status, error: body.error === undefined ? null : (decodeOutput(body.error) as TrpcError), runId: started?.runId ?? null };
}

describe("run input against the trigger's fields", () => {
  it("startRun refuses bad input with a UserInputError naming the field, and creates no run", async () => {
    const before = await runCount();
    const scope = { workspaceId, workflowId, trigger: "manual" as const, startedBy: "test" };
    await expect(startRun(db, { ...scope, input: { count: 2 } })).rejects.toMatchObject({ name: "UserInputError", path: "input.topic", message: "topic is required" });
    await expect(startRun(db, { ...scope, input: { topic: "x", count: "2" } })).rejects.toBeInstanceOf(UserInputError);
    await expect(startRun(db, { ...scope, input: { topic: "x", count: "2" } })).rejects.toMatchObject({ path: "input.count", message: "count must be a number" });
    await expect(startRun(db, { ...scope, input: ["not", "an", "object"] })).rejects.toMatchObject({ path: "input" });
    expect(await runCount()).toBe(before);
  });

  it("the REST trigger answers 400 naming the field, and starts nothing", async () => {
    const before = await runCount();
    const missing = await trigger({ input: { count: 1 } });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({ error: { code: "invalid_input", message: "topic is required", path: "input.topic" } });

    const mistyped = await trigger({ input: { topic: "x", urgent: "yes" } });
    expect(mistyped.status).toBe(400);
    expect(await mistyped.json()).toMatchObject({ error: { message: "urgent must be true or false", path: "input.urgent" } });

    // No input at all is an empty object: the required field is still missing.
    const empty = await trigger({});
    expect(empty.status).toBe(400);
    expect(await empty.json()).toMatchObject({ error: { path: "input.topic" } });
    expect(await runCount()).toBe(before);
  });

  it("the REST trigger accepts good input, fills in defaults and keeps extra keys", async () => {
    const response = await trigger({ input: { topic: "billing", urgent: true, source: "crm" } });
    expect(response.status).toBe(202);
    const { runId } = (await response.json()) as { runId: string };
    const run = await waitForRun(db, runId, ["succeeded", "failed"]);
    expect(run.status).toBe("succeeded");
    expect(run.input).toEqual({ topic: "billing", urgent: true, source: "crm", count: 3 });
    expect(String(run.output)).toContain("billing x3");
  });

  it("tRPC run.start (what the Run form calls) answers 400 with the field's path", async () => {
    const before = await runCount();
    const refused = await startOverTrpc({ topic: "   ", count: 1 });
    expect(refused.status).toBe(400);
    expect(refused.error?.message).toBe("topic is required");
    expect(refused.error?.data.path).toBe("input.topic");
    expect(await runCount()).toBe(before);

    const accepted = await startOverTrpc({ topic: "from the form", count: 12, urgent: false });
    expect(accepted.status).toBe(200);
    expect(await runCount()).toBe(before + 1);
    // Finished before the file ends, so the replay check reads it at rest.
    expect((await waitForRun(db, accepted.runId ?? "", ["succeeded", "failed"])).input).toEqual({ topic: "from the form", count: 12, urgent: false });
  });

  it("workflow.lastRunInput answers the newest run's input, as the Run form prefills it", async () => {
    const request = new Request(`${BASE}/api/trpc/workflow.lastRunInput?input=${encodeURIComponent(JSON.stringify({ workflowId }))}`, {
      headers: { host: "localhost:3100", cookie: owner.cookie },
    });
    const response = await trpcRoute.GET(request);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { result: { data: unknown } };
    expect(decodeOutput(body.result.data)).toEqual({ input: { topic: "from the form", count: 12, urgent: false } });
  });
});
