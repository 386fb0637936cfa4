import type { Role } from "../auth/roles";

/**
 * What a notification says, for each kind of channel. Pure: the same notice always reads the
 * same, so the delivery code only moves bytes.
 */
export const NOTIFICATION_EVENTS = ["task_waiting", "task_escalated"] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];
/** "test" is what "Send test" delivers: no task, same channel path. */
export type NoticeEvent = NotificationEvent | "test" | "alert";

export type Notice = {
  event: NoticeEvent;
  at: Date;
  workspace: { id: string; name: string };
  task: { id: string; kind: string; message: string; nodeId: string; createdAt: Date } | null;
  run: { id: string; workflowId: string; workflowName: string } | null;
  /** Opens the task (the run page, where it can be answered), or the settings page for a test. */
  url: string;
  /** task_escalated: the least role it was escalated to. */
  escalatedTo?: Role;
  /** alert: the rule that fired and what it saw (server/ops/alerts.ts). */
  alert?: { ruleId: string; kind: string; message: string; value: number };
};

const KIND_LABEL: Record<string, string> = {
  gate: "Approval",
  question: "Question",
  tool_approval: "Tool call approval",
  continue: "Step limit",
  errors: "Repeated errors",
  budget: "Budget",
};

const ROLE_PLURAL: Record<Role, string> = { viewer: "viewers", operator: "operators", editor: "editors", admin: "admins", owner: "owners" };

export function kindLabel(kind: string): string {
  return KIND_LABEL[kind] ?? "Human task";
}

export function escalatedToLabel(role: Role): string {
  return `escalated to ${ROLE_PLURAL[role]}`;
}

/** The link a notification carries to the task: its run's page, where it is answered. */
export function taskUrl(appUrl: string, runId: string, taskId: string): string {
  return `${appUrl.replace(/\/$/, "")}/runs/${encodeURIComponent(runId)}?task=${encodeURIComponent(taskId)}`;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** "3 min", "2 h 5 min", "1 d 4 h": how long a task has waited. */
export function waitedFor(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 1) return "less than a minute";
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

/** The webhook's JSON body (README.md, "Notifications", documents it). */
export function webhookBody(notice: Notice): string {
  return JSON.stringify({
    event: notice.event,
    task: notice.task ? { id: notice.task.id, kind: notice.task.kind, message: clip(notice.task.message, 10_000), nodeId: notice.task.nodeId, createdAt: notice.task.createdAt.toISOString() } : null,
    run: notice.run,
    workspace: notice.workspace,
    url: notice.url,
    ...(notice.escalatedTo ? { escalatedTo: notice.escalatedTo } : {}),
    ...(notice.alert ? { alert: notice.alert } : {}),
    at: notice.at.toISOString(),
  });
}

/** Slack's mrkdwn treats these three as markup; everything else is literal. */
export function slackEscape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function quoted(text: string): string {
  return clip(text, 500)
    .split("\n")
    .map((line) => `> ${line}`)
    .join("\n");
}

export function slackText(notice: Notice): string {
  const workspace = slackEscape(notice.workspace.name);
  if (notice.alert) return `:rotating_light: *AgentFlow alert* (workspace *${workspace}*): ${slackEscape(notice.alert.message)}\n<${notice.url}|Alert settings>`;
  if (notice.event === "test" || !notice.task || !notice.run) {
    return `:white_check_mark: Test notification from AgentFlow (workspace *${workspace}*): this channel works. <${notice.url}|Notification settings>`;
  }
  const what = kindLabel(notice.task.kind);
  const workflow = slackEscape(notice.run.workflowName);
  const headline =
    notice.event === "task_escalated"
      ? `:rotating_light: *${what} ${escalatedToLabel(notice.escalatedTo ?? "admin")}*: waiting for ${waitedFor(notice.at.getTime() - notice.task.createdAt.getTime())} in *${workflow}* (${workspace})`
      : `:hourglass_flowing_sand: *${what} waiting* in *${workflow}* (${workspace})`;
  return `${headline}\n${quoted(slackEscape(notice.task.message))}\n<${notice.url}|Open the task>`;
}

export function emailMessage(notice: Notice): { subject: string; text: string } {
  if (notice.alert) {
    return {
      subject: `[AgentFlow] Alert: ${clip(notice.alert.message, 120)}`,
      text: [`An alert rule of the AgentFlow workspace "${notice.workspace.name}" fired:`, "", notice.alert.message, "", `Alert settings: ${notice.url}`].join("\n"),
    };
  }
  if (notice.event === "test" || !notice.task || !notice.run) {
    return {
      subject: `[AgentFlow] Test notification from ${notice.workspace.name}`,
      text: [`This is a test notification from the AgentFlow workspace "${notice.workspace.name}": this channel works.`, "", `Notification settings: ${notice.url}`].join("\n"),
    };
  }
  const what = kindLabel(notice.task.kind);
  const waited = waitedFor(notice.at.getTime() - notice.task.createdAt.getTime());
  const subject =
    notice.event === "task_escalated"
      ? `[AgentFlow] ${what} ${escalatedToLabel(notice.escalatedTo ?? "admin")}: ${notice.run.workflowName}`
      : `[AgentFlow] ${what} waiting: ${notice.run.workflowName}`;
  const lead =
    notice.event === "task_escalated"
      ? `A task in "${notice.run.workflowName}" (workspace "${notice.workspace.name}") has waited for ${waited} and was ${escalatedToLabel(notice.escalatedTo ?? "admin")}.`
      : `A task in "${notice.run.workflowName}" (workspace "${notice.workspace.name}") is waiting for a person.`;
  return { subject, text: [lead, "", clip(notice.task.message, 5_000), "", `Open the task: ${notice.url}`].join("\n") };
}
