// The demo model (server/llm/demo-model.ts, the same handler the app serves) on a loopback
// server of the chaos harness, counting calls per run and per agent step: the harness
// compares them with the replies the runs' logs committed, to find replies paid twice.
import { createServer, type Server } from "node:http";
import { fetchRequestOf, readRequestBody, sendFetchResponse } from "../../server/http/node-bridge";
import type { AddressInfo } from "node:net";
import { handleDemoModelRequest } from "../../server/llm/demo-model";

export type ModelCall = {
  /** The run's tag, found in the task (the first user message); null when absent. */
  tag: string | null;
  /** The agent's turn: how many tool results the conversation already holds. */
  turn: number;
  /** When the request arrived (ms since the epoch, this machine's clock). */
  at: number;
};

type ChaosModelServer = {
  /** What workers get as DEMO_MODEL_URL. */
  baseUrl: string;
  calls(): readonly ModelCall[];
  close(): Promise<void>;
};

type WireMessage = { role?: unknown; content?: unknown };

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content.map((part: { text?: unknown }) => (typeof part?.text === "string" ? part.text : "")).join("");
  return "";
}

/** Reads which run and which step a chat completion is for, from its messages. */
function describeCall(body: Buffer, tagPattern: RegExp, at: number): ModelCall | null {
  let messages: WireMessage[];
  try {
    const parsed = JSON.parse(body.toString("utf8")) as { messages?: unknown };
    if (!Array.isArray(parsed.messages)) return null;
    messages = parsed.messages as WireMessage[];
  } catch {
    return null;
  }
  const task = textOf(messages.find((message) => message.role === "user")?.content);
  const tag = tagPattern.exec(task)?.[0] ?? null;
  return { tag, turn: messages.filter((message) => message.role === "tool").length, at };
}

export async function startChaosModelServer(tagPattern: RegExp): Promise<ChaosModelServer> {
  const calls: ModelCall[] = [];
  const server: Server = createServer(async (req, res) => {
    const at = Date.now();
    const body = await readRequestBody(req);
    if (req.method === "POST" && (req.url ?? "").endsWith("/chat/completions")) {
      const call = describeCall(body, tagPattern, at);
      if (call) calls.push(call);
    }
    await sendFetchResponse(res, await handleDemoModelRequest(fetchRequestOf(req, res, "http://127.0.0.1", body)));
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    calls: () => calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
