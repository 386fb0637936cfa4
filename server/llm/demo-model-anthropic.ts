import { z } from "zod";
import { applyFaults, completionId, decideReply, dripMs, sseResponse, streamPieces, usageOf, type DemoRequest } from "./demo-model";

/**
 * The demo model on Anthropic's wire: `POST /v1/messages` (the Messages API) with a system
 * prompt, text and tool_use blocks, tool_result blocks, usage and `stream: true` (Anthropic's
 * SSE event types). It answers exactly as the OpenAI wire does (same replies, same fault
 * modes), so the Anthropic SDK path is tested over real HTTP against the same behaviour.
 */

const textBlock = z.object({ type: z.literal("text"), text: z.string() });
const toolUseBlock = z.object({ type: z.literal("tool_use"), id: z.string(), name: z.string(), input: z.unknown() });
const toolResultBlock = z.object({
  type: z.literal("tool_result"),
  tool_use_id: z.string(),
  content: z.union([z.string(), z.array(textBlock)]).optional(),
  is_error: z.boolean().optional(),
});
const block = z.discriminatedUnion("type", [textBlock, toolUseBlock, toolResultBlock]);

const messagesRequestSchema = z.object({
  model: z.string(),
  max_tokens: z.number().int().positive(),
  system: z.union([z.string(), z.array(textBlock)]).optional(),
  messages: z.array(z.object({ role: z.enum(["user", "assistant"]), content: z.union([z.string(), z.array(block)]) })).min(1),
  tools: z.array(z.object({ name: z.string(), description: z.string().optional(), input_schema: z.unknown() })).optional(),
  temperature: z.number().optional(),
  stream: z.boolean().optional(),
});
type MessagesRequest = z.infer<typeof messagesRequestSchema>;

function anthropicError(status: number, type: string, message: string, headers?: Headers): Response {
  return Response.json({ type: "error", error: { type, message } }, { status, headers });
}

/** Anthropic, like OpenAI, says when to retry a 429: the fault's Retry-After is kept. */
function retryAfterOf(fault: Response): Headers {
  const retryAfter = fault.headers.get("retry-after");
  return new Headers(retryAfter ? { "retry-after": retryAfter } : {});
}

const joinText = (content: string | { text: string }[] | undefined) => (typeof content === "string" ? content : (content ?? []).map((part) => part.text).join(""));

/** The Messages request as the demo model's OpenAI-shaped request (what decideReply reads). */
function asDemoRequest(request: MessagesRequest): DemoRequest {
  const messages: DemoRequest["messages"] = [];
  if (request.system !== undefined) messages.push({ role: "system", content: joinText(request.system) });
  for (const message of request.messages) {
    if (typeof message.content === "string") {
      messages.push({ role: message.role, content: message.content });
      continue;
    }
    const text = message.content.flatMap((part) => (part.type === "text" ? [part.text] : [])).join("");
    if (message.role === "assistant") {
      const calls = message.content.flatMap((part) => (part.type === "tool_use" ? [part] : []));
      messages.push({
        role: "assistant",
        content: text === "" ? null : text,
        ...(calls.length > 0 ? { tool_calls: calls.map((call) => ({ id: call.id, type: "function" as const, function: { name: call.name, arguments: JSON.stringify(call.input ?? {}) } })) } : {}),
      });
      continue;
    }
    for (const part of message.content) {
      if (part.type === "tool_result") messages.push({ role: "tool", tool_call_id: part.tool_use_id, content: joinText(part.content) });
    }
    if (text !== "") messages.push({ role: "user", content: text });
  }
  return {
    model: request.model,
    messages,
    ...(request.tools ? { tools: request.tools.map((tool) => ({ type: "function" as const, function: { name: tool.name } })) } : {}),
  };
}

export async function handleAnthropicMessages(request: Request): Promise<Response> {
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    return anthropicError(400, "invalid_request_error", "Request body is not valid JSON");
  }
  const parsed = messagesRequestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return anthropicError(400, "invalid_request_error", `${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "invalid"}`);
  }
  const demoRequest = asDemoRequest(parsed.data);
  const id = `msg_${completionId(demoRequest)}`;
  const fault = await applyFaults(demoRequest, id, request.signal);
  if (fault) return fault.status >= 400 ? anthropicError(fault.status, fault.status === 429 ? "rate_limit_error" : "api_error", `demo fault ${fault.status}`, retryAfterOf(fault)) : fault;
  const reply = decideReply(demoRequest);
  const usage = usageOf(demoRequest, reply);
  const content =
    reply.kind === "text"
      ? [{ type: "text" as const, text: reply.content }]
      : [
          ...(reply.content ? [{ type: "text" as const, text: reply.content }] : []),
          { type: "tool_use" as const, id: `toolu_${id.slice(-12)}_${demoRequest.messages.length}`, name: reply.name, input: toolInput(reply.arguments) },
        ];
  const message = {
    id,
    type: "message",
    role: "assistant",
    model: parsed.data.model,
    content,
    stop_reason: reply.kind === "tool_call" ? "tool_use" : "end_turn",
    stop_sequence: null,
    usage: { input_tokens: usage.prompt_tokens, output_tokens: usage.completion_tokens },
  };
  return parsed.data.stream ? streamMessage(message, dripMs(demoRequest), request.signal) : Response.json(message);
}

/** Anthropic's tool input is an object: scripted arguments that are not JSON arrive empty. */
function toolInput(argumentsText: string): unknown {
  try {
    return JSON.parse(argumentsText) as unknown;
  } catch {
    return {};
  }
}

type DemoMessage = {
  id: string;
  model: string;
  content: ({ type: "text"; text: string } | { type: "tool_use"; id: string; name: string; input: unknown })[];
  stop_reason: string;
  usage: { input_tokens: number; output_tokens: number };
};

/** Anthropic's SSE: message_start, per block start/deltas/stop, message_delta, message_stop; deltas `drip` ms apart. */
function streamMessage(message: DemoMessage, drip: number, signal: AbortSignal): Response {
  const events: [string, unknown, boolean][] = [
    ["message_start", { type: "message_start", message: { ...message, content: [], stop_reason: null, usage: { input_tokens: message.usage.input_tokens, output_tokens: 0 } } }, false],
  ];
  message.content.forEach((part, index) => {
    if (part.type === "text") {
      events.push(["content_block_start", { type: "content_block_start", index, content_block: { type: "text", text: "" } }, false]);
      for (const piece of streamPieces(part.text, drip)) {
        events.push(["content_block_delta", { type: "content_block_delta", index, delta: { type: "text_delta", text: piece } }, true]);
      }
    } else {
      events.push(["content_block_start", { type: "content_block_start", index, content_block: { type: "tool_use", id: part.id, name: part.name, input: {} } }, true]);
      for (const piece of streamPieces(JSON.stringify(part.input), drip)) {
        events.push(["content_block_delta", { type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json: piece } }, true]);
      }
    }
    events.push(["content_block_stop", { type: "content_block_stop", index }, false]);
  });
  events.push(["message_delta", { type: "message_delta", delta: { stop_reason: message.stop_reason, stop_sequence: null }, usage: { output_tokens: message.usage.output_tokens } }, false]);
  events.push(["message_stop", { type: "message_stop" }, false]);
  return sseResponse(
    events.map(([name, data, token]) => ({ text: `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`, delayMs: token ? drip : 0 })),
    signal,
  );
}
