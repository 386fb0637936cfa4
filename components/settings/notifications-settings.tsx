"use client";

import { useCan } from "@/components/session/session-context";
import { NotificationsChannels } from "./notifications-channels";
import { NotificationsCreateCard } from "./notifications-create-card";
import { NotificationsLog } from "./notifications-log";
import { Card, RoleNote, SettingsHeader } from "./section";

const DESCRIPTION =
  "Tell people when a run waits for them — a signed webhook, a Slack channel or email, each with a link that opens the task. Failed deliveries are retried and logged; they never hold up a run.";

/** /settings/notifications (admins): the workspace's channels, adding one, and the delivery log. */
export function NotificationsSettings({ smtpConfigured }: { smtpConfigured: boolean }) {
  // Channels hold secrets (a signing secret, a Slack URL): managed by whoever manages credentials.
  const canManage = useCan("credential:manage");
  return (
    <div>
      <SettingsHeader title="Notifications" description={DESCRIPTION} />
      {canManage ? (
        <>
          <NotificationsChannels />
          <NotificationsCreateCard smtpConfigured={smtpConfigured} />
          <NotificationsLog />
          <WhenHelp />
        </>
      ) : (
        <RoleNote title="Only admins can manage notification channels.">Tasks waiting for a person are in the Inbox; the top bar shows how many.</RoleNote>
      )}
    </div>
  );
}

function WhenHelp() {
  return (
    <Card title="When channels are told">
      <ul className="list-disc space-y-1.5 pl-5 text-sm text-slate-600">
        <li>
          <strong className="font-medium text-slate-800">Task waiting</strong>: as soon as a run asks a person — an approval, a question, a tool call to allow.
        </li>
        <li>
          <strong className="font-medium text-slate-800">Escalated</strong>: when a Human approval node&apos;s <em>Escalate after</em> time has passed and the task still waits. Email
          channels that mail members by role then mail the role it was escalated to.
        </li>
        <li>
          Webhooks are signed: <code className="rounded bg-slate-100 px-1 py-0.5 font-mono text-xs text-slate-800">AgentFlow-Signature: t=&lt;unix time&gt;,v1=&lt;hex&gt;</code>, an
          HMAC-SHA256 of <code className="rounded bg-slate-100 px-1 py-0.5 font-mono text-xs text-slate-800">&lt;t&gt;.&lt;raw body&gt;</code> with the channel&apos;s signing secret (see
          the README).
        </li>
      </ul>
    </Card>
  );
}
