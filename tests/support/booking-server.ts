import { createServer, type Server } from "node:http";

/**
 * A small booking API on loopback for saga tests: POST /<kind> books and answers the booking's
 * id; DELETE /<kind>/<id> cancels it. Every request is recorded with its idempotency key;
 * `slowDeleteMs` makes cancellations slow (a worker can be killed during one).
 */
export type BookingServer = {
  url: string;
  requests: { method: string; path: string; key: string | undefined }[];
  close(): Promise<void>;
};

export async function startBookingServer(options: { slowDeleteMs?: number } = {}): Promise<BookingServer> {
  const requests: BookingServer["requests"] = [];
  let next = 1;
  const server: Server = createServer((req, res) => {
    const path = req.url ?? "/";
    const key = req.headers["idempotency-key"];
    requests.push({ method: req.method ?? "GET", path, key: typeof key === "string" ? key : undefined });
    const answer = (text: string) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end(text);
    };
    if (req.method === "DELETE") setTimeout(() => answer("cancelled"), options.slowDeleteMs ?? 0);
    else answer(`${path.slice(1, 2).toUpperCase()}${next++}`);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A loopback port nothing listens on: a request there fails at once (connection refused). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
