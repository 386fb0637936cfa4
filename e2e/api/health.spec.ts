import http from "node:http";
import { expect, test } from "@playwright/test";
import { systemClient } from "../support/api";
import { expectMatchesOpenApi } from "../support/openapi";

/**
 * /api/health and /api/ready on the production build with its real worker process (started by
 * playwright.config.ts): no credential, answers as the OpenAPI document says, and let in with the
 * Host header an orchestrator's probe sends (a pod or container address).
 */

const PORT = 3100;

type ReadinessBody = { status: string; checks: { name: string; ok: boolean; ms: number; detail: string }[] };

/** A raw HTTP GET with the Host header a probe would send (Playwright would fix it up). */
function probe(path: string, host: string, method = "GET"): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: "127.0.0.1", port: PORT, method, path, headers: { host } }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
    });
    request.on("error", reject);
    request.end();
  });
}

test("liveness and readiness answer anyone, as the OpenAPI document describes them", async ({ playwright, baseURL }) => {
  const anonymous = await systemClient(playwright, baseURL);
  const health = await anonymous.get("/api/health");
  expect(await expectMatchesOpenApi(health, "getHealth", 200)).toEqual({ status: "ok" });
  expect(health.headers()["cache-control"]).toBe("no-store");
  expect((await anonymous.head("/api/health")).status()).toBe(200);

  // The spec's worker process beats, the stores answer, the test database is migrated: ready.
  const ready = await anonymous.get("/api/ready");
  const report = await expectMatchesOpenApi<ReadinessBody>(ready, "getReadiness", 200);
  expect(ready.headers()["cache-control"]).toBe("no-store");
  expect(report.status).toBe("ready");
  expect(report.checks.map((check) => [check.name, check.ok])).toEqual([
    ["postgres", true],
    ["redis", true],
    ["migrations", true],
    ["workers", true],
  ]);
  expect(report.checks.find((check) => check.name === "workers")?.detail).toMatch(/^\d+ online$/);
  // Public: no address, user or error text in it.
  expect(JSON.stringify(report)).not.toMatch(/127\.0\.0\.1|localhost|postgres(ql)?:\/\/|redis:\/\//);
  await anonymous.dispose();
});

test("a probe with a pod IP as Host gets in to the probe URLs, and only to them", async () => {
  const health = await probe("/api/health", `10.1.2.3:${PORT}`);
  expect(health.status).toBe(200);
  expect(JSON.parse(health.body)).toEqual({ status: "ok" });
  const ready = await probe("/api/ready", `10.1.2.3:${PORT}`);
  expect(ready.status, ready.body).toBe(200);
  expect(JSON.parse(ready.body)).toMatchObject({ status: "ready" });
  expect((await probe("/api/health", `10.1.2.3:${PORT}`, "HEAD")).status).toBe(200);
  // DNS rebinding stays closed everywhere else.
  const elsewhere = await probe("/api/v1/workflows", `10.1.2.3:${PORT}`);
  expect(elsewhere.status).toBe(400);
  expect(JSON.parse(elsewhere.body)).toMatchObject({ error: { code: "host_not_allowed" } });
  expect((await probe("/sign-in", `10.1.2.3:${PORT}`)).status).toBe(400);
});

test("the API reference at /docs/api lists both probes with the readiness 503 (light and dark, two sizes)", async ({ page }) => {
  for (const colorScheme of ["light", "dark"] as const) {
    // No theme is stored for this session: the page follows the system setting.
    await page.emulateMedia({ colorScheme });
    for (const viewport of [
      { width: 1440, height: 900 },
      { width: 1024, height: 768 },
    ]) {
      await page.setViewportSize(viewport);
      await page.goto("/docs/api");
      await page.getByRole("navigation", { name: "Operations" }).getByRole("link", { name: /Readiness/ }).click();
      const readiness = page.getByRole("article", { name: "GET /api/ready" });
      await expect(readiness).toBeInViewport();
      await expect(readiness.getByText("503", { exact: true }).first()).toBeVisible();
      await expect(page.getByRole("article", { name: "GET /api/health" })).toBeVisible();
      await page.screenshot({ path: `/tmp/shots/health-api-reference-${colorScheme}-${viewport.width}.png` });
    }
  }
});

test("public/ files are served without a session: robots.txt keeps crawlers out of a private tool", async ({ request }) => {
  const response = await request.get("/robots.txt", { headers: { cookie: "" } });
  expect(response.status()).toBe(200);
  expect(response.headers()["content-type"]).toContain("text/plain");
  expect(await response.text()).toContain("Disallow: /");
});

test("an idle keep-alive connection is still open when its client comes back after node's 5 s default", async () => {
  // A client reusing a connection the server is closing gets ECONNRESET (CI once lost a request
  // so, 5 s after the previous one): the server keeps idle connections 65 s (lib/web-server.ts).
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const get = () =>
    new Promise<{ status: number; socket: unknown }>((resolve, reject) => {
      const request = http.get({ host: "127.0.0.1", port: PORT, path: "/api/health", agent }, (response) => {
        response.resume();
        response.on("end", () => resolve({ status: response.statusCode ?? 0, socket: request.socket }));
      });
      request.on("error", reject);
    });
  try {
    const first = await get();
    expect(first.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 6_500));
    const second = await get();
    expect(second.status).toBe(200);
    // The same connection served both: the server did not close it while it was idle.
    expect(second.socket).toBe(first.socket);
  } finally {
    agent.destroy();
  }
});
