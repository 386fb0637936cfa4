import { readdirSync, statSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { systemClient, trpcMutation, trpcQuery } from "../support/api";
import { approvalGraph } from "../support/graphs";

/**
 * The front door as an attacker probes it, against the production build: pages and routes
 * without identity, foreign Host headers (DNS rebinding), cross-site writes, oversized and
 * malformed requests, security headers, and a CSP the app really runs under.
 */

const PORT = 3100;

/** A raw HTTP request to the server (Playwright would fix up the Host header). */
function raw(options: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: "127.0.0.1", port: PORT, method: options.method ?? "GET", path: options.path, headers: options.headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString("utf8") }));
    });
    request.on("error", reject);
    request.end(options.body);
  });
}

/** Every page of the app, from the files under app/ (route groups dropped, params filled). */
function pagePaths(dir = path.resolve("app"), prefix = ""): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) {
      if (entry === "api") return [];
      const segment = entry.startsWith("(") ? "" : entry.startsWith("[") ? `/${entry.replace(/[[\].]/g, "") || "x"}_probe` : `/${entry}`;
      return pagePaths(full, `${prefix}${segment}`);
    }
    return entry === "page.tsx" ? [prefix || "/"] : [];
  });
}

const PUBLIC_PAGES = ["/sign-in", "/setup", "/invite/token_probe"];

test.describe("nothing answers without identity", () => {
  test("every page sends an anonymous visitor to sign in (the public ones excepted)", async ({ playwright, baseURL }) => {
    const anonymous = await systemClient(playwright, baseURL);
    const pages = pagePaths();
    expect(pages).toEqual(expect.arrayContaining(["/workflows", "/runs", "/inbox", "/settings", "/sign-in"]));
    for (const page of pages) {
      const response = await anonymous.get(page, { maxRedirects: 0 });
      if (PUBLIC_PAGES.includes(page)) {
        expect([200, 307], page).toContain(response.status());
        continue;
      }
      expect(response.status(), page).toBe(307);
      expect(response.headers().location, page).toMatch(/^\/sign-in/);
    }
    await anonymous.dispose();
  });

  test("an expired or forged session cookie is not a session", async ({ playwright, baseURL }) => {
    const forged = await playwright.request.newContext({ baseURL, storageState: { cookies: [], origins: [] }, extraHTTPHeaders: { cookie: "agentflow.session_token=forged.value" } });
    // The cookie passes the proxy's cheap gate; the layout checks it for real.
    const page = await forged.get("/workflows", { maxRedirects: 0 });
    expect(page.status()).toBe(307);
    expect((await forged.get("/api/trpc/workflow.list")).status()).toBe(401);
    await forged.dispose();
  });
});

test.describe("the front door", () => {
  test("a foreign Host header is refused (DNS rebinding); loopback and APP_URL's host answer", async () => {
    const foreign = await raw({ path: "/api/trpc/setup.status", headers: { host: "rebind.attacker.example:3100" } });
    expect(foreign.status).toBe(400);
    expect(JSON.parse(foreign.body)).toMatchObject({ error: { code: "host_not_allowed" } });
    expect((await raw({ path: "/sign-in", headers: { host: "evil.example" } })).status).toBe(400);
    expect((await raw({ path: "/api/trpc/setup.status", headers: { host: `localhost:${PORT}` } })).status).toBe(200);
    expect((await raw({ path: "/api/trpc/setup.status", headers: { host: `127.0.0.1:${PORT}` } })).status).toBe(200);
  });

  test("a write from another site's page is refused even with the session cookie", async ({ request }) => {
    const crossSite = await request.post("/api/trpc/workflow.create", {
      headers: { origin: "https://attacker.example", "content-type": "application/json" },
      data: JSON.stringify({ name: "planted" }),
    });
    expect(crossSite.status()).toBe(403);
    const fetchMetadata = await request.post("/api/trpc/workflow.create", {
      headers: { "sec-fetch-site": "cross-site", "content-type": "application/json" },
      data: JSON.stringify({ name: "planted" }),
    });
    expect(fetchMetadata.status()).toBe(403);
    const sameOrigin = await request.post("/api/trpc/workflow.create", {
      headers: { origin: `http://localhost:${PORT}`, "content-type": "application/json" },
      data: JSON.stringify({ name: `same origin ${Date.now()}` }),
    });
    expect(sameOrigin.status()).toBe(200);
  });

  test("pages carry the security headers, and the app runs under its CSP without a violation", async ({ page, request }) => {
    const response = await request.get("/workflows");
    const headers = response.headers();
    expect(headers["x-frame-options"]).toBe("DENY");
    expect(headers["x-content-type-options"]).toBe("nosniff");
    expect(headers["x-powered-by"]).toBeUndefined();
    const csp = headers["content-security-policy"] ?? "";
    expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe-eval");
    // Each page load gets its own nonce.
    const again = (await request.get("/workflows")).headers()["content-security-policy"];
    expect(again).not.toBe(csp);

    const violations: string[] = [];
    await page.exposeFunction("reportViolation", (text: string) => violations.push(text));
    await page.addInitScript(() => {
      document.addEventListener("securitypolicyviolation", (event) => {
        (window as unknown as { reportViolation: (text: string) => void }).reportViolation(`${event.violatedDirective} ${event.blockedURI}`);
      });
    });
    await page.goto("/workflows");
    // Hydrated (React runs): a client-side control responds.
    await page.getByRole("button", { name: "New workflow" }).click();
    await expect(page.getByLabel("Workflow name")).toBeVisible();
    await page.goto("/runs");
    await expect(page.getByRole("heading", { name: "Runs" })).toBeVisible();
    expect(violations).toEqual([]);
  });
});

test.describe("oversized and malformed requests", () => {
  test("a 50 MiB body is refused with 413 before it is read, and other requests go on meanwhile", async ({ request }) => {
    const { id } = await trpcMutation(request, "workflow", "create", { name: `Big body ${Date.now()}` });
    const big = Buffer.alloc(50 * 1024 * 1024, 0x61);
    const startedAt = Date.now();
    const upload = raw({ method: "POST", path: `/api/v1/workflows/${id}/trigger`, headers: { host: `localhost:${PORT}`, "content-type": "application/json", "content-length": String(big.length) }, body: big }).catch(
      (error: unknown) => ({ status: -1, headers: {}, body: String(error) }),
    );
    const other = await raw({ path: "/api/trpc/setup.status", headers: { host: `localhost:${PORT}` } });
    const otherMs = Date.now() - startedAt;
    const refused = await upload;
    // The server may answer before the client finished sending and close the connection.
    expect([413, -1]).toContain(refused.status);
    if (refused.status === 413) expect(JSON.parse(refused.body)).toMatchObject({ error: { code: "payload_too_large" } });
    expect(other.status).toBe(200);
    expect(otherMs).toBeLessThan(2_000);

    // Chunked, without a declared length: counted while it streams in.
    const chunked = await raw({
      method: "POST",
      path: "/api/trpc/workflow.import",
      headers: { host: `localhost:${PORT}`, "content-type": "application/json", "transfer-encoding": "chunked", cookie: await cookieOf(request) },
      body: Buffer.concat([Buffer.from('{"fileText":"'), Buffer.alloc(12 * 1024 * 1024, 0x61), Buffer.from('"}')]),
    }).catch((error: unknown) => ({ status: -1, headers: {}, body: String(error) }));
    expect([413, -1]).toContain(chunked.status);
  });

  test("malformed requests get a 4xx with a JSON error, never a 500", async ({ request }) => {
    const cookie = await cookieOf(request);
    const { id } = await trpcMutation(request, "workflow", "create", { name: `Probes ${Date.now()}` });
    const deep = (levels: number) => `${"[".repeat(levels)}${"]".repeat(levels)}`;
    const probes: { name: string; method?: string; path: string; body?: string; auth?: boolean }[] = [
      { name: "NUL in a tRPC id", path: `/api/trpc/workflow.get?input=${encodeURIComponent(JSON.stringify({ id: "wf_\u0000x" }))}`, auth: true },
      { name: "NUL in a path id", path: "/api/v1/runs/run_%00x" },
      { name: "malformed percent-encoding (REST)", path: "/api/v1/runs/%E0%A4%A" },
      { name: "malformed percent-encoding (SSE)", path: "/api/runs/%/events" },
      { name: "malformed percent-encoding (page)", path: "/runs/%C0%AF" },
      { name: "lone surrogate in a run input", method: "POST", path: "/api/trpc/run.start", body: `{"workflowId":"${id}","input":{"topic":"\\ud800"}}`, auth: true },
      { name: "lone surrogate in a name", method: "POST", path: "/api/trpc/workflow.create", body: '{"name":"a\\udc00b"}', auth: true },
      { name: "nesting of 3,000 levels", method: "POST", path: "/api/trpc/run.start", body: `{"workflowId":"${id}","input":${deep(3000)}}`, auth: true },
      { name: "nesting of 100,000 levels", method: "POST", path: "/api/trpc/run.start", body: `{"workflowId":"${id}","input":${deep(100_000)}}`, auth: true },
      { name: "superjson BigInt meta", method: "POST", path: "/api/trpc/run.start", body: `{"json":{"workflowId":"${id}","input":1},"meta":{"values":{"input":["bigint"]}}}`, auth: true },
      { name: "superjson cyclic meta", method: "POST", path: "/api/trpc/workflow.create", body: '{"json":{"name":"a"},"meta":{"referentialEqualities":{"name":["name"]}}}', auth: true },
      { name: "int4 overflow of baseRevision", method: "POST", path: "/api/trpc/workflow.saveDraft", body: `{"id":"${id}","graph":{"nodes":[],"edges":[]},"baseRevision":2147483648}`, auth: true },
      { name: "a batch of 500 calls", path: `/api/trpc/${Array.from({ length: 500 }, () => "setup.status").join(",")}?batch=1&input=%7B%7D` },
      { name: "invalid UTF-8 body", method: "POST", path: "/api/trpc/workflow.create", body: "\u00ff", auth: true },
    ];
    for (const probe of probes) {
      const response = await raw({
        method: probe.method ?? "GET",
        path: probe.path,
        headers: { host: `localhost:${PORT}`, "content-type": "application/json", ...(probe.auth ? { cookie } : {}) },
        body: probe.name === "invalid UTF-8 body" ? Buffer.from([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]) : probe.body,
      });
      expect(response.status, `${probe.name}: ${response.body.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
      expect(response.status, `${probe.name}: ${response.body.slice(0, 300)}`).toBeLessThan(500);
      expect(() => JSON.parse(response.body), `${probe.name} answers JSON`).not.toThrow();
      expect(response.body, probe.name).not.toMatch(/prisma|PrismaClient|SELECT |invalid input syntax/i);
    }
  });

  test("an input with __proto__ and constructor keys is stored and its run page opens", async ({ request, page, playwright, baseURL }) => {
    const { id } = await trpcMutation(request, "workflow", "create", { name: `Proto ${Date.now()}`, graph: approvalGraph() });
    const { token } = await trpcMutation(request, "workflow", "createTriggerToken", { workflowId: id });
    const api: APIRequestContext = await systemClient(playwright, baseURL);
    const accepted = await api.post(`/api/v1/workflows/${id}/trigger`, {
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      data: Buffer.from('{"input":{"__proto__":{"polluted":"yes"},"constructor":"c","prototype":1,"topic":"keys"}}'),
    });
    expect(accepted.status()).toBe(202);
    const { runId } = (await accepted.json()) as { runId: string };
    // The run's page opens (it used to fail for good: the serializer refused such keys).
    await page.goto(`/runs/${runId}`);
    await expect(page.locator(".react-flow__node").first()).toBeVisible();
    await expect(page.getByText(runId).first()).toBeVisible();
    // The keys are kept as ordinary data, and nothing was polluted.
    const run = await trpcQuery(request, "run", "get", { runId });
    const input = run.input as Record<string, unknown>;
    expect(Object.hasOwn(input, "__proto__")).toBe(true);
    expect(input.constructor).toBe("c");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    await api.dispose();
  });
});

test.describe("rate limits", () => {
  test("run starts beyond the per-key budget get 429 with Retry-After", async ({ request, playwright, baseURL }) => {
    const { token } = await trpcMutation(request, "apiKeys", "create", { name: `rate ${Date.now()}`, scopes: ["trigger"] });
    const api = await systemClient(playwright, baseURL);
    // A workflow id that does not exist: each try still counts, and no run is started. The
    // budget is 120 a minute in fixed windows, so a 429 comes by the 241st try at the latest.
    const statuses: number[] = [];
    let retryAfter: string | undefined;
    for (let i = 0; i < 245 && retryAfter === undefined; i += 1) {
      const response = await api.post("/api/v1/workflows/wf_doesnotexist0000/trigger", { headers: { authorization: `Bearer ${token}` }, data: { input: {} } });
      statuses.push(response.status());
      if (response.status() === 429) retryAfter = response.headers()["retry-after"];
    }
    expect(retryAfter, "a 429 came").toBeDefined();
    expect(Number(retryAfter)).toBeGreaterThan(0);
    expect(statuses.filter((status) => status === 404).length).toBeGreaterThanOrEqual(120);
    expect(new Set(statuses)).toEqual(new Set([404, 429]));
    await api.dispose();
  });

  test("password guesses lock the account's password sign-in for a while", async ({ playwright, baseURL }) => {
    const api = await systemClient(playwright, baseURL);
    const email = `nobody-${Date.now()}@agentflow.test`;
    const statuses: number[] = [];
    for (let i = 0; i < 12; i += 1) {
      // A different claimed address each time: the lock follows the account, not X-Forwarded-For.
      const response = await api.post("/api/auth/sign-in/email", { headers: { "x-forwarded-for": `203.0.113.${i}` }, data: { email, password: "not the password" } });
      statuses.push(response.status());
    }
    expect(statuses.slice(0, 10).every((status) => status === 401)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
    await api.dispose();
  });
});

async function cookieOf(request: APIRequestContext): Promise<string> {
  const state = await request.storageState();
  return state.cookies.map((cookie) => `${cookie.name}=${cookie.value}`).join("; ");
}
