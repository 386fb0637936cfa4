import releaseSyncVariant from "@jitl/quickjs-wasmfile-release-sync";
import { newQuickJSWASMModuleFromVariant, newVariant, type QuickJSContext, type QuickJSHandle } from "quickjs-emscripten-core";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { parentPort } from "node:worker_threads";
import { sandboxJobSchema, type SandboxJob, type SandboxOutcome, type ThreadMessage } from "./run-code-protocol";

/**
 * The sandbox thread: runs one untrusted JavaScript snippet at a time inside QuickJS compiled
 * to WebAssembly. The guest gets a bare ECMAScript global (no require, process, fetch, timers,
 * module loader or host objects): its only way out is the `console` functions defined below,
 * which hand strings to this thread. The thread lives in a worker_threads Worker so a stuck
 * guest never blocks the BullMQ worker's event loop; the host kills it if it stops answering.
 */

/**
 * Runs inside the guest before the user's code (our code, not the user's). It installs
 * `console` and `input`, and returns the original JSON.stringify so the user's code cannot
 * replace the function used to serialise its own result.
 */
const PRELUDE = `(function (emit, inputJson, maxLine) {
  const stringify = JSON.stringify;
  const format = (value) => {
    if (typeof value === "string") return value;
    if (value === undefined) return "undefined";
    if (typeof value === "function") return "[Function" + (value.name ? ": " + value.name : "") + "]";
    if (typeof value === "bigint") return String(value) + "n";
    if (typeof value === "symbol") return String(value);
    if (value instanceof Error) return value.name + ": " + value.message;
    try {
      const text = stringify(value);
      return text === undefined ? String(value) : text;
    } catch (error) {
      return String(value);
    }
  };
  // Once the host's buffer is full, stop formatting lines nobody will read.
  let full = false;
  const make = (level) => (...args) => {
    if (full) return;
    const line = args.map(format).join(" ");
    full = emit(level, line.length > maxLine ? line.slice(0, maxLine) : line) === false;
  };
  globalThis.console = { log: make("log"), info: make("info"), debug: make("debug"), warn: make("warn"), error: make("error") };
  globalThis.input = inputJson === undefined ? undefined : JSON.parse(inputJson);
  return stringify;
})`;

const FILENAME = "code.js";
const UNREADABLE = "error (could not be read)";

const WASM_PAGE = 65_536;
/** What the QuickJS build asks for at start (its INITIAL_MEMORY, 16 MB). */
const INITIAL_HEAP_PAGES = 256;
/** QuickJS's runtime, the context's intrinsics, the C stack and allocator slack. */
const HEAP_OVERHEAD_BYTES = 16 * 1_048_576;

/**
 * Compiled once per thread; each job instantiates it with its own memory. The file is the
 * package's own export, so this is the exact binary the variant would load itself.
 */
const wasmModule = WebAssembly.compile(
  await readFile(createRequire(import.meta.url).resolve("@jitl/quickjs-wasmfile-release-sync/wasm")),
);

class ConsoleBuffer {
  private text = "";
  truncated = false;
  constructor(private readonly maxChars: number) {}

  append(level: string, line: string): void {
    if (this.truncated) return;
    const entry = `${level === "log" || level === "info" || level === "debug" ? "" : `[${level}] `}${line}\n`;
    if (this.text.length + entry.length > this.maxChars) {
      this.text += entry.slice(0, Math.max(0, this.maxChars - this.text.length));
      this.truncated = true;
      return;
    }
    this.text += entry;
  }

  get value(): string {
    return this.text;
  }
}

async function execute(job: SandboxJob): Promise<SandboxOutcome> {
  const { limits } = job;
  const output = new ConsoleBuffer(limits.maxConsoleChars);
  const fail = (error: string): SandboxOutcome => ({ ok: false, error, console: output.value, consoleTruncated: output.truncated });

  // A fresh WebAssembly instance and memory per job: nothing one run leaves in QuickJS's
  // linear memory (or a QuickJS bug it triggers) can be seen by the next run on this thread.
  //
  // The memory's `maximum` is the real memory limit. QuickJS's own limit (setMemoryLimit)
  // counts allocations by their usable size, which this Emscripten build cannot report, so
  // it only catches single allocations over the limit: 500 typed arrays of 4 MB each pass it.
  // A heap that cannot grow makes malloc fail, which QuickJS turns into "out of memory".
  const maxHeapPages = Math.ceil((limits.memoryBytes + HEAP_OVERHEAD_BYTES) / WASM_PAGE);
  const memory = new WebAssembly.Memory({ initial: Math.min(INITIAL_HEAP_PAGES, maxHeapPages), maximum: maxHeapPages });
  const quickjs = await newQuickJSWASMModuleFromVariant(newVariant(releaseSyncVariant, { wasmModule: await wasmModule, wasmMemory: memory }));
  /** The heap is (nearly) full: the allocation that failed was most likely the guest's. */
  const heapExhausted = () => memory.buffer.byteLength >= (maxHeapPages * WASM_PAGE) - 8 * 1_048_576;
  const runtime = quickjs.newRuntime();
  runtime.setMemoryLimit(limits.memoryBytes);
  runtime.setMaxStackSize(limits.stackBytes);
  const startedAt = performance.now();
  let interrupted = false;
  runtime.setInterruptHandler(() => {
    if (performance.now() - startedAt <= limits.cpuMs) return false;
    interrupted = true;
    return true;
  });
  const vm = runtime.newContext();
  const timeoutError = () => `timeout: CPU time limit of ${limits.cpuMs} ms exceeded`;
  const memoryError = () => `memory limit: the code used more than ${Math.round(limits.memoryBytes / 1048576)} MB`;
  /** What a guest exception becomes: the limit that caused it, or the guest's own error. */
  const guestError = (handle: QuickJSHandle): string => {
    if (interrupted) return timeoutError();
    const text = describeGuestError(vm, handle);
    if (/\bout of memory\b/.test(text)) return memoryError();
    // Out of memory while building the error itself leaves an empty or unreadable value.
    if (heapExhausted() && (text === UNREADABLE || /^Uncaught (null|""|undefined)$/.test(text))) return memoryError();
    return text;
  };

  // Every handle this function holds; QuickJS asserts at teardown that none is still alive.
  const owned: QuickJSHandle[] = [];
  const own = <T extends QuickJSHandle>(handle: T): T => {
    owned.push(handle);
    return handle;
  };

  try {
    const emit = own(
      vm.newFunction("emit", (levelHandle, lineHandle) => {
        output.append(vm.getString(levelHandle), vm.getString(lineHandle));
        return output.truncated ? vm.false : vm.true;
      }),
    );
    const preludeFn = own(vm.unwrapResult(vm.evalCode(PRELUDE, "prelude.js")));
    const inputHandle = job.inputJson === undefined ? vm.undefined : own(vm.newString(job.inputJson));
    const maxLine = own(vm.newNumber(limits.maxConsoleChars));
    const installed = vm.callFunction(preludeFn, vm.undefined, emit, inputHandle, maxLine);
    if (installed.error) return fail(`input could not be loaded: ${guestError(own(installed.error))}`);
    const stringify = own(installed.value);

    const source = chooseSource(vm, job.code);
    if (!source.ok) return fail(source.error);

    const evaluated = vm.evalCode(source.code, FILENAME);
    if (evaluated.error) return fail(guestError(own(evaluated.error)));

    const settled = settle(vm, own(evaluated.value));
    if (!settled.ok) {
      if (settled.error) return fail(guestError(own(settled.error)));
      if (interrupted) return fail(timeoutError());
      return fail("the code's promise never settled (the sandbox has no timers or I/O to wait for)");
    }

    const serialized = vm.callFunction(stringify, vm.undefined, own(settled.value));
    if (serialized.error) return fail(`the result is not JSON-serialisable: ${guestError(own(serialized.error))}`);
    const json = own(serialized.value);
    const resultJson = vm.typeof(json) === "string" ? vm.getString(json) : undefined;
    if (resultJson !== undefined && resultJson.length > limits.maxResultChars) {
      return fail(`the result is too large (${resultJson.length} characters of JSON; the limit is ${limits.maxResultChars})`);
    }
    return { ok: true, resultJson, console: output.value, consoleTruncated: output.truncated };
  } catch (error) {
    // The host side of QuickJS threw: the WebAssembly stack overflowed before QuickJS's own
    // check, or memory ran out while copying a value out. The instance is discarded either way.
    if (interrupted) return fail(timeoutError());
    const message = error instanceof Error ? error.message : String(error);
    if (/call stack|stack overflow/i.test(message)) return fail("stack overflow: recursion is too deep");
    if (heapExhausted() || /out of memory|memory access out of bounds|allocation failed/i.test(message)) return fail(memoryError());
    return fail(`sandbox error: ${message.slice(0, 200)}`);
  } finally {
    try {
      for (const handle of owned) if (handle.alive) handle.dispose();
      vm.dispose();
      runtime.dispose();
    } catch {
      // A half-torn-down instance after an abort; it is garbage either way.
    }
  }
}

/**
 * Script first, so `1 + 1` gives its completion value; if that does not compile (a top-level
 * `return` or `await`), the code is an async function body and its result is what it returns.
 * The wrapper shares the first line with the code so reported line numbers stay right.
 */
function chooseSource(vm: QuickJSContext, code: string): { ok: true; code: string } | { ok: false; error: string } {
  const asScript = vm.evalCode(code, FILENAME, { type: "global", compileOnly: true });
  if (!asScript.error) {
    asScript.value.dispose();
    return { ok: true, code };
  }
  const scriptError = describeGuestError(vm, asScript.error);
  asScript.error.dispose();
  const wrapped = `(async function () { ${code}\n})()`;
  const asBody = vm.evalCode(wrapped, FILENAME, { type: "global", compileOnly: true });
  if (!asBody.error) {
    asBody.value.dispose();
    return { ok: true, code: wrapped };
  }
  const bodyError = describeGuestError(vm, asBody.error);
  asBody.error.dispose();
  // The function-body error is the real one when the script failed only because of return/await.
  return { ok: false, error: /return not in a function|await/.test(scriptError) ? bodyError : scriptError };
}

/**
 * Runs queued promise jobs until `handle` (a promise or a plain value) settles. The handles it
 * returns are new (or `handle` itself for a plain value); the caller disposes all of them.
 */
function settle(
  vm: QuickJSContext,
  handle: QuickJSHandle,
): { ok: true; value: QuickJSHandle } | { ok: false; error: QuickJSHandle | undefined } {
  for (;;) {
    const state = vm.getPromiseState(handle);
    if (state.type === "fulfilled") return { ok: true, value: state.value };
    if (state.type === "rejected") return { ok: false, error: state.error };
    if (!vm.runtime.hasPendingJob()) return { ok: false, error: undefined };
    const ran = vm.runtime.executePendingJobs();
    if (ran.error) return { ok: false, error: ran.error };
  }
}

/** `TypeError: boom (line 3)`; a thrown non-Error value becomes `Uncaught <json>`. */
function describeGuestError(vm: QuickJSContext, handle: QuickJSHandle): string {
  let dumped: unknown;
  try {
    dumped = vm.dump(handle);
  } catch {
    return UNREADABLE;
  }
  if (dumped && typeof dumped === "object" && "message" in dumped) {
    const name = "name" in dumped && typeof dumped.name === "string" ? dumped.name : "Error";
    const message = typeof dumped.message === "string" ? dumped.message : String(dumped.message);
    const stack = "stack" in dumped && typeof dumped.stack === "string" ? dumped.stack : "";
    const line = new RegExp(`${FILENAME}:(\\d+)`).exec(stack)?.[1] ?? ("lineNumber" in dumped ? String(dumped.lineNumber) : undefined);
    return `${name}: ${message.slice(0, 500)}${line ? ` (line ${line})` : ""}`;
  }
  let text: string;
  try {
    text = JSON.stringify(dumped) ?? String(dumped);
  } catch {
    text = String(dumped);
  }
  return `Uncaught ${text.slice(0, 500)}`;
}

function post(message: ThreadMessage): void {
  parentPort?.postMessage(message);
}

parentPort?.on("message", (raw: unknown) => {
  const job = sandboxJobSchema.safeParse(raw);
  if (!job.success) return;
  void execute(job.data).then((outcome) => post({ type: "result", id: job.data.id, outcome }));
});

post({ type: "ready" });
