import { z } from "zod";

/**
 * The built-in agent tools as data: name, what the model is told, how risky a call is, whether
 * a human approves it by default, and the zod schema its arguments must satisfy.
 *
 * Pure on purpose (no I/O, only zod): the editor shows this catalog in the inspector, the
 * engine validates a model's tool call against it *before* committing a `tool_call` event, and
 * `server/tools/registry.ts` pairs each entry with the function that performs it.
 */

/**
 * - `read`: looks at the run's own workspace; nothing outside the run changes.
 * - `write`: changes the run's own workspace.
 * - `external`: reaches a system outside AgentFlow (may read *or* change it).
 * - `compute`: runs code in a sandbox with no I/O at all.
 */
export type ToolRisk = "read" | "write" | "external" | "compute";

/** Limits that are part of the tools' contract with the model (the schemas enforce them). */
export const TOOL_ARG_LIMITS = {
  urlChars: 8_192,
  httpBodyChars: 1_048_576,
  httpMaxTimeoutMs: 30_000,
  codeChars: 100_000,
  pathChars: 1_024,
  /** write_file content, in UTF-8 bytes (and therefore also in characters). */
  fileBytes: 1_048_576,
} as const;

export const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"] as const;

/**
 * A workspace credential's name, as `{{credentials.<name>}}` and http_request's `credential`
 * argument hold it (the one definition: templates, the graph schema and the vault use it).
 */
export const CREDENTIAL_NAME_PATTERN = /^[a-zA-Z][a-zA-Z0-9_-]{0,63}$/;

const workspacePath = z
  .string()
  .min(1, "path must not be empty")
  .max(TOOL_ARG_LIMITS.pathChars)
  .describe("Path relative to the run's workspace, with / as separator (no leading /, no ..)");

export const httpRequestArgs = z.strictObject({
  // The implementation re-checks the scheme (it must also vet redirects); refusing here
  // gives the model the reason before anything runs.
  url: z
    .url({ protocol: /^https?$/, error: "must be an absolute http:// or https:// URL" })
    .max(TOOL_ARG_LIMITS.urlChars)
    .describe("Absolute http:// or https:// URL"),
  method: z.enum(HTTP_METHODS).default("GET"),
  headers: z.record(z.string().min(1).max(256), z.string().max(8_192)).optional().describe("Request headers"),
  body: z.string().max(TOOL_ARG_LIMITS.httpBodyChars).optional().describe("Request body, sent as is"),
  credential: z
    .string()
    .regex(CREDENTIAL_NAME_PATTERN, { error: "must be the name of a credential (a letter, then letters, digits, _ or -)" })
    .optional()
    .describe(
      "Name of a workspace credential whose auth header (Authorization, or its own header) is added to the request. " +
        "Its value is filled in when the request is sent; you never see it.",
    ),
  timeoutMs: z
    .number()
    .int()
    .positive()
    .max(TOOL_ARG_LIMITS.httpMaxTimeoutMs)
    .optional()
    .describe("Total time for the request including redirects, in ms (default 10000)"),
});

export const CODE_LANGUAGES = ["javascript", "python"] as const;
export type CodeLanguage = (typeof CODE_LANGUAGES)[number];

export const runCodeArgs = z.strictObject({
  code: z
    .string()
    .min(1, "code must not be empty")
    .max(TOOL_ARG_LIMITS.codeChars)
    .describe(
      "The program. JavaScript: the result is the value of the last expression, or what a top-level `return` gives " +
        "(the code then runs as an async function body, so `await` works). Python: the result is the value of the " +
        "last expression, or else a variable named `result`. In both, `input` holds the input value.",
    ),
  // Optional with a default, so every call written before Python existed still means JavaScript.
  language: z
    .enum(CODE_LANGUAGES, { error: 'must be "javascript" or "python"' })
    .default("javascript")
    .describe('"javascript" (default) or "python" (Python 3 with its standard library only; no pip packages)'),
  input: z.unknown().optional().describe("Any JSON value, available to the code as `input`"),
});

export const readFileArgs = z.strictObject({ path: workspacePath });

export const writeFileArgs = z.strictObject({
  path: workspacePath,
  content: z
    .string()
    .max(TOOL_ARG_LIMITS.fileBytes)
    // Characters are not bytes: a 1M-character string of "é" is 2 MB on disk. The check is in
    // the schema (not only in the implementation) so an oversized write never starts.
    .refine((text) => utf8Length(text) <= TOOL_ARG_LIMITS.fileBytes, {
      message: `content must be at most ${TOOL_ARG_LIMITS.fileBytes} bytes of UTF-8`,
    })
    .describe("UTF-8 text to write (replaces the file)"),
});

export const listFilesArgs = z.strictObject({
  path: workspacePath.default(".").describe("Directory relative to the run's workspace (default: the workspace root)"),
});

export type ToolCatalogEntry<S extends z.ZodType = z.ZodType> = {
  name: string;
  description: string;
  risk: ToolRisk;
  /** The default for a tool node or agent allowlist entry; a builder may override it per node. */
  requiresApproval: boolean;
  argsSchema: S;
};

function entry<S extends z.ZodType>(value: ToolCatalogEntry<S>): ToolCatalogEntry<S> {
  return value;
}

export const TOOL_CATALOG = {
  http_request: entry({
    name: "http_request",
    description:
      "Make an HTTP(S) request to a public address and get the status, selected headers and the body as text " +
      "(truncated past 1 MB). Private, loopback and cloud-metadata addresses are refused; redirects are followed (max 5), " +
      "except to another origin when the request carries a credential.",
    risk: "external",
    // A POST/PUT/DELETE can change someone else's system and cannot be taken back, so a
    // person approves by default; a builder can waive it for read-only APIs.
    requiresApproval: true,
    argsSchema: httpRequestArgs,
  }),
  run_code: entry({
    name: "run_code",
    description:
      "Run JavaScript in a sandbox (no network, no files, no timers; about 2 s of CPU and 32 MB of memory) " +
      "and get its JSON result and console output.",
    risk: "compute",
    // Nothing leaves the sandbox except the result, so there is nothing to approve.
    requiresApproval: false,
    argsSchema: runCodeArgs,
  }),
  read_file: entry({
    name: "read_file",
    description: "Read a UTF-8 text file from this run's workspace.",
    risk: "read",
    requiresApproval: false,
    argsSchema: readFileArgs,
  }),
  write_file: entry({
    name: "write_file",
    description: "Create or replace a UTF-8 text file in this run's workspace (parent folders are created).",
    risk: "write",
    // The workspace belongs to this run alone; nothing outside the run sees the write.
    requiresApproval: false,
    argsSchema: writeFileArgs,
  }),
  list_files: entry({
    name: "list_files",
    description: "List the files and folders in a folder of this run's workspace.",
    risk: "read",
    requiresApproval: false,
    argsSchema: listFilesArgs,
  }),
} as const;

export type ToolName = keyof typeof TOOL_CATALOG;
export type ToolArgs<N extends ToolName> = z.output<(typeof TOOL_CATALOG)[N]["argsSchema"]>;

export const TOOL_NAMES = Object.keys(TOOL_CATALOG) as ToolName[];

export function isToolName(name: string): name is ToolName {
  return Object.hasOwn(TOOL_CATALOG, name);
}

/** The catalog entry for `name`, or undefined for a name that is not a built-in tool. */
export function toolCatalogEntry(name: string): (typeof TOOL_CATALOG)[ToolName] | undefined {
  return isToolName(name) ? TOOL_CATALOG[name] : undefined;
}

/**
 * JSON Schema of a tool's arguments as the model sends them (`io: "input"`: fields with a
 * default are optional), or undefined for an unknown tool.
 */
export function toolJsonSchema(name: string): Record<string, unknown> | undefined {
  const found = toolCatalogEntry(name);
  if (!found) return undefined;
  return z.toJSONSchema(found.argsSchema, { io: "input" }) as Record<string, unknown>;
}

export type ParsedToolArgs<N extends ToolName = ToolName> =
  | { ok: true; name: N; args: ToolArgs<N> }
  | { ok: false; error: string };

/**
 * Validate raw arguments (an object, or the JSON text a model sends) against the tool's schema.
 * Errors are compact `path: message` lines so they can go straight back into the model's context.
 */
export function parseToolArgs(name: string, rawArgs: unknown): ParsedToolArgs {
  if (!isToolName(name)) return { ok: false, error: `unknown tool: ${name.slice(0, 64)}` };
  let value = rawArgs;
  if (typeof rawArgs === "string") {
    try {
      value = JSON.parse(rawArgs.trim() === "" ? "{}" : rawArgs);
    } catch {
      return { ok: false, error: "arguments are not valid JSON" };
    }
  }
  if (value === undefined || value === null) value = {};
  const result = TOOL_CATALOG[name].argsSchema.safeParse(value);
  if (!result.success) return { ok: false, error: formatArgsIssues(result.error) };
  return { ok: true, name, args: result.data } as ParsedToolArgs;
}

/** One short `path: message` per problem (at most five), joined with "; ". */
export function formatArgsIssues(error: z.ZodError): string {
  const lines = error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.map(String).join(".") : "(root)"}: ${issue.message}`);
  if (error.issues.length > 5) lines.push(`(${error.issues.length - 5} more)`);
  return lines.join("; ");
}

/** UTF-8 byte length without TextEncoder allocations (strings here can be a megabyte). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}
