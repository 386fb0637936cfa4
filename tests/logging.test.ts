import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, waitForRun, waitUntil, type Harness } from "./support/harness";
import { createTestUser, createWorkspaceWith } from "./support/identities";
import type { WorkspaceAccess } from "../server/auth/access";
import { buildGraph } from "../server/engine/test-helpers";
import { startRun } from "../server/runs/start-run";
import { createWorkflow } from "../server/workflows/workflows";
import { createCredential } from "../server/vault/credential-store";
import { log, setLogDestination, withLogContext } from "../server/ops/log";

/**
 * Issue 14, logs: a workflow whose tool uses a vault credential, and whose second tool fails,
 * runs on the real worker path (Postgres, Redis, BullMQ, HTTP); everything this process logs
 * goes through the logger into a buffer. Every line must be JSON with a level and a time; the
 * run's lines carry its ids; and the secret must appear nowhere — not even when code logs it
 * on purpose, in a message, an error, a header or a nested field, after the worker read it.
 */

const SECRET = `sk-LOGCHECK-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
const output: string[] = [];
let harness: Harness;
let echo: Server;
let echoUrl = "";
let closedUrl = "";
let workspaceId = "";
let access: WorkspaceAccess;
const received: string[] = [];

beforeAll(async () => {
  setLogDestination({ write: (line: string) => void output.push(line) });
  echo = createServer((req, res) => {
    received.push(String(req.headers.authorization ?? ""));
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ headers: req.headers }));
  });
  await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", resolve));
  echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
  // A port nobody listens on: the second tool fails to connect, with the secret in its URL.
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
  closedUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
  await new Promise((resolve) => closed.close(resolve));

  harness = await startHarness({ env: { HTTP_ALLOW_PRIVATE_HOSTS: "127.0.0.1" } });
  const admin = await createTestUser("log-admin");
  workspaceId = await createWorkspaceWith(harness.db, "Logs", [{ user: admin, role: "admin" }]);
  access = { workspaceId, actor: { kind: "user", id: admin.id, name: admin.name, email: admin.email }, role: "admin", ip: null };
  await createCredential(harness.db, access, { name: "apiToken", secret: { kind: "bearer", token: SECRET }, allowedHosts: ["127.0.0.1"] });
  await createCredential(harness.db, access, { name: "plainKey", secret: { kind: "secret", value: SECRET }, allowedHosts: [] });
}, 60_000);

afterAll(async () => {
  await harness?.stop();
  await new Promise((resolve) => echo?.close(resolve));
  setLogDestination(null);
});

const lines = () =>
  output
    .join("")
    .split("\n")
    .filter((line) => line !== "");

describe("logs", () => {
  it("are JSON lines with the run's ids, and never hold a secret read from the vault", async () => {
    const graph = buildGraph(
      [
        ["trigger", "trigger"],
        ["call", "tool", { tool: "http_request", arguments: JSON.stringify({ url: `${echoUrl}/echo`, credential: "apiToken" }), approval: "never" }],
        ["broken", "tool", { tool: "http_request", arguments: JSON.stringify({ url: `${closedUrl}/down?key={{credentials.plainKey}}` }), approval: "never" }],
        ["out", "output"],
      ],
      [
        ["trigger", "call"],
        ["call", "broken"],
        ["broken", "out"],
      ],
    );
    const { id: workflowId } = await createWorkflow(harness.db, workspaceId, { name: "logged", graph });
    const { runId } = await startRun(harness.db, { workspaceId, workflowId, input: {}, trigger: "manual", startedBy: "log test" });
    await waitForRun(harness.db, runId, ["succeeded", "failed"], 30_000);
    // The job logs its line once advanceRun returns, just after the run's last commit.
    await waitUntil(() => output.some((line) => line.includes('"msg":"run advanced"') && line.includes(runId) && /"status":"(succeeded|failed)"/.test(line)), "the job's last line");
    // The service got the real secret: the credential was read from the vault and used.
    expect(received).toContain(`Bearer ${SECRET}`);
    // Tracing is off here (no OTEL_EXPORTER_OTLP_ENDPOINT): nothing is stored for it.
    expect((await harness.db.run.findUniqueOrThrow({ where: { id: runId } })).traceparent).toBeNull();

    // Code that logs what it should not, inside the run's context, after the vault was read:
    // a provider's error echoing the key, a request's headers, a nested config.
    withLogContext({ runId, workspaceId, workflowId }, () => {
      log.error({ err: new Error(`401 Incorrect API key provided: ${SECRET}`) }, `provider said ${SECRET}`);
      log.warn({ request: { headers: { Authorization: `Bearer ${SECRET}`, cookie: "session=abc" } }, url: `${closedUrl}/?key=${encodeURIComponent(SECRET)}` }, "request failed");
      log.info({ config: { nested: { deeper: { value: SECRET, escaped: JSON.stringify({ token: SECRET }) } } } }, "config");
    });

    const all = lines();
    expect(all.length).toBeGreaterThan(3);
    const parsed = all.map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const entry of parsed) {
      expect(typeof entry.level).toBe("string");
      expect(Number.isNaN(Date.parse(String(entry.time)))).toBe(false);
    }
    // The worker's own lines for this run: bound to its ids without being passed them.
    const advanced = parsed.filter((entry) => entry.msg === "run advanced" && entry.runId === runId);
    expect(advanced.length).toBeGreaterThan(0);
    for (const entry of advanced) {
      expect(entry).toMatchObject({ runId, workspaceId, workflowId, component: "runs" });
      expect(typeof entry.jobId).toBe("string");
      expect(entry.traceId).toBeUndefined();
    }
    const toolFailed = parsed.find((entry) => entry.msg === "tool call failed" && entry.runId === runId);
    expect(toolFailed).toMatchObject({ level: "warn", runId, workspaceId, workflowId, tool: "http_request", nodeId: "broken" });
    expect(typeof toolFailed?.jobId).toBe("string");

    const text = output.join("");
    expect(text).toContain("Incorrect API key provided");
    expect(text).toContain("[redacted]");
    for (const spelling of [SECRET, SECRET.slice("sk-LOGCHECK-".length), encodeURIComponent(SECRET), JSON.stringify(SECRET).slice(1, -1)]) {
      expect(text).not.toContain(spelling);
    }
    expect(text).not.toContain("session=abc");
  }, 60_000);
});
