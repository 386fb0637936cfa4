import { loadPyodide, type PyodideAPI } from "pyodide";
import { createRequire } from "node:module";
import path from "node:path";
import { parentPort, workerData } from "node:worker_threads";
import type { SandboxOutcome } from "./run-code-protocol";
import { pythonJobSchema, type PythonJob, type PythonThreadData, type PythonThreadMessage } from "./run-python-protocol";

/**
 * A Python sandbox thread: CPython compiled to WebAssembly (Pyodide), loaded from the npm
 * package's own files (interpreter, wasm and standard library zip; nothing is downloaded).
 *
 * The guest's file system is Pyodide's in-memory one; it never sees the host's files. After
 * loading, the thread removes every bridge Python has to JavaScript's host APIs (see
 * `lockDown`), so Python code has no network, no host files and no way to evaluate JavaScript.
 * The host runs one job per thread and then discards it, so no state (modules a program
 * monkeypatched, files it wrote) survives into another run's program.
 */

const WASM_PAGE = 65_536;
const CODE_FILENAME = "<code>";
/** A traceback longer than this keeps its end (registry.ts clips tool errors to 1000 characters). */
const MAX_ERROR_CHARS = 900;

/**
 * The memory limit. Emscripten grows Pyodide's heap through `WebAssembly.Memory#grow`, called
 * from JavaScript; refusing to grow past the cap makes malloc fail, which CPython turns into
 * MemoryError. Patched before Pyodide loads, while the cap is still unlimited.
 */
let heapCapBytes = Number.POSITIVE_INFINITY;
let growRefused = false;
const originalGrow = WebAssembly.Memory.prototype.grow;
WebAssembly.Memory.prototype.grow = function grow(this: WebAssembly.Memory, deltaPages: number): number {
  if (this.buffer.byteLength + deltaPages * WASM_PAGE > heapCapBytes) {
    growRefused = true;
    throw new RangeError("the sandbox's memory limit was reached");
  }
  return originalGrow.call(this, deltaPages);
};

/** stdout and stderr, interleaved as written, kept up to a character limit. */
class OutputBuffer {
  private text = "";
  private readonly decoder = new TextDecoder();
  private droppedBytes = 0;
  truncated = false;
  maxChars = 16_384;

  write(bytes: Uint8Array): number {
    if (this.truncated) {
      this.droppedBytes += bytes.length;
      return bytes.length;
    }
    const chunk = this.decoder.decode(bytes, { stream: true });
    if (this.text.length + chunk.length > this.maxChars) {
      const kept = Math.max(0, this.maxChars - this.text.length);
      this.text += chunk.slice(0, kept);
      this.droppedBytes += chunk.length - kept;
      this.truncated = true;
    } else {
      this.text += chunk;
    }
    return bytes.length;
  }

  get value(): string {
    if (!this.truncated) return this.text;
    return `${this.text}\n[output truncated: only the first ${this.maxChars} characters are kept; ${this.droppedBytes} more bytes were printed and dropped]\n`;
  }
}

const output = new OutputBuffer();

const { interruptBuffer, snapshot } = workerData as PythonThreadData;
const indexURL = `${path.dirname(createRequire(import.meta.url).resolve("pyodide/package.json"))}${path.sep}`;
const pyodide = await loadPyodide({
  indexURL,
  // What `import js` would expose: nothing (the module is unregistered below anyway).
  jsglobals: Object.create(null) as object,
  // No stdin: input() and sys.stdin.read() see end of file.
  stdin: () => null,
  // Python's own modules only; nothing from the package index is loaded at startup.
  packages: [],
  ...(snapshot ? { _loadSnapshot: new Uint8Array(snapshot) } : { _makeSnapshot: true }),
});
if (!snapshot) {
  // Taken before anything else runs, so every later interpreter starts exactly as this one did.
  const bytes = pyodide.makeMemorySnapshot();
  // Copied rather than transferred: sent once per process, and never a view of the live heap.
  parentPort?.postMessage({ type: "snapshot", bytes });
}
pyodide.setStdout({ write: (bytes: Uint8Array) => output.write(bytes) });
pyodide.setStderr({ write: (bytes: Uint8Array) => output.write(bytes) });
pyodide.setInterruptBuffer(new Int32Array(interruptBuffer));

/**
 * Runs one program in a fresh `__main__`-like namespace and answers a JSON text:
 * {"ok": true, "resultJson": ...} or {"ok": false, "error": ..., "kind": ...}. The result is
 * the value of the last expression, or else a `result` variable.
 */
const HARNESS = `
import builtins, sys, traceback
from json import dumps as _dumps, loads as _loads
from _pyodide._base import eval_code

def _agentflow_python_run(code, input_json, max_result_chars):
    namespace = {"__name__": "__main__", "__builtins__": builtins}
    # Same name as run_code's JavaScript global; it shadows the built-in input(), which has no stdin here.
    namespace["input"] = None if input_json is None else _loads(input_json)
    try:
        value = eval_code(code, namespace, filename=${JSON.stringify(CODE_FILENAME)})
        if value is None:
            value = namespace.get("result")
    except KeyboardInterrupt:
        return _dumps({"ok": False, "kind": "timeout"})
    except MemoryError:
        return _dumps({"ok": False, "kind": "memory"})
    except SystemExit as exit:
        if exit.code in (None, 0):
            value = namespace.get("result")
        else:
            return _dumps({"ok": False, "kind": "error", "error": f"SystemExit: the code called exit({exit.code!r})"})
    except BaseException as error:
        return _dumps({"ok": False, "kind": "error", "error": _describe(error)})
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    try:
        text = _dumps(value, allow_nan=False, default=_jsonable)
    except (ValueError, TypeError, RecursionError):
        text = _dumps(repr(value))
    except MemoryError:
        return _dumps({"ok": False, "kind": "memory"})
    if len(text) > max_result_chars:
        return _dumps({"ok": False, "kind": "error", "error": f"the result is too large ({len(text)} characters of JSON; the limit is {max_result_chars})"})
    return _dumps({"ok": True, "resultJson": text})

def _jsonable(value):
    if isinstance(value, (set, frozenset)):
        return list(value)
    if isinstance(value, (bytes, bytearray)):
        return value.decode("utf-8", "replace")
    return repr(value)

def _describe(error):
    # Only the user's frames: the harness and Pyodide's eval_code are not the user's business.
    tb = error.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != ${JSON.stringify(CODE_FILENAME)}:
        tb = tb.tb_next
    # chain=False: the exception the user's code raised, not the library's internal ones behind it.
    if tb is None:
        lines = traceback.format_exception_only(type(error), error)
    else:
        lines = traceback.format_exception(type(error), error, tb, chain=False)
    if isinstance(error, ModuleNotFoundError) and error.name:
        # Pyodide's own message suggests micropip/loadPackage, which this sandbox does not offer.
        lines[-1] = f"ModuleNotFoundError: No module named '{error.name}' (only the Python standard library is available; packages cannot be installed)\\n"
    text = "".join(lines).rstrip()
    # The end of a traceback says what went wrong; the tool's error is clipped to ~1000 characters.
    if len(text) > ${MAX_ERROR_CHARS}:
        text = "Traceback (most recent call last, shortened):\\n  ...\\n" + text[-${MAX_ERROR_CHARS - 60}:]
    return text

_agentflow_python_run
`;

type HarnessAnswer = { ok: true; resultJson: string } | { ok: false; kind: "timeout" | "memory" | "error"; error?: string };

const harness = pyodide.runPython(HARNESS) as (code: string, inputJson: string | undefined, maxResultChars: number) => string;
lockDown(pyodide);

/**
 * Cuts Python's ways out to the host. Pyodide's bridges are the `js` module (JavaScript's
 * globals: fetch, process …), `pyodide_js` (the Pyodide API: mounting host directories,
 * loading packages over the network, the Emscripten FS) and any JavaScript object Python can
 * get hold of, whose `constructor.constructor` is the Function constructor (evaluating code
 * in this thread). So: both modules are unregistered, the API's network/host entry points
 * refuse, host file systems are removed from the FS table, the network globals are deleted
 * and code generation from strings is disabled in this thread.
 */
function lockDown(api: PyodideAPI): void {
  for (const name of ["js", "pyodide_js"]) api.unregisterJsModule(name);
  // "pyodide_js._api" is Pyodide's internal API object, imported while Pyodide started.
  api.runPython(`
import sys
from _pyodide._importhook import jsfinder
for _name in [name for name in sys.modules if name == "js" or name == "pyodide_js" or name.startswith(("js.", "pyodide_js."))]:
    del sys.modules[_name]
for _name in [name for name in jsfinder.jsproxies if name in ("js", "pyodide_js")]:
    del jsfinder.jsproxies[_name]
del _name, jsfinder
`);
  const refuse = (what: string) => () => {
    throw new Error(`${what} is not available in this sandbox`);
  };
  const mutable = api as unknown as Record<string, unknown>;
  mutable.loadPackage = refuse("loadPackage");
  mutable.loadPackagesFromImports = refuse("loadPackagesFromImports");
  mutable.mountNodeFS = refuse("mountNodeFS");
  mutable.mountNativeFS = refuse("mountNativeFS");
  mutable.useNodeSockFS = refuse("useNodeSockFS");
  // The internal API too, in case Python finds another way to it: these read host files or open real sockets.
  const internal = (api as unknown as { _api?: Record<string, unknown> })._api;
  if (internal) {
    for (const name of ["initializeNodeSockFS", "loadBinaryFile", "loadPackage", "install"]) {
      if (name in internal) internal[name] = refuse(name);
    }
  }
  // Emscripten emulates sockets over the `ws` package in Node: a Python socket would open a
  // real TCP connection from this process. Every socket() call fails instead (EACCES, errno 2:
  // Python sees PermissionError), so nothing can even connect.
  const fs = api.FS as unknown as { ErrnoError: new (errno: number) => Error };
  const sockfs = (api as unknown as { _module: { SOCKFS?: Record<string, unknown> } })._module.SOCKFS;
  if (sockfs) {
    sockfs.createSocket = () => {
      throw new fs.ErrnoError(2);
    };
  }
  const filesystems = (api.FS as unknown as { filesystems: Record<string, unknown> }).filesystems;
  for (const name of Object.keys(filesystems)) if (name !== "MEMFS") delete filesystems[name];

  const global = globalThis as Record<string, unknown>;
  for (const name of ["fetch", "WebSocket", "XMLHttpRequest", "EventSource", "Request", "Response", "Headers"]) delete global[name];

  const blocked = function blockedCodeGeneration(): never {
    throw new EvalError("code generation from strings is disabled in this sandbox");
  };
  for (const fn of [function () {}, async function () {}, function* () {}, async function* () {}]) {
    Object.defineProperty(Object.getPrototypeOf(fn), "constructor", { value: blocked, writable: false, configurable: false });
  }
  Object.defineProperty(globalThis, "eval", { value: blocked, writable: false, configurable: false });
  Object.defineProperty(globalThis, "Function", { value: blocked, writable: false, configurable: false });
  // A stack-trace hook receives call sites, whose getThis() can reach objects Python should not see.
  Object.defineProperty(Error, "prepareStackTrace", { value: undefined, writable: false, configurable: false });
}

function heapBytes(): number {
  return (pyodide as unknown as { _module: { HEAP8: Int8Array } })._module.HEAP8.buffer.byteLength;
}

function execute(job: PythonJob): SandboxOutcome {
  const { limits } = job;
  output.maxChars = limits.maxConsoleChars;
  const fail = (error: string): SandboxOutcome => ({ ok: false, error, console: output.value, consoleTruncated: output.truncated });
  const memoryError = () => `memory limit: the code used more than ${Math.round(limits.memoryBytes / 1_048_576)} MB`;
  const timeoutError = () => `timeout: timed out after ${limits.cpuMs / 1000} s; the code was stopped`;

  heapCapBytes = heapBytes() + limits.memoryBytes;
  growRefused = false;
  let answerText: string;
  try {
    answerText = harness(job.code, job.inputJson, limits.maxResultChars);
  } catch (error) {
    // Pyodide itself failed (a fatal error after an allocation failed in C, a stack overflow).
    if (growRefused) return fail(memoryError());
    const message = error instanceof Error ? error.message : String(error);
    if (/KeyboardInterrupt/.test(message)) return fail(timeoutError());
    if (/call stack|stack overflow/i.test(message)) return fail("stack overflow: recursion is too deep");
    return fail(`sandbox error: ${message.slice(-300)}`);
  } finally {
    heapCapBytes = Number.POSITIVE_INFINITY;
  }
  let answer: HarnessAnswer;
  try {
    answer = JSON.parse(answerText) as HarnessAnswer;
  } catch {
    // The program replaced something the harness relies on; it only spoiled its own run.
    return fail("sandbox error: the program broke the sandbox's result reporting");
  }
  if (answer.ok) return { ok: true, resultJson: answer.resultJson, console: output.value, consoleTruncated: output.truncated };
  if (answer.kind === "timeout") return fail(timeoutError());
  if (answer.kind === "memory") return fail(memoryError());
  return fail(answer.error ?? "error");
}

function post(message: PythonThreadMessage): void {
  parentPort?.postMessage(message);
}

parentPort?.on("message", (raw: unknown) => {
  // zod would compile a fast parser with `new Function`, which lockDown disables in this thread.
  const job = pythonJobSchema.safeParse(raw, { jitless: true });
  if (!job.success) return;
  post({ type: "result", id: job.data.id, outcome: execute(job.data) });
});

post({ type: "ready", heapBytes: heapBytes() });
