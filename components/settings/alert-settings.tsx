"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useId, useState, type FormEvent } from "react";
import { useCan } from "@/components/session/session-context";
import { useTRPC, type RouterOutputs } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { Switch } from "@/components/ui/switch";
import { FormError, TextField } from "@/components/ui/text-field";
import { formatDateTime } from "@/components/ui/format";
import { fieldError, formError } from "./form-errors";
import { SELECT } from "./role-badge";
import { Card, DangerConfirm, QueryStateRows, RoleNote, SettingsHeader, SuccessNote, TD, TH } from "./section";

type Alerts = RouterOutputs["alerts"]["list"];
type Rule = Alerts["rules"][number];
type Kind = "failure_rate" | "daily_cost" | "task_waiting" | "no_worker";

const KINDS: { kind: Kind; label: string; threshold: string; unit: string; placeholder: string }[] = [
  { kind: "failure_rate", label: "Failure rate", threshold: "Failed runs above, %", unit: "%", placeholder: "20" },
  { kind: "daily_cost", label: "Cost per day", threshold: "Model spend today above, USD", unit: "USD", placeholder: "50" },
  { kind: "task_waiting", label: "Human task waiting", threshold: "Waiting longer than, minutes", unit: "min", placeholder: "60" },
  { kind: "no_worker", label: "No worker alive", threshold: "Fewer workers alive than", unit: "workers", placeholder: "1" },
];

const SHOWN = ["kind", "threshold", "windowMinutes", "minRuns", "cooldownMinutes", "channelId"];

const STATUS_STYLE: Record<string, string> = {
  pending: "bg-amber-50 text-amber-800 ring-amber-200",
  retrying: "bg-amber-50 text-amber-800 ring-amber-200",
  delivered: "bg-emerald-50 text-emerald-700 ring-emerald-200",
  failed: "bg-red-50 text-red-700 ring-red-200",
  no_channel: "bg-slate-50 text-slate-600 ring-slate-200",
};

const STATUS_LABEL: Record<string, string> = { pending: "sending", no_channel: "logged only" };

/** While a firing is being delivered (retried), the page re-reads itself this often, and not at all otherwise. */
const WHILE_DELIVERING_MS = 5_000;

type LogEntry = Alerts["log"][number];

function attemptsText(entry: LogEntry): string | null {
  if (entry.status === "no_channel" || entry.attempts === 0) return null;
  return `${entry.attempts} attempt${entry.attempts === 1 ? "" : "s"}`;
}

/**
 * /settings/alerts: rules a worker checks every 30 s (failure rate, cost per day, a task
 * waiting, no worker alive), the notification channel each one goes to, and what fired.
 */
export function AlertSettings() {
  const trpc = useTRPC();
  const canManage = useCan("credential:manage");
  const alerts = useQuery(
    trpc.alerts.list.queryOptions(undefined, {
      refetchInterval: (query) => (query.state.data?.log.some((entry) => entry.status === "pending" || entry.status === "retrying") ? WHILE_DELIVERING_MS : false),
    }),
  );
  const [editing, setEditing] = useState<Rule | null>(null);
  return (
    <div>
      <SettingsHeader
        title="Alerts"
        description={
          <>
            Conditions the workers check every 30 seconds. When one holds, the rule&apos;s channel is told (the same channels as human-task{" "}
            <Link className="underline" href="/settings/notifications">
              notifications
            </Link>
            ), at most once per cool-down.
          </>
        }
      />
      {!canManage && <RoleNote title="Only admins can add or change alert rules.">You can see the rules and what fired.</RoleNote>}
      <RulesTable query={alerts} canManage={canManage} onEdit={setEditing} />
      {canManage && alerts.data && <RuleForm key={editing?.id ?? "new"} channels={alerts.data.channels} editing={editing} onDone={() => setEditing(null)} />}
      <LogCard log={alerts.data?.log} />
    </div>
  );
}

function useRefresh() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () => void queryClient.invalidateQueries(trpc.alerts.list.queryFilter());
}

function ruleInput(rule: Rule, enabled: boolean) {
  return { id: rule.id, kind: rule.kind as Kind, threshold: rule.threshold, windowMinutes: rule.windowMinutes, minRuns: rule.minRuns, cooldownMinutes: rule.cooldownMinutes, channelId: rule.channel?.id ?? null, enabled };
}

function RulesTable({ query, canManage, onEdit }: { query: { isPending: boolean; isError: boolean; error: unknown; data?: Alerts }; canManage: boolean; onEdit: (rule: Rule) => void }) {
  const trpc = useTRPC();
  const refresh = useRefresh();
  const [deleting, setDeleting] = useState<Rule | null>(null);
  const update = useMutation(trpc.alerts.update.mutationOptions({ onSuccess: refresh }));
  const remove = useMutation(
    trpc.alerts.delete.mutationOptions({
      onSuccess: () => {
        setDeleting(null);
        refresh();
      },
    }),
  );
  const rules = query.data?.rules;
  const columns = canManage ? 5 : 4;
  return (
    <Card title="Rules" flush testId="alert-rules">
      <table className="w-full text-left text-sm">
        <thead className="border-b border-slate-100 text-xs text-slate-500">
          <tr>
            <th className={TH}>When</th>
            <th className={TH}>Channel</th>
            <th className={`${TH} whitespace-nowrap`}>Cool-down</th>
            <th className={`${TH} whitespace-nowrap`}>Last fired</th>
            {canManage && <th className={TH} aria-label="Actions" />}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          <QueryStateRows query={{ isPending: query.isPending, isError: query.isError, error: query.error, data: rules }} colSpan={columns} loading="Loading rules…" empty="No alert rules yet." />
          {rules?.map((rule) => (
            <tr key={rule.id} data-testid="alert-rule-row" className={rule.enabled ? "" : "text-slate-400"}>
              <td className={TD}>
                {rule.description}
                {!rule.enabled && <span className="ml-2 text-xs">(off)</span>}
              </td>
              <td className={TD}>{rule.channel ? rule.channel.name : <span className="text-slate-400">none (logged only)</span>}</td>
              <td className={`${TD} tabular-nums`}>{rule.cooldownMinutes} min</td>
              <td className={`${TD} text-xs whitespace-nowrap`}>{rule.lastFiredAt ? formatDateTime(rule.lastFiredAt) : "never"}</td>
              {canManage && (
                <td className={`${TD} text-right whitespace-nowrap`}>
                  <div className="flex items-center justify-end gap-2">
                    <Switch label={`Rule ${rule.description} on`} checked={rule.enabled} disabled={update.isPending} onChange={(enabled) => update.mutate(ruleInput(rule, enabled))} />
                    <Button size="sm" variant="ghost" onClick={() => onEdit(rule)}>
                      Edit
                    </Button>
                    <Button size="sm" variant="ghost" onClick={() => setDeleting(rule)} aria-label={`Delete the rule ${rule.description}`}>
                      Delete
                    </Button>
                  </div>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {update.error && (
        <div className="px-5 pb-3">
          <FormError message={formError(update.error, [])} />
        </div>
      )}
      {deleting && (
        <DangerConfirm
          title="Delete this alert rule?"
          confirmLabel="Delete"
          pending={remove.isPending}
          error={remove.error}
          onConfirm={() => remove.mutate({ id: deleting.id })}
          onCancel={() => {
            remove.reset();
            setDeleting(null);
          }}
        >
          “{deleting.description}” stops being checked. What it fired stays in the log.
        </DangerConfirm>
      )}
    </Card>
  );
}

function RuleForm({ channels, editing, onDone }: { channels: Alerts["channels"]; editing: Rule | null; onDone: () => void }) {
  const trpc = useTRPC();
  const refresh = useRefresh();
  const kindId = useId();
  const channelSelectId = useId();
  const [kind, setKind] = useState<Kind>((editing?.kind as Kind | undefined) ?? "failure_rate");
  const [threshold, setThreshold] = useState(editing ? String(editing.threshold) : "");
  const [windowMinutes, setWindowMinutes] = useState(String(editing?.windowMinutes ?? 15));
  const [minRuns, setMinRuns] = useState(String(editing?.minRuns ?? 5));
  const [cooldownMinutes, setCooldownMinutes] = useState(String(editing?.cooldownMinutes ?? 60));
  const [channelId, setChannelId] = useState(editing ? (editing.channel?.id ?? "") : (channels[0]?.id ?? ""));
  const [saved, setSaved] = useState<string | null>(null);
  const onSuccess = () => {
    setSaved(editing ? "Rule saved." : "Rule added. The workers check it from their next sweep.");
    if (!editing) setThreshold("");
    refresh();
    onDone();
  };
  const create = useMutation(trpc.alerts.create.mutationOptions({ onSuccess }));
  const update = useMutation(trpc.alerts.update.mutationOptions({ onSuccess }));
  const error = editing ? update.error : create.error;
  const meta = KINDS.find((entry) => entry.kind === kind) ?? KINDS[0]!;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(null);
    const input = {
      kind,
      // The boxes are required: an empty one never becomes 0.
      threshold: Number(threshold),
      windowMinutes: Number(windowMinutes),
      minRuns: Number(minRuns),
      cooldownMinutes: Number(cooldownMinutes),
      channelId: channelId === "" ? null : channelId,
      enabled: editing?.enabled ?? true,
    };
    if (editing) update.mutate({ id: editing.id, ...input });
    else create.mutate(input);
  };
  return (
    <Card title={editing ? "Edit the rule" : "Add a rule"} description="Each rule is told through one notification channel; without one, firings are only logged below.">
      <form onSubmit={submit} className="max-w-3xl space-y-3" autoComplete="off">
        <div className="grid gap-3 sm:grid-cols-2">
          <div className="text-sm">
            <label htmlFor={kindId} className="font-medium text-slate-700">
              Watch
            </label>
            <select id={kindId} value={kind} onChange={(event) => setKind(event.target.value as Kind)} className={`${SELECT} mt-1 h-9 w-full`}>
              {KINDS.map((entry) => (
                <option key={entry.kind} value={entry.kind}>
                  {entry.label}
                </option>
              ))}
            </select>
          </div>
          <TextField label={meta.threshold} type="number" min={0} step="any" required placeholder={meta.placeholder} value={threshold} onChange={(event) => setThreshold(event.target.value)} error={fieldError(error, "threshold", "The threshold")} />
          {kind === "failure_rate" && (
            <>
              <TextField label="Over the last, minutes" type="number" min={1} step={1} required value={windowMinutes} onChange={(event) => setWindowMinutes(event.target.value)} error={fieldError(error, "windowMinutes", "The window")} />
              <TextField label="Once at least this many runs ended" type="number" min={1} step={1} required value={minRuns} onChange={(event) => setMinRuns(event.target.value)} error={fieldError(error, "minRuns", "The number of runs")} />
            </>
          )}
          <TextField label="Cool-down, minutes" hint="After firing, the rule stays quiet this long." type="number" min={1} step={1} required value={cooldownMinutes} onChange={(event) => setCooldownMinutes(event.target.value)} error={fieldError(error, "cooldownMinutes", "The cool-down")} />
          <div className="text-sm">
            <label htmlFor={channelSelectId} className="font-medium text-slate-700">
              Channel
            </label>
            <select id={channelSelectId} value={channelId} onChange={(event) => setChannelId(event.target.value)} className={`${SELECT} mt-1 h-9 w-full`}>
              {channels.map((channel) => (
                <option key={channel.id} value={channel.id}>
                  {channel.name} ({channel.kind}){channel.enabled ? "" : " — off"}
                </option>
              ))}
              <option value="">None: log only</option>
            </select>
            {channels.length === 0 && (
              <p className="mt-1 text-xs text-slate-500">
                No channel yet:{" "}
                <Link className="underline" href="/settings/notifications">
                  add one in Notifications
                </Link>
                .
              </p>
            )}
          </div>
        </div>
        <FormError message={formError(error, SHOWN)} />
        {saved && <SuccessNote>{saved}</SuccessNote>}
        <div className="flex gap-2">
          <Button type="submit" variant="primary" disabled={create.isPending || update.isPending}>
            {editing ? "Save rule" : "Add rule"}
          </Button>
          {editing && (
            <Button variant="ghost" onClick={onDone}>
              Cancel
            </Button>
          )}
        </div>
      </form>
    </Card>
  );
}

function LogCard({ log }: { log: Alerts["log"] | undefined }) {
  return (
    <Card
      title="Alert log"
      description="The latest 50 firings and how their delivery went. A failed delivery is retried with growing pauses (about 2.5 minutes in all), like a task notification; meanwhile the rule does not fire again."
      flush
      testId="alert-log"
    >
      <table className="w-full text-left text-sm">
        <thead className="border-b border-slate-100 text-xs text-slate-500">
          <tr>
            <th className={TH}>Fired</th>
            <th className={TH}>What</th>
            <th className={TH}>Channel</th>
            <th className={TH}>Delivery</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {log?.length === 0 && (
            <tr>
              <td colSpan={4} className={`${TD} text-slate-500`}>
                Nothing has fired yet.
              </td>
            </tr>
          )}
          {log?.map((entry) => (
            <tr key={entry.id} data-testid="alert-log-row" data-status={entry.status}>
              <td className={`${TD} text-xs whitespace-nowrap`}>{formatDateTime(entry.firedAt)}</td>
              <td className={TD}>{entry.message}</td>
              <td className={TD}>{entry.channelName ?? "—"}</td>
              <td className={TD}>
                <span className={`inline-flex rounded-full px-2 py-0.5 text-xs font-medium ring-1 ${STATUS_STYLE[entry.status] ?? STATUS_STYLE.no_channel}`} title={entry.error ?? undefined}>
                  {STATUS_LABEL[entry.status] ?? entry.status}
                </span>
                {attemptsText(entry) && (
                  <span className="ml-1.5 text-xs text-slate-500 tabular-nums" data-testid="alert-log-attempts" title={entry.lastAttemptAt ? `Last attempt ${formatDateTime(entry.lastAttemptAt)}` : undefined}>
                    {attemptsText(entry)}
                  </span>
                )}
                {entry.error && <p className="mt-0.5 max-w-xs truncate text-xs text-red-600">{entry.error}</p>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Card>
  );
}
