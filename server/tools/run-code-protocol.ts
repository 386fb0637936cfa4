import { z } from "zod";

/** Messages between the host (run-code.ts) and the sandbox thread (run-code-thread.ts). */

export const sandboxLimitsSchema = z.object({
  /** Interpreter time budget, enforced by QuickJS's interrupt handler inside the thread. */
  cpuMs: z.number().int().positive(),
  /**
   * The guest's memory: QuickJS's own allocation limit, and a hard cap on the WebAssembly
   * heap of this plus a fixed 16 MB for QuickJS itself (see run-code-thread.ts for why both).
   */
  memoryBytes: z.number().int().positive(),
  /** QuickJS stack limit: deep recursion fails with a catchable "stack overflow". */
  stackBytes: z.number().int().positive(),
  /** Captured console output kept, in characters. */
  maxConsoleChars: z.number().int().positive(),
  /** The JSON text of the result, in characters. */
  maxResultChars: z.number().int().positive(),
});

export type SandboxLimits = z.infer<typeof sandboxLimitsSchema>;

export const sandboxJobSchema = z.object({
  type: z.literal("run"),
  id: z.number().int(),
  code: z.string(),
  /** JSON text of `input`; absent means `input` is undefined in the sandbox. */
  inputJson: z.string().optional(),
  limits: sandboxLimitsSchema,
});

export type SandboxJob = z.infer<typeof sandboxJobSchema>;

export const sandboxOutcomeSchema = z.discriminatedUnion("ok", [
  /** `resultJson` absent: the result was undefined (or a function/symbol, which JSON drops). */
  z.object({ ok: z.literal(true), resultJson: z.string().optional(), console: z.string(), consoleTruncated: z.boolean() }),
  z.object({ ok: z.literal(false), error: z.string(), console: z.string(), consoleTruncated: z.boolean() }),
]);

export type SandboxOutcome = z.infer<typeof sandboxOutcomeSchema>;

export const threadMessageSchema = z.union([
  z.object({ type: z.literal("ready") }),
  z.object({ type: z.literal("result"), id: z.number().int(), outcome: sandboxOutcomeSchema }),
]);

export type ThreadMessage = z.infer<typeof threadMessageSchema>;
