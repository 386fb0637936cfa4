"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { errorMessage, useTRPC, type RouterOutputs } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { formatDateTime, formatRelative } from "@/components/ui/format";
import { CHANNEL_KIND_LABEL } from "./notifications-kinds";
import { Card, DangerConfirm, QueryStateRows, TD, TH } from "./section";
import { Switch } from "@/components/ui/switch";

type Channel = RouterOutputs["notifications"]["list"][number];
type TestOutcome = { channelName: string } & ({ state: "sending" } | { state: "done"; result: RouterOutputs["notifications"]["sendTest"] } | { state: "error"; message: string });

/** The workspace's channels: on/off, a test delivery now, delete. */
export function NotificationsChannels() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const channels = useQuery(trpc.notifications.list.queryOptions());
  const [deleting, setDeleting] = useState<Channel | null>(null);
  const [test, setTest] = useState<TestOutcome | null>(null);
  const refreshLog = () => void queryClient.invalidateQueries(trpc.notifications.deliveries.queryFilter());

  const setEnabled = useMutation(trpc.notifications.setEnabled.mutationOptions({ onSuccess: () => void queryClient.invalidateQueries(trpc.notifications.list.queryFilter()) }));
  const sendTest = useMutation(trpc.notifications.sendTest.mutationOptions());
  const remove = useMutation(
    trpc.notifications.delete.mutationOptions({
      onSuccess: () => {
        setDeleting(null);
        void queryClient.invalidateQueries(trpc.notifications.list.queryFilter());
        refreshLog();
      },
    }),
  );

  const runTest = (channel: Channel) => {
    setTest({ channelName: channel.name, state: "sending" });
    sendTest.mutate(
      { id: channel.id },
      {
        onSuccess: (result) => setTest({ channelName: channel.name, state: "done", result }),
        onError: (error) => setTest({ channelName: channel.name, state: "error", message: errorMessage(error) }),
        onSettled: refreshLog,
      },
    );
  };

  return (
    <Card title="Channels" description="Every enabled channel is told about each task that waits in this workspace." flush>
      <div className="overflow-x-auto">
        <table className="w-full text-sm" aria-label="Notification channels">
          <thead className="border-b border-slate-200 bg-slate-50 text-left text-xs text-slate-500">
            <tr>
              <th scope="col" className={TH}>Name</th>
              <th scope="col" className={TH}>Type</th>
              <th scope="col" className={TH}>Destination</th>
              <th scope="col" className={`${TH} w-28`}>Added</th>
              <th scope="col" className={`${TH} w-24`}>Enabled</th>
              <th scope="col" className={`${TH} w-40`}>
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            <QueryStateRows query={channels} colSpan={6} loading="Loading channels…" empty="No channels yet. Add one below to be told when a run waits." />
            {channels.data?.map((channel) => (
              <tr key={channel.id} data-channel-id={channel.id} className="hover:bg-slate-50/60">
                <td className={`${TD} font-medium text-slate-900`}>{channel.name}</td>
                <td className={TD}>
                  <span className="rounded bg-slate-100 px-1.5 py-0.5 text-[11px] font-medium text-slate-700">{CHANNEL_KIND_LABEL[channel.kind] ?? channel.kind}</span>
                </td>
                <td className={`${TD} max-w-72 truncate text-slate-600`} title={channel.target}>
                  {channel.kind === "email" ? channel.target : <code className="font-mono text-xs">{channel.target}</code>}
                </td>
                <td className={`${TD} whitespace-nowrap text-slate-600`} title={formatDateTime(channel.createdAt)}>
                  {formatRelative(channel.createdAt)}
                </td>
                <td className={TD}>
                  <Switch
                    label={`Enabled: ${channel.name}`}
                    checked={channel.enabled}
                    disabled={setEnabled.isPending}
                    onChange={(enabled) => setEnabled.mutate({ id: channel.id, enabled })}
                  />
                </td>
                <td className={`${TD} text-right whitespace-nowrap`}>
                  <div className="inline-flex gap-1.5">
                    <Button size="sm" aria-label={`Send a test to ${channel.name}`} disabled={test?.state === "sending"} onClick={() => runTest(channel)}>
                      Send test
                    </Button>
                    <Button
                      size="sm"
                      variant="danger"
                      aria-label={`Delete channel ${channel.name}`}
                      onClick={() => {
                        remove.reset();
                        setDeleting(channel);
                      }}
                    >
                      Delete
                    </Button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {setEnabled.isError && <p className="border-t border-slate-100 px-5 py-3 text-sm text-red-700">{errorMessage(setEnabled.error)}</p>}
      {test && <TestLine outcome={test} />}
      {deleting && (
        <DangerConfirm
          title={`Delete “${deleting.name}”?`}
          confirmLabel="Delete channel"
          pending={remove.isPending}
          error={remove.isError ? remove.error : null}
          onConfirm={() => remove.mutate({ id: deleting.id })}
          onCancel={() => setDeleting(null)}
        >
          <p>It is told about nothing from now on, and its delivery log goes with it. This cannot be undone.</p>
        </DangerConfirm>
      )}
    </Card>
  );
}

/** What the last "Send test" did, announced (role="status"). */
function TestLine({ outcome }: { outcome: TestOutcome }) {
  const ok = outcome.state === "done" && outcome.result.status === "delivered";
  const text =
    outcome.state === "sending"
      ? `Sending a test to “${outcome.channelName}”…`
      : outcome.state === "error"
        ? `Test to “${outcome.channelName}” could not be sent: ${outcome.message}`
        : ok
          ? `Test to “${outcome.channelName}” delivered: ${outcome.result.message}`
          : `Test to “${outcome.channelName}” failed: ${outcome.result.message}`;
  const tone = outcome.state === "sending" ? "border-slate-200 bg-slate-50 text-slate-600" : ok ? "border-emerald-200 bg-emerald-50 text-emerald-800" : "border-red-200 bg-red-50 text-red-700";
  return (
    <div className="border-t border-slate-100 px-5 py-3">
      <p role="status" data-testid="notification-test-result" className={`rounded-md border px-3 py-2 text-sm break-words ${tone}`}>
        {text}
      </p>
    </div>
  );
}
