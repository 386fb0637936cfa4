import { AsyncLocalStorage } from "node:async_hooks";
import { isSpanContextValid, trace } from "@opentelemetry/api";
import pino, { type DestinationStream, type Logger } from "pino";
import type PinoPretty from "pino-pretty";
import { getOpsEnv, secretEnvValues, type OpsEnv } from "../env";
import { createRedactor, MIN_REDACTED_SECRET_CHARS, type Redactor } from "../vault/redact";

/**
 * The process's logger (web and worker): one JSON object a line with `level`, `time`, `msg`,
 * the process's `service`, and — where known — `workspaceId`, `workflowId`, `runId`, `jobId`
 * and `traceId`. Those ids come from the async context (`withLogContext`, set by the worker
 * around each job and by the trigger around each start) and from the active trace span, so a
 * line logged deep inside a tool or a model call carries them without being passed anything.
 * Pretty lines under NODE_ENV=development or LOG_FORMAT=pretty.
 *
 * Secrets are kept out twice: the fields where secrets live are blanked by name
 * (authorization headers, cookies, keys, tokens, passwords: withoutSecretFields), and a last pass over each
 * finished line replaces every value ever read from the vault or from a secret variable —
 * wherever it hides (an error message quoting a request, a provider's error echoing a key),
 * as written and in its common encodings (server/vault/redact.ts).
 */

type LogFields = {
  workspaceId?: string;
  workflowId?: string;
  runId?: string;
  jobId?: string;
  traceId?: string;
};

const REDACTED = "[redacted]";

/**
 * Fields that hold secrets, by name (compared lower-cased), blanked wherever they appear in the
 * first levels of a line: `{ authorization }`, `{ request: { headers: { cookie } } }`, an
 * error's `headers`. One walk over the line's own fields, copying only what it changes: pino's
 * path-based `redact` with wildcards cost ~90 µs per line here (against ~3 µs for the line
 * itself), paid on every "run advanced" line of every job.
 */
const SECRET_FIELDS: ReadonlySet<string> = new Set(
  ["authorization", "cookie", "set-cookie", "x-api-key", "apiKey", "api_key", "token", "accessToken", "refreshToken", "password", "secret", "clientSecret", "credential", "credentials", "sealed", "masterKey"].map(
    (name) => name.toLowerCase(),
  ),
);
/** How deep the walk looks: the line's fields (0), theirs (1), and so on. Deeper values are printed as they are. */
const MAX_SECRET_FIELD_DEPTH = 3;

function isWalkable(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object") return false;
  if (value instanceof Error) return true;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

/**
 * `object` with its secret fields blanked (the same object when it has none). A nested error
 * becomes a plain object of its own enumerable fields, which is all JSON would print of it.
 */
export function withoutSecretFields(object: Record<string, unknown>, depth = 0): Record<string, unknown> {
  let copy: Record<string, unknown> | null = null;
  for (const key of Object.keys(object)) {
    const value = object[key];
    let safe = value;
    if (SECRET_FIELDS.has(key.toLowerCase())) safe = REDACTED;
    else if (depth < MAX_SECRET_FIELD_DEPTH && isWalkable(value) && !(depth === 0 && key === "err")) safe = withoutSecretFields(value, depth + 1);
    if (safe !== value) {
      copy ??= { ...object };
      copy[key] = safe;
    }
  }
  return copy ?? object;
}

/** pino's error serializer (message, type, stack and the error's own fields), then the walk. */
function errorWithoutSecretFields(error: unknown): unknown {
  // Its result has pino's own prototype, so it is walked whatever isWalkable says of it.
  const serialized = pino.stdSerializers.err(error as Error) as unknown;
  return serialized !== null && typeof serialized === "object" ? withoutSecretFields(serialized as Record<string, unknown>, 1) : serialized;
}

// ── Secrets read at run time ────────────────────────────────────────────────────────────
/**
 * Process-wide, on globalThis like the logger: Next's dev server re-evaluates modules, and a
 * secret guarded through a fresh copy of this module must still reach the one logger.
 * Most recent last; bounded so a long-lived worker that opens many credentials keeps a fixed cost.
 */
type LogState = {
  logger?: Logger;
  context: AsyncLocalStorage<LogFields>;
  target?: DestinationStream;
  service?: string;
  guardedSecrets: Set<string>;
  lineRedactor: Redactor | null;
  envSecretsGuarded: boolean;
};
const globalForLog = globalThis as unknown as { agentflowLog?: LogState };
const state: LogState = (globalForLog.agentflowLog ??= { context: new AsyncLocalStorage(), guardedSecrets: new Set(), lineRedactor: null, envSecretsGuarded: false });
const MAX_GUARDED_SECRETS = 5_000;

/**
 * Every value read from the vault passes here (server/vault/cipher.ts, server/auth/app-secrets.ts),
 * so that no later log line can print it, however it got there. A JSON plaintext (a credential,
 * a channel's settings) is guarded whole and by each of its string values.
 */
export function guardSecretValues(values: readonly string[]): void {
  let changed = false;
  const add = (value: string) => {
    if ([...value].length < MIN_REDACTED_SECRET_CHARS || state.guardedSecrets.has(value)) return;
    state.guardedSecrets.add(value);
    changed = true;
  };
  for (const value of values) {
    add(value);
    if (value.startsWith("{")) for (const leaf of jsonStringLeaves(value)) add(leaf);
  }
  if (!changed) return;
  while (state.guardedSecrets.size > MAX_GUARDED_SECRETS) state.guardedSecrets.delete(state.guardedSecrets.values().next().value as string);
  state.lineRedactor = null;
}

/** String values of a JSON object, except its `kind` (a credential's "bearer" is no secret). */
function jsonStringLeaves(text: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [];
  }
  const leaves: string[] = [];
  const walk = (value: unknown, key: string) => {
    if (typeof value === "string") {
      if (key !== "kind") leaves.push(value);
    } else if (Array.isArray(value)) value.forEach((item) => walk(item, key));
    else if (value !== null && typeof value === "object") for (const [name, item] of Object.entries(value)) walk(item, name);
  };
  walk(parsed, "");
  return leaves;
}

/** What a log line would print of `text`: every guarded secret replaced (also for span messages). */
export function redactSecrets(text: string): string {
  return redactLine(text);
}

function redactLine(line: string): string {
  if (!state.envSecretsGuarded) {
    state.envSecretsGuarded = true;
    guardSecretValues(secretEnvValues());
  }
  if (state.guardedSecrets.size === 0) return line;
  state.lineRedactor ??= createRedactor([...state.guardedSecrets], REDACTED);
  return state.lineRedactor.text(line);
}

// ── Context ─────────────────────────────────────────────────────────────────────────────
const { context } = state;

/** Runs `fn` with `fields` bound to every line it logs (and every line of what it awaits). */
export function withLogContext<T>(fields: LogFields, fn: () => T): T {
  return context.run({ ...context.getStore(), ...definedFields(fields) }, fn);
}

/** Adds ids learnt along the way (a run's workspace, once it is loaded) to the current context. */
export function bindLogContext(fields: LogFields): void {
  const store = context.getStore();
  if (store) Object.assign(store, definedFields(fields));
}

function definedFields(fields: LogFields): LogFields {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined && value !== null && value !== ""));
}

/** The context's ids, and the trace of the active span (a line inside a model call names its trace). */
function contextFields(): LogFields & { service?: string } {
  const store = context.getStore();
  const span = trace.getActiveSpan()?.spanContext();
  const traceId = span && isSpanContextValid(span) ? span.traceId : undefined;
  return { ...(state.service ? { service: state.service } : {}), ...store, ...(traceId ? { traceId } : {}) };
}

// ── Destination ─────────────────────────────────────────────────────────────────────────
/** "agentflow-web" or "agentflow-worker": on every line, as in the traces. */
export function setLogService(name: string): void {
  state.service = name;
}

/** Where lines go; tests point it at a stream of their own (null: back to stdout). */
export function setLogDestination(stream: DestinationStream | null): void {
  state.target = stream ?? undefined;
}

function opsEnvOrDefaults(): { env: OpsEnv; problem?: string } {
  try {
    return { env: getOpsEnv() };
  } catch (error) {
    return { env: { LOG_LEVEL: "info" }, problem: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * pino-pretty only when lines are pretty (development): loaded at import it would cost every
 * production web and worker process ~20 MiB of memory for a formatter they never use.
 * Synchronous because the root logger is created synchronously, on first use.
 */
function loadPinoPretty(): typeof PinoPretty {
  return process.getBuiltinModule("node:module").createRequire(import.meta.url)("pino-pretty") as typeof PinoPretty;
}

function createRootLogger(): Logger {
  const { env, problem } = opsEnvOrDefaults();
  const pretty = env.LOG_FORMAT === "pretty" || (env.LOG_FORMAT === undefined && env.NODE_ENV === "development");
  // Synchronous: the last lines before a crash or process.exit are not lost.
  const stdout: DestinationStream = pretty ? loadPinoPretty()({ sync: true, translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname" }) : pino.destination({ fd: 1, sync: true });
  const destination: DestinationStream = { write: (line: string) => void (state.target ?? stdout).write(line) };
  const logger = pino(
    {
      level: env.LOG_LEVEL,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      mixin: contextFields,
      // The fields that hold secrets, by name (withoutSecretFields); then every line as written, for the values themselves.
      formatters: { level: (label) => ({ level: label }), log: withoutSecretFields },
      serializers: { err: errorWithoutSecretFields },
      hooks: { streamWrite: redactLine },
    },
    destination,
  );
  if (problem) logger.error(problem);
  return logger;
}

/** One logger per process (Next's dev server re-evaluates modules; the logger stays). */
export const log: Logger = (state.logger ??= createRootLogger());

/** A logger for one part of the app (`component` on each line). */
export function componentLog(component: string): Logger {
  return log.child({ component });
}

/** An error as a log field: pino's serializer keeps its message, type and stack. */
export function errorFields(error: unknown): { err: unknown } {
  return { err: error instanceof Error ? error : new Error(String(error)) };
}
