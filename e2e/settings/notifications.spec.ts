import { createHmac, timingSafeEqual } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test, type Page } from "@playwright/test";
import { trpcMutation, trpcQuery } from "../support/api";
import { node } from "../support/editor";
import { approvalGraph } from "../support/graphs";
import { pageAs, requestAs } from "../support/users";
import { unique } from "./helpers";

/**
 * Notification channels end to end: an admin adds a signed webhook pointing at a receiver this
 * spec runs on loopback (the app and worker run with HTTP_ALLOW_PRIVATE_HOSTS=127.0.0.1, the
 * SSRF guard's test exemption), a run that waits for approval is announced to it with a link
 * that opens the task, and the Inbox count in the top bar follows — live — as the task comes
 * and goes.
 */

type Received = { path: string; headers: http.IncomingHttpHeaders; body: string };

let receiver: http.Server;
let base: string;
const received: Received[] = [];

test.beforeAll(async () => {
  receiver = http.createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    request.on("end", () => {
      const path = request.url ?? "/";
      received.push({ path, headers: request.headers, body });
      if (path.startsWith("/down/")) response.writeHead(503, { "content-type": "text/plain" }).end("down for maintenance");
      else response.writeHead(200, { "content-type": "text/plain" }).end("ok");
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});

test.afterAll(async () => {
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

/** What a receiver does with the README's scheme: HMAC-SHA256 of `<t>.<raw body>`, in constant time. */
function verify(secret: string, request: Received): boolean {
  const fields = Object.fromEntries(String(request.headers["agentflow-signature"]).split(",").map((part) => part.split("=") as [string, string]));
  if (Math.abs(Date.now() / 1000 - Number(fields.t)) > 300) return false;
  const expected = createHmac("sha256", secret).update(`${fields.t}.${request.body}`).digest();
  const given = Buffer.from(fields.v1 ?? "", "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The top bar's count as a number (no badge: nothing waits). */
async function inboxCount(page: Page): Promise<number> {
  const badge = page.getByRole("navigation", { name: "Main" }).getByTestId("inbox-count");
  return (await badge.count()) === 0 ? 0 : Number(await badge.textContent());
}

test("an admin adds a signed webhook; a waiting run is announced with a link that opens the task, and the Inbox count follows live", async ({ browser, request }) => {
  const id = unique();
  const channelName = `Ops hook ${id}`;
  const workflowName = `Notified ${id}`;
  const admin = await pageAs(browser, "admin");
  await admin.goto("/settings/notifications");
  await expect(admin.getByRole("heading", { name: "Notifications" })).toBeVisible();

  await admin.getByRole("radio", { name: "Webhook" }).check();
  await admin.getByLabel("Channel name").fill(channelName);
  await admin.getByLabel("Webhook URL").fill(`${base}/hook/${id}`);
  await admin.getByRole("button", { name: "Add channel" }).click();
  const secretField = admin.getByTestId("new-signing-secret-value");
  await expect(secretField).toHaveText(/^whsec_/);
  const secret = (await secretField.textContent()) ?? "";
  const row = admin.getByRole("table", { name: "Notification channels" }).getByRole("row").filter({ hasText: channelName });
  await expect(row).toContainText(`${base}/…`);
  await expect(row).not.toContainText("/hook/");

  // "Send test" delivers now and says so.
  await row.getByRole("button", { name: `Send a test to ${channelName}` }).click();
  await expect(admin.getByTestId("notification-test-result")).toContainText(`Test to “${channelName}” delivered`);
  const testRequest = received.find((r) => r.path === `/hook/${id}` && r.headers["agentflow-event"] === "test");
  expect(testRequest && verify(secret, testRequest)).toBe(true);

  // A second channel whose endpoint is down: its deliveries are retried and logged, the run goes on.
  const broken = await trpcMutation(request, "notifications", "create", { kind: "webhook", name: `Broken hook ${id}`, url: `${base}/down/${id}` });

  // A run waits for approval: the count in the top bar goes up without a reload.
  const before = await trpcQuery(request, "human", "pendingCount", undefined);
  await expect.poll(() => inboxCount(admin)).toBe(before);
  const { id: workflowId } = await trpcMutation(request, "workflow", "create", { name: workflowName, graph: approvalGraph() });
  const { runId } = await trpcMutation(request, "run", "start", { workflowId, input: { topic: "notifications" } });
  await expect.poll(async () => (await trpcQuery(request, "run", "get", { runId })).status, { timeout: 30_000 }).toBe("waiting_for_human");
  await expect.poll(() => inboxCount(admin), { timeout: 15_000 }).toBe(before + 1);
  await admin.screenshot({ path: "/tmp/shots/notifications-top-bar-count.png", clip: { x: 0, y: 0, width: 1280, height: 56 } });

  // The receiver got the signed task_waiting, with a link to the task.
  await expect.poll(() => received.some((r) => r.path === `/hook/${id}` && r.headers["agentflow-event"] === "task_waiting"), { timeout: 30_000 }).toBe(true);
  const announced = received.find((r) => r.path === `/hook/${id}` && r.headers["agentflow-event"] === "task_waiting");
  if (!announced) throw new Error("no task_waiting request");
  expect(verify(secret, announced)).toBe(true);
  const payload = JSON.parse(announced.body) as { event: string; task: { id: string; nodeId: string }; run: { id: string; workflowName: string }; url: string };
  expect(payload).toMatchObject({ event: "task_waiting", task: { nodeId: "review" }, run: { id: runId, workflowName } });
  expect(payload.url).toBe(`http://localhost:3100/runs/${runId}?task=${payload.task.id}`);

  // The delivery log shows it.
  await admin.reload();
  const logRow = admin.getByRole("table", { name: "Delivery log" }).getByRole("row").filter({ hasText: workflowName });
  const delivered = logRow.filter({ hasText: channelName });
  await expect(delivered.getByTestId("delivery-status")).toHaveText("delivered");
  await expect(delivered).toContainText("Task waiting");
  const failing = logRow.filter({ hasText: `Broken hook ${id}` });
  await expect(failing).toContainText("503", { timeout: 15_000 });
  await expect(failing).toContainText("down for maintenance");
  await expect(failing.getByTestId("delivery-status")).toHaveText("retrying");
  // The settings area scrolls inside the page: a tall window shows all of it.
  await admin.setViewportSize({ width: 1280, height: 1800 });
  await admin.screenshot({ path: "/tmp/shots/notifications-settings.png" });
  await admin.setViewportSize({ width: 1280, height: 720 });

  // The link opens the task, where it is approved; the count goes down again, live.
  await admin.goto(payload.url);
  // It opens on the task's node, its details showing.
  await expect(admin.getByRole("tab", { name: "Node" })).toHaveAttribute("aria-selected", "true");
  await expect(node(admin, "review")).toHaveClass(/selected/);
  await node(admin, "review").getByRole("button", { name: "Approve" }).click({ timeout: 30_000 });
  await expect.poll(async () => (await trpcQuery(request, "run", "get", { runId })).status, { timeout: 30_000 }).toBe("succeeded");
  await expect.poll(() => inboxCount(admin), { timeout: 15_000 }).toBe(before);

  // Off, it is told nothing more; deleted, it is gone (after the confirm dialog).
  await admin.goto("/settings/notifications");
  await row.getByRole("switch", { name: `Enabled: ${channelName}` }).click();
  await expect(row.getByRole("switch", { name: `Enabled: ${channelName}` })).toHaveAttribute("aria-checked", "false");
  await row.getByRole("button", { name: `Delete channel ${channelName}` }).click();
  const dialog = admin.getByRole("dialog", { name: `Delete “${channelName}”?` });
  await dialog.getByRole("button", { name: "Delete channel" }).click();
  await expect(row).toHaveCount(0);
  await trpcMutation(request, "notifications", "delete", { id: broken.id });
  await admin.context().close();
});

test("a viewer cannot see or manage channels", async ({ browser, playwright, baseURL }) => {
  const viewer = await pageAs(browser, "viewer");
  await viewer.goto("/settings/notifications");
  await expect(viewer.getByRole("note")).toContainText("Only admins can manage notification channels.");
  await expect(viewer.getByRole("table", { name: "Notification channels" })).toHaveCount(0);
  await expect(viewer.getByRole("button", { name: "Add channel" })).toHaveCount(0);
  await viewer.context().close();

  // The server says the same, whatever the page shows.
  const api = await requestAs(playwright, baseURL ?? "", "viewer");
  const list = await api.get("/api/trpc/notifications.list");
  expect(list.status()).toBe(403);
  const create = await api.post("/api/trpc/notifications.create", {
    headers: { "content-type": "application/json" },
    data: JSON.stringify({ kind: "webhook", name: "sneaky", url: "https://example.com/hook" }),
  });
  expect(create.status()).toBe(403);
  await api.dispose();
});
