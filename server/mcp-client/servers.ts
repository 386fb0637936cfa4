import { z } from "zod";
import type { Db } from "../db";
import { getEnv, type Env } from "../env";
import { NotFoundError, UserInputError } from "../errors";
import { newId } from "../ids";
import { appSecret } from "../auth/app-secrets";
import type { WorkspaceAccess } from "../auth/access";
import { auditFor } from "../audit/audit";
import { decryptSecret, encryptSecret } from "../vault/cipher";
import { inputSchemaProblem, mcpToolName } from "../engine/agent-tools";
import { closeQuietly, listToolsRaw, McpConnectionError, openMcpClient, stdioAllowlist, type McpTarget } from "./connect";

/**
 * MCP servers a workspace adds in Settings → MCP servers, whose tools its agents may call.
 * A server is reached over Streamable HTTP (its URL vetted like http_request's, an optional
 * auth header whose value is sealed with the vault key and never leaves this module) or, when
 * the operator allows it, as a local command over stdio. "Test / refresh tools" stores a
 * snapshot of the server's tools; a tool whose input schema is not a JSON Schema object is
 * kept as refused, with the reason, and never offered to agents.
 */

/** Connecting and listing tools, each bounded by this. */
export const MCP_CONNECT_TIMEOUT_MS = 10_000;

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9 _.-]{0,59}$/;
const HEADER_NAME_PATTERN = /^[A-Za-z0-9-]{1,100}$/;

const nameSchema = z
  .string()
  .trim()
  .regex(NAME_PATTERN, { error: "a name starts with a letter or digit and has at most 60 letters, digits, spaces, _, . or -" });
const urlSchema = z
  .string()
  .trim()
  .max(2_000)
  .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), { error: "must be an http(s) URL" });
const headerNameSchema = z.string().trim().regex(HEADER_NAME_PATTERN, { error: "a header name has letters, digits and -" });
const authValueSchema = z.string().max(8_000).refine((value) => !/[\r\n]/.test(value), { error: "must be one line" });
const timeoutSchema = z.number().int().min(1).max(300);

export const createMcpServerSchema = z.discriminatedUnion("transport", [
  z.object({
    transport: z.literal("http"),
    name: nameSchema,
    url: urlSchema,
    authHeaderName: headerNameSchema.default("Authorization"),
    /** The header's whole value (e.g. "Bearer sk-…"); sealed, never shown again. */
    authValue: authValueSchema.optional(),
    callTimeoutSeconds: timeoutSchema.default(30),
  }),
  z.object({
    transport: z.literal("stdio"),
    name: nameSchema,
    /** One of the operator's MCP_STDIO_COMMANDS, exactly. */
    command: z.string().trim().min(1).max(2_000),
    callTimeoutSeconds: timeoutSchema.default(30),
  }),
]);

export const updateMcpServerSchema = z.object({
  id: z.string().min(1).max(100),
  url: urlSchema.optional(),
  authHeaderName: headerNameSchema.optional(),
  /** "" removes the stored value; left out keeps it. */
  authValue: authValueSchema.optional(),
  callTimeoutSeconds: timeoutSchema.optional(),
});

/** One tool of the last snapshot, as stored in McpServer.tools. */
export const storedToolSchema = z.object({
  tool: z.string(),
  description: z.string(),
  inputSchema: z.unknown(),
  annotations: z.record(z.string(), z.unknown()).nullable(),
  destructive: z.boolean(),
  /** Why the tool is not offered to agents; null when it is. */
  refused: z.string().nullable(),
});
export type StoredTool = z.infer<typeof storedToolSchema>;

type McpServerRow = {
  id: string;
  workspaceId: string;
  name: string;
  transport: string;
  url: string | null;
  command: string | null;
  authHeaderName: string;
  sealedAuthValue: string | null;
  callTimeoutSeconds: number;
  tools: unknown;
  toolsRefreshedAt: Date | null;
  lastError: string | null;
  createdAt: Date;
};

function aad(workspaceId: string, serverId: string): string {
  return `mcp-server:${workspaceId}:${serverId}`;
}

function sealValue(workspaceId: string, serverId: string, value: string): string {
  return encryptSecret(appSecret("credentials:v1"), value, aad(workspaceId, serverId));
}

function openValue(row: McpServerRow): string | null {
  return row.sealedAuthValue ? decryptSecret(appSecret("credentials:v1"), row.sealedAuthValue, aad(row.workspaceId, row.id)) : null;
}

export function storedTools(row: Pick<McpServerRow, "tools">): StoredTool[] {
  const parsed = z.array(storedToolSchema).safeParse(row.tools);
  return parsed.success ? parsed.data : [];
}

/** What a client sees of a server: never the auth value, only whether one is set. */
function present(row: McpServerRow) {
  return {
    id: row.id,
    name: row.name,
    transport: row.transport === "stdio" ? ("stdio" as const) : ("http" as const),
    url: row.url,
    command: row.command,
    authHeaderName: row.authHeaderName,
    authValueSet: row.sealedAuthValue !== null,
    callTimeoutSeconds: row.callTimeoutSeconds,
    tools: storedTools(row),
    toolsRefreshedAt: row.toolsRefreshedAt,
    lastError: row.lastError,
    createdAt: row.createdAt,
  };
}

export async function listMcpServers(db: Db, workspaceId: string, env: Env = getEnv()) {
  const rows = await db.mcpServer.findMany({ where: { workspaceId }, orderBy: { name: "asc" } });
  return { servers: rows.map(present), stdioCommands: stdioAllowlist(env.MCP_STDIO_COMMANDS) };
}

async function rowIn(db: Db, workspaceId: string, id: string): Promise<McpServerRow> {
  const row = await db.mcpServer.findFirst({ where: { id, workspaceId } });
  if (!row) throw new NotFoundError(`MCP server ${id}`);
  return row;
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Error && "code" in error && error.code === "P2002";
}

function checkStdioCommand(command: string, env: Env): string {
  const allowed = stdioAllowlist(env.MCP_STDIO_COMMANDS);
  const normalised = command.trim().split(/\s+/).join(" ");
  if (allowed.length === 0) throw new UserInputError("Local (stdio) MCP servers are disabled on this server (the operator sets MCP_STDIO_COMMANDS)", "command");
  if (!allowed.includes(normalised)) throw new UserInputError(`"${normalised.slice(0, 200)}" is not one of the commands the operator allows (MCP_STDIO_COMMANDS)`, "command");
  return normalised;
}

export async function createMcpServer(db: Db, access: WorkspaceAccess, raw: z.input<typeof createMcpServerSchema>, env: Env = getEnv()) {
  const input = createMcpServerSchema.parse(raw);
  const id = newId("mcp");
  const command = input.transport === "stdio" ? checkStdioCommand(input.command, env) : null;
  const audit = auditFor(access);
  try {
    await db.$transaction(async (tx) => {
      await tx.mcpServer.create({
        data: {
          id,
          workspaceId: access.workspaceId,
          name: input.name,
          transport: input.transport,
          url: input.transport === "http" ? input.url : null,
          command,
          authHeaderName: input.transport === "http" ? input.authHeaderName : "Authorization",
          sealedAuthValue: input.transport === "http" && input.authValue ? sealValue(access.workspaceId, id, input.authValue) : null,
          callTimeoutSeconds: input.callTimeoutSeconds,
          createdById: access.actor.kind === "user" ? access.actor.id : null,
        },
      });
      await audit(tx, "mcp_server.created", { kind: "mcp_server", id, name: input.name }, {
        transport: input.transport,
        ...(input.transport === "http" ? { url: input.url, authHeader: input.authValue ? input.authHeaderName : null } : { command }),
      });
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new UserInputError(`An MCP server named "${input.name}" already exists`, "name");
    throw error;
  }
  return { id, name: input.name };
}

/** The name and transport stay (agents refer to the server). A field left out keeps its value. */
export async function updateMcpServer(db: Db, access: WorkspaceAccess, raw: z.input<typeof updateMcpServerSchema>) {
  const input = updateMcpServerSchema.parse(raw);
  const row = await rowIn(db, access.workspaceId, input.id);
  if (row.transport !== "http" && (input.url !== undefined || input.authValue !== undefined || input.authHeaderName !== undefined)) {
    throw new UserInputError("A local (stdio) server has no URL or auth header", "url");
  }
  await db.$transaction(async (tx) => {
    await tx.mcpServer.update({
      where: { id: row.id },
      data: {
        ...(input.url !== undefined ? { url: input.url } : {}),
        ...(input.authHeaderName !== undefined ? { authHeaderName: input.authHeaderName } : {}),
        ...(input.authValue !== undefined ? { sealedAuthValue: input.authValue ? sealValue(row.workspaceId, row.id, input.authValue) : null } : {}),
        ...(input.callTimeoutSeconds !== undefined ? { callTimeoutSeconds: input.callTimeoutSeconds } : {}),
      },
    });
    await auditFor(access)(tx, "mcp_server.updated", { kind: "mcp_server", id: row.id, name: row.name }, {
      changed: Object.keys(input).filter((key) => key !== "id" && key !== "authValue").concat(input.authValue !== undefined ? ["authValue"] : []),
    });
  });
  return { ok: true as const };
}

export async function deleteMcpServer(db: Db, access: WorkspaceAccess, id: string) {
  const row = await rowIn(db, access.workspaceId, id);
  await db.$transaction(async (tx) => {
    await tx.mcpServer.delete({ where: { id: row.id } });
    await auditFor(access)(tx, "mcp_server.deleted", { kind: "mcp_server", id: row.id, name: row.name });
  });
  return { ok: true as const };
}

function privateHostsAllowed(env: Env): string[] {
  return env.HTTP_ALLOW_PRIVATE_HOSTS.split(",").map((host) => host.trim()).filter(Boolean);
}

/**
 * How to reach a server now: its URL with the opened auth header, or its command — refused
 * when the operator has since removed it from the allowlist.
 */
export function targetOf(row: McpServerRow, env: Env = getEnv()): McpTarget {
  if (row.transport === "stdio") {
    const commandLine = row.command ?? "";
    if (!stdioAllowlist(env.MCP_STDIO_COMMANDS).includes(commandLine)) {
      throw new McpConnectionError(`the command "${commandLine.slice(0, 200)}" is no longer allowed by the operator (MCP_STDIO_COMMANDS)`);
    }
    return { transport: "stdio", commandLine };
  }
  let value: string | null;
  try {
    value = openValue(row);
  } catch {
    throw new McpConnectionError("the auth header value could not be decrypted (it was sealed with another vault key); enter it again");
  }
  return {
    transport: "http",
    url: row.url ?? "",
    headers: value !== null ? { [row.authHeaderName]: value } : {},
    allowPrivateHosts: privateHostsAllowed(env),
  };
}

/** The server row for a call, in the run's workspace. */
export async function mcpServerForCall(db: Db, workspaceId: string, id: string): Promise<McpServerRow | null> {
  return db.mcpServer.findFirst({ where: { id, workspaceId } });
}

const toolShape = z.looseObject({
  name: z.string().min(1).max(200),
  description: z.string().optional(),
  inputSchema: z.unknown(),
  annotations: z.record(z.string(), z.unknown()).optional(),
});

/** Each listed tool, checked on its own: usable ones with their schema, the rest refused with the reason. */
export function snapshotTools(rawTools: unknown[]): StoredTool[] {
  const tools: StoredTool[] = [];
  for (const [index, raw] of rawTools.slice(0, 500).entries()) {
    const parsed = toolShape.safeParse(raw);
    if (!parsed.success) {
      const name = raw && typeof raw === "object" && typeof (raw as { name?: unknown }).name === "string" ? (raw as { name: string }).name.slice(0, 200) : `tool #${index + 1}`;
      tools.push({ tool: name, description: "", inputSchema: null, annotations: null, destructive: false, refused: "the server's description of this tool is malformed (it needs a name and an inputSchema)" });
      continue;
    }
    const { name, description, inputSchema, annotations } = parsed.data;
    const problem = inputSchemaProblem(inputSchema);
    tools.push({
      tool: name,
      description: (description ?? "").slice(0, 5_000),
      inputSchema: problem ? null : inputSchema,
      annotations: annotations ?? null,
      destructive: annotations?.destructiveHint === true,
      refused: problem ? `not a valid JSON Schema object: ${problem}` : null,
    });
  }
  return tools;
}

export type RefreshResult = { ok: true; tools: StoredTool[] } | { ok: false; error: string };

/** "Test / refresh tools": connect, list, store the snapshot (or the error) on the row. */
export async function refreshMcpServerTools(db: Db, workspaceId: string, id: string, env: Env = getEnv()): Promise<RefreshResult> {
  const row = await rowIn(db, workspaceId, id);
  let result: RefreshResult;
  try {
    const target = targetOf(row, env);
    const opened = await openMcpClient(target, { timeoutMs: MCP_CONNECT_TIMEOUT_MS });
    try {
      result = { ok: true, tools: snapshotTools(await listToolsRaw(opened, target, { timeoutMs: MCP_CONNECT_TIMEOUT_MS })) };
    } finally {
      await closeQuietly(opened.client);
    }
  } catch (error) {
    if (!(error instanceof McpConnectionError)) throw error;
    result = { ok: false, error: error.message };
  }
  if (result.ok) {
    await db.mcpServer.update({ where: { id: row.id }, data: { tools: JSON.parse(JSON.stringify(result.tools)), toolsRefreshedAt: new Date(), lastError: null } });
  } else {
    // The last good snapshot stays: agents that picked its tools keep their schemas.
    await db.mcpServer.update({ where: { id: row.id }, data: { lastError: result.error } });
  }
  return result;
}

/**
 * The tools the agent inspector offers, grouped by server: only usable ones, each with the
 * name the model would call it by (unique against built-ins; the inspector makes it unique
 * within the agent when picked).
 */
export async function mcpToolChoices(db: Db, workspaceId: string) {
  const rows = await db.mcpServer.findMany({ where: { workspaceId }, orderBy: { name: "asc" } });
  return rows.map((row) => ({
    serverId: row.id,
    serverName: row.name,
    tools: storedTools(row)
      .filter((tool) => tool.refused === null)
      .map((tool) => ({
        tool: tool.tool,
        suggestedName: mcpToolName(row.name, tool.tool),
        description: tool.description,
        inputSchema: tool.inputSchema as Record<string, unknown>,
        destructive: tool.destructive,
      })),
  }));
}
