import path from "node:path";
import type { Effect } from "../engine/decide";
import type { RunEvent } from "../engine/events";
import type { GraphNode } from "../engine/graph";
import { compactToolContent } from "../engine/agent";
import type { Db } from "../db";
import { getEnv } from "../env";
import { boundOutcome, runTool, type ToolOutcome } from "../tools/registry";
import { callMcpTool } from "../mcp-client/call-tool";
import { mcpToolNamed, parseMcpToolArgs } from "../engine/agent-tools";
import { openCredentials } from "../vault/credential-store";
import { createRedactor } from "../vault/redact";
import { applyCredentials, planCredentials, type PreparedCall } from "../vault/tool-credentials";

/** Structured results larger than this are not stored in the log (the text content still is). */
const MAX_STORED_DATA_CHARS = 64_000;

function storableData(data: unknown): unknown {
  if (data === undefined) return undefined;
  let size: number;
  try {
    size = JSON.stringify(data)?.length ?? 0;
  } catch {
    // Nested too deep to serialise (thousands of levels): the text content still tells the story.
    return { truncated: true, note: "result nested too deeply to store; see the text content" };
  }
  return size <= MAX_STORED_DATA_CHARS ? data : { truncated: true, note: `result of ${size} characters not stored; see the text content` };
}

const list = (value: string) => value.split(",").map((item) => item.trim()).filter((item) => item !== "");

type ToolCall = Extract<Effect, { kind: "call_tool" }>;

/** What a call needs to use credentials: where to read them, for which workspace, and who asked. */
export type ToolCallContext = {
  db: Db;
  /** The run's workspace; asked only when the call uses a credential. */
  workspaceId: () => Promise<string>;
  /** The graph node that made the call: its builder's allowlist decides which credentials it may use. */
  node: GraphNode | undefined;
};

/**
 * Runs one tool call and turns its outcome into a `tool_result` event. A tool failure is a
 * result the agent (or the tool node) sees; only an unreachable credential store throws (the
 * job is retried, and the error names no value). Side-effecting tools get an
 * idempotency key `runId:seq:call`, so a retry after a worker crash is recognisable.
 *
 * Credentials: the names the node's builder allowed are resolved here, at call time, put into
 * the arguments, and every form of their values is redacted from the outcome before it becomes
 * the event — so the log, the state, SSE, exports and the model see `[redacted]` at most.
 */
export async function performToolCall(runId: string, effect: ToolCall, signal?: AbortSignal, context?: ToolCallContext): Promise<RunEvent> {
  const env = getEnv();
  // A tool of an MCP server the agent's builder picked: its server, tool and schema are on the node.
  const mcpTool = context?.node?.type === "agent" ? mcpToolNamed(effect.name, context.node.data.mcpTools) : undefined;
  if (mcpTool && context) {
    const parsed = parseMcpToolArgs(mcpTool, effect.args);
    if (!parsed.ok) return resultEvent(effect, { ok: false, error: `invalid arguments for ${effect.name}: ${parsed.error}` });
    return resultEvent(effect, boundOutcome(await callMcpTool(mcpTool, parsed.value, { db: context.db, workspaceId: context.workspaceId, signal })));
  }
  const prepared = await prepareCall(effect, context);
  if (!prepared.ok) return resultEvent(effect, { ok: false, error: prepared.error });
  const redactor = prepared.secrets.length > 0 ? createRedactor(prepared.secrets) : null;
  const outcome = await runTool(effect.name, prepared.args, {
    runId,
    idempotencyKey: `${runId}:${effect.idempotencyKey}`,
    workspaceDir: path.resolve(env.WORKSPACES_DIR, runId),
    signal,
    ...(redactor ? { redactText: redactor.text } : {}),
    http: {
      allowlist: list(env.HTTP_ALLOWLIST),
      allowPrivateHosts: list(env.HTTP_ALLOW_PRIVATE_HOSTS),
      ...(prepared.carried ? { credentials: prepared.carried } : {}),
    },
  });
  return resultEvent(effect, redactor ? redactOutcome(outcome, redactor) : outcome);
}

async function prepareCall(effect: ToolCall, context: ToolCallContext | undefined): Promise<({ ok: true } & PreparedCall) | { ok: false; error: string }> {
  const plan = planCredentials(effect, context?.node);
  if (!plan.ok) return plan;
  if (plan.names.length === 0) return { ok: true, args: effect.args, secrets: [] };
  if (!context) return { ok: false, error: "credentials cannot be resolved for this call" };
  const opened = await openCredentials(context.db, await context.workspaceId(), plan.names);
  const unreadable = plan.names.find((name) => opened.unreadable.includes(name));
  if (unreadable) {
    return {
      ok: false,
      error: `credential "${unreadable}" could not be decrypted (it was sealed with another vault key, or its row is damaged); an admin can rotate it`,
    };
  }
  return applyCredentials(effect, plan, opened.found);
}

/**
 * The last pass before commit, over everything the event will hold. The tool already redacted
 * its texts before clipping them; this also covers what it did not know to.
 */
function redactOutcome(outcome: ToolOutcome, redactor: ReturnType<typeof createRedactor>): ToolOutcome {
  if (!outcome.ok) return { ok: false, error: redactor.text(outcome.error) };
  let data: unknown;
  try {
    data = outcome.data === undefined ? undefined : redactor.value(outcome.data);
  } catch {
    // Not plain JSON (the redactor refuses what it cannot walk): not stored rather than unchecked.
    data = { redacted: true, note: "the structured result could not be checked for credentials and was not stored" };
  }
  return { ok: true, content: redactor.text(outcome.content), ...(data !== undefined ? { data } : {}) };
}

function resultEvent(effect: ToolCall, outcome: ToolOutcome): RunEvent {
  return {
    type: "tool_result",
    nodeId: effect.nodeId,
    toolCallId: effect.toolCallId,
    name: effect.name,
    ok: outcome.ok,
    content: compactToolContent(outcome.ok ? outcome.content : `Error: ${outcome.error}`),
    ...(outcome.ok && outcome.data !== undefined ? { data: storableData(outcome.data) } : {}),
  };
}
