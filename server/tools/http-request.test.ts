import diagnostics from "node:diagnostics_channel";
import { readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { httpRequest, type HttpRequestOptions } from "./http-request";

/**
 * Real sockets against real servers on 127.0.0.1 only. Requests that must be refused are
 * aimed at addresses that would leave the machine (10.0.0.1, 169.254.169.254): the tests
 * assert they are refused before any socket is created, so no packet is ever sent there.
 */

type Hit = { path: string; method: string; headers: http.IncomingHttpHeaders; body: string };

function startServer(handler: (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void) {
  const hits: Hit[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    req.on("end", () => {
      hits.push({ path: req.url ?? "", method: req.method ?? "", headers: req.headers, body });
      handler(req, res, body);
    });
  });
  return {
    hits,
    server,
    listen: () => new Promise<number>((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port))),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let port = 0;
let otherPort = 0;
const main = startServer((req, res, body) => {
  const path = req.url ?? "";
  const redirect = (status: number, location: string) => {
    res.writeHead(status, { location });
    res.end("moved");
  };
  if (path === "/ok") {
    res.writeHead(200, {
      "content-type": "text/plain; charset=utf-8",
      "content-length": "19",
      "set-cookie": "session=secret",
      "x-noise": "1",
      etag: '"v1"',
    });
    res.end("hello from loopback");
  } else if (path === "/echo") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ method: req.method, body, idempotencyKey: req.headers["idempotency-key"] ?? null }));
  } else if (path.startsWith("/hop/")) {
    const left = Number(path.slice(5));
    redirect(302, left > 1 ? `/hop/${left - 1}` : "/ok");
  } else if (path === "/loop") redirect(302, "/loop");
  else if (path === "/to-localhost") redirect(302, `http://localhost:${port}/secret`);
  else if (path === "/to-ipv6-loopback") redirect(302, `http://[::1]:${port}/secret`);
  else if (path === "/to-private") redirect(302, "http://10.0.0.1/secret");
  else if (path === "/to-metadata") redirect(301, "http://169.254.169.254/latest/meta-data/");
  else if (path === "/to-file") redirect(302, "file:///etc/passwd");
  else if (path === "/to-other-origin") redirect(307, `http://127.0.0.1:${otherPort}/echo-headers`);
  else if (path === "/see-other") redirect(303, "/echo");
  else if (path === "/temporary") redirect(307, "/echo");
  else if (path === "/big") {
    res.writeHead(200, { "content-type": "text/plain" });
    res.end("x".repeat(2 * 1024 * 1024));
  } else if (path === "/binary") {
    res.writeHead(200, { "content-type": "image/png" });
    res.end(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]));
  } else if (path === "/slow") {
    // Never answers; the client's deadline must end the request.
  } else {
    res.writeHead(404);
    res.end("not found");
  }
});
const other = startServer((req, res) => {
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify({ authorization: req.headers.authorization ?? null, cookie: req.headers.cookie ?? null, custom: req.headers["x-custom"] ?? null }));
});

/**
 * Every client socket node creates while `fn` runs (node's net.client.socket channel), and
 * the addresses the connected ones reached.
 */
async function socketsDuring<T>(fn: () => Promise<T>): Promise<{ result: T; sockets: Socket[]; connectedTo: string[]; ms: number }> {
  const sockets: Socket[] = [];
  const connectedTo: string[] = [];
  const onSocket = (message: unknown) => {
    if (!message || typeof message !== "object" || !("socket" in message)) return;
    const socket = message.socket as Socket;
    sockets.push(socket);
    socket.once("connect", () => connectedTo.push(socket.remoteAddress ?? "?"));
  };
  diagnostics.subscribe("net.client.socket", onSocket);
  const started = performance.now();
  try {
    const result = await fn();
    return { result, sockets, connectedTo, ms: performance.now() - started };
  } finally {
    diagnostics.unsubscribe("net.client.socket", onSocket);
  }
}

const loopbackOnly: HttpRequestOptions = { allowPrivateHosts: ["127.0.0.1"] };

beforeAll(async () => {
  port = await main.listen();
  otherPort = await other.listen();
});
afterAll(async () => {
  await main.close();
  await other.close();
});
beforeEach(() => {
  main.hits.length = 0;
  other.hits.length = 0;
});

describe("http_request SSRF protection", () => {
  it("refuses a real loopback server unless explicitly allowed, without connecting", async () => {
    const { result, sockets } = await socketsDuring(() => httpRequest({ url: `http://127.0.0.1:${port}/ok` }));
    expect(result).toEqual({ ok: false, error: "blocked: 127.0.0.1 is a loopback address" });
    expect(sockets).toHaveLength(0);
    expect(main.hits).toHaveLength(0);
  });

  it("refuses a private address before any connection is attempted", async () => {
    const { result, sockets, ms } = await socketsDuring(() => httpRequest({ url: "http://10.0.0.1/" }));
    expect(result).toEqual({ ok: false, error: "blocked: 10.0.0.1 is a private address" });
    expect(sockets).toHaveLength(0);
    expect(ms).toBeLessThan(250);
  });

  it("refuses the cloud metadata endpoint", async () => {
    const { result, sockets } = await socketsDuring(() => httpRequest({ url: "http://169.254.169.254/latest/meta-data" }));
    expect(result).toEqual({ ok: false, error: "blocked: 169.254.169.254 is a link-local address (cloud metadata endpoint)" });
    expect(sockets).toHaveLength(0);
  });

  it("refuses localhost (a name that resolves to loopback)", async () => {
    for (const url of ["http://localhost/", `http://localhost:${port}/ok`, `http://LOCALHOST:${port}/ok`]) {
      const { result, sockets } = await socketsDuring(() => httpRequest({ url }));
      expect(result).toEqual({ ok: false, error: "blocked: localhost resolves to 127.0.0.1, a loopback address" });
      expect(sockets).toHaveLength(0);
    }
    expect(main.hits).toHaveLength(0);
  });

  // Another /etc/hosts name mapped to loopback, so resolution stays on this machine.
  const hostsAlias = readFileSync("/etc/hosts", "utf8")
    .split("\n")
    .map((line) => line.replace(/#.*/, "").trim().split(/\s+/))
    .find(([address, ...names]) => address?.startsWith("127.") && names.some((name) => name !== "localhost"))
    ?.find((name, index) => index > 0 && name !== "localhost");
  it.skipIf(!hostsAlias)("refuses any other hostname that resolves to loopback", async () => {
    const { result, sockets } = await socketsDuring(() => httpRequest({ url: `http://${hostsAlias}:${port}/ok` }));
    expect(result).toMatchObject({ ok: false, error: expect.stringMatching(/^blocked: .* resolves to 127\.[\d.]+, a loopback address$/) });
    expect(sockets).toHaveLength(0);
    expect(main.hits).toHaveLength(0);
  });

  it.each([
    [`http://[::1]:PORT/ok`, "blocked: ::1 is a loopback address"],
    ["http://[::ffff:127.0.0.1]:PORT/ok", "blocked: ::ffff:7f00:1 is an IPv4-mapped loopback address"],
    ["http://[::ffff:169.254.169.254]/", "blocked: ::ffff:a9fe:a9fe is an IPv4-mapped link-local address (cloud metadata endpoint)"],
    ["http://[fe80::1]/", "blocked: fe80::1 is a link-local address"],
    ["http://[fd00::1]/", "blocked: fd00::1 is a private (unique local) address"],
    ["http://0.0.0.0:PORT/ok", "blocked: 0.0.0.0 is an unspecified address"],
    ["http://[::]:PORT/ok", "blocked: :: is an unspecified address"],
    // Numeric spellings the URL parser turns into 127.0.0.1.
    ["http://2130706433:PORT/ok", "blocked: 127.0.0.1 is a loopback address"],
    ["http://0x7f.1:PORT/ok", "blocked: 127.0.0.1 is a loopback address"],
    ["http://127.1:PORT/ok", "blocked: 127.0.0.1 is a loopback address"],
    ["http://100.64.0.1/", "blocked: 100.64.0.1 is a carrier-grade NAT (shared) address"],
    ["http://224.0.0.1/", "blocked: 224.0.0.1 is a multicast address"],
    ["http://255.255.255.255/", "blocked: 255.255.255.255 is the broadcast address"],
    ["http://192.168.0.1/", "blocked: 192.168.0.1 is a private address"],
    ["http://172.20.0.1/", "blocked: 172.20.0.1 is a private address"],
  ])("refuses %s", async (template, error) => {
    const { result, sockets } = await socketsDuring(() => httpRequest({ url: template.replace("PORT", String(port)) }));
    expect(result).toEqual({ ok: false, error });
    expect(sockets).toHaveLength(0);
    expect(main.hits).toHaveLength(0);
  });

  it.each([
    ["file:///etc/passwd", "blocked: only http and https URLs are allowed (got file:)"],
    ["ftp://example.com/pub", "blocked: only http and https URLs are allowed (got ftp:)"],
    ["gopher://127.0.0.1:70/", "blocked: only http and https URLs are allowed (got gopher:)"],
    ["http://user:pass@example.com/", "blocked: credentials in the URL are not allowed (use an Authorization header)"],
    ["not a url", "invalid URL: not a url"],
  ])("refuses %s", async (url, error) => {
    const { result, sockets } = await socketsDuring(() => httpRequest({ url }));
    expect(result).toEqual({ ok: false, error });
    expect(sockets).toHaveLength(0);
  });

  it("refuses a redirect from an allowed server to another spelling of loopback", async () => {
    for (const path of ["/to-localhost", "/to-ipv6-loopback"]) {
      const { result, sockets } = await socketsDuring(() => httpRequest({ url: `http://127.0.0.1:${port}${path}` }, loopbackOnly));
      expect(result).toMatchObject({ ok: false, error: expect.stringMatching(/^blocked: redirect to http:\/\/(localhost|\[::1\]):\d+\/secret refused, /) });
      expect(sockets).toHaveLength(1);
    }
    expect(main.hits.map((hit) => hit.path)).toEqual(["/to-localhost", "/to-ipv6-loopback"]);
  });

  it("refuses redirects to private, metadata and file: targets without connecting to them", async () => {
    const cases: Array<[string, string]> = [
      ["/to-private", "blocked: redirect to http://10.0.0.1/secret refused, 10.0.0.1 is a private address"],
      ["/to-metadata", "blocked: redirect to http://169.254.169.254/latest/meta-data/ refused, 169.254.169.254 is a link-local address (cloud metadata endpoint)"],
      ["/to-file", "blocked: redirect to file:///etc/passwd refused, only http and https URLs are allowed (got file:)"],
    ];
    for (const [path, error] of cases) {
      const { result, sockets, connectedTo } = await socketsDuring(() =>
        httpRequest({ url: `http://127.0.0.1:${port}${path}` }, loopbackOnly),
      );
      expect(result).toEqual({ ok: false, error });
      // Only the first hop, to the local test server.
      expect(sockets).toHaveLength(1);
      expect(connectedTo).toEqual(["127.0.0.1"]);
    }
  });
});

describe("http_request behaviour", () => {
  it("returns status, selected headers and body text from an allowed host", async () => {
    const { result, sockets } = await socketsDuring(() => httpRequest({ url: `http://127.0.0.1:${port}/ok` }, loopbackOnly));
    expect(result).toEqual({
      ok: true,
      status: 200,
      statusText: "OK",
      url: `http://127.0.0.1:${port}/ok`,
      redirects: 0,
      headers: { "content-type": "text/plain; charset=utf-8", "content-length": "19", etag: '"v1"' },
      body: "hello from loopback",
      bodyBytes: 19,
      truncated: false,
      binary: false,
    });
    expect(sockets).toHaveLength(1);
    expect(main.hits[0]?.headers["accept-encoding"]).toBe("identity");
  });

  it("connects to the address it vetted when the host is a name", async () => {
    const result = await httpRequest({ url: `http://localhost:${port}/ok` }, { allowPrivateHosts: ["localhost"] });
    expect(result).toMatchObject({ ok: true, status: 200, body: "hello from loopback" });
  });

  it("follows up to five redirects, re-checking each hop, and stops after that", async () => {
    const three = await httpRequest({ url: `http://127.0.0.1:${port}/hop/3` }, loopbackOnly);
    expect(three).toMatchObject({ ok: true, status: 200, redirects: 3, url: `http://127.0.0.1:${port}/ok` });
    main.hits.length = 0;
    const loop = await httpRequest({ url: `http://127.0.0.1:${port}/loop` }, loopbackOnly);
    expect(loop).toEqual({ ok: false, error: "too many redirects (more than 5)" });
    expect(main.hits).toHaveLength(6);
  });

  it("turns a POST into a GET on 303 and keeps it on 307", async () => {
    const seeOther = await httpRequest({ url: `http://127.0.0.1:${port}/see-other`, method: "POST", body: "payload" }, loopbackOnly);
    expect(seeOther.ok && JSON.parse(seeOther.body)).toEqual({ method: "GET", body: "", idempotencyKey: null });
    const temporary = await httpRequest(
      { url: `http://127.0.0.1:${port}/temporary`, method: "POST", body: "payload" },
      { ...loopbackOnly, idempotencyKey: "run1:7" },
    );
    expect(temporary.ok && JSON.parse(temporary.body)).toEqual({ method: "POST", body: "payload", idempotencyKey: "run1:7" });
  });

  it("drops credentials when a redirect changes origin", async () => {
    const result = await httpRequest(
      { url: `http://127.0.0.1:${port}/to-other-origin`, headers: { Authorization: "Bearer s3cret", Cookie: "a=b", "X-Custom": "kept" } },
      loopbackOnly,
    );
    expect(result.ok && JSON.parse(result.body)).toEqual({ authorization: null, cookie: null, custom: "kept" });
    expect(main.hits[0]?.headers.authorization).toBe("Bearer s3cret");
  });

  it("truncates bodies past 1 MB and says so", async () => {
    const result = await httpRequest({ url: `http://127.0.0.1:${port}/big` }, loopbackOnly);
    expect(result).toMatchObject({ ok: true, status: 200, truncated: true, bodyBytes: 1_048_576 });
    expect(result.ok && result.body.length).toBe(1_048_576);
  });

  it("does not decode binary bodies", async () => {
    const result = await httpRequest({ url: `http://127.0.0.1:${port}/binary` }, loopbackOnly);
    expect(result).toMatchObject({ ok: true, binary: true, body: "", bodyBytes: 8 });
  });

  it("gives up at the deadline", async () => {
    const started = performance.now();
    const result = await httpRequest({ url: `http://127.0.0.1:${port}/slow`, timeoutMs: 300 }, loopbackOnly);
    expect(result).toEqual({ ok: false, error: "timeout: no complete response within 300 ms" });
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it("stops when the caller cancels", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const result = await httpRequest({ url: `http://127.0.0.1:${port}/slow` }, { ...loopbackOnly, signal: controller.signal });
    expect(result).toEqual({ ok: false, error: "cancelled" });
  });

  it("refuses headers the client owns and header injection", async () => {
    expect(await httpRequest({ url: `http://127.0.0.1:${port}/ok`, headers: { Host: "internal" } }, loopbackOnly)).toEqual({
      ok: false,
      error: 'header "Host" is not allowed (the tool sets it)',
    });
    expect(await httpRequest({ url: `http://127.0.0.1:${port}/ok`, headers: { "X-A": "1\r\nX-B: 2" } }, loopbackOnly)).toEqual({
      ok: false,
      error: 'header "X-A" has an invalid name or value',
    });
    expect(main.hits).toHaveLength(0);
  });
});

describe("http_request allowlist", () => {
  it("allows only listed hosts when an allowlist is configured", async () => {
    const { result, sockets, ms } = await socketsDuring(() =>
      httpRequest({ url: `http://127.0.0.1:${port}/ok` }, { ...loopbackOnly, allowlist: ["api.example.com", "*.example.org"] }),
    );
    expect(result).toEqual({ ok: false, error: "blocked: 127.0.0.1 is not in the allowlist" });
    expect(sockets).toHaveLength(0);
    expect(ms).toBeLessThan(250);

    // Refused before DNS: the name is never looked up.
    expect(await httpRequest({ url: "https://evil.example.net/" }, { allowlist: ["*.example.org"] })).toEqual({
      ok: false,
      error: "blocked: evil.example.net is not in the allowlist",
    });

    const allowed = await httpRequest({ url: `http://127.0.0.1:${port}/ok` }, { ...loopbackOnly, allowlist: ["127.0.0.1"] });
    expect(allowed).toMatchObject({ ok: true, status: 200 });
  });

  it("applies the allowlist to every redirect hop", async () => {
    const result = await httpRequest(
      { url: `http://127.0.0.1:${port}/to-localhost` },
      { allowlist: ["127.0.0.1"], allowPrivateHosts: ["127.0.0.1", "localhost"] },
    );
    expect(result).toEqual({ ok: false, error: `blocked: redirect to http://localhost:${port}/secret refused, localhost is not in the allowlist` });
    expect(main.hits.map((hit) => hit.path)).toEqual(["/to-localhost"]);
  });
});
