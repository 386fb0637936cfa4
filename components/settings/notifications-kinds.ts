/** Names the notification settings show for channel kinds, events and delivery states. */
export const CHANNEL_KIND_LABEL: Record<string, string> = { webhook: "Webhook", slack: "Slack", email: "Email" };

export const EVENT_LABEL: Record<string, string> = { task_waiting: "Task waiting", task_escalated: "Escalated", test: "Test", alert: "Alert" };

export const DELIVERY_STATUS_STYLE: Record<string, string> = {
  delivered: "bg-emerald-50 text-emerald-700 ring-emerald-200",
  pending: "bg-amber-50 text-amber-800 ring-amber-200",
  failed: "bg-red-50 text-red-700 ring-red-200",
  skipped: "bg-slate-100 text-slate-600 ring-slate-200",
};
