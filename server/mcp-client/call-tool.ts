import type { McpToolRef } from "../engine/agent-tools";
import type { Db } from "../db";
import { getEnv, type Env } from "../env";
import { boundOutcome, type ToolOutcome } from "../tools/registry";
import { createRedactor } from "../vault/redact";
import { callToolRaw, closeQuietly, McpConnectionError, openMcpClient, type RawCallResult } from "./connect";
import { MCP_CONNECT_TIMEOUT_MS, mcpServerForCall, targetOf } from "./servers";

/**
 * An agent's call of an MCP server's tool, performed by the worker: the server is looked up
 * in the run's workspace (it may have been removed since the agent picked the tool), the
 * auth header opened from the vault, the call bounded by the server's timeout, and the
 * answer's text joined (the caller clips it like every tool's). An MCP `isError` result is a
 * tool error the model sees. Never throws for anything the server does.
 *
 * One connection per call: a server that hangs or drops cannot poison later calls, and the
 * cost (an initialize round trip, or a process start for stdio) is small next to a model call.
 */

export type McpCallContext = { db: Db; workspaceId: () => Promise<string>; signal?: AbortSignal; env?: Env };

/** Characters of text gathered from a result before the caller's clip (bounds memory on a huge answer). */
const MAX_GATHERED_CHARS = 64_000;

export async function callMcpTool(ref: McpToolRef, args: Record<string, unknown>, context: McpCallContext): Promise<ToolOutcome> {
  const env = context.env ?? getEnv();
  const row = await mcpServerForCall(context.db, await context.workspaceId(), ref.serverId);
  if (!row) return { ok: false, error: `the MCP server "${ref.serverName}" was removed from this workspace; the builder can pick another tool` };
  if (context.signal?.aborted) return { ok: false, error: "cancelled" };
  const timeoutMs = row.callTimeoutSeconds * 1000;
  try {
    const target = targetOf(row, env);
    // The auth header's value never reaches the log or the model, even when the server echoes it.
    const secrets = target.transport === "http" ? Object.values(target.headers).flatMap((value) => [value, value.replace(/^(Bearer|Basic|Token)\s+/i, "")]) : [];
    const redact = secrets.length > 0 ? createRedactor(secrets).text : undefined;
    const opened = await openMcpClient(target, { timeoutMs: Math.min(timeoutMs, MCP_CONNECT_TIMEOUT_MS), signal: context.signal });
    try {
      const result = await callToolRaw(opened, target, { name: ref.tool, arguments: args }, { timeoutMs, signal: context.signal });
      const outcome = boundOutcome(outcomeOf(ref, result), redact);
      // structuredContent is server data too: dropped rather than stored unchecked when a secret is in play.
      return redact && outcome.ok ? { ok: true, content: outcome.content, data: { server: ref.serverName, tool: ref.tool } } : outcome;
    } finally {
      await closeQuietly(opened.client);
    }
  } catch (error) {
    if (error instanceof McpConnectionError) return { ok: false, error: `${ref.tool} on MCP server "${row.name}": ${error.message}` };
    throw error;
  }
}

export function outcomeOf(ref: McpToolRef, result: RawCallResult): ToolOutcome {
  const text = textOf(result);
  if (result.isError === true) return { ok: false, error: text || `${ref.tool} reported an error without a message` };
  return {
    ok: true,
    content: text || "(the tool returned no text)",
    data: { server: ref.serverName, tool: ref.tool, ...(result.structuredContent !== undefined ? { structuredContent: result.structuredContent } : {}) },
  };
}

/** Text blocks joined; other blocks (images, audio, resources) named, never inlined. */
function textOf(result: RawCallResult): string {
  const parts: string[] = [];
  let size = 0;
  for (const block of result.content ?? []) {
    if (size > MAX_GATHERED_CHARS) break;
    const part = describeBlock(block);
    parts.push(part);
    size += part.length + 1;
  }
  if (parts.length === 0 && result.structuredContent !== undefined) {
    try {
      parts.push(JSON.stringify(result.structuredContent).slice(0, MAX_GATHERED_CHARS));
    } catch {
      parts.push("[structured content that cannot be shown as JSON]");
    }
  }
  return parts.join("\n").slice(0, MAX_GATHERED_CHARS);
}

function describeBlock(block: unknown): string {
  if (!block || typeof block !== "object") return "";
  const { type, text, mimeType, resource } = block as { type?: unknown; text?: unknown; mimeType?: unknown; resource?: { uri?: unknown; text?: unknown } };
  if (type === "text" && typeof text === "string") return text.slice(0, MAX_GATHERED_CHARS);
  if (type === "resource" && resource && typeof resource.text === "string") return resource.text.slice(0, MAX_GATHERED_CHARS);
  if (type === "resource_link" || type === "resource") return `[resource ${String((block as { uri?: unknown }).uri ?? resource?.uri ?? "")}]`;
  return `[${String(type)} content${typeof mimeType === "string" ? ` (${mimeType})` : ""} not shown]`;
}
