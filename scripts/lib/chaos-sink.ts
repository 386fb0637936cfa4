// The side-effect target of the chaos harness: a loopback HTTP server that records every
// request it receives with its Idempotency-Key and body, so the harness can tell a retry
// under the first key (allowed: the target deduplicates it) from the same effect sent again
// under a new key (a repeated side effect).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

type SinkRequest = {
  /** The Idempotency-Key header, or null when the request carried none. */
  key: string | null;
  /** The request body as text (the harness puts the run's tag there). */
  body: string;
  at: number;
};

type SinkServer = {
  url: string;
  requests(): readonly SinkRequest[];
  close(): Promise<void>;
};

export async function startSinkServer(): Promise<SinkServer> {
  const received: SinkRequest[] = [];
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const key = req.headers["idempotency-key"];
    received.push({ key: typeof key === "string" ? key : null, body: Buffer.concat(chunks).toString("utf8"), at: Date.now() });
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ stored: true }));
  });
  // Kept-alive sockets of a killed worker must not hold close() open.
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type SinkFigures = {
  requests: number;
  /** Distinct effects (tags) that reached the sink. */
  effects: number;
  /** Requests that repeated an effect under the key it was first sent with (a crash retry). */
  resentUnderFirstKey: number;
  /** Effects that arrived under more than one key: the target could not deduplicate them. */
  repeatedUnderNewKey: number;
  /** Requests without an Idempotency-Key. */
  withoutKey: number;
};

/** Groups the sink's requests by effect (`tagOf` the body) and counts keys per effect. */
export function sinkFigures(requests: readonly SinkRequest[], tagOf: (body: string) => string | null): SinkFigures {
  const keysByTag = new Map<string, Map<string, number>>();
  let withoutKey = 0;
  for (const request of requests) {
    if (request.key === null) withoutKey += 1;
    const tag = tagOf(request.body) ?? `(untagged) ${request.body.slice(0, 40)}`;
    const keys = keysByTag.get(tag) ?? new Map<string, number>();
    const key = request.key ?? "(none)";
    keys.set(key, (keys.get(key) ?? 0) + 1);
    keysByTag.set(tag, keys);
  }
  let resentUnderFirstKey = 0;
  let repeatedUnderNewKey = 0;
  for (const keys of keysByTag.values()) {
    if (keys.size > 1) repeatedUnderNewKey += keys.size - 1;
    for (const count of keys.values()) resentUnderFirstKey += count - 1;
  }
  return { requests: requests.length, effects: keysByTag.size, resentUnderFirstKey, repeatedUnderNewKey, withoutKey };
}
