/**
 * The SSE viewers of the scale bench (scripts/bench-scale.ts), in a process of their own, as
 * browsers are: the process under test then does a web process's work only (writing frames to
 * sockets), not the viewers' reading and parsing too. Started with an IPC channel; the bench asks:
 *  - `{ type: "open", url, tokens, perToken, count }` → opens `count` streams over real HTTP,
 *    `perToken` per bearer token, and answers `{ type: "opened", opened, refused }`;
 *  - `{ type: "min-seen" }` → `{ type: "min-seen", seq }`, the highest event id every open
 *    stream has received (0 before any);
 *  - `{ type: "report" }` → `{ type: "report", arrivals }`: [stream, event id, arrival time]
 *    for every frame, times on this machine's clock in ms since the epoch (sub-ms precision).
 */
import http from "node:http";

type Ask = { type: "open"; url: string; tokens: string[]; perToken: number; count: number } | { type: "min-seen" } | { type: "report" };
export type ViewersAnswer =
  | { type: "opened"; opened: number; refused: Record<string, number> }
  | { type: "min-seen"; seq: number }
  | { type: "report"; arrivals: [number, number, number][] };

const OPEN_CONCURRENCY = 50;
const wallNow = () => performance.timeOrigin + performance.now();
const agent = new http.Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });
const streams: { arrivals: Map<number, number>; highest: number }[] = [];

/** One viewer: records when each `id:` frame arrives. Resolves with the status once the answer starts. */
function openStream(url: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent, headers: { authorization: `Bearer ${token}`, accept: "text/event-stream" } }, (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        return resolve(response.statusCode ?? 0);
      }
      const stream = { arrivals: new Map<number, number>(), highest: 0 };
      streams.push(stream);
      let buffer = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        const at = wallNow();
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const id = /^id: (\d+)$/m.exec(buffer.slice(0, end))?.[1];
          buffer = buffer.slice(end + 2);
          if (id === undefined) continue;
          stream.arrivals.set(Number(id), at);
          stream.highest = Math.max(stream.highest, Number(id));
        }
      });
      response.on("error", () => undefined);
      resolve(200);
    });
    request.on("error", reject);
  });
}

async function open(ask: Extract<Ask, { type: "open" }>): Promise<ViewersAnswer> {
  const refused: Record<string, number> = {};
  let next = 0;
  await Promise.all(
    Array.from({ length: OPEN_CONCURRENCY }, async () => {
      while (next < ask.count) {
        const index = next++;
        const status = await openStream(ask.url, ask.tokens[Math.floor(index / ask.perToken)] ?? "");
        if (status !== 200) refused[status] = (refused[status] ?? 0) + 1;
      }
    }),
  );
  return { type: "opened", opened: streams.length, refused };
}

function answer(ask: Ask): Promise<ViewersAnswer> | ViewersAnswer {
  switch (ask.type) {
    case "open":
      return open(ask);
    case "min-seen":
      return { type: "min-seen", seq: streams.length === 0 ? 0 : Math.min(...streams.map((stream) => stream.highest)) };
    case "report":
      return { type: "report", arrivals: streams.flatMap((stream, index) => [...stream.arrivals].map(([seq, at]): [number, number, number] => [index, seq, at])) };
  }
}

process.on("message", (ask: Ask) => {
  void Promise.resolve(answer(ask)).then(
    (reply) => process.send?.(reply),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
});
// The bench ends this process when it has the report; if the bench dies, so does this.
process.on("disconnect", () => process.exit(0));
