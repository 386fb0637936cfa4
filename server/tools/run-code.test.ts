import { afterAll, describe, expect, it } from "vitest";
import { closeRunCodeSandbox, RUN_CODE_LIMITS, runCode } from "./run-code";

afterAll(async () => {
  await closeRunCodeSandbox();
});

/**
 * Proves the host stays healthy: its event loop keeps answering a 20 ms timer while the
 * sandbox works (code run on this thread would stall it for the whole 2 s budget).
 */
async function eventLoopLagDuring<T>(work: Promise<T>): Promise<{ result: T; maxLagMs: number }> {
  let maxLagMs = 0;
  let last = performance.now();
  const interval = setInterval(() => {
    const now = performance.now();
    maxLagMs = Math.max(maxLagMs, now - last - 20);
    last = now;
  }, 20);
  try {
    return { result: await work, maxLagMs };
  } finally {
    clearInterval(interval);
  }
}

describe("run_code sandbox", () => {
  // The first call starts a thread (tsx + QuickJS), later ones reuse it.
  it("returns the value of the last expression", { timeout: 40_000 }, async () => {
    expect(await runCode({ code: "const x = 20; x * 2 + 2" })).toMatchObject({ ok: true, result: 42, resultJson: "42" });
    expect(await runCode({ code: "({ a: [1, 'two', null], b: { c: true } })" })).toMatchObject({
      ok: true,
      result: { a: [1, "two", null], b: { c: true } },
    });
    expect(await runCode({ code: "let unused = 1;" })).toMatchObject({ ok: true, result: undefined, resultJson: undefined });
  });

  it("returns what a top-level return gives, awaiting promises", async () => {
    expect(await runCode({ code: "const n = await Promise.resolve(5);\nreturn n * 3;" })).toMatchObject({ ok: true, result: 15 });
    expect(await runCode({ code: "return [1, 2, 3].map((v) => v * v)" })).toMatchObject({ ok: true, result: [1, 4, 9] });
    expect(await runCode({ code: "Promise.resolve('later')" })).toMatchObject({ ok: true, result: "later" });
  });

  it("gives the code its input", async () => {
    const result = await runCode({ code: "return input.items.reduce((sum, item) => sum + item.price, 0)", input: { items: [{ price: 2 }, { price: 3.5 }] } });
    expect(result).toMatchObject({ ok: true, result: 5.5 });
    expect(await runCode({ code: "typeof input" })).toMatchObject({ ok: true, result: "undefined" });
  });

  it("captures console output", async () => {
    const result = await runCode({ code: "console.log('hello', 1, { a: 2 }); console.warn('careful'); console.error(new Error('bad')); 'done'" });
    expect(result).toEqual({
      ok: true,
      result: "done",
      resultJson: '"done"',
      console: 'hello 1 {"a":2}\n[warn] careful\n[error] Error: bad\n',
      consoleTruncated: false,
      durationMs: expect.any(Number),
    });
  });

  it("limits captured console output", async () => {
    const result = await runCode({ code: "for (let i = 0; i < 100000; i++) console.log('line ' + i); 1" });
    expect(result).toMatchObject({ ok: true, result: 1, consoleTruncated: true });
    expect(result.console.length).toBe(RUN_CODE_LIMITS.maxConsoleChars);
  });

  it("reports a thrown error with its line, and keeps the console output", async () => {
    expect(await runCode({ code: "console.log('before');\nnull.x" })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^TypeError: .+ \(line 2\)$/),
      console: "before\n",
    });
    expect(await runCode({ code: "throw new RangeError('out of range')" })).toMatchObject({ ok: false, error: "RangeError: out of range (line 1)" });
    expect(await runCode({ code: "throw { code: 7 }" })).toMatchObject({ ok: false, error: 'Uncaught {"code":7}' });
    expect(await runCode({ code: "await null; throw new Error('async boom')" })).toMatchObject({ ok: false, error: "Error: async boom (line 1)" });
  });

  it("reports syntax errors", async () => {
    expect(await runCode({ code: "1 +" })).toMatchObject({ ok: false, error: expect.stringMatching(/^SyntaxError: /) });
    // With a top-level return the body form's error is the real one, not "return not in a function".
    const withReturn = await runCode({ code: "return 1;\nlet = ;" });
    expect(withReturn).toMatchObject({ ok: false, error: expect.stringMatching(/^SyntaxError: .*\(line 2\)$/) });
  });

  it("refuses results that are not JSON", async () => {
    expect(await runCode({ code: "const a = {}; a.self = a; a" })).toMatchObject({ ok: false, error: expect.stringMatching(/^the result is not JSON-serialisable: TypeError/) });
    expect(await runCode({ code: "10n ** 3n" })).toMatchObject({ ok: false, error: expect.stringMatching(/^the result is not JSON-serialisable/) });
    expect(await runCode({ code: "'x'.repeat(300000)" })).toMatchObject({ ok: false, error: expect.stringMatching(/^the result is too large/) });
    // The code cannot swap the serialiser that produces its result.
    expect(await runCode({ code: "JSON.stringify = () => '\"forged\"'; ({ real: true })" })).toMatchObject({ ok: true, result: { real: true } });
  });

  it("has no require, process, fetch, timers, host objects or modules", async () => {
    const result = await runCode({
      code: "[typeof require, typeof process, typeof fetch, typeof setTimeout, typeof XMLHttpRequest, typeof WebAssembly, typeof Deno, typeof Bun, typeof std, typeof os, typeof globalThis.global, typeof module, typeof __dirname]",
    });
    expect(result).toMatchObject({ ok: true, result: new Array(13).fill("undefined") });
    expect(await runCode({ code: "require('fs')" })).toMatchObject({ ok: false, error: expect.stringMatching(/^ReferenceError: .*require/) });
    expect(await runCode({ code: "process.env" })).toMatchObject({ ok: false, error: expect.stringMatching(/^ReferenceError: .*process/) });
    expect(await runCode({ code: "return await import('fs')" })).toMatchObject({ ok: false });
    expect(await runCode({ code: "fetch('http://127.0.0.1/')" })).toMatchObject({ ok: false, error: expect.stringMatching(/^ReferenceError/) });
    // Reaching for the host through the function constructor only finds the guest's own global.
    expect(await runCode({ code: "typeof (Function('return this')()).process" })).toMatchObject({ ok: true, result: "undefined" });
  });

  it("reports a promise that can never settle", async () => {
    expect(await runCode({ code: "await new Promise(() => {}); return 1" })).toMatchObject({
      ok: false,
      error: "the code's promise never settled (the sandbox has no timers or I/O to wait for)",
    });
  });

  it("stops an infinite loop at the CPU limit while the host stays responsive", { timeout: 20_000 }, async () => {
    const started = performance.now();
    const { result, maxLagMs } = await eventLoopLagDuring(runCode({ code: "while (true) {}" }));
    const ms = performance.now() - started;
    expect(result).toMatchObject({ ok: false, error: "timeout: CPU time limit of 2000 ms exceeded" });
    expect(ms).toBeGreaterThanOrEqual(1_900);
    expect(ms).toBeLessThan(RUN_CODE_LIMITS.wallMs + 500);
    expect(maxLagMs).toBeLessThan(500);
    // Uncatchable by the code itself, and also inside async code.
    expect(await runCode({ code: "try { for (;;) {} } catch (e) { 'escaped' }" })).toMatchObject({ ok: false, error: expect.stringMatching(/^timeout/) });
    expect(await runCode({ code: "await null; for (;;) {}" })).toMatchObject({ ok: false, error: expect.stringMatching(/^timeout/) });
    // A normal snippet right after works.
    expect(await runCode({ code: "1 + 1" })).toMatchObject({ ok: true, result: 2 });
  });

  it("stops memory bombs at the memory limit", { timeout: 30_000 }, async () => {
    const bombs = [
      "new ArrayBuffer(64 * 1024 * 1024).byteLength",
      "'x'.repeat(40 * 1024 * 1024).length",
      // Many allocations that are each far below the limit: only a hard heap cap stops these.
      "const keep = []; for (;;) keep.push(new Uint8Array(4 << 20));",
      "const keep = []; for (;;) keep.push(new Float64Array(1 << 20));",
      "const keep = []; for (;;) keep.push(new Array(100000).fill(1.5));",
    ];
    for (const code of bombs) {
      const { result, maxLagMs } = await eventLoopLagDuring(runCode({ code }));
      expect(result, code).toMatchObject({ ok: false, error: "memory limit: the code used more than 32 MB" });
      expect(maxLagMs).toBeLessThan(500);
    }
    expect(await runCode({ code: "[1, 2, 3].length" })).toMatchObject({ ok: true, result: 3 });
    // Just under the limit is fine.
    expect(await runCode({ code: "const keep = []; for (let i = 0; i < 6; i++) keep.push(new Uint8Array(4 << 20)); keep.length" })).toMatchObject({ ok: true, result: 6 });
  });

  it("ends slow-growing memory bombs by memory or time, whichever comes first", { timeout: 60_000 }, async () => {
    await runCode({ code: "'warm'" });
    const bombs = [
      "const keep = []; for (;;) keep.push({ n: keep.length, label: 'item ' + keep.length });",
      "const numbers = []; for (let i = 0; ; i++) numbers.push(i * 1.5);",
      "const m = new Map(); for (let i = 0; ; i++) m.set('k' + i, i);",
      "const parts = []; for (let i = 0; ; i++) parts.push('x'.repeat(1 << 20) + i);",
    ];
    for (const code of bombs) {
      const started = performance.now();
      const { result, maxLagMs } = await eventLoopLagDuring(runCode({ code }));
      expect(result, code).toMatchObject({ ok: false, error: expect.stringMatching(/^(memory limit|timeout): /) });
      // A thread stopped by the backstop is replaced before the next job; allow for that.
      expect(performance.now() - started).toBeLessThan(RUN_CODE_LIMITS.wallMs + 3_000);
      expect(maxLagMs).toBeLessThan(500);
    }
    expect(await runCode({ code: "'still fine'" })).toMatchObject({ ok: true, result: "still fine" });
  });

  it("turns runaway recursion into an error", async () => {
    expect(await runCode({ code: "function down(n) { return down(n + 1) + 1 } down(0)" })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/stack overflow/),
    });
    expect(await runCode({ code: "function depth(n) { return n === 0 ? 0 : 1 + depth(n - 1) } depth(500)" })).toMatchObject({ ok: true, result: 500 });
  });

  it("kills the thread when the wall-clock backstop fires, then recovers", { timeout: 20_000 }, async () => {
    // A CPU budget the interrupt handler would not reach before the backstop: proves the
    // backstop alone ends the job.
    const result = await runCode({ code: "for (;;) {}" }, { limits: { cpuMs: 60_000, wallMs: 700 } });
    expect(result).toMatchObject({ ok: false, error: "timeout: no result within 700 ms; the sandbox thread was stopped" });
    expect(await runCode({ code: "'alive'" })).toMatchObject({ ok: true, result: "alive" });
  });

  it("stops when the caller cancels", { timeout: 20_000 }, async () => {
    // The previous test's thread was stopped; start its replacement outside the timing.
    await runCode({ code: "'warm'" });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const started = performance.now();
    expect(await runCode({ code: "for (;;) {}" }, { signal: controller.signal })).toMatchObject({ ok: false, error: "cancelled" });
    expect(performance.now() - started).toBeLessThan(1_500);
    expect(await runCode({ code: "2 * 21" })).toMatchObject({ ok: true, result: 42 });
  });

  it("keeps nothing between runs", async () => {
    await runCode({ code: "globalThis.leak = 'secret'; Object.prototype.polluted = true; 1" });
    expect(await runCode({ code: "[typeof leak, ({}).polluted]" })).toMatchObject({ ok: true, result: ["undefined", null] });
  });
});
