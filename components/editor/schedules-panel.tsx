"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useId, useMemo, useState } from "react";
import { errorMessage, errorPath, useTRPC, type RouterOutputs } from "@/components/trpc";
import { useCan } from "@/components/session/session-context";
import { Button } from "@/components/ui/button";
import { formatRelative } from "@/components/ui/format";
import { CopyField } from "./copy-field";
import { Switch } from "@/components/ui/switch";

type Schedule = RouterOutputs["schedules"]["list"]["schedules"][number];
type MissedPolicy = Schedule["missedPolicy"];

const POLICY_LABELS: Record<MissedPolicy, string> = {
  skip: "Skip missed fires",
  run_once: "Run once to catch up",
};

const FIRE_STATUS_STYLES: Record<string, string> = {
  started: "bg-emerald-50 text-emerald-700 ring-emerald-200",
  skipped: "bg-amber-50 text-amber-800 ring-amber-200",
  failed: "bg-red-50 text-red-700 ring-red-200",
  starting: "bg-slate-50 text-slate-600 ring-slate-200",
};

/** A fire time as the schedule's zone reads it ("Mon 30 Nov, 09:00"), the zone named once above. */
function formatInZone(value: Date | string, timeZone: string): string {
  const date = typeof value === "string" ? new Date(value) : value;
  try {
    return date.toLocaleString(undefined, { timeZone, weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
  } catch {
    return date.toISOString();
  }
}

function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

/**
 * The Schedules section of the editor's Trigger tab: a workflow's cron schedules (each fire runs the published
 * version with the schedule's input), with their next five fire times and last result, and
 * the workflow's run-finished callback. Editors change them; everyone else reads.
 */
export function SchedulesPanel({ workflowId }: { workflowId: string }) {
  const trpc = useTRPC();
  const manage = useCan("workflow:edit");
  const list = useQuery(trpc.schedules.list.queryOptions({ workflowId }, { refetchInterval: 15_000 }));
  const [editing, setEditing] = useState<Schedule | "new" | null>(null);

  if (!list.data) return <p className="text-sm text-slate-500">{list.error ? errorMessage(list.error) : "Loading…"}</p>;
  const { schedules, publishedVersion, max } = list.data;

  return (
    <div className="space-y-5" data-testid="schedules-panel">
      <section className="space-y-2">
        <div className="flex items-center justify-between">
          <h3 className="text-xs font-semibold tracking-wide text-slate-500 uppercase">Schedules</h3>
          {manage && editing === null && schedules.length < max && (
            <Button size="sm" onClick={() => setEditing("new")}>
              Add schedule
            </Button>
          )}
        </div>
        <p className="text-xs text-slate-500">
          Each fire starts a run of the <strong className="font-medium text-slate-700">published</strong> version
          {publishedVersion !== null ? <> (now v{publishedVersion})</> : null}, never the draft.
        </p>
        {publishedVersion === null && (
          <p role="status" className="rounded-md border border-amber-200 bg-amber-50 px-2.5 py-2 text-xs text-amber-900" data-testid="schedules-unpublished">
            Nothing is published yet: fires are recorded as skipped until you publish.
          </p>
        )}

        {editing !== null && <ScheduleForm workflowId={workflowId} schedule={editing === "new" ? null : editing} onDone={() => setEditing(null)} />}

        {schedules.length === 0 && editing === null ? (
          <p className="text-xs text-slate-500" data-testid="no-schedules">
            No schedules. {manage ? "Add one to run this workflow on a cron." : "Editors add them."}
          </p>
        ) : (
          <ul className="space-y-2">
            {schedules.map((schedule) => (
              <ScheduleCard key={schedule.id} schedule={schedule} manage={manage} onEdit={() => setEditing(schedule)} />
            ))}
          </ul>
        )}
      </section>

      <CallbackSettings workflowId={workflowId} manage={manage} />
    </div>
  );
}

function ScheduleCard({ schedule, manage, onEdit }: { schedule: Schedule; manage: boolean; onEdit: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries(trpc.schedules.list.pathFilter());
  const toggle = useMutation(trpc.schedules.toggle.mutationOptions({ onSuccess: () => void refresh(), onError: (cause) => setError(errorMessage(cause)) }));
  const remove = useMutation(trpc.schedules.delete.mutationOptions({ onSuccess: () => void refresh(), onError: (cause) => setError(errorMessage(cause)) }));
  const last = schedule.lastFire;

  return (
    <li className="space-y-2 rounded-md border border-slate-200 bg-white p-2.5" data-testid="schedule-card" aria-label={`Schedule ${schedule.name}`}>
      <div className="flex items-start gap-2">
        <div className="min-w-0 flex-1">
          <p className="truncate text-sm font-medium text-slate-800">{schedule.name}</p>
          <p className="text-[11px] text-slate-500">
            <code className="font-mono text-slate-700">{schedule.cron}</code> · {schedule.timeZone}
          </p>
          <p className="text-[11px] text-slate-500">{POLICY_LABELS[schedule.missedPolicy]}</p>
        </div>
        <Switch
          label={`${schedule.name} on`}
          checked={schedule.enabled}
          disabled={!manage || toggle.isPending}
          onChange={(enabled) => toggle.mutate({ id: schedule.id, enabled })}
        />
      </div>

      {schedule.enabled ? (
        <div>
          <p className="text-[11px] font-medium text-slate-600">Next fires ({schedule.timeZone})</p>
          <ol className="mt-0.5 space-y-px font-mono text-[11px] text-slate-700" data-testid="next-fires">
            {schedule.nextFireTimes.map((time) => (
              <li key={String(time)}>{formatInZone(time, schedule.timeZone)}</li>
            ))}
          </ol>
        </div>
      ) : (
        <p className="text-[11px] text-slate-500">Off: it does not fire.</p>
      )}

      <div className="text-[11px] text-slate-600" data-testid="last-fire">
        {last ? (
          <span className="flex flex-wrap items-center gap-1">
            Last fire
            <span className={`rounded-full px-1.5 py-px text-[10px] font-semibold uppercase ring-1 ring-inset ${FIRE_STATUS_STYLES[last.status] ?? FIRE_STATUS_STYLES.starting}`}>{last.status}</span>
            {last.kind === "catch_up" && <span className="text-slate-500">(catch-up)</span>}
            <span className="text-slate-500">{formatRelative(last.slotAt)}</span>
            {last.runId && (
              <Link href={`/runs/${last.runId}`} className="font-mono text-accent-700 hover:underline">
                {last.runId}
              </Link>
            )}
            {last.message && <span className="block w-full text-slate-500">{last.message}</span>}
          </span>
        ) : (
          <span className="text-slate-500">Not fired yet.</span>
        )}
      </div>

      {error && <p className="text-xs text-red-600">{error}</p>}
      {manage && (
        <div className="flex gap-1.5">
          <Button size="sm" variant="ghost" onClick={onEdit}>
            Edit
          </Button>
          <Button size="sm" variant="danger" aria-label={`Delete schedule ${schedule.name}`} disabled={remove.isPending} onClick={() => remove.mutate({ id: schedule.id })}>
            Delete
          </Button>
        </div>
      )}
    </li>
  );
}

function ScheduleForm({ workflowId, schedule, onDone }: { workflowId: string; schedule: Schedule | null; onDone: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const ids = useId();
  const [name, setName] = useState(schedule?.name ?? "");
  const [cron, setCron] = useState(schedule?.cron ?? "0 9 * * 1-5");
  const [timeZone, setTimeZone] = useState(schedule?.timeZone ?? browserTimeZone());
  const [inputText, setInputText] = useState(schedule ? JSON.stringify(schedule.input ?? {}, null, 2) : "{}");
  const [missedPolicy, setMissedPolicy] = useState<MissedPolicy>(schedule?.missedPolicy ?? "skip");
  const [enabled, setEnabled] = useState(schedule?.enabled ?? true);
  const [error, setError] = useState<{ message: string; path: string | null } | null>(null);
  const zones = useMemo(() => (typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : []), []);
  const preview = useQuery(trpc.schedules.preview.queryOptions({ cron, timeZone }, { enabled: cron.trim() !== "" && timeZone.trim() !== "" }));

  const onSuccess = () => {
    void queryClient.invalidateQueries(trpc.schedules.list.pathFilter());
    onDone();
  };
  const onError = (cause: unknown) => setError({ message: errorMessage(cause), path: errorPath(cause) });
  const create = useMutation(trpc.schedules.create.mutationOptions({ onSuccess, onError }));
  const update = useMutation(trpc.schedules.update.mutationOptions({ onSuccess, onError }));
  const pending = create.isPending || update.isPending;

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    let input: unknown;
    try {
      input = inputText.trim() === "" ? null : JSON.parse(inputText);
    } catch (cause) {
      setError({ message: `Input: not valid JSON (${cause instanceof Error ? cause.message : String(cause)})`, path: "input" });
      return;
    }
    const fields = { name, cron, timeZone, input, missedPolicy, enabled };
    if (schedule) update.mutate({ id: schedule.id, ...fields });
    else create.mutate({ workflowId, ...fields });
  };
  const fieldError = (field: string) => (error && (error.path === field || error.path?.startsWith(`${field}.`)) ? error.message : null);
  const inputClass = "mt-1 block w-full rounded-md border border-slate-300 bg-white px-2 text-sm focus:border-accent-500 focus:ring-2 focus:ring-accent-500/20 focus:outline-none aria-invalid:border-red-400";

  return (
    <form onSubmit={submit} className="space-y-2.5 rounded-md border border-accent-200 bg-accent-50/40 p-2.5" aria-label={schedule ? `Edit schedule ${schedule.name}` : "New schedule"} data-testid="schedule-form">
      <label className="block text-xs font-medium text-slate-700">
        Name
        <input className={`${inputClass} h-8`} value={name} onChange={(event) => setName(event.target.value)} placeholder="Weekday mornings" aria-invalid={fieldError("name") ? true : undefined} />
      </label>
      <label className="block text-xs font-medium text-slate-700">
        Cron expression
        <input
          className={`${inputClass} h-8 font-mono`}
          value={cron}
          onChange={(event) => setCron(event.target.value)}
          aria-invalid={fieldError("cron") || (preview.data && !preview.data.ok && preview.data.field === "cron") ? true : undefined}
          aria-describedby={`${ids}-cron-hint`}
        />
        <span id={`${ids}-cron-hint`} className="mt-0.5 block text-[11px] font-normal text-slate-500">
          minute hour day-of-month month day-of-week
        </span>
      </label>
      <label className="block text-xs font-medium text-slate-700">
        Time zone
        <input className={`${inputClass} h-8`} value={timeZone} list={`${ids}-zones`} onChange={(event) => setTimeZone(event.target.value)} aria-invalid={fieldError("timeZone") ? true : undefined} />
        <datalist id={`${ids}-zones`}>
          {zones.map((zone) => (
            <option key={zone} value={zone} />
          ))}
        </datalist>
      </label>
      <div className="text-[11px]" data-testid="schedule-preview" aria-live="polite">
        {preview.data?.ok ? (
          <>
            <p className="font-medium text-slate-600">Next five fires ({timeZone})</p>
            <ol className="font-mono text-slate-700">
              {preview.data.times.map((time) => (
                <li key={String(time)}>{formatInZone(time, timeZone)}</li>
              ))}
            </ol>
          </>
        ) : preview.data ? (
          <p className="text-red-600">{preview.data.message}</p>
        ) : null}
      </div>
      <label className="block text-xs font-medium text-slate-700">
        Run input (JSON)
        <textarea className={`${inputClass} min-h-16 py-1 font-mono text-xs`} value={inputText} onChange={(event) => setInputText(event.target.value)} aria-invalid={fieldError("input") ? true : undefined} />
        <span className="mt-0.5 block text-[11px] font-normal text-slate-500">Checked against the Trigger&apos;s input fields, like a manual run.</span>
      </label>
      <label className="block text-xs font-medium text-slate-700">
        Fires missed while AgentFlow was down
        <select className={`${inputClass} h-8`} value={missedPolicy} onChange={(event) => setMissedPolicy(event.target.value as MissedPolicy)}>
          <option value="skip">{POLICY_LABELS.skip}</option>
          <option value="run_once">{POLICY_LABELS.run_once}</option>
        </select>
      </label>
      <label className="flex items-center gap-2 text-xs font-medium text-slate-700">
        <input type="checkbox" checked={enabled} onChange={(event) => setEnabled(event.target.checked)} />
        On
      </label>
      {error && (
        <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-2 py-1.5 text-xs text-red-700">
          {error.message}
        </p>
      )}
      <div className="flex gap-1.5">
        <Button size="sm" variant="primary" type="submit" disabled={pending}>
          {schedule ? "Save schedule" : "Add schedule"}
        </Button>
        <Button size="sm" variant="ghost" onClick={onDone}>
          Cancel
        </Button>
      </div>
    </form>
  );
}

/** The workflow's run-finished callback: its URL and the signing secret (shown once). */
function CallbackSettings({ workflowId, manage }: { workflowId: string; manage: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const settings = useQuery(trpc.callbacks.get.queryOptions({ workflowId }));
  const [url, setUrl] = useState<string | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const onSuccess = (answer: { signingSecret: string | null }) => {
    setError(null);
    setUrl(null);
    if (answer.signingSecret) setSecret(answer.signingSecret);
    void queryClient.invalidateQueries(trpc.callbacks.get.queryFilter({ workflowId }));
  };
  const save = useMutation(trpc.callbacks.set.mutationOptions({ onSuccess, onError: (cause) => setError(errorMessage(cause)) }));
  const rotate = useMutation(trpc.callbacks.rotateSecret.mutationOptions({ onSuccess, onError: (cause) => setError(errorMessage(cause)) }));
  if (!settings.data) return null;
  const shownUrl = url ?? settings.data.url ?? "";

  return (
    <section className="space-y-2" data-testid="callback-settings">
      <h3 className="text-xs font-semibold tracking-wide text-slate-500 uppercase">Run-finished callback</h3>
      <p className="text-xs text-slate-500">
        When a run ends, its result is POSTed here, signed with <code className="font-mono">AgentFlow-Signature</code>, and retried for 24 h. A trigger call may name its own{" "}
        <code className="font-mono">callbackUrl</code>.
      </p>
      <form
        className="space-y-1.5"
        onSubmit={(event) => {
          event.preventDefault();
          save.mutate({ workflowId, url: shownUrl.trim() === "" ? null : shownUrl.trim() });
        }}
      >
        <label className="block text-xs font-medium text-slate-700">
          Callback URL
          <input
            className="mt-1 block h-8 w-full rounded-md border border-slate-300 bg-white px-2 text-sm read-only:bg-slate-50 focus:border-accent-500 focus:ring-2 focus:ring-accent-500/20 focus:outline-none"
            value={shownUrl}
            readOnly={!manage}
            placeholder="https://example.com/agentflow/finished"
            onChange={(event) => setUrl(event.target.value)}
          />
        </label>
        {manage && (
          <div className="flex gap-1.5">
            <Button size="sm" type="submit" disabled={save.isPending}>
              {settings.data.secretPrefix ? "Save URL" : "Save and create secret"}
            </Button>
            {settings.data.secretPrefix && (
              <Button size="sm" variant="ghost" disabled={rotate.isPending} onClick={() => rotate.mutate({ workflowId })}>
                Rotate secret
              </Button>
            )}
          </div>
        )}
      </form>
      {settings.data.secretPrefix && !secret && (
        <p className="text-[11px] text-slate-500">
          Signing secret <code className="font-mono">{settings.data.secretPrefix}</code>
        </p>
      )}
      {secret && (
        <div className="space-y-1.5 rounded-md border border-emerald-200 bg-emerald-50 p-2.5" data-testid="callback-secret">
          <p className="text-xs font-medium text-emerald-900">Copy the signing secret now: it will not be shown again.</p>
          <CopyField value={secret} label="Copy signing secret" testId="callback-secret-value" />
        </div>
      )}
      {error && <p className="text-xs text-red-600">{error}</p>}
    </section>
  );
}
