import { createHmac, timingSafeEqual } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Worker } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, waitForRun, waitUntil, type Harness } from "./support/harness";
import { createTestUser, createWorkspaceWith } from "./support/identities";
import { startDemoModelServer, type DemoModelServer } from "../server/llm/serve-demo-model";
import type { WorkspaceAccess } from "../server/auth/access";
import type { Graph } from "../server/engine/graph";
import { buildGraph } from "../server/engine/test-helpers";
import { UserInputError } from "../server/errors";
import { setModelPrice } from "../server/llm/model-prices";
import { alertDeliveryId, createChannel, deleteChannel } from "../server/notifications/channels";
import { closeNotificationsQueue, getNotificationsQueue } from "../server/notifications/queue";
import { createNotificationWorker } from "../server/notifications/worker";
import { alertRuleInputSchema, createAlertRule, createAlertSweeper, listAlerts, sweepAlerts, updateAlertRule, type AlertRuleInput } from "../server/ops/alerts";
import { startWorkerHeartbeat } from "../server/ops/heartbeat";
import { startRun } from "../server/runs/start-run";
import { respondToHumanTask } from "../server/runs/respond-human";
import { createWorkflow } from "../server/workflows/workflows";

/**
 * Alerts on the real Postgres, Redis (the workers' heartbeat index), the demo model over HTTP
 * and an HTTP receiver on loopback for the webhook and Slack channels: each condition fires when
 * it holds and not when it does not, is delivered signed through the workspace's channel,
 * logged, and sent once per cool-down however many workers sweep at the same moment. Delivery
 * goes through the real "notifications" queue and two of its workers (retries 100 ms apart
 * instead of 5 s), so a channel that is briefly down is retried like a task notice.
 */

type Received = { path: string; headers: http.IncomingHttpHeaders; body: string };

const MODEL = "gpt-alerts-test";
let harness: Harness;
let paid: DemoModelServer;
let receiver: http.Server;
let base: string;
const received: Received[] = [];
let notifications: Worker;
let notificationsTwin: Worker;
/** Requests per path, so a path can fail its first requests. */
const seen = new Map<string, number>();
/** "/hold/" answers its second request only when the test says so (an attempt in flight). */
const held: (() => void)[] = [];

function answerFor(path: string): { status: number; body: string } | "hold" {
  const count = (seen.get(path) ?? 0) + 1;
  seen.set(path, count);
  if (path.startsWith("/down/")) return { status: 500, body: "broken" };
  if (path.startsWith("/gone/")) return { status: 410, body: "channel_is_archived" };
  if (path.startsWith("/flaky/") && count === 1) return { status: 503, body: "busy, try later" };
  if (path.startsWith("/hold/") && count === 1) return { status: 503, body: "busy, try later" };
  if (path.startsWith("/hold/") && count === 2) return "hold";
  return { status: 200, body: "ok" };
}

beforeAll(async () => {
  receiver = http.createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    request.on("end", () => {
      const path = request.url ?? "/";
      received.push({ path, headers: request.headers, body });
      const answer = answerFor(path);
      const send = (status: number, text: string) => response.writeHead(status, { "content-type": "text/plain" }).end(text);
      if (answer === "hold") held.push(() => send(200, "ok"));
      else send(answer.status, answer.body);
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  paid = await startDemoModelServer();
  harness = await startHarness({
    env: { APP_URL: "http://localhost:3100", HTTP_ALLOW_PRIVATE_HOSTS: "127.0.0.1", LLM_MAX_RETRIES: "0", OPENAI_API_KEY: "sk-test-alerts", OPENAI_BASE_URL: paid.baseUrl },
  });
  // Two consumers of the queue, as two worker processes have: a job is still taken by one.
  notifications = createNotificationWorker(harness.db, { retryBaseMs: 100 });
  notificationsTwin = createNotificationWorker(harness.db, { retryBaseMs: 100 });
  await Promise.all([notifications.waitUntilReady(), notificationsTwin.waitUntilReady()]);
}, 60_000);

afterAll(async () => {
  for (const release of held.splice(0)) release();
  await notifications?.close();
  await notificationsTwin?.close();
  await getNotificationsQueue().obliterate({ force: true }).catch(() => undefined);
  await closeNotificationsQueue();
  await harness?.stop();
  await paid?.close();
  await new Promise<void>((resolve) => receiver?.close(() => resolve()));
});

async function team(name: string): Promise<{ workspaceId: string; admin: WorkspaceAccess }> {
  const user = await createTestUser(`${name} admin`);
  const workspaceId = await createWorkspaceWith(harness.db, name, [{ user, role: "admin" }]);
  return { workspaceId, admin: { workspaceId, actor: { kind: "user", id: user.id, name: user.name, email: user.email }, role: "admin", ip: null } };
}

function rule(input: Partial<AlertRuleInput> & Pick<AlertRuleInput, "kind" | "threshold">): AlertRuleInput {
  return { windowMinutes: 15, minRuns: 5, cooldownMinutes: 60, channelId: null, enabled: true, ...input };
}

async function runOnce(workspaceId: string, graph: Graph, statuses: string[]) {
  const { id } = await createWorkflow(harness.db, workspaceId, { name: `alerts ${Math.random().toString(36).slice(2)}`, graph });
  const { runId } = await startRun(harness.db, { workspaceId, workflowId: id, input: {}, trigger: "manual", startedBy: "alerts test" });
  return waitForRun(harness.db, runId, statuses);
}

/** A model that keeps failing asks a person what to do; told to stop, the run failed. */
async function failedRun(workspaceId: string, admin: WorkspaceAccess) {
  // The demo model counts a fault per conversation: each run asks its own question.
  const waiting = await runOnce(workspaceId, agentGraph(`Fail please ${Math.random().toString(36).slice(2)} #demo:500:9`), ["waiting_for_human"]);
  const task = await harness.db.humanTask.findFirstOrThrow({ where: { runId: waiting.id, status: "pending" } });
  expect(task.kind).toBe("errors");
  await respondToHumanTask(harness.db, admin, { taskId: task.id, decision: "reject", comment: "stop" });
  return waitForRun(harness.db, waiting.id, ["failed"]);
}

const agentGraph = (task: string, extra: Record<string, unknown> = {}): Graph =>
  buildGraph(
    [["trigger", "trigger"], ["agent", "agent", { task, ...extra }], ["out", "output"]],
    [["trigger", "agent"], ["agent", "out"]],
  );

/** The receiver's check, written out from the README rather than calling our own helper. */
function signatureValid(secret: string, header: string, body: string): boolean {
  const fields = Object.fromEntries(header.split(",").map((part) => part.split("=") as [string, string]));
  const expected = createHmac("sha256", secret).update(`${fields.t}.${body}`).digest();
  const given = Buffer.from(fields.v1 ?? "", "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * The alerts a path received. A channel also hears of its workspace's human tasks (the runs
 * here that wait for a person), which the queue workers deliver too: those are left out.
 */
const at = (path: string) =>
  received.filter((request) => request.path === path && (request.headers["agentflow-event"] === "alert" || request.body.includes("*AgentFlow alert*")));

/** The log entry of a firing once its delivery settled (no longer pending or retrying). */
async function settled(logId: string, timeoutMs = 15_000) {
  await waitUntil(async () => !["pending", "retrying"].includes((await harness.db.alertLog.findUniqueOrThrow({ where: { id: logId } })).status), `alert ${logId} to settle`, timeoutMs);
  return harness.db.alertLog.findUniqueOrThrow({ where: { id: logId } });
}

const firedFor = (report: Awaited<ReturnType<typeof sweepAlerts>>, ruleId: string) => report.fired.filter((entry) => entry.ruleId === ruleId);

describe("alert rules", () => {
  it("failure rate: fires once at least N runs ended and more than X % failed, signed to the webhook, logged; once per cool-down even when five workers sweep at once", async () => {
    const { workspaceId, admin } = await team("Failures");
    const hook = await createChannel(harness.db, admin, { kind: "webhook", name: "Ops hook", url: `${base}/hook/failures` });
    const { id: ruleId } = await createAlertRule(harness.db, admin, rule({ kind: "failure_rate", threshold: 50, minRuns: 3, channelId: hook.id }));

    // Two failed runs: 100 % failed, but fewer than 3 ended: nothing yet.
    await failedRun(workspaceId, admin);
    await failedRun(workspaceId, admin);
    expect((await sweepAlerts(harness.db)).fired.filter((fired) => fired.ruleId === ruleId)).toEqual([]);
    // A success: 2 of 3 failed, 67 % > 50 %.
    await runOnce(workspaceId, agentGraph("Say hello"), ["succeeded"]);

    // Five workers sweep at the same moment: one claims the firing, one request reaches the receiver.
    const reports = await Promise.all(Array.from({ length: 5 }, () => sweepAlerts(harness.db)));
    const fired = reports.flatMap((report) => report.fired).filter((entry) => entry.ruleId === ruleId);
    expect(fired).toHaveLength(1);
    expect(fired[0]?.status).toBe("pending");
    expect(await settled(fired[0]!.logId)).toMatchObject({ status: "delivered", attempts: 1, error: null, deliveredAt: expect.any(Date) });
    expect(at("/hook/failures")).toHaveLength(1);
    const request = at("/hook/failures")[0]!;
    expect(request.headers["agentflow-event"]).toBe("alert");
    expect(signatureValid(hook.signingSecret ?? "", String(request.headers["agentflow-signature"]), request.body)).toBe(true);
    const body = JSON.parse(request.body) as { event: string; alert: { kind: string; message: string; value: number; ruleId: string }; workspace: { id: string }; url: string };
    expect(body).toMatchObject({ event: "alert", workspace: { id: workspaceId }, url: "http://localhost:3100/settings/alerts", alert: { kind: "failure_rate", ruleId } });
    expect(body.alert.message).toBe("2 of 3 runs failed in the last 15 min (67 %, above 50 %)");

    const { log } = await listAlerts(harness.db, workspaceId);
    expect(log).toEqual([expect.objectContaining({ ruleId, kind: "failure_rate", status: "delivered", attempts: 1, channelName: "Ops hook", message: body.alert.message })]);

    // Within the cool-down: nothing more; after it (60 min later), it fires again while the condition holds.
    await sweepAlerts(harness.db);
    expect(at("/hook/failures")).toHaveLength(1);
    const later = new Date(Date.now() + 61 * 60_000);
    // 61 minutes on, the runs are outside the 15-minute window: the condition no longer holds.
    expect((await sweepAlerts(harness.db, { now: later })).fired.filter((entry) => entry.ruleId === ruleId)).toEqual([]);
  });

  it("daily cost: fires when today's model spend is above X, not below", async () => {
    const { workspaceId, admin } = await team("Spend");
    await setModelPrice(harness.db, admin, { model: MODEL, inputPerMTok: 100_000, outputPerMTok: 100_000 });
    const slack = await createChannel(harness.db, admin, { kind: "slack", name: "#spend", url: `${base}/slack/spend` });
    const { id: high } = await createAlertRule(harness.db, admin, rule({ kind: "daily_cost", threshold: 100_000, channelId: slack.id }));
    const { id: low } = await createAlertRule(harness.db, admin, rule({ kind: "daily_cost", threshold: 1, channelId: slack.id }));
    const run = await runOnce(workspaceId, agentGraph("Write a line", { provider: "openai", model: MODEL }), ["succeeded"]);
    expect(run.costUsd).toBeGreaterThan(1);

    const fired = (await sweepAlerts(harness.db)).fired.filter((entry) => entry.ruleId === high || entry.ruleId === low);
    expect(fired).toEqual([expect.objectContaining({ ruleId: low, status: "pending" })]);
    expect(await settled(fired[0]!.logId)).toMatchObject({ status: "delivered", attempts: 1 });
    const posts = at("/slack/spend");
    expect(posts).toHaveLength(1);
    const text = (JSON.parse(posts[0]!.body) as { text: string }).text;
    expect(text).toBe(`:rotating_light: *AgentFlow alert* (workspace *Spend*): Model spend today (UTC) is $${run.costUsd.toFixed(2)}, above $1.00\n<http://localhost:3100/settings/alerts|Alert settings>`);
  });

  it("task waiting: fires when a human task waited longer than X minutes; a disabled rule never fires; a rule without a channel is logged", async () => {
    const { workspaceId, admin } = await team("Waiting");
    const hook = await createChannel(harness.db, admin, { kind: "webhook", name: "Down hook", url: `${base}/down/waiting` });
    const { id: ruleId } = await createAlertRule(harness.db, admin, rule({ kind: "task_waiting", threshold: 30, channelId: hook.id }));
    const { id: disabledId } = await createAlertRule(harness.db, admin, rule({ kind: "task_waiting", threshold: 30, channelId: hook.id, enabled: false }));
    const { id: silentId } = await createAlertRule(harness.db, admin, rule({ kind: "task_waiting", threshold: 30, channelId: null }));
    const graph = buildGraph(
      [["trigger", "trigger"], ["gate", "human", { message: "Approve the refund?" }], ["out", "output"]],
      [["trigger", "gate"], ["gate", "out", "approve"]],
    );
    const { id } = await createWorkflow(harness.db, workspaceId, { name: "Refunds", graph });
    const { runId } = await startRun(harness.db, { workspaceId, workflowId: id, input: {}, trigger: "manual", startedBy: "alerts test" });
    await waitForRun(harness.db, runId, ["waiting_for_human"]);

    const ours = (report: Awaited<ReturnType<typeof sweepAlerts>>) => report.fired.filter((entry) => [ruleId, disabledId, silentId].includes(entry.ruleId));
    expect(ours(await sweepAlerts(harness.db))).toEqual([]);
    const fired = ours(await sweepAlerts(harness.db, { now: new Date(Date.now() + 31 * 60_000) }));
    expect(fired.map((entry) => [entry.ruleId, entry.status]).sort()).toEqual([[ruleId, "pending"], [silentId, "no_channel"]].sort());
    // A channel that stays down: every attempt of the task notices' schedule, then failed with the last error.
    await settled(fired.find((entry) => entry.ruleId === ruleId)!.logId);
    expect(at("/down/waiting")).toHaveLength(6);
    const { log } = await listAlerts(harness.db, workspaceId);
    expect(log.find((entry) => entry.ruleId === ruleId)).toMatchObject({
      status: "failed",
      attempts: 6,
      error: "HTTP 500 Internal Server Error: broken",
      message: "A human task in “Refunds” has waited 31 min (longer than 30 min)",
    });
    const delivery = await harness.db.notificationDelivery.findUniqueOrThrow({ where: { alertLogId: log.find((entry) => entry.ruleId === ruleId)!.id } });
    expect(delivery).toMatchObject({ event: "alert", status: "failed", attempts: 6, lastStatusCode: 500, channelId: hook.id });
    expect(log.find((entry) => entry.ruleId === silentId)).toMatchObject({ status: "no_channel", channelName: null });

    // Re-enabling the disabled rule (an audited update) lets it fire at the next sweep.
    await updateAlertRule(harness.db, admin, { id: disabledId, ...rule({ kind: "task_waiting", threshold: 30, channelId: hook.id, enabled: true }) });
    const again = ours(await sweepAlerts(harness.db, { now: new Date(Date.now() + 31 * 60_000) }));
    expect(again.map((entry) => entry.ruleId)).toEqual([disabledId]);
    expect(await settled(again[0]!.logId)).toMatchObject({ status: "failed", attempts: 6 });
    expect(await harness.db.auditEntry.count({ where: { workspaceId, action: { in: ["alert_rule.created", "alert_rule.updated"] } } })).toBe(4);
  });

  it("no worker: fires while no worker beats, not while one does (the Redis heartbeat index)", async () => {
    const { admin } = await team("Workers");
    const hook = await createChannel(harness.db, admin, { kind: "webhook", name: "Pager", url: `${base}/hook/workers` });
    const { id: ruleId } = await createAlertRule(harness.db, admin, rule({ kind: "no_worker", threshold: 1, cooldownMinutes: 1, channelId: hook.id }));
    // The harness's in-process worker does not beat: no worker is alive for the index.
    const sweeper = createAlertSweeper(harness.db, { info: () => undefined, error: (details) => console.error(details) });
    await sweeper.tick();
    await waitUntil(() => at("/hook/workers").length === 1, "the no-worker alert");
    expect(await settled((await harness.db.alertLog.findFirstOrThrow({ where: { ruleId } })).id)).toMatchObject({ status: "delivered" });
    const first = at("/hook/workers");
    expect(first).toHaveLength(1);
    expect((JSON.parse(first[0]!.body) as { alert: { message: string; value: number } }).alert).toMatchObject({ message: "No worker process is alive: runs do not advance", value: 0 });

    const heartbeat = await startWorkerHeartbeat({ concurrency: 1 });
    try {
      // After the cool-down, with a worker beating: nothing.
      expect((await sweepAlerts(harness.db, { now: new Date(Date.now() + 2 * 60_000) })).fired.filter((entry) => entry.ruleId === ruleId)).toEqual([]);
    } finally {
      await heartbeat.stop();
      await sweeper.stop();
    }
    expect(at("/hook/workers")).toHaveLength(1);
  });

  it("a channel briefly down: retried with backoff and delivered on the 2nd attempt, once, by two queue workers; the rule does not fire again meanwhile", async () => {
    const { workspaceId, admin } = await team("Briefly down");
    const hook = await createChannel(harness.db, admin, { kind: "webhook", name: "Pager", url: `${base}/hold/pager` });
    const { id: ruleId } = await createAlertRule(harness.db, admin, rule({ kind: "no_worker", threshold: 1, cooldownMinutes: 1, channelId: hook.id }));

    // Five sweepers at once: one firing, one delivery row, one job.
    const reports = await Promise.all(Array.from({ length: 5 }, () => sweepAlerts(harness.db, { liveWorkers: async () => 0 })));
    const fired = reports.flatMap((report) => firedFor(report, ruleId));
    expect(fired).toEqual([expect.objectContaining({ status: "pending" })]);
    const logId = fired[0]!.logId;
    const firedAt = (await harness.db.alertRule.findUniqueOrThrow({ where: { id: ruleId } })).lastFiredAt;

    // The first attempt got a 503; the second is in flight (held by the receiver).
    await waitUntil(() => held.length === 1, "the second attempt to reach the receiver");
    expect(await harness.db.alertLog.findUniqueOrThrow({ where: { id: logId } })).toMatchObject({ status: "retrying", attempts: 1, error: "HTTP 503 Service Unavailable: busy, try later" });
    const shown = (await listAlerts(harness.db, workspaceId)).log;
    expect(shown).toEqual([expect.objectContaining({ id: logId, status: "retrying", attempts: 1, error: expect.stringContaining("503") })]);

    // Two minutes on, past the cool-down and the condition still holds — but this firing is still
    // being delivered: no new firing, and the claim is not taken.
    const twoMinutesOn = () => new Date(Date.now() + 2 * 60_000);
    expect(firedFor(await sweepAlerts(harness.db, { now: twoMinutesOn(), liveWorkers: async () => 0 }), ruleId)).toEqual([]);
    expect((await harness.db.alertRule.findUniqueOrThrow({ where: { id: ruleId } })).lastFiredAt).toEqual(firedAt);

    held.shift()!();
    const entry = await settled(logId);
    expect(entry).toMatchObject({ status: "delivered", attempts: 2, error: null, channelName: "Pager" });
    expect(entry.deliveredAt).toBeInstanceOf(Date);
    expect(await harness.db.notificationDelivery.findUniqueOrThrow({ where: { id: alertDeliveryId(logId) } })).toMatchObject({ status: "delivered", attempts: 2, lastStatusCode: 200, alertLogId: logId });
    // Two requests, both the same delivery (its id is the receiver's idempotency key), signed alike.
    const requests = at("/hold/pager");
    expect(requests).toHaveLength(2);
    expect(new Set(requests.map((request) => request.headers["agentflow-delivery"]))).toEqual(new Set([alertDeliveryId(logId)]));
    expect(requests.every((request) => signatureValid(hook.signingSecret ?? "", String(request.headers["agentflow-signature"]), request.body))).toBe(true);

    // Delivered and past the cool-down: the rule fires again (a new firing, delivered at once).
    const next = firedFor(await sweepAlerts(harness.db, { now: twoMinutesOn(), liveWorkers: async () => 0 }), ruleId);
    expect(next).toEqual([expect.objectContaining({ status: "pending" })]);
    expect(next[0]!.logId).not.toBe(logId);
    expect(await settled(next[0]!.logId)).toMatchObject({ status: "delivered", attempts: 1 });
    expect(at("/hold/pager")).toHaveLength(3);
  });

  it("a refused channel fails at once; a lost job is enqueued again by the next sweep; a deleted channel settles its firing", async () => {
    const { admin } = await team("Lost and found");
    const gone = await createChannel(harness.db, admin, { kind: "slack", name: "#archived", url: `${base}/gone/slack` });
    const flaky = await createChannel(harness.db, admin, { kind: "webhook", name: "Flaky", url: `${base}/flaky/found` });
    const { id: goneRule } = await createAlertRule(harness.db, admin, rule({ kind: "no_worker", threshold: 1, cooldownMinutes: 1, channelId: gone.id }));

    // 410 Gone is permanent: no retry.
    const [refused] = firedFor(await sweepAlerts(harness.db, { liveWorkers: async () => 0 }), goneRule);
    expect(await settled(refused!.logId)).toMatchObject({ status: "failed", attempts: 1, error: "HTTP 410 Gone: channel_is_archived" });
    expect(at("/gone/slack")).toHaveLength(1);

    // A job lost before any worker took it (the workers paused; the job removed, as a flushed Redis would).
    await Promise.all([notifications.pause(), notificationsTwin.pause()]);
    const { id: lostRule } = await createAlertRule(harness.db, admin, rule({ kind: "no_worker", threshold: 1, cooldownMinutes: 1, channelId: flaky.id }));
    const [lost] = firedFor(await sweepAlerts(harness.db, { liveWorkers: async () => 0 }), lostRule);
    await getNotificationsQueue().remove(`deliver-${alertDeliveryId(lost!.logId)}`);
    expect(await getNotificationsQueue().getJob(`deliver-${alertDeliveryId(lost!.logId)}`)).toBeUndefined();
    notifications.resume();
    notificationsTwin.resume();
    // A minute later, the sweep sees a firing never tried and enqueues it again; it is not fired anew.
    expect(firedFor(await sweepAlerts(harness.db, { now: new Date(Date.now() + 61_000), liveWorkers: async () => 0 }), lostRule)).toEqual([]);
    expect(await settled(lost!.logId)).toMatchObject({ status: "delivered", attempts: 2 });
    expect(at("/flaky/found")).toHaveLength(2);

    // A channel deleted while its firing waits: the firing is settled as failed, so the rule can fire again.
    await Promise.all([notifications.pause(), notificationsTwin.pause()]);
    try {
      const doomed = await createChannel(harness.db, admin, { kind: "webhook", name: "Doomed", url: `${base}/hook/doomed` });
      const { id: doomedRule } = await createAlertRule(harness.db, admin, rule({ kind: "no_worker", threshold: 1, cooldownMinutes: 1, channelId: doomed.id }));
      const [orphan] = firedFor(await sweepAlerts(harness.db, { liveWorkers: async () => 0 }), doomedRule);
      await deleteChannel(harness.db, admin, doomed.id);
      await sweepAlerts(harness.db, { liveWorkers: async () => 0 });
      expect(await harness.db.alertLog.findUniqueOrThrow({ where: { id: orphan!.logId } })).toMatchObject({ status: "failed", attempts: 0, error: "the channel was deleted before this was delivered" });
    } finally {
      notifications.resume();
      notificationsTwin.resume();
    }
    expect(at("/hook/doomed")).toHaveLength(0);
  });

  it("refuses bad rules naming the field, and another workspace's channel", async () => {
    const issue = (input: unknown) => alertRuleInputSchema.safeParse(input).error?.issues[0]?.path.join(".");
    expect(issue({ kind: "failure_rate", threshold: 150, channelId: null })).toBe("threshold");
    expect(issue({ kind: "no_worker", threshold: 0.5, channelId: null })).toBe("threshold");
    expect(issue({ kind: "task_waiting", threshold: 10, windowMinutes: 0, channelId: null })).toBe("windowMinutes");
    expect(issue({ kind: "sometimes", threshold: 10, channelId: null })).toBe("kind");
    const mine = await team("Mine");
    const theirs = await team("Theirs");
    const theirChannel = await createChannel(harness.db, theirs.admin, { kind: "webhook", name: "Their hook", url: `${base}/hook/theirs` });
    await expect(createAlertRule(harness.db, mine.admin, rule({ kind: "daily_cost", threshold: 5, channelId: theirChannel.id }))).rejects.toSatisfy(
      (error: unknown) => error instanceof UserInputError && error.path === "channelId",
    );
    expect((await listAlerts(harness.db, mine.workspaceId)).rules).toEqual([]);
  });
});
