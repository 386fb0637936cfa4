import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { handleDemoModelRequest } from "./demo-model";
import { fetchRequestOf, readRequestBody, sendFetchResponse } from "../http/node-bridge";

/**
 * Serves the demo model's Request → Response handler over real HTTP on loopback, so
 * integration tests reach it exactly the way the worker reaches any provider.
 */
export type DemoModelServer = {
  baseUrl: string;
  /** Requests received so far. */
  requests: () => number;
  /** Requests whose client hung up before the reply was sent (a timeout or a cancelled run). */
  abandoned: () => number;
  close: () => Promise<void>;
};

export type DemoModelServerOptions = {
  /** Called as each request arrives (before its body is read), e.g. to time a model call from its start. */
  onRequest?: (method: string, path: string) => void;
};

export async function startDemoModelServer(options: DemoModelServerOptions = {}): Promise<DemoModelServer> {
  let count = 0;
  let abandoned = 0;
  const server: Server = createServer(async (req, res) => {
    count += 1;
    options.onRequest?.(req.method ?? "GET", req.url ?? "/");
    const body = await readRequestBody(req);
    // A client that gives up (timeout) closes the socket: the request's signal ends a hanging reply too.
    res.on("close", () => {
      if (!res.writableFinished) abandoned += 1;
    });
    // Streamed replies (SSE) are passed on frame by frame, as a real provider sends them.
    await sendFetchResponse(res, await handleDemoModelRequest(fetchRequestOf(req, res, "http://127.0.0.1", body)));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests: () => count,
    abandoned: () => abandoned,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
