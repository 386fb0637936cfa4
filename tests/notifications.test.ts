import { createHmac, timingSafeEqual } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Worker } from "bullmq";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, waitForRun, waitUntil, type Harness } from "./support/harness";
import { createTestUser, createWorkspaceWith, type TestUser } from "./support/identities";
import type { WorkspaceAccess } from "../server/auth/access";
import type { Role } from "../server/auth/roles";
import type { Graph } from "../server/engine/graph";
import { buildGraph } from "../server/engine/test-helpers";
import { UserInputError } from "../server/errors";
import { createChannel, listChannels, setChannelEnabled } from "../server/notifications/channels";
import { sendTestNotification } from "../server/notifications/deliveries";
import { sweepEscalations } from "../server/notifications/escalation";
import { notifyHumanTasksCreated } from "../server/notifications/notify";
import { closeNotificationsQueue, getNotificationsQueue } from "../server/notifications/queue";
import { createNotificationWorker } from "../server/notifications/worker";
import { respondToHumanTask } from "../server/runs/respond-human";
import { startRun } from "../server/runs/start-run";
import { createWorkflow } from "../server/workflows/workflows";

/**
 * Notifications against the real thing: Postgres, Redis, the BullMQ "notifications" queue and
 * its worker (retries 100 ms apart instead of 5 s), an HTTP server on loopback receiving the
 * webhook and the Slack post (allowed by HTTP_ALLOW_PRIVATE_HOSTS, as the http_request tool's
 * tests do), and a real SMTP server on loopback receiving the mail.
 */

type Received = { path: string; headers: http.IncomingHttpHeaders; body: string };

let harness: Harness;
let notifications: Worker;
let receiver: http.Server;
let smtp: SMTPServer;
let base: string;
const received: Received[] = [];
const mails: { to: string[]; data: string }[] = [];
/** Requests per path, so a path can fail its first N requests. */
const seen = new Map<string, number>();

function answerFor(path: string): { status: number; body: string } {
  const count = (seen.get(path) ?? 0) + 1;
  seen.set(path, count);
  if (path.startsWith("/flaky/")) return count <= 2 ? { status: 503, body: "busy, try later" } : { status: 200, body: "ok" };
  if (path.startsWith("/down/")) return { status: 500, body: "broken" };
  if (path.startsWith("/gone/")) return { status: 410, body: "channel_is_archived" };
  return { status: 200, body: "ok" };
}

const APP_URL = "http://localhost:3100";

/** Mail bodies may be quoted-printable: soft line breaks and `=3D` for "=" (the link's `?task=`). */
function decodeQuotedPrintable(text: string): string {
  return text.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

beforeAll(async () => {
  receiver = http.createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    request.on("end", () => {
      const path = request.url ?? "/";
      received.push({ path, headers: request.headers, body });
      const answer = answerFor(path);
      response.writeHead(answer.status, { "content-type": "text/plain" }).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    onData(stream, session, callback) {
      let data = "";
      stream.on("data", (chunk: Buffer) => (data += chunk.toString("utf8")));
      stream.on("end", () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address).sort(), data: decodeQuotedPrintable(data) });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
  const smtpPort = (smtp.server.address() as AddressInfo).port;

  harness = await startHarness({
    env: { APP_URL, HTTP_ALLOW_PRIVATE_HOSTS: "127.0.0.1", SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, SMTP_FROM: "AgentFlow <agentflow@agentflow.test>" },
  });
  notifications = createNotificationWorker(harness.db, { retryBaseMs: 100 });
  await notifications.waitUntilReady();
}, 60_000);

afterAll(async () => {
  await notifications?.close();
  await getNotificationsQueue().obliterate({ force: true }).catch(() => undefined);
  await closeNotificationsQueue();
  await harness?.stop();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

type Team = { workspaceId: string; admin: WorkspaceAccess; users: Record<Role, TestUser> };

async function team(label: string): Promise<Team> {
  const users = {} as Record<Role, TestUser>;
  for (const role of ["owner", "admin", "editor", "operator", "viewer"] as const) users[role] = await createTestUser(`${label} ${role}`);
  const workspaceId = await createWorkspaceWith(
    harness.db,
    `${label} workspace`,
    (Object.keys(users) as Role[]).map((role) => ({ user: users[role], role })),
  );
  const admin: WorkspaceAccess = { workspaceId, actor: { kind: "user", id: users.admin.id, name: users.admin.name, email: users.admin.email }, role: "admin", ip: null };
  return { workspaceId, admin, users };
}

function approvalGraph(human: Record<string, unknown> = {}): Graph {
  return buildGraph(
    [
      ["trigger", "trigger"],
      ["writer", "agent", { task: "Summarise {{input.topic}}" }],
      ["review", "human", { message: "Publish this?", ...human }],
      ["output", "output"],
    ],
    [
      ["trigger", "writer"],
      ["writer", "review"],
      ["review", "output", "approve"],
    ],
  );
}

/** A run of a new workflow, waiting at its human node; returns the run and its task. */
async function waitingTask(workspaceId: string, name: string, human: Record<string, unknown> = {}) {
  const { id: workflowId } = await createWorkflow(harness.db, workspaceId, { name, graph: approvalGraph(human) });
  const { runId } = await startRun(harness.db, { workspaceId, workflowId, input: { topic: name }, trigger: "manual", startedBy: "notifications test" });
  await waitForRun(harness.db, runId, ["waiting_for_human"], 30_000);
  const task = await harness.db.humanTask.findFirstOrThrow({ where: { runId, status: "pending" } });
  return { workflowId, runId, task };
}

function deliveriesOf(taskId: string) {
  return harness.db.notificationDelivery.findMany({ where: { taskId }, include: { channel: { select: { name: true } } }, orderBy: { createdAt: "asc" } });
}

/** The receiver's check, written out from the README rather than calling our own helper. */
function signatureValid(secret: string, header: string, body: string): { valid: boolean; ageSeconds: number } {
  const fields = Object.fromEntries(header.split(",").map((part) => part.split("=") as [string, string]));
  const timestamp = Number(fields.t);
  const expected = createHmac("sha256", secret).update(`${fields.t}.${body}`).digest();
  const given = Buffer.from(fields.v1 ?? "", "hex");
  return { valid: given.length === expected.length && timingSafeEqual(given, expected), ageSeconds: Math.abs(Date.now() / 1000 - timestamp) };
}

describe("a task that waits", () => {
  it("is announced to a signed webhook and to Slack, with a link to the task; announcing it twice delivers once", async () => {
    const { workspaceId, admin } = await team("Announce");
    const webhook = await createChannel(harness.db, admin, { kind: "webhook", name: "Ops hook", url: `${base}/hook/announce` });
    await createChannel(harness.db, admin, { kind: "slack", name: "#approvals", url: `${base}/slack/announce` });
    expect(webhook.signingSecret).toMatch(/^whsec_[A-Za-z0-9_-]{40,}$/);

    const { runId, task } = await waitingTask(workspaceId, "Release notes");
    await notifyHumanTasksCreated(harness.db, [task.id]);
    await waitUntil(async () => (await deliveriesOf(task.id)).filter((d) => d.status === "delivered").length === 2, "the webhook and the Slack post");

    const hook = received.find((r) => r.path === "/hook/announce");
    if (!hook || !webhook.signingSecret) throw new Error("no webhook request");
    const signature = signatureValid(webhook.signingSecret, String(hook.headers["agentflow-signature"]), hook.body);
    expect(signature.valid).toBe(true);
    expect(signature.ageSeconds).toBeLessThan(60);
    // Any change to the body breaks the signature.
    expect(signatureValid(webhook.signingSecret, String(hook.headers["agentflow-signature"]), hook.body.replace("Publish", "Publisx")).valid).toBe(false);
    expect(hook.headers["agentflow-event"]).toBe("task_waiting");
    expect(hook.headers["content-type"]).toBe("application/json");
    const payload = JSON.parse(hook.body) as Record<string, unknown>;
    const link = `${APP_URL}/runs/${runId}?task=${task.id}`;
    expect(payload).toMatchObject({
      event: "task_waiting",
      task: { id: task.id, kind: "gate", message: task.message, nodeId: "review" },
      run: { id: runId, workflowName: "Release notes" },
      url: link,
    });

    const slack = received.find((r) => r.path === "/slack/announce");
    const text = (JSON.parse(slack?.body ?? "{}") as { text?: string }).text ?? "";
    expect(text).toContain("*Approval waiting* in *Release notes*");
    expect(text).toContain(`<${link}|Open the task>`);

    const log = await deliveriesOf(task.id);
    expect(log.map((d) => [d.channel.name, d.event, d.status, d.attempts, d.lastStatusCode])).toEqual(
      expect.arrayContaining([
        ["Ops hook", "task_waiting", "delivered", 1, 200],
        ["#approvals", "task_waiting", "delivered", 1, 200],
      ]),
    );
    expect(log).toHaveLength(2);

    // The worker (or a retry of it) announcing the same task again sends nothing more.
    await notifyHumanTasksCreated(harness.db, [task.id]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(received.filter((r) => r.path.endsWith("/announce"))).toHaveLength(2);
    expect(await deliveriesOf(task.id)).toHaveLength(2);

    await respondToHumanTask(harness.db, admin, { taskId: task.id, decision: "approve" });
    await waitForRun(harness.db, runId, ["succeeded"]);
  });

  it("a failing channel never holds up the run: a 4xx is not retried, and retries stop once the task is answered", async () => {
    const { workspaceId, admin } = await team("Failing");
    await createChannel(harness.db, admin, { kind: "webhook", name: "Down", url: `${base}/down/x` });
    await createChannel(harness.db, admin, { kind: "slack", name: "Archived", url: `${base}/gone/x` });

    const { runId, task } = await waitingTask(workspaceId, "Failing channels");
    await notifyHumanTasksCreated(harness.db, [task.id]);
    await waitUntil(async () => (await deliveriesOf(task.id)).every((d) => d.attempts >= 1), "the first attempts");
    // The person answers while the broken endpoint is still being retried: the run does not wait for it.
    await respondToHumanTask(harness.db, admin, { taskId: task.id, decision: "approve" });
    await waitForRun(harness.db, runId, ["succeeded"]);

    await waitUntil(async () => (await deliveriesOf(task.id)).every((d) => d.status !== "pending"), "every delivery to settle");
    const byName = new Map((await deliveriesOf(task.id)).map((d) => [d.channel.name, d]));
    // 410 Gone: retrying cannot help, so one attempt, failed.
    expect(byName.get("Archived")).toMatchObject({ status: "failed", attempts: 1, lastStatusCode: 410 });
    expect(byName.get("Archived")?.lastError).toContain("HTTP 410");
    // 500s were being retried; the next retry found the task answered and sent nothing stale.
    expect(byName.get("Down")).toMatchObject({ status: "skipped", lastError: "the task was approved before this went out" });
    expect(byName.get("Down")?.attempts).toBeLessThan(6);
  });

  it("retries a failing endpoint with backoff until it answers, then until attempts run out", async () => {
    const { workspaceId, admin } = await team("Retrying");
    await createChannel(harness.db, admin, { kind: "webhook", name: "Flaky", url: `${base}/flaky/retry` });
    await createChannel(harness.db, admin, { kind: "webhook", name: "Down", url: `${base}/down/retry` });
    const { task } = await waitingTask(workspaceId, "Retried channels");
    await notifyHumanTasksCreated(harness.db, [task.id]);

    await waitUntil(async () => (await deliveriesOf(task.id)).every((d) => d.status === "delivered" || d.status === "failed"), "retries to finish", 20_000);
    const byName = new Map((await deliveriesOf(task.id)).map((d) => [d.channel.name, d]));
    expect(byName.get("Flaky")).toMatchObject({ status: "delivered", attempts: 3, lastStatusCode: 200, lastError: null });
    expect(byName.get("Down")).toMatchObject({ status: "failed", attempts: 6, lastStatusCode: 500 });
    expect(byName.get("Down")?.lastError).toContain("HTTP 500");
    expect(received.filter((r) => r.path === "/flaky/retry")).toHaveLength(3);
    expect(received.filter((r) => r.path === "/down/retry")).toHaveLength(6);
    // The run still waits for its person, untouched by any of this.
    expect((await harness.db.humanTask.findUniqueOrThrow({ where: { id: task.id } })).status).toBe("pending");
  });

  it("mails the members whose role is at least the channel's, with the link", async () => {
    const { workspaceId, admin, users } = await team("Mail");
    await createChannel(harness.db, admin, { kind: "email", name: "Operators", recipients: { mode: "role", minRole: "operator" } });
    await createChannel(harness.db, admin, { kind: "email", name: "Lead", recipients: { mode: "addresses", addresses: ["lead@agentflow.test"] } });
    const { runId, task } = await waitingTask(workspaceId, "Mailed approval");
    await notifyHumanTasksCreated(harness.db, [task.id]);
    await waitUntil(() => mails.filter((m) => m.data.includes(task.id)).length === 2, "two messages");

    const byRole = mails.find((m) => m.data.includes(task.id) && m.to.length > 1);
    expect(byRole?.to).toEqual([users.owner.email, users.admin.email, users.editor.email, users.operator.email].sort());
    expect(byRole?.data).toContain("Approval waiting: Mailed approval");
    expect(byRole?.data).toContain(`${APP_URL}/runs/${runId}?task=${task.id}`);
    expect(mails.find((m) => m.data.includes(task.id) && m.to.length === 1)?.to).toEqual(["lead@agentflow.test"]);
    // The mail reaches the sink a moment before its delivery row says so: wait for the record.
    await waitUntil(async () => (await deliveriesOf(task.id)).filter((d) => d.status !== "pending").length === 2, "both deliveries recorded");
    expect((await deliveriesOf(task.id)).map((d) => d.status)).toEqual(["delivered", "delivered"]);
  });
});

describe("escalation", () => {
  it("after the node's delay, tells the escalateTo role once: mail to that role and up, Slack and webhook say so", async () => {
    const { workspaceId, admin, users } = await team("Escalate");
    const hook = await createChannel(harness.db, admin, { kind: "webhook", name: "Hook", url: `${base}/hook/escalate` });
    await createChannel(harness.db, admin, { kind: "slack", name: "Slack", url: `${base}/slack/escalate` });
    await createChannel(harness.db, admin, { kind: "email", name: "Operators", recipients: { mode: "role", minRole: "operator" } });

    const { task } = await waitingTask(workspaceId, "Escalated approval", { escalateAfterSeconds: 2, escalateTo: "admin" });
    await notifyHumanTasksCreated(harness.db, [task.id]);
    const scheduled = await harness.db.humanTask.findUniqueOrThrow({ where: { id: task.id } });
    expect(scheduled.escalateAt?.getTime()).toBe(task.createdAt.getTime() + 2_000);
    await waitUntil(async () => (await deliveriesOf(task.id)).filter((d) => d.status === "delivered").length === 3, "the waiting notices");

    // Before its time, the sweep leaves it alone.
    expect((await sweepEscalations(harness.db, new Date(task.createdAt.getTime() + 1_500))).escalated).not.toContain(task.id);
    // Swept at an explicit instant just past due: a timer may fire a millisecond before
    // Date.now() reaches its target, which once made a wall-clock sweep here miss by 1 ms.
    const due = new Date(task.createdAt.getTime() + 2_000);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due.getTime() - Date.now())));
    const justAfter = new Date(Math.max(Date.now(), due.getTime() + 1));
    expect((await sweepEscalations(harness.db, justAfter)).escalated).toContain(task.id);
    // Once: a second sweep (or a second worker) escalates nothing more.
    expect((await sweepEscalations(harness.db, justAfter)).escalated).not.toContain(task.id);
    expect((await harness.db.humanTask.findUniqueOrThrow({ where: { id: task.id } })).escalatedAt).not.toBeNull();

    await waitUntil(async () => (await deliveriesOf(task.id)).filter((d) => d.event === "task_escalated" && d.status === "delivered").length === 3, "the escalation notices");
    const escalatedHook = received.find((r) => r.path === "/hook/escalate" && r.headers["agentflow-event"] === "task_escalated");
    expect(JSON.parse(escalatedHook?.body ?? "{}")).toMatchObject({ event: "task_escalated", escalatedTo: "admin", task: { id: task.id } });
    expect(signatureValid(hook.signingSecret ?? "", String(escalatedHook?.headers["agentflow-signature"]), escalatedHook?.body ?? "").valid).toBe(true);
    const slackTexts = received.filter((r) => r.path === "/slack/escalate").map((r) => (JSON.parse(r.body) as { text: string }).text);
    expect(slackTexts.some((text) => text.includes("escalated to admins"))).toBe(true);
    const escalationMail = mails.find((m) => m.data.includes(task.id) && m.data.includes("escalated to admins"));
    expect(escalationMail?.to).toEqual([users.owner.email, users.admin.email].sort());
    expect(received.filter((r) => r.path.endsWith("/escalate"))).toHaveLength(4);
  });

  it("a task answered before its escalation time is never escalated", async () => {
    const { workspaceId, admin } = await team("Answered");
    await createChannel(harness.db, admin, { kind: "webhook", name: "Hook", url: `${base}/hook/answered` });
    const { runId, task } = await waitingTask(workspaceId, "Answered in time", { escalateAfterSeconds: 1, escalateTo: "owner" });
    await notifyHumanTasksCreated(harness.db, [task.id]);
    await respondToHumanTask(harness.db, admin, { taskId: task.id, decision: "approve" });
    await waitForRun(harness.db, runId, ["succeeded"]);
    expect((await sweepEscalations(harness.db, new Date(Date.now() + 5_000))).escalated).not.toContain(task.id);
    expect((await deliveriesOf(task.id)).filter((d) => d.event === "task_escalated")).toHaveLength(0);
  });
});

describe("channels", () => {
  it("Send test delivers now, signed, and is logged; secrets never come back", async () => {
    const { workspaceId, admin } = await team("Test send");
    const channel = await createChannel(harness.db, admin, { kind: "webhook", name: "Tested", url: `${base}/hook/test-send?token=s3cr3t-path` });
    const result = await sendTestNotification(harness.db, admin, channel.id);
    expect(result).toMatchObject({ status: "delivered", statusCode: 200 });
    const request = received.find((r) => r.path === "/hook/test-send?token=s3cr3t-path");
    expect(JSON.parse(request?.body ?? "{}")).toMatchObject({ event: "test", task: null, url: `${APP_URL}/settings/notifications` });
    expect(signatureValid(channel.signingSecret ?? "", String(request?.headers["agentflow-signature"]), request?.body ?? "").valid).toBe(true);

    const listed = await listChannels(harness.db, workspaceId);
    expect(listed).toEqual([expect.objectContaining({ id: channel.id, target: `${base}/…`, enabled: true })]);
    expect(JSON.stringify(listed)).not.toContain("s3cr3t");
    const row = await harness.db.notificationChannel.findUniqueOrThrow({ where: { id: channel.id } });
    expect(row.sealed).not.toContain("s3cr3t");
    expect(row.sealed).not.toContain(channel.signingSecret ?? "-");
    const log = await harness.db.notificationDelivery.findFirstOrThrow({ where: { id: result.deliveryId } });
    expect(log).toMatchObject({ event: "test", status: "delivered", attempts: 1, lastStatusCode: 200 });
    expect(await harness.db.auditEntry.count({ where: { workspaceId, action: { startsWith: "notification_channel." } } })).toBe(2);

    const failing = await createChannel(harness.db, admin, { kind: "webhook", name: "Broken", url: `${base}/down/test-send` });
    expect(await sendTestNotification(harness.db, admin, failing.id)).toMatchObject({ status: "failed", statusCode: 500, message: expect.stringContaining("HTTP 500") });
  });

  it("refuses private and loopback addresses not exempted, naming the field", async () => {
    const { admin } = await team("Refused");
    for (const url of ["http://10.0.0.2/hook", "http://169.254.169.254/latest", "http://[::1]:8080/x", "http://localhost:9/x"]) {
      const attempt = createChannel(harness.db, admin, { kind: "webhook", name: "Inside", url });
      await expect(attempt, url).rejects.toBeInstanceOf(UserInputError);
      await expect(attempt, url).rejects.toMatchObject({ path: "url" });
    }
  });

  it("a disabled channel is not told; another workspace's channels never hear of a task", async () => {
    const mine = await team("Disabled");
    const other = await team("Other");
    const off = await createChannel(harness.db, mine.admin, { kind: "webhook", name: "Off", url: `${base}/hook/off` });
    await setChannelEnabled(harness.db, mine.admin, off.id, false);
    await createChannel(harness.db, other.admin, { kind: "webhook", name: "Theirs", url: `${base}/hook/theirs` });
    const { task } = await waitingTask(mine.workspaceId, "Quiet");
    await notifyHumanTasksCreated(harness.db, [task.id]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await deliveriesOf(task.id)).toHaveLength(0);
    expect(received.filter((r) => r.path === "/hook/off" || r.path === "/hook/theirs")).toHaveLength(0);
  });

  it("notifyHumanTasksCreated never throws into the run", async () => {
    await expect(notifyHumanTasksCreated(harness.db, ["ht_does_not_exist"])).resolves.toBeUndefined();
    await expect(notifyHumanTasksCreated(harness.db, [])).resolves.toBeUndefined();
  });
});
