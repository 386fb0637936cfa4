"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { formatDateTime, formatRelative } from "@/components/ui/format";
import { CHANNEL_KIND_LABEL, DELIVERY_STATUS_STYLE, EVENT_LABEL } from "./notifications-kinds";
import { Card, QueryStateRows, TD, TH } from "./section";

/** While a delivery is being retried, the log re-reads itself this often (and not at all otherwise). */
const WHILE_PENDING_MS = 5_000;

/** The last deliveries of every channel: what was sent, how it went, how many attempts. */
export function NotificationsLog() {
  const trpc = useTRPC();
  const deliveries = useQuery(
    trpc.notifications.deliveries.queryOptions(
      { limit: 50 },
      { refetchInterval: (query) => (query.state.data?.some((delivery) => delivery.status === "pending") ? WHILE_PENDING_MS : false) },
    ),
  );

  return (
    <Card
      title="Delivery log"
      description="The last 50 deliveries. Failures are retried with growing pauses (about 2.5 minutes in all) before they count as failed."
      actions={
        <Button size="sm" variant="ghost" onClick={() => void deliveries.refetch()} disabled={deliveries.isFetching}>
          {deliveries.isFetching ? "Refreshing…" : "Refresh"}
        </Button>
      }
      flush
    >
      <div className="overflow-x-auto">
        <table className="w-full text-sm" aria-label="Delivery log">
          <thead className="border-b border-slate-200 bg-slate-50 text-left text-xs text-slate-500">
            <tr>
              <th scope="col" className={`${TH} w-28`}>When</th>
              <th scope="col" className={TH}>Channel</th>
              <th scope="col" className={TH}>Event</th>
              <th scope="col" className={TH}>Task</th>
              <th scope="col" className={`${TH} w-24`}>Status</th>
              <th scope="col" className={`${TH} w-20 text-right`}>Attempts</th>
              <th scope="col" className={TH}>Last response</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            <QueryStateRows query={deliveries} colSpan={7} loading="Loading deliveries…" empty="Nothing delivered yet." />
            {deliveries.data?.map((delivery) => (
              <tr key={delivery.id} data-delivery-id={delivery.id} data-status={delivery.status} className="align-top hover:bg-slate-50/60">
                <td className={`${TD} whitespace-nowrap text-slate-600`} title={formatDateTime(delivery.lastAttemptAt ?? delivery.createdAt)}>
                  {formatRelative(delivery.lastAttemptAt ?? delivery.createdAt)}
                </td>
                <td className={TD}>
                  <span className="font-medium text-slate-900">{delivery.channelName}</span>
                  <span className="ml-1.5 text-xs text-slate-500">{CHANNEL_KIND_LABEL[delivery.channelKind] ?? delivery.channelKind}</span>
                </td>
                <td className={`${TD} whitespace-nowrap text-slate-700`}>{EVENT_LABEL[delivery.event] ?? delivery.event}</td>
                <td className={`${TD} max-w-48 truncate`}>
                  {delivery.task ? (
                    <Link href={`/runs/${delivery.task.runId}`} className="text-accent-700 hover:underline">
                      {delivery.task.workflowName}
                    </Link>
                  ) : (
                    <span className="text-slate-400">{delivery.taskId ? "deleted run" : "—"}</span>
                  )}
                </td>
                <td className={TD}>
                  <span
                    data-testid="delivery-status"
                    className={`inline-flex rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${DELIVERY_STATUS_STYLE[delivery.status] ?? DELIVERY_STATUS_STYLE.skipped}`}
                  >
                    {delivery.status === "pending" && delivery.attempts > 0 ? "retrying" : delivery.status}
                  </span>
                </td>
                <td className={`${TD} text-right text-slate-700 tabular-nums`}>{delivery.attempts}</td>
                <td className={`${TD} max-w-80 text-xs break-words text-slate-600`}>
                  {delivery.lastStatusCode !== null && <code className="mr-1.5 rounded bg-slate-100 px-1 py-0.5 font-mono text-[11px] text-slate-700">{delivery.lastStatusCode}</code>}
                  {delivery.lastError ? (
                    <span className={delivery.status === "skipped" ? "text-slate-500" : "text-red-700"}>{withoutStatusCode(delivery.lastError, delivery.lastStatusCode)}</span>
                  ) : delivery.status === "delivered" ? (
                    "OK"
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Card>
  );
}

/** "HTTP 503 Service Unavailable: down" beside a 503 badge reads as "Service Unavailable: down". */
function withoutStatusCode(error: string, statusCode: number | null): string {
  const prefix = `HTTP ${statusCode} `;
  return statusCode !== null && error.startsWith(prefix) ? error.slice(prefix.length) : error;
}
