import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createRedactor } from "../vault/redact";
import { httpRequest, type CarriedCredentials, type HttpRequestOptions } from "./http-request";
import { runTool } from "./registry";

/**
 * A request carrying credentials, against real servers on 127.0.0.1: where it may go
 * (each credential's allowed hosts, on every hop), that it never follows a redirect to
 * another origin, and that what comes back is redacted before anything clips it.
 */

const SECRET = "sk-LEAKCHECK-abcdefghijklmnopqrstuvwx";

type Hit = { server: "main" | "other"; path: string; headers: http.IncomingHttpHeaders; body: string };
const hits: Hit[] = [];

function server(name: Hit["server"], handler: (req: http.IncomingMessage, res: http.ServerResponse) => void) {
  return http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    req.on("end", () => {
      hits.push({ server: name, path: req.url ?? "", headers: req.headers, body });
      handler(req, res);
    });
  });
}

let port = 0;
let otherPort = 0;
const main = server("main", (req, res) => {
  const path = req.url ?? "";
  if (path === "/to-other-origin") {
    res.writeHead(307, { location: `http://127.0.0.1:${otherPort}/echo` });
    res.end();
  } else if (path === "/to-same-origin") {
    res.writeHead(302, { location: "/echo" });
    res.end();
  } else if (path === "/long-header") {
    // The secret straddles the 512-character limit on a response header's value.
    res.writeHead(200, { "content-type": "text/plain", link: `${"x".repeat(500)}${SECRET}` });
    res.end("ok");
  } else if (path.startsWith("/bad-redirect")) {
    res.writeHead(302, { location: `http://[${"a".repeat(184)}${SECRET}/` });
    res.end();
  } else {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ path, authorization: req.headers.authorization ?? null, key: req.headers["x-api-key"] ?? null }));
  }
});
const other = server("other", (_req, res) => {
  res.writeHead(200, { "content-type": "text/plain" });
  res.end("other origin");
});

const listen = (s: http.Server) => new Promise<number>((resolve) => s.listen(0, "127.0.0.1", () => resolve((s.address() as AddressInfo).port)));

beforeAll(async () => {
  port = await listen(main);
  otherPort = await listen(other);
});

afterAll(async () => {
  for (const s of [main, other]) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

beforeEach(() => {
  hits.length = 0;
});

const base = () => `http://127.0.0.1:${port}`;
const carrying = (credentials: CarriedCredentials): HttpRequestOptions => ({ allowPrivateHosts: ["127.0.0.1"], credentials });
const bearer = (hosts: string[] = []): CarriedCredentials => ({
  names: ["github"],
  picked: { name: "github", headers: { authorization: `Bearer ${SECRET}` } },
  allowedHosts: [{ name: "github", hosts }],
});

describe("http_request carrying a credential", () => {
  it("sends the picked credential's header", async () => {
    const result = await httpRequest({ url: `${base()}/echo` }, carrying(bearer()));
    expect(result.ok).toBe(true);
    expect(hits.map((hit) => hit.headers.authorization)).toEqual([`Bearer ${SECRET}`]);
  });

  it("refuses a header the credential sets, rather than choosing one silently", async () => {
    const result = await httpRequest({ url: `${base()}/echo`, headers: { Authorization: "Bearer mine" } }, carrying(bearer()));
    expect(result).toEqual({ ok: false, error: 'header "Authorization" is set by the credential "github"; remove it from headers' });
    expect(hits).toEqual([]);
  });

  it("goes only to the credential's allowed hosts, checked before anything is sent", async () => {
    const refused = await httpRequest({ url: `${base()}/echo` }, carrying(bearer(["api.github.com"])));
    expect(refused).toEqual({ ok: false, error: `blocked: credential "github" may only be sent to api.github.com, not to 127.0.0.1:${port}; nothing was sent` });
    expect(hits).toEqual([]);
    const samePortOnly = await httpRequest({ url: `${base()}/echo` }, carrying(bearer([`127.0.0.1:${otherPort}`])));
    expect(samePortOnly.ok).toBe(false);
    expect(hits).toEqual([]);
    expect((await httpRequest({ url: `${base()}/echo` }, carrying(bearer([`127.0.0.1:${port}`])))).ok).toBe(true);
    expect(hits).toHaveLength(1);
  });

  it("checks every credential it carries, not only the picked one", async () => {
    const result = await httpRequest(
      { url: `${base()}/echo`, headers: { "x-sig": SECRET } },
      carrying({ names: ["sig"], allowedHosts: [{ name: "sig", hosts: ["hooks.example.com"] }] }),
    );
    expect(result).toMatchObject({ ok: false, error: expect.stringContaining('credential "sig" may only be sent to hooks.example.com') });
    expect(hits).toEqual([]);
  });

  it("refuses a redirect to another origin (a 307 would resend body and headers), sending nothing there", async () => {
    const result = await httpRequest({ url: `${base()}/to-other-origin`, method: "POST", body: SECRET }, carrying(bearer()));
    expect(result).toEqual({
      ok: false,
      error: `blocked: the server redirected to another origin (http://127.0.0.1:${otherPort}); a request carrying credential "github" follows redirects only within http://127.0.0.1:${port}, so nothing was sent there`,
    });
    expect(hits.map((hit) => hit.server)).toEqual(["main"]);
    // Without a credential the same redirect is followed, as before.
    hits.length = 0;
    expect((await httpRequest({ url: `${base()}/to-other-origin` }, { allowPrivateHosts: ["127.0.0.1"] })).ok).toBe(true);
    expect(hits.map((hit) => hit.server)).toEqual(["main", "other"]);
  });

  it("follows a redirect within the origin, still carrying the credential", async () => {
    const result = await httpRequest({ url: `${base()}/to-same-origin` }, carrying(bearer([`127.0.0.1:${port}`])));
    expect(result).toMatchObject({ ok: true, redirects: 1 });
    expect(hits.map((hit) => [hit.path, hit.headers.authorization])).toEqual([
      ["/to-same-origin", `Bearer ${SECRET}`],
      ["/echo", `Bearer ${SECRET}`],
    ]);
  });

  it("redacts what it reports before clipping it, so no piece of a secret survives a length limit", async () => {
    const redactor = createRedactor([SECRET]);
    const options = { ...carrying(bearer()), redactText: redactor.text };
    const header = await httpRequest({ url: `${base()}/long-header` }, options);
    expect(header.ok && header.headers.link).toBe(`${"x".repeat(500)}[redacted]`);
    const echoed = await httpRequest({ url: `${base()}/echo?key=${SECRET}` }, options);
    expect(echoed.ok && [echoed.url, echoed.body].join(" ")).not.toContain("LEAKCHECK");
    const bad = await httpRequest({ url: `${base()}/bad-redirect` }, options);
    expect(bad.ok).toBe(false);
    expect(JSON.stringify(bad)).not.toContain("sk-LEAK");
    expect(JSON.stringify(bad)).toContain("a[redacte");
    // Without redaction the clipped message would have carried the secret's first characters.
    const unredacted = await httpRequest({ url: `${base()}/bad-redirect` }, carrying(bearer()));
    expect(JSON.stringify(unredacted)).toContain("sk-LEAKC…");
  });

  it("never sends a request bare when its picked credential was not resolved by the worker", async () => {
    const ctx = { runId: "r", idempotencyKey: "r:1", workspaceDir: "/nonexistent", http: { allowPrivateHosts: ["127.0.0.1"] } };
    const outcome = await runTool("http_request", { url: `${base()}/echo`, credential: "github" }, ctx);
    expect(outcome).toEqual({ ok: false, error: 'credential "github" was not resolved for this call' });
    expect(hits).toEqual([]);
  });
});
