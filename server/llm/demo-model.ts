import { createHash } from "node:crypto";
import { z } from "zod";
import { handleAnthropicMessages } from "./demo-model-anthropic";

/**
 * The built-in demo model: an OpenAI-wire-compatible `/v1/chat/completions` endpoint that
 * answers deterministically from the task text, with tool calls and streaming. A fresh
 * install runs its sample workflows on it, and tests exercise the same HTTP path the
 * real providers use. It is a standard `Request → Response` handler, so it is served by a
 * Next.js route and can be mounted on a plain Node server too.
 */

export const DEMO_MODEL_NAME = "agentflow-demo-1";

const messageSchema = z.object({
  role: z.enum(["system", "user", "assistant", "tool", "developer"]),
  content: z.union([z.string(), z.null(), z.array(z.object({ type: z.string(), text: z.string().optional() }))]).optional(),
  tool_calls: z
    .array(z.object({ id: z.string(), type: z.literal("function"), function: z.object({ name: z.string(), arguments: z.string() }) }))
    .optional(),
  tool_call_id: z.string().optional(),
});

const requestSchema = z.object({
  model: z.string(),
  messages: z.array(messageSchema).min(1),
  tools: z
    .array(z.object({ type: z.literal("function"), function: z.object({ name: z.string() }).passthrough() }))
    .optional(),
  stream: z.boolean().optional(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).optional(),
  temperature: z.number().optional(),
});

export type DemoRequest = z.infer<typeof requestSchema>;
type DemoMessage = z.infer<typeof messageSchema>;

export type DemoReply =
  | { kind: "text"; content: string }
  /** `content`: what the model says alongside the call (its reason), if anything. */
  | { kind: "tool_call"; name: string; arguments: string; content?: string };

function textOf(message: DemoMessage | undefined): string {
  const content = message?.content;
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content.map((part) => part.text ?? "").join("");
  return "";
}

/** ~4 characters per token: close enough for demo usage figures and budgets. */
export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

/** The deterministic answer to a task: restates it and picks its key terms. */
export function demoAnswer(task: string): string {
  const normalized = task.replace(/\s+/g, " ").trim();
  const words = normalized.toLowerCase().match(/[a-z0-9][a-z0-9-]{3,}/g) ?? [];
  const keyTerms = [...new Set(words)].sort((a, b) => b.length - a.length || a.localeCompare(b)).slice(0, 3);
  const headline = normalized.length > 160 ? `${normalized.slice(0, 157)}...` : normalized;
  return [
    `Demo answer to: "${headline}"`,
    `The task has ${words.length} significant words; key terms: ${keyTerms.join(", ") || "none"}.`,
  ].join("\n");
}

/**
 * Fault modes, for tests and demos of the runtime's resilience, are written into the
 * conversation (system prompt or task): `#demo:429:2` (answer 429 with Retry-After the first
 * 2 times), `#demo:500:1`, `#demo:malformed:1` (a 200 whose body is not JSON), `#demo:slow:1500`
 * (wait 1.5 s), `#demo:hang` (never answer), `#demo:invalid-args` (first call's tool
 * arguments do not match the schema).
 *
 * Not a fault: `#demo:drip:<ms>` streams the reply word by word, `<ms>` apart (a model that
 * types slowly, for live-token tests, screenshots and the time-to-first-token bench); without
 * it a streamed reply is sent at once.
 */
export type FaultMode =
  | { kind: "status"; status: 429 | 500; times: number }
  | { kind: "malformed"; times: number }
  | { kind: "slow"; ms: number }
  | { kind: "hang" }
  | { kind: "invalid-args" };

const FAULT_PATTERN = /#demo:(429|500|malformed|slow|hang|invalid-args)(?::(\d+))?/g;

const DRIP_PATTERN = /#demo:drip:(\d+)/;
const MAX_DRIP_MS = 5_000;

/** Milliseconds between streamed pieces asked for by `#demo:drip:<ms>` (0: send them at once). */
export function dripMs(request: DemoRequest): number {
  const match = DRIP_PATTERN.exec(request.messages.map(textOf).join("\n"));
  return match ? Math.min(Number(match[1]), MAX_DRIP_MS) : 0;
}

/**
 * How a streamed text is cut: word by word (each word with the spaces after it) when dripping,
 * as a model's tokens arrive; otherwise in pieces of 24 characters, the way servers batch them.
 */
export function streamPieces(text: string, drip: number): string[] {
  if (text === "") return [];
  return (drip > 0 ? text.match(/\s*\S+\s*|\s+/g) : text.match(/[\s\S]{1,24}/g)) ?? [text];
}

export function faultModes(text: string): FaultMode[] {
  return [...text.matchAll(FAULT_PATTERN)].map((match): FaultMode => {
    const n = match[2] === undefined ? undefined : Number(match[2]);
    switch (match[1]) {
      case "429":
        return { kind: "status", status: 429, times: n ?? 1 };
      case "500":
        return { kind: "status", status: 500, times: n ?? 1 };
      case "malformed":
        return { kind: "malformed", times: n ?? 1 };
      case "slow":
        return { kind: "slow", ms: Math.min(n ?? 1000, 120_000) };
      case "hang":
        return { kind: "hang" };
      default:
        return { kind: "invalid-args" };
    }
  });
}

/** How often each conversation has hit a counted fault, so "fail twice then answer" works. */
const faultCounts = new Map<string, number>();
const MAX_TRACKED_CONVERSATIONS = 10_000;

function takeFault(conversationId: string, mode: string, times: number): boolean {
  const key = `${conversationId}:${mode}`;
  const seen = faultCounts.get(key) ?? 0;
  if (seen >= times) return false;
  if (faultCounts.size >= MAX_TRACKED_CONVERSATIONS) faultCounts.clear();
  faultCounts.set(key, seen + 1);
  return true;
}

/**
 * Scripted tool use, so demos and tests can drive real tools through the model path: each
 * `#demo:call:<tool> <json arguments>` line in the task is one call, made in order, one per
 * turn; `#demo:ask:<question>` asks a person through request_human_input; a `#demo:say:<text>`
 * line before a call is what the model says with it (the reason a reviewer sees).
 */
export function scriptedCalls(task: string): { name: string; arguments: string; say?: string }[] {
  const calls: { name: string; arguments: string; say?: string }[] = [];
  let say: string | undefined;
  const push = (name: string, args: string) => {
    calls.push({ name, arguments: args, ...(say ? { say } : {}) });
    say = undefined;
  };
  for (const line of task.split("\n")) {
    const said = /#demo:say:(.+)$/.exec(line);
    if (said) say = (said[1] as string).trim();
    const call = /#demo:call:([a-zA-Z0-9_-]+)\s+(\{.*\})\s*$/.exec(line);
    if (call) push(call[1] as string, call[2] as string);
    const ask = /#demo:ask:(.+)$/.exec(line);
    if (ask) push("request_human_input", JSON.stringify({ question: (ask[1] as string).trim() }));
  }
  return calls;
}

export function decideReply(request: DemoRequest): DemoReply {
  const toolNames = new Set((request.tools ?? []).map((tool) => tool.function.name));
  // The task is the first user message; later user messages may be compaction summaries.
  const task = textOf(request.messages.find((m) => m.role === "user"));
  const answer = demoAnswer(task);
  const toolMessages = request.messages.filter((m) => m.role === "tool");
  const wantsInvalidArgs = faultModes(request.messages.map(textOf).join("\n")).some((f) => f.kind === "invalid-args");
  if (toolNames.has("complete_task") && wantsInvalidArgs && toolMessages.length === 0) {
    return { kind: "tool_call", name: "complete_task", arguments: JSON.stringify({ answer: answer }) };
  }
  const next = scriptedCalls(task)[toolMessages.length];
  if (next && toolNames.has(next.name)) return { kind: "tool_call", name: next.name, arguments: next.arguments, ...(next.say ? { content: next.say } : {}) };
  const routerTool = request.tools?.find((tool) => tool.function.name === "choose_branch");
  if (routerTool) return chooseBranch(task, routerTool.function);
  const results = toolMessages.map((m) => textOf(m)).filter((text) => text !== "");
  const result = results.length > 0 ? `${answer}\nTool results:\n${results.map((r) => `- ${r.slice(0, 400)}`).join("\n")}` : answer;
  if (toolNames.has("complete_task")) {
    return { kind: "tool_call", name: "complete_task", arguments: JSON.stringify({ result }) };
  }
  return { kind: "text", content: result };
}

/**
 * A router's call (server/engine/router.ts), answered deterministically: the branch whose name
 * and description share the most word stems with the input (the first on a tie), read from the
 * "- name: description" lines of the tool's description.
 */
function chooseBranch(task: string, tool: { name: string; description?: unknown }): DemoReply {
  // Compared by their first five letters: "refund" matches "refunds", "charged" matches "charges".
  const words = (text: string) => new Set((text.toLowerCase().match(/[a-z0-9]{4,}/g) ?? []).map((word) => word.slice(0, 5)));
  const said = words(task);
  const branches = [...String(tool.description ?? "").matchAll(/^- ([a-z0-9][a-z0-9_-]*): (.*)$/gm)].map((match) => ({ name: match[1] as string, text: `${match[1]} ${match[2]}` }));
  let best = branches[0];
  let bestScore = -1;
  for (const branch of branches) {
    const score = [...words(branch.text)].filter((word) => said.has(word)).length;
    if (score > bestScore) {
      best = branch;
      bestScore = score;
    }
  }
  const reason = bestScore > 0 ? `The message shares ${bestScore} key word(s) with "${best?.name}".` : "Nothing matched better; the first branch.";
  return { kind: "tool_call", name: "choose_branch", arguments: JSON.stringify({ branch: best?.name ?? "", reason }) };
}

export function completionId(request: DemoRequest): string {
  const digest = createHash("sha256").update(JSON.stringify(request.messages)).digest("hex");
  return digest.slice(0, 24);
}

export function usageOf(request: DemoRequest, reply: DemoReply) {
  const promptTokens = estimateTokens(request.messages.map(textOf).join("\n"));
  const completionTokens = estimateTokens(reply.kind === "text" ? reply.content : reply.arguments);
  return { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
}

function errorResponse(status: number, message: string): Response {
  return Response.json({ error: { message, type: "invalid_request_error", code: null } }, { status });
}

export async function handleDemoModelRequest(request: Request): Promise<Response> {
  const path = new URL(request.url).pathname;
  // The same model on Anthropic's wire (Messages API), for the Anthropic SDK's path.
  if (request.method === "POST" && path.endsWith("/v1/messages")) return handleAnthropicMessages(request);
  if (request.method === "GET" && path.endsWith("/models")) {
    return Response.json({ object: "list", data: [{ id: DEMO_MODEL_NAME, object: "model", created: 0, owned_by: "agentflow" }] });
  }
  if (request.method !== "POST" || !path.endsWith("/chat/completions")) {
    return errorResponse(404, `No route ${request.method} ${path}`);
  }
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    return errorResponse(400, "Request body is not valid JSON");
  }
  const parsed = requestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return errorResponse(400, `Invalid request at ${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "invalid"}`);
  }
  const demoRequest = parsed.data;
  const id = `chatcmpl-${completionId(demoRequest)}`;
  const faultResponse = await applyFaults(demoRequest, id, request.signal);
  if (faultResponse) return faultResponse;
  const reply = decideReply(demoRequest);
  const usage = usageOf(demoRequest, reply);
  const toolCallId = `call_${id.slice(-12)}_${demoRequest.messages.length}`;
  return demoRequest.stream
    ? streamReply(id, reply, toolCallId, demoRequest.stream_options?.include_usage ? usage : null, dripMs(demoRequest), request.signal)
    : Response.json({
        id,
        object: "chat.completion",
        created: 0,
        model: DEMO_MODEL_NAME,
        choices: [
          {
            index: 0,
            finish_reason: reply.kind === "tool_call" ? "tool_calls" : "stop",
            message:
              reply.kind === "text"
                ? { role: "assistant", content: reply.content }
                : {
                    role: "assistant",
                    content: reply.content ?? null,
                    tool_calls: [{ id: toolCallId, type: "function", function: { name: reply.name, arguments: reply.arguments } }],
                  },
          },
        ],
        usage,
      });
}

export async function applyFaults(request: DemoRequest, conversationId: string, signal: AbortSignal): Promise<Response | null> {
  // Keyed by the conversation's first messages, so retries of the same call count together.
  const key = createHash("sha256").update(JSON.stringify(request.messages.slice(0, 2))).digest("hex") + `:${request.messages.length}`;
  for (const fault of faultModes(request.messages.map(textOf).join("\n"))) {
    if (fault.kind === "slow") await sleep(fault.ms, signal);
    if (fault.kind === "hang") {
      await sleep(Number.POSITIVE_INFINITY, signal);
      return errorResponse(499, "client closed the request");
    }
    if (fault.kind === "status" && takeFault(key, String(fault.status), fault.times)) {
      return Response.json(
        { error: { message: fault.status === 429 ? "Rate limit reached (demo fault)" : "Internal error (demo fault)", type: "demo_fault", code: null } },
        { status: fault.status, headers: fault.status === 429 ? { "retry-after": "1" } : {} },
      );
    }
    if (fault.kind === "malformed" && takeFault(key, "malformed", fault.times)) {
      return new Response(`{"id":"${conversationId}","choices":[{"message":`, { status: 200, headers: { "content-type": "application/json" } });
    }
  }
  return null;
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    // Paced streams sleep once per frame: each sleep takes its abort listener away when it ends.
    const onAbort = () => {
      if (timer) clearTimeout(timer);
      resolve();
    };
    const timer = Number.isFinite(ms)
      ? setTimeout(() => {
          signal.removeEventListener("abort", onAbort);
          resolve();
        }, ms)
      : undefined;
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** Chat-completion chunks as Server-Sent Events, split the way real servers split them. */
function streamReply(id: string, reply: DemoReply, toolCallId: string, usage: ReturnType<typeof usageOf> | null, drip: number, signal: AbortSignal): Response {
  const chunk = (delta: Record<string, unknown>, finishReason: string | null = null) => ({
    id,
    object: "chat.completion.chunk",
    created: 0,
    model: DEMO_MODEL_NAME,
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  });
  // Each frame with whether it is a token: only tokens wait `drip` ms before they are sent.
  const frames: { data: unknown; token: boolean }[] = [{ data: chunk({ role: "assistant", content: reply.kind === "text" ? "" : null }), token: false }];
  const token = (data: unknown) => frames.push({ data, token: true });
  if (reply.kind === "text") {
    for (const piece of streamPieces(reply.content, drip)) token(chunk({ content: piece }));
    frames.push({ data: chunk({}, "stop"), token: false });
  } else {
    for (const piece of streamPieces(reply.content ?? "", drip)) token(chunk({ content: piece }));
    token(chunk({ tool_calls: [{ index: 0, id: toolCallId, type: "function", function: { name: reply.name, arguments: "" } }] }));
    for (const piece of streamPieces(reply.arguments, drip)) token(chunk({ tool_calls: [{ index: 0, function: { arguments: piece } }] }));
    frames.push({ data: chunk({}, "tool_calls"), token: false });
  }
  if (usage) frames.push({ data: { id, object: "chat.completion.chunk", created: 0, model: DEMO_MODEL_NAME, choices: [], usage }, token: false });
  return sseResponse(
    frames.map((frame) => ({ text: `data: ${JSON.stringify(frame.data)}\n\n`, delayMs: frame.token ? drip : 0 })).concat({ text: "data: [DONE]\n\n", delayMs: 0 }),
    signal,
  );
}

/**
 * An SSE body sent frame by frame, each after its delay (none: all at once); a client that
 * hangs up stops it.
 */
export function sseResponse(frames: { text: string; delayMs: number }[], signal: AbortSignal): Response {
  const encoder = new TextEncoder();
  let next = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const frame = frames[next];
      if (!frame || signal.aborted) return controller.close();
      next += 1;
      if (frame.delayMs > 0) await sleep(frame.delayMs, signal);
      if (signal.aborted) return controller.close();
      controller.enqueue(encoder.encode(frame.text));
      // Frames without a delay go out together, as before this body was paced.
      for (let following = frames[next]; following && following.delayMs === 0; following = frames[next]) {
        controller.enqueue(encoder.encode(following.text));
        next += 1;
      }
    },
  });
  return new Response(body, { headers: { "content-type": "text/event-stream", "cache-control": "no-cache" } });
}
