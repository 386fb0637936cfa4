import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runTool, type ToolContext } from "./registry";
import { closeRunCodeSandbox } from "./run-code";
import { RUN_PYTHON_LIMITS, runPython } from "./run-python";

/**
 * The Python sandbox against real Pyodide threads. Each call gets an interpreter of its own; the
 * first one in this file loads Pyodide from scratch (several seconds on a busy machine), later
 * ones start from its memory snapshot.
 */

let hostDir: string;

beforeAll(async () => {
  hostDir = await mkdtemp(path.join(tmpdir(), "run-python-"));
  // Warm up: the cold load is measured here rather than inside a test's time budget.
  expect(await runPython({ code: "1" })).toMatchObject({ ok: true, result: 1 });
}, 90_000);

afterAll(async () => {
  await closeRunCodeSandbox();
  await rm(hostDir, { recursive: true, force: true });
});

const TEST_TIMEOUT = 15_000;

describe("run_code in Python", () => {
  it("prints and returns the last expression, a `result` variable, or the input", { timeout: TEST_TIMEOUT }, async () => {
    expect(await runPython({ code: "print('hello', 1)\nx = 20\nx * 2 + 2" })).toMatchObject({
      ok: true,
      result: 42,
      resultJson: "42",
      console: "hello 1\n",
      consoleTruncated: false,
    });
    expect(await runPython({ code: "import statistics\nresult = {'mean': statistics.mean([1, 2, 3]), 'pair': (1, 'a'), 'set': {5}}" })).toMatchObject({
      ok: true,
      result: { mean: 2, pair: [1, "a"], set: [5] },
    });
    expect(await runPython({ code: "sum(item['price'] for item in input['items'])", input: { items: [{ price: 2 }, { price: 3.5 }] } })).toMatchObject({
      ok: true,
      result: 5.5,
    });
    // No last expression and no `result`: None, which is JSON null.
    expect(await runPython({ code: "x = 1" })).toMatchObject({ ok: true, result: null });
  });

  it("reports an exception with the traceback of the user's code, keeping what was printed", { timeout: TEST_TIMEOUT }, async () => {
    const failed = await runPython({ code: "def ratio(n):\n    return 1 / n\nprint('before')\nratio(0)" });
    expect(failed).toMatchObject({ ok: false, console: "before\n" });
    expect(!failed.ok && failed.error).toBe(
      'Traceback (most recent call last):\n  File "<code>", line 4, in <module>\n  File "<code>", line 2, in ratio\nZeroDivisionError: division by zero',
    );
    const syntax = await runPython({ code: "def (" });
    expect(!syntax.ok && syntax.error).toMatch(/File "<code>", line 1[\s\S]*SyntaxError: invalid syntax$/);
  });

  it("stops an infinite loop with a timeout, and the next call still works", { timeout: TEST_TIMEOUT }, async () => {
    const limits = { cpuMs: 1_000, wallMs: 3_000 };
    const started = performance.now();
    expect(await runPython({ code: "n = 0\nwhile True:\n    n += 1" }, { limits })).toMatchObject({
      ok: false,
      error: "timeout: timed out after 1 s; the code was stopped",
    });
    expect(performance.now() - started).toBeLessThan(limits.wallMs + 2_000);
    // Code that swallows the interrupt is stopped by killing its thread.
    expect(await runPython({ code: "while True:\n    try:\n        while True: pass\n    except BaseException:\n        pass" }, { limits })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^timeout: timed out after 1 s and did not stop when interrupted; the sandbox thread was stopped$/),
    });
    expect(await runPython({ code: "2 + 2" })).toMatchObject({ ok: true, result: 4 });
  });

  it("reports a memory bomb, and the next call still works", { timeout: TEST_TIMEOUT }, async () => {
    expect(await runPython({ code: "chunks = []\nwhile True:\n    chunks.append(bytearray(8_000_000))" })).toMatchObject({
      ok: false,
      error: `memory limit: the code used more than ${RUN_PYTHON_LIMITS.memoryBytes / 1_048_576} MB`,
    });
    expect(await runPython({ code: "'x' * (10 ** 9)" })).toMatchObject({ ok: false, error: expect.stringMatching(/^memory limit: /) });
    expect(await runPython({ code: "len(bytearray(50_000_000))" })).toMatchObject({ ok: true, result: 50_000_000 });
  });

  it("cuts 100 MB of printed output with a note, in bounded time", { timeout: TEST_TIMEOUT }, async () => {
    const started = performance.now();
    const result = await runPython({ code: "line = 'x' * 99_999\nfor _ in range(1_000):\n    print(line)\n'done'" });
    expect(result).toMatchObject({ ok: true, result: "done", consoleTruncated: true });
    expect(result.console.startsWith("x".repeat(RUN_PYTHON_LIMITS.maxConsoleChars))).toBe(true);
    expect(result.console).toMatch(/\[output truncated: only the first 16384 characters are kept; \d+ more bytes were printed and dropped\]\n$/);
    expect(result.console.length).toBeLessThan(RUN_PYTHON_LIMITS.maxConsoleChars + 200);
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it("says plainly that a module outside the standard library is missing", { timeout: TEST_TIMEOUT }, async () => {
    const result = await runPython({ code: "import json\nimport numpy as np\nnp.zeros(3)" });
    expect(!result.ok && result.error.split("\n").at(-1)).toBe(
      "ModuleNotFoundError: No module named 'numpy' (only the Python standard library is available; packages cannot be installed)",
    );
  });

  describe("no network", () => {
    let server: Server;
    let port = 0;
    let connections = 0;
    beforeAll(async () => {
      server = createServer((socket) => {
        connections++;
        socket.on("error", () => undefined);
        socket.end("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      port = (server.address() as { port: number }).port;
    });
    afterAll(async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it("urllib and sockets reach nothing (a real server on this machine sees no connection)", { timeout: TEST_TIMEOUT }, async () => {
      const urlopen = await runPython({ code: `import urllib.request\nurllib.request.urlopen('http://127.0.0.1:${port}/', timeout=2).read()` });
      expect(urlopen.ok).toBe(false);
      const socket = await runPython({
        code: `import socket\ns = socket.create_connection(('127.0.0.1', ${port}), timeout=2)\ns.sendall(b'GET / HTTP/1.0\\r\\n\\r\\n')\ns.recv(100)`,
      });
      expect(socket.ok).toBe(false);
      expect(connections).toBe(0);
      // The server itself answers (the check above could not pass just because it was down).
      await new Promise<void>((resolve, reject) => {
        const client = connect(port, "127.0.0.1", () => {
          client.destroy();
          resolve();
        });
        client.on("error", reject);
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
      // At least ours (a parallel test's client may also knock on a freshly reused port).
      expect(connections).toBeGreaterThanOrEqual(1);
    });

    it("refuses the bridges to JavaScript: js, pyodide_js, run_js and the Function constructor", { timeout: TEST_TIMEOUT }, async () => {
      const fetch = await runPython({ code: "from js import fetch\nfetch('http://127.0.0.1/')" });
      expect(!fetch.ok && fetch.error).toMatch(/ModuleNotFoundError: No module named 'js'/);
      const api = await runPython({ code: "import pyodide_js\npyodide_js.mountNodeFS('/host', '/')" });
      expect(!api.ok && api.error).toMatch(/ModuleNotFoundError: No module named 'pyodide_js'/);
      // Pyodide imports its internal API as "pyodide_js._api" while starting; none of that is left.
      expect(await runPython({ code: "import sys\nfrom pyodide.ffi import JsProxy\n[name for name, module in sys.modules.items() if isinstance(module, JsProxy)]" })).toMatchObject({
        ok: true,
        result: [],
      });
      const runJs = await runPython({ code: "from pyodide.code import run_js\nrun_js('process.pid')" });
      expect(runJs.ok).toBe(false);
      // Any JavaScript object's constructor.constructor would be Function, i.e. eval in the thread.
      const escape = await runPython({ code: "from pyodide.ffi import to_js\nto_js({}).constructor.constructor('return process.pid')()" });
      expect(escape.ok).toBe(false);
      expect(!escape.ok && escape.error).not.toMatch(/^\d+$/);
    });
  });

  it("sees no host files, only its own in-memory file system", { timeout: TEST_TIMEOUT }, async () => {
    const secret = path.join(hostDir, "secret.txt");
    await writeFile(secret, "host secret");
    const passwd = await runPython({ code: "open('/etc/passwd').read()" });
    expect(!passwd.ok && passwd.error).toMatch(/FileNotFoundError: .*'\/etc\/passwd'$/);
    const own = await runPython({ code: `open(${JSON.stringify(secret)}).read()` });
    expect(!own.ok && own.error).toMatch(/FileNotFoundError/);
    expect(await runPython({ code: "import os\nsorted(os.listdir('/'))" })).toMatchObject({ ok: true, result: ["dev", "home", "lib", "proc", "tmp"] });
  });

  it("gives every call a fresh interpreter: nothing one program changes reaches the next", { timeout: TEST_TIMEOUT }, async () => {
    expect(await runPython({ code: "import json\njson.dumps = lambda *a, **k: 'hijacked'\nopen('/tmp/left-behind', 'w').write('x')\nsecret = 1" })).toMatchObject({ ok: true });
    expect(await runPython({ code: "import json, os\n[json.dumps([1]), os.path.exists('/tmp/left-behind'), 'secret' in globals()]" })).toMatchObject({
      ok: true,
      result: ["[1]", false, false],
    });
  });

  it("runs through the run_code tool with language: python", { timeout: TEST_TIMEOUT }, async () => {
    const context: ToolContext = { runId: "run-python-test", idempotencyKey: "run-python-test:1", workspaceDir: hostDir };
    expect(await runTool("run_code", { language: "python", code: "print('summing')\nsum(input)", input: [1, 2, 3] }, context)).toEqual({
      ok: true,
      content: "result: 6\noutput:\nsumming",
      data: { result: 6, console: "summing\n", consoleTruncated: false, durationMs: expect.any(Number) },
    });
    expect(await runTool("run_code", { language: "ruby", code: "1" }, context)).toEqual({
      ok: false,
      error: 'invalid arguments for run_code: language: must be "javascript" or "python"',
    });
    // Without a language the code is JavaScript, as before Python existed.
    expect(await runTool("run_code", { code: "[1, 2].map((n) => n * 2)" }, context)).toMatchObject({ ok: true, content: "result: [2,4]" });
  });
});
