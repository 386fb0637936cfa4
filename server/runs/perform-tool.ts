import path from "node:path";
import type { Effect } from "../engine/decide";
import type { RunEvent } from "../engine/events";
import { compactToolContent } from "../engine/agent";
import { getEnv } from "../env";
import { runTool } from "../tools/registry";

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

/**
 * Runs one tool call and turns its outcome into a `tool_result` event. Never throws: a tool
 * failure is a result the agent (or the tool node) sees. Side-effecting tools get an
 * idempotency key `runId:seq:call`, so a retry after a worker crash is recognisable.
 */
export async function performToolCall(
  runId: string,
  effect: Extract<Effect, { kind: "call_tool" }>,
  signal?: AbortSignal,
): Promise<RunEvent> {
  const env = getEnv();
  const outcome = await runTool(effect.name, effect.args, {
    runId,
    idempotencyKey: `${runId}:${effect.idempotencyKey}`,
    workspaceDir: path.resolve(env.WORKSPACES_DIR, runId),
    signal,
    http: { allowlist: list(env.HTTP_ALLOWLIST), allowPrivateHosts: list(env.HTTP_ALLOW_PRIVATE_HOSTS) },
  });
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
