/**
 * The SSE viewers of the scale bench (scripts/bench-scale.ts), in a process of their own, as
 * browsers are: the process under test then does a web process's work only (writing frames to
 * sockets), not the viewers' reading and parsing too. Started with an IPC channel; the bench asks:
 *  - `{ type: "open", url, tokens, perToken, count }` → opens `count` streams over real HTTP,
 *    `perToken` per bearer token, and answers `{ type: "opened", opened, refused }`;
 *  - `{ type: "min-seen" }` → `{ type: "min-seen", seq }`, the highest event id every open
 *    stream has received (0 before any);
 *  - `{ type: "report" }` → `{ type: "report", arrivals }`: [stream, event id, arrival time]
 *    for every frame, times on this machine's clock in ms since the epoch (sub-ms precision);
 *  - `{ type: "reset" }` → `{ type: "reset" }`: every stream closed and forgotten (the bench then
 *    opens the same number on its floor server).
 */
import net from "node:net";

type Ask = { type: "open"; url: string; tokens: string[]; perToken: number; count: number } | { type: "min-seen" } | { type: "report" } | { type: "reset" };
export type ViewersAnswer =
  | { type: "opened"; opened: number; refused: Record<string, number> }
  | { type: "min-seen"; seq: number }
  | { type: "report"; arrivals: [number, number, number][] }
  | { type: "reset" };

const OPEN_CONCURRENCY = 50;
const wallNow = () => performance.timeOrigin + performance.now();
const streams: { arrivals: Map<number, number>; highest: number }[] = [];
const sockets: net.Socket[] = [];

/**
 * One viewer: a plain HTTP/1.1 GET on a socket of its own, kept open as a browser's is, that
 * records when each `id:` line arrives. Resolves with the status once the answer's head is in.
 *
 * A raw socket rather than node:http's client: browsers parse their streams in native code, so
 * what this process spends per frame is measurement overhead that takes the machine's two
 * cores from the server under test. The answer is chunked, and each chunk holds whole SSE
 * frames (one write on the server), so scanning the bytes for lines `id: <n>` is exact: the
 * chunk-size lines between them never look like one, and a `data:` line holds no newline.
 */
function openStream(url: string, token: string): Promise<number> {
  const { hostname, port, pathname, search } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => {
      socket.write(`GET ${pathname}${search} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAuthorization: Bearer ${token}\r\nAccept: text/event-stream\r\n\r\n`);
    });
    sockets.push(socket);
    socket.setNoDelay(true);
    socket.setEncoding("latin1");
    let head = "";
    let stream: { arrivals: Map<number, number>; highest: number } | null = null;
    let rest = "";
    socket.on("data", (chunk: string) => {
      const at = wallNow();
      if (!stream) {
        head += chunk;
        const endOfHead = head.indexOf("\r\n\r\n");
        if (endOfHead < 0) return;
        const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
        if (status !== 200) {
          socket.destroy();
          return resolve(status);
        }
        stream = { arrivals: new Map(), highest: 0 };
        streams.push(stream);
        chunk = head.slice(endOfHead + 4);
        resolve(200);
      }
      // Each frame's `id:` line follows a newline (a frame's end or a chunk-size line); a line
      // cut by TCP is read again with the rest of it, from the newline before it.
      const text = rest + chunk;
      let from = text.indexOf("\nid: ");
      while (from >= 0) {
        const end = text.indexOf("\n", from + 1);
        if (end < 0) break;
        const id = Number(text.slice(from + 5, end));
        stream.arrivals.set(id, at);
        if (id > stream.highest) stream.highest = id;
        from = text.indexOf("\nid: ", end);
      }
      const lastNewline = text.lastIndexOf("\n");
      rest = lastNewline < 0 ? text : text.slice(lastNewline);
    });
    socket.on("error", (error) => (stream ? undefined : reject(error)));
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
    case "reset":
      for (const socket of sockets.splice(0)) socket.destroy();
      streams.length = 0;
      return { type: "reset" };
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
