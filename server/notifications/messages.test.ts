import { describe, expect, it } from "vitest";
import { emailMessage, slackEscape, slackText, taskUrl, waitedFor, webhookBody, type Notice } from "./messages";
import { signatureHeader, verifySignature } from "./signature";

const notice: Notice = {
  event: "task_waiting",
  at: new Date("2026-11-30T12:30:00Z"),
  workspace: { id: "ws_1", name: "Acme <ops>" },
  task: { id: "ht_1", kind: "gate", message: "Ship <this> & that?\nSecond line", nodeId: "review", createdAt: new Date("2026-11-30T12:00:00Z") },
  run: { id: "run_1", workflowId: "wf_1", workflowName: "Release notes" },
  url: taskUrl("https://agentflow.example.com/", "run_1", "ht_1"),
};

describe("notification messages", () => {
  it("links to the task on its run page", () => {
    expect(notice.url).toBe("https://agentflow.example.com/runs/run_1?task=ht_1");
  });

  it("the webhook body carries the documented fields", () => {
    expect(JSON.parse(webhookBody(notice))).toEqual({
      event: "task_waiting",
      task: { id: "ht_1", kind: "gate", message: "Ship <this> & that?\nSecond line", nodeId: "review", createdAt: "2026-11-30T12:00:00.000Z" },
      run: { id: "run_1", workflowId: "wf_1", workflowName: "Release notes" },
      workspace: { id: "ws_1", name: "Acme <ops>" },
      url: "https://agentflow.example.com/runs/run_1?task=ht_1",
      at: "2026-11-30T12:30:00.000Z",
    });
    expect(JSON.parse(webhookBody({ ...notice, event: "task_escalated", escalatedTo: "admin" }))).toMatchObject({ event: "task_escalated", escalatedTo: "admin" });
  });

  it("Slack text escapes mrkdwn markup from user text and says who it was escalated to", () => {
    expect(slackEscape("a <b> & c")).toBe("a &lt;b&gt; &amp; c");
    const waiting = slackText(notice);
    expect(waiting).toContain("*Approval waiting* in *Release notes* (Acme &lt;ops&gt;)");
    expect(waiting).toContain("> Ship &lt;this&gt; &amp; that?\n> Second line");
    expect(waiting).toContain("<https://agentflow.example.com/runs/run_1?task=ht_1|Open the task>");
    expect(slackText({ ...notice, event: "task_escalated", escalatedTo: "admin" })).toContain("*Approval escalated to admins*: waiting for 30 min");
  });

  it("email says what waits and links to it", () => {
    const mail = emailMessage({ ...notice, event: "task_escalated", escalatedTo: "owner" });
    expect(mail.subject).toBe("[AgentFlow] Approval escalated to owners: Release notes");
    expect(mail.text).toContain("has waited for 30 min and was escalated to owners");
    expect(mail.text).toContain("Open the task: https://agentflow.example.com/runs/run_1?task=ht_1");
  });

  it("says how long a task waited", () => {
    expect(waitedFor(30_000)).toBe("less than a minute");
    expect(waitedFor(65 * 60_000)).toBe("1 h 5 min");
    expect(waitedFor(26 * 3_600_000)).toBe("1 d 2 h");
  });
});

describe("webhook signatures", () => {
  const secret = "whsec_test";
  const body = '{"event":"test"}';

  it("verifies what it signed, and nothing else", () => {
    const header = signatureHeader(secret, 1_000, body);
    expect(header).toMatch(/^t=1000,v1=[0-9a-f]{64}$/);
    expect(verifySignature({ secret, header, body, nowSeconds: 1_010 })).toBe(true);
    expect(verifySignature({ secret, header, body: '{"event":"tesT"}', nowSeconds: 1_010 })).toBe(false);
    expect(verifySignature({ secret: "whsec_other", header, body, nowSeconds: 1_010 })).toBe(false);
    // Replayed later than the tolerance, or with the timestamp changed: refused.
    expect(verifySignature({ secret, header, body, nowSeconds: 1_000 + 301 })).toBe(false);
    expect(verifySignature({ secret, header: header.replace("t=1000", "t=1300"), body, nowSeconds: 1_300 })).toBe(false);
    expect(verifySignature({ secret, header: "v1=abc", body, nowSeconds: 1_000 })).toBe(false);
  });
});
