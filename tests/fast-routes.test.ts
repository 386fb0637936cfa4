import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "./support/harness";
import { createTestUser, createWorkspaceWith } from "./support/identities";
import type { Db } from "../server/db";
import { buildGraph } from "../server/engine/test-helpers";
import { FAST_ROUTE_MAX_BODY_BYTES, fastRouteCount, registerFastRoutes, SECURITY_HEADERS, serveFastRoute } from "../server/http/fast-routes";
import { createWorkflow } from "../server/workflows/workflows";
import { createTriggerToken } from "../server/workflows/trigger-tokens";
import { triggerFastRoute } from "../app/api/v1/workflows/[workflowId]/trigger/fast-route";

/**
 * The production web server answers the trigger ahead of Next (server/http/fast-routes.ts) with
 * the route's own handler. Served here exactly as scripts/lib/web-server.ts serves it — the fast
 * path first, Next's handler for everything it does not take (a stand-in that answers 299 "next",
 * so a test sees which one answered) — over real sockets, with the real worker, Postgres and Redis.
 */

const NEXT_ANSWERED = 299;

let harness: Harness;
let db: Db;
let server: Server;
let origin: string;
let workflowId: string;
let token: string;

beforeAll(async () => {
  harness = await startHarness({ worker: true });
  db = harness.db;
  const owner = await createTestUser("fast routes owner");
  const workspaceId = await createWorkspaceWith(db, "Fast routes", [{ user: owner, role: "owner" }]);
  const graph = buildGraph(
    [
      ["trigger", "trigger"],
      ["out", "output", { template: "hello {{input.name}}" }],
    ],
    [["trigger", "out"]],
  );
  workflowId = (await createWorkflow(db, workspaceId, { name: "fast trigger", graph })).id;
  token = (await createTriggerToken(db, { workspaceId, actor: { kind: "system", name: "test" }, ip: null }, workflowId)).token;

  registerFastRoutes([triggerFastRoute]);
  server = createServer((req, res) => {
    if (serveFastRoute(req, res)) return;
    req.resume();
    res.writeHead(NEXT_ANSWERED, { "content-type": "text/plain" }).end("next");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  registerFastRoutes([]);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await harness.stop();
});

type Sent = { status: number; headers: Record<string, string | string[] | undefined>; body: string };

/** A raw HTTP request (node's client, so a test controls Host, chunking and lengths exactly). */
function send(path: string, options: { method?: string; headers?: Record<string, string>; body?: string; chunked?: boolean } = {}): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(`${origin}${path}`, { method: options.method ?? "POST", headers: { host: "localhost:3100", authorization: `Bearer ${token}`, ...options.headers }, agent: false }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
      incoming.on("end", () => resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body: Buffer.concat(chunks).toString("utf8") }));
      incoming.on("error", reject);
    });
    outgoing.on("error", reject);
    if (options.chunked) {
      // Two writes without a declared length: node sends them chunked.
      outgoing.write((options.body ?? "").slice(0, 5));
      outgoing.end((options.body ?? "").slice(5));
    } else {
      if (options.body !== undefined) outgoing.setHeader("content-length", Buffer.byteLength(options.body));
      outgoing.end(options.body);
    }
  });
}

const triggerPath = () => `/api/v1/workflows/${workflowId}/trigger`;
const json = { "content-type": "application/json" };

/** The headers next.config.js gives Next's answers (server/http/fast-routes.test.ts keeps the lists in step). */
function expectSecurityHeaders(sent: Sent): void {
  for (const [name, value] of SECURITY_HEADERS) expect(sent.headers[name.toLowerCase()], name).toBe(value);
}

describe("the trigger on the fast path", () => {
  it("is registered, and starts a run that answers in sync mode with the route's own result", async () => {
    expect(fastRouteCount()).toBe(1);
    const runsBefore = await db.run.count({ where: { workflowId } });
    const sync = await send(`${triggerPath()}?wait=10`, { headers: json, body: JSON.stringify({ input: { name: "fast" } }) });
    expect(sync.status).toBe(200);
    const result = JSON.parse(sync.body) as { runId: string; status: string; output: unknown };
    expect(result).toMatchObject({ status: "succeeded", output: "hello fast" });
    expect(await db.run.count({ where: { workflowId } })).toBe(runsBefore + 1);
    expect((await db.run.findUniqueOrThrow({ where: { id: result.runId }, select: { status: true } })).status).toBe("succeeded");

    expectSecurityHeaders(sync);
    const async = await send(triggerPath(), { headers: json, body: JSON.stringify({ input: { name: "later" } }) });
    expect(async.status).toBe(202);
    expectSecurityHeaders(async);
    expect(JSON.parse(async.body)).toMatchObject({ runId: expect.stringMatching(/^run_/), statusUrl: expect.stringContaining("/api/v1/runs/") });
  });

  it("streams the run's events in stream mode, ending with the result", async () => {
    const streamed = await send(triggerPath(), { headers: { ...json, accept: "text/event-stream" }, body: JSON.stringify({ input: { name: "stream" } }) });
    expect(streamed.status).toBe(200);
    expect(streamed.headers["content-type"]).toContain("text/event-stream");
    expect(streamed.body).toContain("run_started");
    expect(streamed.body).toContain("run_finished");
    expect(streamed.body).toContain("hello stream");
  });

  it("keeps the route's checks: no credentials, a foreign Host and bad input are its 4xx, and nothing starts", async () => {
    const runsBefore = await db.run.count({ where: { workflowId } });
    const anonymous = await send(triggerPath(), { headers: { ...json, authorization: "" }, body: "{}" });
    expect(anonymous.status).toBe(401);
    const foreign = await send(triggerPath(), { headers: { ...json, host: "evil.example" }, body: "{}" });
    expect(foreign.status).toBe(400);
    expect(JSON.parse(foreign.body)).toMatchObject({ error: { code: "host_not_allowed" } });
    const malformed = await send(triggerPath(), { headers: json, body: "{not json" });
    expect(malformed.status).toBe(400);
    expect(JSON.parse(malformed.body)).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
    const unknown = await send("/api/v1/workflows/wf_doesnotexist/trigger", { headers: json, body: "{}" });
    expect(unknown.status).toBe(404);
    expect(await db.run.count({ where: { workflowId } })).toBe(runsBefore);
    // Refusals carry the security headers Next's answers do, like the successful answers above.
    for (const refused of [anonymous, foreign, malformed, unknown]) expectSecurityHeaders(refused);
  });

  it("leaves to Next every request it does not take as it is", async () => {
    const body = JSON.stringify({ input: { name: "next" } });
    const cases: Array<[string, Parameters<typeof send>]> = [
      ["another method", [triggerPath(), { method: "GET" }]],
      ["another path", ["/api/v1/workflows", { headers: json, body }]],
      ["a trailing slash", [`${triggerPath()}/`, { headers: json, body }]],
      ["an escaped path", [`/api/v1/workflows/${workflowId}%2Fx/trigger`, { headers: json, body }]],
      ["a chunked body", [triggerPath(), { headers: json, body, chunked: true }]],
      ["a body over the fast path's size", [triggerPath(), { headers: json, body: JSON.stringify({ input: { name: "x".repeat(FAST_ROUTE_MAX_BODY_BYTES) } }) }]],
    ];
    for (const [what, args] of cases) {
      const answer = await send(...args);
      expect(answer.status, what).toBe(NEXT_ANSWERED);
    }
  });

  it("answers a handler that throws with the bare 500 Next would send, and serves on", async () => {
    registerFastRoutes([{ method: "POST", pattern: /^\/boom$/, handler: () => Promise.reject(new Error("boom")) }, triggerFastRoute]);
    try {
      const thrown = await send("/boom", { body: "" });
      expect(thrown.status).toBe(500);
      expect(JSON.parse(thrown.body)).toEqual({ error: { code: "internal", message: "internal error" } });
      const after = await send(`${triggerPath()}?wait=10`, { headers: json, body: JSON.stringify({ input: { name: "again" } }) });
      expect(after.status).toBe(200);
    } finally {
      registerFastRoutes([triggerFastRoute]);
    }
  });
});
