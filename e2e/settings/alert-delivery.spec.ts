import { mkdirSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "@playwright/test";
import { trpcMutation } from "../support/api";
import { unique } from "./helpers";

/**
 * An alert whose channel is briefly down, end to end: the real worker's sweep (every 30 s)
 * fires a rule, the "notifications" queue tries its webhook — a receiver on loopback that
 * answers the first alert with a 503 — and retries it with the production backoff (5 s). The
 * alert log on Settings → Alerts shows it retrying with the error, then delivered after 2 attempts.
 */

const SHOTS = "/tmp/shots";
mkdirSync(SHOTS, { recursive: true });

type Received = { path: string; event: string | undefined };

let receiver: http.Server;
let base: string;
const received: Received[] = [];

test.beforeAll(async () => {
  receiver = http.createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      const path = request.url ?? "/";
      const event = request.headers["agentflow-event"] as string | undefined;
      received.push({ path, event });
      // The channel also hears of tasks waiting in this workspace: only alerts are made to fail, and only the first.
      const alertsSoFar = received.filter((entry) => entry.path === path && entry.event === "alert").length;
      if (event === "alert" && alertsSoFar === 1) response.writeHead(503, { "content-type": "text/plain" }).end("pager restarting");
      // The retry answers after 3 s: the page has time to show it retrying.
      else if (event === "alert" && alertsSoFar === 2) setTimeout(() => response.writeHead(200, { "content-type": "text/plain" }).end("ok"), 3_000);
      else response.writeHead(200, { "content-type": "text/plain" }).end("ok");
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});

test.afterAll(async () => {
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

test("an alert to a channel that is briefly down shows as retrying with the error, then delivered after 2 attempts", async ({ page, request }) => {
  test.setTimeout(120_000);
  const id = unique();
  const path = `/pager/${id}`;
  const channel = await trpcMutation(request, "notifications", "create", { kind: "webhook", name: `Pager ${id}`, url: `${base}${path}` });
  // One worker beats in this setup: "fewer than 50 alive" holds at its next sweep.
  const rule = await trpcMutation(request, "alerts", "create", { kind: "no_worker", threshold: 50, windowMinutes: 15, minRuns: 5, cooldownMinutes: 60, channelId: channel.id, enabled: true });
  try {
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto("/settings/alerts");
    const row = page.getByTestId("alert-log-row").filter({ hasText: "Only 1 worker process is alive (fewer than 50)" }).filter({ hasText: `Pager ${id}` });
    // The sweep runs every 30 s; the first attempt fails, the retry waits 5 s. The page re-reads
    // itself only while something is being delivered, so reload until the firing shows.
    await expect(async () => {
      await page.reload();
      await expect(row).toHaveCount(1, { timeout: 2_000 });
    }).toPass({ timeout: 45_000, intervals: [2_000] });
    await expect(row).toHaveAttribute("data-status", "retrying", { timeout: 10_000 });
    await expect(row).toContainText("1 attempt");
    await expect(row).toContainText("HTTP 503 Service Unavailable: pager restarting");
    await page.screenshot({ path: `${SHOTS}/alert-retrying-1440.png`, fullPage: true });

    // Without a reload: the page polls while the firing is retried.
    await expect(row).toHaveAttribute("data-status", "delivered", { timeout: 30_000 });
    await expect(row).toContainText("2 attempts");
    await expect(row).not.toContainText("503");
    await page.screenshot({ path: `${SHOTS}/alert-delivered-1440.png`, fullPage: true });
    expect(received.filter((entry) => entry.path === path && entry.event === "alert")).toHaveLength(2);
  } finally {
    await trpcMutation(request, "alerts", "delete", { id: rule.id });
    await trpcMutation(request, "notifications", "delete", { id: channel.id });
  }
});
