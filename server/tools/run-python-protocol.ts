import { z } from "zod";
import { sandboxOutcomeSchema } from "./run-code-protocol";

/** Messages between the host (run-python.ts) and a Python sandbox thread (run-python-thread.ts). */

export const pythonLimitsSchema = z.object({
  /** Interpreter time budget: the host then raises KeyboardInterrupt through the interrupt buffer. */
  cpuMs: z.number().int().positive(),
  /** How far the WebAssembly heap may grow beyond what the idle interpreter already uses. */
  memoryBytes: z.number().int().positive(),
  /** Captured stdout + stderr kept, in characters. */
  maxConsoleChars: z.number().int().positive(),
  /** The JSON text of the result, in characters. */
  maxResultChars: z.number().int().positive(),
});

export type PythonLimits = z.infer<typeof pythonLimitsSchema>;

export const pythonJobSchema = z.object({
  type: z.literal("run"),
  id: z.number().int(),
  code: z.string(),
  /** JSON text of `input`; absent means `input` is None in the sandbox. */
  inputJson: z.string().optional(),
  limits: pythonLimitsSchema,
});

export type PythonJob = z.infer<typeof pythonJobSchema>;

export const pythonThreadMessageSchema = z.union([
  /** The interpreter is loaded and locked down; `heapBytes` is its WebAssembly heap at rest. */
  z.object({ type: z.literal("ready"), heapBytes: z.number().int().nonnegative() }),
  z.object({ type: z.literal("result"), id: z.number().int(), outcome: sandboxOutcomeSchema }),
  /** The freshly loaded interpreter's heap, sent once by a thread that loaded without one. */
  z.object({ type: z.literal("snapshot"), bytes: z.instanceof(Uint8Array) }),
]);

export type PythonThreadMessage = z.infer<typeof pythonThreadMessageSchema>;

/** workerData of a Python sandbox thread. */
export type PythonThreadData = {
  /** One Int32 shared with the host: writing 2 (SIGINT) raises KeyboardInterrupt in the guest. */
  interruptBuffer: SharedArrayBuffer;
  /**
   * A memory snapshot of a freshly loaded interpreter (made by an earlier thread before it ran
   * any code): loading from it skips CPython's start-up, ~0.5 s instead of 3–10 s. Absent: the
   * thread loads from scratch and sends a snapshot back.
   */
  snapshot?: SharedArrayBuffer;
};
