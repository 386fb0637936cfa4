import {
  TOOL_CATALOG,
  parseToolArgs,
  toolCatalogEntry,
  type ToolArgs,
  type ToolCatalogEntry,
  type ToolName,
} from "../engine/tools/catalog";
import { httpRequest, type CarriedCredentials, type HttpResponseSummary } from "./http-request";
import { runCode } from "./run-code";
import { runPython } from "./run-python";
import { listWorkspaceFiles, readWorkspaceFile, writeWorkspaceFile } from "./workspace-files";

/**
 * The built-in tools: each catalog entry (schema, risk, approval default) paired with the
 * function that performs it. The worker calls `runTool` with the model's raw arguments; it
 * validates them first and turns every outcome — including bugs — into a `ToolOutcome`, so
 * a tool call can always be committed as a `tool_result` event and shown to the model.
 */

export type ToolContext = {
  runId: string;
  /** `runId:seq` of the tool_call event: stable across retries, sent to external systems. */
  idempotencyKey: string;
  /** This run's workspace directory (created on first write). */
  workspaceDir: string;
  signal?: AbortSignal;
  /**
   * Removes credential values from text the tool reports, applied before anything is clipped
   * to a length limit (a secret cut in half is no longer recognisable). Set by the worker when
   * the call carries credentials.
   */
  redactText?: (text: string) => string;
  http?: {
    /** When non-empty, only these hosts (`api.example.com`, `*.example.com`) may be called. */
    allowlist?: string[];
    /** Tests only: hosts exempt from the private-address rule. Leave empty in production. */
    allowPrivateHosts?: string[];
    /** Credentials already substituted into the arguments or picked: where they may go. */
    credentials?: CarriedCredentials;
  };
};

export type ToolOutcome =
  | {
      ok: true;
      /** Compact text for the model's context, at most MAX_CONTENT_CHARS. */
      content: string;
      /** The full structured result, for the run log and the canvas. */
      data?: unknown;
    }
  | { ok: false; error: string };

export const MAX_CONTENT_CHARS = 8_000;
const MAX_ERROR_CHARS = 1_000;

export type ToolDefinition<N extends ToolName = ToolName> = ToolCatalogEntry<(typeof TOOL_CATALOG)[N]["argsSchema"]> & {
  run: (args: ToolArgs<N>, ctx: ToolContext) => Promise<ToolOutcome>;
};

type Registry = { [N in ToolName]: ToolDefinition<N> };

/** Any one tool's definition (a union, so `run`'s argument type stays tied to its tool). */
export type AnyToolDefinition = Registry[ToolName];

export const TOOL_REGISTRY: Registry = {
  http_request: {
    ...TOOL_CATALOG.http_request,
    async run(args, ctx) {
      // The worker resolves a picked credential before the call; without it, never send the request bare.
      if (args.credential !== undefined && ctx.http?.credentials?.picked?.name !== args.credential) {
        return { ok: false, error: `credential "${args.credential}" was not resolved for this call` };
      }
      const result = await httpRequest(args, {
        allowlist: ctx.http?.allowlist,
        allowPrivateHosts: ctx.http?.allowPrivateHosts,
        credentials: ctx.http?.credentials,
        redactText: ctx.redactText,
        signal: ctx.signal,
        idempotencyKey: ctx.idempotencyKey,
      });
      if (!result.ok) return result;
      const data: HttpResponseSummary = {
        status: result.status,
        statusText: result.statusText,
        url: result.url,
        redirects: result.redirects,
        headers: result.headers,
        body: result.body,
        bodyBytes: result.bodyBytes,
        truncated: result.truncated,
        binary: result.binary,
      };
      return { ok: true, content: formatHttp(data), data };
    },
  },
  run_code: {
    ...TOOL_CATALOG.run_code,
    async run(args, ctx) {
      const code = { code: args.code, input: args.input };
      const result = args.language === "python" ? await runPython(code, { signal: ctx.signal }) : await runCode(code, { signal: ctx.signal });
      if (!result.ok) {
        const logs = result.console ? `\n${args.language === "python" ? "output" : "console"}:\n${result.console}` : "";
        return { ok: false, error: `${result.error}${logs}` };
      }
      const lines = [`result: ${result.resultJson ?? "undefined"}`];
      const outputLabel = args.language === "python" ? "output" : "console";
      if (result.console) lines.push(`${outputLabel}${result.consoleTruncated ? " (truncated)" : ""}:\n${result.console.trimEnd()}`);
      return {
        ok: true,
        content: lines.join("\n"),
        data: { result: result.result, console: result.console, consoleTruncated: result.consoleTruncated, durationMs: result.durationMs },
      };
    },
  },
  read_file: {
    ...TOOL_CATALOG.read_file,
    async run(args, ctx) {
      const result = await readWorkspaceFile(ctx.workspaceDir, args.path);
      if (!result.ok) return result;
      if (result.binary) return { ok: true, content: `${result.path}: binary file, ${result.bytes} bytes (not shown)`, data: { path: result.path, bytes: result.bytes, binary: true } };
      const note = result.truncated ? `\n[file truncated: read the first ${result.content.length} of ${result.bytes} bytes]` : "";
      return { ok: true, content: `${result.content}${note}`, data: { path: result.path, bytes: result.bytes, truncated: result.truncated } };
    },
  },
  write_file: {
    ...TOOL_CATALOG.write_file,
    async run(args, ctx) {
      const result = await writeWorkspaceFile(ctx.workspaceDir, args.path, args.content);
      if (!result.ok) return result;
      return { ok: true, content: `${result.created ? "created" : "replaced"} ${result.path} (${result.bytes} bytes)`, data: result };
    },
  },
  list_files: {
    ...TOOL_CATALOG.list_files,
    async run(args, ctx) {
      const result = await listWorkspaceFiles(ctx.workspaceDir, args.path);
      if (!result.ok) return result;
      const lines = result.entries.map((entry) =>
        entry.type === "file" ? `${entry.name} (${entry.bytes ?? 0} bytes)` : entry.type === "directory" ? `${entry.name}/` : `${entry.name} [${entry.type}]`,
      );
      if (result.truncated) lines.push(`[only the first ${result.entries.length} entries are shown]`);
      return { ok: true, content: lines.length ? lines.join("\n") : `${result.path} is empty`, data: result };
    },
  },
};

/** The definition for a built-in tool, or undefined. */
export function getTool(name: string): AnyToolDefinition | undefined {
  return toolCatalogEntry(name) ? TOOL_REGISTRY[name as ToolName] : undefined;
}

/**
 * Validate `rawArgs` (an object, or the JSON text a model sent) against the tool's schema and
 * run it. Invalid arguments come back as `ok: false` with compact `path: message` errors and
 * the tool never runs. Never throws.
 */
export async function runTool(name: string, rawArgs: unknown, ctx: ToolContext): Promise<ToolOutcome> {
  const redact = ctx.redactText ?? ((text: string) => text);
  const parsed = parseToolArgs(name, rawArgs);
  if (!parsed.ok) return { ok: false, error: clip(redact(`invalid arguments for ${name.slice(0, 64)}: ${parsed.error}`), MAX_ERROR_CHARS) };
  if (ctx.signal?.aborted) return { ok: false, error: "cancelled" };
  try {
    return boundOutcome(await dispatch(parsed.name, parsed.args, ctx), redact);
  } catch (error) {
    // A bug in a tool must not take the run down with it; the model sees a short error.
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, error: clip(redact(`internal error in ${name}: ${message}`), MAX_ERROR_CHARS) };
  }
}

/** A tool's texts redacted, then clipped: what every tool (built-in or an MCP server's) reports. */
export function boundOutcome(outcome: ToolOutcome, redact: (text: string) => string = (text) => text): ToolOutcome {
  return outcome.ok
    ? { ...outcome, content: clip(redact(outcome.content), MAX_CONTENT_CHARS) }
    : { ok: false, error: clip(redact(outcome.error), MAX_ERROR_CHARS) };
}

/** Narrows the name/args pair back to one tool (TypeScript cannot correlate the union itself). */
function dispatch(name: ToolName, args: unknown, ctx: ToolContext): Promise<ToolOutcome> {
  switch (name) {
    case "http_request":
      return TOOL_REGISTRY.http_request.run(args as ToolArgs<"http_request">, ctx);
    case "run_code":
      return TOOL_REGISTRY.run_code.run(args as ToolArgs<"run_code">, ctx);
    case "read_file":
      return TOOL_REGISTRY.read_file.run(args as ToolArgs<"read_file">, ctx);
    case "write_file":
      return TOOL_REGISTRY.write_file.run(args as ToolArgs<"write_file">, ctx);
    case "list_files":
      return TOOL_REGISTRY.list_files.run(args as ToolArgs<"list_files">, ctx);
  }
}

function formatHttp(response: HttpResponseSummary): string {
  const head = [`HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""}${response.redirects ? ` (after ${response.redirects} redirects, from ${response.url})` : ""}`];
  for (const [name, value] of Object.entries(response.headers)) head.push(`${name}: ${value}`);
  let body = response.body;
  if (response.binary) body = `[binary body: ${response.bodyBytes} bytes of ${response.headers["content-type"] ?? "unknown type"}, not shown]`;
  else if (response.truncated) body += `\n[body truncated at ${response.bodyBytes} bytes]`;
  const text = `${head.join("\n")}\n\n${body}`;
  if (text.length <= MAX_CONTENT_CHARS) return text;
  const note = `\n[showing the first part of ${response.body.length} characters; the full body is in the step's data]`;
  return `${text.slice(0, MAX_CONTENT_CHARS - note.length)}${note}`;
}

function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const note = "…[truncated]";
  return `${text.slice(0, max - note.length)}${note}`;
}
