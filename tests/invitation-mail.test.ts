import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startHarness, waitUntil, type Harness } from "./support/harness";
import { createTestUser, createWorkspaceWith } from "./support/identities";
import { createInvitation, describeInvitation } from "../server/auth/invitations";

/**
 * With SMTP_URL set, an invite link is also mailed: a real SMTP server on loopback receives
 * the message, and the link in it works.
 */

let harness: Harness;
let smtp: SMTPServer;
const received: { to: string[]; data: string }[] = [];

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    onData(stream, session, callback) {
      let data = "";
      stream.on("data", (chunk: Buffer) => (data += chunk.toString("utf8")));
      stream.on("end", () => {
        received.push({ to: session.envelope.rcptTo.map((r) => r.address), data });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
  const { port } = smtp.server.address() as AddressInfo;
  harness = await startHarness({ worker: false, env: { SMTP_URL: `smtp://127.0.0.1:${port}`, SMTP_FROM: "AgentFlow <team@agentflow.test>" } });
});

afterAll(async () => {
  await harness.stop();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

it("mails the invite link to the invited address, and that link lets them join", async () => {
  const owner = await createTestUser("mailing owner");
  const workspaceId = await createWorkspaceWith(harness.db, "Mailed workspace", [{ user: owner, role: "owner" }]);
  const invitation = await createInvitation(
    harness.db,
    { workspaceId, actor: { kind: "user", id: owner.id, name: owner.name, email: owner.email }, role: "owner", ip: null },
    { role: "editor", email: "new.colleague@agentflow.test" },
  );
  expect(invitation.mailed).toBe(true);
  await waitUntil(() => received.length === 1, "the message to arrive");
  const message = received[0];
  expect(message?.to).toEqual(["new.colleague@agentflow.test"]);
  // Quoted-printable may fold long lines: unfold before reading the link.
  const text = (message?.data ?? "").replace(/=\r?\n/g, "");
  expect(text).toContain("Mailed workspace");
  expect(text).toContain(invitation.url);
  const token = invitation.url.slice(invitation.url.lastIndexOf("/") + 1);
  expect(await describeInvitation(harness.db, token)).toMatchObject({ workspaceName: "Mailed workspace", role: "editor", email: "new.colleague@agentflow.test" });
});

it("an invite without an email address is not mailed (the link is shown to the inviter only)", async () => {
  const owner = await createTestUser("quiet owner");
  const workspaceId = await createWorkspaceWith(harness.db, "Quiet workspace", [{ user: owner, role: "owner" }]);
  const before = received.length;
  const invitation = await createInvitation(harness.db, { workspaceId, actor: { kind: "user", id: owner.id, name: owner.name, email: owner.email }, role: "owner", ip: null }, { role: "viewer" });
  expect(invitation.mailed).toBe(false);
  expect(received.length).toBe(before);
});
