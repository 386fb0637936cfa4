import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * Calls a node handler (a pages/api route: `(req, res)`) with a fetch Request over a real
 * loopback socket, and gives its answer back as a fetch Response whose body streams as the
 * handler writes. The request's headers go as they are (Host and Cookie included); aborting
 * its signal, or cancelling the response's body, closes the socket, which the handler sees as
 * the client going away. One server per handler, started on first use, never keeping the
 * test process alive.
 */
type NodeHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

const servers = new Map<NodeHandler, Promise<string>>();

function originOf(handler: NodeHandler): Promise<string> {
  let origin = servers.get(handler);
  if (!origin) {
    origin = new Promise((resolve) => {
      const server: Server = createServer((req, res) => {
        Promise.resolve(handler(req, res)).catch((error: unknown) => {
          // A handler must answer its own errors; a throw is the 500 Next would send.
          console.error("node route threw", error);
          if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
          res.end("handler threw");
        });
      });
      server.listen(0, "127.0.0.1", () => {
        server.unref();
        resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
      });
    });
    servers.set(handler, origin);
  }
  return origin;
}

export async function callNodeRoute(handler: NodeHandler, request: Request): Promise<Response> {
  const url = new URL(request.url);
  const target = new URL(`${url.pathname}${url.search}`, await originOf(handler));
  const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(target, { method: request.method, headers: Object.fromEntries(request.headers), signal: request.signal, agent: false }, (incoming) => {
      const headers = new Headers();
      for (let i = 0; i < incoming.rawHeaders.length; i += 2) headers.append(incoming.rawHeaders[i] as string, incoming.rawHeaders[i + 1] as string);
      const status = incoming.statusCode ?? 500;
      const hasBody = status !== 204 && status !== 304 && request.method !== "HEAD";
      if (!hasBody) incoming.resume();
      resolve(new Response(hasBody ? bodyOf(incoming, request.signal) : null, { status, headers }));
    });
    outgoing.on("error", reject);
    outgoing.end(body);
  });
}

/**
 * The answer's body as it arrives. When the caller aborts, it ends as a route handler's body
 * does when its request is aborted (the reader sees `done`), not with an error.
 */
function bodyOf(incoming: IncomingMessage, signal: AbortSignal): ReadableStream<Uint8Array> {
  let over = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const finish = (error?: Error) => {
        if (over) return;
        over = true;
        if (error && !signal.aborted) controller.error(error);
        else controller.close();
      };
      incoming.on("data", (chunk: Buffer) => {
        if (!over) controller.enqueue(new Uint8Array(chunk));
      });
      incoming.on("end", () => finish());
      incoming.on("error", (error) => finish(error));
      incoming.on("close", () => finish(incoming.complete ? undefined : new Error("the connection closed before the answer ended")));
    },
    cancel() {
      over = true;
      // The socket itself, so the handler sees the client go whatever state the message is in.
      incoming.socket?.destroy();
      incoming.destroy();
    },
  });
}
