import diagnostics from "node:diagnostics_channel";
import { mkdtemp, readdir, rm, writeFile, mkdir } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TOOL_CATALOG } from "../engine/tools/catalog";
import { closeRunCodeSandbox } from "./run-code";
import { MAX_CONTENT_CHARS, TOOL_REGISTRY, getTool, runTool, type ToolContext } from "./registry";

let base: string;
let server: http.Server;
let port = 0;
const received: Array<{ method: string; idempotencyKey: string | undefined }> = [];

function context(overrides: Partial<ToolContext> = {}): ToolContext {
  return {
    runId: "run_abc",
    idempotencyKey: "run_abc:12",
    workspaceDir: join(base, "run_abc"),
    http: { allowPrivateHosts: ["127.0.0.1"] },
    ...overrides,
  };
}

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), "agentflow-registry-"));
  server = http.createServer((req, res) => {
    received.push({ method: req.method ?? "", idempotencyKey: req.headers["idempotency-key"] as string | undefined });
    if (req.url === "/large") {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("L".repeat(50_000));
      return;
    }
    res.writeHead(201, { "content-type": "application/json" });
    res.end(JSON.stringify({ created: true }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await closeRunCodeSandbox();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(base, { recursive: true, force: true });
});

describe("tool registry", () => {
  it("pairs every catalog entry with an implementation", () => {
    expect(Object.keys(TOOL_REGISTRY).sort()).toEqual(Object.keys(TOOL_CATALOG).sort());
    for (const [name, definition] of Object.entries(TOOL_REGISTRY)) {
      expect(definition.name).toBe(name);
      expect(typeof definition.run).toBe("function");
      expect(definition.argsSchema).toBe(TOOL_CATALOG[name as keyof typeof TOOL_CATALOG].argsSchema);
    }
    expect(getTool("http_request")?.risk).toBe("external");
    expect(getTool("constructor")).toBeUndefined();
  });

  it("validates arguments before running anything", async () => {
    const sockets: unknown[] = [];
    const onSocket = (message: unknown) => sockets.push(message);
    diagnostics.subscribe("net.client.socket", onSocket);
    try {
      expect(await runTool("http_request", { url: `http://127.0.0.1:${port}/`, method: "TRACE" }, context())).toEqual({
        ok: false,
        error: 'invalid arguments for http_request: method: Invalid option: expected one of "GET"|"POST"|"PUT"|"PATCH"|"DELETE"|"HEAD"',
      });
    } finally {
      diagnostics.unsubscribe("net.client.socket", onSocket);
    }
    expect(sockets).toHaveLength(0);
    expect(received).toHaveLength(0);

    expect(await runTool("write_file", { path: "x.txt" }, context())).toEqual({
      ok: false,
      error: "invalid arguments for write_file: content: Invalid input: expected string, received undefined",
    });
    expect(await runTool("write_file", { path: "x.txt", content: 5, extra: true }, context())).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^invalid arguments for write_file: .*content: .*; .*extra/),
    });
    await expect(readdir(join(base, "run_abc"))).rejects.toThrow();

    expect(await runTool("run_code", "{\"code\": 42}", context())).toMatchObject({ ok: false, error: expect.stringMatching(/^invalid arguments for run_code: code: /) });
    expect(await runTool("read_file", "not json", context())).toEqual({ ok: false, error: "invalid arguments for read_file: arguments are not valid JSON" });
    expect(await runTool("delete_everything", {}, context())).toEqual({ ok: false, error: "invalid arguments for delete_everything: unknown tool: delete_everything" });
  });

  it("runs http_request with the run's idempotency key and compact content", async () => {
    const outcome = await runTool("http_request", JSON.stringify({ url: `http://127.0.0.1:${port}/items`, method: "POST", body: "{}" }), context());
    expect(outcome).toEqual({
      ok: true,
      content: 'HTTP 201 Created\ncontent-type: application/json\n\n{"created":true}',
      data: expect.objectContaining({ status: 201, body: '{"created":true}' }),
    });
    expect(received.at(-1)).toEqual({ method: "POST", idempotencyKey: "run_abc:12" });
  });

  it("refuses private addresses through the registry too", async () => {
    expect(await runTool("http_request", { url: `http://127.0.0.1:${port}/` }, context({ http: {} }))).toEqual({
      ok: false,
      error: "blocked: 127.0.0.1 is a loopback address",
    });
    expect(await runTool("http_request", { url: "http://169.254.169.254/latest/meta-data" }, context())).toEqual({
      ok: false,
      error: "blocked: 169.254.169.254 is a link-local address (cloud metadata endpoint)",
    });
  });

  it("keeps the model's content within 8k characters", async () => {
    const outcome = await runTool("http_request", { url: `http://127.0.0.1:${port}/large` }, context());
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.content.length).toBeLessThanOrEqual(MAX_CONTENT_CHARS);
    expect(outcome.content).toMatch(/\[showing the first part of 50000 characters; the full body is in the step's data\]$/);
    expect(outcome.data).toMatchObject({ body: "L".repeat(50_000) });
  });

  it("runs code in the sandbox", { timeout: 40_000 }, async () => {
    expect(await runTool("run_code", { code: "console.log('summing'); return input.reduce((a, b) => a + b, 0)", input: [1, 2, 3] }, context())).toEqual({
      ok: true,
      content: "result: 6\nconsole:\nsumming",
      data: { result: 6, console: "summing\n", consoleTruncated: false, durationMs: expect.any(Number) },
    });
    expect(await runTool("run_code", { code: "console.log('step 1'); throw new Error('nope')" }, context())).toEqual({
      ok: false,
      error: "Error: nope (line 1)\nconsole:\nstep 1\n",
    });
  });

  it("writes, reads and lists the run's workspace", async () => {
    const ctx = context({ workspaceDir: join(base, "files-run") });
    expect(await runTool("list_files", {}, ctx)).toEqual({ ok: true, content: ". is empty", data: { ok: true, path: ".", entries: [], truncated: false } });
    expect(await runTool("write_file", { path: "out/report.md", content: "# Report" }, ctx)).toMatchObject({ ok: true, content: "created out/report.md (8 bytes)" });
    expect(await runTool("read_file", { path: "out/report.md" }, ctx)).toMatchObject({ ok: true, content: "# Report" });
    expect(await runTool("list_files", { path: "." }, ctx)).toMatchObject({ ok: true, content: "out/" });
    expect(await runTool("list_files", { path: "out" }, ctx)).toMatchObject({ ok: true, content: "report.md (8 bytes)" });
    expect(await runTool("read_file", { path: "../files-run/out/report.md" }, ctx)).toEqual({
      ok: false,
      error: 'refused: ../files-run/out/report.md leaves the workspace (".." is not allowed)',
    });
    await mkdir(join(base, "files-run"), { recursive: true });
    await writeFile(join(base, "files-run", "long.txt"), "w".repeat(20_000));
    const long = await runTool("read_file", { path: "long.txt" }, ctx);
    expect(long.ok && long.content.length).toBeLessThanOrEqual(MAX_CONTENT_CHARS);
  });

  it("never throws: unexpected failures become short errors", async () => {
    // A NUL byte in the workspace path makes node's fs throw a TypeError, not a result.
    expect(await runTool("read_file", { path: "a.txt" }, context({ workspaceDir: "/tmp/bad\0dir" }))).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^internal error in read_file: /),
    });
    const controller = new AbortController();
    controller.abort();
    expect(await runTool("run_code", { code: "1" }, context({ signal: controller.signal }))).toEqual({ ok: false, error: "cancelled" });
  });
});
